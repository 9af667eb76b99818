package issuing_test

import (
	"bytes"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Issuing physical bundles and personalization designs", Label("issuing"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	// bundles are Stripe's standard bundles, as the list shows them.
	bundles := func() []*stripe.IssuingPhysicalBundle {
		GinkgoHelper()
		var out []*stripe.IssuingPhysicalBundle
		for b, err := range sc.V1IssuingPhysicalBundles.List(Ctx, &stripe.IssuingPhysicalBundleListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, b)
		}
		return out
	}
	design := func(p *stripe.IssuingPersonalizationDesignCreateParams) *stripe.IssuingPersonalizationDesign {
		GinkgoHelper()
		d, err := sc.V1IssuingPersonalizationDesigns.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return d
	}
	physical := func(ch string, edit ...func(*stripe.IssuingCardCreateParams)) (*stripe.IssuingCard, error) {
		p := &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch), Currency: stripe.String("usd"), Type: stripe.String("physical"),
			Shipping: &stripe.IssuingCardCreateShippingParams{
				Name: stripe.String("Jenny Rosen"),
				Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), City: stripe.String("Austin"), State: stripe.String("TX"),
					PostalCode: stripe.String("78701"), Country: stripe.String("US")},
			},
		}
		for _, e := range edit {
			e(p)
		}
		return sc.V1IssuingCards.Create(Ctx, p)
	}

	It("lists Stripe's standard black and white bundles, active, and retrieves them", func() {
		all := bundles()
		Expect(all).To(HaveLen(2))
		for _, b := range all {
			Expect(b.ID).To(HavePrefix("ics_"))
			Expect(b.Type).To(Equal(stripe.IssuingPhysicalBundleTypeStandard))
			Expect(b.Status).To(Equal(stripe.IssuingPhysicalBundleStatusActive))
			Expect(b.Features.CardLogo).To(Equal(stripe.IssuingPhysicalBundleFeaturesCardLogoOptional))
			Expect(b.Features.CarrierText).To(Equal(stripe.IssuingPhysicalBundleFeaturesCarrierTextOptional))
			got, err := sc.V1IssuingPhysicalBundles.Retrieve(Ctx, b.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Name).To(Equal(b.Name))
		}
		var none []string
		for b, err := range sc.V1IssuingPhysicalBundles.List(Ctx, &stripe.IssuingPhysicalBundleListParams{Type: stripe.String("custom")}) {
			Expect(err).NotTo(HaveOccurred())
			none = append(none, b.ID)
		}
		Expect(none).To(BeEmpty())
		_, err := sc.V1IssuingPhysicalBundles.Retrieve(Ctx, "ics_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	It("creates a design in review on a bundle, with carrier text, a lookup key and a default, and refuses what breaks the rules", func() {
		b := bundles()[0]
		n := len(emu.EventTypes(""))
		p := &stripe.IssuingPersonalizationDesignCreateParams{
			PhysicalBundle: stripe.String(b.ID), Name: stripe.String("Rocket Rides black"), LookupKey: stripe.String("rr_black"),
			CarrierText: &stripe.IssuingPersonalizationDesignCreateCarrierTextParams{
				HeaderTitle: stripe.String("Welcome"), HeaderBody: stripe.String("Your new card is here."),
			},
			Preferences: &stripe.IssuingPersonalizationDesignCreatePreferencesParams{IsDefault: stripe.Bool(true)},
		}
		p.AddMetadata("tier", "gold")
		d := design(p)
		Expect(d.ID).To(HavePrefix("ipcd_"))
		Expect(d.Status).To(Equal(stripe.IssuingPersonalizationDesignStatusReview))
		Expect(d.PhysicalBundle.ID).To(Equal(b.ID))
		Expect(d.CarrierText.HeaderTitle).To(Equal("Welcome"))
		Expect(d.CarrierText.FooterBody).To(BeEmpty())
		Expect(d.CardLogo).To(BeNil())
		Expect(d.LookupKey).To(Equal("rr_black"))
		Expect(d.Preferences.IsDefault).To(BeTrue())
		Expect(d.RejectionReasons.CardLogo).To(BeEmpty())
		Expect(d.Metadata).To(HaveKeyWithValue("tier", "gold"))
		Expect(emu.EventTypes("")[n:]).To(BeEmpty()) // Stripe has no created event for designs

		gp := &stripe.IssuingPersonalizationDesignRetrieveParams{}
		gp.AddExpand("physical_bundle")
		got, err := sc.V1IssuingPersonalizationDesigns.Retrieve(Ctx, d.ID, gp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PhysicalBundle.Name).To(Equal(b.Name))

		// One default: a new default takes it from the old one.
		second := design(&stripe.IssuingPersonalizationDesignCreateParams{
			PhysicalBundle: stripe.String(b.ID), Preferences: &stripe.IssuingPersonalizationDesignCreatePreferencesParams{IsDefault: stripe.Bool(true)},
		})
		Expect(second.Preferences.IsDefault).To(BeTrue())
		Expect(second.Name).To(BeEmpty())
		Expect(second.CarrierText).To(BeNil())
		got, err = sc.V1IssuingPersonalizationDesigns.Retrieve(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Preferences.IsDefault).To(BeFalse())

		// A lookup key names one design; transfer_lookup_key moves it.
		_, err = sc.V1IssuingPersonalizationDesigns.Create(Ctx, &stripe.IssuingPersonalizationDesignCreateParams{
			PhysicalBundle: stripe.String(b.ID), LookupKey: stripe.String("rr_black"),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lookup_key")
		third := design(&stripe.IssuingPersonalizationDesignCreateParams{
			PhysicalBundle: stripe.String(b.ID), LookupKey: stripe.String("rr_black"), TransferLookupKey: stripe.Bool(true),
		})
		got, err = sc.V1IssuingPersonalizationDesigns.Retrieve(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.LookupKey).To(BeEmpty())

		ids := func(lp *stripe.IssuingPersonalizationDesignListParams) []string {
			return listedIDs(sc.V1IssuingPersonalizationDesigns.List(Ctx, lp), func(o *stripe.IssuingPersonalizationDesign) string { return o.ID })
		}
		Expect(ids(&stripe.IssuingPersonalizationDesignListParams{})).To(Equal([]string{third.ID, second.ID, d.ID}))
		Expect(ids(&stripe.IssuingPersonalizationDesignListParams{LookupKeys: []*string{stripe.String("rr_black")}})).To(Equal([]string{third.ID}))
		Expect(ids(&stripe.IssuingPersonalizationDesignListParams{
			Preferences: &stripe.IssuingPersonalizationDesignListPreferencesParams{IsDefault: stripe.Bool(true)},
		})).To(Equal([]string{second.ID}))
		Expect(ids(&stripe.IssuingPersonalizationDesignListParams{Status: stripe.String("active")})).To(BeEmpty())

		_, err = sc.V1IssuingPersonalizationDesigns.Create(Ctx, &stripe.IssuingPersonalizationDesignCreateParams{PhysicalBundle: stripe.String("ics_missing")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "physical_bundle")
		_, err = sc.V1IssuingPersonalizationDesigns.Create(Ctx, &stripe.IssuingPersonalizationDesignCreateParams{
			PhysicalBundle: stripe.String(b.ID),
			CarrierText:    &stripe.IssuingPersonalizationDesignCreateCarrierTextParams{HeaderTitle: stripe.String("A header title far longer than thirty")},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "carrier_text[header_title]")
		long := make([]byte, 201)
		for i := range long {
			long[i] = 'k'
		}
		_, err = sc.V1IssuingPersonalizationDesigns.Create(Ctx, &stripe.IssuingPersonalizationDesignCreateParams{
			PhysicalBundle: stripe.String(b.ID), LookupKey: stripe.String(string(long)),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lookup_key")
		// A card logo must be a file of purpose issuing_logo, which no
		// upload can have.
		f, err := sc.V1Files.Create(Ctx, &stripe.FileCreateParams{
			Purpose: stripe.String("dispute_evidence"), Filename: stripe.String("logo.pdf"),
			FileReader: bytes.NewReader([]byte("%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n")),
		})
		Expect(err).NotTo(HaveOccurred())
		n = len(emu.EventTypes(""))
		_, err = sc.V1IssuingPersonalizationDesigns.Create(Ctx, &stripe.IssuingPersonalizationDesignCreateParams{
			PhysicalBundle: stripe.String(b.ID), CardLogo: stripe.String(f.ID),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "card_logo")
		Expect(emu.EventTypes("")).To(HaveLen(n))
		Expect(ids(&stripe.IssuingPersonalizationDesignListParams{})).To(HaveLen(3))
	})

	It("changes a design's bundle and carrier text only while rejected, sending it back to review, and moves it with the test helpers", func() {
		all := bundles()
		d := design(&stripe.IssuingPersonalizationDesignCreateParams{PhysicalBundle: stripe.String(all[0].ID)})
		_, err := sc.V1IssuingPersonalizationDesigns.Update(Ctx, d.ID, &stripe.IssuingPersonalizationDesignUpdateParams{PhysicalBundle: stripe.String(all[1].ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "physical_bundle")

		up := &stripe.IssuingPersonalizationDesignUpdateParams{Name: stripe.String("Renamed")}
		up.AddMetadata("k", "v")
		u, err := sc.V1IssuingPersonalizationDesigns.Update(Ctx, d.ID, up)
		Expect(err).NotTo(HaveOccurred())
		Expect(u.Name).To(Equal("Renamed"))
		types := emu.EventTypes("")
		Expect(types[len(types)-1]).To(Equal("issuing_personalization_design.updated"))

		r, err := sc.V1TestHelpersIssuingPersonalizationDesigns.Reject(Ctx, d.ID, &stripe.TestHelpersIssuingPersonalizationDesignRejectParams{
			RejectionReasons: &stripe.TestHelpersIssuingPersonalizationDesignRejectRejectionReasonsParams{
				CarrierText: []*string{stripe.String("promotional_material")},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Status).To(Equal(stripe.IssuingPersonalizationDesignStatusRejected))
		Expect(r.RejectionReasons.CarrierText).To(Equal([]stripe.IssuingPersonalizationDesignRejectionReasonsCarrierText{"promotional_material"}))
		types = emu.EventTypes("")
		Expect(types[len(types)-1]).To(Equal("issuing_personalization_design.rejected"))

		u, err = sc.V1IssuingPersonalizationDesigns.Update(Ctx, d.ID, &stripe.IssuingPersonalizationDesignUpdateParams{
			PhysicalBundle: stripe.String(all[1].ID),
			CarrierText:    &stripe.IssuingPersonalizationDesignUpdateCarrierTextParams{FooterTitle: stripe.String("Questions?")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(u.Status).To(Equal(stripe.IssuingPersonalizationDesignStatusReview))
		Expect(u.PhysicalBundle.ID).To(Equal(all[1].ID))
		Expect(u.CarrierText.FooterTitle).To(Equal("Questions?"))
		Expect(u.RejectionReasons.CarrierText).To(BeEmpty())

		a, err := sc.V1TestHelpersIssuingPersonalizationDesigns.Activate(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Status).To(Equal(stripe.IssuingPersonalizationDesignStatusActive))
		_, err = sc.V1TestHelpersIssuingPersonalizationDesigns.Activate(Ctx, d.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		x, err := sc.V1TestHelpersIssuingPersonalizationDesigns.Deactivate(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(x.Status).To(Equal(stripe.IssuingPersonalizationDesignStatusInactive))
		types = emu.EventTypes("")
		Expect(types[len(types)-2:]).To(Equal([]string{"issuing_personalization_design.activated", "issuing_personalization_design.deactivated"}))
	})

	It("issues physical cards with a design, the default one when none is named, and refuses a design that cannot make cards", func() {
		b := bundles()[1]
		ch := newCardholder(sc)
		card, err := physical(ch.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(card.PersonalizationDesign).To(BeNil())

		d := design(&stripe.IssuingPersonalizationDesignCreateParams{PhysicalBundle: stripe.String(b.ID)})
		card, err = physical(ch.ID, func(p *stripe.IssuingCardCreateParams) { p.PersonalizationDesign = stripe.String(d.ID) })
		Expect(err).NotTo(HaveOccurred())
		Expect(card.PersonalizationDesign.ID).To(Equal(d.ID))
		cp := &stripe.IssuingCardRetrieveParams{}
		cp.AddExpand("personalization_design")
		got, err := sc.V1IssuingCards.Retrieve(Ctx, card.ID, cp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PersonalizationDesign.Status).To(Equal(stripe.IssuingPersonalizationDesignStatusReview))

		def := design(&stripe.IssuingPersonalizationDesignCreateParams{
			PhysicalBundle: stripe.String(b.ID), Preferences: &stripe.IssuingPersonalizationDesignCreatePreferencesParams{IsDefault: stripe.Bool(true)},
		})
		card2, err := physical(ch.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(card2.PersonalizationDesign.ID).To(Equal(def.ID))

		var listed []string
		for c, err := range sc.V1IssuingCards.List(Ctx, &stripe.IssuingCardListParams{PersonalizationDesign: stripe.String(d.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			listed = append(listed, c.ID)
		}
		Expect(listed).To(Equal([]string{card.ID}))

		_, err = sc.V1TestHelpersIssuingPersonalizationDesigns.Reject(Ctx, d.ID, &stripe.TestHelpersIssuingPersonalizationDesignRejectParams{
			RejectionReasons: &stripe.TestHelpersIssuingPersonalizationDesignRejectRejectionReasonsParams{CarrierText: []*string{stripe.String("other")}},
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = physical(ch.ID, func(p *stripe.IssuingCardCreateParams) { p.PersonalizationDesign = stripe.String(d.ID) })
		ExpectStripeError(err, 400, "invalid_request_error", "", "personalization_design")
		_, err = physical(ch.ID, func(p *stripe.IssuingCardCreateParams) { p.PersonalizationDesign = stripe.String("ipcd_missing") })
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "personalization_design")
		_, err = sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"), PersonalizationDesign: stripe.String(def.ID),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "personalization_design")
		virtual, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(virtual.PersonalizationDesign).To(BeNil())
	})
})
