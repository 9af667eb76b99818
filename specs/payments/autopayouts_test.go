package payments_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Automatic payouts: on each day of an account's payout schedule Stripe
// pays its whole available balance out to its default bank account, and
// lists what each such payout paid out for reconciliation.
var _ = Describe("Automatic payouts", Label("payments", "payouts", "balance"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	manual := func(acct string) { ManualPayouts(emu, acct) }

	// The spec clock starts on Monday 2025-09-01 at 12:00 UTC.
	day := func(d int) time.Time { return time.Date(2025, 9, d, 0, 0, 0, 0, time.UTC) }

	onAcct := func(p interface{ SetStripeAccount(string) }, acct string) {
		if acct != "" {
			p.SetStripeAccount(acct)
		}
	}
	available := func(acct string) int64 {
		GinkgoHelper()
		p := &stripe.BalanceRetrieveParams{}
		onAcct(p, acct)
		b, err := sc.V1Balance.Retrieve(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		for _, a := range b.Available {
			if a.Currency == "usd" {
				return a.Amount
			}
		}
		return 0
	}
	payouts := func(acct string) []*stripe.Payout {
		GinkgoHelper()
		p := &stripe.PayoutListParams{}
		onAcct(p, acct)
		var out []*stripe.Payout
		for po, err := range sc.V1Payouts.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, po)
		}
		return out
	}
	paidOut := func(acct, payout string) ([]*stripe.BalanceTransaction, error) {
		p := &stripe.BalanceTransactionListParams{Payout: stripe.String(payout)}
		onAcct(p, acct)
		var out []*stripe.BalanceTransaction
		for txn, err := range sc.V1BalanceTransactions.List(Ctx, p) {
			if err != nil {
				return nil, err
			}
			out = append(out, txn)
		}
		return out, nil
	}
	schedule := func(acct string, s *stripe.AccountUpdateSettingsPayoutsScheduleParams) (*stripe.Account, error) {
		if acct == "" {
			acct = emu.Platform()
		}
		return sc.V1Accounts.Update(Ctx, acct, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
			Payouts: &stripe.AccountUpdateSettingsPayoutsParams{Schedule: s}}})
	}
	// fund puts amount in the platform's available balance at once.
	fund := func(amount int64) string {
		GinkgoHelper()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_bypassPending"), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		return pi.LatestCharge.ID
	}
	custom := func(token string) string {
		GinkgoHelper()
		return Seller(emu, &stripe.AccountCreateParams{
			Type: stripe.String("custom"), Country: stripe.String("US"),
			ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String(token)},
		}).ID
	}
	transfer := func(acct string, amount int64) *stripe.Transfer {
		GinkgoHelper()
		tr, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{
			Amount: stripe.Int64(amount), Currency: stripe.String("usd"), Destination: stripe.String(acct),
		})
		Expect(err).NotTo(HaveOccurred())
		return tr
	}
	eventsOf := func(acct, typ string) []emulator.Object {
		var out []emulator.Object
		for _, ev := range emu.Events(acct) {
			if ev["type"] == typ {
				out = append(out, ev)
			}
		}
		return out
	}

	It("pays a connected account's available balance out on the next day of its daily schedule, and lists what it paid out", func() {
		manual("")
		acct := custom("btok_us_verified")
		fund(10000)
		first := transfer(acct, 3000)
		second := transfer(acct, 1500)
		Expect(available(acct)).To(Equal(int64(4500)))
		Expect(payouts(acct)).To(BeEmpty(), "nothing is paid out before the payout day")

		emu.Clock().Set(day(2))
		list := payouts(acct)
		Expect(list).To(HaveLen(1))
		po := list[0]
		Expect(po.Automatic).To(BeTrue())
		Expect(po.Amount).To(Equal(int64(4500)), "the whole available balance")
		Expect(po.Currency).To(Equal(stripe.Currency("usd")))
		Expect(po.Method).To(Equal(stripe.PayoutMethodStandard))
		Expect(po.SourceType).To(Equal(stripe.PayoutSourceTypeCard))
		Expect(po.Description).To(Equal("STRIPE PAYOUT"))
		Expect(po.Status).To(Equal(stripe.PayoutStatusPending))
		Expect(po.ReconciliationStatus).To(Equal(stripe.PayoutReconciliationStatusInProgress))
		Expect(po.Created).To(Equal(day(2).Unix()))
		Expect(po.ArrivalDate).To(Equal(day(3).Unix()))
		Expect(po.Destination.ID).To(HavePrefix("ba_"))
		Expect(available(acct)).To(BeZero())
		Expect(eventsOf(acct, "payout.created")).To(HaveLen(1))

		By("listing the transactions it paid out, and its own")
		txns, err := paidOut(acct, po.ID)
		Expect(err).NotTo(HaveOccurred())
		var sources []string
		var sum int64
		for _, t := range txns {
			sources = append(sources, t.Source.ID)
			sum += t.Net
		}
		Expect(sources).To(ConsistOf(first.DestinationPayment.ID, second.DestinationPayment.ID, po.ID))
		Expect(sum).To(BeZero(), "what it paid out nets against the payout")

		By("completing its reconciliation once submitted to the bank, then paying it")
		emu.Clock().Set(day(2).Add(time.Hour))
		got, err := sc.V1Payouts.Retrieve(Ctx, po.ID, &stripe.PayoutRetrieveParams{Params: stripe.Params{StripeAccount: stripe.String(acct)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.PayoutStatusInTransit))
		Expect(got.ReconciliationStatus).To(Equal(stripe.PayoutReconciliationStatusCompleted))
		Expect(eventsOf(acct, "payout.reconciliation_completed")).To(HaveLen(1))

		emu.Clock().Set(day(3))
		got, err = sc.V1Payouts.Retrieve(Ctx, po.ID, &stripe.PayoutRetrieveParams{Params: stripe.Params{StripeAccount: stripe.String(acct)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.PayoutStatusPaid))
		Expect(eventsOf(acct, "payout.paid")).To(HaveLen(1))
		Expect(payouts(acct)).To(HaveLen(1), "no funds came in since: no more payouts")

		By("refusing to cancel an automatic payout")
		later := transfer(acct, 700)
		emu.Clock().Set(day(4))
		list = payouts(acct)
		Expect(list).To(HaveLen(2))
		Expect(list[0].Amount).To(Equal(int64(700)))
		txns, err = paidOut(acct, list[0].ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(txns).To(HaveLen(2))
		Expect(txns[1].Source.ID).To(Equal(later.DestinationPayment.ID), "oldest last, as every list")
		_, err = cancelPayout(emu, acct, list[0].ID)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(ContainSubstring("automatic"))
	})

	It("pays out on a weekly schedule's weekday and a monthly schedule's day only", func() {
		manual("")
		acct := custom("btok_us_verified")
		a, err := schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{Interval: stripe.String("weekly"), WeeklyAnchor: stripe.String("friday")})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Settings.Payouts.Schedule.WeeklyAnchor).To(Equal("friday"))
		fund(10000)
		transfer(acct, 2000)

		emu.Clock().Set(day(4)) // Thursday
		Expect(payouts(acct)).To(BeEmpty())
		emu.Clock().Set(day(5)) // Friday
		list := payouts(acct)
		Expect(list).To(HaveLen(1))
		Expect(list[0].Created).To(Equal(day(5).Unix()))
		Expect(list[0].Amount).To(Equal(int64(2000)))

		By("paying on each of weekly_payout_days")
		_, err = schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{Interval: stripe.String("weekly"),
			WeeklyPayoutDays: []*string{stripe.String("tuesday"), stripe.String("wednesday")}})
		Expect(err).NotTo(HaveOccurred())
		transfer(acct, 400)
		emu.Clock().Set(day(9)) // Tuesday
		Expect(payouts(acct)).To(HaveLen(2))
		transfer(acct, 300)
		emu.Clock().Set(day(10))
		Expect(payouts(acct)).To(HaveLen(3))
		Expect(payouts(acct)[0].Amount).To(Equal(int64(300)))

		By("the 31st of a month of 30 days falling on its last day")
		a, err = schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{Interval: stripe.String("monthly"), MonthlyAnchor: stripe.Int64(31)})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Settings.Payouts.Schedule.MonthlyAnchor).To(Equal(int64(31)))
		Expect(a.Settings.Payouts.Schedule.WeeklyAnchor).To(BeEmpty(), "shown for weekly schedules only")
		transfer(acct, 900)
		emu.Clock().Set(day(29))
		Expect(payouts(acct)).To(HaveLen(3))
		emu.Clock().Set(day(30))
		list = payouts(acct)
		Expect(list).To(HaveLen(4))
		Expect(list[0].Created).To(Equal(day(30).Unix()))
		Expect(list[0].Amount).To(Equal(int64(900)))
	})

	It("holds a connected account's charge funds for its delay_days, then pays them out that day; a manual schedule holds them for the minimum", func() {
		acct := custom("btok_us_verified")
		_, err := schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{DelayDays: stripe.Int64(5)})
		Expect(err).NotTo(HaveOccurred())
		charge := func() *stripe.BalanceTransaction {
			GinkgoHelper()
			p := &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
				Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
				PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			}
			p.SetStripeAccount(acct)
			p.AddExpand("latest_charge.balance_transaction")
			pi, err := sc.V1PaymentIntents.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			return pi.LatestCharge.BalanceTransaction
		}
		txn := charge()
		Expect(txn.AvailableOn).To(Equal(day(6).Unix()), "five days after the day of the charge")

		emu.Clock().Set(day(5))
		Expect(payouts(acct)).To(BeEmpty())
		emu.Clock().Set(day(6))
		list := payouts(acct)
		Expect(list).To(HaveLen(1))
		Expect(list[0].Amount).To(Equal(txn.Net))
		Expect(list[0].Created).To(Equal(day(6).Unix()))

		manual(acct)
		a, err := sc.V1Accounts.GetByID(Ctx, acct, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Settings.Payouts.Schedule.DelayDays).To(Equal(int64(5)), "kept as last set")
		Expect(charge().AvailableOn).To(Equal(day(8).Unix()), "the US minimum of two days")
	})

	It("pays out funds that become available after newer ones did, on their own day", func() {
		acct := custom("btok_us_verified")
		charge := func(amount int64) *stripe.BalanceTransaction {
			GinkgoHelper()
			p := &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
				Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
				PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			}
			p.SetStripeAccount(acct)
			p.AddExpand("latest_charge.balance_transaction")
			pi, err := sc.V1PaymentIntents.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			return pi.LatestCharge.BalanceTransaction
		}
		_, err := schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{DelayDays: stripe.Int64(7)})
		Expect(err).NotTo(HaveOccurred())
		slow := charge(3000)
		_, err = schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{DelayDays: stripe.Int64(2)})
		Expect(err).NotTo(HaveOccurred())
		fast := charge(1000)
		Expect(fast.AvailableOn).To(BeNumerically("<", slow.AvailableOn), "the newer funds are available first")

		emu.Clock().Set(time.Unix(fast.AvailableOn, 0))
		list := payouts(acct)
		Expect(list).To(HaveLen(1))
		Expect(list[0].Amount).To(Equal(fast.Net))
		emu.Clock().Set(time.Unix(slow.AvailableOn, 0))
		list = payouts(acct)
		Expect(list).To(HaveLen(2))
		Expect(list[0].Amount).To(Equal(slow.Net), "the older funds, on the day they became available")
		Expect(available(acct)).To(BeZero())
	})

	It("holds the funds of an account whose payouts are disabled, paying them out on the first payout day after they are enabled again", func() {
		manual("")
		dob := func(y int64) *stripe.PersonDOBParams {
			return &stripe.PersonDOBParams{Day: stripe.Int64(1), Month: stripe.Int64(1), Year: stripe.Int64(y)}
		}
		// 1901-01-01 is a date of birth Stripe's test mode verifies; others fail.
		a, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			BusinessType: stripe.String("individual"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{
				CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}},
			BusinessProfile: &stripe.AccountCreateBusinessProfileParams{MCC: stripe.String("5734"), URL: stripe.String("https://tickets.example")},
			Individual: &stripe.PersonParams{FirstName: stripe.String("Jenny"), LastName: stripe.String("Rosen"),
				Email: stripe.String("jenny@example.com"), DOB: dob(1901), Phone: stripe.String("8888675309"), SSNLast4: stripe.String("0000"),
				Address: &stripe.AddressParams{City: stripe.String("Schenectady"), Line1: stripe.String("123 State St"),
					PostalCode: stripe.String("12345"), State: stripe.String("NY")}},
			Settings:        &stripe.AccountCreateSettingsParams{Payments: &stripe.AccountCreateSettingsPaymentsParams{StatementDescriptor: stripe.String("TICKETS")}},
			TOSAcceptance:   &stripe.AccountCreateTOSAcceptanceParams{Date: stripe.Int64(1700000000), IP: stripe.String("192.0.2.1")},
			ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String("btok_us_verified")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.PayoutsEnabled).To(BeTrue())
		fund(10000)
		transfer(a.ID, 1200)
		a, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{DOB: dob(1980)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.PayoutsEnabled).To(BeFalse())

		emu.Clock().Set(day(3))
		Expect(payouts(a.ID)).To(BeEmpty())
		Expect(available(a.ID)).To(Equal(int64(1200)))

		a, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{DOB: dob(1902)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.PayoutsEnabled).To(BeTrue())
		emu.Clock().Set(day(4))
		list := payouts(a.ID)
		Expect(list).To(HaveLen(1))
		Expect(list[0].Amount).To(Equal(int64(1200)))
		Expect(list[0].Created).To(Equal(day(4).Unix()))
	})

	It("refuses a schedule without its days or with an unknown interval, changing nothing", func() {
		acct := custom("btok_us_verified")
		_, err := schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{Interval: stripe.String("weekly")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "settings[payouts][schedule][weekly_anchor]")
		_, err = schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{Interval: stripe.String("weekly"), WeeklyPayoutDays: []*string{stripe.String("funday")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "settings[payouts][schedule][weekly_payout_days]")
		_, err = schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{Interval: stripe.String("monthly")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "settings[payouts][schedule][monthly_anchor]")
		_, err = schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{Interval: stripe.String("monthly"), MonthlyAnchor: stripe.Int64(32)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "settings[payouts][schedule][monthly_anchor]")
		_, err = schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{Interval: stripe.String("hourly")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "settings[payouts][schedule][interval]")
		a, err := sc.V1Accounts.GetByID(Ctx, acct, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Settings.Payouts.Schedule.Interval).To(Equal(stripe.AccountSettingsPayoutsScheduleIntervalDaily))
	})

	It("makes none on a manual schedule, where manual payouts are the account's to make and list nothing", func() {
		manual("")
		acct := custom("btok_us_verified")
		fund(10000)
		transfer(acct, 3000)

		By("refusing a manual payout while the schedule is automatic, keeping nothing")
		p := &stripe.PayoutCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd")}
		p.SetStripeAccount(acct)
		_, err := sc.V1Payouts.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "cannot_create_connect_standard_payouts_through_api", "")
		Expect(available(acct)).To(Equal(int64(3000)))

		manual(acct)
		emu.Clock().Set(day(10))
		Expect(payouts(acct)).To(BeEmpty())
		Expect(available(acct)).To(Equal(int64(3000)))

		po, err := sc.V1Payouts.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(po.Automatic).To(BeFalse())
		Expect(po.ReconciliationStatus).To(Equal(stripe.PayoutReconciliationStatusNotApplicable))
		_, err = paidOut(acct, po.ID)
		ExpectStripeError(err, 400, "invalid_request_error", "", "payout")
		Expect(StripeErr(err).Msg).To(Equal("Balance transaction history can only be filtered on automatic transfers, not manual."))

		By("paying what is left once the schedule is automatic again, on its next day")
		_, err = schedule(acct, &stripe.AccountUpdateSettingsPayoutsScheduleParams{Interval: stripe.String("daily")})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(day(11))
		list := payouts(acct)
		Expect(list).To(HaveLen(2))
		Expect(list[0].Automatic).To(BeTrue())
		Expect(list[0].Amount).To(Equal(int64(2000)))
		Expect(available(acct)).To(BeZero())
	})

	// failedPayout pays 25.00 to a connected account whose bank account
	// does not exist: its automatic payout on day 3 fails.
	failedPayout := func() (string, []*stripe.Payout) {
		GinkgoHelper()
		manual("")
		acct := custom("btok_us_verified_noAccount")
		fund(10000)
		transfer(acct, 2500)
		emu.Clock().Set(day(3))
		list := payouts(acct)
		Expect(list).To(HaveLen(1))
		Expect(list[0].Status).To(Equal(stripe.PayoutStatusFailed))
		return acct, list
	}

	It("gives a failed automatic payout's money back and pays it out again on the next day", func() {
		acct, list := failedPayout()
		Expect(list[0].FailureCode).To(Equal(stripe.PayoutFailureCodeNoAccount))
		Expect(eventsOf(acct, "payout.failed")).To(HaveLen(1))
		Expect(available(acct)).To(Equal(int64(2500)))
		tp := &stripe.BalanceTransactionRetrieveParams{}
		tp.SetStripeAccount(acct)
		back, err := sc.V1BalanceTransactions.Retrieve(Ctx, list[0].FailureBalanceTransaction.ID, tp)
		Expect(err).NotTo(HaveOccurred())
		// As Stripe's own failed automatic payouts show it.
		Expect(back.Description).To(Equal("REFUND FOR PAYOUT (STRIPE PAYOUT)"))
		Expect(back.ReportingCategory).To(Equal(stripe.BalanceTransactionReportingCategoryPayoutReversal))

		emu.Clock().Set(day(4))
		Expect(payouts(acct)).To(HaveLen(1), "not sent straight back to the bank account that failed")

		By("paying it to a new default bank account on the next payout day")
		ba, err := sc.V1BankAccounts.Create(Ctx, &stripe.BankAccountCreateParams{
			Account: stripe.String(acct), Country: stripe.String("US"), Currency: stripe.String("usd"),
			AccountNumber: stripe.String("000123456789"), RoutingNumber: stripe.String("110000000"),
			DefaultForCurrency: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(ba.DefaultForCurrency).To(BeTrue())
		emu.Clock().Set(day(5))
		list = payouts(acct)
		Expect(list).To(HaveLen(2))
		Expect(list[0].Automatic).To(BeTrue())
		Expect(list[0].Amount).To(Equal(int64(2500)))
		Expect(list[0].Destination.ID).To(Equal(ba.ID))
		txns, err := paidOut(acct, list[0].ID)
		Expect(err).NotTo(HaveOccurred())
		var types []stripe.BalanceTransactionType
		for _, t := range txns {
			types = append(types, t.Type)
		}
		Expect(types).To(ConsistOf(stripe.BalanceTransactionTypePayout, stripe.BalanceTransactionTypePayoutFailure))
	})

	It("marks the bank account a payout failed to errored, paying it no automatic payout until its details are updated", func() {
		acct, list := failedPayout()
		ba := list[0].Destination.ID
		bank := func() *stripe.BankAccount {
			GinkgoHelper()
			b, err := sc.V1BankAccounts.Retrieve(Ctx, ba, &stripe.BankAccountRetrieveParams{Account: stripe.String(acct)})
			Expect(err).NotTo(HaveOccurred())
			return b
		}
		Expect(bank().Status).To(Equal(stripe.BankAccountStatusErrored))
		updated := eventsOf(acct, "account.external_account.updated")
		Expect(updated).To(HaveLen(1))
		Expect(updated[0]["data"]).To(HaveKeyWithValue("previous_attributes", HaveKeyWithValue("status", "new")))

		By("holding new funds too while it is errored")
		transfer(acct, 1000)
		emu.Clock().Set(day(7))
		Expect(payouts(acct)).To(HaveLen(1), "no scheduled payout to an errored bank account")
		Expect(available(acct)).To(Equal(int64(3500)))

		By("paying out again once its details are updated")
		up, err := sc.V1BankAccounts.Update(Ctx, ba, &stripe.BankAccountUpdateParams{
			Account: stripe.String(acct), AccountHolderName: stripe.String("Jenny Rosen")})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.Status).To(Equal(stripe.BankAccountStatusNew))
		emu.Clock().Set(day(8))
		list = payouts(acct)
		Expect(list).To(HaveLen(2))
		Expect(list[0].Automatic).To(BeTrue())
		Expect(list[0].Amount).To(Equal(int64(3500)))
		Expect(list[0].Destination.ID).To(Equal(ba))
	})

	It("asks for the external account again while the default bank account a payout failed to is errored, payouts disabled, as Stripe's support page says", func() {
		acct, list := failedPayout()
		ba := list[0].Destination.ID
		get := func() *stripe.Account {
			GinkgoHelper()
			a, err := sc.V1Accounts.GetByID(Ctx, acct, nil)
			Expect(err).NotTo(HaveOccurred())
			return a
		}
		a := get()
		// "Connected accounts with errored external accounts will also show
		// up ... with a Restricted status and bank account or debit card in
		// the Information Needed field."
		Expect(a.Requirements.CurrentlyDue).To(Equal([]string{"external_account"}))
		Expect(a.Requirements.PastDue).To(Equal([]string{"external_account"}))
		Expect(a.Requirements.EventuallyDue).To(Equal([]string{"external_account"}))
		Expect(a.Requirements.DisabledReason).To(Equal(stripe.AccountRequirementsDisabledReasonRequirementsPastDue))
		Expect(a.PayoutsEnabled).To(BeFalse())
		Expect(a.ChargesEnabled).To(BeTrue(), "only payouts stop")
		Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusActive))
		updated := eventsOf(acct, "account.updated")
		Expect(updated).NotTo(BeEmpty())
		prev := updated[len(updated)-1]["data"].(map[string]any)["previous_attributes"].(map[string]any)
		Expect(prev).To(HaveKeyWithValue("payouts_enabled", true))
		Expect(prev).To(HaveKey("requirements"))

		mp := &stripe.PayoutCreateParams{Amount: stripe.Int64(100), Currency: stripe.String("usd")}
		mp.SetStripeAccount(acct)
		_, err := sc.V1Payouts.Create(Ctx, mp)
		ExpectStripeError(err, 400, "invalid_request_error", "payouts_not_allowed", "")

		By("enabling payouts again once its details are updated")
		_, err = sc.V1BankAccounts.Update(Ctx, ba, &stripe.BankAccountUpdateParams{
			Account: stripe.String(acct), AccountHolderName: stripe.String("Jenny Rosen")})
		Expect(err).NotTo(HaveOccurred())
		a = get()
		Expect(a.Requirements.CurrentlyDue).To(BeEmpty())
		Expect(a.Requirements.DisabledReason).To(BeEmpty())
		Expect(a.PayoutsEnabled).To(BeTrue())
	})

	It("pays the platform's own available funds out on its default daily schedule, after the funds' delay", func() {
		a, err := sc.V1Accounts.GetByID(Ctx, emu.Platform(), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Settings.Payouts.Schedule.Interval).To(Equal(stripe.AccountSettingsPayoutsScheduleIntervalDaily), "Stripe's default")
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(10000), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(day(2))
		Expect(payouts("")).To(BeEmpty(), "the charge's funds are still pending")
		emu.Clock().Set(day(3))
		list := payouts("")
		Expect(list).To(HaveLen(1))
		Expect(list[0].Automatic).To(BeTrue())
		txns, err := paidOut("", list[0].ID)
		Expect(err).NotTo(HaveOccurred())
		var sources []string
		var charged int64
		for _, t := range txns {
			sources = append(sources, t.Source.ID)
			if t.Source.ID == pi.LatestCharge.ID {
				charged = t.Net
			}
		}
		Expect(sources).To(ConsistOf(pi.LatestCharge.ID, list[0].ID))
		Expect(list[0].Amount).To(Equal(charged), "the charge's net, less nothing")
		Expect(available("")).To(BeZero())
	})

	It("lists what an automatic payout paid out by type, with each source expanded, as Stripe's payout reconciliation guide reads it", func() {
		first, second := fund(10000), fund(4000)
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(first), Amount: stripe.Int64(2500)})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(day(2))
		list := payouts("")
		Expect(list).To(HaveLen(1))
		Expect(list[0].Amount).To(Equal(int64(9680 + 3854 - 2500)))

		p := &stripe.BalanceTransactionListParams{Payout: stripe.String(list[0].ID), Type: stripe.String("charge")}
		p.AddExpand("data.source")
		var charged []string
		var gross int64
		for t, err := range sc.V1BalanceTransactions.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			Expect(t.Source.Type).To(Equal(stripe.BalanceTransactionSourceTypeCharge))
			charged = append(charged, t.Source.Charge.ID)
			gross += t.Source.Charge.Amount
		}
		Expect(charged).To(Equal([]string{second, first}), "newest first")
		Expect(gross).To(Equal(int64(14000)))
		p = &stripe.BalanceTransactionListParams{Payout: stripe.String(list[0].ID), Type: stripe.String("refund")}
		p.AddExpand("data.source")
		var refunded []string
		for t, err := range sc.V1BalanceTransactions.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			refunded = append(refunded, t.Source.Refund.ID)
			Expect(t.Source.Refund.Charge.ID).To(Equal(first))
		}
		Expect(refunded).To(Equal([]string{re.ID}))
	})

	It("leaves the Issuing balance out of an automatic payout and of what it lists", func() {
		// The Issuing balance is apart from the payments balance: never
		// paid out (Stripe's Issuing funding guide).
		tp := &stripe.TopupCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd")}
		tp.AddExtra("destination_balance", "issuing")
		tu, err := sc.V1Topups.Create(Ctx, tp)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(3 * time.Minute)
		tu, err = sc.V1Topups.Retrieve(Ctx, tu.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(tu.Status).To(Equal(stripe.TopupStatusSucceeded))
		charge := fund(10000)

		emu.Clock().Set(day(2))
		list := payouts("")
		Expect(list).To(HaveLen(1))
		txns, err := paidOut("", list[0].ID)
		Expect(err).NotTo(HaveOccurred())
		var sources []string
		for _, t := range txns {
			sources = append(sources, t.Source.ID)
		}
		Expect(sources).To(ConsistOf(charge, list[0].ID), "not the Issuing top-up")
		Expect(list[0].Amount).To(Equal(int64(10000-320)), "the charge's net alone")
		Expect(available("")).To(BeZero())
		b, err := sc.V1Balance.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.Issuing).NotTo(BeNil())
		Expect(b.Issuing.Available).To(HaveLen(1))
		Expect(b.Issuing.Available[0].Amount).To(Equal(int64(5000)), "the Issuing balance stays whole")
	})

	It("keeps the platform's balance when the emulator starts it on a manual schedule (WithManualPayouts)", func() {
		emu = Emulator(emulator.WithManualPayouts())
		sc = emu.Client()
		a, err := sc.V1Accounts.GetByID(Ctx, emu.Platform(), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Settings.Payouts.Schedule.Interval).To(Equal(stripe.AccountSettingsPayoutsScheduleIntervalManual))
		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(10000), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(day(10))
		Expect(payouts("")).To(BeEmpty())
		Expect(available("")).To(BeNumerically(">", 9000))

		By("and after Reset too")
		Expect(emu.Reset()).To(Succeed())
		a, err = sc.V1Accounts.GetByID(Ctx, emu.Platform(), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Settings.Payouts.Schedule.Interval).To(Equal(stripe.AccountSettingsPayoutsScheduleIntervalManual))
	})
})
