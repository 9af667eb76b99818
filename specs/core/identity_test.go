package core_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Identity verification sessions", Label("identity"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	create := func(p *stripe.IdentityVerificationSessionCreateParams) *stripe.IdentityVerificationSession {
		GinkgoHelper()
		vs, err := sc.V1IdentityVerificationSessions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return vs
	}
	retrieve := func(id string, expand ...string) *stripe.IdentityVerificationSession {
		GinkgoHelper()
		p := &stripe.IdentityVerificationSessionRetrieveParams{}
		for _, e := range expand {
			p.AddExpand(e)
		}
		vs, err := sc.V1IdentityVerificationSessions.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return vs
	}
	documentWithSelfie := func() *stripe.IdentityVerificationSessionCreateParams {
		return &stripe.IdentityVerificationSessionCreateParams{
			Type:              stripe.String("document"),
			Options:           &stripe.IdentityVerificationSessionCreateOptionsParams{Document: &stripe.IdentityVerificationSessionCreateOptionsDocumentParams{RequireMatchingSelfie: stripe.Bool(true)}},
			ReturnURL:         stripe.String("https://example.com/verified"),
			ClientReferenceID: stripe.String("user_42"),
		}
	}

	It("verifies a user on the session's page, with events, a report and verified outputs shown only when expanded", func() {
		vs := create(documentWithSelfie())
		Expect(vs.ID).To(HavePrefix("vs_"))
		Expect(vs.Status).To(Equal(stripe.IdentityVerificationSessionStatusRequiresInput))
		Expect(vs.ClientSecret).To(HavePrefix(vs.ID + "_secret_"))
		Expect(vs.URL).To(HavePrefix(emu.URL() + "/verify.stripe.com/start/test_"))
		Expect(vs.Options.Document.RequireMatchingSelfie).To(BeTrue())
		Expect(vs.LastVerificationReport).To(BeNil())

		page := Visit("GET", vs.URL, nil)
		Expect(page.Status).To(Equal(200))
		Expect(page.Body).To(ContainSubstring(`value="selfie_face_mismatch"`), "a selfie check can fail")
		Expect(page.Body).NotTo(ContainSubstring(`value="id_number_mismatch"`), "no ID number is checked")

		done := Visit("POST", vs.URL, url.Values{"outcome": {"verified"}})
		Expect(done.Status).To(Equal(303))
		Expect(done.Location).To(Equal("https://example.com/verified"))
		Expect(Visit("GET", vs.URL, nil).Status).To(Equal(410), "the link is single-use")

		vs = retrieve(vs.ID)
		Expect(vs.Status).To(Equal(stripe.IdentityVerificationSessionStatusVerified))
		Expect(vs.URL).To(BeEmpty())
		Expect(vs.ClientSecret).To(BeEmpty())
		Expect(vs.VerifiedOutputs).To(BeNil(), "shown only when expanded")
		Expect(emu.EventTypes("")).To(Equal([]string{"identity.verification_session.created",
			"identity.verification_session.processing", "identity.verification_session.verified"}))

		vs = retrieve(vs.ID, "verified_outputs", "verified_outputs.dob", "last_verification_report")
		Expect(vs.VerifiedOutputs.FirstName).To(Equal("Jenny"))
		Expect(vs.VerifiedOutputs.LastName).To(Equal("Rosen"))
		Expect(vs.VerifiedOutputs.Address.Country).To(Equal("US"))
		Expect(vs.VerifiedOutputs.DOB.Year).To(Equal(int64(1901)))
		report := vs.LastVerificationReport
		Expect(report.ID).To(HavePrefix("vr_"))
		Expect(report.VerificationSession).To(Equal(vs.ID))
		Expect(report.ClientReferenceID).To(Equal("user_42"))
		Expect(report.Document.Status).To(Equal(stripe.IdentityVerificationReportDocumentStatusVerified))
		Expect(report.Selfie.Status).To(Equal(stripe.IdentityVerificationReportSelfieStatusVerified))
		Expect(report.IDNumber).To(BeNil())

		list := sc.V1IdentityVerificationReports.List(Ctx, &stripe.IdentityVerificationReportListParams{VerificationSession: stripe.String(vs.ID)})
		n := 0
		for r, err := range list {
			Expect(err).NotTo(HaveOccurred())
			Expect(r.ID).To(Equal(report.ID))
			n++
		}
		Expect(n).To(Equal(1))
	})

	It("sends a failed check back to requires_input with its last_error and a fresh url, then verifies on the retry", func() {
		vs := create(documentWithSelfie())
		first := vs.URL
		_, raw, err := emu.Call("POST", "/v1/test_helpers/identity/verification_sessions/"+vs.ID+"/submit", url.Values{"outcome": {"selfie_face_mismatch"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(raw).To(HaveKeyWithValue("status", "requires_input"))
		vs = retrieve(vs.ID, "last_verification_report")
		Expect(vs.Status).To(Equal(stripe.IdentityVerificationSessionStatusRequiresInput))
		Expect(vs.LastError.Code).To(Equal(stripe.IdentityVerificationSessionLastErrorCodeSelfieFaceMismatch))
		Expect(vs.URL).NotTo(BeEmpty())
		Expect(vs.URL).NotTo(Equal(first), "a new url for the next attempt")
		Expect(Visit("GET", first, nil).Status).To(Equal(410))
		Expect(vs.LastVerificationReport.Selfie.Status).To(Equal(stripe.IdentityVerificationReportSelfieStatusUnverified))
		Expect(string(vs.LastVerificationReport.Selfie.Error.Code)).To(Equal("selfie_face_mismatch"))
		Expect(vs.LastVerificationReport.Document.Status).To(Equal(stripe.IdentityVerificationReportDocumentStatusVerified))
		Expect(emu.EventTypes("")[1:]).To(Equal([]string{"identity.verification_session.processing", "identity.verification_session.requires_input"}))

		By("the user declining consent: no checks run, no report")
		reports := 0
		_, _, err = emu.Call("POST", "/v1/test_helpers/identity/verification_sessions/"+vs.ID+"/submit", url.Values{"outcome": {"consent_declined"}}, "")
		Expect(err).NotTo(HaveOccurred())
		for range sc.V1IdentityVerificationReports.List(Ctx, &stripe.IdentityVerificationReportListParams{}) {
			reports++
		}
		Expect(reports).To(Equal(1))
		Expect(retrieve(vs.ID).LastError.Code).To(Equal(stripe.IdentityVerificationSessionLastErrorCodeConsentDeclined))

		page := Visit("POST", retrieve(vs.ID).URL, url.Values{"outcome": {"verified"}})
		Expect(page.Status).To(Equal(303))
		vs = retrieve(vs.ID)
		Expect(vs.Status).To(Equal(stripe.IdentityVerificationSessionStatusVerified))
		Expect(vs.LastError).To(BeNil())
	})

	It("checks an ID number session, whose number is shown only when expanded on its own", func() {
		vs := create(&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")})
		submitted, err := emu.VerifyIdentity("", vs.ID, "verified")
		Expect(err).NotTo(HaveOccurred())
		Expect(submitted).To(HaveKeyWithValue("status", "verified"))
		vs = retrieve(vs.ID, "verified_outputs", "last_verification_report")
		Expect(vs.VerifiedOutputs.IDNumberType).To(Equal(stripe.IdentityVerificationSessionVerifiedOutputsIDNumberTypeUSSSN))
		Expect(vs.VerifiedOutputs.IDNumber).To(BeEmpty())
		Expect(vs.LastVerificationReport.Document).To(BeNil())
		Expect(vs.LastVerificationReport.IDNumber.Status).To(Equal(stripe.IdentityVerificationReportIDNumberStatusVerified))
		vs = retrieve(vs.ID, "verified_outputs", "verified_outputs.id_number")
		Expect(vs.VerifiedOutputs.IDNumber).To(Equal("000000000"))

		body, err := emu.VerifyIdentity("", vs.ID, "verified")
		Expect(err).To(MatchError(ContainSubstring("answered 400")), "a verified session is submitted no more")
		Expect(body["error"]).To(HaveKeyWithValue("code", "verification_session_unexpected_state"))
	})

	It("shows a report's date of birth and ID number only when expanded, the SSN as its last four digits", func() {
		vs := create(&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
			Options: &stripe.IdentityVerificationSessionCreateOptionsParams{Document: &stripe.IdentityVerificationSessionCreateOptionsDocumentParams{RequireIDNumber: stripe.Bool(true)}}})
		_, err := emu.VerifyIdentity("", vs.ID, "verified")
		Expect(err).NotTo(HaveOccurred())
		vs = retrieve(vs.ID, "last_verification_report")
		report := vs.LastVerificationReport
		Expect(report.Document.DOB).To(BeNil(), "shown only when expanded")
		Expect(report.IDNumber.DOB).To(BeNil())
		Expect(report.IDNumber.IDNumber).To(BeEmpty())

		p := &stripe.IdentityVerificationReportRetrieveParams{}
		p.AddExpand("document.dob")
		p.AddExpand("id_number.dob")
		p.AddExpand("id_number.id_number")
		full, err := sc.V1IdentityVerificationReports.Retrieve(Ctx, report.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(full.Document.DOB.Year).To(Equal(int64(1901)))
		Expect(full.IDNumber.DOB.Year).To(Equal(int64(1901)))
		Expect(full.IDNumber.IDNumber).To(Equal("0000"), "Stripe: only the last 4 digits of a us_ssn")

		vs = retrieve(vs.ID, "last_verification_report", "last_verification_report.document.dob")
		Expect(vs.LastVerificationReport.Document.DOB.Month).To(Equal(int64(1)), "expandable through the session too")

		By("the document's expiry and the person's sex, as stripe-node types them, only when expanded too")
		_, raw, err := emu.Call("GET", "/v1/identity/verification_reports/"+report.ID, nil, "")
		Expect(err).NotTo(HaveOccurred())
		doc := raw["document"].(map[string]any)
		Expect(doc).To(HaveKey("issued_date"))
		for _, f := range []string{"expiration_date", "dob", "number", "sex", "unparsed_sex", "unparsed_place_of_birth"} {
			Expect(doc).NotTo(HaveKey(f))
		}
		_, raw, err = emu.Call("GET", "/v1/identity/verification_reports/"+report.ID+"?expand[]=document.expiration_date&expand[]=document.sex", nil, "")
		Expect(err).NotTo(HaveOccurred())
		doc = raw["document"].(map[string]any)
		Expect(doc["expiration_date"]).To(HaveKeyWithValue("year", BeNumerically(">", 2025)))
		Expect(doc).To(HaveKeyWithValue("sex", BeNil()))
		_, raw, err = emu.Call("GET", "/v1/identity/verification_sessions/"+vs.ID+"?expand[]=verified_outputs", nil, "")
		Expect(err).NotTo(HaveOccurred())
		outputs := raw["verified_outputs"].(map[string]any)
		Expect(outputs).To(HaveKeyWithValue("first_name", "Jenny"))
		for _, f := range []string{"dob", "id_number", "sex", "unparsed_sex", "unparsed_place_of_birth"} {
			Expect(outputs).NotTo(HaveKey(f))
		}
		_, raw, err = emu.Call("GET", "/v1/identity/verification_sessions/"+vs.ID+"?expand[]=verified_outputs&expand[]=verified_outputs.sex&expand[]=verified_outputs.unparsed_sex", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(raw["verified_outputs"]).To(HaveKeyWithValue("sex", BeNil()))
		Expect(raw["verified_outputs"]).To(HaveKeyWithValue("unparsed_sex", BeNil()))
		Expect(raw).NotTo(HaveKey("related_person"), "stripe-node types it optional, never null: absent when not given")

		By("an ID number report has no document to show a date of birth from")
		idn := create(&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")})
		_, err = emu.VerifyIdentity("", idn.ID, "verified")
		Expect(err).NotTo(HaveOccurred())
		q := &stripe.IdentityVerificationReportRetrieveParams{}
		q.AddExpand("document.dob")
		r, err := sc.V1IdentityVerificationReports.Retrieve(Ctx, retrieve(idn.ID).LastVerificationReport.ID, q)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Document).To(BeNil())
	})

	It("updates and cancels only a session awaiting its user, in Stripe's terms", func() {
		vs := create(&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
			ProvidedDetails: &stripe.IdentityVerificationSessionCreateProvidedDetailsParams{Email: stripe.String("jenny@example.com")}})
		Expect(retrieve(vs.ID).ProvidedDetails).To(BeNil(), "shown only when expanded")
		Expect(retrieve(vs.ID, "provided_details").ProvidedDetails.Email).To(Equal("jenny@example.com"))

		up, err := sc.V1IdentityVerificationSessions.Update(Ctx, vs.ID, &stripe.IdentityVerificationSessionUpdateParams{
			Type:    stripe.String("id_number"),
			Options: &stripe.IdentityVerificationSessionUpdateOptionsParams{Document: &stripe.IdentityVerificationSessionUpdateOptionsDocumentParams{AllowedTypes: []*string{stripe.String("passport")}}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.Type).To(Equal(stripe.IdentityVerificationSessionTypeIDNumber))
		Expect(up.Options.Document.AllowedTypes).To(ConsistOf(stripe.IdentityVerificationSessionOptionsDocumentAllowedTypePassport))

		canceled, err := sc.V1IdentityVerificationSessions.Cancel(Ctx, vs.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(canceled.Status).To(Equal(stripe.IdentityVerificationSessionStatusCanceled))
		Expect(canceled.URL).To(BeEmpty())
		Expect(emu.EventTypes("")).To(ContainElement("identity.verification_session.canceled"))

		seen := len(emu.EventTypes(""))
		_, err = sc.V1IdentityVerificationSessions.Cancel(Ctx, vs.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "verification_session_unexpected_state", "")
		_, err = sc.V1IdentityVerificationSessions.Update(Ctx, vs.ID, &stripe.IdentityVerificationSessionUpdateParams{Type: stripe.String("document")})
		ExpectStripeError(err, 400, "invalid_request_error", "verification_session_unexpected_state", "")
		Expect(retrieve(vs.ID).Type).To(Equal(stripe.IdentityVerificationSessionTypeIDNumber), "nothing changed")
		Expect(emu.EventTypes("")).To(HaveLen(seen))
	})

	It("clears a session's document options when options[document] is sent empty, as Stripe's spec allows", func() {
		vs := create(documentWithSelfie())
		Expect(vs.Options.Document.RequireMatchingSelfie).To(BeTrue())
		status, up, err := emu.Call("POST", "/v1/identity/verification_sessions/"+vs.ID, url.Values{"options[document]": {""}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(up["options"]).To(Equal(map[string]any{}), "no document options left")
		got := retrieve(vs.ID)
		Expect(got.Options.Document).To(BeNil())

		page := Visit("GET", got.URL, nil)
		Expect(page.Body).NotTo(ContainSubstring(`value="selfie_face_mismatch"`), "no selfie is checked any more")
	})

	It("refuses bad input, creating nothing", func() {
		_, err := sc.V1IdentityVerificationSessions.Create(Ctx, &stripe.IdentityVerificationSessionCreateParams{})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "type")
		_, err = sc.V1IdentityVerificationSessions.Create(Ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("selfie")})
		Expect(StripeErr(err).Param).To(Equal("type"))
		_, err = sc.V1IdentityVerificationSessions.Create(Ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"), RelatedCustomer: stripe.String("cus_nope")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "related_customer")
		_, err = sc.V1IdentityVerificationSessions.Create(Ctx, &stripe.IdentityVerificationSessionCreateParams{VerificationFlow: stripe.String("vf_nope")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "verification_flow")
		_, err = sc.V1IdentityVerificationSessions.Retrieve(Ctx, "vs_nope", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		// The user is sent to return_url: one without a scheme is refused
		// as Stripe's URL check refuses it elsewhere.
		_, err = sc.V1IdentityVerificationSessions.Create(Ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"), ReturnURL: stripe.String("example.com/back")})
		ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", "return_url")
		_, err = sc.V1IdentityVerificationSessions.Create(Ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
			ProvidedDetails: &stripe.IdentityVerificationSessionCreateProvidedDetailsParams{Email: stripe.String("jenny.example.com")}})
		ExpectStripeError(err, 400, "invalid_request_error", "email_invalid", "provided_details[email]")
		Expect(emu.Count("", "identity.verification_session")).To(BeZero())
		Expect(emu.EventTypes("")).To(BeEmpty())

		vs := create(&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")})
		_, body, err := emu.Call("POST", "/v1/test_helpers/identity/verification_sessions/"+vs.ID+"/submit", url.Values{"outcome": {"selfie_face_mismatch"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(body["error"]).To(HaveKeyWithValue("param", "outcome"), "an ID number session has no selfie to fail")
		Expect(retrieve(vs.ID).Status).To(Equal(stripe.IdentityVerificationSessionStatusRequiresInput))
		_, err = sc.V1IdentityVerificationSessions.Update(Ctx, vs.ID, &stripe.IdentityVerificationSessionUpdateParams{
			ProvidedDetails: &stripe.IdentityVerificationSessionUpdateProvidedDetailsParams{Email: stripe.String("nope")}})
		ExpectStripeError(err, 400, "invalid_request_error", "email_invalid", "provided_details[email]")
		Expect(retrieve(vs.ID, "provided_details").ProvidedDetails).To(BeNil(), "nothing kept")
	})

	It("redacts a verified session once the clock moves, blanking personal data", func() {
		p := documentWithSelfie()
		p.AddMetadata("user", "42")
		vs := create(p)
		_, _, err := emu.Call("POST", "/v1/test_helpers/identity/verification_sessions/"+vs.ID+"/submit", nil, "")
		Expect(err).NotTo(HaveOccurred())
		red, err := sc.V1IdentityVerificationSessions.Redact(Ctx, vs.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(red.Redaction.Status).To(Equal(stripe.IdentityVerificationSessionRedactionStatusProcessing))
		Expect(red.Status).To(Equal(stripe.IdentityVerificationSessionStatusVerified))
		Expect(emu.EventTypes("")).NotTo(ContainElement("identity.verification_session.redacted"))

		emu.Clock().Advance(time.Minute)
		vs = retrieve(vs.ID, "verified_outputs", "last_verification_report")
		Expect(vs.Redaction.Status).To(Equal(stripe.IdentityVerificationSessionRedactionStatusRedacted))
		Expect(vs.Metadata).To(BeEmpty())
		Expect(vs.ClientReferenceID).To(Equal("[redacted]"))
		Expect(vs.VerifiedOutputs.FirstName).To(Equal("[redacted]"))
		Expect(vs.LastVerificationReport.Document.LastName).To(Equal("[redacted]"))
		rp := &stripe.IdentityVerificationReportRetrieveParams{}
		rp.AddExpand("document.expiration_date")
		rp.AddExpand("document.dob")
		redactedReport, err := sc.V1IdentityVerificationReports.Retrieve(Ctx, vs.LastVerificationReport.ID, rp)
		Expect(err).NotTo(HaveOccurred())
		Expect(redactedReport.Document.ExpirationDate).To(BeNil())
		Expect(redactedReport.Document.DOB).To(BeNil())
		Expect(emu.EventTypes("")).To(ContainElement("identity.verification_session.redacted"))

		_, err = sc.V1IdentityVerificationSessions.Update(Ctx, vs.ID, &stripe.IdentityVerificationSessionUpdateParams{})
		Expect(StripeErr(err).Msg).To(ContainSubstring("redacted"))

		By("a session awaiting its user is canceled by redaction")
		open := create(&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
		red, err = sc.V1IdentityVerificationSessions.Redact(Ctx, open.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(red.Status).To(Equal(stripe.IdentityVerificationSessionStatusCanceled))
		Expect(strings.Count(strings.Join(emu.EventTypes(""), " "), "identity.verification_session.canceled")).To(Equal(1))
	})

	It("verifies a connected account's person for the platform, as related_person names it", func() {
		acct := Seller(emu, nil)
		person, err := sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(acct.ID), FirstName: stripe.String("Jenny")})
		Expect(err).NotTo(HaveOccurred())
		vs := create(&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
			RelatedPerson: &stripe.IdentityVerificationSessionCreateRelatedPersonParams{Account: stripe.String(acct.ID), Person: stripe.String(person.ID)}})
		Expect(vs.RelatedPerson.Account).To(Equal(acct.ID))
		Expect(vs.RelatedPerson.Person).To(Equal(person.ID))
		_, err = sc.V1IdentityVerificationSessions.Create(Ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
			RelatedPerson: &stripe.IdentityVerificationSessionCreateRelatedPersonParams{Account: stripe.String(acct.ID), Person: stripe.String("person_nope")}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "related_person[person]")
	})

	It("makes an ephemeral key for a session, as the Identity mobile SDK asks for one", func() {
		vs := create(&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
		p := &stripe.EphemeralKeyCreateParams{VerificationSession: stripe.String(vs.ID), StripeVersion: stripe.String(stripe.APIVersion)}
		key, err := sc.V1EphemeralKeys.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(key.Secret).To(HavePrefix("ek_test_"))
		var raw map[string]any
		Expect(json.Unmarshal(key.LastResponse.RawJSON, &raw)).To(Succeed())
		Expect(raw["associated_objects"]).To(Equal([]any{map[string]any{"id": vs.ID, "type": "identity.verification_session"}}))
		_, err = sc.V1EphemeralKeys.Create(Ctx, &stripe.EphemeralKeyCreateParams{VerificationSession: stripe.String("vs_nope"), StripeVersion: stripe.String(stripe.APIVersion)})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "verification_session")
	})

	It("keeps a connected account's sessions in that account", func() {
		acct := Seller(emu, nil)
		p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
		p.SetStripeAccount(acct.ID)
		vs := create(p)
		_, err := sc.V1IdentityVerificationSessions.Retrieve(Ctx, vs.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(vs.URL).To(ContainSubstring("/verify.stripe.com/start/"))
		Expect(Visit("POST", vs.URL, url.Values{"outcome": {"verified"}}).Status).To(Equal(200))
		rp := &stripe.IdentityVerificationSessionRetrieveParams{}
		rp.SetStripeAccount(acct.ID)
		got, err := sc.V1IdentityVerificationSessions.Retrieve(Ctx, vs.ID, rp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.IdentityVerificationSessionStatusVerified))
		CheckAccountEvents(emu, acct.ID)
	})
})
