package payments_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The Reporting API's Balance report types, run from the account's own
// balance transactions: a run is pending, then succeeds on the emulator
// clock with its CSV as a file, as Stripe runs reports asynchronously.
var _ = Describe("Reporting: report types and report runs", Label("payments", "reporting"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		// The balance stays as the specs leave it, paid out by no schedule.
		ManualPayouts(emu, "")
	})

	// The spec clock starts at 2025-09-01 12:00 UTC, the day the platform
	// is made: its report data begins at that day's start, and ends at
	// the start of the clock's current day.
	day1 := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	day2 := day1.AddDate(0, 0, 1)
	day3 := day1.AddDate(0, 0, 2)

	run := func(reportType string, start, end time.Time, edit ...func(*stripe.ReportingReportRunCreateParametersParams)) (*stripe.ReportingReportRun, error) {
		p := &stripe.ReportingReportRunCreateParametersParams{IntervalStart: stripe.Int64(start.Unix()), IntervalEnd: stripe.Int64(end.Unix())}
		for _, e := range edit {
			e(p)
		}
		return sc.V1ReportingReportRuns.Create(Ctx, &stripe.ReportingReportRunCreateParams{ReportType: stripe.String(reportType), Parameters: p})
	}
	columns := func(cols ...string) func(*stripe.ReportingReportRunCreateParametersParams) {
		return func(p *stripe.ReportingReportRunCreateParametersParams) { p.Columns = stripe.StringSlice(cols) }
	}
	// finished moves the clock past the run's delay and answers the run,
	// succeeded.
	finished := func(r *stripe.ReportingReportRun) *stripe.ReportingReportRun {
		GinkgoHelper()
		emu.Clock().Advance(15 * time.Second)
		got, err := sc.V1ReportingReportRuns.Retrieve(Ctx, r.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.ReportingReportRunStatusSucceeded))
		return got
	}
	// rows downloads a run's CSV and parses it: the header, then the rows.
	rows := func(r *stripe.ReportingReportRun, account ...string) ([]string, [][]string, string) {
		GinkgoHelper()
		req, err := http.NewRequest("GET", r.Result.URL, nil)
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", "Bearer sk_test_spec")
		if len(account) > 0 {
			req.Header.Set("Stripe-Account", account[0])
		}
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "%s", body)
		Expect(resp.Header.Get("Content-Type")).To(HavePrefix("text/csv"))
		all, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		Expect(err).NotTo(HaveOccurred())
		Expect(all).NotTo(BeEmpty())
		return all[0], all[1:], string(body)
	}
	pay := func(amount int64, pm string, edit ...func(*stripe.PaymentIntentCreateParams)) *stripe.PaymentIntent {
		GinkgoHelper()
		p := &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(amount), Currency: stripe.String("usd"), PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
		}
		for _, e := range edit {
			e(p)
		}
		p.AddExpand("latest_charge.balance_transaction")
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		return pi
	}
	money := func(cents int64) string { return fmt.Sprintf("%.2f", float64(cents)/100) }

	It("lists the Balance report's types with Stripe's default columns, their data available up to the start of the clock's day", func() {
		var ids []string
		for t, err := range sc.V1ReportingReportTypes.List(Ctx, nil) {
			Expect(err).NotTo(HaveOccurred())
			Expect(t.Object).To(Equal("reporting.report_type"))
			Expect(t.Livemode).To(BeFalse())
			Expect(t.DataAvailableStart).To(Equal(day1.Unix()))
			Expect(t.DataAvailableEnd).To(Equal(day1.Unix()), "nothing of the account's first day is available yet")
			ids = append(ids, t.ID)
		}
		Expect(ids).To(Equal([]string{
			"balance.summary.1", "balance_change_from_activity.itemized.1", "balance_change_from_activity.itemized.2",
			"balance_change_from_activity.itemized.3", "balance_change_from_activity.summary.1",
			"payouts.itemized.1", "payouts.itemized.2", "payouts.itemized.3", "payouts.summary.1",
			"connected_account_balance.summary.1", "connected_account_balance_change_from_activity.itemized.1",
			"connected_account_balance_change_from_activity.itemized.2", "connected_account_balance_change_from_activity.itemized.3",
			"connected_account_balance_change_from_activity.summary.1", "connected_account_payouts.itemized.1",
			"connected_account_payouts.itemized.2", "connected_account_payouts.itemized.3", "connected_account_payouts.summary.1",
		}))

		emu.Clock().Set(day3.Add(5 * time.Hour))
		t, err := sc.V1ReportingReportTypes.Retrieve(Ctx, "balance.summary.1", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Name).To(Equal("Balance summary"))
		Expect(t.Version).To(Equal(int64(1)))
		Expect(t.DefaultColumns).To(Equal([]string{"category", "description", "net_amount", "currency"}))
		Expect(t.DataAvailableStart).To(Equal(day1.Unix()))
		Expect(t.DataAvailableEnd).To(Equal(day3.Unix()), "whole days up to the current one")
		Expect(t.Updated).To(Equal(day3.Unix()))

		t, err = sc.V1ReportingReportTypes.Retrieve(Ctx, "balance_change_from_activity.itemized.3", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Name).To(Equal("Itemized balance change from activity"))
		Expect(t.Version).To(Equal(int64(3)))
		Expect(t.DefaultColumns).To(Equal([]string{"balance_transaction_id", "created", "available_on", "currency", "gross", "fee", "net", "reporting_category", "description"}))

		By("answering Stripe's 404 for a report type Stripe does not have, and naming one it has but the emulator does not run")
		_, err = sc.V1ReportingReportTypes.Retrieve(Ctx, "balance.nonsense.9", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		_, err = sc.V1ReportingReportTypes.Retrieve(Ctx, "connected_account_payout_reconciliation.itemized.5", nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "id")
		Expect(StripeErr(err).Msg).To(ContainSubstring("automatic payouts"))

		By("refusing pagination, which Stripe's report types list does not take")
		status, body, err := emu.Call("GET", "/v1/reporting/report_types?limit=3", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400), "%v", body)
	})

	It("names the automatic payout that paid each transaction out, and when it leaves the balance", func() {
		_, err := sc.V1Accounts.Update(Ctx, emu.Platform(), &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
			Payouts: &stripe.AccountUpdateSettingsPayoutsParams{Schedule: &stripe.AccountUpdateSettingsPayoutsScheduleParams{Interval: stripe.String("daily")}}}})
		Expect(err).NotTo(HaveOccurred())
		paid := pay(5000, "pm_card_bypassPending")
		pending := pay(3000, "pm_card_visa")
		emu.Clock().Set(day3) // each payment's funds paid out on the day they became available
		var pos []*stripe.Payout
		for p, err := range sc.V1Payouts.List(Ctx, &stripe.PayoutListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(p.Automatic).To(BeTrue())
			pos = append(pos, p)
		}
		Expect(pos).To(HaveLen(2))

		r, err := run("balance_change_from_activity.itemized.3", day1, day2, columns(
			"source_id", "automatic_payout_id", "automatic_payout_effective_at_utc"))
		Expect(err).NotTo(HaveOccurred())
		header, data, _ := rows(finished(r))
		Expect(header).To(Equal([]string{"source_id", "automatic_payout_id", "automatic_payout_effective_at_utc"}))
		Expect(data).To(ConsistOf(
			[]string{paid.LatestCharge.ID, pos[1].ID, "2025-09-03 00:00:00"},
			[]string{pending.LatestCharge.ID, pos[0].ID, "2025-09-04 00:00:00"},
		))
	})

	It("runs an itemized balance change from activity that matches the charges, refunds and payouts made, succeeding on the clock", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("ada@example.com"), Name: stripe.String("Ada Lovelace")})
		Expect(err).NotTo(HaveOccurred())
		first := pay(12345, "pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
			p.Customer = stripe.String(cus.ID)
			p.Metadata = map[string]string{"order_id": "A-1"}
		})
		emu.Clock().Advance(time.Hour)
		second := pay(5000, "pm_card_bypassPending", func(p *stripe.PaymentIntentCreateParams) { p.Description = stripe.String(`Order "B"`) })
		emu.Clock().Advance(time.Hour)
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{
			PaymentIntent: stripe.String(first.ID), Amount: stripe.Int64(2345), Metadata: map[string]string{"reason_code": "R9"},
		})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(time.Hour)
		po, err := sc.V1Payouts.Create(Ctx, &stripe.PayoutCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())

		By("refusing an interval whose data is not available yet: the account's first day is not over")
		_, err = run("balance_change_from_activity.itemized.1", day1, day2)
		ExpectStripeError(err, 400, "invalid_request_error", "", "parameters[interval_end]")
		Expect(StripeErr(err).Msg).To(Equal("Data for the report type balance_change_from_activity.itemized.1 is only available through 2025-09-01 00:00:00 UTC; you requested `interval_end` = 2025-09-02 00:00:00 UTC."))
		Expect(emu.Count("", "reporting.report_run")).To(BeZero())

		emu.Clock().Set(day2.Add(time.Hour))
		r, err := run("balance_change_from_activity.itemized.2", day1, day2, columns(
			"balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net", "reporting_category",
			"source_id", "description", "charge_id", "payment_intent_id", "customer_id", "customer_email", "customer_name",
			"customer_facing_amount", "card_brand", "payment_method_type", "is_link", "payment_metadata[order_id]",
			"refund_metadata[reason_code]", "automatic_payout_id"))
		Expect(err).NotTo(HaveOccurred())
		Expect(r.ID).To(HavePrefix("frr_"))
		Expect(r.Status).To(Equal(stripe.ReportingReportRunStatusPending))
		Expect(r.Result).To(BeNil())
		Expect(r.SucceededAt).To(BeZero())
		Expect(r.ReportType).To(Equal("balance_change_from_activity.itemized.2"))
		Expect(r.Parameters.IntervalStart).To(Equal(day1.Unix()))
		Expect(r.Parameters.Columns).To(HaveLen(22))
		Expect(emu.EventTypes("")).NotTo(ContainElement("reporting.report_run.succeeded"))

		r = finished(r)
		Expect(r.SucceededAt).To(Equal(r.Created + 10))
		Expect(r.Error).To(BeEmpty())
		Expect(r.Result.ID).To(HavePrefix("file_"))
		Expect(r.Result.Purpose).To(Equal(stripe.FilePurposeFinanceReportRun))
		Expect(r.Result.Type).To(Equal("csv"))
		Expect(r.Result.Filename).To(Equal(r.ID + ".csv"))
		Expect(r.Result.Title).To(Equal("FinanceReportRun " + r.ID))
		Expect(r.Result.ExpiresAt).To(Equal(r.SucceededAt + 365*86400))
		Expect(emu.EventTypes("")).To(ContainElement("reporting.report_run.succeeded"))
		f, err := sc.V1Files.Retrieve(Ctx, r.Result.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Size).To(Equal(r.Result.Size))

		header, data, body := rows(r)
		Expect(header).To(Equal(r.Parameters.Columns))
		Expect(body).To(HavePrefix(`"balance_transaction_id","created_utc",`), "Stripe quotes every value that is not empty")
		Expect(data).To(HaveLen(3), "two charges and a refund: the payout is not activity")

		ch1, ch2 := first.LatestCharge, second.LatestCharge
		Expect(data[0]).To(Equal([]string{
			ch1.BalanceTransaction.ID, "2025-09-01 12:00:00", "2025-09-03 00:00:00", "usd", "123.45", money(ch1.BalanceTransaction.Fee),
			money(ch1.BalanceTransaction.Net), "charge", ch1.ID, "", ch1.ID, first.ID, cus.ID, "ada@example.com", "Ada Lovelace",
			"123.45", "visa", "card", "false", "A-1", "", "",
		}))
		Expect(data[1]).To(Equal([]string{
			ch2.BalanceTransaction.ID, "2025-09-01 13:00:00", "2025-09-01 13:00:00", "usd", "50.00", money(ch2.BalanceTransaction.Fee),
			money(ch2.BalanceTransaction.Net), "charge", ch2.ID, `Order "B"`, ch2.ID, second.ID, "", "", "",
			"50.00", "visa", "card", "false", "", "", "",
		}))
		Expect(data[2]).To(Equal([]string{
			re.BalanceTransaction.ID, "2025-09-01 14:00:00", "2025-09-01 14:00:00", "usd", "-23.45", "0.00", "-23.45", "refund",
			re.ID, "REFUND FOR CHARGE", ch1.ID, first.ID, cus.ID, "ada@example.com", "Ada Lovelace",
			"-23.45", "visa", "card", "false", "A-1", "R9", "",
		}))

		By("itemizing the payout in the payouts report, with its status as it is when the report runs")
		p, err := run("payouts.itemized.1", day1, day2)
		Expect(err).NotTo(HaveOccurred())
		p = finished(p)
		header, data, _ = rows(p)
		Expect(header).To(Equal([]string{"payout_id", "effective_at_utc", "currency", "gross", "fee", "net", "reporting_category",
			"balance_transaction_id", "description", "payout_expected_arrival_date", "payout_status"}))
		Expect(data).To(Equal([][]string{{po.ID, "2025-09-01 15:00:00", "usd", "-10.00", "0.00", "-10.00", "payout",
			po.BalanceTransaction.ID, "", "2025-09-02", "paid"}}))

		By("summing activity and payouts by reporting category")
		s, err := run("balance_change_from_activity.summary.1", day1, day2)
		Expect(err).NotTo(HaveOccurred())
		header, data, _ = rows(finished(s))
		Expect(header).To(Equal([]string{"reporting_category", "currency", "count", "gross", "fee", "net"}))
		fees := ch1.BalanceTransaction.Fee + ch2.BalanceTransaction.Fee
		Expect(data).To(Equal([][]string{
			{"charge", "usd", "2", "173.45", money(fees), money(17345 - fees)},
			{"refund", "usd", "1", "-23.45", "0.00", "-23.45"},
		}))
		s, err = run("payouts.summary.1", day1, day2)
		Expect(err).NotTo(HaveOccurred())
		_, data, _ = rows(finished(s))
		Expect(data).To(Equal([][]string{{"payout", "usd", "1", "-10.00", "0.00", "-10.00"}}))

		By("summing the balance: nothing before the day, its activity and payouts, what is left at its end")
		b, err := run("balance.summary.1", day1, day2)
		Expect(err).NotTo(HaveOccurred())
		header, data, _ = rows(finished(b))
		Expect(header).To(Equal([]string{"category", "description", "net_amount", "currency"}))
		activity := 17345 - fees - 2345
		// Stripe's rows, as its exports show them: the activity and the
		// payouts each before fees, their fees, then their net.
		Expect(data).To(Equal([][]string{
			{"starting_balance", "Starting balance (2025-09-01)", "0.00", "usd"},
			{"activity_gross", "Account activity before fees", money(17345 - 2345), "usd"},
			{"activity_fee", "Less fees", money(-fees), "usd"},
			{"activity", "Activity", money(activity), "usd"},
			{"payouts_gross", "Payouts to bank", "-10.00", "usd"},
			{"payouts_fee", "Payout fees", "0.00", "usd"},
			{"payouts", "Total payouts", "-10.00", "usd"},
			{"ending_balance", "Ending balance (2025-09-01)", money(activity - 1000), "usd"},
		}))
		bal, err := sc.V1Balance.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(bal.Available[0].Amount+bal.Pending[0].Amount).To(Equal(activity-1000), "the ending balance is the account's balance")

		By("listing the runs newest first, filtered by created")
		var listed []string
		for lr, err := range sc.V1ReportingReportRuns.List(Ctx, &stripe.ReportingReportRunListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			listed = append(listed, lr.ID)
		}
		Expect(listed).To(Equal([]string{b.ID, s.ID, listed[2], p.ID, r.ID}))
		var late []string
		for lr, err := range sc.V1ReportingReportRuns.List(Ctx, &stripe.ReportingReportRunListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThan: r.Created}}) {
			Expect(err).NotTo(HaveOccurred())
			late = append(late, lr.ID)
		}
		Expect(late).NotTo(ContainElement(r.ID))
		Expect(late).To(ContainElement(b.ID))
	})

	It("prints times in the requested timezone, filters by currency and reporting category, and starts later balances from earlier activity", func() {
		pay(2000, "pm_card_bypassPending")
		emu.Clock().Set(day2.Add(2 * time.Hour))
		second := pay(3000, "pm_card_bypassPending")
		_, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(second.ID)})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(day3.Add(time.Minute))

		r, err := run("balance_change_from_activity.itemized.3", day2, day3, func(p *stripe.ReportingReportRunCreateParametersParams) {
			p.Timezone = stripe.String("America/New_York")
			p.ReportingCategory = stripe.String("charge")
			p.Currency = stripe.String("USD")
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Parameters.Timezone).To(Equal("America/New_York"))
		Expect(r.Parameters.Currency).To(Equal(stripe.Currency("usd")))
		header, data, _ := rows(finished(r))
		Expect(header).To(Equal([]string{"balance_transaction_id", "created", "available_on", "currency", "gross", "fee", "net", "reporting_category", "description"}))
		Expect(data).To(HaveLen(1), "only the charge of the second day")
		Expect(data[0][0]).To(Equal(second.LatestCharge.BalanceTransaction.ID))
		Expect(data[0][1]).To(Equal("2025-09-01 22:00:00"), "02:00 UTC is 22:00 the day before in New York (EDT)")
		Expect(data[0][4]).To(Equal("30.00"))

		By("writing amounts with the decimal separator asked for, which Stripe's run object does not show")
		cp := &stripe.ReportingReportRunCreateParams{ReportType: stripe.String("balance_change_from_activity.itemized.1"),
			Parameters: &stripe.ReportingReportRunCreateParametersParams{IntervalStart: stripe.Int64(day2.Unix()), IntervalEnd: stripe.Int64(day3.Unix()),
				Columns: stripe.StringSlice([]string{"reporting_category", "gross"})}}
		cp.AddExtra("parameters[decimal_separator]", ",")
		r, err = sc.V1ReportingReportRuns.Create(Ctx, cp)
		Expect(err).NotTo(HaveOccurred())
		_, data, _ = rows(finished(r))
		Expect(data).To(Equal([][]string{{"charge", "30,00"}, {"refund", "-30,00"}}))
		cp.ReportType = stripe.String("balance.summary.1")
		_, err = sc.V1ReportingReportRuns.Create(Ctx, cp)
		ExpectStripeError(err, 400, "invalid_request_error", "", "parameters[decimal_separator]")

		e, err := run("balance_change_from_activity.itemized.3", day2, day3, func(p *stripe.ReportingReportRunCreateParametersParams) {
			p.Currency = stripe.String("eur")
		})
		Expect(err).NotTo(HaveOccurred())
		_, data, body := rows(finished(e))
		Expect(data).To(BeEmpty(), "no euros moved")
		Expect(body).To(Equal(`"balance_transaction_id","created","available_on","currency","gross","fee","net","reporting_category","description"` + "\n"))

		b, err := run("balance.summary.1", day2, day3)
		Expect(err).NotTo(HaveOccurred())
		_, data, _ = rows(finished(b))
		firstNet := int64(2000 - (2000*29+500)/1000 - 30)
		secondFee := int64((3000*29+500)/1000 + 30)
		Expect(data).To(Equal([][]string{
			{"starting_balance", "Starting balance (2025-09-02)", money(firstNet), "usd"},
			{"activity_gross", "Account activity before fees", "0.00", "usd"},
			{"activity_fee", "Less fees", money(-secondFee), "usd"},
			{"activity", "Activity", money(-secondFee), "usd"},
			{"payouts_gross", "Payouts to bank", "0.00", "usd"},
			{"payouts_fee", "Payout fees", "0.00", "usd"},
			{"payouts", "Total payouts", "0.00", "usd"},
			{"ending_balance", "Ending balance (2025-09-02)", money(firstNet - secondFee), "usd"},
		}))
	})

	It("fills the itemized columns from the dispute, the invoice and the payout behind each transaction", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{
			Email: stripe.String("grace@example.com"), PaymentMethod: stripe.String("pm_card_visa"),
			Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), City: stripe.String("Springfield"), Country: stripe.String("US")},
		})
		Expect(err).NotTo(HaveOccurred())
		var pmID string
		for m, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			pmID = m.ID
		}
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(4200), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			DefaultPaymentMethod: stripe.String(pmID), Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		disputed := pay(7000, "pm_card_createDispute")
		pay(20000, "pm_card_bypassPending")
		po, err := sc.V1Payouts.Create(Ctx, &stripe.PayoutCreateParams{Amount: stripe.Int64(500), Currency: stripe.String("usd"), Description: stripe.String("weekly")})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(10 * time.Minute)
		status, body, err := emu.Call("POST", "/v1/payouts/"+po.ID+"/cancel", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		emu.Clock().Set(day2.Add(time.Hour))

		r, err := run("balance_change_from_activity.itemized.3", day1, day2, columns("reporting_category", "source_id", "customer_facing_amount",
			"charge_id", "customer_id", "customer_email", "customer_address_line1", "customer_address_city", "invoice_id", "invoice_number",
			"subscription_id", "dispute_reason", "card_funding"))
		Expect(err).NotTo(HaveOccurred())
		_, data, _ := rows(finished(r))
		Expect(data).To(HaveLen(4), "the invoice's charge, the disputed charge and its chargeback, the other charge")
		subCharge := data[0]
		Expect(subCharge[0]).To(Equal("charge"))
		Expect(subCharge[2:]).To(Equal([]string{"42.00", subCharge[1], cus.ID, "grace@example.com", "1 Main St", "Springfield",
			inv.ID, inv.Number, sub.ID, "", "credit"}))
		var dispute []string
		for _, d := range data {
			if d[0] == "dispute" {
				dispute = d
			}
		}
		Expect(dispute).NotTo(BeNil())
		Expect(dispute[1]).To(HavePrefix("dp_"))
		Expect(dispute[2:5]).To(Equal([]string{"-70.00", disputed.LatestCharge.ID, ""}))
		Expect(dispute[11]).To(Equal("fraudulent"))

		By("itemizing a canceled payout and the reversal that gave its money back")
		p, err := run("payouts.itemized.3", day1, day2, func(p *stripe.ReportingReportRunCreateParametersParams) {
			p.Timezone = stripe.String("Asia/Tokyo")
			p.Columns = stripe.StringSlice([]string{"payout_id", "effective_at", "gross", "reporting_category", "payout_status",
				"payout_reversed_at_utc", "payout_reversed_at", "payout_type", "payout_description", "payout_destination_id"})
		})
		Expect(err).NotTo(HaveOccurred())
		_, data, _ = rows(finished(p))
		dest := po.Destination.ID
		Expect(data).To(Equal([][]string{
			{po.ID, "2025-09-01 21:00:00", "-5.00", "payout", "canceled", "2025-09-01 12:10:00", "2025-09-01 21:10:00", "bank_account", "weekly", dest},
			{po.ID, "2025-09-01 21:10:00", "5.00", "payout_reversal", "canceled", "2025-09-01 12:10:00", "2025-09-01 21:10:00", "bank_account", "weekly", dest},
		}))
	})

	It("refuses what Stripe refuses, making no run", func() {
		emu.Clock().Set(day3)
		refused := func(status int, code, param, msg string, reportType string, edit ...func(*stripe.ReportingReportRunCreateParametersParams)) {
			GinkgoHelper()
			_, err := run(reportType, day1, day2, edit...)
			ExpectStripeError(err, status, "invalid_request_error", code, param)
			if msg != "" {
				Expect(StripeErr(err).Msg).To(ContainSubstring(msg))
			}
		}
		refused(400, "", "parameters[interval_start]", "Data for the report type balance.summary.1 is only available starting at 2025-09-01 00:00:00 UTC; you requested `interval_start` = 2025-08-31 00:00:00 UTC.",
			"balance.summary.1", func(p *stripe.ReportingReportRunCreateParametersParams) {
				p.IntervalStart = stripe.Int64(day1.AddDate(0, 0, -1).Unix())
			})
		refused(400, "", "parameters[interval_start]", "must be before", "balance.summary.1",
			func(p *stripe.ReportingReportRunCreateParametersParams) { p.IntervalStart = stripe.Int64(day2.Unix()) })
		refused(400, "parameter_missing", "parameters[interval_start]", "", "balance.summary.1",
			func(p *stripe.ReportingReportRunCreateParametersParams) { p.IntervalStart = nil })
		refused(400, "", "parameters[columns]", "Invalid column for report type payouts.summary.1: net_amount", "payouts.summary.1", columns("net_amount"))
		refused(400, "", "parameters[columns]", "Invalid column", "balance_change_from_activity.itemized.1", columns("payment_metadata[order_id]"))
		refused(400, "", "parameters[columns]", "needs a metadata key", "balance_change_from_activity.itemized.3", columns("payment_metadata[]"))
		refused(400, "", "parameters[timezone]", "does not take the parameter `timezone`", "balance_change_from_activity.itemized.1",
			func(p *stripe.ReportingReportRunCreateParametersParams) { p.Timezone = stripe.String("Etc/UTC") })
		refused(400, "", "parameters[payout]", "", "payouts.itemized.3",
			func(p *stripe.ReportingReportRunCreateParametersParams) { p.Payout = stripe.String("po_123") })
		refused(400, "", "parameters[connected_account]", "", "balance.summary.1",
			func(p *stripe.ReportingReportRunCreateParametersParams) {
				p.ConnectedAccount = stripe.String("acct_123")
			})
		refused(400, "", "parameters[reporting_category]", "", "balance.summary.1",
			func(p *stripe.ReportingReportRunCreateParametersParams) {
				p.ReportingCategory = stripe.String("charge")
			})
		refused(400, "", "parameters[timezone]", "Invalid timezone", "balance.summary.1",
			func(p *stripe.ReportingReportRunCreateParametersParams) { p.Timezone = stripe.String("Mars/Olympus") })
		refused(400, "", "parameters[currency]", "Invalid currency", "balance.summary.1",
			func(p *stripe.ReportingReportRunCreateParametersParams) { p.Currency = stripe.String("zzz") })
		refused(400, "", "report_type", "does not emulate the report type ending_balance_reconciliation.summary.1", "ending_balance_reconciliation.summary.1")
		refused(400, "", "report_type", "does not emulate the report type payouts.itemized.5", "payouts.itemized.5")
		refused(400, "resource_missing", "report_type", "No such report type: 'balance.nonsense.1'", "balance.nonsense.1")
		_, err := sc.V1ReportingReportRuns.Create(Ctx, &stripe.ReportingReportRunCreateParams{})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "report_type")
		_, err = sc.V1ReportingReportRuns.Retrieve(Ctx, "frr_nope", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(emu.Count("", "reporting.report_run")).To(BeZero())
		Expect(emu.Count("", "file")).To(BeZero())
	})

	It("runs a connected account's own reports with the Stripe-Account header, from its data alone", func() {
		seller := Seller(emu, nil)
		pay(10000, "pm_card_bypassPending", func(p *stripe.PaymentIntentCreateParams) {
			p.TransferData = &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller.ID)}
		})
		emu.Clock().Set(day2.Add(time.Second))

		p := &stripe.ReportingReportRunCreateParams{ReportType: stripe.String("balance_change_from_activity.itemized.3"),
			Parameters: &stripe.ReportingReportRunCreateParametersParams{IntervalStart: stripe.Int64(day1.Unix()), IntervalEnd: stripe.Int64(day2.Unix()),
				Columns: stripe.StringSlice([]string{"reporting_category", "gross", "source_id"})}}
		p.SetStripeAccount(seller.ID)
		r, err := sc.V1ReportingReportRuns.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(time.Minute)
		g := &stripe.ReportingReportRunRetrieveParams{}
		g.SetStripeAccount(seller.ID)
		r, err = sc.V1ReportingReportRuns.Retrieve(Ctx, r.ID, g)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Status).To(Equal(stripe.ReportingReportRunStatusSucceeded))
		Expect(emu.EventTypes(seller.ID)).To(ContainElement("reporting.report_run.succeeded"))
		_, data, _ := rows(r, seller.ID)
		Expect(data).To(HaveLen(1))
		Expect(data[0][0]).To(Equal("charge"), "the transfer's payment, as the connected account sees it")
		Expect(data[0][1]).To(Equal("100.00"))
		Expect(data[0][2]).To(HavePrefix("py_"))

		By("itemizing the transfer on the platform, naming the connected account")
		r, err = run("balance_change_from_activity.itemized.3", day1, day2, columns("reporting_category", "net", "connected_account_id", "connected_account_country"))
		Expect(err).NotTo(HaveOccurred())
		_, data, _ = rows(finished(r))
		Expect(data).To(ContainElement([]string{"transfer", "-100.00", seller.ID, "US"}))

		By("reporting the connected accounts' balances from the platform with the connected_account_ types")
		other := Seller(emu, nil)
		r, err = run("connected_account_balance_change_from_activity.itemized.1", day1, day2)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.ReportType).To(Equal("connected_account_balance_change_from_activity.itemized.1"))
		header, data, _ := rows(finished(r))
		Expect(header).To(Equal([]string{"balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net", "reporting_category", "description", "connected_account"}))
		Expect(data).To(HaveLen(1), "the seller's payment; the platform's own charge and transfer are not a connected account's")
		Expect(data[0][7:]).To(Equal([]string{"charge", "", seller.ID}))
		r, err = run("connected_account_balance.summary.1", day1, day2, func(p *stripe.ReportingReportRunCreateParametersParams) {
			p.ConnectedAccount = stripe.String(other.ID)
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Parameters.ConnectedAccount).To(Equal(other.ID))
		_, data, _ = rows(finished(r))
		Expect(data).To(BeEmpty(), "nothing ever moved in the other seller's balance")
		_, err = run("connected_account_payouts.summary.1", day1, day2, func(p *stripe.ReportingReportRunCreateParametersParams) {
			p.ConnectedAccount = stripe.String("acct_nope")
		})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "parameters[connected_account]")
		_, err = run("connected_account_payouts.summary.1", day1, day2, func(p *stripe.ReportingReportRunCreateParametersParams) {
			p.ConnectedAccount = stripe.String(emu.Platform())
		})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "parameters[connected_account]")
		t, err := sc.V1ReportingReportTypes.Retrieve(Ctx, "connected_account_payouts.itemized.3", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Name).To(Equal("Connected account itemized payouts"))
		Expect(t.DefaultColumns).To(ContainElement("connected_account"))

		By("answering a connected account its own report types only, from the day it was made")
		emu.Clock().Set(day3.Add(time.Hour))
		late := Seller(emu, nil)
		tp := &stripe.ReportingReportTypeListParams{}
		tp.SetStripeAccount(late.ID)
		var ids []string
		for t, err := range sc.V1ReportingReportTypes.List(Ctx, tp) {
			Expect(err).NotTo(HaveOccurred())
			Expect(t.DataAvailableStart).To(Equal(day3.Unix()))
			ids = append(ids, t.ID)
		}
		Expect(ids).To(HaveLen(9))
		rp := &stripe.ReportingReportTypeRetrieveParams{}
		rp.SetStripeAccount(late.ID)
		_, err = sc.V1ReportingReportTypes.Retrieve(Ctx, "connected_account_balance.summary.1", rp)
		ExpectStripeError(err, 400, "invalid_request_error", "", "id")
	})
})
