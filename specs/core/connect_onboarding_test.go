package core_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/wirecheck"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Connect onboarding through the API", Label("connect"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	// custom makes a Custom account asking for card payments and transfers.
	custom := func(businessType string) *stripe.Account {
		GinkgoHelper()
		a, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{
			Type: stripe.String("custom"), Country: stripe.String("US"), BusinessType: stripe.String(businessType),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{
				CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		return a
	}
	// raw calls the API without stripe-go, checking the answer's shape.
	raw := func(method, path string, form url.Values) (int, map[string]any) {
		GinkgoHelper()
		status, body, err := emu.Call(method, path, form, "")
		Expect(err).NotTo(HaveOccurred())
		if status == 200 {
			b, _ := json.Marshal(body)
			Expect(wirecheck.Check(b)).To(Succeed())
		}
		return status, body
	}
	onboard := func(id string) {
		GinkgoHelper()
		status, body := raw("POST", "/v1/test_helpers/accounts/"+id+"/complete_onboarding", nil)
		Expect(status).To(Equal(200), "%v", body)
	}
	errorOf := func(body map[string]any) map[string]any { return body["error"].(map[string]any) }

	Describe("capabilities", func() {
		It("shows every capability, the requested ones as the account does", func() {
			a := custom("company")
			var caps []*stripe.Capability
			for c, err := range sc.V1Capabilities.List(Ctx, &stripe.CapabilityListParams{Account: stripe.String(a.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				caps = append(caps, c)
			}
			byID := map[string]*stripe.Capability{}
			for _, c := range caps {
				byID[c.ID] = c
				Expect(c.Account.ID).To(Equal(a.ID))
			}
			Expect(caps[0].ID).To(Equal("acss_debit_payments"), "sorted by name")
			Expect(byID).To(HaveKey("us_bank_account_ach_payments"))
			cp := byID["card_payments"]
			Expect(cp.Requested).To(BeTrue())
			Expect(cp.RequestedAt).To(Equal(a.Created))
			Expect(cp.Status).To(Equal(stripe.CapabilityStatusInactive))
			Expect(cp.Requirements.DisabledReason).To(Equal(stripe.CapabilityDisabledReasonPendingOnboarding))
			// "If the capability has any activation requirements, the
			// response includes them in the requirements arrays."
			Expect(cp.Requirements.CurrentlyDue).To(Equal(a.Requirements.CurrentlyDue))
			Expect(cp.Requirements.CurrentlyDue).To(ContainElements("company.name", "external_account"))
			Expect(cp.Requirements.EventuallyDue).To(Equal(a.Requirements.EventuallyDue))
			Expect(cp.Requirements.PastDue).To(Equal(a.Requirements.PastDue))
			Expect(cp.Requirements.Alternatives).To(HaveLen(len(a.Requirements.Alternatives)))
			ach := byID["us_bank_account_ach_payments"]
			Expect(ach.Requested).To(BeFalse())
			Expect(ach.RequestedAt).To(BeZero())
			Expect(ach.Status).To(Equal(stripe.CapabilityStatusUnrequested))

			got, err := sc.V1Capabilities.Retrieve(Ctx, "transfers", &stripe.CapabilityRetrieveParams{Account: stripe.String(a.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.CapabilityStatusInactive))

			By("expanding the account")
			p := &stripe.CapabilityRetrieveParams{Account: stripe.String(a.ID)}
			p.AddExpand("account")
			got, err = sc.V1Capabilities.Retrieve(Ctx, "transfers", p)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Account.Type).To(Equal(stripe.AccountTypeCustom))

			_, err = sc.V1Capabilities.Retrieve(Ctx, "teleportation", &stripe.CapabilityRetrieveParams{Account: stripe.String(a.ID)})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			_, err = sc.V1Capabilities.Retrieve(Ctx, "transfers", &stripe.CapabilityRetrieveParams{Account: stripe.String("acct_nope")})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})

		It("requests and removes capabilities, announcing capability.updated then account.updated", func() {
			a := custom("company")
			emu.Clock().Advance(60 * 1e9)
			now := emu.Clock().Now().Unix()
			c, err := sc.V1Capabilities.Update(Ctx, "us_bank_account_ach_payments", &stripe.CapabilityUpdateParams{
				Account: stripe.String(a.ID), Requested: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Requested).To(BeTrue())
			Expect(c.RequestedAt).To(Equal(now))
			Expect(c.Status).To(Equal(stripe.CapabilityStatusInactive))
			a, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Capabilities.USBankAccountACHPayments).To(Equal(stripe.AccountCapabilityStatusInactive))
			Expect(emu.EventTypes(a.ID)).To(Equal([]string{"capability.updated", "account.updated"}))
			ev := emu.Events(a.ID)[0]
			Expect(ev["account"]).To(Equal(a.ID))
			Expect(ev["data"].(map[string]any)["previous_attributes"]).To(Equal(map[string]any{
				"requested": false, "requested_at": nil, "status": "unrequested",
				// Unrequested, it had no activation requirements listed.
				"requirements": map[string]any{"disabled_reason": nil, "alternatives": []any{}, "currently_due": []any{},
					"eventually_due": []any{}, "past_due": []any{}}}))

			By("asking again, which changes nothing")
			_, err = sc.V1Capabilities.Update(Ctx, "us_bank_account_ach_payments", &stripe.CapabilityUpdateParams{
				Account: stripe.String(a.ID), Requested: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(emu.Events(a.ID)).To(HaveLen(2))

			By("refusing transfers away from card payments")
			_, err = sc.V1Capabilities.Update(Ctx, "transfers", &stripe.CapabilityUpdateParams{
				Account: stripe.String(a.ID), Requested: stripe.Bool(false)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "requested")
			Expect(StripeErr(err).Msg).To(HavePrefix("Accounts do not currently support `card_payments` without `transfers`."))
			Expect(emu.Events(a.ID)).To(HaveLen(2), "nothing changed")

			By("removing card payments")
			c, err = sc.V1Capabilities.Update(Ctx, "card_payments", &stripe.CapabilityUpdateParams{
				Account: stripe.String(a.ID), Requested: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Status).To(Equal(stripe.CapabilityStatusUnrequested))
			Expect(c.RequestedAt).To(BeZero())
			a, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Capabilities.CardPayments).To(BeEmpty(), "an unrequested capability leaves the account's hash")

			By("through the account's own capabilities parameter too")
			_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Capabilities: &stripe.AccountUpdateCapabilitiesParams{
				CardPayments: &stripe.AccountUpdateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers:    &stripe.AccountUpdateCapabilitiesTransfersParams{Requested: stripe.Bool(false)},
			}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "capabilities")
			a, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Capabilities: &stripe.AccountUpdateCapabilitiesParams{
				CardPayments: &stripe.AccountUpdateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
			}})
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Capabilities.CardPayments).To(Equal(stripe.AccountCapabilityStatusInactive))
			CheckAccountEvents(emu, a.ID)
		})

		It("activates what onboarding covers and what is requested after it", func() {
			a := custom("individual")
			onboard(a.ID)
			c, err := sc.V1Capabilities.Retrieve(Ctx, "card_payments", &stripe.CapabilityRetrieveParams{Account: stripe.String(a.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Status).To(Equal(stripe.CapabilityStatusActive))
			Expect(c.Requirements.DisabledReason).To(BeEmpty())
			c, err = sc.V1Capabilities.Update(Ctx, "link_payments", &stripe.CapabilityUpdateParams{
				Account: stripe.String(a.ID), Requested: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Status).To(Equal(stripe.CapabilityStatusActive))
			CheckAccountEvents(emu, a.ID)
		})

		It("applies Stripe's rules on who may ask for what", func() {
			_, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"),
				Capabilities: &stripe.AccountCreateCapabilitiesParams{
					CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "capabilities")

			By("a Standard account may take card payments alone, and keeps what it has")
			std, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("standard"),
				Capabilities: &stripe.AccountCreateCapabilitiesParams{
					CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)}}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Capabilities.Update(Ctx, "card_payments", &stripe.CapabilityUpdateParams{
				Account: stripe.String(std.ID), Requested: stripe.Bool(false)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "requested")

			By("only the platform changes capabilities")
			p := &stripe.CapabilityUpdateParams{Account: stripe.String(std.ID), Requested: stripe.Bool(true)}
			p.SetStripeAccount(std.ID)
			_, err = sc.V1Capabilities.Update(Ctx, "transfers", p)
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
		})
	})

	Describe("persons", func() {
		It("keeps one representative and one authorizer at a time, the current one unset first", func() {
			a := custom("company")
			person := func(rel *stripe.PersonCreateRelationshipParams) (*stripe.Person, error) {
				return sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(a.ID), Relationship: rel})
			}
			rep, err := person(&stripe.PersonCreateRelationshipParams{Representative: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			_, err = person(&stripe.PersonCreateRelationshipParams{Representative: stripe.Bool(true)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "relationship[representative]")
			other, err := person(&stripe.PersonCreateRelationshipParams{Owner: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Persons.Update(Ctx, other.ID, &stripe.PersonUpdateParams{Account: stripe.String(a.ID),
				Relationship: &stripe.PersonUpdateRelationshipParams{Representative: stripe.Bool(true)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "relationship[representative]")
			_, err = sc.V1Persons.Update(Ctx, rep.ID, &stripe.PersonUpdateParams{Account: stripe.String(a.ID),
				Relationship: &stripe.PersonUpdateRelationshipParams{Representative: stripe.Bool(true), Title: stripe.String("CEO")}})
			Expect(err).NotTo(HaveOccurred(), "the representative itself may say so again")

			_, err = person(&stripe.PersonCreateRelationshipParams{Authorizer: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			_, err = person(&stripe.PersonCreateRelationshipParams{Authorizer: stripe.Bool(true)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "relationship[authorizer]")

			By("taking a new representative once the current one is unset")
			_, err = sc.V1Persons.Update(Ctx, rep.ID, &stripe.PersonUpdateParams{Account: stripe.String(a.ID),
				Relationship: &stripe.PersonUpdateRelationshipParams{Representative: stripe.Bool(false)}})
			Expect(err).NotTo(HaveOccurred())
			got, err := sc.V1Persons.Update(Ctx, other.ID, &stripe.PersonUpdateParams{Account: stripe.String(a.ID),
				Relationship: &stripe.PersonUpdateRelationshipParams{Representative: stripe.Bool(true)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Relationship.Representative).To(BeTrue())
			reps := sc.V1Persons.List(Ctx, &stripe.PersonListParams{Account: stripe.String(a.ID),
				Relationship: &stripe.PersonListRelationshipParams{Representative: stripe.Bool(true)}})
			n := 0
			for p, err := range reps {
				Expect(err).NotTo(HaveOccurred())
				Expect(p.ID).To(Equal(other.ID))
				n++
			}
			Expect(n).To(Equal(1))
		})

		It("creates, reads, updates, lists and deletes the persons of a company", func() {
			a := custom("company")
			rep, err := sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{
				Account: stripe.String(a.ID), FirstName: stripe.String("Ada"), LastName: stripe.String("Lovelace"),
				Email: stripe.String("ada@example.com"), IDNumber: stripe.String("000000000"),
				DOB:     &stripe.PersonCreateDOBParams{Day: stripe.Int64(10), Month: stripe.Int64(12), Year: stripe.Int64(1985)},
				Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), City: stripe.String("Austin"), Country: stripe.String("US")},
				Relationship: &stripe.PersonCreateRelationshipParams{Representative: stripe.Bool(true), Executive: stripe.Bool(true),
					Title: stripe.String("CEO")},
				Metadata: map[string]string{"crm": "42"},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(rep.ID).To(HavePrefix("person_"))
			Expect(rep.Account).To(Equal(a.ID))
			Expect(rep.Created).To(Equal(Epoch.Unix()))
			Expect(rep.Email).To(Equal("ada@example.com"))
			Expect(rep.DOB.Year).To(Equal(int64(1985)))
			Expect(rep.Address.City).To(Equal("Austin"))
			Expect(rep.Address.PostalCode).To(BeEmpty())
			Expect(rep.IDNumberProvided).To(BeTrue())
			Expect(rep.SSNLast4Provided).To(BeTrue(), "a full SSN gives its last four")
			Expect(rep.Relationship.Representative).To(BeTrue())
			Expect(rep.Relationship.Title).To(Equal("CEO"))
			Expect(rep.Verification.Status).To(Equal(stripe.PersonVerificationStatusUnverified))
			Expect(rep.Metadata).To(Equal(map[string]string{"crm": "42"}))

			owner, err := sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{
				Account: stripe.String(a.ID), FirstName: stripe.String("Bo"),
				Relationship: &stripe.PersonCreateRelationshipParams{Owner: stripe.Bool(true), PercentOwnership: stripe.Float64(60)},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(owner.Relationship.PercentOwnership).To(Equal(60.0))

			list := func(p *stripe.PersonListParams) []string {
				GinkgoHelper()
				p.Account = stripe.String(a.ID)
				var ids []string
				for person, err := range sc.V1Persons.List(Ctx, p) {
					Expect(err).NotTo(HaveOccurred())
					ids = append(ids, person.ID)
				}
				return ids
			}
			Expect(list(&stripe.PersonListParams{})).To(Equal([]string{owner.ID, rep.ID}), "newest first")
			Expect(list(&stripe.PersonListParams{Relationship: &stripe.PersonListRelationshipParams{Owner: stripe.Bool(true)}})).
				To(Equal([]string{owner.ID}))
			Expect(list(&stripe.PersonListParams{Relationship: &stripe.PersonListRelationshipParams{
				Representative: stripe.Bool(true), Owner: stripe.Bool(false)}})).To(Equal([]string{rep.ID}))

			By("answering /people as /persons")
			status, body := raw("GET", "/v1/accounts/"+a.ID+"/people", url.Values{"relationship[owner]": {"true"}})
			Expect(status).To(Equal(200))
			Expect(body["data"]).To(HaveLen(1))
			Expect(body["url"]).To(Equal("/v1/accounts/" + a.ID + "/people"))
			status, body = raw("GET", "/v1/accounts/"+a.ID+"/people/"+rep.ID, nil)
			Expect(status).To(Equal(200))
			Expect(body["first_name"]).To(Equal("Ada"))

			upd, err := sc.V1Persons.Update(Ctx, rep.ID, &stripe.PersonUpdateParams{Account: stripe.String(a.ID),
				Phone: stripe.String("+15555550100"), Address: &stripe.AddressParams{PostalCode: stripe.String("78701")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(upd.Phone).To(Equal("+15555550100"))
			Expect(upd.Address.City).To(Equal("Austin"), "an address merges into what was there")
			Expect(upd.Address.PostalCode).To(Equal("78701"))

			del, err := sc.V1Persons.Delete(Ctx, owner.ID, &stripe.PersonDeleteParams{Account: stripe.String(a.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(del.Deleted).To(BeTrue())
			_, err = sc.V1Persons.Retrieve(Ctx, owner.ID, &stripe.PersonRetrieveParams{Account: stripe.String(a.ID)})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")

			// A person changing what the account still owes updates the
			// account too (its requirements): only the persons' own here.
			var evs []emulator.Object
			for _, ev := range emu.Events(a.ID) {
				if strings.HasPrefix(ev["type"].(string), "person.") {
					evs = append(evs, ev)
				}
			}
			types := make([]string, len(evs))
			for i, ev := range evs {
				types[i] = ev["type"].(string)
			}
			Expect(types).To(Equal([]string{"person.created", "person.created", "person.updated", "person.deleted"}))
			Expect(emu.EventTypes(a.ID)).To(ContainElement("account.updated"), "the representative gave what was due")
			Expect(evs[0]["account"]).To(Equal(a.ID))
			prev := evs[2]["data"].(map[string]any)["previous_attributes"].(map[string]any)
			Expect(prev).To(HaveKey("phone"))
			Expect(prev["phone"]).To(BeNil())
			Expect(prev["address"]).To(Equal(map[string]any{"postal_code": nil}))
			CheckAccountEvents(emu, a.ID)

			By("keeping them to their account")
			other := custom("company")
			_, err = sc.V1Persons.Retrieve(Ctx, rep.ID, &stripe.PersonRetrieveParams{Account: stripe.String(other.ID)})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})

		It("keeps identity documents uploaded to the account and the CFPB data", func() {
			a := custom("company")
			fp := &stripe.FileCreateParams{Purpose: stripe.String("identity_document"), Filename: stripe.String("id.png"),
				FileReader: bytes.NewReader([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"))}
			fp.SetStripeAccount(a.ID)
			file, err := sc.V1Files.Create(Ctx, fp)
			Expect(err).NotTo(HaveOccurred())
			person, err := sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(a.ID),
				Verification: &stripe.PersonCreateVerificationParams{Document: &stripe.PersonCreateVerificationDocumentParams{Front: stripe.String(file.ID)}},
				USCfpbData: &stripe.PersonCreateUSCfpbDataParams{
					RaceDetails:          &stripe.PersonCreateUSCfpbDataRaceDetailsParams{Race: []*string{stripe.String("asian")}},
					SelfIdentifiedGender: stripe.String("woman"),
				},
				FullNameAliases:   []*string{stripe.String("Countess of Lovelace")},
				PoliticalExposure: stripe.String("none"),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(person.Verification.Document.Front.ID).To(Equal(file.ID))
			Expect(person.Verification.Document.Back).To(BeNil())
			Expect(person.Verification.Status).To(Equal(stripe.PersonVerificationStatusUnverified), "documents are not reviewed")
			Expect(person.USCfpbData.RaceDetails.Race).To(Equal([]stripe.PersonUSCfpbDataRaceDetailsRace{"asian"}))
			Expect(person.USCfpbData.EthnicityDetails).To(BeNil())
			Expect(person.FullNameAliases).To(Equal([]string{"Countess of Lovelace"}))
			Expect(person.PoliticalExposure).To(Equal(stripe.PersonPoliticalExposureNone))
		})

		It("refuses what it cannot take", func() {
			a := custom("company")
			_, err := sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(a.ID),
				Relationship: &stripe.PersonCreateRelationshipParams{PercentOwnership: stripe.Float64(120)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "relationship[percent_ownership]")
			_, err = sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(a.ID), PersonToken: stripe.String("cpt_123")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "person_token")
			_, err = sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(a.ID),
				Verification: &stripe.PersonCreateVerificationParams{Document: &stripe.PersonCreateVerificationDocumentParams{Front: stripe.String("file_nope")}}})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "verification[document][front]")
			_, err = sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(a.ID), PoliticalExposure: stripe.String("maybe")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "political_exposure")
			// A date of birth that is no date, or is yet to come, is refused.
			for _, dob := range []*stripe.PersonCreateDOBParams{
				{Day: stripe.Int64(40), Month: stripe.Int64(1), Year: stripe.Int64(1990)},
				{Day: stripe.Int64(30), Month: stripe.Int64(2), Year: stripe.Int64(1990)},
				{Day: stripe.Int64(1), Month: stripe.Int64(13), Year: stripe.Int64(1990)},
				{Day: stripe.Int64(1), Month: stripe.Int64(1), Year: stripe.Int64(3000)},
			} {
				_, err = sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(a.ID), DOB: dob})
				ExpectStripeError(err, 400, "invalid_request_error", "", "dob")
			}
			_, err = sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(a.ID), Email: stripe.String("not-an-email")})
			ExpectStripeError(err, 400, "invalid_request_error", "email_invalid", "email")
			Expect(emu.Events(a.ID)).To(BeEmpty())
		})
	})

	Describe("rejecting an account", func() {
		It("disables it, its capabilities with it, and destination charges to it", func() {
			seller := Seller(emu, nil)
			acct, err := sc.V1Accounts.Reject(Ctx, seller.ID, &stripe.AccountRejectParams{Reason: stripe.String("fraud")})
			Expect(err).NotTo(HaveOccurred())
			Expect(acct.Requirements.DisabledReason).To(Equal(stripe.AccountRequirementsDisabledReasonRejectedFraud))
			Expect(acct.ChargesEnabled).To(BeFalse())
			Expect(acct.PayoutsEnabled).To(BeFalse())
			Expect(acct.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusInactive))
			c, err := sc.V1Capabilities.Retrieve(Ctx, "transfers", &stripe.CapabilityRetrieveParams{Account: stripe.String(seller.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Requirements.DisabledReason).To(Equal(stripe.CapabilityDisabledReasonRejectedOther))
			types := emu.EventTypes(seller.ID)
			Expect(types[len(types)-3:]).To(Equal([]string{"capability.updated", "capability.updated", "account.updated"}))
			CheckAccountEvents(emu, seller.ID)

			_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(1000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"),
				TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller.ID)},
			})
			ExpectStripeError(err, 400, "invalid_request_error", "insufficient_capabilities_for_transfer", "transfer_data[destination]")

			_, err = sc.V1Accounts.Reject(Ctx, seller.ID, &stripe.AccountRejectParams{Reason: stripe.String("other")})
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(400), "once is enough")
			status, _ := raw("POST", "/v1/test_helpers/accounts/"+seller.ID+"/complete_onboarding", nil)
			Expect(status).To(Equal(400), "a rejected account cannot be onboarded")
		})

		It("refuses what Stripe refuses", func() {
			std, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("standard")})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1Accounts.Reject(Ctx, std.ID, &stripe.AccountRejectParams{Reason: stripe.String("fraud")})
			Expect(StripeErr(err).HTTPStatusCode).To(Equal(400), "the platform is not liable for a Standard account")
			a := custom("company")
			_, err = sc.V1Accounts.Reject(Ctx, a.ID, &stripe.AccountRejectParams{Reason: stripe.String("boredom")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "reason")
			_, err = sc.V1Accounts.Reject(Ctx, a.ID, &stripe.AccountRejectParams{})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "reason")
			Expect(emu.Events(a.ID)).To(BeEmpty())
		})
	})

	It("leaves an account onboarded on its link's page with the bank account its owner entered, as payouts_enabled says it has one", func() {
		ex, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("US"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ex.Requirements.CurrentlyDue).To(ContainElement("external_account"))
		finish := func(id string) {
			GinkgoHelper()
			link, err := sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{Account: stripe.String(id), Type: stripe.String("account_onboarding"),
				RefreshURL: stripe.String("https://example.com/r"), ReturnURL: stripe.String("https://example.com/k")})
			Expect(err).NotTo(HaveOccurred())
			Expect(Visit("POST", link.URL, url.Values{}).Location).To(Equal("https://example.com/k"))
		}
		finish(ex.ID)
		ex, err = sc.V1Accounts.GetByID(Ctx, ex.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ex.PayoutsEnabled).To(BeTrue())
		Expect(ex.ExternalAccounts.Data).To(HaveLen(1))
		ba := ex.ExternalAccounts.Data[0].BankAccount
		Expect(ba.ID).To(HavePrefix("ba_"))
		Expect(ba.Last4).To(Equal("6789"), "Stripe's test account number, 000123456789")
		Expect(ba.RoutingNumber).To(Equal("110000000"))
		Expect(ba.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(ba.DefaultForCurrency).To(BeTrue())
		Expect(emu.EventTypes(ex.ID)).To(Equal([]string{"account.external_account.created", "capability.updated", "account.updated"}))
		status, listed := raw("GET", "/v1/accounts/"+ex.ID+"/external_accounts", nil)
		Expect(status).To(Equal(200))
		Expect(listed["data"]).To(HaveLen(1))

		By("keeping the one the platform gave before onboarding, adding none")
		pre, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("US"),
			Capabilities:    &stripe.AccountCreateCapabilitiesParams{Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}},
			ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String("btok_us_verified_noAccount")}})
		Expect(err).NotTo(HaveOccurred())
		finish(pre.ID)
		got, err := sc.V1Accounts.GetByID(Ctx, pre.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ExternalAccounts.Data).To(HaveLen(1))
		Expect(got.ExternalAccounts.Data[0].ID).To(Equal(pre.ExternalAccounts.Data[0].ID))

		By("taking the bank account the owner entered in the test helper's external_account")
		helped := custom("company")
		status, body := raw("POST", "/v1/test_helpers/accounts/"+helped.ID+"/complete_onboarding", url.Values{"external_account": {"btok_us_verified"}})
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["external_accounts"]).To(HaveKeyWithValue("data", HaveLen(1)))
		refused := custom("company")
		status, body = raw("POST", "/v1/test_helpers/accounts/"+refused.ID+"/complete_onboarding", url.Values{"external_account": {"btok_nope"}})
		Expect(status).To(Equal(400), "%v", body)
		Expect(errorOf(body)).To(HaveKeyWithValue("code", "resource_missing"))
		got, err = sc.V1Accounts.GetByID(Ctx, refused.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.DetailsSubmitted).To(BeFalse(), "nothing changed")
		Expect(got.ExternalAccounts.Data).To(BeEmpty())
	})

	It("records an external bank account's account_type, checking or savings (futsu or toza in Japan), as Stripe's bank account reference says", func() {
		a := custom("company")
		bank := url.Values{"external_account[object]": {"bank_account"}, "external_account[country]": {"US"},
			"external_account[currency]": {"usd"}, "external_account[account_number]": {"000123456789"},
			"external_account[routing_number]": {"110000000"}, "external_account[account_type]": {"savings"},
			"external_account[account_holder_type]": {"individual"}}
		status, body := raw("POST", "/v1/accounts/"+a.ID+"/external_accounts", bank)
		Expect(status).To(Equal(200), "%v", body)
		Expect(body).To(HaveKeyWithValue("account_type", "savings"))
		Expect(body).To(HaveKeyWithValue("account_holder_type", "individual"))
		ba := body["id"].(string)
		status, body = raw("POST", "/v1/accounts/"+a.ID+"/external_accounts/"+ba, url.Values{"account_type": {"checking"}})
		Expect(status).To(Equal(200), "%v", body)
		Expect(body).To(HaveKeyWithValue("account_type", "checking"))
		evs := emu.Events(a.ID)
		last := evs[len(evs)-1]["data"].(map[string]any)
		Expect(last["previous_attributes"]).To(Equal(map[string]any{"account_type": "savings"}))

		By("refusing another type, or Japan's types elsewhere, changing nothing")
		for _, typ := range []string{"futsu", "current"} {
			status, body = raw("POST", "/v1/accounts/"+a.ID+"/external_accounts/"+ba, url.Values{"account_type": {typ}})
			Expect(status).To(Equal(400), "%v", body)
			Expect(errorOf(body)).To(HaveKeyWithValue("param", "account_type"))
		}
		bank.Set("external_account[account_type]", "toza")
		status, body = raw("POST", "/v1/accounts/"+a.ID+"/external_accounts", bank)
		Expect(status).To(Equal(400), "%v", body)
		Expect(errorOf(body)).To(HaveKeyWithValue("param", "external_account[account_type]"))
		bank.Set("external_account[account_type]", "checking")
		bank.Set("external_account[account_holder_type]", "sole_trader")
		status, body = raw("POST", "/v1/accounts/"+a.ID+"/external_accounts", bank)
		Expect(status).To(Equal(400), "%v", body)
		Expect(errorOf(body)).To(HaveKeyWithValue("param", "external_account[account_holder_type]"))
		status, body = raw("GET", "/v1/accounts/"+a.ID+"/external_accounts/"+ba, nil)
		Expect(status).To(Equal(200))
		Expect(body).To(HaveKeyWithValue("account_type", "checking"))
	})

	It("takes an external bank account only in a country/currency pairing the account's country supports, as Stripe's reference says", func() {
		a := custom("company")
		bank := func(country, currency, number string) url.Values {
			return url.Values{"external_account[object]": {"bank_account"}, "external_account[country]": {country},
				"external_account[currency]": {currency}, "external_account[account_number]": {number}}
		}
		for _, b := range []url.Values{bank("DE", "eur", "DE89370400440532013000"), bank("GB", "gbp", "GB82WEST12345698765432")} {
			status, body := raw("POST", "/v1/accounts/"+a.ID+"/external_accounts", b)
			Expect(status).To(Equal(400), "%v", body)
			Expect(errorOf(body)).To(HaveKeyWithValue("param", "external_account[currency]"))
		}
		_, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{ExternalAccount: &stripe.AccountExternalAccountParams{
			Country: stripe.String("DE"), Currency: stripe.String("eur"), AccountNumber: stripe.String("DE89370400440532013000")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "external_account[currency]")
		Expect(emu.Count(a.ID, "bank_account")).To(BeZero())

		By("taking euros in a German bank for a British account, as the UK's country spec lists")
		gb, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("GB"), Capabilities: Transfers()})
		Expect(err).NotTo(HaveOccurred())
		status, body := raw("POST", "/v1/accounts/"+gb.ID+"/external_accounts", bank("DE", "eur", "DE89370400440532013000"))
		Expect(status).To(Equal(200), "%v", body)
		Expect(body).To(HaveKeyWithValue("currency", "eur"))
	})

	It("answers /bank_accounts as the older name of /external_accounts", func() {
		a := custom("company")
		status, body := raw("POST", "/v1/accounts/"+a.ID+"/bank_accounts", url.Values{"bank_account": {"btok_us_verified"}})
		Expect(status).To(Equal(200), "%v", body)
		ba := body["id"].(string)
		Expect(ba).To(HavePrefix("ba_"))
		Expect(body["default_for_currency"]).To(BeTrue())
		status, body = raw("POST", "/v1/accounts/"+a.ID+"/bank_accounts/"+ba, url.Values{"metadata[k]": {"v"}})
		Expect(status).To(Equal(200), "%v", body)
		got, err := sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ExternalAccounts.Data).To(HaveLen(1))
		Expect(got.ExternalAccounts.Data[0].ID).To(Equal(ba))
		status, body = raw("POST", "/v1/accounts/"+a.ID+"/external_accounts",
			url.Values{"bank_account": {"btok_us_verified"}, "external_account": {"btok_us_verified"}})
		Expect(status).To(Equal(400))
		Expect(errorOf(body)["code"]).To(Equal("parameters_exclusive"))
		status, body = raw("GET", "/v1/accounts/"+a.ID+"/bank_accounts/"+ba, nil)
		Expect(status).To(Equal(200))
		Expect(body["metadata"]).To(Equal(map[string]any{"k": "v"}))
		status, _ = raw("GET", "/v1/accounts/"+a.ID+"/bank_accounts", nil)
		Expect(status).To(Equal(404), "Stripe has no list under the older name")
	})

	It("deletes the default bank account of a currency that is not the account's when it is the only one in it, as Stripe's reference allows", func() {
		// A British account, which may also be paid out in euros to a
		// German bank, as the UK's country spec lists.
		a, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("GB"), Capabilities: Transfers()})
		Expect(err).NotTo(HaveOccurred())
		status, body := raw("POST", "/v1/accounts/"+a.ID+"/external_accounts", url.Values{"external_account": {"btok_us_verified"}})
		Expect(status).To(Equal(200), "%v", body)
		Expect(body).To(HaveKeyWithValue("currency", "gbp"))
		home := body["id"].(string)
		euros := url.Values{"external_account[object]": {"bank_account"}, "external_account[country]": {"DE"},
			"external_account[currency]": {"eur"}, "external_account[account_number]": {"DE89370400440532013000"}}
		status, body = raw("POST", "/v1/accounts/"+a.ID+"/external_accounts", euros)
		Expect(status).To(Equal(200), "%v", body)
		first := body["id"].(string)
		Expect(body["default_for_currency"]).To(BeTrue())
		status, body = raw("POST", "/v1/accounts/"+a.ID+"/external_accounts", euros)
		Expect(status).To(Equal(200), "%v", body)
		second := body["id"].(string)

		// Another euro account exists: the default stays until replaced.
		status, body = raw("DELETE", "/v1/accounts/"+a.ID+"/external_accounts/"+first, nil)
		Expect(status).To(Equal(400), "%v", body)
		status, body = raw("DELETE", "/v1/accounts/"+a.ID+"/external_accounts/"+second, nil)
		Expect(status).To(Equal(200), "%v", body)
		// Now the only one in euros, not the account's currency: it goes.
		status, body = raw("DELETE", "/v1/accounts/"+a.ID+"/external_accounts/"+first, nil)
		Expect(status).To(Equal(200), "%v", body)
		Expect(body["deleted"]).To(BeTrue())
		// The default in the account's own currency never goes.
		status, body = raw("DELETE", "/v1/accounts/"+a.ID+"/external_accounts/"+home, nil)
		Expect(status).To(Equal(400), "%v", body)
		got, err := sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ExternalAccounts.Data).To(HaveLen(1))
		Expect(got.ExternalAccounts.Data[0].ID).To(Equal(home))
	})

	It("keeps external accounts to the platforms collecting requirements, and Stripe-collected details to onboarding once it starts", func() {
		ex, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("US"),
			ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String("btok_us_verified")}})
		Expect(err).NotTo(HaveOccurred(), "before onboarding starts, the platform may prefill everything")
		Expect(ex.ExternalAccounts.Data).To(HaveLen(1))
		ba := ex.ExternalAccounts.Data[0].ID
		for _, acct := range []string{ex.ID, emu.Platform()} {
			status, body := raw("POST", "/v1/accounts/"+acct+"/external_accounts", url.Values{"external_account": {"btok_us_verified"}})
			Expect(status).To(Equal(400), "%v", body)
			Expect(errorOf(body)["type"]).To(Equal("invalid_request_error"))
		}
		status, body := raw("POST", "/v1/accounts/"+ex.ID+"/external_accounts/"+ba, url.Values{"metadata[k]": {"v"}})
		Expect(status).To(Equal(400), "%v", body)
		status, body = raw("DELETE", "/v1/accounts/"+ex.ID+"/external_accounts/"+ba, nil)
		Expect(status).To(Equal(400), "%v", body)
		status, body = raw("GET", "/v1/accounts/"+ex.ID+"/external_accounts/"+ba, nil)
		Expect(status).To(Equal(200), "%v", body)
		_, err = sc.V1Accounts.Update(Ctx, ex.ID, &stripe.AccountUpdateParams{BusinessType: stripe.String("individual"),
			Individual: &stripe.PersonParams{FirstName: stripe.String("Jenny")}})
		Expect(err).NotTo(HaveOccurred())

		_, err = sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{Account: stripe.String(ex.ID), Type: stripe.String("account_onboarding"),
			RefreshURL: stripe.String("https://example.com/r"), ReturnURL: stripe.String("https://example.com/k")})
		Expect(err).NotTo(HaveOccurred())
		events := len(emu.Events(ex.ID))
		for field, p := range map[string]*stripe.AccountUpdateParams{
			"business_type":    {BusinessType: stripe.String("company")},
			"individual":       {Individual: &stripe.PersonParams{FirstName: stripe.String("Mallory")}},
			"company":          {Company: &stripe.AccountUpdateCompanyParams{Name: stripe.String("Rocket Rides")}},
			"external_account": {ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String("btok_us_verified")}},
		} {
			_, err = sc.V1Accounts.Update(Ctx, ex.ID, p)
			ExpectStripeError(err, 400, "invalid_request_error", "", field)
		}
		got, err := sc.V1Accounts.GetByID(Ctx, ex.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Individual.FirstName).To(Equal("Jenny"))
		Expect(emu.Events(ex.ID)).To(HaveLen(events))
		By("still taking what the platform keeps setting")
		_, err = sc.V1Accounts.Update(Ctx, ex.ID, &stripe.AccountUpdateParams{Metadata: map[string]string{"k": "v"},
			BusinessProfile: &stripe.AccountUpdateBusinessProfileParams{Name: stripe.String("Rocket Rides")}})
		Expect(err).NotTo(HaveOccurred())

		By("locking them once an Account Session is created too")
		std, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("standard")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1AccountSessions.Create(Ctx, &stripe.AccountSessionCreateParams{Account: stripe.String(std.ID),
			Components: &stripe.AccountSessionCreateComponentsParams{AccountOnboarding: &stripe.AccountSessionCreateComponentsAccountOnboardingParams{Enabled: stripe.Bool(true)}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Accounts.Update(Ctx, std.ID, &stripe.AccountUpdateParams{BusinessType: stripe.String("company")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "business_type")

		By("never locking them on an account whose platform collects its requirements")
		c := custom("company")
		_, err = sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{Account: stripe.String(c.ID), Type: stripe.String("account_onboarding"),
			RefreshURL: stripe.String("https://example.com/r"), ReturnURL: stripe.String("https://example.com/k")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Accounts.Update(Ctx, c.ID, &stripe.AccountUpdateParams{Company: &stripe.AccountUpdateCompanyParams{Name: stripe.String("Rocket Rides")},
			ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String("btok_us_verified")}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("lets a connected account update its own external account at /v1/external_accounts/{id}", func() {
		a, b := custom("company"), custom("company")
		status, body := raw("POST", "/v1/accounts/"+a.ID+"/external_accounts", url.Values{"external_account": {"btok_us_verified"}})
		Expect(status).To(Equal(200), "%v", body)
		ba := body["id"].(string)
		status, body, err := emu.Call("POST", "/v1/external_accounts/"+ba, url.Values{"account_holder_name": {"Jenny Rosen"}, "metadata[k]": {"v"}}, a.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		b2, _ := json.Marshal(body)
		Expect(wirecheck.Check(b2)).To(Succeed())
		Expect(body["account_holder_name"]).To(Equal("Jenny Rosen"))
		Expect(body["account"]).To(Equal(a.ID))
		Expect(emu.EventTypes(a.ID)).To(ContainElement("account.external_account.updated"))

		for _, acct := range []string{"", b.ID} {
			status, body, err = emu.Call("POST", "/v1/external_accounts/"+ba, url.Values{"account_holder_name": {"Mallory"}}, acct)
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(404), "not the external account of %q", acct)
			Expect(errorOf(body)["code"]).To(Equal("resource_missing"))
		}
		status, body = raw("GET", "/v1/accounts/"+a.ID+"/external_accounts/"+ba, nil)
		Expect(status).To(Equal(200))
		Expect(body["account_holder_name"]).To(Equal("Jenny Rosen"), "the refused updates changed nothing")
	})

	Describe("account sessions", func() {
		It("echoes every component, with the features sent and Stripe's defaults", func() {
			seller := Seller(emu, nil)
			s, err := sc.V1AccountSessions.Create(Ctx, &stripe.AccountSessionCreateParams{
				Account: stripe.String(seller.ID),
				Components: &stripe.AccountSessionCreateComponentsParams{
					AccountOnboarding: &stripe.AccountSessionCreateComponentsAccountOnboardingParams{Enabled: stripe.Bool(true)},
					Payments: &stripe.AccountSessionCreateComponentsPaymentsParams{Enabled: stripe.Bool(true),
						Features: &stripe.AccountSessionCreateComponentsPaymentsFeaturesParams{RefundManagement: stripe.Bool(false)}},
				},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Object).To(Equal("account_session"))
			Expect(s.Account).To(Equal(seller.ID))
			Expect(s.ClientSecret).To(HavePrefix("accs_secret__"))
			Expect(s.ExpiresAt).To(Equal(Epoch.Unix() + 30*60))
			Expect(s.Components.AccountOnboarding.Enabled).To(BeTrue())
			Expect(s.Components.AccountOnboarding.Features.ExternalAccountCollection).To(BeTrue())
			Expect(s.Components.AccountOnboarding.Features.DisableStripeUserAuthentication).To(BeFalse())
			Expect(s.Components.Payments.Features.RefundManagement).To(BeFalse())
			Expect(s.Components.Payments.Features.DisputeManagement).To(BeTrue())
			Expect(s.Components.Payouts.Enabled).To(BeFalse())
			Expect(s.Components.Payouts.Features.InstantPayouts).To(BeFalse(), "the platform is liable for an Express account's losses")
			Expect(s.Components.Documents.Features).NotTo(BeNil())

			By("refusing features only platforms collecting requirements may change")
			_, err = sc.V1AccountSessions.Create(Ctx, &stripe.AccountSessionCreateParams{
				Account: stripe.String(seller.ID),
				Components: &stripe.AccountSessionCreateComponentsParams{AccountOnboarding: &stripe.AccountSessionCreateComponentsAccountOnboardingParams{
					Enabled: stripe.Bool(true), Features: &stripe.AccountSessionCreateComponentsAccountOnboardingFeaturesParams{
						ExternalAccountCollection: stripe.Bool(false)}}},
			})
			ExpectStripeError(err, 400, "invalid_request_error", "", "components[account_onboarding][features][external_account_collection]")

			By("taking them for a Custom account")
			a := custom("company")
			s, err = sc.V1AccountSessions.Create(Ctx, &stripe.AccountSessionCreateParams{
				Account: stripe.String(a.ID),
				Components: &stripe.AccountSessionCreateComponentsParams{AccountManagement: &stripe.AccountSessionCreateComponentsAccountManagementParams{
					Enabled: stripe.Bool(true), Features: &stripe.AccountSessionCreateComponentsAccountManagementFeaturesParams{
						ExternalAccountCollection: stripe.Bool(false)}}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Components.AccountManagement.Features.DisableStripeUserAuthentication).To(BeTrue(), "the opposite of external_account_collection")
		})

		It("refuses unknown components, components without enabled and unknown accounts", func() {
			seller := Seller(emu, nil)
			status, body := raw("POST", "/v1/account_sessions", url.Values{"account": {seller.ID}, "components[teleporter][enabled]": {"true"}})
			Expect(status).To(Equal(400))
			Expect(errorOf(body)["param"]).To(Equal("components[teleporter]"))
			status, body = raw("POST", "/v1/account_sessions", url.Values{"account": {seller.ID}, "components[payments][features][refund_management]": {"true"}})
			Expect(status).To(Equal(400))
			Expect(errorOf(body)["param"]).To(Equal("components[payments][enabled]"))
			_, err := sc.V1AccountSessions.Create(Ctx, &stripe.AccountSessionCreateParams{Account: stripe.String("acct_nope"),
				Components: &stripe.AccountSessionCreateComponentsParams{Payments: &stripe.AccountSessionCreateComponentsPaymentsParams{Enabled: stripe.Bool(true)}}})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "account")
			_, err = sc.V1AccountSessions.Create(Ctx, &stripe.AccountSessionCreateParams{Account: stripe.String(seller.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "components")
		})
	})
})
