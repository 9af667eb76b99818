package payments_test

import (
	"net/url"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("PaymentIntents", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("payer@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})

	pay := func(pm string, extra func(*stripe.PaymentIntentCreateParams)) (*stripe.PaymentIntent, error) {
		p := &stripe.PaymentIntentCreateParams{
			// Card payments confirmed on the server: no redirect-based methods.
			AutomaticPaymentMethods: &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true), AllowRedirects: stripe.String("never")},
			Amount:                  stripe.Int64(2000), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
		}
		if extra != nil {
			extra(p)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	product := func(sc *stripe.Client) string {
		GinkgoHelper()
		p, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		return p.ID
	}

	It("shows Stripe's card options, request_three_d_secure automatic, on intents offering cards, and none once cards are not offered", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(2000), Currency: stripe.String("usd"), PaymentMethodTypes: []*string{stripe.String("card"), stripe.String("us_bank_account")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodOptions.Card).NotTo(BeNil())
		Expect(pi.PaymentMethodOptions.Card.RequestThreeDSecure).To(Equal(stripe.PaymentIntentPaymentMethodOptionsCardRequestThreeDSecureAutomatic))
		raw, _ := emu.Get(pi.ID)
		card := raw["payment_method_options"].(map[string]any)["card"].(map[string]any)
		Expect(card).To(HaveKeyWithValue("installments", BeNil()))
		Expect(card).To(HaveKeyWithValue("network", BeNil()))

		pi, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{PaymentMethodTypes: []*string{stripe.String("us_bank_account")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodOptions.Card).To(BeNil())

		auto, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{CaptureMethod: stripe.String("manual")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(auto.PaymentMethodOptions.Card.RequestThreeDSecure).To(Equal(stripe.PaymentIntentPaymentMethodOptionsCardRequestThreeDSecureAutomatic))
		Expect(auto.PaymentMethodOptions.Card.CaptureMethod).To(Equal(stripe.PaymentIntentPaymentMethodOptionsCardCaptureMethodManual))
	})

	It("shows shipping whole, every address field and carrier, phone and tracking_number null unless sent, on the intent and its charge", func() {
		pi, err := pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
			p.Shipping = &stripe.ShippingDetailsParams{Name: stripe.String("Jo"), Address: &stripe.AddressParams{Line1: stripe.String("1 Main St")}}
		})
		Expect(err).NotTo(HaveOccurred())
		whole := func(id string) map[string]any {
			GinkgoHelper()
			o, ok := emu.Get(id)
			Expect(ok).To(BeTrue())
			return o["shipping"].(map[string]any)
		}
		for _, id := range []string{pi.ID, pi.LatestCharge.ID} {
			sh := whole(id)
			Expect(sh).To(HaveKeyWithValue("name", "Jo"))
			Expect(sh).To(HaveKeyWithValue("carrier", BeNil()))
			Expect(sh).To(HaveKeyWithValue("phone", BeNil()))
			Expect(sh).To(HaveKeyWithValue("tracking_number", BeNil()))
			Expect(sh["address"]).To(Equal(map[string]any{"city": nil, "country": nil, "line1": "1 Main St", "line2": nil, "postal_code": nil, "state": nil}))
		}
		_, err = sc.V1Charges.Update(Ctx, pi.LatestCharge.ID, &stripe.ChargeUpdateParams{
			Shipping: &stripe.ShippingDetailsParams{Name: stripe.String("Al"), Carrier: stripe.String("UPS"), Address: &stripe.AddressParams{City: stripe.String("Paris")}}})
		Expect(err).NotTo(HaveOccurred())
		sh := whole(pi.LatestCharge.ID)
		Expect(sh).To(HaveKeyWithValue("carrier", "UPS"))
		Expect(sh).To(HaveKeyWithValue("tracking_number", BeNil()))
		Expect(sh["address"]).To(HaveKeyWithValue("city", "Paris"))
		Expect(sh["address"]).To(HaveLen(6))
	})

	It("refuses receipt_email that is no email address, and its update while processing or canceled, in Stripe's words, changing nothing", func() {
		_, err := pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) { p.ReceiptEmail = stripe.String("not-an-email") })
		ExpectStripeError(err, 400, "invalid_request_error", "email_invalid", "receipt_email")
		Expect(StripeErr(err).Msg).To(Equal("Invalid email address: not-an-email"))
		Expect(emu.Count("", "payment_intent")).To(BeZero())

		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String("pm_success_de"), PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, Confirm: stripe.Bool(true),
			MandateData: &stripe.PaymentIntentCreateMandateDataParams{CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{Type: stripe.String("offline")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{ReceiptEmail: stripe.String("payer@example.com")})
		ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "receipt_email")
		// As Stripe answered an integration (solspace/craft-freeform#2644).
		Expect(StripeErr(err).Msg).To(Equal("This PaymentIntent's receipt_email could not be updated because it has a status of processing. You may only update the receipt_email of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action, requires_capture, succeeded."))

		canceled, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Cancel(Ctx, canceled.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Update(Ctx, canceled.ID, &stripe.PaymentIntentUpdateParams{ReceiptEmail: stripe.String("payer@example.com")})
		ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "receipt_email")
		Expect(StripeErr(err).Msg).To(HavePrefix("This PaymentIntent's receipt_email could not be updated because it has a status of canceled."))
		canceled, err = sc.V1PaymentIntents.Retrieve(Ctx, canceled.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(canceled.ReceiptEmail).To(BeEmpty())

		done, err := pay("pm_card_visa", nil)
		Expect(err).NotTo(HaveOccurred())
		done, err = sc.V1PaymentIntents.Update(Ctx, done.ID, &stripe.PaymentIntentUpdateParams{ReceiptEmail: stripe.String("payer@example.com")})
		Expect(err).NotTo(HaveOccurred())
		Expect(done.ReceiptEmail).To(Equal("payer@example.com"))
	})

	Describe("for a Connect platform", Label("connect", "story-2"), func() {
		var acct string
		BeforeEach(func() {
			acct = Seller(emu, nil).ID
		})

		It("takes a destination charge with the platform's fee, shown on the intent and its charge", func() {
			pi, err := pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
				p.ApplicationFeeAmount = stripe.Int64(150)
				p.TransferData = &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(acct)}
				p.OnBehalfOf = stripe.String(acct)
				p.AddExpand("latest_charge")
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(pi.ApplicationFeeAmount).To(Equal(int64(150)))
			Expect(pi.TransferData.Destination.ID).To(Equal(acct))
			Expect(pi.OnBehalfOf.ID).To(Equal(acct))
			ch := pi.LatestCharge
			Expect(ch.ApplicationFeeAmount).To(Equal(int64(150)))
			Expect(ch.TransferData.Destination.ID).To(Equal(acct))
			Expect(ch.TransferData.Amount).To(BeZero(), "null unless transfer_data[amount] says: the whole charge goes to the destination")
			Expect(ch.OnBehalfOf.ID).To(Equal(acct))
			Expect(pi.TransferGroup).To(Equal("group_"+pi.ID), "Stripe groups a destination charge under its intent")
			Expect(ch.TransferGroup).To(Equal(pi.TransferGroup))
			Expect(ch.Transfer.ID).To(HavePrefix("tr_"))
			Expect(ch.ApplicationFee.ID).To(HavePrefix("fee_"))
		})

		It("takes a direct charge's fee on the connected account", func() {
			p := &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"), Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
				PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), ApplicationFeeAmount: stripe.Int64(100)}
			p.SetStripeAccount(acct)
			pi, err := sc.V1PaymentIntents.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.ApplicationFeeAmount).To(Equal(int64(100)))
			Expect(pi.Application.ID).To(HavePrefix("ca_"), "the platform's Connect application made it")
		})

		It("refuses fees without a connected account, unknown destinations and fees above the amount, creating nothing", func() {
			before := emu.Count("", "payment_intent")
			_, err := pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) { p.ApplicationFeeAmount = stripe.Int64(100) })
			Expect(StripeErr(err).Param).To(Equal("application_fee_amount"))
			_, err = pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
				p.TransferData = &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String("acct_1NotConnected")}
			})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeResourceMissing))
			Expect(StripeErr(err).Param).To(Equal("transfer_data[destination]"))
			_, err = pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
				p.ApplicationFeeAmount = stripe.Int64(2001)
				p.TransferData = &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(acct)}
			})
			Expect(StripeErr(err).Param).To(Equal("application_fee_amount"))
			_, err = pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
				p.ApplicationFeeAmount = stripe.Int64(100)
				p.TransferData = &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(acct), Amount: stripe.Int64(1500)}
			})
			Expect(StripeErr(err).Msg).To(ContainSubstring("does not emulate a destination charge with both"))
			Expect(emu.Count("", "payment_intent")).To(Equal(before))
			Expect(emu.Count("", "transfer")).To(BeZero())
		})

		It("refuses a destination whose transfers capability is not active, until its onboarding completes", func() {
			requested, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"),
				Capabilities: &stripe.AccountCreateCapabilitiesParams{Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
			Expect(err).NotTo(HaveOccurred())
			bare, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
			Expect(err).NotTo(HaveOccurred())
			before := emu.Count("", "payment_intent")
			for _, id := range []string{requested.ID, bare.ID} {
				_, err = pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
					p.TransferData = &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(id)}
				})
				ExpectStripeError(err, 400, "invalid_request_error", "insufficient_capabilities_for_transfer", "transfer_data[destination]")
				Expect(StripeErr(err).Msg).To(Equal("Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments"))
			}
			Expect(emu.Count("", "payment_intent")).To(Equal(before))

			status, body, err := emu.Call("POST", "/v1/test_helpers/accounts/"+requested.ID+"/complete_onboarding", nil, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			pi, err := pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) {
				p.TransferData = &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(requested.ID)}
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.TransferData.Destination.ID).To(Equal(requested.ID))

			// Subscriptions and Checkout Sessions check it as they are made.
			cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{PaymentMethod: stripe.String("pm_card_visa"),
				InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				Items: []*stripe.SubscriptionCreateItemParams{{PriceData: &stripe.SubscriptionCreateItemPriceDataParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1000),
					Product: stripe.String(product(sc)), Recurring: &stripe.SubscriptionCreateItemPriceDataRecurringParams{Interval: stripe.String("month")}}}},
				TransferData: &stripe.SubscriptionCreateTransferDataParams{Destination: stripe.String(bare.ID)}})
			ExpectStripeError(err, 400, "invalid_request_error", "insufficient_capabilities_for_transfer", "transfer_data[destination]")
			_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://example.com/ok"),
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Quantity: stripe.Int64(1), PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
					Currency: stripe.String("usd"), UnitAmount: stripe.Int64(500), ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Mug")}}}},
				PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{TransferData: &stripe.CheckoutSessionCreatePaymentIntentDataTransferDataParams{Destination: stripe.String(bare.ID)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "insufficient_capabilities_for_transfer", "payment_intent_data[transfer_data][destination]")
			Expect(emu.Count("", "subscription")).To(BeZero())
			Expect(emu.Count("", "checkout.session")).To(BeZero())

			By("a separate transfer, too")
			transfers := emu.Count("", "transfer")
			_, err = sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{Amount: stripe.Int64(100), Currency: stripe.String("usd"), Destination: stripe.String(bare.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "insufficient_capabilities_for_transfer", "destination")
			Expect(emu.Count("", "transfer")).To(Equal(transfers))
		})
	})

	It("takes a card payment with automatic capture, in Stripe's event order", func() {
		mark := len(emu.EventTypes(""))
		pi, err := pay("pm_card_visa", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.ID).To(MatchRegexp(`^pi_[0-9A-Za-z]{24}$`))
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(pi.AmountReceived).To(Equal(int64(2000)))
		Expect(pi.ClientSecret).To(HavePrefix(pi.ID + "_secret_"))
		Expect(pi.PaymentMethod.ID).To(HavePrefix("pm_"))
		Expect(pi.PaymentMethod.ID).NotTo(Equal("pm_card_visa"), "a magic id becomes a real PaymentMethod")
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "charge.updated"}))

		p := &stripe.PaymentIntentRetrieveParams{}
		p.AddExpand("latest_charge")
		p.AddExpand("payment_method")
		got, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, p)
		Expect(err).NotTo(HaveOccurred())
		ch := got.LatestCharge
		Expect(ch.Status).To(Equal(stripe.ChargeStatusSucceeded))
		Expect(ch.Captured).To(BeTrue())
		Expect(ch.Amount).To(Equal(int64(2000)))
		Expect(ch.BalanceTransaction).NotTo(BeNil())
		txn, err := sc.V1BalanceTransactions.Retrieve(Ctx, ch.BalanceTransaction.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(txn.BalanceType).To(Equal(stripe.BalanceTransactionBalanceTypePayments))
		Expect(txn.Net).To(Equal(txn.Amount - txn.Fee))
		Expect(ch.PaymentMethodDetails.Card.Last4).To(Equal("4242"))
		Expect(ch.PaymentMethodDetails.Card.Overcapture.MaximumAmountCapturable).To(Equal(int64(2000)), "the whole charge, overcapture being unavailable")
		Expect(ch.TransferData).To(BeNil(), "only a destination charge has transfer_data")
		Expect(got.PaymentMethod.Card.Brand).To(Equal(stripe.PaymentMethodCardBrandVisa))
		Expect(got.PaymentMethod.Card.Fingerprint).NotTo(BeEmpty())
	})

	It("names the confirming request in a card payment's events, but not in the charge.updated of its balance transaction, which Stripe records on its own", func() {
		mark := len(emu.EventTypes(""))
		_, err := pay("pm_card_visa", nil)
		Expect(err).NotTo(HaveOccurred())
		evs := emu.Events("")[mark:]
		Expect(evs).To(HaveLen(4))
		for _, ev := range evs {
			req := ev["request"].(map[string]any)
			if ev["type"] == "charge.updated" {
				Expect(req).To(Equal(map[string]any{"id": nil, "idempotency_key": nil}))
				Expect(ev["data"].(map[string]any)["previous_attributes"]).To(HaveKeyWithValue("balance_transaction", BeNil()))
				continue
			}
			Expect(req["id"]).To(HavePrefix("req_"), ev["type"])
			Expect(req["idempotency_key"]).NotTo(BeNil(), "stripe-go sends one on every POST")
		}
	})

	// refundsOf lists the refunds of a PaymentIntent (GET /v1/refunds?payment_intent=).
	refundsOf := func(pi string) []*stripe.Refund {
		GinkgoHelper()
		var out []*stripe.Refund
		for r, err := range sc.V1Refunds.List(Ctx, &stripe.RefundListParams{PaymentIntent: stripe.String(pi)}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, r)
		}
		return out
	}
	// balanceOf is the amounts of a charge's balance transactions.
	balanceOf := func(ch string) []int64 {
		GinkgoHelper()
		var out []int64
		for bt, err := range sc.V1BalanceTransactions.List(Ctx, &stripe.BalanceTransactionListParams{Source: stripe.String(ch)}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, bt.Amount)
		}
		return out
	}

	It("captures part of a manual authorisation", func() {
		pi, err := pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
		Expect(pi.AmountCapturable).To(Equal(int64(2000)))
		Expect(emu.EventTypes("")).To(ContainElement("payment_intent.amount_capturable_updated"))

		pi, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(1500)})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(pi.AmountReceived).To(Equal(int64(1500)))
		Expect(pi.AmountCapturable).To(BeZero())
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.AmountCaptured).To(Equal(int64(1500)))
		// 2025-03-31.basil: the uncaptured rest is released without a
		// Refund; amount_refunded and refunded are left alone, and the
		// capture is one balance transaction, of the captured amount.
		Expect(ch.AmountRefunded).To(BeZero(), "the release is no refund")
		Expect(ch.Refunded).To(BeFalse())
		Expect(refundsOf(pi.ID)).To(BeEmpty())
		Expect(balanceOf(ch.ID)).To(Equal([]int64{1500}))
		Expect(emu.EventTypes("")[len(emu.EventTypes(""))-2:]).To(Equal([]string{"charge.captured", "payment_intent.succeeded"}))
		Expect(emu.EventTypes("")).NotTo(ContainElement("charge.refunded"))

		// What was captured is what a refund can give back, whole.
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1501)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
		Expect(StripeErr(err).Msg).To(Equal("Refund amount ($15.01) is greater than charge amount ($15.00)"))
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(re.Amount).To(Equal(int64(1500)))
		ch, err = sc.V1Charges.Retrieve(Ctx, ch.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.AmountRefunded).To(Equal(int64(1500)))
		Expect(ch.Refunded).To(BeTrue(), "all that was captured is refunded")
		Expect(refundsOf(pi.ID)).To(HaveLen(1))
	})

	It("refuses to capture more than was authorised, changing nothing", func() {
		pi, err := pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(2001)})
		Expect(StripeErr(err).Param).To(Equal("amount_to_capture"))
		again, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(again.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
	})

	// param names the card field a decline blames, as Stripe's error bodies
	// do for an expired card (exp_month) and a wrong CVC (cvc); others name
	// none. An expired card, a wrong CVC and a processing error carry no
	// decline_code, their code saying it.
	DescribeTable("declines each test card with Stripe's codes and leaves the intent retryable",
		func(pm, code, declineCode, param string) {
			mark := len(emu.EventTypes(""))
			_, err := pay(pm, nil)
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(402))
			Expect(se.Type).To(Equal(stripe.ErrorTypeCard))
			Expect(string(se.Code)).To(Equal(code))
			Expect(string(se.DeclineCode)).To(Equal(declineCode))
			Expect(se.ChargeID).To(HavePrefix("ch_"))
			Expect(se.PaymentIntent).NotTo(BeNil())
			Expect(se.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
			Expect(se.PaymentIntent.LastPaymentError).NotTo(BeNil())
			Expect(string(se.PaymentIntent.LastPaymentError.Code)).To(Equal(code))
			Expect(se.Param).To(Equal(param))
			Expect(se.PaymentIntent.LastPaymentError.Param).To(Equal(param))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "charge.failed", "payment_intent.payment_failed"}))

			ch, err := sc.V1Charges.Retrieve(Ctx, se.ChargeID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Status).To(Equal(stripe.ChargeStatusFailed))
			Expect(ch.FailureCode).To(Equal(code))

			pi, err := sc.V1PaymentIntents.Confirm(Ctx, se.PaymentIntent.ID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(pi.LastPaymentError).To(BeNil())
			Expect(pi.LatestCharge.ID).NotTo(Equal(se.ChargeID))
		},
		Entry("generic decline", "pm_card_chargeDeclined", "card_declined", "generic_decline", ""),
		Entry("insufficient funds", "pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds", ""),
		Entry("lost card", "pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card", ""),
		Entry("stolen card", "pm_card_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card", ""),
		Entry("expired card", "pm_card_chargeDeclinedExpiredCard", "expired_card", "", "exp_month"),
		Entry("incorrect CVC", "pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "", "cvc"),
		Entry("processing error", "pm_card_chargeDeclinedProcessingError", "processing_error", "", ""),
		Entry("customer fail", "pm_card_chargeCustomerFail", "card_declined", "generic_decline", ""),
	)

	Describe("3-D Secure", func() {
		It("stops on-session at requires_action until the customer authenticates", func() {
			pi, err := pay("pm_card_authenticationRequired", nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
			Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionTypeUseStripeSDK))
			Expect(pi.LatestCharge).To(BeNil(), "nothing is charged before authentication")

			status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate", nil, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200))
			Expect(body["status"]).To(Equal("succeeded"))
			Expect(emu.EventTypes("")).To(ContainElements("payment_intent.requires_action", "payment_intent.succeeded"))
		})

		It("shows the authentication on the charge's payment_method_details.card.three_d_secure, and none on a charge that was not authenticated", func() {
			pi, err := pay("pm_card_threeDSecure2Required", nil)
			Expect(err).NotTo(HaveOccurred())
			_, _, err = emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate", nil, "")
			Expect(err).NotTo(HaveOccurred())
			pi, err = sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, &stripe.PaymentIntentRetrieveParams{Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}}})
			Expect(err).NotTo(HaveOccurred())
			tds := pi.LatestCharge.PaymentMethodDetails.Card.ThreeDSecure
			Expect(tds).NotTo(BeNil())
			Expect(tds.Result).To(Equal(stripe.ChargePaymentMethodDetailsCardThreeDSecureResultAuthenticated))
			Expect(tds.AuthenticationFlow).To(Equal(stripe.ChargePaymentMethodDetailsCardThreeDSecureAuthenticationFlowChallenge))
			Expect(tds.Version).To(Equal("2.2.0"))
			Expect(tds.ElectronicCommerceIndicator).To(Equal(stripe.ChargePaymentMethodDetailsCardThreeDSecureElectronicCommerceIndicator05))
			Expect(tds.TransactionID).NotTo(BeEmpty())

			plain, err := pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) { p.AddExpand("latest_charge") })
			Expect(err).NotTo(HaveOccurred())
			Expect(plain.LatestCharge.PaymentMethodDetails.Card.ThreeDSecure).To(BeNil())
		})

		It("redirects when a return_url is given, and can fail authentication", func() {
			pi, err := pay("pm_card_threeDSecure2Required", func(p *stripe.PaymentIntentCreateParams) { p.ReturnURL = stripe.String("https://shop.example/done") })
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.NextAction.RedirectToURL.ReturnURL).To(Equal("https://shop.example/done"))
			status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate", url.Values{"outcome": {"fail"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200))
			Expect(body["status"]).To(Equal("requires_payment_method"))
			Expect(body["last_payment_error"].(map[string]any)["code"]).To(Equal("payment_intent_authentication_failure"))
		})

		It("declines off-session with authentication_required", func() {
			_, err := pay("pm_card_authenticationRequired", func(p *stripe.PaymentIntentCreateParams) { p.OffSession = stripe.Bool(true) })
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(402))
			Expect(se.Code).To(Equal(stripe.ErrorCode("authentication_required")))
			Expect(se.DeclineCode).To(Equal(stripe.DeclineCode("authentication_required")))
			Expect(se.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		})
	})

	Describe("delayed-notification methods", func() {
		sepa := func(iban string) string {
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type:           stripe.String("sepa_debit"),
				SEPADebit:      &stripe.PaymentMethodCreateSEPADebitParams{IBAN: stripe.String(iban)},
				BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny"), Email: stripe.String("j@example.com")},
			})
			Expect(err).NotTo(HaveOccurred())
			return pm.ID
		}
		// The debits' mandate, which Stripe asks of a method that has none.
		offline := &stripe.PaymentIntentCreateMandateDataParams{
			CustomerAcceptance: &stripe.PaymentIntentCreateMandateDataCustomerAcceptanceParams{Type: stripe.String("offline")}}
		payEUR := func(pm string) *stripe.PaymentIntent {
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(5000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
				PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, Confirm: stripe.Bool(true),
				MandateData: offline,
			})
			Expect(err).NotTo(HaveOccurred())
			return pi
		}

		It("settles a SEPA debit when the clock passes, with its events", func() {
			mark := len(emu.EventTypes(""))
			pi := payEUR(sepa("DE89370400440532013000"))
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.processing", "charge.pending"}))

			emu.Clock().Advance(time.Minute)
			still, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(still.Status).To(Equal(stripe.PaymentIntentStatusProcessing))

			emu.Clock().Advance(5 * time.Minute)
			done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(eventsSince(mark)[3:]).To(Equal([]string{"charge.succeeded", "payment_intent.succeeded"}))
			evs := emu.Events("")
			Expect(evs[len(evs)-1]["request"].(map[string]any)["id"]).To(BeNil(), "settlement is not a request")
		})

		It("refuses to cancel a processing SEPA debit, which only ACH debits allow", func() {
			pi := payEUR(sepa("DE89370400440532013000"))
			_, err := sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil)
			Expect(err).To(HaveOccurred())
			Expect(err.(*stripe.Error).Code).To(Equal(stripe.ErrorCode("payment_intent_unexpected_state")))
			still, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(still.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		})

		It("fails a SEPA debit later for the failing test IBAN", func() {
			mark := len(emu.EventTypes(""))
			pi := payEUR(sepa("DE62370400440532013001"))
			emu.Clock().Advance(10 * time.Minute)
			done, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(done.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
			Expect(done.LastPaymentError.Code).To(Equal(stripe.ErrorCode("insufficient_funds")))
			Expect(eventsSince(mark)[3:]).To(Equal([]string{"charge.failed", "payment_intent.payment_failed"}))
		})

		DescribeTable("takes Stripe's SEPA test PaymentMethods, each standing for its test IBAN",
			func(token, iban, failure string) {
				pi := payEUR(token)
				Expect(pi.PaymentMethod.ID).To(HavePrefix("pm_"))
				Expect(pi.PaymentMethod.ID).NotTo(Equal(token))
				pm, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(pm.SEPADebit.Country).To(Equal(iban[:2]))
				Expect(pm.SEPADebit.Last4).To(Equal(iban[len(iban)-4:]))
				Expect(pm.BillingDetails.Email).NotTo(BeEmpty())
				emu.Clock().Advance(10 * time.Minute)
				done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				if failure == "" {
					Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
					return
				}
				Expect(done.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
				Expect(done.LastPaymentError.Code).To(Equal(stripe.ErrorCode(failure)))
			},
			Entry("success (DE)", "pm_success_de", "DE89370400440532013000", ""),
			Entry("delayed success (AT)", "pm_successDelayed_at", "AT321904300235473204", ""),
			Entry("failure (FR)", "pm_failed_fr", "FR8420041010050500013M02607", "insufficient_funds"),
			Entry("weekly volume limit (NL)", "pm_exceedsWeeklyVolumeLimit_nl", "NL27RABO0000343434", "charge_exceeds_source_limit"),
			Entry("transaction limit (ES)", "pm_exceedsWeeklyTransactionLimit_es", "ES7600120345000000121212", "charge_exceeds_weekly_limit"),
			Entry("insufficient funds (ES)", "pm_insufficientFunds_es", "ES1700120345000002222227", "insufficient_funds"),
		)

		It("refuses Stripe's disputed SEPA test PaymentMethods, whose disputes are not emulated", func() {
			count := emu.Count("", "payment_intent")
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(5000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
				PaymentMethod: stripe.String("pm_disputed_de"), PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, Confirm: stripe.Bool(true),
			})
			Expect(err).To(HaveOccurred())
			se := err.(*stripe.Error)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Param).To(Equal("payment_method"))
			Expect(se.Msg).To(ContainSubstring("not emulate"))
			Expect(emu.Count("", "payment_intent")).To(Equal(count))
		})

		It("settles a US bank account debit (ACH) in usd once its microdeposits are verified, its charge shaped as Stripe's", func() {
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type: stripe.String("us_bank_account"),
				USBankAccount: &stripe.PaymentMethodCreateUSBankAccountParams{AccountHolderType: stripe.String("individual"),
					AccountNumber: stripe.String("000123456789"), RoutingNumber: stripe.String("110000000")},
				BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny")},
			})
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(5000), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
				PaymentMethod: stripe.String(pm.ID), PaymentMethodTypes: []*string{stripe.String("us_bank_account")}, Confirm: stripe.Bool(true),
				MandateData: offline,
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction), "an account entered by its numbers is verified first")
			pi, err = sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, &stripe.PaymentIntentVerifyMicrodepositsParams{DescriptorCode: stripe.String("SM11AA")})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action", "mandate.updated", "payment_intent.processing", "charge.pending"}), "the mandate turns active once the account is verified")
			ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.PaymentMethodDetails.USBankAccount.Last4).To(Equal("6789"))
			emu.Clock().Advance(10 * time.Minute)
			done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		})

		It("settles on demand through the test helper", func() {
			pi := payEUR(sepa("DE89370400440532013000"))
			status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/settle", url.Values{"outcome": {"fail"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200))
			Expect(body["status"]).To(Equal("requires_payment_method"))
		})

		It("creates the debit's method from payment_method_data, with its billing details, metadata and allow_redisplay", func() {
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(5000), Currency: stripe.String("eur"), Customer: stripe.String(cus.ID),
				PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
				PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{
					Type:      stripe.String("sepa_debit"),
					SEPADebit: &stripe.PaymentMethodSEPADebitParams{IBAN: stripe.String("DE89370400440532013000")},
					BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{
						Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com"), TaxID: stripe.String("DE123456789"),
						Address: &stripe.AddressParams{Line1: stripe.String("Unter den Linden 1"), City: stripe.String("Berlin"),
							PostalCode: stripe.String("10117"), Country: stripe.String("DE")},
					},
					Metadata:       map[string]string{"source": "checkout-form"},
					AllowRedisplay: stripe.String("always"),
					RadarOptions:   &stripe.PaymentIntentCreatePaymentMethodDataRadarOptionsParams{Session: stripe.String("rse_test")},
				},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresConfirmation))
			pm, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.BillingDetails.Name).To(Equal("Jenny Rosen"))
			Expect(pm.BillingDetails.TaxID).To(Equal("DE123456789"))
			Expect(pm.BillingDetails.Address.City).To(Equal("Berlin"))
			Expect(pm.BillingDetails.Address.PostalCode).To(Equal("10117"))
			Expect(pm.BillingDetails.Address.Country).To(Equal("DE"))
			Expect(pm.Metadata).To(Equal(map[string]string{"source": "checkout-form"}))
			Expect(pm.AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayAlways))
		})

		It("refuses sepa_debit for a non-euro intent", func() {
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(5000), Currency: stripe.String("usd"), PaymentMethodTypes: []*string{stripe.String("sepa_debit")},
			})
			Expect(StripeErr(err).Param).To(Equal("payment_method_types"))
		})
	})

	It("keeps automatic_payment_methods' allow_redirects", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			AutomaticPaymentMethods: &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true), AllowRedirects: stripe.String("never")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.AutomaticPaymentMethods.Enabled).To(BeTrue())
		Expect(pi.AutomaticPaymentMethods.AllowRedirects).To(Equal(stripe.PaymentIntentAutomaticPaymentMethodsAllowRedirectsNever))
	})

	Describe("illegal transitions", func() {
		It("refuses them with payment_intent_unexpected_state and changes nothing", func() {
			pi, err := pay("pm_card_visa", nil)
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))

			_, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil)
			se := StripeErr(err)
			Expect(se.Code).To(Equal(stripe.ErrorCodePaymentIntentUnexpectedState))
			Expect(se.Msg).To(Equal("This PaymentIntent could not be captured because it has already been captured."))

			_, err = sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil)
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodePaymentIntentUnexpectedState))
			_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, nil)
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodePaymentIntentUnexpectedState))
			_, err = sc.V1PaymentIntents.Update(Ctx, pi.ID, &stripe.PaymentIntentUpdateParams{Amount: stripe.Int64(10)})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodePaymentIntentUnexpectedState))

			again, _ := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(again.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(again.Amount).To(Equal(int64(2000)))
			Expect(emu.EventTypes("")).To(HaveLen(mark))
		})

		It("confirms nothing without a payment method", func() {
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(900), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
			_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, nil)
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodePaymentIntentUnexpectedState))
		})

		It("cancels an authorisation, releasing it without refunding its charge", func() {
			pi, err := pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			pi, err = sc.V1PaymentIntents.Cancel(Ctx, pi.ID, &stripe.PaymentIntentCancelParams{CancellationReason: stripe.String("requested_by_customer")})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
			Expect(pi.CancellationReason).To(Equal(stripe.PaymentIntentCancellationReasonRequestedByCustomer))
			Expect(pi.AmountCapturable).To(BeZero())
			// 2025-03-31.basil: no Refund, no charge.refunded; the charge
			// keeps amount_captured 0, amount_refunded 0, refunded false.
			Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.canceled"}))
			ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Captured).To(BeFalse())
			Expect(ch.AmountCaptured).To(BeZero())
			Expect(ch.AmountRefunded).To(BeZero())
			Expect(ch.Refunded).To(BeFalse())
			Expect(refundsOf(pi.ID)).To(BeEmpty())
			Expect(emu.Count("", "refund")).To(BeZero())

			// Nothing was taken, so nothing can be given back: refusals,
			// changing nothing.
			mark = len(emu.EventTypes(""))
			_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "charge_not_refundable", "charge")
			Expect(StripeErr(err).Msg).To(ContainSubstring("its PaymentIntent (" + pi.ID + ") was canceled"))
			_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "charge_not_refundable", "payment_intent")
			_, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
			Expect(eventsSince(mark)).To(BeEmpty())
			Expect(emu.Count("", "refund")).To(BeZero())
		})

		It("refuses amounts Stripe refuses", func() {
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(10), Currency: stripe.String("usd")})
			se := StripeErr(err)
			Expect(se.Code).To(Equal(stripe.ErrorCodeAmountTooSmall))
			Expect(se.Param).To(Equal("amount"))
		})
	})

	It("leaves one legal final state when 50 goroutines race on one intent", func() {
		pi, err := pay("pm_card_visa", func(p *stripe.PaymentIntentCreateParams) { p.CaptureMethod = stripe.String("manual") })
		Expect(err).NotTo(HaveOccurred())
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := map[string]int{}
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(i int) {
				defer GinkgoRecover()
				defer wg.Done()
				var err error
				var op string
				switch i % 3 {
				case 0:
					op = "capture"
					_, err = sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil)
				case 1:
					op = "cancel"
					_, err = sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil)
				default:
					op = "confirm"
					_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{ReturnURL: stripe.String("https://example.com/return"), PaymentMethod: stripe.String("pm_card_visa")})
				}
				if err == nil {
					mu.Lock()
					wins[op]++
					mu.Unlock()
				} else {
					Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
				}
			}(i)
		}
		wg.Wait()
		Expect(wins).To(HaveLen(1), "exactly one kind of operation succeeded: %v", wins)
		for _, n := range wins {
			Expect(n).To(Equal(1))
		}
		final, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect([]stripe.PaymentIntentStatus{stripe.PaymentIntentStatusSucceeded, stripe.PaymentIntentStatusCanceled}).To(ContainElement(final.Status))
		n := 0
		for _, err := range sc.V1Charges.List(Ctx, &stripe.ChargeListParams{PaymentIntent: stripe.String(pi.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			n++
		}
		Expect(n).To(Equal(1), "one charge")
	})
})
