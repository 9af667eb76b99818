package checkout_test

import (
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A session's payment_method_types are what its page offers: each must
// take the session's currency, as a PaymentIntent's must, and the
// customer can pay only with one of them.
var _ = Describe("Checkout's payment method types", Label("checkout", "payments"), func() {
	var (
		emu    *emulator.Emulator
		sc     *stripe.Client
		ticket *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		ticket, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1500),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Ticket")}})
		Expect(err).NotTo(HaveOccurred())
	})

	session := func(types ...string) (*stripe.CheckoutSession, error) {
		p := &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
		}
		for _, t := range types {
			p.PaymentMethodTypes = append(p.PaymentMethodTypes, stripe.String(t))
		}
		return sc.V1CheckoutSessions.Create(Ctx, p)
	}

	// paidWith completes a session with the payment method, which pays at
	// once: the session's PaymentIntent, its latest charge expanded.
	paidWith := func(sessionID, pmID string) *stripe.PaymentIntent {
		GinkgoHelper()
		done, err := emu.CompleteCheckout("", sessionID, pmID)
		Expect(err).NotTo(HaveOccurred())
		Expect(done["payment_status"]).To(Equal("paid"))
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, done["payment_intent"].(string), &stripe.PaymentIntentRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("latest_charge")}}})
		Expect(err).NotTo(HaveOccurred())
		return pi
	}

	// refusedMakingNothing checks a session refused for its
	// payment_method_types with msg, no session made and no event sent
	// since before.
	refusedMakingNothing := func(err error, before int, msg string) {
		GinkgoHelper()
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(Equal(msg))
		Expect(emu.Count("", "checkout.session")).To(BeZero())
		Expect(emu.Events("")).To(HaveLen(before))
	}

	It("refuses a type that cannot pay in the session's currency, making nothing", func() {
		before := len(emu.Events(""))
		_, err := session("card", "ideal")
		refusedMakingNothing(err, before, "The currency provided (usd) is invalid for one or more payment method types on this Checkout Session. The payment method type ideal only supports the following currencies: eur.")
	})

	It("refuses a type the emulator cannot take payment with, by name, and giropay in Stripe's words, on a session and a payment link, making nothing", func() {
		for typ, msg := range map[string]string{
			"sofort":  "The payment method type `sofort` is not supported by stripe-emu; it emulates ",
			"bogus":   "The payment method type `bogus` is not supported by stripe-emu; it emulates ",
			"giropay": "Giropay is deprecated and can no longer be used for payment acceptance.",
		} {
			_, err := session("card", typ)
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(StripeErr(err).Msg).To(HavePrefix(msg))
			_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
				LineItems:          []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
				PaymentMethodTypes: []*string{stripe.String(typ)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(StripeErr(err).Msg).To(HavePrefix(msg))
		}
		Expect(emu.Count("", "checkout.session")).To(BeZero())
		Expect(emu.Count("", "payment_link")).To(BeZero())
	})

	// Link beside cards, as Stripe's samples send it: every mode and
	// payment links take it; a card still pays (the emulator's page does
	// not offer Link's own sign-in).
	It("offers link beside cards in every mode and on a payment link, with its setup_future_usage, and is paid by card", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("jenny@example.com")})
		Expect(err).NotTo(HaveOccurred())
		cardAndLink := []*string{stripe.String("card"), stripe.String("link")}
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), Customer: stripe.String(cus.ID),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: cardAndLink,
			PaymentMethodOptions: &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
				Link: &stripe.CheckoutSessionCreatePaymentMethodOptionsLinkParams{SetupFutureUsage: stripe.String("off_session")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.PaymentMethodTypes).To(Equal([]string{"card", "link"}))
		Expect(s.PaymentMethodOptions.Link.SetupFutureUsage).To(Equal(stripe.CheckoutSessionPaymentMethodOptionsLinkSetupFutureUsageOffSession))
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_visa"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["payment_status"]).To(Equal("paid"))
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.PaymentMethodOptions.Link.SetupFutureUsage).To(Equal(stripe.PaymentIntentPaymentMethodOptionsLinkSetupFutureUsageOffSession), "handed to the session's PaymentIntent")

		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: cardAndLink,
			PaymentMethodOptions: &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
				Link: &stripe.CheckoutSessionCreatePaymentMethodOptionsLinkParams{SetupFutureUsage: stripe.String("on_session")}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[link][setup_future_usage]")

		setup, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("setup"), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			SuccessURL: stripe.String("https://shop.example/ok"), PaymentMethodTypes: cardAndLink,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(setup.PaymentMethodTypes).To(Equal([]string{"card", "link"}))
		status, body, err = emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+setup.ID+"/complete", url.Values{"payment_method": {"pm_card_visa"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)

		plan, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(900),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}, ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Plan")}})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"), PaymentMethodTypes: cardAndLink,
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(plan.ID), Quantity: stripe.Int64(1)}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.PaymentMethodTypes).To(Equal([]string{"card", "link"}))
		status, body, err = emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+sub.ID+"/complete", url.Values{"payment_method": {"pm_card_visa"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["subscription"]).NotTo(BeNil())

		link, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
			LineItems:          []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: cardAndLink})
		Expect(err).NotTo(HaveOccurred())
		Expect(link.PaymentMethodTypes).To(Equal([]stripe.PaymentLinkPaymentMethodType{"card", "link"}))
	})

	// Stripe's Checkout offers Link to a customer who signs in to it with
	// their email and a one-time passcode; the complete helper's pm_link is
	// that customer, with the email the page collected.
	Describe("paid with Link (pm_link)", func() {
		var cus *stripe.Customer
		BeforeEach(func() {
			var err error
			cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("jenny@example.com")})
			Expect(err).NotTo(HaveOccurred())
		})

		It("charges a Link PaymentMethod with the customer's email, saves it for off-session payments, and refunds them", func() {
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), Customer: stripe.String(cus.ID),
				LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
				PaymentMethodTypes: []*string{stripe.String("card"), stripe.String("link")},
				PaymentIntentData:  &stripe.CheckoutSessionCreatePaymentIntentDataParams{SetupFutureUsage: stripe.String("off_session")},
			})
			Expect(err).NotTo(HaveOccurred())
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_link"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_status"]).To(Equal("paid"))

			p := &stripe.PaymentIntentRetrieveParams{}
			p.AddExpand("payment_method")
			p.AddExpand("latest_charge")
			pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), p)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(pi.PaymentMethodTypes).To(Equal([]string{"link"}))
			pm := pi.PaymentMethod
			Expect(pm.Type).To(Equal(stripe.PaymentMethodTypeLink))
			Expect(pm.Link.Email).To(Equal("jenny@example.com"))
			Expect(pm.BillingDetails.Email).To(Equal("jenny@example.com"))
			Expect(pm.Customer.ID).To(Equal(cus.ID), "saved for later payments")
			Expect(pi.LatestCharge.PaymentMethodDetails.Type).To(Equal(stripe.ChargePaymentMethodDetailsType("link")))
			Expect(pi.LatestCharge.PaymentMethodDetails.Link).NotTo(BeNil())
			Expect(pi.LatestCharge.PaymentMethodDetails.Card).To(BeNil())

			later, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(700), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
				PaymentMethod: stripe.String(pm.ID), PaymentMethodTypes: []*string{stripe.String("link")},
				Confirm: stripe.Bool(true), OffSession: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(later.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

			// A card's 3-D Secure request does not reach a Link payment.
			onSession, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(800), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
				PaymentMethod: stripe.String(pm.ID), PaymentMethodTypes: []*string{stripe.String("card"), stripe.String("link")},
				PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{Card: &stripe.PaymentIntentCreatePaymentMethodOptionsCardParams{
					RequestThreeDSecure: stripe.String("any")}},
				Confirm: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(onSession.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

			r, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(later.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Status).To(Equal(stripe.RefundStatusSucceeded))
			Expect(r.Amount).To(Equal(int64(700)))
		})

		It("sets up Link in setup mode", func() {
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("setup"), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
				SuccessURL: stripe.String("https://shop.example/ok"), PaymentMethodTypes: []*string{stripe.String("card"), stripe.String("link")},
			})
			Expect(err).NotTo(HaveOccurred())
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_link"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			si, err := sc.V1SetupIntents.Retrieve(Ctx, body["setup_intent"].(string), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
			pm, err := sc.V1PaymentMethods.Retrieve(Ctx, si.PaymentMethod.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.Type).To(Equal(stripe.PaymentMethodTypeLink))
			Expect(pm.Customer.ID).To(Equal(cus.ID))
		})

		It("starts a subscription whose invoices Link pays", func() {
			plan, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(900),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}, ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Plan")}})
			Expect(err).NotTo(HaveOccurred())
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"), Customer: stripe.String(cus.ID),
				PaymentMethodTypes: []*string{stripe.String("card"), stripe.String("link")},
				LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(plan.ID), Quantity: stripe.Int64(1)}},
			})
			Expect(err).NotTo(HaveOccurred())
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_link"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			p := &stripe.SubscriptionRetrieveParams{}
			p.AddExpand("default_payment_method")
			p.AddExpand("latest_invoice")
			sub, err := sc.V1Subscriptions.Retrieve(Ctx, body["subscription"].(string), p)
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
			Expect(sub.DefaultPaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeLink))
			Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		})

		It("is refused by a session that does not offer link", func() {
			s, err := session("card")
			Expect(err).NotTo(HaveOccurred())
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_link"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(400), "%v", body)
			Expect(body["error"].(map[string]any)["message"]).To(Equal("This Checkout Session does not offer payment method type link: it offers card."))
		})
	})

	It("is paid only with a type it offers", func() {
		// In euros, so SEPA Direct Debit could pay it were it offered.
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(oneTimePrice(sc, "Concert", 4500).ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String("card")},
		})
		Expect(err).NotTo(HaveOccurred())
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_sepa_debit"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400), "%v", body)
		Expect(body["error"].(map[string]any)["param"]).To(Equal("payment_method"))
		Expect(body["error"].(map[string]any)["message"]).To(Equal("This Checkout Session does not offer payment method type sepa_debit: it offers card."))
		got, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusOpen))
		Expect(got.PaymentIntent).To(BeNil())

		status, body, err = emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_visa"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["payment_status"]).To(Equal("paid"))
	})

	// Stripe's changelog for 2025-09-30.clover (per-method capture_method)
	// describes what came before it, this version: manual capture on a
	// session "would either remove unsupported payment methods from the UI
	// or cause errors when explicitly requested".
	Describe("with payment_intent_data[capture_method]=manual", func() {
		manual := func(types ...string) (*stripe.CheckoutSession, error) {
			p := &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:         []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
				PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{CaptureMethod: stripe.String("manual")},
			}
			for _, t := range types {
				p.PaymentMethodTypes = append(p.PaymentMethodTypes, stripe.String(t))
			}
			return sc.V1CheckoutSessions.Create(Ctx, p)
		}

		It("offers, from the payment method configuration, only the types that can hold funds for a later capture", func() {
			s, err := manual()
			Expect(err).NotTo(HaveOccurred())
			Expect(s.PaymentMethodTypes).To(ContainElement("card"))
			Expect(s.PaymentMethodTypes).NotTo(ContainElement("us_bank_account"), "an ACH debit is collected whole")
			automatic, err := session()
			Expect(err).NotTo(HaveOccurred())
			Expect(automatic.PaymentMethodTypes).To(ContainElement("us_bank_account"), "the same configuration offers it otherwise")
		})

		It("refuses at creation a type named in payment_method_types that cannot, making nothing", func() {
			before := len(emu.Events(""))
			_, err := manual("card", "us_bank_account")
			refusedMakingNothing(err, before, "The payment method type us_bank_account does not support `capture_method=manual`.")

			s, err := manual("card")
			Expect(err).NotTo(HaveOccurred())
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_card_visa"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_status"]).To(Equal("unpaid"), "the authorization waits for its capture")
		})
	})

	// stripe-go's reference for payment_intent_data[statement_descriptor]:
	// "Setting this value for a card charge returns an error", as a
	// PaymentIntent that can be paid by card refuses it.
	It("refuses payment_intent_data[statement_descriptor] where the session can be paid by card, taking it for other types", func() {
		descriptor := &stripe.CheckoutSessionCreatePaymentIntentDataParams{StatementDescriptor: stripe.String("TICKETS ONLINE")}
		for _, types := range [][]string{nil, {"card"}, {"card", "us_bank_account"}} {
			p := &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:         []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
				PaymentIntentData: descriptor,
			}
			for _, t := range types {
				p.PaymentMethodTypes = append(p.PaymentMethodTypes, stripe.String(t))
			}
			_, err := sc.V1CheckoutSessions.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_intent_data[statement_descriptor]")
			Expect(StripeErr(err).Msg).To(Equal("The `statement_descriptor` parameter is not supported for the `card` payment method type. Use `statement_descriptor_suffix` instead."), "types %v", types)
		}
		Expect(emu.Count("", "checkout.session")).To(BeZero())

		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String("us_bank_account")}, PaymentIntentData: descriptor,
		})
		Expect(err).NotTo(HaveOccurred())
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/complete", url.Values{"payment_method": {"pm_us_bank_account"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, body["payment_intent"].(string), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.StatementDescriptor).To(Equal("TICKETS ONLINE"))
	})

	It("refuses on a payment link what the sessions it opens would refuse: a statement descriptor beside card, a named type a manual capture cannot hold", func() {
		line := []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}}
		_, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: line,
			PaymentIntentData: &stripe.PaymentLinkCreatePaymentIntentDataParams{StatementDescriptor: stripe.String("TICKETS ONLINE")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_intent_data[statement_descriptor]")
		_, err = sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: line,
			PaymentMethodTypes: []*string{stripe.String("card"), stripe.String("us_bank_account")},
			PaymentIntentData:  &stripe.PaymentLinkCreatePaymentIntentDataParams{CaptureMethod: stripe.String("manual")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(emu.Count("", "payment_link")).To(BeZero())

		l, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{LineItems: line,
			PaymentIntentData: &stripe.PaymentLinkCreatePaymentIntentDataParams{CaptureMethod: stripe.String("manual")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentLinks.Update(Ctx, l.ID, &stripe.PaymentLinkUpdateParams{
			PaymentMethodTypes: []*string{stripe.String("us_bank_account")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		got, err := sc.V1PaymentLinks.Retrieve(Ctx, l.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PaymentMethodTypes).To(BeEmpty(), "a refused update changes nothing")
	})

	// Stripe's redirect guide for embedded forms: redirect_on_completion
	// never means no return page, and redirect-based payment methods
	// disabled; a return_url beside it is refused (as integrators met it,
	// laravel/cashier-stripe#1629).
	Describe("an embedded session that never redirects (redirect_on_completion=never)", func() {
		embedded := func(returnURL string, types ...string) (*stripe.CheckoutSession, error) {
			p := &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), UIMode: stripe.String("embedded"), RedirectOnCompletion: stripe.String("never"),
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(oneTimePrice(sc, "Concert", 4500).ID), Quantity: stripe.Int64(1)}},
			}
			if returnURL != "" {
				p.ReturnURL = stripe.String(returnURL)
			}
			for _, t := range types {
				p.PaymentMethodTypes = append(p.PaymentMethodTypes, stripe.String(t))
			}
			return sc.V1CheckoutSessions.Create(Ctx, p)
		}

		It("offers, from the payment method configuration, no type that redirects the customer", func() {
			s, err := embedded("")
			Expect(err).NotTo(HaveOccurred())
			Expect(s.ReturnURL).To(BeEmpty())
			Expect(s.PaymentMethodTypes).To(ContainElements("card", "sepa_debit"))
			for _, redirect := range []string{"ideal", "bancontact", "eps", "klarna"} {
				Expect(s.PaymentMethodTypes).NotTo(ContainElement(redirect))
			}
		})

		It("refuses a return_url, and a type named in payment_method_types that redirects, making nothing", func() {
			_, err := embedded("https://shop.example/return")
			ExpectStripeError(err, 400, "invalid_request_error", "", "return_url")
			_, err = embedded("", "card", "ideal")
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(emu.Count("", "checkout.session")).To(BeZero())

			s, err := embedded("", "card", "sepa_debit")
			Expect(err).NotTo(HaveOccurred())
			Expect(s.PaymentMethodTypes).To(Equal([]string{"card", "sepa_debit"}))
		})
	})

	// A wallet's session completes as a redirect method's does: the
	// customer authorizes on the page, and the payment is made.
	DescribeTable("completes a session paid with a wallet, authorized on the page",
		func(typ, currency string, withData func(*stripe.PaymentMethodCreateParams)) {
			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String(currency), UnitAmount: stripe.Int64(1500),
				ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Ticket")}})
			Expect(err).NotTo(HaveOccurred())
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
				PaymentMethodTypes: []*string{stripe.String(typ)},
			})
			Expect(err).NotTo(HaveOccurred())
			pp := &stripe.PaymentMethodCreateParams{Type: stripe.String(typ)}
			if withData != nil {
				withData(pp)
			}
			pm, err := sc.V1PaymentMethods.Create(Ctx, pp)
			Expect(err).NotTo(HaveOccurred())
			pi := paidWith(s.ID, pm.ID)
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(string(pi.LatestCharge.PaymentMethodDetails.Type)).To(Equal(typ))
		},
		Entry("Cash App Pay", "cashapp", "usd", nil),
		Entry("Revolut Pay", "revolut_pay", "eur", nil),
		Entry("Amazon Pay", "amazon_pay", "usd", nil),
		Entry("Alipay", "alipay", "usd", nil),
		Entry("GrabPay", "grabpay", "sgd", nil),
		Entry("MobilePay", "mobilepay", "dkk", nil),
		Entry("TWINT", "twint", "chf", nil),
		Entry("Swish", "swish", "sek", nil),
		Entry("PayNow", "paynow", "sgd", nil),
		Entry("PromptPay", "promptpay", "thb", nil),
		Entry("Pix", "pix", "brl", nil),
		// The customer types the BLIK code on the page and approves in
		// their bank's app.
		Entry("BLIK", "blik", "pln", nil),
	)

	It("refuses a wallet in a currency it does not take", func() {
		_, err := session("cashapp")
		Expect(err).NotTo(HaveOccurred(), "a usd session offers Cash App Pay")
		eur, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(1500),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Ticket")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(eur.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String("cashapp")},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(HaveSuffix("The payment method type cashapp only supports the following currencies: usd."))
		_, err = session("blik")
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(HaveSuffix("The payment method type blik only supports the following currencies: pln."))
	})

	It("refuses a wallet in subscription mode by name, as not emulated", func() {
		plan, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1500),
			Recurring:   &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Plan")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(plan.ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String("card"), stripe.String("cashapp")},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
		Expect(StripeErr(err).Msg).To(ContainSubstring("does not emulate the payment method type cashapp in `subscription` mode"))
		Expect(emu.Count("", "checkout.session")).To(BeZero())
	})

	It("saves Revolut Pay for off-session payments with payment_method_options[revolut_pay][setup_future_usage]", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("jenny@example.com")})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), Customer: stripe.String(cus.ID), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems:          []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(oneTimePrice(sc, "Concert", 4500).ID), Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String("revolut_pay")},
			PaymentMethodOptions: &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
				RevolutPay: &stripe.CheckoutSessionCreatePaymentMethodOptionsRevolutPayParams{SetupFutureUsage: stripe.String("off_session")}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.PaymentMethodOptions.RevolutPay.SetupFutureUsage).To(BeEquivalentTo("off_session"))
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("revolut_pay")})
		Expect(err).NotTo(HaveOccurred())
		done, err := emu.CompleteCheckout("", s.ID, pm.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(done["payment_status"]).To(Equal("paid"))
		saved, err := sc.V1PaymentMethods.Retrieve(Ctx, pm.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(saved.Customer.ID).To(Equal(cus.ID))
	})

	It("completes a WeChat Pay session, paid from the web client its options name, which it requires", func() {
		create := func(opts *stripe.CheckoutSessionCreatePaymentMethodOptionsParams) (*stripe.CheckoutSession, error) {
			return sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:            []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(ticket.ID), Quantity: stripe.Int64(1)}},
				PaymentMethodTypes:   []*string{stripe.String("card"), stripe.String("wechat_pay")},
				PaymentMethodOptions: opts,
			})
		}
		_, err := create(nil)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payment_method_options[wechat_pay][client]")
		Expect(emu.Count("", "checkout.session")).To(BeZero())

		s, err := create(&stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
			WeChatPay: &stripe.CheckoutSessionCreatePaymentMethodOptionsWeChatPayParams{Client: stripe.String("web")}})
		Expect(err).NotTo(HaveOccurred())
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("wechat_pay")})
		Expect(err).NotTo(HaveOccurred())
		pi := paidWith(s.ID, pm.ID)
		Expect(pi.PaymentMethodOptions.WeChatPay.Client).To(BeEquivalentTo("web"))
		Expect(pi.LatestCharge.PaymentMethodDetails.WeChatPay.TransactionID).NotTo(BeEmpty())
	})

	It("hands Swish's reference and Pix's expiry on to the PaymentIntent, as Stripe's spec has a session show them", func() {
		for _, tc := range []struct {
			typ, currency string
			opts          *stripe.CheckoutSessionCreatePaymentMethodOptionsParams
			check         func(*stripe.CheckoutSession, *stripe.PaymentIntent)
		}{
			{"swish", "sek", &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
				Swish: &stripe.CheckoutSessionCreatePaymentMethodOptionsSwishParams{Reference: stripe.String("Order-123")}},
				func(s *stripe.CheckoutSession, pi *stripe.PaymentIntent) {
					Expect(s.PaymentMethodOptions.Swish.Reference).To(Equal("Order-123"))
					Expect(pi.PaymentMethodOptions.Swish.Reference).To(Equal("Order-123"))
				}},
			{"pix", "brl", &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
				Pix: &stripe.CheckoutSessionCreatePaymentMethodOptionsPixParams{ExpiresAfterSeconds: stripe.Int64(600)}},
				func(s *stripe.CheckoutSession, pi *stripe.PaymentIntent) {
					Expect(s.PaymentMethodOptions.Pix.ExpiresAfterSeconds).To(Equal(int64(600)))
					Expect(pi.PaymentMethodOptions.Pix.ExpiresAfterSeconds).To(Equal(int64(600)))
				}},
		} {
			price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String(tc.currency), UnitAmount: stripe.Int64(1500),
				ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Ticket")}})
			Expect(err).NotTo(HaveOccurred())
			s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:            []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
				PaymentMethodTypes:   []*string{stripe.String(tc.typ)},
				PaymentMethodOptions: tc.opts,
			})
			Expect(err).NotTo(HaveOccurred())
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String(tc.typ)})
			Expect(err).NotTo(HaveOccurred())
			done, err := emu.CompleteCheckout("", s.ID, pm.ID)
			Expect(err).NotTo(HaveOccurred())
			pi, err := sc.V1PaymentIntents.Retrieve(Ctx, done["payment_intent"].(string), nil)
			Expect(err).NotTo(HaveOccurred())
			tc.check(s, pi)
		}
		_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"), Currency: stripe.String("brl"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency: stripe.String("brl"), UnitAmount: stripe.Int64(1500), ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Ticket")}}, Quantity: stripe.Int64(1)}},
			PaymentMethodTypes: []*string{stripe.String("pix")},
			PaymentMethodOptions: &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{
				Pix: &stripe.CheckoutSessionCreatePaymentMethodOptionsPixParams{ExpiresAfterSeconds: stripe.Int64(5)}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_options[pix][expires_after_seconds]")
	})

	DescribeTable("refuses the wallets that pay once in setup mode",
		func(typ, currency string) {
			_, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
				Mode: stripe.String("setup"), Currency: stripe.String(currency), SuccessURL: stripe.String("https://shop.example/ok"),
				PaymentMethodTypes: []*string{stripe.String(typ)},
			})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			Expect(StripeErr(err).Msg).To(Equal("The payment method type `" + typ + "` cannot be used in `setup` mode: it cannot be saved for later payments."))
			Expect(emu.Count("", "checkout.session")).To(BeZero())
		},
		Entry("Alipay", "alipay", "usd"),
		Entry("GrabPay", "grabpay", "sgd"),
		Entry("MobilePay", "mobilepay", "eur"),
		Entry("TWINT", "twint", "chf"),
		Entry("Swish", "swish", "sek"),
		Entry("PayNow", "paynow", "sgd"),
		Entry("PromptPay", "promptpay", "thb"),
		Entry("Pix", "pix", "brl"),
		Entry("BLIK", "blik", "pln"),
	)

	It("sets up Cash App Pay in setup mode, under a mandate", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("jenny@example.com")})
		Expect(err).NotTo(HaveOccurred())
		s, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("setup"), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			SuccessURL: stripe.String("https://shop.example/ok"), PaymentMethodTypes: []*string{stripe.String("cashapp")},
		})
		Expect(err).NotTo(HaveOccurred())
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("cashapp")})
		Expect(err).NotTo(HaveOccurred())
		done, err := emu.CompleteCheckout("", s.ID, pm.ID)
		Expect(err).NotTo(HaveOccurred())
		si, err := sc.V1SetupIntents.Retrieve(Ctx, done["setup_intent"].(string), &stripe.SetupIntentRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("mandate"), stripe.String("payment_method")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
		Expect(si.PaymentMethod.Customer.ID).To(Equal(cus.ID))
		Expect(string(si.Mandate.PaymentMethodDetails.Type)).To(Equal("cashapp"))
	})
})
