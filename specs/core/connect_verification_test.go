package core_test

import (
	"bytes"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Stripe's test-mode verification values (docs.stripe.com/connect/testing):
// what the platform sends of a person or company is verified, or fails,
// by the test dates of birth, ID numbers, address tokens, tax IDs and
// document file tokens Stripe documents.
var _ = Describe("Verifying what the platform sends of a connected account", Label("connect"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	dob := func(y, m, d int64) *stripe.PersonDOBParams {
		return &stripe.PersonDOBParams{Day: stripe.Int64(d), Month: stripe.Int64(m), Year: stripe.Int64(y)}
	}
	// individual is a US Custom account of an individual with everything
	// Stripe asks for but what person sets.
	individual := func(person *stripe.PersonParams) (*stripe.Account, error) {
		person.FirstName, person.LastName, person.Email = stripe.String("Jenny"), stripe.String("Rosen"), stripe.String("jenny@example.com")
		person.Phone = stripe.String("8888675309")
		if person.SSNLast4 == nil && person.IDNumber == nil {
			person.SSNLast4 = stripe.String("0000")
		}
		if person.Address == nil {
			person.Address = &stripe.AddressParams{Line1: stripe.String("123 State St"), City: stripe.String("Schenectady"),
				PostalCode: stripe.String("12345"), State: stripe.String("NY")}
		}
		return sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			BusinessType: stripe.String("individual"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{
				CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}},
			BusinessProfile: &stripe.AccountCreateBusinessProfileParams{MCC: stripe.String("5734"), URL: stripe.String("https://tickets.example")},
			Individual:      person,
			Settings:        &stripe.AccountCreateSettingsParams{Payments: &stripe.AccountCreateSettingsPaymentsParams{StatementDescriptor: stripe.String("TICKETS")}},
			TOSAcceptance:   &stripe.AccountCreateTOSAcceptanceParams{Date: stripe.Int64(1700000000), IP: stripe.String("192.0.2.1")},
			ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String("btok_us_verified")},
		})
	}
	mustIndividual := func(person *stripe.PersonParams) *stripe.Account {
		GinkgoHelper()
		a, err := individual(person)
		Expect(err).NotTo(HaveOccurred())
		return a
	}
	update := func(id string, p *stripe.AccountUpdateParams) *stripe.Account {
		GinkgoHelper()
		a, err := sc.V1Accounts.Update(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return a
	}
	expectVerified := func(a *stripe.Account) {
		GinkgoHelper()
		Expect(a.Requirements.Errors).To(BeEmpty())
		Expect(a.Requirements.CurrentlyDue).To(BeEmpty())
		Expect(a.Requirements.DisabledReason).To(BeEmpty())
		Expect(a.ChargesEnabled).To(BeTrue())
		Expect(a.PayoutsEnabled).To(BeTrue())
		Expect(a.Capabilities.CardPayments).To(Equal(stripe.AccountCapabilityStatusActive))
		Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusActive))
	}
	// expectFailed checks that the account is held back for requirement,
	// which failed with code.
	expectFailed := func(a *stripe.Account, requirement, code string) {
		GinkgoHelper()
		Expect(a.Requirements.CurrentlyDue).To(ContainElement(requirement))
		Expect(a.Requirements.PastDue).To(ContainElement(requirement))
		Expect(a.Requirements.EventuallyDue).To(ContainElement(requirement))
		Expect(a.Requirements.DisabledReason).To(Equal(stripe.AccountRequirementsDisabledReasonRequirementsPastDue))
		var codes []string
		for _, e := range a.Requirements.Errors {
			if e.Requirement == requirement {
				codes = append(codes, e.Code)
				Expect(e.Reason).NotTo(BeEmpty())
			}
		}
		Expect(codes).To(Equal([]string{code}))
		Expect(a.ChargesEnabled).To(BeFalse())
		Expect(a.PayoutsEnabled).To(BeFalse())
		Expect(a.Capabilities.CardPayments).To(Equal(stripe.AccountCapabilityStatusInactive))
		Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusInactive))
	}

	Describe("dates of birth", func() {
		It("verifies 1901-01-01 and 1902-01-01 at once", func() {
			for _, year := range []int64{1901, 1902} {
				a := mustIndividual(&stripe.PersonParams{DOB: dob(year, 1, 1)})
				expectVerified(a)
				Expect(a.Individual.Verification.Status).To(Equal(stripe.PersonVerificationStatusVerified))
				Expect(a.Individual.Verification.DetailsCode).To(BeEmpty())
			}
		})

		It("fails any other date of birth as Stripe's keyed identity check, until it is corrected", func() {
			a := mustIndividual(&stripe.PersonParams{DOB: dob(1990, 1, 1)})
			expectFailed(a, "individual.verification.document", "verification_failed_keyed_identity")
			Expect(a.Requirements.Errors[0].Reason).To(Equal("The identity information you entered cannot be verified. Please correct any errors or upload a document that matches the identity fields (e.g., name and date of birth) that you entered."))
			Expect(a.Individual.Verification.Status).To(Equal(stripe.PersonVerificationStatusUnverified))
			Expect(a.Individual.Verification.DetailsCode).To(Equal(stripe.PersonVerificationDetailsCodeFailedKeyedIdentity))
			Expect(a.Individual.Verification.Details).To(Equal("Provided identity information could not be verified"))
			Expect(a.DetailsSubmitted).To(BeFalse())

			cp, err := sc.V1Capabilities.Retrieve(Ctx, "transfers", &stripe.CapabilityRetrieveParams{Account: stripe.String(a.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(cp.Status).To(Equal(stripe.CapabilityStatusInactive))
			Expect(cp.Requirements.DisabledReason).To(Equal(stripe.CapabilityDisabledReasonRequirementsFieldsNeeded))
			Expect(cp.Requirements.CurrentlyDue).To(ContainElement("individual.verification.document"))
			Expect(cp.Requirements.Errors).To(HaveLen(1))

			By("verifying it once the platform corrects the date, with capability.updated and account.updated")
			a = update(a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{DOB: dob(1901, 1, 1)}})
			expectVerified(a)
			Expect(a.DetailsSubmitted).To(BeTrue())
			Expect(a.Individual.Verification.Status).To(Equal(stripe.PersonVerificationStatusVerified))
			Expect(a.Individual.Verification.Details).To(BeEmpty())
			evs := emu.EventTypes(a.ID)
			Expect(evs[len(evs)-3:]).To(Equal([]string{"capability.updated", "capability.updated", "account.updated"}))
			CheckAccountEvents(emu, a.ID)
		})

		It("holds an account whose person's date of birth is 1900-01-01 for Stripe's OFAC watchlist review", func() {
			a := mustIndividual(&stripe.PersonParams{DOB: dob(1900, 1, 1)})
			Expect(a.Requirements.DisabledReason).To(Equal(stripe.AccountRequirementsDisabledReasonListed))
			Expect(a.Requirements.CurrentlyDue).To(BeEmpty())
			Expect(a.ChargesEnabled).To(BeFalse())
			Expect(a.PayoutsEnabled).To(BeFalse())
			Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusInactive))
			cp, err := sc.V1Capabilities.Retrieve(Ctx, "transfers", &stripe.CapabilityRetrieveParams{Account: stripe.String(a.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(cp.Requirements.DisabledReason).To(Equal(stripe.CapabilityDisabledReasonPendingReview))

			a = update(a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{DOB: dob(1901, 1, 1)}})
			expectVerified(a)
		})

		It("takes an onboarded account's capabilities away when a later date fails, and gives them back when corrected", func() {
			a := mustIndividual(&stripe.PersonParams{DOB: dob(1901, 1, 1)})
			expectVerified(a)
			a = update(a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{DOB: dob(1980, 5, 17)}})
			expectFailed(a, "individual.verification.document", "verification_failed_keyed_identity")
			evs := emu.EventTypes(a.ID)
			Expect(evs[len(evs)-3:]).To(Equal([]string{"capability.updated", "capability.updated", "account.updated"}))
			a = update(a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{DOB: dob(1902, 1, 1)}})
			expectVerified(a)
			CheckAccountEvents(emu, a.ID)
		})
	})

	Describe("ID numbers, addresses and documents", func() {
		It("fails the ID number 111111111 and verifies 000000000 and 222222222", func() {
			a := mustIndividual(&stripe.PersonParams{DOB: dob(1901, 1, 1), IDNumber: stripe.String("111111111")})
			expectFailed(a, "individual.verification.document", "verification_failed_keyed_identity")
			Expect(a.Individual.IDNumberProvided).To(BeTrue())
			a = update(a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{IDNumber: stripe.String("000000000")}})
			expectVerified(a)
			b := mustIndividual(&stripe.PersonParams{DOB: dob(1901, 1, 1), IDNumber: stripe.String("222222222"), SSNLast4: stripe.String("0000")})
			expectVerified(b)
		})

		It("fails the address tokens address_no_match and address_line1_no_match, asking for an additional document", func() {
			for _, token := range []string{"address_no_match", "address_line1_no_match"} {
				a := mustIndividual(&stripe.PersonParams{DOB: dob(1901, 1, 1),
					Address: &stripe.AddressParams{Line1: stripe.String(token), City: stripe.String("Austin"), State: stripe.String("TX"), PostalCode: stripe.String("78701")}})
				expectFailed(a, "individual.verification.additional_document", "verification_failed_address_match")
				Expect(a.Requirements.CurrentlyDue).NotTo(ContainElement("individual.verification.document"))
				Expect(a.Individual.Verification.Status).To(Equal(stripe.PersonVerificationStatusUnverified))
				a = update(a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{Address: &stripe.AddressParams{Line1: stripe.String("address_full_match")}}})
				expectVerified(a)
				Expect(a.Individual.Address.City).To(Equal("Austin"))
			}
		})

		It("takes Stripe's test document file tokens, which take precedence over every other value", func() {
			success := &stripe.PersonVerificationParams{Document: &stripe.PersonVerificationDocumentParams{Front: stripe.String("file_identity_document_success")}}
			a := mustIndividual(&stripe.PersonParams{DOB: dob(1990, 1, 1), IDNumber: stripe.String("111111111"), Verification: success})
			expectVerified(a)
			Expect(a.Individual.Verification.Document.Front.ID).To(Equal("file_identity_document_success"))

			failure := &stripe.PersonVerificationParams{Document: &stripe.PersonVerificationDocumentParams{Front: stripe.String("file_identity_document_failure")}}
			b := mustIndividual(&stripe.PersonParams{DOB: dob(1901, 1, 1), Verification: failure})
			expectFailed(b, "individual.verification.document", "verification_document_failed_test_mode")
			Expect(b.Individual.Verification.Status).To(Equal(stripe.PersonVerificationStatusUnverified))
			Expect(b.Individual.Verification.Document.DetailsCode).To(Equal(stripe.PersonVerificationDocumentDetailsCodeDocumentFailedTestMode))
			Expect(b.Individual.Verification.Document.Details).NotTo(BeEmpty())

			b = update(b.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{Verification: success}})
			expectVerified(b)
			Expect(b.Individual.Verification.Document.DetailsCode).To(BeEmpty())
			CheckAccountEvents(emu, b.ID)

			By("refusing a document that is neither an uploaded file nor a test token, changing nothing")
			_, err := sc.V1Accounts.Update(Ctx, b.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{DOB: dob(1990, 1, 1),
				Verification: &stripe.PersonVerificationParams{Document: &stripe.PersonVerificationDocumentParams{Front: stripe.String("file_identity_document_maybe")}}}})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "individual[verification][document][front]")
			got, err := sc.V1Accounts.GetByID(Ctx, b.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			expectVerified(got)
			Expect(got.Individual.DOB.Year).To(Equal(int64(1901)))

			By("refusing a file uploaded for another purpose, as the document must be an identity_document upload")
			png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
			evidence, err := sc.V1Files.Create(Ctx, &stripe.FileCreateParams{Purpose: stripe.String("dispute_evidence"),
				Filename: stripe.String("receipt.png"), FileReader: bytes.NewReader(png)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Accounts.Update(Ctx, b.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{
				Verification: &stripe.PersonVerificationParams{Document: &stripe.PersonVerificationDocumentParams{Front: stripe.String(evidence.ID)}}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "individual[verification][document][front]")
			id, err := sc.V1Files.Create(Ctx, &stripe.FileCreateParams{Purpose: stripe.String("identity_document"),
				Filename: stripe.String("id.png"), FileReader: bytes.NewReader(png)})
			Expect(err).NotTo(HaveOccurred())
			got = update(b.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{
				Verification: &stripe.PersonVerificationParams{AdditionalDocument: &stripe.PersonVerificationDocumentParams{Front: stripe.String(id.ID)}}}})
			Expect(got.Individual.Verification.AdditionalDocument.Front.ID).To(Equal(id.ID))
		})
	})

	It("settles a failed address check with an additional document token", func() {
		a := mustIndividual(&stripe.PersonParams{DOB: dob(1901, 1, 1), Address: &stripe.AddressParams{Line1: stripe.String("address_no_match"),
			City: stripe.String("Austin"), State: stripe.String("TX"), PostalCode: stripe.String("78701")}})
		expectFailed(a, "individual.verification.additional_document", "verification_failed_address_match")
		failure := &stripe.PersonVerificationParams{AdditionalDocument: &stripe.PersonVerificationDocumentParams{Front: stripe.String("file_identity_document_failure")}}
		a = update(a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{Verification: failure}})
		expectFailed(a, "individual.verification.additional_document", "verification_document_failed_test_mode")
		Expect(a.Individual.Verification.AdditionalDocument.DetailsCode).To(Equal(stripe.PersonVerificationDocumentDetailsCodeDocumentFailedTestMode))
		success := &stripe.PersonVerificationParams{AdditionalDocument: &stripe.PersonVerificationDocumentParams{Front: stripe.String("file_identity_document_success")}}
		a = update(a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{Verification: success}})
		expectVerified(a)
		Expect(a.Individual.Address.Line1).To(Equal("address_no_match"))
		Expect(a.Individual.Verification.AdditionalDocument.DetailsCode).To(BeEmpty())
	})

	It("fails the business detail tokens of Stripe's testing page with their verification errors, until a passing value is sent", func() {
		a := mustIndividual(&stripe.PersonParams{DOB: dob(1901, 1, 1)})
		expectVerified(a)
		a = update(a.ID, &stripe.AccountUpdateParams{BusinessProfile: &stripe.AccountUpdateBusinessProfileParams{URL: stripe.String("https://inaccessible.stripe.com")}})
		expectFailed(a, "business_profile.url", "invalid_url_website_inaccessible")
		a = update(a.ID, &stripe.AccountUpdateParams{BusinessProfile: &stripe.AccountUpdateBusinessProfileParams{URL: stripe.String("https://passwordprotected.stripe.com")}})
		expectFailed(a, "business_profile.url", "invalid_url_website_inaccessible_password_protected")
		a = update(a.ID, &stripe.AccountUpdateParams{BusinessProfile: &stripe.AccountUpdateBusinessProfileParams{URL: stripe.String("https://accessible.stripe.com")}})
		expectVerified(a)

		for _, tc := range []struct {
			params            *stripe.AccountUpdateParams
			requirement, code string
		}{
			{&stripe.AccountUpdateParams{BusinessProfile: &stripe.AccountUpdateBusinessProfileParams{URL: stripe.String("https://disallowed.stripe.com")}},
				"business_profile.url", "invalid_url_denylisted"},
			{&stripe.AccountUpdateParams{BusinessProfile: &stripe.AccountUpdateBusinessProfileParams{Name: stripe.String("disallowed_dba")}},
				"business_profile.name", "invalid_business_profile_name_denylisted"},
			{&stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{Payments: &stripe.AccountUpdateSettingsPaymentsParams{StatementDescriptor: stripe.String("disallowed")}}},
				"settings.payments.statement_descriptor", "invalid_statement_descriptor_denylisted"},
			{&stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{CardPayments: &stripe.AccountUpdateSettingsCardPaymentsParams{StatementDescriptorPrefix: stripe.String("mismatch")}}},
				"settings.card_payments.statement_descriptor_prefix", "invalid_statement_descriptor_prefix_mismatch"},
		} {
			p := &stripe.PersonParams{DOB: dob(1901, 1, 1)}
			a := mustIndividual(p)
			a = update(a.ID, tc.params)
			expectFailed(a, tc.requirement, tc.code)
		}
	})

	Describe("companies", func() {
		// company makes a US Custom company account with everything due but
		// its representative, whose details are rep.
		company := func(taxID string, line1 ...string) *stripe.Account {
			GinkgoHelper()
			street := "123 State St"
			if len(line1) > 0 {
				street = line1[0]
			}
			a, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
				BusinessType:    stripe.String("company"),
				Capabilities:    &stripe.AccountCreateCapabilitiesParams{Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}},
				BusinessProfile: &stripe.AccountCreateBusinessProfileParams{MCC: stripe.String("5734"), URL: stripe.String("https://tickets.example")},
				Company: &stripe.AccountCreateCompanyParams{Name: stripe.String("Tickets Inc"), TaxID: stripe.String(taxID), OwnersProvided: stripe.Bool(true),
					Phone: stripe.String("8888675309"), Address: &stripe.AddressParams{City: stripe.String("Schenectady"),
						Line1: stripe.String(street), PostalCode: stripe.String("12345"), State: stripe.String("NY")}},
				Settings:        &stripe.AccountCreateSettingsParams{Payments: &stripe.AccountCreateSettingsPaymentsParams{StatementDescriptor: stripe.String("TICKETS")}},
				TOSAcceptance:   &stripe.AccountCreateTOSAcceptanceParams{Date: stripe.Int64(1700000000), IP: stripe.String("192.0.2.1")},
				ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String("btok_us_verified")},
			})
			Expect(err).NotTo(HaveOccurred())
			return a
		}
		representative := func(acct string, year int64) *stripe.Person {
			GinkgoHelper()
			p, err := sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(acct),
				FirstName: stripe.String("Ada"), LastName: stripe.String("Lovelace"), Email: stripe.String("ada@example.com"),
				Phone: stripe.String("8888675309"), SSNLast4: stripe.String("0000"),
				Address: &stripe.AddressParams{City: stripe.String("Schenectady"), Line1: stripe.String("123 State St"),
					PostalCode: stripe.String("12345"), State: stripe.String("NY")},
				DOB:          &stripe.PersonCreateDOBParams{Day: stripe.Int64(1), Month: stripe.Int64(1), Year: stripe.Int64(year)},
				Relationship: &stripe.PersonCreateRelationshipParams{Representative: stripe.Bool(true)}})
			Expect(err).NotTo(HaveOccurred())
			return p
		}

		It("verifies a person by the same values, on the person and on its account", func() {
			a := company("000000000")
			rep := representative(a.ID, 1990)
			Expect(rep.Verification.Status).To(Equal(stripe.PersonVerificationStatusUnverified))
			Expect(rep.Verification.DetailsCode).To(Equal(stripe.PersonVerificationDetailsCodeFailedKeyedIdentity))
			Expect(rep.Requirements.CurrentlyDue).To(Equal([]string{"verification.document"}))
			Expect(rep.Requirements.PastDue).To(Equal([]string{"verification.document"}))
			Expect(rep.Requirements.Errors).To(HaveLen(1))
			Expect(rep.Requirements.Errors[0].Code).To(Equal("verification_failed_keyed_identity"))
			Expect(rep.Requirements.Errors[0].Requirement).To(Equal("verification.document"))
			a, err := sc.V1Accounts.GetByID(Ctx, a.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Requirements.CurrentlyDue).To(Equal([]string{rep.ID + ".verification.document"}))
			Expect(a.Requirements.Errors[0].Requirement).To(Equal(rep.ID + ".verification.document"))
			Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusInactive))

			By("correcting the person verifies it and onboards the account")
			rep, err = sc.V1Persons.Update(Ctx, rep.ID, &stripe.PersonUpdateParams{Account: stripe.String(a.ID),
				DOB: &stripe.PersonUpdateDOBParams{Day: stripe.Int64(1), Month: stripe.Int64(1), Year: stripe.Int64(1901)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(rep.Verification.Status).To(Equal(stripe.PersonVerificationStatusVerified))
			Expect(rep.Requirements.CurrentlyDue).To(BeEmpty())
			Expect(rep.Requirements.Errors).To(BeEmpty())
			a, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Requirements.Errors).To(BeEmpty())
			Expect(a.ChargesEnabled).To(BeTrue())
			Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusActive))
			evs := emu.EventTypes(a.ID)
			Expect(evs[len(evs)-3:]).To(Equal([]string{"person.updated", "capability.updated", "account.updated"}))
			CheckAccountEvents(emu, a.ID)

			By("refusing a document that is neither a file nor a test token, changing nothing")
			_, err = sc.V1Persons.Update(Ctx, rep.ID, &stripe.PersonUpdateParams{Account: stripe.String(a.ID),
				DOB:          &stripe.PersonUpdateDOBParams{Day: stripe.Int64(2), Month: stripe.Int64(2), Year: stripe.Int64(1990)},
				Verification: &stripe.PersonUpdateVerificationParams{Document: &stripe.PersonUpdateVerificationDocumentParams{Front: stripe.String("file_identity_document")}}})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "verification[document][front]")
			Expect(emu.EventTypes(a.ID)).To(HaveLen(len(evs)))
			rep, err = sc.V1Persons.Retrieve(Ctx, rep.ID, &stripe.PersonRetrieveParams{Account: stripe.String(a.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(rep.Verification.Status).To(Equal(stripe.PersonVerificationStatusVerified))

			By("holding the account for any of its persons, an owner too")
			owner, err := sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(a.ID), FirstName: stripe.String("Bo"),
				IDNumber:     stripe.String("111111111"),
				Relationship: &stripe.PersonCreateRelationshipParams{Owner: stripe.Bool(true), PercentOwnership: stripe.Float64(60)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(owner.Verification.Status).To(Equal(stripe.PersonVerificationStatusUnverified))
			a, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Requirements.CurrentlyDue).To(Equal([]string{owner.ID + ".verification.document"}))
			Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusInactive))
			Expect(a.PayoutsEnabled).To(BeFalse())

			By("and releasing it when that person is removed")
			_, err = sc.V1Persons.Delete(Ctx, owner.ID, &stripe.PersonDeleteParams{Account: stripe.String(a.ID)})
			Expect(err).NotTo(HaveOccurred())
			a, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Requirements.CurrentlyDue).To(BeEmpty())
			Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusActive))
			CheckAccountEvents(emu, a.ID)
		})

		It("shows the failures of an account whose requirements Stripe collects until its onboarding completes", func() {
			a, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), BusinessType: stripe.String("individual"),
				Capabilities: &stripe.AccountCreateCapabilitiesParams{Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}},
				Individual:   &stripe.PersonParams{DOB: dob(1990, 1, 1)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Requirements.CurrentlyDue).To(ContainElement("individual.verification.document"))
			Expect(a.Requirements.Errors).To(HaveLen(1))
			status, body, err := emu.Call("POST", "/v1/test_helpers/accounts/"+a.ID+"/complete_onboarding", nil, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			a = update(a.ID, &stripe.AccountUpdateParams{Metadata: map[string]string{"k": "v"}})
			Expect(a.Requirements.Errors).To(BeEmpty(), "Stripe's onboarding answers for it")
			Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusActive))
		})

		It("validates the business address by Stripe's test tokens, never more restrictively than the token before", func() {
			at := func(line1 string) *stripe.Account {
				GinkgoHelper()
				a := company("000000000", line1)
				representative(a.ID, 1901)
				a, err := sc.V1Accounts.GetByID(Ctx, a.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				return a
			}
			By("address_no_match: only charges enabled, line1 listed again")
			a := at("address_no_match")
			Expect(a.Requirements.CurrentlyDue).To(Equal([]string{"company.address.line1"}))
			Expect(a.ChargesEnabled).To(BeTrue())
			Expect(a.PayoutsEnabled).To(BeFalse())

			By("holding charges too when a person is on a watchlist")
			w := company("000000000", "address_no_match")
			representative(w.ID, 1900)
			w, err := sc.V1Accounts.GetByID(Ctx, w.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(w.Requirements.DisabledReason).To(Equal(stripe.AccountRequirementsDisabledReasonListed))
			Expect(w.ChargesEnabled).To(BeFalse())

			By("address_line1_no_match: neither, the address listed again")
			b := at("address_line1_no_match")
			Expect(b.Requirements.CurrentlyDue).To(ConsistOf("company.address.city", "company.address.line1",
				"company.address.postal_code", "company.address.state"))
			Expect(b.ChargesEnabled).To(BeFalse())
			Expect(b.PayoutsEnabled).To(BeFalse())
			Expect(b.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusInactive))

			By("a less restrictive token after it")
			b = update(b.ID, &stripe.AccountUpdateParams{Company: &stripe.AccountUpdateCompanyParams{
				Address: &stripe.AddressParams{Line1: stripe.String("address_no_match")}}})
			Expect(b.Requirements.CurrentlyDue).To(Equal([]string{"company.address.line1"}))
			Expect(b.ChargesEnabled).To(BeTrue())
			Expect(b.PayoutsEnabled).To(BeFalse())
			b = update(b.ID, &stripe.AccountUpdateParams{Company: &stripe.AccountUpdateCompanyParams{
				Address: &stripe.AddressParams{Line1: stripe.String("address_full_match")}}})
			Expect(b.Requirements.CurrentlyDue).To(BeEmpty())
			Expect(b.ChargesEnabled).To(BeTrue())
			Expect(b.PayoutsEnabled).To(BeTrue())

			By("a more restrictive one after address_full_match changing nothing, as the page says")
			b = update(b.ID, &stripe.AccountUpdateParams{Company: &stripe.AccountUpdateCompanyParams{
				Address: &stripe.AddressParams{Line1: stripe.String("address_line1_no_match")}}})
			Expect(b.Requirements.CurrentlyDue).To(BeEmpty())
			Expect(b.PayoutsEnabled).To(BeTrue())
		})

		It("fails the business tax IDs 111111111 and 111111112, and verifies 000000000, 000000001 and 222222222", func() {
			for taxID, code := range map[string]string{"111111111": "verification_failed_tax_id_match", "111111112": "verification_failed_tax_id_not_issued"} {
				a := company(taxID)
				representative(a.ID, 1901)
				a, err := sc.V1Accounts.GetByID(Ctx, a.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(a.Requirements.CurrentlyDue).To(Equal([]string{"company.tax_id"}))
				Expect(a.Requirements.Errors).To(HaveLen(1))
				Expect(a.Requirements.Errors[0].Code).To(Equal(code))
				Expect(a.Requirements.Errors[0].Requirement).To(Equal("company.tax_id"))
				Expect(a.Company.TaxIDProvided).To(BeTrue())
				Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusInactive))
				a = update(a.ID, &stripe.AccountUpdateParams{Company: &stripe.AccountUpdateCompanyParams{TaxID: stripe.String("000000000")}})
				Expect(a.Requirements.Errors).To(BeEmpty())
				Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusActive))
			}
			for _, taxID := range []string{"000000001", "222222222"} {
				a := company(taxID)
				representative(a.ID, 1902)
				a, err := sc.V1Accounts.GetByID(Ctx, a.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusActive), taxID)
			}
		})
	})
})
