package payments_test

import (
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/payout"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/wirecheck"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// payoutInsufficient is Stripe's refusal of a payout the available card
// balance cannot cover (two spaces after "too low." as Stripe writes it).
const payoutInsufficient = "You have insufficient funds in your Stripe account for this transfer. Your card balance is too low.  " +
	"You can use the /v1/balance endpoint to view your Stripe balance (for more details, see stripe.com/docs/api#balance)."

// cancelPayout cancels a payout of acct ("" the platform). stripe-go
// v82.5.1's V1Payouts.Cancel posts to /v1/topups/{id}/cancel (a bug of that
// release), so the older payout client, which has the right path, does it
// here; its answer is held to the same checks as every other.
func cancelPayout(emu *emulator.Emulator, acct, id string) (*stripe.Payout, error) {
	GinkgoHelper()
	var problem error
	transport := wirecheck.Transport(http.DefaultTransport, func(_, _ string, err error) { problem = err })
	b := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL: stripe.String(emu.URL()), HTTPClient: &http.Client{Transport: transport},
		MaxNetworkRetries: stripe.Int64(0), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	p := &stripe.PayoutParams{}
	if acct != "" {
		p.SetStripeAccount(acct)
	}
	po, err := payout.Client{B: b, Key: emulator.DefaultAPIKey}.Cancel(id, p)
	Expect(problem).NotTo(HaveOccurred())
	return po, err
}

// Manual payouts from the available balance to a bank account, moving on
// the emulator clock: pending, in transit, then paid or failed as Stripe's
// test bank account numbers decide.
var _ = Describe("Payouts", Label("payments", "payouts", "balance"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		// Manual payouts are for accounts on a manual payout schedule.
		ManualPayouts(emu, "")
	})
	manualSchedule := &stripe.AccountCreateSettingsParams{Payouts: &stripe.AccountCreateSettingsPayoutsParams{
		Schedule: &stripe.AccountCreateSettingsPayoutsScheduleParams{Interval: stripe.String("manual")}}}

	// The spec clock starts at 2025-09-01 12:00 UTC: a payout made then
	// arrives at the start of the next day.
	arrival := time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)

	on := func(p *stripe.Params, acct string) {
		if acct != "" {
			p.SetStripeAccount(acct)
		}
	}
	available := func(acct string) int64 {
		GinkgoHelper()
		p := &stripe.BalanceRetrieveParams{}
		on(&p.Params, acct)
		b, err := sc.V1Balance.Retrieve(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		for _, a := range b.Available {
			if a.Currency == "usd" {
				return a.Amount
			}
		}
		return 0
	}
	// fund puts amount in the platform's available balance at once.
	fund := func(amount int64) {
		GinkgoHelper()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_bypassPending"), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	}
	payOut := func(acct string, amount int64, edit ...func(*stripe.PayoutCreateParams)) (*stripe.Payout, error) {
		p := &stripe.PayoutCreateParams{Amount: stripe.Int64(amount), Currency: stripe.String("usd")}
		for _, e := range edit {
			e(p)
		}
		on(&p.Params, acct)
		return sc.V1Payouts.Create(Ctx, p)
	}
	get := func(acct, id string) *stripe.Payout {
		GinkgoHelper()
		p := &stripe.PayoutRetrieveParams{}
		p.AddExpand("balance_transaction")
		p.AddExpand("failure_balance_transaction")
		p.AddExpand("destination")
		on(&p.Params, acct)
		po, err := sc.V1Payouts.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return po
	}
	cancel := func(id string) (*stripe.Payout, error) { return cancelPayout(emu, "", id) }
	// custom is a connected account with a bank account from a test token.
	custom := func(token string) string {
		GinkgoHelper()
		// Seller requests transfers (and card payments) and completes
		// onboarding: Stripe sends transfers only to accounts that can take them.
		return Seller(emu, &stripe.AccountCreateParams{
			Type: stripe.String("custom"), Country: stripe.String("US"),
			ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String(token)},
			Settings:        manualSchedule,
		}).ID
	}
	transfer := func(acct string, amount int64) {
		GinkgoHelper()
		_, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{
			Amount: stripe.Int64(amount), Currency: stripe.String("usd"), Destination: stripe.String(acct),
		})
		Expect(err).NotTo(HaveOccurred())
	}

	It("pays out the platform's available funds to its bank account, on the clock", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(10000), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

		By("refusing while the funds are pending, keeping nothing")
		_, err = payOut("", 5000)
		ExpectStripeError(err, 400, "invalid_request_error", "balance_insufficient", "")
		Expect(StripeErr(err).Msg).To(Equal(payoutInsufficient))
		Expect(emu.Count("", "payout")).To(BeZero())

		emu.Clock().Set(time.Date(2025, 9, 3, 0, 0, 0, 0, time.UTC))
		before := available("")
		Expect(before).To(BeNumerically(">", 5000))

		acct, err := sc.V1Accounts.GetByID(Ctx, emu.Platform(), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(acct.ExternalAccounts.Data).To(HaveLen(1), "a test mode platform has a bank account")
		bank := acct.ExternalAccounts.Data[0].BankAccount
		Expect(bank.DefaultForCurrency).To(BeTrue())
		Expect(bank.Currency).To(Equal(stripe.Currency("usd")))

		mark := len(emu.EventTypes(""))
		po, err := payOut("", 5000, func(p *stripe.PayoutCreateParams) {
			p.Description = stripe.String("Weekly sweep")
			p.StatementDescriptor = stripe.String("SWEEP")
			p.AddMetadata("batch", "7")
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(po.ID).To(HavePrefix("po_"))
		Expect(po.Status).To(Equal(stripe.PayoutStatusPending))
		Expect(po.Automatic).To(BeFalse())
		Expect(po.Method).To(Equal(stripe.PayoutMethodStandard))
		Expect(po.Type).To(Equal(stripe.PayoutTypeBank))
		Expect(po.SourceType).To(Equal(stripe.PayoutSourceTypeCard))
		Expect(po.Destination.ID).To(Equal(bank.ID), "the default bank account for the currency")
		Expect(po.ArrivalDate).To(Equal(time.Date(2025, 9, 4, 0, 0, 0, 0, time.UTC).Unix()))
		Expect(po.Metadata).To(Equal(map[string]string{"batch": "7"}))
		Expect(po.StatementDescriptor).To(Equal("SWEEP"))
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"payout.created"}))

		By("debiting the available balance at once")
		Expect(available("")).To(Equal(before - 5000))
		got := get("", po.ID)
		Expect(got.BalanceTransaction.Type).To(Equal(stripe.BalanceTransactionTypePayout))
		Expect(got.BalanceTransaction.Amount).To(Equal(int64(-5000)))
		Expect(got.BalanceTransaction.Net).To(Equal(int64(-5000)))
		Expect(got.BalanceTransaction.Source.ID).To(Equal(po.ID))
		Expect(got.Destination.BankAccount).NotTo(BeNil())
		Expect(got.Destination.BankAccount.Last4).To(Equal("6789"))

		By("moving in transit, then paid at the arrival date")
		emu.Clock().Set(time.Date(2025, 9, 3, 1, 0, 0, 0, time.UTC))
		Expect(get("", po.ID).Status).To(Equal(stripe.PayoutStatusInTransit))
		emu.Clock().Set(time.Date(2025, 9, 4, 0, 0, 0, 0, time.UTC))
		Expect(get("", po.ID).Status).To(Equal(stripe.PayoutStatusPaid))
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"payout.created", "payout.updated", "payout.paid"}))
		Expect(available("")).To(Equal(before-5000), "the money stays paid out")

		By("refusing to list the balance transactions of a manual payout")
		var listErr error
		for _, err := range sc.V1BalanceTransactions.List(Ctx, &stripe.BalanceTransactionListParams{Payout: stripe.String(po.ID)}) {
			listErr = err
			break
		}
		ExpectStripeError(listErr, 400, "invalid_request_error", "", "payout")
	})

	It("pays out a connected account's transferred funds to its bank account", func() {
		acct := custom("btok_us_verified")
		fund(10000)
		transfer(acct, 3000)
		Expect(available(acct)).To(Equal(int64(3000)))

		var banks []*stripe.BankAccount
		for ba, err := range sc.V1BankAccounts.List(Ctx, &stripe.BankAccountListParams{Account: stripe.String(acct)}) {
			Expect(err).NotTo(HaveOccurred())
			banks = append(banks, ba)
		}
		Expect(banks).To(HaveLen(1))
		Expect(banks[0].ID).To(HavePrefix("ba_"))
		Expect(banks[0].Last4).To(Equal("6789"))

		po, err := payOut(acct, 2000)
		Expect(err).NotTo(HaveOccurred())
		Expect(po.Destination.ID).To(Equal(banks[0].ID))
		Expect(available(acct)).To(Equal(int64(1000)))
		Expect(emu.Count("", "payout")).To(BeZero(), "the payout is the connected account's")

		emu.Clock().Set(arrival)
		Expect(get(acct, po.ID).Status).To(Equal(stripe.PayoutStatusPaid))
		Expect(emu.EventTypes(acct)).To(ContainElements("payout.created", "payout.updated", "payout.paid"))
		Expect(available(acct)).To(Equal(int64(1000)))

		By("refusing more than is left")
		_, err = payOut(acct, 1001)
		ExpectStripeError(err, 400, "invalid_request_error", "balance_insufficient", "")
	})

	It("fails a payout to a failing test bank account and gives the money back", func() {
		acct := custom("btok_us_verified")
		fund(10000)
		transfer(acct, 3000)

		p := &stripe.BankAccountCreateParams{
			Account: stripe.String(acct), Country: stripe.String("US"), Currency: stripe.String("usd"),
			AccountNumber: stripe.String("000111111116"), RoutingNumber: stripe.String("110000000"),
		}
		bad, err := sc.V1BankAccounts.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(bad.DefaultForCurrency).To(BeFalse(), "the first in its currency stays the default")
		Expect(bad.Last4).To(Equal("1116"))
		Expect(emu.EventTypes(acct)).To(ContainElement("account.external_account.created"))

		po, err := payOut(acct, 2500, func(p *stripe.PayoutCreateParams) { p.Destination = stripe.String(bad.ID) })
		Expect(err).NotTo(HaveOccurred())
		Expect(available(acct)).To(Equal(int64(500)))

		emu.Clock().Set(arrival)
		got := get(acct, po.ID)
		Expect(got.Status).To(Equal(stripe.PayoutStatusFailed))
		Expect(got.FailureCode).To(Equal(stripe.PayoutFailureCodeNoAccount))
		Expect(got.FailureMessage).To(ContainSubstring("No bank account could be located"))
		Expect(got.FailureBalanceTransaction.Type).To(Equal(stripe.BalanceTransactionTypePayoutFailure))
		Expect(got.FailureBalanceTransaction.Amount).To(Equal(int64(2500)))
		Expect(available(acct)).To(Equal(int64(3000)), "the money is back")
		Expect(emu.EventTypes(acct)).To(ContainElement("payout.failed"))
		Expect(emu.EventTypes(acct)).NotTo(ContainElement("payout.paid"))
		Expect(got.Destination.BankAccount.Status).To(Equal(stripe.BankAccountStatusErrored), "as Stripe marks a bank account a payout failed to")

		By("making it the default, then deleting the other")
		upd := &stripe.BankAccountUpdateParams{Account: stripe.String(acct), DefaultForCurrency: stripe.Bool(true)}
		bad, err = sc.V1BankAccounts.Update(Ctx, bad.ID, upd)
		Expect(err).NotTo(HaveOccurred())
		Expect(bad.DefaultForCurrency).To(BeTrue())
		a, err := sc.V1Accounts.GetByID(Ctx, acct, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.ExternalAccounts.Data).To(HaveLen(2))
		var other string
		for _, ea := range a.ExternalAccounts.Data {
			if ea.ID != bad.ID {
				other = ea.ID
				Expect(ea.BankAccount.DefaultForCurrency).To(BeFalse())
			}
		}
		_, err = sc.V1BankAccounts.Delete(Ctx, bad.ID, &stripe.BankAccountDeleteParams{Account: stripe.String(acct)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		del, err := sc.V1BankAccounts.Delete(Ctx, other, &stripe.BankAccountDeleteParams{Account: stripe.String(acct)})
		Expect(err).NotTo(HaveOccurred())
		Expect(del.Deleted).To(BeTrue())
		_, err = sc.V1BankAccounts.Retrieve(Ctx, other, &stripe.BankAccountRetrieveParams{Account: stripe.String(acct)})
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	// Stripe's "Testing payouts" account numbers, each with the failure
	// code it produces and the explanation Stripe's payout failure
	// reference gives for that code.
	DescribeTable("fails a payout to each of Stripe's failing test account numbers as that number says",
		func(number string, code stripe.PayoutFailureCode, message string) {
			acct := custom("btok_us_verified")
			fund(10000)
			transfer(acct, 3000)
			bad, err := sc.V1BankAccounts.Create(Ctx, &stripe.BankAccountCreateParams{
				Account: stripe.String(acct), Country: stripe.String("US"), Currency: stripe.String("usd"),
				AccountNumber: stripe.String(number), RoutingNumber: stripe.String("110000000"),
			})
			Expect(err).NotTo(HaveOccurred())
			po, err := payOut(acct, 1200, func(p *stripe.PayoutCreateParams) { p.Destination = stripe.String(bad.ID) })
			Expect(err).NotTo(HaveOccurred())

			emu.Clock().Set(arrival)
			got := get(acct, po.ID)
			Expect(got.Status).To(Equal(stripe.PayoutStatusFailed))
			Expect(got.FailureCode).To(Equal(code))
			Expect(got.FailureMessage).To(Equal(message))
			Expect(got.FailureBalanceTransaction.Type).To(Equal(stripe.BalanceTransactionTypePayoutFailure))
			Expect(got.FailureBalanceTransaction.ReportingCategory).To(Equal(stripe.BalanceTransactionReportingCategoryPayoutReversal))
			Expect(got.FailureBalanceTransaction.Amount).To(Equal(int64(1200)))
			Expect(got.FailureBalanceTransaction.Description).To(Equal("REFUND FOR PAYOUT"), "as a refund of a charge with no description reads")
			Expect(available(acct)).To(Equal(int64(3000)), "the money is back")
		},
		Entry("no account", "000111111116", stripe.PayoutFailureCodeNoAccount,
			"The bank account details on file are probably incorrect. No bank account could be located with those details."),
		Entry("account closed", "000111111113", stripe.PayoutFailureCodeAccountClosed, "The bank account has been closed."),
		Entry("insufficient funds", "000222222227", stripe.PayoutFailureCodeInsufficientFunds,
			"Your Stripe account has insufficient funds to cover the payout."),
		Entry("debit not authorized", "000333333335", stripe.PayoutFailureCodeDebitNotAuthorized,
			"Debit transactions are not approved on the bank account. (Stripe requires bank accounts to be set up for both credit and debit payouts.)"),
		Entry("invalid currency", "000444444440", stripe.PayoutFailureCodeInvalidCurrency,
			"The bank was unable to process this payout because of its currency. This is probably because the bank account cannot accept payments in that currency."),
	)

	It("takes only Stripe's test numbers for a US bank account in test mode, in its words", func() {
		acct := custom("btok_us_verified")
		add := func(number, routing string) (*stripe.BankAccount, error) {
			return sc.V1BankAccounts.Create(Ctx, &stripe.BankAccountCreateParams{
				Account: stripe.String(acct), Country: stripe.String("US"), Currency: stripe.String("usd"),
				AccountNumber: stripe.String(number), RoutingNumber: stripe.String(routing),
			})
		}
		_, err := add("123456780", "110000000")
		ExpectStripeError(err, 400, "invalid_request_error", "account_number_invalid", "external_account[account_number]")
		Expect(StripeErr(err).Msg).To(Equal("You must use a test bank account number in test mode. Try 000123456789 or see more options at https://stripe.com/docs/connect/testing#account-numbers."))
		_, err = add("000123456789", "11000000")
		ExpectStripeError(err, 400, "invalid_request_error", "routing_number_invalid", "external_account[routing_number]")
		Expect(StripeErr(err).Msg).To(Equal("Routing number must have 9 digits"))
		_, err = sc.V1Accounts.Update(Ctx, acct, &stripe.AccountUpdateParams{ExternalAccount: &stripe.AccountExternalAccountParams{
			Country: stripe.String("US"), Currency: stripe.String("usd"), AccountNumber: stripe.String("4242"), RoutingNumber: stripe.String("110000000")}})
		ExpectStripeError(err, 400, "invalid_request_error", "account_number_invalid", "external_account[account_number]")
		Expect(emu.Count(acct, "bank_account")).To(Equal(1), "nothing is kept")
		Expect(emu.EventTypes(acct)).NotTo(ContainElement("account.external_account.created"))

		By("taking each of the page's numbers, the older nine-digit ones and dashed routing numbers too")
		for _, number := range []string{"000123456789", "000111111113", "000222222227", "000333333335", "000444444440", "111111116"} {
			_, err := add(number, "110-000-000")
			Expect(err).NotTo(HaveOccurred(), number)
		}
	})

	It("keeps another currency's default bank account while others share its currency, saying which currency", func() {
		// Stripe's reference: a default "can only be deleted if it is the
		// only external account for that currency, and the currency is not
		// the Stripe account's default currency". A British account, which
		// may be paid out in euros to a German bank (the UK's country spec).
		acct := Seller(emu, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("GB"),
			ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String("btok_us_verified")}}).ID
		add := func() *stripe.BankAccount {
			GinkgoHelper()
			ba, err := sc.V1BankAccounts.Create(Ctx, &stripe.BankAccountCreateParams{Account: stripe.String(acct), Country: stripe.String("DE"),
				Currency: stripe.String("eur"), AccountNumber: stripe.String("DE89370400440532013000")})
			Expect(err).NotTo(HaveOccurred())
			return ba
		}
		first, second := add(), add()
		Expect(first.DefaultForCurrency).To(BeTrue())
		_, err := sc.V1BankAccounts.Delete(Ctx, first.ID, &stripe.BankAccountDeleteParams{Account: stripe.String(acct)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(ContainSubstring("eur"))
		Expect(StripeErr(err).Msg).NotTo(ContainSubstring("your default currency"), "eur is not the account's default currency")
		_, err = sc.V1BankAccounts.Delete(Ctx, second.ID, &stripe.BankAccountDeleteParams{Account: stripe.String(acct)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BankAccounts.Delete(Ctx, first.ID, &stripe.BankAccountDeleteParams{Account: stripe.String(acct)})
		Expect(err).NotTo(HaveOccurred(), "the only one in a currency other than the account's")
	})

	It("cancels a pending payout, giving the money back, and only a pending one", func() {
		fund(10000)
		before := available("")
		po, err := payOut("", 4000)
		Expect(err).NotTo(HaveOccurred())
		Expect(available("")).To(Equal(before - 4000))

		mark := len(emu.EventTypes(""))
		c, err := cancel(po.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Status).To(Equal(stripe.PayoutStatusCanceled))
		Expect(c.FailureBalanceTransaction).NotTo(BeNil())
		Expect(available("")).To(Equal(before))
		Expect(emu.EventTypes("")[mark:]).To(Equal([]string{"payout.canceled"}))
		Expect(get("", po.ID).FailureBalanceTransaction.Type).To(Equal(stripe.BalanceTransactionTypePayoutCancel))

		_, err = cancel(po.ID)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("Payouts can only be canceled while they are pending."), "Stripe's words")

		emu.Clock().Set(arrival)
		Expect(get("", po.ID).Status).To(Equal(stripe.PayoutStatusCanceled), "a canceled payout goes nowhere")

		By("refusing to cancel one in transit")
		later, err := payOut("", 1000)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(arrival.Add(time.Hour))
		Expect(get("", later.ID).Status).To(Equal(stripe.PayoutStatusInTransit))
		_, err = cancel(later.ID)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("Payouts can only be canceled while they are pending."), "Stripe's words")
	})

	It("lists payouts by status, destination and arrival date, and updates their metadata", func() {
		fund(10000)
		a, err := payOut("", 1000)
		Expect(err).NotTo(HaveOccurred())
		b, err := payOut("", 2000)
		Expect(err).NotTo(HaveOccurred())
		_, err = cancel(a.ID)
		Expect(err).NotTo(HaveOccurred())

		ids := func(p *stripe.PayoutListParams) []string {
			GinkgoHelper()
			var out []string
			for po, err := range sc.V1Payouts.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, po.ID)
			}
			return out
		}
		Expect(ids(&stripe.PayoutListParams{})).To(Equal([]string{b.ID, a.ID}))
		Expect(ids(&stripe.PayoutListParams{Status: stripe.String("canceled")})).To(Equal([]string{a.ID}))
		Expect(ids(&stripe.PayoutListParams{Status: stripe.String("pending")})).To(Equal([]string{b.ID}))
		Expect(ids(&stripe.PayoutListParams{Destination: stripe.String(b.Destination.ID)})).To(Equal([]string{b.ID, a.ID}))
		Expect(ids(&stripe.PayoutListParams{ArrivalDateRange: &stripe.RangeQueryParams{GreaterThan: arrival.Unix()}})).To(BeEmpty())
		Expect(ids(&stripe.PayoutListParams{ArrivalDate: stripe.Int64(arrival.Unix())})).To(HaveLen(2))

		emu.Clock().Set(arrival)
		Expect(ids(&stripe.PayoutListParams{Status: stripe.String("paid")})).To(Equal([]string{b.ID}))

		up := &stripe.PayoutUpdateParams{}
		up.AddMetadata("order", "42")
		got, err := sc.V1Payouts.Update(Ctx, b.ID, up)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Metadata).To(Equal(map[string]string{"order": "42"}))
		types := emu.EventTypes("")
		Expect(types[len(types)-1]).To(Equal("payout.updated"))
	})

	It("refuses a payout in a currency without a bank account, or beyond the balance, with Stripe's words", func() {
		acct := Seller(emu, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"), Settings: manualSchedule}).ID
		fund(10000)
		transfer(acct, 3000)
		_, err := payOut(acct, 1000)
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		Expect(StripeErr(err).Msg).To(Equal("Sorry, you don't have any external accounts in that currency (usd)."))

		By("refusing a currency Stripe does not support as such, not as one without a bank account")
		_, err = payOut("", 1000, func(p *stripe.PayoutCreateParams) { p.Currency = stripe.String("xyz") })
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		Expect(StripeErr(err).Msg).To(HavePrefix("Invalid currency: xyz. Stripe currently supports these currencies: "))
		Expect(emu.Count("", "payout")).To(BeZero())

		withBank := custom("btok_us_verified")
		transfer(withBank, 3000)
		_, err = payOut(withBank, 3001)
		ExpectStripeError(err, 400, "invalid_request_error", "balance_insufficient", "")
		Expect(StripeErr(err).Msg).To(Equal(payoutInsufficient))
		Expect(emu.Count(withBank, "payout")).To(BeZero())
	})

	It("refuses a description or statement_descriptor longer than Stripe's OpenAPI spec allows, in its words, paying nothing out", func() {
		fund(10000)
		_, err := payOut("", 1000, func(p *stripe.PayoutCreateParams) { p.Description = stripe.String(strings.Repeat("d", 5001)) })
		ExpectStripeError(err, 400, "invalid_request_error", "", "description")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: dddd...dddd; must be at most 5000 characters"))
		// Characters are counted, not bytes: 22 accented letters are within the limit.
		_, err = payOut("", 1000, func(p *stripe.PayoutCreateParams) { p.StatementDescriptor = stripe.String(strings.Repeat("É", 23)) })
		ExpectStripeError(err, 400, "invalid_request_error", "", "statement_descriptor")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: ÉÉÉÉ...ÉÉÉÉ; must be at most 22 characters"))
		Expect(emu.Count("", "payout")).To(BeZero())
		Expect(available("")).To(Equal(int64(10000 - 320)))

		po, err := payOut("", 1000, func(p *stripe.PayoutCreateParams) { p.StatementDescriptor = stripe.String(strings.Repeat("É", 22)) })
		Expect(err).NotTo(HaveOccurred())
		Expect(po.StatementDescriptor).To(Equal(strings.Repeat("É", 22)))
	})

	It("refuses a payout from a connected account whose payouts are disabled, keeping nothing", func() {
		acct := custom("btok_us_verified")
		fund(10000)
		transfer(acct, 3000)
		_, err := sc.V1Accounts.Reject(Ctx, acct, &stripe.AccountRejectParams{Reason: stripe.String("fraud")})
		Expect(err).NotTo(HaveOccurred())
		_, err = payOut(acct, 1000)
		ExpectStripeError(err, 400, "invalid_request_error", "payouts_not_allowed", "")
		Expect(emu.Count(acct, "payout")).To(BeZero())
		Expect(available(acct)).To(Equal(int64(3000)))
	})

	It("refuses what it does not pay out: Instant Payouts to a bank account, unknown destinations", func() {
		fund(10000)
		_, err := payOut("", 1000, func(p *stripe.PayoutCreateParams) { p.Method = stripe.String("instant") })
		ExpectStripeError(err, 400, "invalid_request_error", "instant_payouts_unsupported", "method")
		_, err = payOut("", 1000, func(p *stripe.PayoutCreateParams) { p.Destination = stripe.String("ba_missing") })
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "destination")
		Expect(StripeErr(err).Msg).To(Equal("No such external account: 'ba_missing'"))
		Expect(emu.Count("", "payout")).To(BeZero())
	})
})
