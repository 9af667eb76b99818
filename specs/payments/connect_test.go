package payments_test

import (
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The money Connect moves: destination charges' transfers and application
// fees, direct charges' application fees, separate charges and transfers,
// reversals and refunds, each seen in the balances of both sides.
var _ = Describe("Connect money movement", Label("payments", "connect", "balance"), func() {
	var (
		emu  *emulator.Emulator
		sc   *stripe.Client
		acct string
	)
	// The spec clock starts at 2025-09-01 12:00 UTC: a payment's funds are
	// available from midnight UTC two days later.
	availableOn := time.Date(2025, 9, 3, 0, 0, 0, 0, time.UTC)

	connected := func() string {
		GinkgoHelper()
		return Seller(emu, nil).ID
	}
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		// The balance stays as the specs leave it, paid out by no schedule.
		ManualPayouts(emu, "")
		acct = connected()
	})

	// pay takes a card payment on the platform, or on acct when it is not "".
	pay := func(on string, amount int64, pm string, edit ...func(*stripe.PaymentIntentCreateParams)) *stripe.PaymentIntent {
		GinkgoHelper()
		p := &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
		}
		for _, e := range edit {
			e(p)
		}
		if on != "" {
			p.SetStripeAccount(on)
		}
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	destination := func(to string) func(*stripe.PaymentIntentCreateParams) {
		return func(p *stripe.PaymentIntentCreateParams) {
			if p.TransferData == nil {
				p.TransferData = &stripe.PaymentIntentCreateTransferDataParams{}
			}
			p.TransferData.Destination = stripe.String(to)
		}
	}
	fee := func(n int64) func(*stripe.PaymentIntentCreateParams) {
		return func(p *stripe.PaymentIntentCreateParams) { p.ApplicationFeeAmount = stripe.Int64(n) }
	}
	charge := func(on, id string, expand ...string) *stripe.Charge {
		GinkgoHelper()
		p := &stripe.ChargeRetrieveParams{}
		for _, e := range expand {
			p.AddExpand(e)
		}
		if on != "" {
			p.SetStripeAccount(on)
		}
		ch, err := sc.V1Charges.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return ch
	}
	transfer := func(id string, expand ...string) *stripe.Transfer {
		GinkgoHelper()
		p := &stripe.TransferRetrieveParams{}
		for _, e := range expand {
			p.AddExpand(e)
		}
		tr, err := sc.V1Transfers.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return tr
	}
	appFee := func(id string) *stripe.ApplicationFee {
		GinkgoHelper()
		f, err := sc.V1ApplicationFees.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return f
	}
	txn := func(on, id string) *stripe.BalanceTransaction {
		GinkgoHelper()
		p := &stripe.BalanceTransactionRetrieveParams{}
		if on != "" {
			p.SetStripeAccount(on)
		}
		t, err := sc.V1BalanceTransactions.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return t
	}
	txns := func(on string, p *stripe.BalanceTransactionListParams) []*stripe.BalanceTransaction {
		GinkgoHelper()
		if p == nil {
			p = &stripe.BalanceTransactionListParams{}
		}
		if on != "" {
			p.SetStripeAccount(on)
		}
		var out []*stripe.BalanceTransaction
		for t, err := range sc.V1BalanceTransactions.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, t)
		}
		return out
	}
	// balance is an account's usd balance: available, pending.
	balance := func(on string) (int64, int64) {
		GinkgoHelper()
		p := &stripe.BalanceRetrieveParams{}
		if on != "" {
			p.SetStripeAccount(on)
		}
		b, err := sc.V1Balance.Retrieve(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		var available, pending int64
		for _, a := range b.Available {
			if a.Currency == stripe.CurrencyUSD {
				available = a.Amount
			}
		}
		for _, a := range b.Pending {
			if a.Currency == stripe.CurrencyUSD {
				pending = a.Amount
			}
		}
		return available, pending
	}
	expectBalance := func(on string, available, pending int64) {
		GinkgoHelper()
		a, p := balance(on)
		Expect([]int64{a, p}).To(Equal([]int64{available, pending}), "available, pending of %q", on)
	}
	since := func(on string, n int) []string { return emu.EventTypes(on)[n:] }

	Describe("a destination charge", func() {
		It("transfers the whole charge to the destination, where it is a payment, with the platform paying Stripe's fee", func() {
			platformMark, acctMark := len(emu.EventTypes("")), len(emu.EventTypes(acct))
			pi := pay("", 2000, "pm_card_visa", destination(acct))
			Expect(since("", platformMark)).To(Equal([]string{
				"payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "transfer.created", "charge.updated",
			}))
			Expect(since(acct, acctMark)).To(BeEmpty(), "Stripe documents no event for the payment on the connected account")

			ch := charge("", pi.LatestCharge.ID)
			Expect(ch.Transfer).NotTo(BeNil())
			Expect(ch.ApplicationFee).To(BeNil(), "no application_fee_amount, no application fee")
			Expect(ch.TransferGroup).To(Equal("group_" + pi.ID))
			Expect(ch.TransferData.Amount).To(BeZero())

			tr := transfer(ch.Transfer.ID, "balance_transaction", "destination", "source_transaction")
			Expect(tr.ID).To(MatchRegexp(`^tr_[0-9A-Za-z]{24}$`))
			Expect(tr.Amount).To(Equal(int64(2000)))
			Expect(tr.Currency).To(Equal(stripe.CurrencyUSD))
			Expect(tr.Destination.ID).To(Equal(acct))
			Expect(tr.Destination.Type).To(Equal(stripe.AccountTypeExpress), "the destination expands to the account")
			Expect(tr.SourceTransaction.ID).To(Equal(ch.ID))
			Expect(tr.SourceTransaction.Amount).To(Equal(int64(2000)))
			Expect(tr.TransferGroup).To(Equal("group_" + pi.ID))
			Expect(tr.AmountReversed).To(BeZero())
			Expect(tr.Reversed).To(BeFalse())
			Expect(tr.Reversals.Data).To(BeEmpty())
			Expect(tr.Reversals.URL).To(Equal("/v1/transfers/" + tr.ID + "/reversals"))
			Expect(tr.SourceType).To(Equal(stripe.TransferSourceTypeCard))
			Expect(tr.BalanceTransaction.Type).To(Equal(stripe.BalanceTransactionTypeTransfer))
			Expect(tr.BalanceTransaction.Amount).To(Equal(int64(-2000)))
			Expect(tr.BalanceTransaction.Net).To(Equal(int64(-2000)))
			Expect(tr.BalanceTransaction.Status).To(Equal(stripe.BalanceTransactionStatusPending), "funded by the charge's pending funds")
			Expect(tr.BalanceTransaction.AvailableOn).To(Equal(availableOn.Unix()))
			Expect(tr.BalanceTransaction.Source.ID).To(Equal(tr.ID))

			Expect(tr.DestinationPayment.ID).To(MatchRegexp(`^py_[0-9A-Za-z]{24}$`))
			py := charge(acct, tr.DestinationPayment.ID, "balance_transaction", "source_transfer")
			Expect(py.Object).To(Equal("charge"), "Stripe renders the payment as a charge")
			Expect(py.Amount).To(Equal(int64(2000)))
			Expect(py.Paid).To(BeTrue())
			Expect(py.Status).To(Equal(stripe.ChargeStatusSucceeded))
			Expect(py.PaymentMethodDetails.Type).To(Equal(stripe.ChargePaymentMethodDetailsTypeStripeAccount))
			Expect(py.Source.Type).To(Equal(stripe.PaymentSourceTypeAccount), "paid from a Stripe account, as Stripe shows it")
			Expect(py.Source.ID).To(Equal(emu.Platform()))
			Expect(py.SourceTransfer.ID).To(Equal(tr.ID), "the connected account sees the transfer it came from")
			Expect(py.TransferGroup).To(Equal(tr.TransferGroup))
			Expect(py.BalanceTransaction.Type).To(Equal(stripe.BalanceTransactionTypePayment))
			Expect(py.BalanceTransaction.Amount).To(Equal(int64(2000)))
			Expect(py.BalanceTransaction.Fee).To(BeZero())
			Expect(py.BalanceTransaction.Status).To(Equal(stripe.BalanceTransactionStatusPending))
			Expect(py.BalanceTransaction.AvailableOn).To(Equal(availableOn.Unix()), "available when the charge's funds are")

			_, err := sc.V1Charges.Retrieve(Ctx, py.ID, nil)
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(404), "the payment lives on the connected account")
			withPayment := transfer(tr.ID, "destination_payment")
			Expect(withPayment.DestinationPayment.Amount).To(Equal(int64(2000)), "the platform expands its transfer's payment")
			Expect(withPayment.DestinationPayment.SourceTransfer.ID).To(Equal(tr.ID))

			expectBalance("", 0, 1912-2000)
			expectBalance(acct, 0, 2000)
			emu.Clock().Set(availableOn)
			expectBalance("", -88, 0)
			expectBalance(acct, 2000, 0)
			Expect(emu.EventTypes(acct)).To(ContainElement("balance.available"))
		})

		It("transfers the whole charge and collects the application fee back from the payment", func() {
			mark := len(emu.EventTypes(""))
			pi := pay("", 2000, "pm_card_visa", destination(acct), fee(150))
			Expect(since("", mark)).To(Equal([]string{
				"payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "transfer.created", "application_fee.created", "charge.updated",
			}))
			ch := charge("", pi.LatestCharge.ID, "application_fee", "transfer")
			Expect(ch.Transfer.Amount).To(Equal(int64(2000)), "the full amount is transferred, then the fee comes back")
			f := ch.ApplicationFee
			Expect(f.ID).To(MatchRegexp(`^fee_[0-9A-Za-z]{24}$`))
			Expect(f.Amount).To(Equal(int64(150)))
			Expect(f.Account.ID).To(Equal(acct), "collected from the destination")
			Expect(f.Charge.ID).To(Equal(ch.Transfer.DestinationPayment.ID), "out of the payment there")
			Expect(f.OriginatingTransaction.ID).To(Equal(ch.ID))
			Expect(f.Application.ID).To(HavePrefix("ca_"))
			Expect(f.AmountRefunded).To(BeZero())
			Expect(f.Refunded).To(BeFalse())
			Expect(f.Refunds.Data).To(BeEmpty())
			ft := txn("", f.BalanceTransaction.ID)
			Expect(ft.Type).To(Equal(stripe.BalanceTransactionTypeApplicationFee))
			Expect(ft.Amount).To(Equal(int64(150)))
			Expect(ft.Net).To(Equal(int64(150)))
			Expect(ft.Status).To(Equal(stripe.BalanceTransactionStatusPending))

			py := charge(acct, ch.Transfer.DestinationPayment.ID, "balance_transaction")
			Expect(py.ApplicationFee.ID).To(Equal(f.ID))
			Expect(py.ApplicationFeeAmount).To(Equal(int64(150)))
			pt := py.BalanceTransaction
			Expect(pt.Amount).To(Equal(int64(2000)))
			Expect(pt.Fee).To(Equal(int64(150)), "the fee is taken out of the payment")
			Expect(pt.Net).To(Equal(int64(1850)))
			Expect(pt.FeeDetails).To(HaveLen(1))
			Expect(pt.FeeDetails[0].Type).To(Equal("application_fee"))
			Expect(pt.FeeDetails[0].Application).To(Equal(f.Application.ID))

			expectBalance("", 0, 1912-2000+150)
			expectBalance(acct, 0, 1850)
			emu.Clock().Set(availableOn)
			expectBalance("", 62, 0)
			expectBalance(acct, 1850, 0)
		})

		It("transfers only transfer_data[amount], the platform keeping the rest", func() {
			pi := pay("", 2000, "pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
				p.TransferData = &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(acct), Amount: stripe.Int64(1500)}
			})
			ch := charge("", pi.LatestCharge.ID, "transfer")
			Expect(ch.TransferData.Amount).To(Equal(int64(1500)))
			Expect(ch.Transfer.Amount).To(Equal(int64(1500)))
			Expect(ch.ApplicationFee).To(BeNil())
			expectBalance("", 0, 1912-1500)
			expectBalance(acct, 0, 1500)
		})

		It("transfers what a manual capture captured, once captured", func() {
			pi := pay("", 2000, "pm_card_visa", destination(acct), fee(150), func(p *stripe.PaymentIntentCreateParams) {
				p.CaptureMethod = stripe.String("manual")
			})
			Expect(charge("", pi.LatestCharge.ID).Transfer).To(BeNil(), "nothing moves before the capture")
			Expect(emu.Count("", "transfer")).To(BeZero())
			expectBalance(acct, 0, 0)

			mark := len(emu.EventTypes(""))
			_, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(1500)})
			Expect(err).NotTo(HaveOccurred())
			Expect(since("", mark)).To(ContainElements("transfer.created", "application_fee.created", "charge.captured"))
			ch := charge("", pi.LatestCharge.ID, "transfer", "application_fee")
			Expect(ch.Transfer.Amount).To(Equal(int64(1500)))
			Expect(ch.ApplicationFee.Amount).To(Equal(int64(150)))
			fee := int64(1500*29+500)/1000 + 30
			expectBalance("", 0, 1500-fee-1500+150)
			expectBalance(acct, 0, 1500-150)
		})

		It("transfers a bank debit once it settles, its funds reaching the destination within the same clock jump", func() {
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type: stripe.String("us_bank_account"),
				USBankAccount: &stripe.PaymentMethodCreateUSBankAccountParams{AccountHolderType: stripe.String("individual"),
					AccountNumber: stripe.String("000123456789"), RoutingNumber: stripe.String("110000000")},
				BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny")},
			})
			Expect(err).NotTo(HaveOccurred())
			pi := pay("", 5000, pm.ID, destination(acct), func(p *stripe.PaymentIntentCreateParams) {
				p.PaymentMethodTypes = []*string{stripe.String("us_bank_account")}
				p.MandateData = &stripe.PaymentIntentCreateMandateDataParams{
					CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{Type: stripe.String("offline")}}
			})
			pi, err = sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, &stripe.PaymentIntentVerifyMicrodepositsParams{DescriptorCode: stripe.String("SM11AA")})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
			Expect(emu.Count("", "transfer")).To(BeZero(), "nothing moves while the debit is processing")

			emu.Clock().Set(availableOn)
			ch := charge("", pi.LatestCharge.ID, "transfer")
			Expect(ch.Transfer.Amount).To(Equal(int64(5000)))
			expectBalance("", -40, 0)
			expectBalance(acct, 5000, 0)
			Expect(emu.EventTypes(acct)).To(ContainElement("balance.available"))
		})

		It("lists the transfer by destination and group, and the payment among the connected account's charges", func() {
			pi := pay("", 2000, "pm_card_visa", destination(acct))
			other := connected()
			pay("", 1000, "pm_card_visa", destination(other))
			var ids []string
			for tr, err := range sc.V1Transfers.List(Ctx, &stripe.TransferListParams{Destination: stripe.String(acct)}) {
				Expect(err).NotTo(HaveOccurred())
				ids = append(ids, tr.ID)
			}
			ch := charge("", pi.LatestCharge.ID)
			Expect(ids).To(Equal([]string{ch.Transfer.ID}))
			ids = nil
			for tr, err := range sc.V1Transfers.List(Ctx, &stripe.TransferListParams{TransferGroup: stripe.String("group_" + pi.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				ids = append(ids, tr.ID)
			}
			Expect(ids).To(Equal([]string{ch.Transfer.ID}))

			lp := &stripe.ChargeListParams{}
			lp.SetStripeAccount(acct)
			var charges []string
			for c, err := range sc.V1Charges.List(Ctx, lp) {
				Expect(err).NotTo(HaveOccurred())
				charges = append(charges, c.ID)
			}
			Expect(charges).To(Equal([]string{transfer(ch.Transfer.ID).DestinationPayment.ID}))
		})
	})

	Describe("a direct charge with an application fee", func() {
		It("takes the fee out of the connected account's charge and gives it to the platform", func() {
			platformMark := len(emu.EventTypes(""))
			pi := pay(acct, 1000, "pm_card_visa", fee(100))
			Expect(since("", platformMark)).To(Equal([]string{"application_fee.created"}))
			Expect(emu.EventTypes(acct)).To(ContainElements("charge.succeeded", "payment_intent.succeeded"))

			ch := charge(acct, pi.LatestCharge.ID, "balance_transaction")
			Expect(ch.Application.ID).To(HavePrefix("ca_"))
			Expect(ch.ApplicationFee.ID).To(HavePrefix("fee_"))
			Expect(ch.Transfer).To(BeNil())
			t := ch.BalanceTransaction
			Expect(t.Fee).To(Equal(int64(59 + 100)))
			Expect(t.Net).To(Equal(int64(1000 - 159)))
			types := []string{t.FeeDetails[0].Type, t.FeeDetails[1].Type}
			Expect(types).To(Equal([]string{"application_fee", "stripe_fee"}), "the platform's fee listed first, as Stripe's charges list it")
			Expect(t.FeeDetails[0].Amount).To(Equal(int64(100)))
			Expect(t.FeeDetails[1].Amount).To(Equal(int64(59)))

			f := appFee(ch.ApplicationFee.ID)
			Expect(f.Account.ID).To(Equal(acct))
			fp := &stripe.ApplicationFeeRetrieveParams{}
			fp.AddExpand("charge")
			fp.AddExpand("account")
			expanded, err := sc.V1ApplicationFees.Retrieve(Ctx, f.ID, fp)
			Expect(err).NotTo(HaveOccurred())
			Expect(expanded.Charge.Amount).To(Equal(int64(1000)), "the platform expands the connected account's charge")
			Expect(expanded.Account.Type).To(Equal(stripe.AccountTypeExpress))
			Expect(f.Charge.ID).To(Equal(ch.ID))
			Expect(f.OriginatingTransaction).To(BeNil(), "only a destination charge's fee has one")
			Expect(f.Amount).To(Equal(int64(100)))
			Expect(f.Application.ID).To(Equal(ch.Application.ID))
			Expect(f.FeeSource.Charge).To(Equal(ch.ID))
			Expect(txn("", f.BalanceTransaction.ID).Type).To(Equal(stripe.BalanceTransactionTypeApplicationFee))

			var listed []string
			for x, err := range sc.V1ApplicationFees.List(Ctx, &stripe.ApplicationFeeListParams{Charge: stripe.String(ch.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				listed = append(listed, x.ID)
			}
			Expect(listed).To(Equal([]string{f.ID}))
			rp := &stripe.ApplicationFeeRetrieveParams{}
			rp.SetStripeAccount(acct)
			_, err = sc.V1ApplicationFees.Retrieve(Ctx, f.ID, rp)
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(404), "application fees are the platform's")

			expectBalance("", 0, 100)
			expectBalance(acct, 0, 841)
			emu.Clock().Set(availableOn)
			expectBalance("", 100, 0)
			expectBalance(acct, 841, 0)
		})

		It("refunds the fee in proportion to a refund with refund_application_fee", func() {
			pi := pay(acct, 1000, "pm_card_visa", fee(100))
			p := &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(500), RefundApplicationFee: stripe.Bool(true)}
			p.SetStripeAccount(acct)
			mark := len(emu.EventTypes(""))
			re, err := sc.V1Refunds.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(re.TransferReversal).To(BeNil())
			Expect(since("", mark)).To(Equal([]string{"application_fee.refunded"}))
			f := appFee(charge(acct, pi.LatestCharge.ID).ApplicationFee.ID)
			Expect(f.AmountRefunded).To(Equal(int64(50)))
			Expect(f.Refunded).To(BeFalse())
			Expect(f.Refunds.Data).To(HaveLen(1))
			fr := f.Refunds.Data[0]
			Expect(fr.ID).To(MatchRegexp(`^fr_[0-9A-Za-z]{24}$`))
			Expect(fr.Amount).To(Equal(int64(50)))
			Expect(fr.Fee.ID).To(Equal(f.ID))
			Expect(txn("", fr.BalanceTransaction.ID).Type).To(Equal(stripe.BalanceTransactionTypeApplicationFeeRefund))
			expectBalance("", 0, 100-50)
			expectBalance(acct, -500, 841+50)
		})
	})

	Describe("separate charges and transfers", func() {
		It("refuses a transfer the available balance cannot cover, keeping nothing", func() {
			pay("", 10000, "pm_card_visa")
			mark := len(emu.EventTypes(""))
			_, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{
				Amount: stripe.Int64(5000), Currency: stripe.String("usd"), Destination: stripe.String(acct),
			})
			ExpectStripeError(err, 400, "invalid_request_error", "balance_insufficient", "")
			Expect(StripeErr(err).Msg).To(HavePrefix("You have insufficient available funds in your Stripe account."))
			Expect(emu.Count("", "transfer")).To(BeZero())
			Expect(since("", mark)).To(BeEmpty())
			expectBalance(acct, 0, 0)
		})

		It("transfers available funds at once", func() {
			pay("", 2000, "pm_card_bypassPending")
			tr, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{
				Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Destination: stripe.String(acct),
				Description: stripe.String("Payout for order 7"), Metadata: map[string]string{"order": "7"},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(tr.SourceTransaction).To(BeNil())
			Expect(tr.TransferGroup).To(BeEmpty())
			Expect(tr.Description).To(Equal("Payout for order 7"))
			Expect(tr.Metadata).To(Equal(map[string]string{"order": "7"}))
			expectBalance("", 912, 0)
			expectBalance(acct, 1000, 0)
			_, err = sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{
				Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Destination: stripe.String(acct),
			})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeBalanceInsufficient), "912 left")
		})

		It("lets transfers use a pending charge's funds with source_transaction, grouped by transfer_group", func() {
			pi := pay("", 10000, "pm_card_visa", func(p *stripe.PaymentIntentCreateParams) { p.TransferGroup = stripe.String("ORDER10") })
			other := connected()
			mark := len(emu.EventTypes(""))
			mk := func(to string, amount int64) (*stripe.Transfer, error) {
				return sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{
					Amount: stripe.Int64(amount), Currency: stripe.String("usd"), Destination: stripe.String(to),
					SourceTransaction: stripe.String(pi.LatestCharge.ID), TransferGroup: stripe.String("ORDER10"),
				})
			}
			a, err := mk(acct, 7000)
			Expect(err).NotTo(HaveOccurred())
			b, err := mk(other, 2000)
			Expect(err).NotTo(HaveOccurred())
			Expect(since("", mark)).To(Equal([]string{"transfer.created", "transfer.created"}))
			Expect(a.SourceTransaction.ID).To(Equal(pi.LatestCharge.ID))
			Expect(a.TransferGroup).To(Equal("ORDER10"))
			Expect(txn("", a.BalanceTransaction.ID).Status).To(Equal(stripe.BalanceTransactionStatusPending))

			_, err = mk(other, 1500)
			Expect(StripeErr(err).Param).To(Equal("amount"), "1 000 of the charge is left")
			Expect(emu.Count("", "transfer")).To(Equal(2))

			var grouped []string
			for tr, err := range sc.V1Transfers.List(Ctx, &stripe.TransferListParams{TransferGroup: stripe.String("ORDER10")}) {
				Expect(err).NotTo(HaveOccurred())
				grouped = append(grouped, tr.ID)
			}
			Expect(grouped).To(Equal([]string{b.ID, a.ID}), "newest first")
			var toOther []string
			lp := &stripe.TransferListParams{Destination: stripe.String(other), TransferGroup: stripe.String("ORDER10")}
			for tr, err := range sc.V1Transfers.List(Ctx, lp) {
				Expect(err).NotTo(HaveOccurred())
				toOther = append(toOther, tr.ID)
			}
			Expect(toOther).To(Equal([]string{b.ID}))

			expectBalance("", 0, 9680-9000)
			expectBalance(acct, 0, 7000)
			expectBalance(other, 0, 2000)
			emu.Clock().Set(availableOn)
			expectBalance("", 680, 0)
			expectBalance(acct, 7000, 0)
		})

		It("updates a transfer's description and metadata, with transfer.updated", func() {
			pi := pay("", 2000, "pm_card_visa", destination(acct))
			id := charge("", pi.LatestCharge.ID).Transfer.ID
			mark := len(emu.EventTypes(""))
			tr, err := sc.V1Transfers.Update(Ctx, id, &stripe.TransferUpdateParams{Description: stripe.String("ride 12"), Metadata: map[string]string{"ride": "12"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(tr.Description).To(Equal("ride 12"))
			Expect(tr.Metadata).To(HaveKeyWithValue("ride", "12"))
			Expect(since("", mark)).To(Equal([]string{"transfer.updated"}))
		})

		It("refuses unknown destinations and source transactions, other currencies, and transfers from connected accounts", func() {
			pi := pay("", 2000, "pm_card_visa")
			_, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{
				Amount: stripe.Int64(100), Currency: stripe.String("usd"), Destination: stripe.String("acct_1NotConnected"),
			})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "destination")
			_, err = sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{
				Amount: stripe.Int64(100), Currency: stripe.String("usd"), Destination: stripe.String(acct), SourceTransaction: stripe.String("ch_missing"),
			})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "source_transaction")
			_, err = sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{
				Amount: stripe.Int64(100), Currency: stripe.String("eur"), Destination: stripe.String(acct), SourceTransaction: stripe.String(pi.LatestCharge.ID),
			})
			Expect(StripeErr(err).Param).To(Equal("currency"))
			_, err = sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Currency: stripe.String("usd"), Destination: stripe.String(acct)})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "amount")
			p := &stripe.TransferCreateParams{Amount: stripe.Int64(100), Currency: stripe.String("usd"), Destination: stripe.String(acct)}
			p.SetStripeAccount(acct)
			_, err = sc.V1Transfers.Create(Ctx, p)
			Expect(StripeErr(err).Param).To(Equal("destination"))
			Expect(emu.Count("", "transfer")).To(BeZero())
			Expect(emu.Count(acct, "charge")).To(BeZero())
		})
	})

	Describe("transfer reversals", func() {
		var tr *stripe.Transfer
		BeforeEach(func() {
			pi := pay("", 10000, "pm_card_visa")
			var err error
			tr, err = sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{
				Amount: stripe.Int64(7000), Currency: stripe.String("usd"), Destination: stripe.String(acct),
				SourceTransaction: stripe.String(pi.LatestCharge.ID),
			})
			Expect(err).NotTo(HaveOccurred())
		})

		It("reverses part of a transfer, then the rest, taking the money back from the destination's payment", func() {
			mark := len(emu.EventTypes(""))
			trr, err := sc.V1TransferReversals.Create(Ctx, &stripe.TransferReversalCreateParams{
				ID: stripe.String(tr.ID), Amount: stripe.Int64(3000), Metadata: map[string]string{"why": "partial"},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(since("", mark)).To(Equal([]string{"transfer.reversed"}))
			Expect(trr.ID).To(MatchRegexp(`^trr_[0-9A-Za-z]{24}$`))
			Expect(trr.Amount).To(Equal(int64(3000)))
			Expect(trr.Transfer.ID).To(Equal(tr.ID))
			Expect(trr.Metadata).To(Equal(map[string]string{"why": "partial"}))
			Expect(trr.SourceRefund).To(BeNil())
			Expect(trr.DestinationPaymentRefund.ID).To(MatchRegexp(`^pyr_[0-9A-Za-z]{24}$`))
			bt := txn("", trr.BalanceTransaction.ID)
			Expect(bt.Type).To(Equal(stripe.BalanceTransactionTypeTransferRefund))
			Expect(bt.Amount).To(Equal(int64(3000)))

			got := transfer(tr.ID)
			Expect(got.AmountReversed).To(Equal(int64(3000)))
			Expect(got.Reversed).To(BeFalse())
			Expect(got.Reversals.Data).To(HaveLen(1))
			Expect(got.Reversals.Data[0].ID).To(Equal(trr.ID))

			rp := &stripe.RefundRetrieveParams{}
			rp.SetStripeAccount(acct)
			rp.AddExpand("balance_transaction")
			pyr, err := sc.V1Refunds.Retrieve(Ctx, trr.DestinationPaymentRefund.ID, rp)
			Expect(err).NotTo(HaveOccurred())
			Expect(pyr.Charge.ID).To(Equal(tr.DestinationPayment.ID))
			Expect(pyr.SourceTransferReversal.ID).To(Equal(trr.ID))
			Expect(pyr.BalanceTransaction.Type).To(Equal(stripe.BalanceTransactionTypePaymentRefund))
			Expect(pyr.BalanceTransaction.Amount).To(Equal(int64(-3000)))
			py := charge(acct, tr.DestinationPayment.ID)
			Expect(py.AmountRefunded).To(Equal(int64(3000)))
			Expect(py.Refunded).To(BeFalse())

			expectBalance("", 0, 9680-7000+3000)
			expectBalance(acct, 0, 4000)

			rest, err := sc.V1TransferReversals.Create(Ctx, &stripe.TransferReversalCreateParams{ID: stripe.String(tr.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(rest.Amount).To(Equal(int64(4000)), "all that is left by default")
			got = transfer(tr.ID)
			Expect(got.Reversed).To(BeTrue())
			Expect(got.AmountReversed).To(Equal(int64(7000)))
			Expect(got.Reversals.Data).To(HaveLen(2))
			Expect(got.Reversals.Data[0].ID).To(Equal(rest.ID), "newest first")
			Expect(charge(acct, tr.DestinationPayment.ID).Refunded).To(BeTrue())
			expectBalance("", 0, 9680)
			expectBalance(acct, 0, 0)

			var listed []string
			for r, err := range sc.V1TransferReversals.List(Ctx, &stripe.TransferReversalListParams{ID: stripe.String(tr.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				listed = append(listed, r.ID)
			}
			Expect(listed).To(Equal([]string{rest.ID, trr.ID}))
			one, err := sc.V1TransferReversals.Retrieve(Ctx, trr.ID, &stripe.TransferReversalRetrieveParams{ID: stripe.String(tr.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(one.Amount).To(Equal(int64(3000)))

			upd, err := sc.V1TransferReversals.Update(Ctx, trr.ID, &stripe.TransferReversalUpdateParams{ID: stripe.String(tr.ID), Metadata: map[string]string{"why": "changed"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(upd.Metadata).To(Equal(map[string]string{"why": "changed"}))
			Expect(transfer(tr.ID).Reversals.Data[1].Metadata).To(Equal(map[string]string{"why": "changed"}))
		})

		It("refuses more than is left, and a reversal of a fully reversed transfer, keeping nothing", func() {
			_, err := sc.V1TransferReversals.Create(Ctx, &stripe.TransferReversalCreateParams{ID: stripe.String(tr.ID), Amount: stripe.Int64(7001)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
			Expect(emu.Count("", "transfer_reversal")).To(BeZero())
			Expect(transfer(tr.ID).AmountReversed).To(BeZero())
			expectBalance(acct, 0, 7000)

			_, err = sc.V1TransferReversals.Create(Ctx, &stripe.TransferReversalCreateParams{ID: stripe.String(tr.ID)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TransferReversals.Create(Ctx, &stripe.TransferReversalCreateParams{ID: stripe.String(tr.ID), Amount: stripe.Int64(1)})
			Expect(StripeErr(err).Msg).To(Equal("The transfer " + tr.ID + " is already fully reversed."))
			Expect(emu.Count("", "transfer_reversal")).To(Equal(1))

			_, err = sc.V1TransferReversals.Retrieve(Ctx, "trr_missing", &stripe.TransferReversalRetrieveParams{ID: stripe.String(tr.ID)})
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(404))
		})
	})

	Describe("refunds of a destination charge", func() {
		var pi *stripe.PaymentIntent
		var ch *stripe.Charge
		BeforeEach(func() {
			pi = pay("", 2000, "pm_card_visa", destination(acct), fee(150))
			ch = charge("", pi.LatestCharge.ID)
		})
		refund := func(amount int64, edit func(*stripe.RefundCreateParams)) (*stripe.Refund, error) {
			p := &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(amount)}
			if edit != nil {
				edit(p)
			}
			return sc.V1Refunds.Create(Ctx, p)
		}
		both := func(p *stripe.RefundCreateParams) {
			p.ReverseTransfer = stripe.Bool(true)
			p.RefundApplicationFee = stripe.Bool(true)
		}

		It("are the platform's alone by default", func() {
			_, err := refund(1000, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(transfer(ch.Transfer.ID).AmountReversed).To(BeZero())
			Expect(appFee(ch.ApplicationFee.ID).AmountRefunded).To(BeZero())
			expectBalance("", -1000, 62)
			expectBalance(acct, 0, 1850)
		})

		It("reverse the transfer and refund the fee in proportion with reverse_transfer and refund_application_fee", func() {
			mark := len(emu.EventTypes(""))
			re, err := refund(1000, both)
			Expect(err).NotTo(HaveOccurred())
			Expect(since("", mark)).To(Equal([]string{"refund.created", "charge.refunded", "transfer.reversed", "application_fee.refunded"}))
			Expect(re.TransferReversal).NotTo(BeNil())
			trr, err := sc.V1TransferReversals.Retrieve(Ctx, re.TransferReversal.ID, &stripe.TransferReversalRetrieveParams{ID: stripe.String(ch.Transfer.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(trr.Amount).To(Equal(int64(1000)), "half the charge, half the transfer")
			Expect(trr.SourceRefund.ID).To(Equal(re.ID))
			f := appFee(ch.ApplicationFee.ID)
			Expect(f.AmountRefunded).To(Equal(int64(75)), "half the fee")
			expectBalance("", -1000, 62+1000-75)
			expectBalance(acct, 0, 1850-1000+75)

			_, err = refund(1000, both)
			Expect(err).NotTo(HaveOccurred())
			tr := transfer(ch.Transfer.ID)
			Expect(tr.Reversed).To(BeTrue())
			Expect(tr.AmountReversed).To(Equal(int64(2000)))
			f = appFee(ch.ApplicationFee.ID)
			Expect(f.Refunded).To(BeTrue())
			Expect(f.Refunds.Data).To(HaveLen(2))
			expectBalance("", -2000, 1912)
			expectBalance(acct, 0, 0)
			emu.Clock().Set(availableOn)
			expectBalance("", -88, 0)
			expectBalance(acct, 0, 0)
		})

		It("give the fee back in proportion to a reversal of the transfer itself with refund_application_fee, all that is left once fully reversed", func() {
			mark := len(emu.EventTypes(""))
			_, err := sc.V1TransferReversals.Create(Ctx, &stripe.TransferReversalCreateParams{
				ID: stripe.String(ch.Transfer.ID), Amount: stripe.Int64(700), RefundApplicationFee: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(since("", mark)).To(Equal([]string{"transfer.reversed", "application_fee.refunded"}))
			Expect(appFee(ch.ApplicationFee.ID).AmountRefunded).To(Equal(int64(53)), "150 × 700/2000 = 52.5, rounded")
			expectBalance(acct, 0, 1850-700+53)

			_, err = sc.V1TransferReversals.Create(Ctx, &stripe.TransferReversalCreateParams{
				ID: stripe.String(ch.Transfer.ID), RefundApplicationFee: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			f := appFee(ch.ApplicationFee.ID)
			Expect(f.Refunded).To(BeTrue())
			Expect(f.AmountRefunded).To(Equal(int64(150)))
			expectBalance(acct, 0, 0)
			Expect(charge("", ch.ID).AmountRefunded).To(BeZero(), "the charge itself is not refunded")
		})

		It("take the fee back from the destination when only the transfer is reversed", func() {
			_, err := refund(1000, func(p *stripe.RefundCreateParams) { p.ReverseTransfer = stripe.Bool(true) })
			Expect(err).NotTo(HaveOccurred())
			Expect(appFee(ch.ApplicationFee.ID).AmountRefunded).To(BeZero())
			expectBalance("", -1000, 62+1000)
			expectBalance(acct, 0, 1850-1000)
		})

		It("fail, keeping nothing, when the destination's balance cannot cover the reversal", func() {
			// Stripe's Connect charges guide: a refund that also attempts
			// a transfer reversal the connected account's balance cannot
			// cover returns an error. Here the destination kept 1850 of
			// the 2000 (the platform's fee), and the fee is not given back.
			mark := len(emu.EventTypes(""))
			_, err := refund(2000, func(p *stripe.RefundCreateParams) { p.ReverseTransfer = stripe.Bool(true) })
			ExpectStripeError(err, 400, "invalid_request_error", "balance_insufficient", "reverse_transfer")
			Expect(emu.Count("", "refund")).To(BeZero())
			Expect(emu.Count("", "transfer_reversal")).To(BeZero())
			Expect(since("", mark)).To(BeEmpty())
			expectBalance("", 0, 62)
			expectBalance(acct, 0, 1850)

			_, err = refund(2000, both)
			Expect(err).NotTo(HaveOccurred(), "with the fee given back the destination covers it")
			expectBalance(acct, 0, 0)
		})

		It("refuse reverse_transfer on a charge without a transfer, keeping nothing", func() {
			plain := pay("", 2000, "pm_card_visa")
			_, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(plain.ID), ReverseTransfer: stripe.Bool(true)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "reverse_transfer")
			Expect(emu.Count("", "refund")).To(BeZero())
			Expect(charge("", plain.LatestCharge.ID).AmountRefunded).To(BeZero())
		})
	})

	Describe("application fee refunds", func() {
		It("refund part of a fee, then the rest, and refuse more", func() {
			pi := pay(acct, 1000, "pm_card_visa", fee(100))
			id := charge(acct, pi.LatestCharge.ID).ApplicationFee.ID
			fr, err := sc.V1FeeRefunds.Create(Ctx, &stripe.FeeRefundCreateParams{ID: stripe.String(id), Amount: stripe.Int64(30), Metadata: map[string]string{"k": "v"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(fr.Amount).To(Equal(int64(30)))
			Expect(fr.Metadata).To(Equal(map[string]string{"k": "v"}))
			_, err = sc.V1FeeRefunds.Create(Ctx, &stripe.FeeRefundCreateParams{ID: stripe.String(id), Amount: stripe.Int64(71)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
			Expect(emu.Count("", "fee_refund")).To(Equal(1))
			rest, err := sc.V1FeeRefunds.Create(Ctx, &stripe.FeeRefundCreateParams{ID: stripe.String(id)})
			Expect(err).NotTo(HaveOccurred())
			Expect(rest.Amount).To(Equal(int64(70)))
			Expect(appFee(id).Refunded).To(BeTrue())
			expectBalance("", 0, 0)
			expectBalance(acct, 0, 941)

			var listed []string
			for r, err := range sc.V1FeeRefunds.List(Ctx, &stripe.FeeRefundListParams{ID: stripe.String(id)}) {
				Expect(err).NotTo(HaveOccurred())
				listed = append(listed, r.ID)
			}
			Expect(listed).To(Equal([]string{rest.ID, fr.ID}))
			mark := len(emu.EventTypes(""))
			upd, err := sc.V1FeeRefunds.Update(Ctx, fr.ID, &stripe.FeeRefundUpdateParams{Fee: stripe.String(id), Metadata: map[string]string{"k": "w"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(upd.Metadata).To(Equal(map[string]string{"k": "w"}))
			Expect(since("", mark)).To(Equal([]string{"application_fee.refund.updated"}))
			got, err := sc.V1FeeRefunds.Retrieve(Ctx, fr.ID, &stripe.FeeRefundRetrieveParams{Fee: stripe.String(id)})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Metadata).To(Equal(map[string]string{"k": "w"}))
		})
	})

	It("lists every Connect movement among the balance transactions, with sources that expand", func() {
		pi := pay("", 2000, "pm_card_visa", destination(acct), fee(150))
		_, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(500),
			ReverseTransfer: stripe.Bool(true), RefundApplicationFee: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.BalanceTransactionListParams{}
		p.AddExpand("data.source")
		var types []string
		for _, t := range txns("", p) {
			types = append(types, string(t.Type))
			Expect(t.Source).NotTo(BeNil())
			Expect(t.Source.ID).NotTo(BeEmpty())
		}
		Expect(types).To(Equal([]string{"application_fee_refund", "transfer_refund", "refund", "application_fee", "transfer", "charge"}))
		var acctTypes []string
		for _, t := range txns(acct, nil) {
			acctTypes = append(acctTypes, string(t.Type))
		}
		slices.Sort(acctTypes)
		Expect(acctTypes).To(Equal([]string{"application_fee_refund", "payment", "payment_refund"}))
	})
	It("categorizes every Connect movement for reporting, as each side's books see it", func() {
		// The platform earns fees (platform_earning, their refunds
		// platform_earning_refund); the connected account paid them, so a
		// fee given back to it is a fee (Stripe's reporting categories:
		// "Connect platform fee refunds" are reporting_category=fee).
		pi := pay("", 2000, "pm_card_visa", destination(acct), fee(150))
		_, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(500),
			ReverseTransfer: stripe.Bool(true), RefundApplicationFee: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		direct := pay(acct, 1000, "pm_card_visa", fee(100))
		_, err = sc.V1FeeRefunds.Create(Ctx, &stripe.FeeRefundCreateParams{ID: stripe.String(charge(acct, direct.LatestCharge.ID).ApplicationFee.ID), Amount: stripe.Int64(40)})
		Expect(err).NotTo(HaveOccurred())

		categories := func(on string) map[string]string {
			GinkgoHelper()
			out := map[string]string{}
			for _, t := range txns(on, nil) {
				if seen, ok := out[string(t.Type)]; ok {
					Expect(string(t.ReportingCategory)).To(Equal(seen), "one category per type")
				}
				out[string(t.Type)] = string(t.ReportingCategory)
			}
			return out
		}
		Expect(categories("")).To(Equal(map[string]string{
			"charge": "charge", "refund": "refund", "transfer": "transfer", "transfer_refund": "transfer_reversal",
			"application_fee": "platform_earning", "application_fee_refund": "platform_earning_refund",
		}))
		mixed := categories(acct)
		Expect(mixed).To(HaveKeyWithValue("payment", "charge"))
		Expect(mixed).To(HaveKeyWithValue("payment_refund", "refund"))
		Expect(mixed).To(HaveKeyWithValue("charge", "charge"))
		Expect(mixed).To(HaveKeyWithValue("application_fee_refund", "fee"))
	})
})
