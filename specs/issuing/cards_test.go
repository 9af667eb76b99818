package issuing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Issuing cards", Label("issuing"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	shipping := func() *stripe.IssuingCardCreateShippingParams {
		return &stripe.IssuingCardCreateShippingParams{
			Name: stripe.String("Jenny Rosen"),
			Address: &stripe.AddressParams{Line1: stripe.String("1234 Main Street"), City: stripe.String("San Francisco"),
				State: stripe.String("CA"), PostalCode: stripe.String("94111"), Country: stripe.String("US")},
		}
	}
	retrieve := func(id string, expand ...string) *stripe.IssuingCard {
		GinkgoHelper()
		p := &stripe.IssuingCardRetrieveParams{}
		for _, e := range expand {
			p.AddExpand(e)
		}
		card, err := sc.V1IssuingCards.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return card
	}

	It("shows a card's wallets eligible once its cardholder can be reached, as its cardholder changes", func() {
		p := cardholderParams()
		p.Email = nil
		ch, err := sc.V1IssuingCardholders.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		card, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(card.Wallets.ApplePay.Eligible).To(BeFalse())
		Expect(card.Wallets.ApplePay.IneligibleReason).To(Equal(stripe.IssuingCardWalletsApplePayIneligibleReasonMissingCardholderContact))

		_, err = sc.V1IssuingCardholders.Update(Ctx, ch.ID, &stripe.IssuingCardholderUpdateParams{Email: stripe.String("jenny@example.com")})
		Expect(err).NotTo(HaveOccurred())
		got := retrieve(card.ID)
		Expect(got.Cardholder.Email).To(Equal("jenny@example.com"))
		Expect(got.Wallets.ApplePay.Eligible).To(BeTrue())
		Expect(got.Wallets.ApplePay.IneligibleReason).To(BeEmpty())
		Expect(got.Wallets.GooglePay.Eligible).To(BeTrue())
	})

	It("issues a virtual Visa card, inactive by default, with its cardholder whole and its number and cvc only when expanded", func() {
		ch := newCardholder(sc)
		card, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(card.ID).To(HavePrefix("ic_"))
		Expect(card.Status).To(Equal(stripe.IssuingCardStatusInactive))
		Expect(card.Brand).To(Equal("Visa"))
		Expect(card.Last4).To(HaveLen(4))
		Expect(card.ExpYear).To(BeNumerically(">", Epoch.Year()))
		Expect(card.Cardholder.ID).To(Equal(ch.ID))
		Expect(card.Cardholder.Name).To(Equal("Jenny Rosen"))
		Expect(card.Number).To(BeEmpty())
		Expect(card.CVC).To(BeEmpty())
		Expect(card.Wallets.ApplePay.Eligible).To(BeTrue())

		full := retrieve(card.ID, "number", "cvc")
		Expect(full.Number).To(HaveLen(16))
		Expect(full.Number).To(HavePrefix("4"))
		Expect(full.Number).To(HaveSuffix(card.Last4))
		Expect(full.CVC).To(MatchRegexp(`^\d{3}$`))
		Expect(emu.EventTypes("")).To(Equal([]string{"issuing_cardholder.created", "issuing_card.created"}))
		// "it's only available via the "Retrieve a card" endpoint, not via
		// "List all cards" or any other endpoint" (Stripe's reference).
		lp := &stripe.IssuingCardListParams{}
		lp.AddExpand("data.number")
		lp.AddExpand("data.cvc")
		for listed, err := range sc.V1IssuingCards.List(Ctx, lp) {
			Expect(err).NotTo(HaveOccurred())
			Expect(listed.Number).To(BeEmpty())
			Expect(listed.CVC).To(BeEmpty())
		}
		cp := &stripe.IssuingCardCreateParams{Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual")}
		cp.AddExpand("number")
		cp.AddExpand("cvc")
		other, err := sc.V1IssuingCards.Create(Ctx, cp)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.Number).To(BeEmpty())
		Expect(other.CVC).To(BeEmpty())
		up := &stripe.IssuingCardUpdateParams{}
		up.AddExpand("number")
		up.AddExpand("cvc")
		other, err = sc.V1IssuingCards.Update(Ctx, other.ID, up)
		Expect(err).NotTo(HaveOccurred())
		Expect(other.Number).To(BeEmpty())
		Expect(other.CVC).To(BeEmpty())
		Expect(retrieve(other.ID, "number").Number).To(HaveLen(16))

		// The cardholder's changes show in its card.
		_, err = sc.V1IssuingCardholders.Update(Ctx, ch.ID, &stripe.IssuingCardholderUpdateParams{Email: stripe.String("new@example.com")})
		Expect(err).NotTo(HaveOccurred())
		Expect(retrieve(card.ID).Cardholder.Email).To(Equal("new@example.com"))
	})

	It("ships physical cards, whose number is never shown, through the shipping test helpers", func() {
		ch := newCardholder(sc)
		_, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("physical"),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "shipping")
		Expect(emu.Count("", "issuing.card")).To(BeZero())

		card, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("physical"), Shipping: shipping(),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(card.Shipping.Status).To(Equal(stripe.IssuingCardShippingStatusPending))
		Expect(card.Shipping.Service).To(Equal(stripe.IssuingCardShippingServiceStandard))
		Expect(retrieve(card.ID, "number").Number).To(BeEmpty())

		_, err = sc.V1TestHelpersIssuingCards.DeliverCard(Ctx, card.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		for _, step := range []struct {
			do   func(string) (*stripe.IssuingCard, error)
			want stripe.IssuingCardShippingStatus
		}{
			{func(id string) (*stripe.IssuingCard, error) {
				return sc.V1TestHelpersIssuingCards.SubmitCard(Ctx, id, nil)
			}, "submitted"},
			{func(id string) (*stripe.IssuingCard, error) {
				return sc.V1TestHelpersIssuingCards.ShipCard(Ctx, id, nil)
			}, "shipped"},
			{func(id string) (*stripe.IssuingCard, error) {
				return sc.V1TestHelpersIssuingCards.DeliverCard(Ctx, id, nil)
			}, "delivered"},
		} {
			got, err := step.do(card.ID)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Shipping.Status).To(Equal(step.want))
		}
		Expect(emu.EventTypes("")[2:]).To(Equal([]string{"issuing_card.updated", "issuing_card.updated", "issuing_card.updated"}))

		virtual := activeCard(sc)
		_, err = sc.V1TestHelpersIssuingCards.ShipCard(Ctx, virtual.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
	})

	It("asks for a signature on delivery by default for express and priority shipping, never for standard shipping", func() {
		ch := newCardholder(sc)
		// stripe-go reads a null require_signature as false: the raw
		// object tells them apart.
		requireSignature := func(id string) any {
			GinkgoHelper()
			_, body, err := emu.Call("GET", "/v1/issuing/cards/"+id, nil, "")
			Expect(err).NotTo(HaveOccurred())
			return body["shipping"].(map[string]any)["require_signature"]
		}
		for service, want := range map[string]bool{"standard": false, "express": true, "priority": true} {
			sh := shipping()
			sh.Service = stripe.String(service)
			card, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
				Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("physical"), Shipping: sh,
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(requireSignature(card.ID)).To(Equal(want), service)
		}
		sh := shipping()
		sh.Service = stripe.String("express")
		sh.RequireSignature = stripe.Bool(false)
		card, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("physical"), Shipping: sh,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(requireSignature(card.ID)).To(Equal(false))

		// "Standard shipping service does not support signature on
		// delivery."
		n := emu.Count("", "issuing.card")
		sh = shipping()
		sh.RequireSignature = stripe.Bool(true)
		_, err = sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("physical"), Shipping: sh,
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "shipping[require_signature]")
		Expect(emu.Count("", "issuing.card")).To(Equal(n))
	})

	It("requires an EORI number for a bulk shipment to Europe", func() {
		ch := newCardholder(sc)
		toEurope := func() *stripe.IssuingCardCreateShippingParams {
			sh := shipping()
			sh.Type = stripe.String("bulk")
			sh.Address = &stripe.AddressParams{Line1: stripe.String("1 Rue de Rivoli"), City: stripe.String("Paris"),
				PostalCode: stripe.String("75001"), Country: stripe.String("FR")}
			return sh
		}
		create := func(sh *stripe.IssuingCardCreateShippingParams) (*stripe.IssuingCard, error) {
			return sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
				Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("physical"), Shipping: sh,
			})
		}
		// The reference's eori_number: "Required for bulk shipments to
		// Europe."
		_, err := create(toEurope())
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "shipping[customs][eori_number]")
		Expect(emu.Count("", "issuing.card")).To(BeZero())

		sh := toEurope()
		sh.Customs = &stripe.IssuingCardCreateShippingCustomsParams{EORINumber: stripe.String("FR12345678901234")}
		card, err := create(sh)
		Expect(err).NotTo(HaveOccurred())
		Expect(card.Shipping.Customs.EORINumber).To(Equal("FR12345678901234"))
		// An individual shipment to Europe, or a bulk one elsewhere, needs none.
		sh = toEurope()
		sh.Type = stripe.String("individual")
		_, err = create(sh)
		Expect(err).NotTo(HaveOccurred())
		sh = shipping()
		sh.Type = stripe.String("bulk")
		_, err = create(sh)
		Expect(err).NotTo(HaveOccurred())
	})

	It("cancels a card for good, with its reason", func() {
		card := activeCard(sc)
		_, err := sc.V1IssuingCards.Update(Ctx, card.ID, &stripe.IssuingCardUpdateParams{CancellationReason: stripe.String("lost")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "cancellation_reason")

		got, err := sc.V1IssuingCards.Update(Ctx, card.ID, &stripe.IssuingCardUpdateParams{Status: stripe.String("canceled"), CancellationReason: stripe.String("stolen")})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.IssuingCardStatusCanceled))
		Expect(got.CancellationReason).To(Equal(stripe.IssuingCardCancellationReasonStolen))
		evs := emu.Events("")
		Expect(evs[len(evs)-1]["type"]).To(Equal("issuing_card.updated"))
		Expect(evs[len(evs)-1]["data"].(map[string]any)["previous_attributes"]).To(HaveKeyWithValue("status", "active"))

		_, err = sc.V1IssuingCards.Update(Ctx, card.ID, &stripe.IssuingCardUpdateParams{Status: stripe.String("active")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "status")
		Expect(retrieve(card.ID).Status).To(Equal(stripe.IssuingCardStatusCanceled))
		// Nor is its reason changed, rather than the request answered as
		// if it had been.
		_, err = sc.V1IssuingCards.Update(Ctx, card.ID, &stripe.IssuingCardUpdateParams{Status: stripe.String("canceled"), CancellationReason: stripe.String("lost")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "cancellation_reason")
		Expect(retrieve(card.ID).CancellationReason).To(Equal(stripe.IssuingCardCancellationReasonStolen))
		_, err = sc.V1IssuingCards.Update(Ctx, card.ID, &stripe.IssuingCardUpdateParams{Status: stripe.String("canceled"), CancellationReason: stripe.String("stolen")})
		Expect(err).NotTo(HaveOccurred())
	})

	It("replaces a lost card only once it is canceled, with a new number, and a damaged one with the same number, canceled when the replacement is activated", func() {
		lost := activeCard(sc)
		replace := func(of *stripe.IssuingCard, reason string) (*stripe.IssuingCard, error) {
			return sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
				Cardholder: stripe.String(of.Cardholder.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"),
				ReplacementFor: stripe.String(of.ID), ReplacementReason: stripe.String(reason),
			})
		}
		// Stripe's replacement cards guide: "We need to cancel the
		// original cards before we can create the replacement card."
		_, err := replace(lost, "lost")
		ExpectStripeError(err, 400, "invalid_request_error", "", "replacement_for")
		Expect(emu.Count("", "issuing.card")).To(Equal(1))
		Expect(retrieve(lost.ID).Status).To(Equal(stripe.IssuingCardStatusActive))

		_, err = sc.V1IssuingCards.Update(Ctx, lost.ID, &stripe.IssuingCardUpdateParams{Status: stripe.String("canceled"), CancellationReason: stripe.String("lost")})
		Expect(err).NotTo(HaveOccurred())
		repl, err := replace(lost, "lost")
		Expect(err).NotTo(HaveOccurred())
		Expect(repl.ReplacementFor.ID).To(Equal(lost.ID))
		old := retrieve(lost.ID, "number")
		Expect(old.Status).To(Equal(stripe.IssuingCardStatusCanceled))
		Expect(old.CancellationReason).To(Equal(stripe.IssuingCardCancellationReasonLost))
		Expect(old.ReplacedBy.ID).To(Equal(repl.ID))
		// A lost or stolen card's replacement has a new number.
		Expect(retrieve(repl.ID, "number").Number).NotTo(Equal(old.Number))

		damaged := activeCard(sc)
		repl2, err := replace(damaged, "damaged")
		Expect(err).NotTo(HaveOccurred())
		// "you can create replacement cards that have the same card
		// number", with a new security code.
		was, now := retrieve(damaged.ID, "number", "cvc"), retrieve(repl2.ID, "number", "cvc")
		Expect(now.Number).To(Equal(was.Number))
		Expect(now.Last4).To(Equal(was.Last4))
		Expect(now.CVC).NotTo(Equal(was.CVC))
		Expect(was.Status).To(Equal(stripe.IssuingCardStatusActive))
		_, err = sc.V1IssuingCards.Update(Ctx, repl2.ID, &stripe.IssuingCardUpdateParams{Status: stripe.String("active")})
		Expect(err).NotTo(HaveOccurred())
		Expect(retrieve(damaged.ID).Status).To(Equal(stripe.IssuingCardStatusCanceled))
	})

	It("refuses to activate the card of a cardholder with requirements past due, and other bad requests, changing nothing", func() {
		ch, err := sc.V1IssuingCardholders.Create(Ctx, &stripe.IssuingCardholderCreateParams{Name: stripe.String("No Terms"), Billing: cardholderParams().Billing})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"), Status: stripe.String("active"),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "status")
		_, err = sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String("ich_nope"), Currency: stripe.String("usd"), Type: stripe.String("virtual"),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "cardholder")
		_, err = sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("eur"), Type: stripe.String("virtual"),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		_, err = sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"), SecondLine: stripe.String("ACME"),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "second_line")
		Expect(emu.Count("", "issuing.card")).To(BeZero())
	})

	It("keeps spending controls and lists cards by cardholder, status, type and last4", func() {
		a := activeCard(sc)
		ch := newCardholder(sc)
		b, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("physical"), Shipping: shipping(),
			SpendingControls: &stripe.IssuingCardCreateSpendingControlsParams{
				AllowedCategories: []*string{stripe.String("bakeries")},
				SpendingLimits:    []*stripe.IssuingCardCreateSpendingControlsSpendingLimitParams{{Amount: stripe.Int64(100), Interval: stripe.String("per_authorization")}},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(b.SpendingControls.AllowedCategories).To(Equal([]string{"bakeries"}))
		Expect(b.SpendingControls.BlockedCategories).To(BeNil())
		Expect(string(b.SpendingControls.SpendingLimitsCurrency)).To(Equal("usd"))

		ids := func(lp *stripe.IssuingCardListParams) []string {
			return listedIDs(sc.V1IssuingCards.List(Ctx, lp), func(o *stripe.IssuingCard) string { return o.ID })
		}
		Expect(ids(&stripe.IssuingCardListParams{})).To(Equal([]string{b.ID, a.ID}))
		Expect(ids(&stripe.IssuingCardListParams{Cardholder: stripe.String(ch.ID)})).To(Equal([]string{b.ID}))
		Expect(ids(&stripe.IssuingCardListParams{Status: stripe.String("active")})).To(Equal([]string{a.ID}))
		Expect(ids(&stripe.IssuingCardListParams{Type: stripe.String("physical")})).To(Equal([]string{b.ID}))
		Expect(ids(&stripe.IssuingCardListParams{Last4: stripe.String(a.Last4)})).To(ContainElement(a.ID))
	})
})
