package payments_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Connect money as an integrator meets Stripe's refusals and shapes.
var _ = Describe("Connect money refusals and shapes", Label("payments", "connect"), func() {
	var (
		emu           *emulator.Emulator
		sc            *stripe.Client
		seller, other string
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		seller = Seller(emu, nil).ID
		other = Seller(emu, nil).ID
	})

	It("refuses a card payment settled by one account and transferred to another, keeping nothing", func() {
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
			OnBehalfOf:   stripe.String(other),
			TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "on_behalf_of")
		Expect(StripeErr(err).Msg).To(HavePrefix("You cannot specify an `on_behalf_of` value that is different from the `transfer_data[destination]` value when using `card` or `card_present` in `payment_method_types`."))
		Expect(emu.Count("", "payment_intent")).To(BeZero())

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
			OnBehalfOf:   stripe.String(seller),
			TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)},
		})
		Expect(err).NotTo(HaveOccurred(), "the account settling is the one paid")
		Expect(pi.OnBehalfOf.ID).To(Equal(seller))

		_, err = sc.V1Charges.Create(Ctx, &stripe.ChargeCreateParams{
			Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_visa")},
			OnBehalfOf:   stripe.String(other),
			TransferData: &stripe.ChargeCreateTransferDataParams{Destination: stripe.String(seller)},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "on_behalf_of")
		Expect(emu.Count("", "charge")).To(BeZero())
	})

	It("refuses a charge by an account whose card_payments capability is not active, keeping nothing", func() {
		transfersOnly, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
		Expect(err).NotTo(HaveOccurred())
		status, body, err := emu.Call("POST", "/v1/test_helpers/accounts/"+transfersOnly.ID+"/complete_onboarding", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)

		By("a direct charge")
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)}
		p.SetStripeAccount(transfersOnly.ID)
		_, err = sc.V1PaymentIntents.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("You cannot create a charge on a connected account without the `card_payments` capability enabled."))
		Expect(emu.Count(transfersOnly.ID, "payment_intent")).To(BeZero())
		Expect(emu.Count(transfersOnly.ID, "charge")).To(BeZero())
		cp := &stripe.ChargeCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_visa")}}
		cp.SetStripeAccount(transfersOnly.ID)
		_, err = sc.V1Charges.Create(Ctx, cp)
		Expect(StripeErr(err).Msg).To(Equal("You cannot create a charge on a connected account without the `card_payments` capability enabled."))

		By("a payment settled by it (on_behalf_of)")
		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			OnBehalfOf: stripe.String(transfersOnly.ID), TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(transfersOnly.ID)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("You cannot create a charge with the `on_behalf_of` parameter set to a connected account with `transfers` but without the `card_payments` capability enabled."))
		Expect(emu.Count("", "charge")).To(BeZero())

		By("a destination charge to it without on_behalf_of needs only transfers")
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(transfersOnly.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

		By("and a direct charge on an account that has it")
		p = &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)}
		p.SetStripeAccount(seller)
		pi, err = sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("answers a refund of a fully refunded fee with Stripe's amount message", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			ApplicationFeeAmount: stripe.Int64(100), TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)}})
		Expect(err).NotTo(HaveOccurred())
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		fee := ch.ApplicationFee.ID
		_, err = sc.V1FeeRefunds.Create(Ctx, &stripe.FeeRefundCreateParams{ID: stripe.String(fee)})
		Expect(err).NotTo(HaveOccurred())

		_, err = sc.V1FeeRefunds.Create(Ctx, &stripe.FeeRefundCreateParams{ID: stripe.String(fee), Amount: stripe.Int64(10)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
		Expect(StripeErr(err).Msg).To(Equal("Refund amount ($0.10) is greater than unrefunded amount on fee ($0.00)"))
	})
	It("refuses refund_application_fee on a charge that collected no application fee, keeping nothing", func() {
		// Stripe refuses the flag outright there (its words, as
		// integrations meet them): refunding without it succeeds.
		direct := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)}
		direct.SetStripeAccount(seller)
		pi, err := sc.V1PaymentIntents.Create(Ctx, direct)
		Expect(err).NotTo(HaveOccurred())
		rp := &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), RefundApplicationFee: stripe.Bool(true)}
		rp.SetStripeAccount(seller)
		_, err = sc.V1Refunds.Create(Ctx, rp)
		ExpectStripeError(err, 400, "invalid_request_error", "", "refund_application_fee")
		Expect(StripeErr(err).Msg).To(Equal("Attempting to refund_application_fee on " + pi.LatestCharge.ID + ", but it has no application fee"))
		Expect(emu.Count(seller, "refund")).To(BeZero())

		dest, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(dest.ID), Amount: stripe.Int64(400),
			ReverseTransfer: stripe.Bool(true), RefundApplicationFee: stripe.Bool(true)})
		Expect(StripeErr(err).Msg).To(Equal("Attempting to refund_application_fee on " + dest.LatestCharge.ID + ", but it has no application fee"))
		Expect(emu.Count("", "refund")).To(BeZero())
		Expect(emu.Count("", "transfer_reversal")).To(BeZero())

		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(dest.ID), Amount: stripe.Int64(400), ReverseTransfer: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred(), "without the flag the refund goes through")
	})
	It("refuses a new application_fee_amount or transfer_data[amount] once the payment is captured, and takes one before", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			ApplicationFeeAmount: stripe.Int64(150), TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		mark := len(emu.EventTypes(""))

		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{ApplicationFeeAmount: stripe.Int64(300)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "application_fee_amount")
		Expect(StripeErr(err).Msg).To(Equal("The parameter application_fee_amount cannot be updated on a PaymentIntent after a capture has already been made."))
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{
			TransferData: &stripe.PaymentIntentUpdateTransferDataParams{Amount: stripe.Int64(1000)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "transfer_data[amount]")
		got, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ApplicationFeeAmount).To(Equal(int64(150)), "the fee collected stays what the intent shows")
		Expect(got.TransferData.Amount).To(BeZero())
		Expect(emu.EventTypes("")[mark:]).To(BeEmpty())

		held, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			CaptureMethod: stripe.String("manual"), ApplicationFeeAmount: stripe.Int64(150),
			TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Update(Ctx, held.ID, &stripe.PaymentIntentUpdateParams{ApplicationFeeAmount: stripe.Int64(300)})
		Expect(err).NotTo(HaveOccurred(), "an authorization not yet captured takes a new fee")
		_, err = sc.V1PaymentIntents.Capture(Ctx, held.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		cp := &stripe.ChargeRetrieveParams{}
		cp.AddExpand("application_fee")
		ch, err := sc.V1Charges.Retrieve(Ctx, held.LatestCharge.ID, cp)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.ApplicationFee.Amount).To(Equal(int64(300)))
	})
	It("transfers the transfer_data[amount] an update or the capture sets before the capture, which the charge shows", func() {
		hold := func() *stripe.PaymentIntent {
			GinkgoHelper()
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(10000), Currency: stripe.String("usd"),
				PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
				CaptureMethod: stripe.String("manual"),
				TransferData:  &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller), Amount: stripe.Int64(8000)}})
			Expect(err).NotTo(HaveOccurred())
			return pi
		}
		transferred := func(pi *stripe.PaymentIntent) (*stripe.Charge, *stripe.Transfer) {
			GinkgoHelper()
			cp := &stripe.ChargeRetrieveParams{}
			cp.AddExpand("transfer")
			ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, cp)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Transfer).NotTo(BeNil())
			return ch, ch.Transfer
		}

		updated := hold()
		_, err := sc.V1PaymentIntents.Update(Ctx, updated.ID, &stripe.PaymentIntentUpdateParams{
			TransferData: &stripe.PaymentIntentUpdateTransferDataParams{Amount: stripe.Int64(6000)}})
		Expect(err).NotTo(HaveOccurred())
		captured, err := sc.V1PaymentIntents.Capture(Ctx, updated.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(captured.TransferData.Amount).To(Equal(int64(6000)))
		ch, tr := transferred(updated)
		Expect(ch.TransferData.Amount).To(Equal(int64(6000)))
		Expect(tr.Amount).To(Equal(int64(6000)))

		atCapture := hold()
		captured, err = sc.V1PaymentIntents.Capture(Ctx, atCapture.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(5000),
			TransferData: &stripe.PaymentIntentTransferDataParams{Amount: stripe.Int64(4000)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(captured.TransferData.Amount).To(Equal(int64(4000)))
		ch, tr = transferred(atCapture)
		Expect(ch.TransferData.Amount).To(Equal(int64(4000)))
		Expect(tr.Amount).To(Equal(int64(4000)))
		bp := &stripe.BalanceRetrieveParams{}
		bp.SetStripeAccount(seller)
		b, err := sc.V1Balance.Retrieve(Ctx, bp)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.Pending[0].Amount).To(Equal(int64(10000)), "6000 and 4000 reached the seller")
	})

	// Stripe's capture takes transfer_data[amount] only (its reference; an
	// integration found a destination sent with it refused), though
	// stripe-go's capture params share a struct that has destination.
	It("refuses transfer_data[destination] on a capture as an unknown parameter, capturing nothing", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			CaptureMethod: stripe.String("manual"), TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{
			TransferData: &stripe.PaymentIntentTransferDataParams{Destination: stripe.String(seller)}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "transfer_data[destination]")
		got, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
	})

	It("names the platform's Connect application on a SetupIntent it makes on a connected account, as on a PaymentIntent", func() {
		p := &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"})}
		p.SetStripeAccount(seller)
		si, err := sc.V1SetupIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Application).NotTo(BeNil())
		Expect(si.Application.ID).To(Equal(emu.ConnectApplication()))
		own, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		Expect(own.Application).To(BeNil())
	})

	It("expands application to the platform's Connect application object, on the connected account's objects and the platform's fees", func() {
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			ApplicationFeeAmount: stripe.Int64(100)}
		p.SetStripeAccount(seller)
		p.AddExpand("application")
		p.AddExpand("latest_charge.application")
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Application.ID).To(Equal(emu.ConnectApplication()))
		Expect(pi.Application.Object).To(Equal("application"), "expanded, not the id")
		Expect(pi.LatestCharge.Application.Object).To(Equal("application"))

		fp := &stripe.ApplicationFeeRetrieveParams{}
		fp.AddExpand("application")
		fee, err := sc.V1ApplicationFees.Retrieve(Ctx, pi.LatestCharge.ApplicationFee.ID, fp)
		Expect(err).NotTo(HaveOccurred())
		Expect(fee.Application.ID).To(Equal(emu.ConnectApplication()))
		Expect(fee.Application.Object).To(Equal("application"))
	})

	// Stripe's "Share payment methods across multiple accounts": the
	// platform clones its customer's PaymentMethod onto a connected account
	// (POST /v1/payment_methods with customer and payment_method, and
	// Stripe-Account) and makes a direct charge with the copy.
	It("clones a platform customer's PaymentMethod onto a connected account for a direct charge, customer named as Stripe's guide does", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("shared@example.com"), PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		var saved string
		for pm, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			saved = pm.ID
		}
		clone := func(customer string) (*stripe.PaymentMethod, error) {
			p := &stripe.PaymentMethodCreateParams{Customer: stripe.String(customer), PaymentMethod: stripe.String(saved)}
			p.SetStripeAccount(seller)
			return sc.V1PaymentMethods.Create(Ctx, p)
		}
		copied, err := clone(cus.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(copied.ID).NotTo(Equal(saved))
		Expect(copied.Customer).To(BeNil(), "the copy is attached to no customer")
		Expect(copied.Card.Last4).To(Equal("4242"))
		pp := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1500), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String(copied.ID), Confirm: stripe.Bool(true)}
		pp.SetStripeAccount(seller)
		pi, err := sc.V1PaymentIntents.Create(Ctx, pp)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

		before := emu.Count(seller, "payment_method")
		_, err = clone("cus_missing")
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "customer")
		other, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("other@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = clone(other.ID)
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method")
		Expect(emu.Count(seller, "payment_method")).To(Equal(before), "nothing cloned")
	})

	// A clone keeps its PaymentMethod's type: a type naming another one
	// cannot be honoured, so it is refused rather than ignored.
	It("refuses a clone whose type is not its PaymentMethod's, cloning nothing, and takes one that is", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{PaymentMethod: stripe.String("pm_card_visa")})
		Expect(err).NotTo(HaveOccurred())
		var pmID string
		for pm, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			pmID = pm.ID
		}
		clone := func(typ string) (*stripe.PaymentMethod, error) {
			p := &stripe.PaymentMethodCreateParams{Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pmID), Type: stripe.String(typ)}
			p.SetStripeAccount(seller)
			return sc.V1PaymentMethods.Create(Ctx, p)
		}
		before := emu.Count(seller, "payment_method")
		_, err = clone("sepa_debit")
		ExpectStripeError(err, 400, "invalid_request_error", "", "type")
		Expect(emu.Count(seller, "payment_method")).To(Equal(before), "nothing cloned")
		copied, err := clone("card")
		Expect(err).NotTo(HaveOccurred())
		Expect(copied.Type).To(Equal(stripe.PaymentMethodTypeCard))
		Expect(copied.Card.Last4).To(Equal("4242"))
	})

	It("refuses an account debit (a connected account's transfer to its platform) as not emulated, keeping nothing", func() {
		// Stripe makes one for platforms liable for negative balances: a
		// transfer on the connected account, a payment on the platform.
		p := &stripe.TransferCreateParams{Amount: stripe.Int64(100), Currency: stripe.String("usd"), Destination: stripe.String(emu.Platform())}
		p.SetStripeAccount(seller)
		_, err := sc.V1Transfers.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "destination")
		Expect(StripeErr(err).Msg).To(HavePrefix("stripe-emu does not emulate account debits"))
		Expect(emu.Count(seller, "transfer")).To(BeZero())
		Expect(emu.Count("", "charge")).To(BeZero())
	})
	It("refuses a transfer abroad to an account on the full service agreement in Stripe's words, and pays one on the recipient agreement", func() {
		// Stripe's service agreement guide: "Cross-border payouts only work
		// with accounts under the recipient service agreement"; a US
		// platform's transfer to a French account under the full one is
		// refused as integrations quote it.
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_bypassPending"), Confirm: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		full := Seller(emu, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("FR"), Capabilities: Transfers()}).ID
		_, err = sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Destination: stripe.String(full)})
		ExpectStripeError(err, 400, "invalid_request_error", "transfers_not_allowed", "destination")
		Expect(StripeErr(err).Msg).To(Equal("Funds can't be sent to accounts located in FR because it's restricted outside of your platform's region"))
		Expect(emu.Count("", "transfer")).To(BeZero(), "nothing is kept")

		recipient := Seller(emu, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("FR"), Capabilities: Transfers(),
			TOSAcceptance: &stripe.AccountCreateTOSAcceptanceParams{ServiceAgreement: stripe.String("recipient")}}).ID
		tr, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Destination: stripe.String(recipient)})
		Expect(err).NotTo(HaveOccurred())
		Expect(tr.Destination.ID).To(Equal(recipient))

		By("taking one at home whatever the agreement")
		_, err = sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Destination: stripe.String(seller)})
		Expect(err).NotTo(HaveOccurred())
	})
	It("holds a transfer to an account on the recipient service agreement 24 hours longer, as Stripe's guide says", func() {
		ManualPayouts(emu, "")
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_bypassPending"), Confirm: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		recipient := Seller(emu, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("FR"), Capabilities: Transfers(),
			TOSAcceptance: &stripe.AccountCreateTOSAcceptanceParams{ServiceAgreement: stripe.String("recipient")},
			Settings:      &stripe.AccountCreateSettingsParams{Payouts: &stripe.AccountCreateSettingsPayoutsParams{Schedule: &stripe.AccountCreateSettingsPayoutsScheduleParams{Interval: stripe.String("manual")}}}}).ID
		tr, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Destination: stripe.String(recipient)})
		Expect(err).NotTo(HaveOccurred())
		amounts := func(acct string) (available, pending int64) {
			GinkgoHelper()
			p := &stripe.BalanceRetrieveParams{}
			p.SetStripeAccount(acct)
			b, err := sc.V1Balance.Retrieve(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			for _, a := range b.Available {
				if a.Currency == "usd" {
					available = a.Amount
				}
			}
			for _, a := range b.Pending {
				if a.Currency == "usd" {
					pending = a.Amount
				}
			}
			return available, pending
		}
		available, pending := amounts(recipient)
		Expect([]int64{available, pending}).To(Equal([]int64{0, 1000}), "pending on the recipient's side")
		p := &stripe.BalanceTransactionListParams{}
		p.SetStripeAccount(recipient)
		for bt, err := range sc.V1BalanceTransactions.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			Expect(bt.AvailableOn).To(Equal(tr.Created + 24*60*60))
		}
		platform, err := sc.V1Balance.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(platform.Available[0].Amount).To(Equal(int64(5000-175-1000)), "taken from the platform's available funds at once")

		emu.Clock().Set(time.Unix(tr.Created+24*60*60, 0))
		available, pending = amounts(recipient)
		Expect([]int64{available, pending}).To(Equal([]int64{1000, 0}))
		Expect(emu.EventTypes(recipient)).To(ContainElement("balance.available"))

		By("and a full agreement's at once")
		full := Seller(emu, &stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers()}).ID
		_, err = sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Destination: stripe.String(full)})
		Expect(err).NotTo(HaveOccurred())
		available, _ = amounts(full)
		Expect(available).To(Equal(int64(1000)))
	})
	It("refuses an amount below 1 for transfers, their reversals and fee refunds with Stripe's words, keeping nothing", func() {
		// Stripe answers a transfer's negative amount so (as integrations
		// quote it), as it does a refund's.
		const below = "This value must be greater than or equal to 1."
		for _, n := range []int64{0, -500} {
			_, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(n), Currency: stripe.String("usd"), Destination: stripe.String(seller)})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "amount")
			Expect(StripeErr(err).Msg).To(Equal(below))
		}
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			ApplicationFeeAmount: stripe.Int64(100), TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)}})
		Expect(err).NotTo(HaveOccurred())
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TransferReversals.Create(Ctx, &stripe.TransferReversalCreateParams{ID: stripe.String(ch.Transfer.ID), Amount: stripe.Int64(0)})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "amount")
		Expect(StripeErr(err).Msg).To(Equal(below))
		_, err = sc.V1FeeRefunds.Create(Ctx, &stripe.FeeRefundCreateParams{ID: stripe.String(ch.ApplicationFee.ID), Amount: stripe.Int64(-1)})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "amount")
		Expect(StripeErr(err).Msg).To(Equal(below))
		Expect(emu.Count("", "transfer")).To(Equal(1), "the destination charge's own")
		Expect(emu.Count("", "transfer_reversal")).To(BeZero())
		Expect(emu.Count("", "fee_refund")).To(BeZero())
	})
	It("refuses a transfer_data[amount] below 1 and a negative application_fee_amount, and takes a fee of 0 as no fee", func() {
		create := func(edit func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
			p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
				PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
				TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)}}
			edit(p)
			return sc.V1PaymentIntents.Create(Ctx, p)
		}
		for _, n := range []int64{0, -100} {
			_, err := create(func(p *stripe.PaymentIntentCreateParams) { p.TransferData.Amount = stripe.Int64(n) })
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "transfer_data[amount]")
			Expect(StripeErr(err).Msg).To(Equal("This value must be greater than or equal to 1."))
		}
		_, err := create(func(p *stripe.PaymentIntentCreateParams) { p.ApplicationFeeAmount = stripe.Int64(-1) })
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "application_fee_amount")
		Expect(StripeErr(err).Msg).To(Equal("This value must be greater than or equal to 0."))
		_, err = sc.V1Charges.Create(Ctx, &stripe.ChargeCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_visa")}, TransferData: &stripe.ChargeCreateTransferDataParams{
				Destination: stripe.String(seller), Amount: stripe.Int64(-5)}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "transfer_data[amount]")
		Expect(emu.Count("", "payment_intent")).To(BeZero())
		Expect(emu.Count("", "transfer")).To(BeZero())

		pi, err := create(func(p *stripe.PaymentIntentCreateParams) { p.ApplicationFeeAmount = stripe.Int64(0) })
		Expect(err).NotTo(HaveOccurred(), "Stripe takes a fee of 0, and collects none")
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.ApplicationFee).To(BeNil())
		Expect(emu.Count("", "application_fee")).To(BeZero())
	})
	It("sets a PaymentIntent's transfer_group by update only while it has none, as Stripe's reference says", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		pi, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{TransferGroup: stripe.String("ORDER1")})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.TransferGroup).To(Equal("ORDER1"))
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{TransferGroup: stripe.String("ORDER1")})
		Expect(err).NotTo(HaveOccurred(), "the same group again changes nothing")
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{TransferGroup: stripe.String("ORDER2")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "transfer_group")

		dest, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Update(Ctx, dest.ID, &stripe.PaymentIntentUpdateParams{TransferGroup: stripe.String("ORDER3")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "transfer_group")
		got, err := sc.V1PaymentIntents.Retrieve(Ctx, dest.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.TransferGroup).To(Equal("group_"+dest.ID), "the group its charge and transfer are in")
	})
	It("expands the Connect objects each side's objects name, wherever they are kept", func() {
		// The platform keeps transfers, reversals and application fees;
		// the destination keeps the payment and its refunds. Each side's
		// objects name the other's, and expand[] follows them there.
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			ApplicationFeeAmount: stripe.Int64(150), TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)}})
		Expect(err).NotTo(HaveOccurred())
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(500),
			ReverseTransfer: stripe.Bool(true), RefundApplicationFee: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		// The platform's side.
		rp := &stripe.TransferReversalRetrieveParams{ID: stripe.String(ch.Transfer.ID)}
		rp.AddExpand("destination_payment_refund")
		trr, err := sc.V1TransferReversals.Retrieve(Ctx, re.TransferReversal.ID, rp)
		Expect(err).NotTo(HaveOccurred())
		Expect(trr.DestinationPaymentRefund.Amount).To(Equal(int64(500)), "the payment's refund, on the destination")
		Expect(trr.DestinationPaymentRefund.SourceTransferReversal.ID).To(Equal(trr.ID))
		tp := &stripe.TransferRetrieveParams{}
		tp.AddExpand("destination_payment.balance_transaction")
		tr, err := sc.V1Transfers.Retrieve(Ctx, ch.Transfer.ID, tp)
		Expect(err).NotTo(HaveOccurred())
		Expect(tr.DestinationPayment.BalanceTransaction.Amount).To(Equal(int64(2000)), "the payment's own balance transaction, on the destination")
		Expect(tr.DestinationPayment.BalanceTransaction.Fee).To(Equal(int64(150)))

		// The connected account's side (the platform's key with Stripe-Account).
		pp := &stripe.ChargeRetrieveParams{}
		pp.SetStripeAccount(seller)
		pp.AddExpand("source_transfer.source_transaction")
		pp.AddExpand("application_fee")
		py, err := sc.V1Charges.Retrieve(Ctx, tr.DestinationPayment.ID, pp)
		Expect(err).NotTo(HaveOccurred())
		Expect(py.SourceTransfer.Amount).To(Equal(int64(2000)), "the transfer it came from, on the platform")
		Expect(py.SourceTransfer.SourceTransaction.ID).To(Equal(ch.ID))
		Expect(py.SourceTransfer.SourceTransaction.Amount).To(Equal(int64(2000)), "the platform's charge behind it")
		Expect(py.ApplicationFee.Amount).To(Equal(int64(150)))
		Expect(py.ApplicationFee.AmountRefunded).To(Equal(int64(38)))

		fp := &stripe.RefundRetrieveParams{}
		fp.SetStripeAccount(seller)
		fp.AddExpand("source_transfer_reversal")
		pyr, err := sc.V1Refunds.Retrieve(Ctx, trr.DestinationPaymentRefund.ID, fp)
		Expect(err).NotTo(HaveOccurred())
		Expect(pyr.SourceTransferReversal.Amount).To(Equal(int64(500)))
		Expect(pyr.SourceTransferReversal.SourceRefund.ID).To(Equal(re.ID))

		lp := &stripe.BalanceTransactionListParams{Type: stripe.String("application_fee_refund")}
		lp.SetStripeAccount(seller)
		lp.AddExpand("data.source")
		n := 0
		for bt, err := range sc.V1BalanceTransactions.List(Ctx, lp) {
			Expect(err).NotTo(HaveOccurred())
			Expect(bt.Source.FeeRefund).NotTo(BeNil(), "the fee refund, on the platform")
			Expect(bt.Source.FeeRefund.Amount).To(Equal(int64(38)))
			n++
		}
		Expect(n).To(Equal(1))

		By("following them there with the field that names where expanded first, in any order")
		tl := &stripe.TransferListParams{}
		tl.AddExpand("data.destination")
		tl.AddExpand("data.destination_payment")
		for t, err := range sc.V1Transfers.List(Ctx, tl) {
			Expect(err).NotTo(HaveOccurred())
			Expect(t.Destination.Country).To(Equal("US"), "the account, expanded")
			Expect(t.DestinationPayment.Amount).To(Equal(int64(2000)), "the payment, expanded on the destination")
		}
		fl := &stripe.ApplicationFeeListParams{}
		fl.AddExpand("data.account")
		fl.AddExpand("data.charge")
		for f, err := range sc.V1ApplicationFees.List(Ctx, fl) {
			Expect(err).NotTo(HaveOccurred())
			Expect(f.Account.ID).To(Equal(seller))
			Expect(f.Charge.Amount).To(Equal(int64(2000)), "the payment the fee came out of, expanded on the account")
		}
		rp = &stripe.TransferReversalRetrieveParams{ID: stripe.String(ch.Transfer.ID)}
		rp.AddExpand("transfer")
		rp.AddExpand("destination_payment_refund")
		trr, err = sc.V1TransferReversals.Retrieve(Ctx, re.TransferReversal.ID, rp)
		Expect(err).NotTo(HaveOccurred())
		Expect(trr.Transfer.Amount).To(Equal(int64(2000)))
		Expect(trr.DestinationPaymentRefund.Amount).To(Equal(int64(500)))
	})
	It("reverses a transfer of its own only as far as the destination's balance covers it, keeping nothing otherwise", func() {
		// Stripe's reference: a transfer_group transfer (not a
		// destination charge's) is reversed only if the destination
		// account has enough balance to cover the reversal.
		ManualPayouts(emu, "")
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_bypassPending"), Confirm: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		tr, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Destination: stripe.String(seller)})
		Expect(err).NotTo(HaveOccurred())
		// A dispute on a payment of the seller's own takes its balance
		// below what the transfer gave it.
		disputed := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(3000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_createDispute"), Confirm: stripe.Bool(true)}
		disputed.SetStripeAccount(seller)
		_, err = sc.V1PaymentIntents.Create(Ctx, disputed)
		Expect(err).NotTo(HaveOccurred())
		mark := len(emu.EventTypes(""))

		_, err = sc.V1TransferReversals.Create(Ctx, &stripe.TransferReversalCreateParams{ID: stripe.String(tr.ID), Amount: stripe.Int64(500)})
		ExpectStripeError(err, 400, "invalid_request_error", "balance_insufficient", "amount")
		Expect(emu.Count("", "transfer_reversal")).To(BeZero())
		Expect(emu.Count(seller, "refund")).To(BeZero())
		Expect(emu.EventTypes("")[mark:]).To(BeEmpty())
		got, err := sc.V1Transfers.Retrieve(Ctx, tr.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.AmountReversed).To(BeZero())
	})
	It("sets a charge's transfer_group by update only while it has none, as Stripe's reference says", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		id := pi.LatestCharge.ID
		ch, err := sc.V1Charges.Update(Ctx, id, &stripe.ChargeUpdateParams{TransferGroup: stripe.String("ORDER1")})
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.TransferGroup).To(Equal("ORDER1"))
		_, err = sc.V1Charges.Update(Ctx, id, &stripe.ChargeUpdateParams{TransferGroup: stripe.String("ORDER1")})
		Expect(err).NotTo(HaveOccurred(), "the same group again changes nothing")
		mark := len(emu.EventTypes(""))
		_, err = sc.V1Charges.Update(Ctx, id, &stripe.ChargeUpdateParams{TransferGroup: stripe.String("ORDER2"), Description: stripe.String("kept?")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "transfer_group")
		Expect(emu.EventTypes("")[mark:]).To(BeEmpty())
		ch, err = sc.V1Charges.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.TransferGroup).To(Equal("ORDER1"))
		Expect(ch.Description).To(BeEmpty(), "a refused update changes nothing")

		dest, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Charges.Update(Ctx, dest.LatestCharge.ID, &stripe.ChargeUpdateParams{TransferGroup: stripe.String("ORDER3")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "transfer_group")
		ch, err = sc.V1Charges.Retrieve(Ctx, dest.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.TransferGroup).To(Equal("group_"+dest.ID), "the group its transfer is in")
	})
	It("refunds with reverse_transfer a sliver whose share of the transfer rounds to nothing, reversing nothing yet", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller), Amount: stripe.Int64(100)}})
		Expect(err).NotTo(HaveOccurred())
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		// 5 of 2000 is 0.25 of the 100 transferred.
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(5), ReverseTransfer: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(re.Amount).To(Equal(int64(5)))
		Expect(re.TransferReversal).To(BeNil(), "nothing reversed")
		tr, err := sc.V1Transfers.Retrieve(Ctx, ch.Transfer.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(tr.AmountReversed).To(BeZero())
		Expect(emu.Count("", "transfer_reversal")).To(BeZero())

		rest, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), ReverseTransfer: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(rest.Amount).To(Equal(int64(1995)))
		Expect(rest.TransferReversal).NotTo(BeNil())
		tr, err = sc.V1Transfers.Retrieve(Ctx, ch.Transfer.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(tr.Reversed).To(BeTrue(), "the charge fully refunded, the whole transfer is reversed")
		Expect(tr.AmountReversed).To(Equal(int64(100)))
	})
	It("groups a transfer with its source_transaction: the charge's transfer_group, else group_<PaymentIntent> given to both", func() {
		// Stripe's separate charges and transfers guide, "Transfer
		// availability".
		ManualPayouts(emu, "")
		pay := func(group string) *stripe.PaymentIntent {
			GinkgoHelper()
			p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd"),
				PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)}
			if group != "" {
				p.TransferGroup = stripe.String(group)
			}
			pi, err := sc.V1PaymentIntents.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			return pi
		}
		transfer := func(pi *stripe.PaymentIntent, to string) *stripe.Transfer {
			GinkgoHelper()
			tr, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
				Destination: stripe.String(to), SourceTransaction: stripe.String(pi.LatestCharge.ID)})
			Expect(err).NotTo(HaveOccurred())
			return tr
		}

		grouped := pay("ORDER7")
		Expect(transfer(grouped, seller).TransferGroup).To(Equal("ORDER7"), "the charge's own group")

		plain := pay("")
		first := transfer(plain, seller)
		Expect(first.TransferGroup).To(Equal("group_" + plain.ID))
		ch, err := sc.V1Charges.Retrieve(Ctx, plain.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.TransferGroup).To(Equal("group_"+plain.ID), "the charge is given the same group")
		Expect(transfer(plain, other).TransferGroup).To(Equal("group_" + plain.ID))

		var listed []string
		for tr, err := range sc.V1Transfers.List(Ctx, &stripe.TransferListParams{TransferGroup: stripe.String("group_" + plain.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			listed = append(listed, tr.ID)
		}
		Expect(listed).To(HaveLen(2))

		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd"),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"}), PaymentMethod: stripe.String("pm_card_bypassPending"), Confirm: stripe.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		free, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Destination: stripe.String(seller)})
		Expect(err).NotTo(HaveOccurred())
		Expect(free.TransferGroup).To(BeEmpty(), "a transfer from the balance has no group unless given one")
	})
})
