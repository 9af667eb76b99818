package issuing_test

import (
	"bytes"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Issuing cardholders", Label("issuing"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	It("creates an individual cardholder with nothing past due, and sends issuing_cardholder.created", func() {
		p := cardholderParams()
		p.PhoneNumber = stripe.String("+18008675309")
		p.PreferredLocales = []*string{stripe.String("en")}
		p.AddMetadata("team", "ops")
		ch, err := sc.V1IssuingCardholders.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.ID).To(HavePrefix("ich_"))
		Expect(ch.Type).To(Equal(stripe.IssuingCardholderTypeIndividual))
		Expect(ch.Status).To(Equal(stripe.IssuingCardholderStatusActive))
		Expect(ch.Billing.Address.City).To(Equal("San Francisco"))
		Expect(ch.Individual.FirstName).To(Equal("Jenny"))
		Expect(ch.Individual.CardIssuing.UserTermsAcceptance.IP).To(Equal("91.121.146.224"))
		Expect(ch.Requirements.DisabledReason).To(BeEmpty())
		Expect(ch.Requirements.PastDue).To(BeEmpty())
		Expect(ch.SpendingControls.SpendingLimits).To(BeEmpty())
		Expect(ch.Metadata).To(HaveKeyWithValue("team", "ops"))
		Expect(emu.EventTypes("")).To(Equal([]string{"issuing_cardholder.created"}))

		got, err := sc.V1IssuingCardholders.Retrieve(Ctx, ch.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Email).To(Equal("jenny@example.com"))
	})

	It("turns a phone number into E.164, as Stripe's reference says it does", func() {
		// "This will be transformed to E.164 if it is not provided in
		// that format already": a national number of a cardholder billed
		// in the US takes +1; an international one loses its spacing.
		p := cardholderParams()
		p.PhoneNumber = stripe.String("(800) 867-5309")
		ch, err := sc.V1IssuingCardholders.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.PhoneNumber).To(Equal("+18008675309"))
		// In order: the list below looks for the number set last.
		for _, tc := range [][2]string{
			{"1-800-555-0100", "+18005550100"}, {"+44 20 7946 0958", "+442079460958"}, {"0044 20 7946 0958", "+442079460958"},
		} {
			given, want := tc[0], tc[1]
			up, err := sc.V1IssuingCardholders.Update(Ctx, ch.ID, &stripe.IssuingCardholderUpdateParams{PhoneNumber: stripe.String(given)})
			Expect(err).NotTo(HaveOccurred())
			Expect(up.PhoneNumber).To(Equal(want), given)
		}
		// The list filter finds it by its E.164 form.
		var found []string
		for c, err := range sc.V1IssuingCardholders.List(Ctx, &stripe.IssuingCardholderListParams{PhoneNumber: stripe.String("+442079460958")}) {
			Expect(err).NotTo(HaveOccurred())
			found = append(found, c.ID)
		}
		Expect(found).To(Equal([]string{ch.ID}))
	})

	It("takes an individual's verification document only as a file uploaded for identity_document", func() {
		// Stripe's reference: "The front of an ID returned by a file
		// upload with a purpose value of identity_document".
		upload := func(purpose string) string {
			GinkgoHelper()
			pdf := []byte("%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n")
			f, err := sc.V1Files.Create(Ctx, &stripe.FileCreateParams{
				Purpose: stripe.String(purpose), Filename: stripe.String("id.pdf"), FileReader: bytes.NewReader(pdf),
			})
			Expect(err).NotTo(HaveOccurred())
			return f.ID
		}
		id := upload("identity_document")
		p := cardholderParams()
		p.Individual.Verification = &stripe.IssuingCardholderCreateIndividualVerificationParams{
			Document: &stripe.IssuingCardholderCreateIndividualVerificationDocumentParams{Front: stripe.String(id)},
		}
		ch, err := sc.V1IssuingCardholders.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.Individual.Verification.Document.Front.ID).To(Equal(id))

		other := upload("dispute_evidence")
		_, err = sc.V1IssuingCardholders.Update(Ctx, ch.ID, &stripe.IssuingCardholderUpdateParams{
			Individual: &stripe.IssuingCardholderUpdateIndividualParams{Verification: &stripe.IssuingCardholderUpdateIndividualVerificationParams{
				Document: &stripe.IssuingCardholderUpdateIndividualVerificationDocumentParams{Back: stripe.String(other)},
			}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "individual[verification][document][back]")
		got, err := sc.V1IssuingCardholders.Retrieve(Ctx, ch.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Individual.Verification.Document.Back).To(BeNil())

		// Sent alone, the back joins the front given before.
		back := upload("identity_document")
		up, err := sc.V1IssuingCardholders.Update(Ctx, ch.ID, &stripe.IssuingCardholderUpdateParams{
			Individual: &stripe.IssuingCardholderUpdateIndividualParams{Verification: &stripe.IssuingCardholderUpdateIndividualVerificationParams{
				Document: &stripe.IssuingCardholderUpdateIndividualVerificationDocumentParams{Back: stripe.String(back)},
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.Individual.Verification.Document.Back.ID).To(Equal(back))
		Expect(up.Individual.Verification.Document.Front.ID).To(Equal(id))
	})

	It("lists an individual's missing name and terms acceptance as past due, until they are given", func() {
		ch, err := sc.V1IssuingCardholders.Create(Ctx, &stripe.IssuingCardholderCreateParams{
			Name:    stripe.String("Jenny Rosen"),
			Billing: cardholderParams().Billing,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.Requirements.DisabledReason).To(Equal(stripe.IssuingCardholderRequirementsDisabledReasonRequirementsPastDue))
		// In the order of Stripe's reference examples.
		Expect(ch.Requirements.PastDue).To(Equal([]string{
			"individual.card_issuing.user_terms_acceptance.ip", "individual.card_issuing.user_terms_acceptance.date",
			"individual.first_name", "individual.last_name"}))

		up, err := sc.V1IssuingCardholders.Update(Ctx, ch.ID, &stripe.IssuingCardholderUpdateParams{
			Individual: &stripe.IssuingCardholderUpdateIndividualParams{FirstName: stripe.String("Jenny"), LastName: stripe.String("Rosen")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.Requirements.PastDue).To(Equal([]string{
			"individual.card_issuing.user_terms_acceptance.ip", "individual.card_issuing.user_terms_acceptance.date"}))

		up, err = sc.V1IssuingCardholders.Update(Ctx, ch.ID, &stripe.IssuingCardholderUpdateParams{
			Individual: &stripe.IssuingCardholderUpdateIndividualParams{CardIssuing: &stripe.IssuingCardholderUpdateIndividualCardIssuingParams{
				UserTermsAcceptance: &stripe.IssuingCardholderUpdateIndividualCardIssuingUserTermsAcceptanceParams{Date: stripe.Int64(1700000000), IP: stripe.String("10.0.0.1")},
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.Requirements.PastDue).To(BeEmpty())
		Expect(up.Requirements.DisabledReason).To(BeEmpty())
		Expect(up.Individual.FirstName).To(Equal("Jenny"))

		evs := emu.Events("")
		Expect(emu.EventTypes("")).To(Equal([]string{"issuing_cardholder.created", "issuing_cardholder.updated", "issuing_cardholder.updated"}))
		prev := evs[len(evs)-1]["data"].(map[string]any)["previous_attributes"].(map[string]any)
		Expect(prev).To(HaveKey("requirements"))
		Expect(prev).To(HaveKey("individual"))
	})

	It("shows only that a company's tax ID was given", func() {
		p := cardholderParams()
		p.Individual = nil
		p.Type = stripe.String("company")
		p.Company = &stripe.IssuingCardholderCreateCompanyParams{TaxID: stripe.String("000000000")}
		ch, err := sc.V1IssuingCardholders.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.Company.TaxIDProvided).To(BeTrue())
		Expect(ch.Requirements.PastDue).To(BeEmpty())
		Expect(ch.Individual).To(BeNil())
	})

	It("keeps spending controls, allowing one of allowed and blocked categories only", func() {
		p := cardholderParams()
		p.SpendingControls = &stripe.IssuingCardholderCreateSpendingControlsParams{
			BlockedCategories: []*string{stripe.String("aquariums")},
			SpendingLimits: []*stripe.IssuingCardholderCreateSpendingControlsSpendingLimitParams{
				{Amount: stripe.Int64(5000), Interval: stripe.String("daily")},
			},
		}
		ch, err := sc.V1IssuingCardholders.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.SpendingControls.BlockedCategories).To(Equal([]string{"aquariums"}))
		Expect(ch.SpendingControls.SpendingLimits[0].Amount).To(BeEquivalentTo(5000))
		Expect(string(ch.SpendingControls.SpendingLimitsCurrency)).To(Equal("usd"))

		before := len(emu.EventTypes(""))
		_, err = sc.V1IssuingCardholders.Update(Ctx, ch.ID, &stripe.IssuingCardholderUpdateParams{
			SpendingControls: &stripe.IssuingCardholderUpdateSpendingControlsParams{AllowedCategories: []*string{stripe.String("bakeries")}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "parameters_exclusive", "spending_controls[allowed_categories]")
		Expect(emu.EventTypes("")).To(HaveLen(before))
	})

	It("refuses what it does not take or emulate, changing nothing", func() {
		p := cardholderParams()
		p.Billing = nil
		_, err := sc.V1IssuingCardholders.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "billing")

		p = cardholderParams()
		p.Name = stripe.String("R2-D2")
		_, err = sc.V1IssuingCardholders.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "name")
		p.Name = stripe.String("Jennifer Alexandra Rosenberg")
		_, err = sc.V1IssuingCardholders.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "name")

		// An individual's names: "This field cannot contain any numbers,
		// special characters (except periods, commas, hyphens, spaces and
		// apostrophes) or non-latin letters."
		for _, bad := range []string{"J3nny", "Jenny!", "Дженни"} {
			p = cardholderParams()
			p.Individual.FirstName = stripe.String(bad)
			_, err = sc.V1IssuingCardholders.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", "individual[first_name]")
			p = cardholderParams()
			p.Individual.LastName = stripe.String(bad)
			_, err = sc.V1IssuingCardholders.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", "individual[last_name]")
		}
		// An email address that is none, refused as Stripe refuses one
		// anywhere.
		p = cardholderParams()
		p.Email = stripe.String("not-an-email")
		_, err = sc.V1IssuingCardholders.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "email_invalid", "email")
		// Limits in another currency than the account's would need the
		// conversion Stripe makes ("Amounts in other currencies are
		// converted"), which the emulator does not.
		p = cardholderParams()
		p.SpendingControls = &stripe.IssuingCardholderCreateSpendingControlsParams{
			SpendingLimitsCurrency: stripe.String("eur"),
			SpendingLimits: []*stripe.IssuingCardholderCreateSpendingControlsSpendingLimitParams{
				{Amount: stripe.Int64(1000), Interval: stripe.String("daily")},
			},
		}
		_, err = sc.V1IssuingCardholders.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "spending_controls[spending_limits_currency]")
		// "Cardholders must be older than 13 years old."
		p = cardholderParams()
		p.Individual.DOB = &stripe.IssuingCardholderCreateIndividualDOBParams{Day: stripe.Int64(1), Month: stripe.Int64(1), Year: stripe.Int64(2020)}
		_, err = sc.V1IssuingCardholders.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "individual[dob]")

		p = cardholderParams()
		p.Status = stripe.String("blocked")
		_, err = sc.V1IssuingCardholders.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "status")

		p = cardholderParams()
		p.Company = &stripe.IssuingCardholderCreateCompanyParams{TaxID: stripe.String("000000000")}
		_, err = sc.V1IssuingCardholders.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "company")
		Expect(emu.Count("", "issuing.cardholder")).To(BeZero())
		Expect(emu.EventTypes("")).To(BeEmpty())

		_, err = sc.V1IssuingCardholders.Retrieve(Ctx, "ich_nope", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	It("takes latin names with periods, commas, hyphens, spaces and apostrophes", func() {
		p := cardholderParams()
		p.Individual.FirstName = stripe.String("Zoë-Anne")
		p.Individual.LastName = stripe.String("O'Brien, Jr.")
		ch, err := sc.V1IssuingCardholders.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.Individual.FirstName).To(Equal("Zoë-Anne"))
		Expect(ch.Individual.LastName).To(Equal("O'Brien, Jr."))
	})

	It("lists cardholders by email, status, type and phone number", func() {
		a := newCardholder(sc)
		p := cardholderParams()
		p.Email = stripe.String("other@example.com")
		p.Status = stripe.String("inactive")
		p.PhoneNumber = stripe.String("+18005550100")
		b, err := sc.V1IssuingCardholders.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())

		ids := func(lp *stripe.IssuingCardholderListParams) []string {
			return listedIDs(sc.V1IssuingCardholders.List(Ctx, lp), func(o *stripe.IssuingCardholder) string { return o.ID })
		}
		Expect(ids(&stripe.IssuingCardholderListParams{})).To(Equal([]string{b.ID, a.ID}))
		Expect(ids(&stripe.IssuingCardholderListParams{Email: stripe.String("jenny@example.com")})).To(Equal([]string{a.ID}))
		Expect(ids(&stripe.IssuingCardholderListParams{Status: stripe.String("inactive")})).To(Equal([]string{b.ID}))
		Expect(ids(&stripe.IssuingCardholderListParams{PhoneNumber: stripe.String("+18005550100")})).To(Equal([]string{b.ID}))
		Expect(ids(&stripe.IssuingCardholderListParams{Type: stripe.String("company")})).To(BeEmpty())
	})
})
