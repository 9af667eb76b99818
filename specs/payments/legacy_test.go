package payments_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The older card APIs many integrations still use: tokens, cards saved on
// customers as sources, and the Charges API.
var _ = Describe("Tokens, card sources and the Charges API", Label("payments", "legacy"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }
	token := func(number string) *stripe.Token {
		GinkgoHelper()
		tok, err := sc.V1Tokens.Create(Ctx, &stripe.TokenCreateParams{Card: &stripe.CardParams{
			Number: stripe.String(number), ExpMonth: stripe.String("12"), ExpYear: stripe.String("2030"), CVC: stripe.String("123"),
			Name: stripe.String("Jenny Rosen"), AddressLine1: stripe.String("1 Main St"), AddressZip: stripe.String("94107"),
		}})
		Expect(err).NotTo(HaveOccurred())
		return tok
	}
	charge := func(edit func(*stripe.ChargeCreateParams)) (*stripe.Charge, error) {
		p := &stripe.ChargeCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd")}
		edit(p)
		return sc.V1Charges.Create(Ctx, p)
	}
	from := func(source string) func(*stripe.ChargeCreateParams) {
		return func(p *stripe.ChargeCreateParams) {
			p.Source = &stripe.PaymentSourceSourceParams{Token: stripe.String(source)}
		}
	}
	newCustomer := func(source string) *stripe.Customer {
		GinkgoHelper()
		p := &stripe.CustomerCreateParams{Email: stripe.String("legacy@example.com")}
		if source != "" {
			p.Source = stripe.String(source)
		}
		cus, err := sc.V1Customers.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return cus
	}
	addSource := func(cus, source string) (*stripe.PaymentSource, error) {
		return sc.V1PaymentSources.Create(Ctx, &stripe.PaymentSourceCreateParams{
			Customer: stripe.String(cus), Source: &stripe.PaymentSourceSourceParams{Token: stripe.String(source)}})
	}
	customer := func(id string) *stripe.Customer {
		GinkgoHelper()
		cus, err := sc.V1Customers.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return cus
	}

	Describe("tokens", func() {
		It("carry a card with the test card's brand, funding, country and the PaymentMethods' fingerprint", func() {
			tok := token("5200828282828210")
			Expect(tok.ID).To(MatchRegexp(`^tok_[0-9A-Za-z]{24}$`))
			Expect(tok.Type).To(Equal(stripe.TokenTypeCard))
			Expect(tok.Used).To(BeFalse())
			Expect(tok.ClientIP).To(Equal("127.0.0.1"))
			Expect(tok.Card.ID).To(HavePrefix("card_"))
			Expect(tok.Card.Brand).To(Equal(stripe.CardBrandMasterCard))
			Expect(tok.Card.Funding).To(Equal(stripe.CardFundingDebit))
			Expect(tok.Card.Country).To(Equal("US"))
			Expect(tok.Card.Last4).To(Equal("8210"))
			Expect(tok.Card.ExpMonth).To(Equal(int64(12)))
			Expect(tok.Card.ExpYear).To(Equal(int64(2030)))
			Expect(tok.Card.Name).To(Equal("Jenny Rosen"))
			Expect(tok.Card.CVCCheck).To(Equal(stripe.CardCVCCheckUnchecked), "checked when the card is charged or saved")
			Expect(tok.Card.AddressZipCheck).To(Equal(stripe.CardAddressZipCheckUnchecked))

			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
				Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String("5200828282828210"), ExpMonth: stripe.Int64(1), ExpYear: stripe.Int64(2031)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(tok.Card.Fingerprint).To(Equal(pm.Card.Fingerprint), "one fingerprint per card number")

			got, err := sc.V1Tokens.Retrieve(Ctx, tok.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Card.ID).To(Equal(tok.Card.ID))
		})

		It("can be used once: a second use is refused with Stripe's error, charging nothing", func() {
			tok := token("4242424242424242")
			ch, err := charge(from(tok.ID))
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Source.ID).To(Equal(tok.Card.ID))
			got, err := sc.V1Tokens.Retrieve(Ctx, tok.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Used).To(BeTrue())

			_, err = charge(from(tok.ID))
			ExpectStripeError(err, 400, "invalid_request_error", "token_already_used", "")
			Expect(StripeErr(err).Msg).To(Equal("You cannot use a Stripe token more than once: " + tok.ID + "."))
			_, err = addSource(newCustomer("").ID, tok.ID)
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeTokenAlreadyUsed))
			Expect(emu.Count("", "charge")).To(Equal(1))
			Expect(emu.Count("", "card")).To(BeZero())
		})

		It("lets Stripe's magic test tokens be used again and again, each a new card", func() {
			a, err := charge(from("tok_visa"))
			Expect(err).NotTo(HaveOccurred())
			b, err := charge(from("tok_visa"))
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Source.ID).NotTo(Equal(b.Source.ID))
			Expect(a.Source.Card.Fingerprint).To(Equal(b.Source.Card.Fingerprint))
			Expect(a.Source.Card.Brand).To(Equal(stripe.CardBrandVisa))
		})

		It("refuses bad card details and an empty request, keeping nothing", func() {
			_, err := sc.V1Tokens.Create(Ctx, &stripe.TokenCreateParams{Card: &stripe.CardParams{
				Number: stripe.String("4242424242424241"), ExpMonth: stripe.String("12"), ExpYear: stripe.String("2030")}})
			ExpectStripeError(err, 402, "card_error", "incorrect_number", "card[number]")
			_, err = sc.V1Tokens.Create(Ctx, &stripe.TokenCreateParams{Card: &stripe.CardParams{
				Number: stripe.String("4242424242424242"), ExpMonth: stripe.String("13"), ExpYear: stripe.String("2030")}})
			ExpectStripeError(err, 402, "card_error", "invalid_expiry_month", "card[exp_month]")
			_, err = sc.V1Tokens.Create(Ctx, &stripe.TokenCreateParams{})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "")
			Expect(StripeErr(err).Msg).To(HavePrefix("You must supply either a card, customer, PII data, bank account, or account legal entity to create a token."))
			_, err = sc.V1Tokens.Retrieve(Ctx, "tok_nope", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			Expect(emu.Count("", "token")).To(BeZero())
		})

		// Stripe's reference for POST /v1/payment_methods takes a token in
		// card[token] "for backwards compatibility" (legacy Checkout,
		// Stripe.js's createToken): any card token, not only the magic ones.
		It("become a card PaymentMethod through card[token] or payment_method_data, once", func() {
			tok := token("5555555555554444")
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type: stripe.String("card"), Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String(tok.ID)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.ID).To(HavePrefix("pm_"))
			Expect(pm.Card.Brand).To(Equal(stripe.PaymentMethodCardBrandMastercard))
			Expect(pm.Card.Last4).To(Equal("4444"))
			Expect(pm.Card.ExpMonth).To(Equal(int64(12)))
			Expect(pm.Card.ExpYear).To(Equal(int64(2030)))
			Expect(pm.Card.Fingerprint).To(Equal(tok.Card.Fingerprint))
			Expect(pm.Card.Checks.CVCCheck).To(Equal(stripe.PaymentMethodCardChecksCVCCheckUnchecked))
			Expect(pm.BillingDetails.Name).To(Equal("Jenny Rosen"))
			Expect(pm.BillingDetails.Address.Line1).To(Equal("1 Main St"))
			Expect(pm.BillingDetails.Address.PostalCode).To(Equal("94107"))

			// Single-use, as a token is wherever it is used.
			_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type: stripe.String("card"), Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String(tok.ID)}})
			ExpectStripeError(err, 400, "invalid_request_error", "token_already_used", "")
			Expect(emu.Count("", "payment_method")).To(Equal(1))

			// Billing details sent with it are the method's own.
			other := token("4242424242424242")
			pm, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type: stripe.String("card"), Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String(other.ID)},
				BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Ada Lovelace")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.BillingDetails.Name).To(Equal("Ada Lovelace"))
			Expect(pm.BillingDetails.Address.Line1).To(BeEmpty())

			// A SetupIntent's payment_method_data takes one the same way,
			// and saves the card to the customer.
			cus := newCustomer("")
			third := token("4000056655665556")
			r := Do(emu.URL(), "POST", "/v1/setup_intents", "customer="+cus.ID+"&payment_method_types[]=card&confirm=true"+
				"&payment_method_data[type]=card&payment_method_data[card][token]="+third.ID)
			Expect(r.Status).To(Equal(200), "%v", r.Body)
			Expect(r.Body["status"]).To(Equal("succeeded"))
			saved, err := sc.V1PaymentMethods.Retrieve(Ctx, r.Body["payment_method"].(string), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(saved.Card.Last4).To(Equal("5556"))
			Expect(saved.Card.Funding).To(Equal(stripe.CardFundingDebit))
			Expect(saved.Customer.ID).To(Equal(cus.ID))
		})

		It("shares a platform customer's card with a connected account as a token there", func() {
			// Onboarded, with card_payments active: Stripe charges on no other.
			acct := Seller(emu, &stripe.AccountCreateParams{Type: stripe.String("standard")})
			cus := newCustomer("tok_amex")
			p := &stripe.TokenCreateParams{Customer: stripe.String(cus.ID)}
			p.SetStripeAccount(acct.ID)
			tok, err := sc.V1Tokens.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(tok.Card.ID).NotTo(Equal(cus.DefaultSource.ID))
			Expect(tok.Card.Brand).To(Equal(stripe.CardBrandAmericanExpress))

			cp := &stripe.ChargeCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
				Source: &stripe.PaymentSourceSourceParams{Token: stripe.String(tok.ID)}}
			cp.SetStripeAccount(acct.ID)
			ch, err := sc.V1Charges.Create(Ctx, cp)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Source.Card.Last4).To(Equal("0005"))
			Expect(emu.Count(acct.ID, "charge")).To(Equal(1))
			Expect(emu.Count("", "charge")).To(BeZero())
		})
	})

	Describe("charges", func() {
		It("charge a token at once: no PaymentIntent, the card as source, the PaymentIntents' balance transaction and fee", func() {
			tok := token("4242424242424242")
			mark := len(emu.EventTypes(""))
			p := &stripe.ChargeCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"), Description: stripe.String("Order 7"),
				ReceiptEmail: stripe.String("jenny@example.com"), StatementDescriptorSuffix: stripe.String("ORDER 7"),
				Source: &stripe.PaymentSourceSourceParams{Token: stripe.String(tok.ID)}}
			p.AddMetadata("order", "7")
			p.AddExpand("balance_transaction")
			ch, err := sc.V1Charges.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.ID).To(MatchRegexp(`^ch_[0-9A-Za-z]{24}$`))
			Expect(ch.Status).To(Equal(stripe.ChargeStatusSucceeded))
			Expect(ch.Paid).To(BeTrue())
			Expect(ch.Captured).To(BeTrue())
			Expect(ch.AmountCaptured).To(Equal(int64(2000)))
			Expect(ch.PaymentIntent).To(BeNil())
			Expect(ch.Customer).To(BeNil())
			Expect(ch.PaymentMethod).To(Equal(tok.Card.ID))
			Expect(ch.Source.Type).To(Equal(stripe.PaymentSourceTypeCard))
			Expect(ch.Source.Card.CVCCheck).To(Equal(stripe.CardCVCCheckPass))
			Expect(ch.PaymentMethodDetails.Card.Last4).To(Equal("4242"))
			Expect(ch.PaymentMethodDetails.Card.Checks.CVCCheck).To(Equal(stripe.ChargePaymentMethodDetailsCardChecksCVCCheckPass))
			Expect(ch.BillingDetails.Name).To(Equal("Jenny Rosen"))
			Expect(ch.BillingDetails.Address.PostalCode).To(Equal("94107"))
			Expect(ch.Description).To(Equal("Order 7"))
			Expect(ch.ReceiptEmail).To(Equal("jenny@example.com"))
			Expect(ch.StatementDescriptorSuffix).To(Equal("ORDER 7"))
			Expect(ch.Metadata).To(Equal(map[string]string{"order": "7"}))
			Expect(ch.BalanceTransaction.Amount).To(Equal(int64(2000)))
			Expect(ch.BalanceTransaction.Fee).To(Equal(int64(88)), "2.9% + 30¢")
			Expect(ch.BalanceTransaction.Source.ID).To(Equal(ch.ID))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.succeeded"}))

			list := sc.V1Charges.List(Ctx, &stripe.ChargeListParams{})
			n := 0
			for got, err := range list {
				Expect(err).NotTo(HaveOccurred())
				Expect(got.ID).To(Equal(ch.ID))
				n++
			}
			Expect(n).To(Equal(1))
		})

		It("charge a customer's default card, or the card of the customer's it names", func() {
			mark := len(emu.EventTypes(""))
			cus := newCustomer("tok_visa")
			Expect(cus.DefaultSource.ID).To(HavePrefix("card_"))
			Expect(eventsSince(mark)).To(Equal([]string{"customer.created", "customer.source.created"}))
			second, err := addSource(cus.ID, "tok_mastercard")
			Expect(err).NotTo(HaveOccurred())

			ch, err := charge(func(p *stripe.ChargeCreateParams) { p.Customer = stripe.String(cus.ID) })
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Customer.ID).To(Equal(cus.ID))
			Expect(ch.Source.ID).To(Equal(cus.DefaultSource.ID))
			Expect(ch.PaymentMethod).To(Equal(cus.DefaultSource.ID))
			Expect(ch.Source.Card.Customer.ID).To(Equal(cus.ID))

			ch, err = charge(func(p *stripe.ChargeCreateParams) {
				p.Customer = stripe.String(cus.ID)
				p.Source = &stripe.PaymentSourceSourceParams{Token: stripe.String(second.ID)}
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.PaymentMethodDetails.Card.Brand).To(Equal(stripe.PaymentMethodCardBrandMastercard))

			other := newCustomer("tok_visa")
			_, err = charge(func(p *stripe.ChargeCreateParams) {
				p.Customer = stripe.String(other.ID)
				p.Source = &stripe.PaymentSourceSourceParams{Token: stripe.String(second.ID)}
			})
			ExpectStripeError(err, 404, "invalid_request_error", "missing", "source")
			Expect(StripeErr(err).Msg).To(Equal("Customer " + other.ID + " does not have a linked source with ID " + second.ID + "."))
			_, err = charge(func(p *stripe.ChargeCreateParams) {
				p.Customer = stripe.String(other.ID)
				p.Source = &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_visa")}
			})
			ExpectStripeError(err, 404, "invalid_request_error", "missing", "source")
			Expect(emu.Count("", "charge")).To(Equal(2))
		})

		It("authorize with capture=false, then capture part: the rest goes back, and a second capture is refused", func() {
			ch, err := charge(func(p *stripe.ChargeCreateParams) {
				from("tok_visa")(p)
				p.Capture = stripe.Bool(false)
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Captured).To(BeFalse())
			Expect(ch.Paid).To(BeTrue())
			Expect(ch.AmountCaptured).To(BeZero())
			Expect(ch.BalanceTransaction).To(BeNil())
			Expect(ch.PaymentMethodDetails.Card.CaptureBefore).To(Equal(ch.Created + 7*86400))

			mark := len(emu.EventTypes(""))
			p := &stripe.ChargeCaptureParams{Amount: stripe.Int64(1500)}
			p.AddExpand("balance_transaction")
			ch, err = sc.V1Charges.Capture(Ctx, ch.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Captured).To(BeTrue())
			Expect(ch.AmountCaptured).To(Equal(int64(1500)))
			// 2025-03-31.basil: the rest is released without a Refund, and
			// the capture is one balance transaction, of the captured amount.
			Expect(ch.AmountRefunded).To(BeZero())
			Expect(ch.Refunded).To(BeFalse())
			Expect(ch.BalanceTransaction.Amount).To(Equal(int64(1500)))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.captured"}))
			Expect(emu.Count("", "refund")).To(BeZero())
			Expect(emu.Count("", "balance_transaction")).To(Equal(1))

			_, err = sc.V1Charges.Capture(Ctx, ch.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "charge_already_captured", "")
			Expect(StripeErr(err).Msg).To(Equal("Charge " + ch.ID + " has already been captured."))
		})

		It("leave a PaymentIntent's authorization to the PaymentIntent", func() {
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"), Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
				PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), CaptureMethod: stripe.String("manual")})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Charges.Capture(Ctx, pi.LatestCharge.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			Expect(StripeErr(err).Msg).To(HavePrefix("This uncaptured Charge was created by a PaymentIntent (" + pi.ID + ")."))
			got, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Captured).To(BeFalse())
		})

		It("release an authorization after seven days: charge.expired, and capture is refused as expired", func() {
			ch, err := charge(func(p *stripe.ChargeCreateParams) {
				from("tok_visa")(p)
				p.Capture = stripe.Bool(false)
			})
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			emu.Clock().Set(time.Unix(ch.PaymentMethodDetails.Card.CaptureBefore, 0).Add(-time.Second))
			Expect(eventsSince(mark)).To(BeEmpty())
			emu.Clock().Set(time.Unix(ch.PaymentMethodDetails.Card.CaptureBefore, 0))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.expired"}))
			// 2025-03-31.basil: released without a Refund; the charge is not
			// marked refunded.
			got, err := sc.V1Charges.Retrieve(Ctx, ch.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Refunded).To(BeFalse())
			Expect(got.AmountRefunded).To(BeZero())
			Expect(got.AmountCaptured).To(BeZero())
			Expect(emu.Count("", "refund")).To(BeZero())

			mark = len(emu.EventTypes(""))
			_, err = sc.V1Charges.Capture(Ctx, ch.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "charge_expired_for_capture", "")
			_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "charge_not_refundable", "charge")
			Expect(StripeErr(err).Msg).To(ContainSubstring("its authorization expired"))
			Expect(eventsSince(mark)).To(BeEmpty())
			Expect(emu.Count("", "refund")).To(BeZero())
		})

		It("release an authorization by refunding it, whole", func() {
			ch, err := charge(func(p *stripe.ChargeCreateParams) {
				from("tok_visa")(p)
				p.Capture = stripe.Bool(false)
			})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID), Amount: stripe.Int64(500)})
			Expect(StripeErr(err).Param).To(Equal("amount"))
			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Amount).To(Equal(int64(2000)))
			Expect(re.BalanceTransaction).To(BeNil(), "nothing was captured: nothing moves")
			// The card's authorization is reversed: no refund reaches it,
			// so no acquirer reference is to come.
			Expect(re.DestinationDetails).NotTo(BeNil())
			Expect(re.DestinationDetails.Type).To(Equal("card"))
			Expect(re.DestinationDetails.Card.Type).To(Equal(stripe.RefundDestinationDetailsCardTypeReversal))
			Expect(re.DestinationDetails.Card.ReferenceType).To(BeEmpty())
			_, err = sc.V1Charges.Capture(Ctx, ch.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "charge_already_refunded", "")
			Expect(emu.Count("", "balance_transaction")).To(BeZero())
		})

		It("refund a captured charge as a PaymentIntent's", func() {
			ch, err := charge(from("tok_visa"))
			Expect(err).NotTo(HaveOccurred())
			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID), Amount: stripe.Int64(500)})
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Charge.ID).To(Equal(ch.ID))
			Expect(re.PaymentIntent).To(BeNil())
			Expect(re.BalanceTransaction.ID).To(HavePrefix("txn_"))
			re, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Amount).To(Equal(int64(1500)))
			got, err := sc.V1Charges.Retrieve(Ctx, ch.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Refunded).To(BeTrue())
			Expect(got.AmountRefunded).To(Equal(int64(2000)))
			Expect(emu.EventTypes("")).To(ContainElements("refund.created", "charge.refunded"))
		})

		It("decline with a 402 card_error naming the failed charge, which is kept with charge.failed", func() {
			mark := len(emu.EventTypes(""))
			_, err := charge(from("tok_chargeDeclinedInsufficientFunds"))
			ExpectStripeError(err, 402, "card_error", "card_declined", "")
			se := StripeErr(err)
			Expect(se.DeclineCode).To(Equal(stripe.DeclineCodeInsufficientFunds))
			Expect(se.Msg).To(Equal("Your card has insufficient funds."))
			Expect(se.ChargeID).To(HavePrefix("ch_"))
			failed, err := sc.V1Charges.Retrieve(Ctx, se.ChargeID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(failed.Status).To(Equal(stripe.ChargeStatusFailed))
			Expect(failed.Paid).To(BeFalse())
			Expect(failed.FailureCode).To(Equal("card_declined"))
			Expect(failed.Outcome.Reason).To(Equal("insufficient_funds"))
			Expect(failed.Source.ID).To(HavePrefix("card_"))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.failed"}))
			Expect(emu.Count("", "balance_transaction")).To(BeZero())
		})

		It("decline a saved card that attached fine but fails every charge", func() {
			cus := newCustomer("tok_chargeCustomerFail")
			_, err := charge(func(p *stripe.ChargeCreateParams) { p.Customer = stripe.String(cus.ID) })
			ExpectStripeError(err, 402, "card_error", "card_declined", "")
			failed, err := sc.V1Charges.Retrieve(Ctx, StripeErr(err).ChargeID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(failed.Customer.ID).To(Equal(cus.ID))
		})

		It("decline cards that need 3-D Secure, which the Charges API cannot do", func() {
			for _, tok := range []string{"tok_threeDSecure2Required", "tok_authenticationRequired"} {
				_, err := charge(from(tok))
				ExpectStripeError(err, 402, "card_error", "authentication_required", "")
				se := StripeErr(err)
				Expect(se.DeclineCode).To(Equal(stripe.DeclineCodeAuthenticationRequired))
				Expect(se.Msg).To(Equal("Your card was declined. This transaction requires authentication."))
				failed, err := sc.V1Charges.Retrieve(Ctx, se.ChargeID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(failed.Status).To(Equal(stripe.ChargeStatusFailed))
			}
		})

		It("open a dispute for Stripe's dispute test card once captured", func() {
			ch, err := charge(from("tok_createDispute"))
			Expect(err).NotTo(HaveOccurred())
			got, err := sc.V1Charges.Retrieve(Ctx, ch.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Disputed).To(BeTrue())
			Expect(emu.EventTypes("")).To(ContainElement("charge.dispute.created"))
		})

		It("refuse what names no card, keeping nothing", func() {
			_, err := charge(func(*stripe.ChargeCreateParams) {})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "")
			Expect(StripeErr(err).Msg).To(Equal("Must provide source or customer."))
			_, err = charge(func(p *stripe.ChargeCreateParams) { p.Customer = stripe.String(newCustomer("").ID) })
			ExpectStripeError(err, 402, "card_error", "missing", "card")
			_, err = charge(from("tok_1NoSuchToken0000000000000"))
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "source")
			_, err = charge(func(p *stripe.ChargeCreateParams) {
				from("tok_visa")(p)
				p.Amount = stripe.Int64(20)
			})
			ExpectStripeError(err, 400, "invalid_request_error", "amount_too_small", "amount")
			_, err = charge(func(p *stripe.ChargeCreateParams) {
				from("tok_visa")(p)
				p.ApplicationFeeAmount = stripe.Int64(100)
			})
			ExpectStripeError(err, 400, "invalid_request_error", "", "application_fee_amount")
			Expect(emu.Count("", "charge")).To(BeZero())
			Expect(emu.Count("", "balance_transaction")).To(BeZero())
		})

		It("move Connect money for a destination charge through the existing Connect code", func() {
			acct := Seller(emu, nil)
			ch, err := charge(func(p *stripe.ChargeCreateParams) {
				from("tok_visa")(p)
				p.TransferData = &stripe.ChargeCreateTransferDataParams{Destination: stripe.String(acct.ID)}
				p.ApplicationFeeAmount = stripe.Int64(200)
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.Transfer.ID).To(HavePrefix("tr_"))
			Expect(ch.ApplicationFee.ID).To(HavePrefix("fee_"))
			Expect(ch.TransferData.Destination.ID).To(Equal(acct.ID))
			Expect(ch.TransferGroup).To(Equal("group_" + ch.ID))
			Expect(emu.Count(acct.ID, "charge")).To(Equal(1), "the payment on the destination")
		})
	})

	Describe("card sources on customers", func() {
		It("attach, list, update and delete, the default source moving as Stripe documents", func() {
			cus := newCustomer("")
			mark := len(emu.EventTypes(""))
			first, err := addSource(cus.ID, "tok_visa")
			Expect(err).NotTo(HaveOccurred())
			Expect(first.Type).To(Equal(stripe.PaymentSourceTypeCard))
			Expect(first.Card.Customer.ID).To(Equal(cus.ID))
			Expect(first.Card.CVCCheck).To(Equal(stripe.CardCVCCheckPass))
			Expect(eventsSince(mark)).To(Equal([]string{"customer.source.created", "customer.updated"}))
			Expect(customer(cus.ID).DefaultSource.ID).To(Equal(first.ID), "the first card becomes the default")

			second, err := addSource(cus.ID, "tok_mastercard")
			Expect(err).NotTo(HaveOccurred())
			Expect(customer(cus.ID).DefaultSource.ID).To(Equal(first.ID), "a later card does not")
			third, err := addSource(cus.ID, "tok_amex")
			Expect(err).NotTo(HaveOccurred())

			var ids []string
			for s, err := range sc.V1PaymentSources.List(Ctx, &stripe.PaymentSourceListParams{Customer: stripe.String(cus.ID), Object: stripe.String("card")}) {
				Expect(err).NotTo(HaveOccurred())
				ids = append(ids, s.ID)
			}
			Expect(ids).To(Equal([]string{third.ID, second.ID, first.ID}), "newest first")
			var cards []string
			for c, err := range sc.V1Cards.List(Ctx, &stripe.CardListParams{Customer: stripe.String(cus.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				cards = append(cards, c.ID)
			}
			Expect(cards).To(Equal(ids))
			for s, err := range sc.V1PaymentSources.List(Ctx, &stripe.PaymentSourceListParams{Customer: stripe.String(cus.ID), Object: stripe.String("bank_account")}) {
				Expect(err).NotTo(HaveOccurred())
				Fail("no bank account is a source: " + s.ID)
			}
			rp := &stripe.CustomerRetrieveParams{}
			rp.AddExpand("sources")
			rp.AddExpand("default_source")
			expanded, err := sc.V1Customers.Retrieve(Ctx, cus.ID, rp)
			Expect(err).NotTo(HaveOccurred())
			Expect(expanded.Sources.Data).To(HaveLen(3))
			Expect(expanded.DefaultSource.Card.Last4).To(Equal("4242"))

			mark = len(emu.EventTypes(""))
			up := &stripe.PaymentSourceUpdateParams{Customer: stripe.String(cus.ID), ExpMonth: stripe.String("3"), Name: stripe.String("J. Rosen")}
			up.AddMetadata("wallet", "main")
			updated, err := sc.V1PaymentSources.Update(Ctx, first.ID, up)
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.Card.ExpMonth).To(Equal(int64(3)))
			Expect(updated.Card.Name).To(Equal("J. Rosen"))
			Expect(updated.Card.Metadata).To(Equal(map[string]string{"wallet": "main"}))
			Expect(eventsSince(mark)).To(Equal([]string{"customer.source.updated"}))
			got, err := sc.V1Cards.Retrieve(Ctx, first.ID, &stripe.CardRetrieveParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.ExpMonth).To(Equal(int64(3)))

			mark = len(emu.EventTypes(""))
			gone, err := sc.V1PaymentSources.Delete(Ctx, first.ID, &stripe.PaymentSourceDeleteParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(gone.Deleted).To(BeTrue())
			Expect(eventsSince(mark)).To(Equal([]string{"customer.source.deleted", "payment_method.detached", "customer.updated"}))
			Expect(customer(cus.ID).DefaultSource.ID).To(Equal(third.ID), "the most recently added card left")
			_, err = sc.V1PaymentSources.Retrieve(Ctx, first.ID, &stripe.PaymentSourceRetrieveParams{Customer: stripe.String(cus.ID)})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")

			_, err = sc.V1Cards.Delete(Ctx, second.ID, &stripe.CardDeleteParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(customer(cus.ID).DefaultSource.ID).To(Equal(third.ID), "deleting another card leaves the default")
			_, err = sc.V1Cards.Delete(Ctx, third.ID, &stripe.CardDeleteParams{Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(customer(cus.ID).DefaultSource).To(BeNil(), "the last card gone, no default")
		})

		It("refuse a card that declines when it is saved, leaving the token unused", func() {
			cus := newCustomer("")
			tok := token("4000000000000002")
			_, err := addSource(cus.ID, tok.ID)
			ExpectStripeError(err, 402, "card_error", "card_declined", "")
			got, err := sc.V1Tokens.Retrieve(Ctx, tok.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Used).To(BeFalse())
			_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Source: stripe.String("tok_chargeDeclined")})
			Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeCardDeclined))
			Expect(emu.Count("", "card")).To(BeZero())
			Expect(emu.Count("", "customer")).To(Equal(1))
			Expect(customer(cus.ID).DefaultSource).To(BeNil())
		})

		// Stripe's answer to an integration passing a PaymentMethod where a
		// source goes (firebase/functions-samples#621).
		It("refuse a PaymentMethod as a source, pointing to attach, changing nothing", func() {
			const msg = "You cannot use a PaymentMethod as a source for Customers. Instead, use the PaymentMethods API to Attach a Customer to a PaymentMethod. See https://stripe.com/docs/api/payment_methods/attach"
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card"),
				Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String("tok_visa")}})
			Expect(err).NotTo(HaveOccurred())
			cus := newCustomer("")
			for _, id := range []string{pm.ID, "pm_card_visa"} {
				_, err = addSource(cus.ID, id)
				ExpectStripeError(err, 400, "invalid_request_error", "", "source")
				Expect(StripeErr(err).Msg).To(Equal(msg))
				_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Source: stripe.String(id)})
				Expect(StripeErr(err).Msg).To(Equal(msg))
				_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Source: stripe.String(id)})
				Expect(StripeErr(err).Msg).To(Equal(msg))
			}
			Expect(emu.Count("", "customer")).To(Equal(1))
			Expect(emu.Count("", "card")).To(BeZero())
			got, err := sc.V1PaymentMethods.Retrieve(Ctx, pm.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Customer).To(BeNil())
		})

		It("take a new default with the customer's source, deleting the one it replaces, and switch with default_source", func() {
			cus := newCustomer("tok_visa")
			old := cus.DefaultSource.ID
			extra, err := addSource(cus.ID, "tok_discover")
			Expect(err).NotTo(HaveOccurred())

			mark := len(emu.EventTypes(""))
			cus, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Source: stripe.String("tok_mastercard")})
			Expect(err).NotTo(HaveOccurred())
			Expect(cus.DefaultSource.ID).NotTo(Equal(old))
			Expect(eventsSince(mark)).To(Equal([]string{"customer.source.created", "customer.source.deleted", "payment_method.detached", "customer.updated"}))
			_, err = sc.V1PaymentSources.Retrieve(Ctx, old, &stripe.PaymentSourceRetrieveParams{Customer: stripe.String(cus.ID)})
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(404))

			cus, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{DefaultSource: stripe.String(extra.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(cus.DefaultSource.ID).To(Equal(extra.ID))

			other := newCustomer("tok_visa")
			_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{DefaultSource: stripe.String(other.DefaultSource.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "default_source")
			Expect(customer(cus.ID).DefaultSource.ID).To(Equal(extra.ID))
		})

		It("work as PaymentMethods of the same id: PaymentIntents charge them, invoices fall back to the default source", func() {
			cus := newCustomer("tok_visa")
			card := cus.DefaultSource.ID
			pm, err := sc.V1PaymentMethods.Retrieve(Ctx, card, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.Type).To(Equal(stripe.PaymentMethodTypeCard))
			Expect(pm.Customer.ID).To(Equal(cus.ID))
			Expect(pm.Card.Last4).To(Equal("4242"))

			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"), Amount: stripe.Int64(1200), Currency: stripe.String("usd"),
				Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(card), Confirm: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(pi.PaymentMethod.ID).To(Equal(card))
			rp := &stripe.PaymentIntentRetrieveParams{}
			rp.AddExpand("payment_method")
			rp.AddExpand("latest_charge")
			pi, err = sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, rp)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.PaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeCard), "expanded as the PaymentMethod it is here")
			Expect(pi.LatestCharge.PaymentMethod).To(Equal(card))

			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(900), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), PendingInvoiceItemsBehavior: stripe.String("include")})
			Expect(err).NotTo(HaveOccurred())
			inv, err = sc.V1Invoices.Pay(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred(), "paid with the default source: the customer has no default PaymentMethod")
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.AmountPaid).To(Equal(int64(900)))
		})
	})
})
