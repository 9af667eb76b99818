package core_test

import (
	"net/url"
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// What an integrator reads back from a connected account as Stripe shows
// it: the controller properties an account type stands for, the settings
// every account has, and the refusals of links Stripe answers with.
var _ = Describe("Connected accounts as Stripe renders them", Label("connect"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	create := func(p *stripe.AccountCreateParams) *stripe.Account {
		GinkgoHelper()
		a, err := sc.V1Accounts.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return a
	}

	It("sets the controller properties an account type stands for", func() {
		express := create(&stripe.AccountCreateParams{Type: stripe.String("express")})
		Expect(express.Controller.Type).To(Equal(stripe.AccountControllerTypeApplication))
		Expect(express.Controller.IsController).To(BeTrue())
		Expect(express.Controller.Fees.Payer).To(Equal(stripe.AccountControllerFeesPayerApplicationExpress))
		Expect(express.Controller.Losses.Payments).To(Equal(stripe.AccountControllerLossesPaymentsApplication))
		Expect(express.Controller.RequirementCollection).To(Equal(stripe.AccountControllerRequirementCollectionStripe))
		Expect(express.Controller.StripeDashboard.Type).To(Equal(stripe.AccountControllerStripeDashboardTypeExpress))

		custom := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers()})
		Expect(custom.Controller.Type).To(Equal(stripe.AccountControllerTypeApplication))
		Expect(custom.Controller.Fees.Payer).To(Equal(stripe.AccountControllerFeesPayerApplicationCustom))
		Expect(custom.Controller.Losses.Payments).To(Equal(stripe.AccountControllerLossesPaymentsApplication))
		Expect(custom.Controller.RequirementCollection).To(Equal(stripe.AccountControllerRequirementCollectionApplication))
		Expect(custom.Controller.StripeDashboard.Type).To(Equal(stripe.AccountControllerStripeDashboardTypeNone))

		standard := create(&stripe.AccountCreateParams{Type: stripe.String("standard")})
		Expect(standard.Controller.Type).To(Equal(stripe.AccountControllerTypeAccount))
		Expect(standard.Controller.IsController).To(BeTrue())
		Expect(standard.Controller.Fees.Payer).To(Equal(stripe.AccountControllerFeesPayerAccount))
		Expect(standard.Controller.Losses.Payments).To(Equal(stripe.AccountControllerLossesPaymentsStripe))
		Expect(standard.Controller.RequirementCollection).To(Equal(stripe.AccountControllerRequirementCollectionStripe))
		Expect(standard.Controller.StripeDashboard.Type).To(Equal(stripe.AccountControllerStripeDashboardTypeFull))

		got, err := sc.V1Accounts.GetByID(Ctx, express.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Controller.Fees.Payer).To(Equal(stripe.AccountControllerFeesPayerApplicationExpress))
	})

	It("gives every new account Stripe's default settings, which settings[…] changes in part", func() {
		a := create(&stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("US")})
		Expect(a.Settings).NotTo(BeNil())
		Expect(a.Settings.Payouts.Schedule.Interval).To(Equal(stripe.AccountSettingsPayoutsScheduleIntervalDaily))
		Expect(a.Settings.Payouts.Schedule.DelayDays).To(Equal(int64(2)))
		Expect(a.Settings.Payouts.DebitNegativeBalances).To(BeTrue())
		Expect(a.Settings.Dashboard.Timezone).To(Equal("Etc/UTC"))
		Expect(a.Settings.CardPayments.DeclineOn).NotTo(BeNil())
		Expect(a.Settings.Branding).NotTo(BeNil())
		Expect(a.Settings.Payments).NotTo(BeNil())

		de := create(&stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("DE")})
		Expect(de.Settings.Payouts.Schedule.DelayDays).To(Equal(int64(7)))

		weekly, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
			Payouts: &stripe.AccountUpdateSettingsPayoutsParams{Schedule: &stripe.AccountUpdateSettingsPayoutsScheduleParams{
				Interval: stripe.String("weekly"), WeeklyAnchor: stripe.String("friday")}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(weekly.Settings.Payouts.Schedule.Interval).To(Equal(stripe.AccountSettingsPayoutsScheduleIntervalWeekly))
		Expect(weekly.Settings.Payouts.Schedule.WeeklyAnchor).To(Equal("friday"))
		Expect(weekly.Settings.Payouts.Schedule.DelayDays).To(Equal(int64(2)), "what is not sent stays")
		Expect(weekly.Settings.Dashboard.Timezone).To(Equal("Etc/UTC"))
	})

	It("takes delay_days=minimum, as stripe-go sends it, and refuses delay_days on a manual schedule", func() {
		a := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers(), Country: stripe.String("US"),
			Settings: &stripe.AccountCreateSettingsParams{Payouts: &stripe.AccountCreateSettingsPayoutsParams{
				Schedule: &stripe.AccountCreateSettingsPayoutsScheduleParams{DelayDays: stripe.Int64(5), Interval: stripe.String("daily")}}}})
		Expect(a.Settings.Payouts.Schedule.DelayDays).To(Equal(int64(5)))

		a, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
			Payouts: &stripe.AccountUpdateSettingsPayoutsParams{Schedule: &stripe.AccountUpdateSettingsPayoutsScheduleParams{DelayDaysMinimum: stripe.Bool(true)}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Settings.Payouts.Schedule.DelayDays).To(Equal(int64(2)), "the country's minimum")

		_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
			Payouts: &stripe.AccountUpdateSettingsPayoutsParams{Schedule: &stripe.AccountUpdateSettingsPayoutsScheduleParams{
				Interval: stripe.String("manual"), DelayDays: stripe.Int64(4)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "settings[payouts][schedule][delay_days]")
		got, err := sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Settings.Payouts.Schedule.Interval).To(Equal(stripe.AccountSettingsPayoutsScheduleIntervalDaily), "nothing changed")

		manual, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
			Payouts: &stripe.AccountUpdateSettingsPayoutsParams{Schedule: &stripe.AccountUpdateSettingsPayoutsScheduleParams{Interval: stripe.String("manual")}}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(manual.Settings.Payouts.Schedule.Interval).To(Equal(stripe.AccountSettingsPayoutsScheduleIntervalManual))
		Expect(manual.Settings.Payouts.Schedule.DelayDays).To(Equal(int64(2)), "delay_days stays as last set")

		_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
			Payouts: &stripe.AccountUpdateSettingsPayoutsParams{Schedule: &stripe.AccountUpdateSettingsPayoutsScheduleParams{DelayDays: stripe.Int64(4)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "settings[payouts][schedule][delay_days]")

		status, body, err := emu.Call("POST", "/v1/accounts/"+a.ID, url.Values{"settings[payouts][schedule][delay_days]": {"soon"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(400))
		Expect(body["error"]).To(HaveKeyWithValue("param", "settings[payouts][schedule][delay_days]"))
	})

	It("holds delay_days to the country's minimum, and to accounts whose losses the platform is liable for, as Stripe's payout schedule guide says", func() {
		delay := func(n int64) *stripe.AccountUpdateParams {
			return &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{Payouts: &stripe.AccountUpdateSettingsPayoutsParams{
				Schedule: &stripe.AccountUpdateSettingsPayoutsScheduleParams{DelayDays: stripe.Int64(n)}}}}
		}
		_, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers(), Country: stripe.String("US"),
			Settings: &stripe.AccountCreateSettingsParams{Payouts: &stripe.AccountCreateSettingsPayoutsParams{
				Schedule: &stripe.AccountCreateSettingsPayoutsScheduleParams{DelayDays: stripe.Int64(1)}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "settings[payouts][schedule][delay_days]")
		de := create(&stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("DE")})
		_, err = sc.V1Accounts.Update(Ctx, de.ID, delay(3))
		ExpectStripeError(err, 400, "invalid_request_error", "", "settings[payouts][schedule][delay_days]")
		de, err = sc.V1Accounts.Update(Ctx, de.ID, delay(14))
		Expect(err).NotTo(HaveOccurred())
		Expect(de.Settings.Payouts.Schedule.DelayDays).To(Equal(int64(14)))

		By("leaving a Standard account's delay to Stripe, which is liable for its losses")
		std := create(&stripe.AccountCreateParams{Type: stripe.String("standard"), Country: stripe.String("US")})
		events := len(emu.Events(std.ID))
		_, err = sc.V1Accounts.Update(Ctx, std.ID, delay(10))
		ExpectStripeError(err, 400, "invalid_request_error", "", "settings[payouts][schedule][delay_days]")
		got, err := sc.V1Accounts.GetByID(Ctx, std.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Settings.Payouts.Schedule.DelayDays).To(Equal(int64(2)))
		Expect(emu.Events(std.ID)).To(HaveLen(events))
		_, err = sc.V1Accounts.Update(Ctx, std.ID, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
			Payouts: &stripe.AccountUpdateSettingsPayoutsParams{Schedule: &stripe.AccountUpdateSettingsPayoutsScheduleParams{DelayDaysMinimum: stripe.Bool(true)}}}})
		Expect(err).NotTo(HaveOccurred(), "minimum is what it has")
		_, err = sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Controller: &stripe.AccountCreateControllerParams{
			Losses: &stripe.AccountCreateControllerLossesParams{Payments: stripe.String("application")}},
			Settings: &stripe.AccountCreateSettingsParams{Payouts: &stripe.AccountCreateSettingsPayoutsParams{
				Schedule: &stripe.AccountCreateSettingsPayoutsScheduleParams{DelayDays: stripe.Int64(10)}}}})
		Expect(err).NotTo(HaveOccurred(), "a full-Dashboard account whose losses the platform carries")
	})

	It("refuses a login link before onboarding and an update link to a Dashboard account with Stripe's words", func() {
		a := create(&stripe.AccountCreateParams{Type: stripe.String("express"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
		_, err := sc.V1LoginLinks.Create(Ctx, &stripe.LoginLinkCreateParams{Account: stripe.String(a.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("Cannot create a login link for an account that has not completed onboarding."))

		_, err = sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{Account: stripe.String(a.ID), Type: stripe.String("account_update")})
		Expect(StripeErr(err).Msg).To(Equal("You cannot create `account_update` type Account Links for this account. Valid types for this account are [\"account_onboarding\"]."))
		Expect(StripeErr(err).Param).To(Equal("type"))

		done := Seller(emu, &stripe.AccountCreateParams{Type: stripe.String("express")})
		login, err := sc.V1LoginLinks.Create(Ctx, &stripe.LoginLinkCreateParams{Account: stripe.String(done.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(login.URL).To(MatchRegexp(`^`+regexp.QuoteMeta(emu.URL())+`/connect\.stripe\.com/express/`+done.ID+`/[A-Za-z0-9]{12}$`), "Stripe's address as a path of the emulator's page")
	})

	It("gives update links only to accounts whose requirements the platform collects, whatever dashboard they lack", func() {
		// No Stripe-hosted Dashboard, but Stripe collects requirements (and
		// bears losses): such an account updates its details through
		// embedded components, never an account_update link.
		a := create(&stripe.AccountCreateParams{Controller: &stripe.AccountCreateControllerParams{
			Fees:            &stripe.AccountCreateControllerFeesParams{Payer: stripe.String("application")},
			StripeDashboard: &stripe.AccountCreateControllerStripeDashboardParams{Type: stripe.String("none")},
		}, Capabilities: Transfers()})
		Expect(a.Controller.RequirementCollection).To(Equal(stripe.AccountControllerRequirementCollectionStripe))
		_, err := sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{Account: stripe.String(a.ID), Type: stripe.String("account_update")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "type")
		Expect(StripeErr(err).Msg).To(Equal("You cannot create `account_update` type Account Links for this account. Valid types for this account are [\"account_onboarding\"]."))

		collected := create(&stripe.AccountCreateParams{Controller: &stripe.AccountCreateControllerParams{
			Fees:                  &stripe.AccountCreateControllerFeesParams{Payer: stripe.String("application")},
			Losses:                &stripe.AccountCreateControllerLossesParams{Payments: stripe.String("application")},
			RequirementCollection: stripe.String("application"),
			StripeDashboard:       &stripe.AccountCreateControllerStripeDashboardParams{Type: stripe.String("none")},
		}, Capabilities: Transfers()})
		link, err := sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{Account: stripe.String(collected.ID), Type: stripe.String("account_update")})
		Expect(err).NotTo(HaveOccurred())
		Expect(link.ExpiresAt).To(Equal(link.Created + 300))
	})

	It("refuses a platform liable for losses on a Dashboard-less account whose requirements Stripe collects, in Stripe's words", func() {
		_, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Controller: &stripe.AccountCreateControllerParams{
			Fees:            &stripe.AccountCreateControllerFeesParams{Payer: stripe.String("application")},
			Losses:          &stripe.AccountCreateControllerLossesParams{Payments: stripe.String("application")},
			StripeDashboard: &stripe.AccountCreateControllerStripeDashboardParams{Type: stripe.String("none")},
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("When stripe_dashboard[type]=none and requirement_collection=stripe, Stripe must be liable for negative balances or refunds and chargebacks."))
		for a, err := range sc.V1Accounts.List(Ctx, nil) {
			Expect(err).NotTo(HaveOccurred())
			Fail("nothing should have been created, found " + a.ID)
		}
	})

	It("asks a US person for an address, a phone and the last four digits of an SSN, as Stripe's guide to testing API onboarding shows a representative's requirements", func() {
		a := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			BusinessType: stripe.String("individual"), Capabilities: Transfers(),
			Individual: &stripe.PersonParams{FirstName: stripe.String("Jenny"), LastName: stripe.String("Rosen")}})
		personFields := []string{"individual.address.city", "individual.address.line1", "individual.address.postal_code",
			"individual.address.state", "individual.phone", "individual.ssn_last_4"}
		Expect(a.Requirements.CurrentlyDue).To(ContainElements(personFields))
		a, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{
			Address: &stripe.AddressParams{City: stripe.String("Schenectady"), Line1: stripe.String("123 State St"),
				PostalCode: stripe.String("12345"), State: stripe.String("NY")},
			Phone: stripe.String("8888675309"), SSNLast4: stripe.String("0000")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Requirements.CurrentlyDue).NotTo(ContainElements(personFields[0]))
		Expect(a.Requirements.CurrentlyDue).NotTo(ContainElement(Or(HavePrefix("individual.address."), Equal("individual.phone"), Equal("individual.ssn_last_4"))))

		By("counting a full ID number for the last four digits")
		b := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			BusinessType: stripe.String("individual"), Capabilities: Transfers(),
			Individual: &stripe.PersonParams{IDNumber: stripe.String("000000000")}})
		Expect(b.Requirements.CurrentlyDue).NotTo(ContainElement("individual.ssn_last_4"))

		By("asking a company's representative the same")
		co := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			BusinessType: stripe.String("company"), Capabilities: Transfers()})
		Expect(co.Requirements.CurrentlyDue).To(ContainElements("representative.address.state", "representative.phone", "representative.ssn_last_4"))
	})

	It("asks a company for its own details, as Stripe's guide to testing API onboarding shows a new US company's requirements", func() {
		companyFields := []string{"company.address.city", "company.address.line1", "company.address.postal_code",
			"company.address.state", "company.name", "company.phone", "company.tax_id"}
		co := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			BusinessType: stripe.String("company"), Capabilities: &stripe.AccountCreateCapabilitiesParams{
				CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
		Expect(co.Requirements.CurrentlyDue).To(ContainElements(companyFields))
		Expect(co.Requirements.PastDue).To(ContainElements(companyFields))

		By("dropping each as the platform provides it, the tax ID shown only as provided")
		co, err := sc.V1Accounts.Update(Ctx, co.ID, &stripe.AccountUpdateParams{Company: &stripe.AccountUpdateCompanyParams{
			Address: &stripe.AddressParams{City: stripe.String("Schenectady"), Line1: stripe.String("123 State St"),
				PostalCode: stripe.String("12345"), State: stripe.String("NY")},
			Name: stripe.String("The Best Cookie Co"), Phone: stripe.String("8888675309"), TaxID: stripe.String("000000000")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(co.Company.TaxIDProvided).To(BeTrue())
		Expect(co.Requirements.CurrentlyDue).NotTo(ContainElement(HavePrefix("company.")))
		evs := emu.Events(co.ID)
		Expect(evs[len(evs)-1]["type"]).To(Equal("account.updated"))

		By("asking for its owners until they own all of it or company[owners_provided] says all are given, as that guide does")
		Expect(co.Requirements.CurrentlyDue).To(ContainElement("relationship.owner"))
		_, err = sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(co.ID),
			FirstName: stripe.String("Kathleen"), LastName: stripe.String("Banks"),
			Relationship: &stripe.PersonCreateRelationshipParams{Owner: stripe.Bool(true), PercentOwnership: stripe.Float64(80)}})
		Expect(err).NotTo(HaveOccurred())
		co, err = sc.V1Accounts.GetByID(Ctx, co.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(co.Requirements.CurrentlyDue).To(ContainElement("relationship.owner"), "80% is not all of it")
		co, err = sc.V1Accounts.Update(Ctx, co.ID, &stripe.AccountUpdateParams{Company: &stripe.AccountUpdateCompanyParams{OwnersProvided: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(co.Requirements.CurrentlyDue).NotTo(ContainElement("relationship.owner"))
		whole := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			BusinessType: stripe.String("company"), Capabilities: Transfers()})
		_, err = sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(whole.ID), FirstName: stripe.String("Sole"),
			Relationship: &stripe.PersonCreateRelationshipParams{Owner: stripe.Bool(true), PercentOwnership: stripe.Float64(100)}})
		Expect(err).NotTo(HaveOccurred())
		whole, err = sc.V1Accounts.GetByID(Ctx, whole.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(whole.Requirements.CurrentlyDue).NotTo(ContainElement("relationship.owner"))

		By("asking no state of a company outside the US, as for its persons")
		de := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("DE"),
			BusinessType: stripe.String("company"), Capabilities: Transfers()})
		Expect(de.Requirements.CurrentlyDue).To(ContainElements("company.address.city", "company.name", "company.tax_id"))
		Expect(de.Requirements.CurrentlyDue).NotTo(ContainElement("company.address.state"))

		By("asking a non-profit's own details too, but no owners, a non-profit having none")
		np := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			BusinessType: stripe.String("non_profit"), Capabilities: Transfers()})
		Expect(np.Requirements.CurrentlyDue).To(ContainElements(companyFields))
		Expect(np.Requirements.CurrentlyDue).NotTo(ContainElement("relationship.owner"))

		By("asking none of an individual")
		ind := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			BusinessType: stripe.String("individual"), Capabilities: Transfers()})
		Expect(ind.Requirements.CurrentlyDue).NotTo(ContainElement(HavePrefix("company.")))
		Expect(ind.Requirements.CurrentlyDue).NotTo(ContainElement("relationship.owner"))
	})

	It("lists what an account must still provide until onboarding completes, as Stripe's requirements", func() {
		a := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{
				CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
		Expect(a.Requirements.DisabledReason).To(Equal(stripe.AccountRequirementsDisabledReasonRequirementsPastDue))
		Expect(a.Requirements.CurrentlyDue).To(ContainElements("business_profile.mcc", "business_profile.url", "business_type",
			"external_account", "representative.first_name", "settings.payments.statement_descriptor", "tos_acceptance.date", "tos_acceptance.ip"))
		Expect(a.Requirements.EventuallyDue).To(Equal(a.Requirements.CurrentlyDue))
		Expect(a.Requirements.PastDue).To(Equal(a.Requirements.CurrentlyDue))
		Expect(a.Requirements.Alternatives).To(HaveLen(1))
		Expect(a.Requirements.Alternatives[0].OriginalFieldsDue).To(Equal([]string{"business_profile.url"}))
		Expect(a.Requirements.Alternatives[0].AlternativeFieldsDue).To(Equal([]string{"business_profile.product_description"}))
		Expect(a.ChargesEnabled).To(BeFalse())

		By("dropping what the platform provides, with account.updated")
		a, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{
			BusinessType:    stripe.String("individual"),
			BusinessProfile: &stripe.AccountUpdateBusinessProfileParams{MCC: stripe.String("5734"), ProductDescription: stripe.String("Tickets")},
			Individual:      &stripe.PersonParams{FirstName: stripe.String("Jenny"), LastName: stripe.String("Rosen")},
			TOSAcceptance:   &stripe.AccountUpdateTOSAcceptanceParams{Date: stripe.Int64(1700000000), IP: stripe.String("8.8.8.8")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Requirements.CurrentlyDue).NotTo(ContainElements("business_profile.mcc", "business_profile.url", "business_type",
			"tos_acceptance.date", "individual.first_name"))
		Expect(a.Requirements.CurrentlyDue).To(ContainElements("external_account", "individual.dob.day", "individual.email"))
		Expect(a.Requirements.CurrentlyDue).NotTo(ContainElement(HavePrefix("representative.")))
		Expect(a.Requirements.Alternatives).To(BeEmpty())
		evs := emu.Events(a.ID)
		Expect(evs[len(evs)-1]["type"]).To(Equal("account.updated"))
		Expect(evs[len(evs)-1]["data"].(map[string]any)["previous_attributes"]).To(HaveKey("requirements"))

		ba, err := sc.V1BankAccounts.Create(Ctx, &stripe.BankAccountCreateParams{Account: stripe.String(a.ID), Token: stripe.String("btok_us_verified")})
		Expect(err).NotTo(HaveOccurred())
		a, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Requirements.CurrentlyDue).NotTo(ContainElement("external_account"))
		Expect(emu.EventTypes(a.ID)).To(ContainElement("account.updated"))
		Expect(ba.ID).To(HavePrefix("ba_"))

		By("clearing everything once onboarding completes")
		status, body, err := emu.Call("POST", "/v1/test_helpers/accounts/"+a.ID+"/complete_onboarding", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		a, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Requirements.CurrentlyDue).To(BeEmpty())
		Expect(a.Requirements.DisabledReason).To(BeEmpty())
		Expect(a.ChargesEnabled).To(BeTrue())

		By("counting a company's representative among its persons")
		co := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), BusinessType: stripe.String("company"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
		Expect(co.Requirements.CurrentlyDue).To(ContainElement("representative.first_name"))
		_, err = sc.V1Persons.Create(Ctx, &stripe.PersonCreateParams{Account: stripe.String(co.ID),
			FirstName: stripe.String("Jenny"), LastName: stripe.String("Rosen"), Email: stripe.String("jenny@example.com"),
			Phone: stripe.String("8888675309"), SSNLast4: stripe.String("0000"),
			Address: &stripe.AddressParams{City: stripe.String("Schenectady"), Line1: stripe.String("123 State St"),
				PostalCode: stripe.String("12345"), State: stripe.String("NY")},
			DOB:          &stripe.PersonCreateDOBParams{Day: stripe.Int64(1), Month: stripe.Int64(1), Year: stripe.Int64(1990)},
			Relationship: &stripe.PersonCreateRelationshipParams{Representative: stripe.Bool(true)}})
		Expect(err).NotTo(HaveOccurred())
		co, err = sc.V1Accounts.GetByID(Ctx, co.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(co.Requirements.CurrentlyDue).NotTo(ContainElement(HavePrefix("representative.")))

		By("asking nothing of an account with no capability requested")
		bare := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: &stripe.AccountCreateCapabilitiesParams{
			Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(false)}}})
		Expect(bare.Requirements.CurrentlyDue).To(BeEmpty())
		Expect(bare.Requirements.DisabledReason).To(BeEmpty())
	})

	It("takes as default_currency only a currency Stripe supports in the account's country", func() {
		_, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), DefaultCurrency: stripe.String("xyz")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "default_currency")
		Expect(StripeErr(err).Msg).To(HavePrefix("Invalid currency: xyz."))
		_, err = sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"), DefaultCurrency: stripe.String("eur")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "default_currency")
		Expect(emu.Count("", "account")).To(Equal(1), "only the platform")
		ca := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers(), Country: stripe.String("CA"), DefaultCurrency: stripe.String("USD")})
		Expect(string(ca.DefaultCurrency)).To(Equal("usd"))
		_, err = sc.V1Accounts.Update(Ctx, ca.ID, &stripe.AccountUpdateParams{DefaultCurrency: stripe.String("gbp")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "default_currency")
		got, err := sc.V1Accounts.Update(Ctx, ca.ID, &stripe.AccountUpdateParams{DefaultCurrency: stripe.String("cad")})
		Expect(err).NotTo(HaveOccurred())
		Expect(string(got.DefaultCurrency)).To(Equal("cad"))
	})

	It("holds business_type to Stripe's values", func() {
		_, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), BusinessType: stripe.String("bogus")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "business_type")
		a := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers(), BusinessType: stripe.String("non_profit")})
		_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{BusinessType: stripe.String("sole_trader")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "business_type")
		got, err := sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.BusinessType).To(Equal(stripe.AccountBusinessTypeNonProfit))
	})

	It("refuses individual[…] for an account whose business_type is not individual, in Stripe's words", func() {
		const refusal = "You can only provide `individual` parameters for accounts with `business_type` of 'individual'."
		_, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), BusinessType: stripe.String("company"),
			Individual: &stripe.PersonParams{FirstName: stripe.String("Jenny")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "individual")
		Expect(StripeErr(err).Msg).To(Equal(refusal))
		Expect(emu.Count("", "account")).To(Equal(1), "only the platform")

		a := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers(), BusinessType: stripe.String("company")})
		_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{FirstName: stripe.String("Jenny")}})
		Expect(StripeErr(err).Msg).To(Equal(refusal))
		By("taking it with the business type changed in the same request")
		got, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{BusinessType: stripe.String("individual"),
			Individual: &stripe.PersonParams{FirstName: stripe.String("Jenny")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Individual.FirstName).To(Equal("Jenny"))

		By("showing no individual once the business type is another, as Stripe's reference says it is null then")
		got, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{BusinessType: stripe.String("company")})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Individual).To(BeNil())
		got, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Individual).To(BeNil())
		evs := emu.Events(a.ID)
		Expect(evs[len(evs)-1]["data"].(map[string]any)["previous_attributes"]).To(HaveKey("individual"))
	})

	It("takes business_profile[monthly_estimated_revenue] only for accounts in Brazil and India, as Stripe's reference says", func() {
		revenue := &stripe.AccountCreateBusinessProfileMonthlyEstimatedRevenueParams{Amount: stripe.Int64(100000), Currency: stripe.String("brl")}
		_, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("US"),
			BusinessProfile: &stripe.AccountCreateBusinessProfileParams{MonthlyEstimatedRevenue: revenue}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "business_profile[monthly_estimated_revenue]")
		Expect(emu.Count("", "account")).To(Equal(1), "only the platform")
		br := create(&stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("BR"),
			BusinessProfile: &stripe.AccountCreateBusinessProfileParams{MonthlyEstimatedRevenue: revenue}})
		Expect(br.BusinessProfile.MonthlyEstimatedRevenue.Amount).To(Equal(int64(100000)))
		de := create(&stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("DE")})
		_, err = sc.V1Accounts.Update(Ctx, de.ID, &stripe.AccountUpdateParams{BusinessProfile: &stripe.AccountUpdateBusinessProfileParams{
			MonthlyEstimatedRevenue: &stripe.AccountUpdateBusinessProfileMonthlyEstimatedRevenueParams{Amount: stripe.Int64(100), Currency: stripe.String("eur")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "business_profile[monthly_estimated_revenue]")
	})

	It("refuses an account's emails that are no address, as Stripe does a person's", func() {
		a := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers(), BusinessType: stripe.String("individual")})
		_, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Email: stripe.String("nope")})
		ExpectStripeError(err, 400, "invalid_request_error", "email_invalid", "email")
		Expect(StripeErr(err).Msg).To(Equal("Invalid email address: nope"))
		_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{BusinessProfile: &stripe.AccountUpdateBusinessProfileParams{SupportEmail: stripe.String("nope@")}})
		ExpectStripeError(err, 400, "invalid_request_error", "email_invalid", "business_profile[support_email]")
		_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{Email: stripe.String("jenny at example")}})
		ExpectStripeError(err, 400, "invalid_request_error", "email_invalid", "individual[email]")
		_, err = sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Email: stripe.String("nope")})
		ExpectStripeError(err, 400, "invalid_request_error", "email_invalid", "email")
		got, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Email: stripe.String("jenny@example.com"),
			BusinessProfile: &stripe.AccountUpdateBusinessProfileParams{SupportEmail: stripe.String("help@example.com")},
			Individual:      &stripe.PersonParams{Email: stripe.String("jenny@example.com")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Email).To(Equal("jenny@example.com"))
		Expect(got.BusinessProfile.SupportEmail).To(Equal("help@example.com"))
		Expect(got.Individual.Email).To(Equal("jenny@example.com"))
	})

	It("holds statement descriptors to Stripe's requirements, changing nothing when refused", func() {
		a := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers(), Country: stripe.String("US")})
		payments := func(sd string) error {
			_, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
				Payments: &stripe.AccountUpdateSettingsPaymentsParams{StatementDescriptor: stripe.String(sd)}}})
			return err
		}
		prefix := func(p string) error {
			_, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
				CardPayments: &stripe.AccountUpdateSettingsCardPaymentsParams{StatementDescriptorPrefix: stripe.String(p)}}})
			return err
		}
		const sdParam = "settings[payments][statement_descriptor]"
		for _, bad := range []string{"RUN", "12345678", "RUN<CLUB>", `RUN "CLUB"`, "RUN*CLUB", "ABCDEFGHIJKLMNOPQRSTUVW"} {
			ExpectStripeError(payments(bad), 400, "invalid_request_error", "", sdParam)
		}
		Expect(StripeErr(payments("RUN")).Msg).To(Equal("The statement descriptor must be at least 5 characters."))
		Expect(payments("RUNNER CLUB 2")).To(Succeed())
		const prefixParam = "settings[card_payments][statement_descriptor_prefix]"
		for _, bad := range []string{"R", "RUNNERCLUBX", "12", "RUN'C"} {
			ExpectStripeError(prefix(bad), 400, "invalid_request_error", "", prefixParam)
		}
		Expect(prefix("RUNCLUB")).To(Succeed())
		_, err := sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Settings: &stripe.AccountUpdateSettingsParams{
			Payouts: &stripe.AccountUpdateSettingsPayoutsParams{StatementDescriptor: stripe.String("ABCDEFGHIJKLMNOPQRSTUVW")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "settings[payouts][statement_descriptor]")
		_, err = sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Settings: &stripe.AccountCreateSettingsParams{
			Payments: &stripe.AccountCreateSettingsPaymentsParams{StatementDescriptor: stripe.String("RUN")}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", sdParam)

		got, err := sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Settings.Payments.StatementDescriptor).To(Equal("RUNNER CLUB 2"))
		Expect(got.Settings.CardPayments.StatementDescriptorPrefix).To(Equal("RUNCLUB"))
		Expect(got.Settings.Payouts.StatementDescriptor).To(BeEmpty())
		By("emptying one, which unsets it")
		Expect(payments("")).To(Succeed())
	})

	It("refuses terms acceptance sent for an account whose requirements Stripe collects", func() {
		const refusal = "You cannot accept the Terms of Service on behalf of accounts where controller[requirement_collection]=stripe, which includes Standard and Express accounts."
		_, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"),
			TOSAcceptance: &stripe.AccountCreateTOSAcceptanceParams{Date: stripe.Int64(1700000000), IP: stripe.String("192.0.2.1")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal(refusal))
		Expect(emu.Count("", "account")).To(Equal(1), "only the platform")

		std := create(&stripe.AccountCreateParams{Type: stripe.String("standard")})
		_, err = sc.V1Accounts.Update(Ctx, std.ID, &stripe.AccountUpdateParams{
			TOSAcceptance: &stripe.AccountUpdateTOSAcceptanceParams{Date: stripe.Int64(1700000000), IP: stripe.String("192.0.2.1")}})
		Expect(StripeErr(err).Msg).To(Equal(refusal))

		By("taking the service agreement, which is the platform's to choose")
		ex := create(&stripe.AccountCreateParams{Type: stripe.String("express"),
			TOSAcceptance: &stripe.AccountCreateTOSAcceptanceParams{ServiceAgreement: stripe.String("recipient")}})
		Expect(ex.TOSAcceptance.ServiceAgreement).To(Equal(stripe.AccountTOSAcceptanceServiceAgreementRecipient))

		By("and terms accepted for a Custom account")
		custom := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers(),
			TOSAcceptance: &stripe.AccountCreateTOSAcceptanceParams{Date: stripe.Int64(1700000000), IP: stripe.String("192.0.2.1")}})
		Expect(custom.TOSAcceptance.Date).To(Equal(int64(1700000000)))
	})

	It("activates a Custom account once the platform has provided everything due, verified, as test mode does", func() {
		p := &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"), BusinessType: stripe.String("individual"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{
				CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}},
			BusinessProfile: &stripe.AccountCreateBusinessProfileParams{MCC: stripe.String("5734"), URL: stripe.String("https://tickets.example")},
			// 1901-01-01 is the date of birth Stripe's test mode verifies.
			Individual: &stripe.PersonParams{FirstName: stripe.String("Jenny"), LastName: stripe.String("Rosen"), Email: stripe.String("jenny@example.com"),
				Phone: stripe.String("8888675309"), SSNLast4: stripe.String("0000"),
				Address: &stripe.AddressParams{City: stripe.String("Schenectady"), Line1: stripe.String("123 State St"),
					PostalCode: stripe.String("12345"), State: stripe.String("NY")},
				DOB: &stripe.PersonDOBParams{Day: stripe.Int64(1), Month: stripe.Int64(1), Year: stripe.Int64(1901)}},
			Settings:      &stripe.AccountCreateSettingsParams{Payments: &stripe.AccountCreateSettingsPaymentsParams{StatementDescriptor: stripe.String("TICKETS")}},
			TOSAcceptance: &stripe.AccountCreateTOSAcceptanceParams{Date: stripe.Int64(1700000000), IP: stripe.String("192.0.2.1")},
		}
		a := create(p)
		Expect(a.Requirements.CurrentlyDue).To(Equal([]string{"external_account"}))
		Expect(a.ChargesEnabled).To(BeFalse())

		_, err := sc.V1BankAccounts.Create(Ctx, &stripe.BankAccountCreateParams{Account: stripe.String(a.ID), Token: stripe.String("btok_us_verified")})
		Expect(err).NotTo(HaveOccurred())
		a, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Requirements.CurrentlyDue).To(BeEmpty())
		Expect(a.Requirements.DisabledReason).To(BeEmpty())
		Expect(a.DetailsSubmitted).To(BeTrue())
		Expect(a.ChargesEnabled).To(BeTrue())
		Expect(a.PayoutsEnabled).To(BeTrue())
		Expect(a.Capabilities.CardPayments).To(Equal(stripe.AccountCapabilityStatusActive))
		Expect(a.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusActive))
		Expect(emu.EventTypes(a.ID)).To(ContainElements("capability.updated", "account.updated"))

		By("at once when created with everything")
		p.ExternalAccount = &stripe.AccountExternalAccountParams{Token: stripe.String("btok_us_verified")}
		b := create(p)
		Expect(b.ChargesEnabled).To(BeTrue())
		Expect(b.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusActive))

		By("but not an Express account, whose owner onboards with Stripe")
		ex := create(&stripe.AccountCreateParams{Type: stripe.String("express"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
		Expect(ex.Requirements.CurrentlyDue).To(ContainElement("tos_acceptance.date"))
	})

	It("keeps the recipient service agreement as Stripe's guide to service agreements says", func() {
		// "Accounts under this agreement can't process payments or request
		// the card_payments capability", and "After a connected account
		// accepts it, you can't modify the type of service agreement."
		recipient := &stripe.AccountCreateTOSAcceptanceParams{ServiceAgreement: stripe.String("recipient")}
		accounts := emu.Count("", "account")
		_, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("FR"),
			TOSAcceptance: recipient, Capabilities: &stripe.AccountCreateCapabilitiesParams{
				CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "capabilities[card_payments]")
		Expect(emu.Count("", "account")).To(Equal(accounts), "nothing is kept")

		a := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("FR"),
			TOSAcceptance: recipient, Capabilities: Transfers()})
		Expect(a.TOSAcceptance.ServiceAgreement).To(Equal(stripe.AccountTOSAcceptanceServiceAgreementRecipient))
		_, err = sc.V1Capabilities.Update(Ctx, "card_payments", &stripe.CapabilityUpdateParams{Account: stripe.String(a.ID), Requested: stripe.Bool(true)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "requested")
		_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Capabilities: &stripe.AccountUpdateCapabilitiesParams{
			CardPayments: &stripe.AccountUpdateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "capabilities[card_payments]")

		By("refusing recipient for an account that takes card payments")
		full := create(&stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("FR"), Capabilities: &stripe.AccountCreateCapabilitiesParams{
			CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
			Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
		_, err = sc.V1Accounts.Update(Ctx, full.ID, &stripe.AccountUpdateParams{TOSAcceptance: &stripe.AccountUpdateTOSAcceptanceParams{ServiceAgreement: stripe.String("recipient")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "tos_acceptance[service_agreement]")

		By("keeping the agreement once accepted")
		_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{TOSAcceptance: &stripe.AccountUpdateTOSAcceptanceParams{ServiceAgreement: stripe.String("full")}})
		Expect(err).NotTo(HaveOccurred(), "not accepted yet: the platform may still choose")
		_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{TOSAcceptance: &stripe.AccountUpdateTOSAcceptanceParams{
			ServiceAgreement: stripe.String("recipient"), Date: stripe.Int64(1700000000), IP: stripe.String("192.0.2.1")}})
		Expect(err).NotTo(HaveOccurred(), "accepted in this request, as the agreement it names")
		_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{TOSAcceptance: &stripe.AccountUpdateTOSAcceptanceParams{ServiceAgreement: stripe.String("full")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "tos_acceptance[service_agreement]")
		got, err := sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.TOSAcceptance.ServiceAgreement).To(Equal(stripe.AccountTOSAcceptanceServiceAgreementRecipient))
		_, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{TOSAcceptance: &stripe.AccountUpdateTOSAcceptanceParams{ServiceAgreement: stripe.String("recipient")}})
		Expect(err).NotTo(HaveOccurred(), "restating it changes nothing")

		By("keeping it, and the acceptance, through onboarding")
		status, body, err := emu.Call("POST", "/v1/test_helpers/accounts/"+a.ID+"/complete_onboarding", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200), "%v", body)
		got, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.TOSAcceptance.ServiceAgreement).To(Equal(stripe.AccountTOSAcceptanceServiceAgreementRecipient))
		Expect(got.TOSAcceptance.Date).To(Equal(int64(1700000000)), "accepted by the platform before")
		Expect(got.TOSAcceptance.IP).To(Equal("192.0.2.1"))
	})

	It("renders the nested objects of persons and companies whole, as Stripe does, whatever part of them was sent", func() {
		call := func(path string, form url.Values) map[string]any {
			GinkgoHelper()
			status, body, err := emu.Call("POST", path, form, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			return body
		}
		address := []string{"city", "country", "line1", "line2", "postal_code", "state"}
		co := call("/v1/accounts", url.Values{"type": {"custom"}, "country": {"US"}, "business_type": {"company"},
			"capabilities[transfers][requested]": {"true"}, "company[address][city]": {"Appleton"}, "company[tax_id]": {"000000000"}})
		company := co["company"].(map[string]any)
		Expect(company).To(HaveKeyWithValue("directors_provided", false))
		Expect(company).To(HaveKeyWithValue("executives_provided", false))
		Expect(company).To(HaveKeyWithValue("owners_provided", false))
		Expect(company).To(HaveKeyWithValue("tax_id_provided", true))
		Expect(company).To(HaveKeyWithValue("name", BeNil()))
		Expect(company).To(HaveKeyWithValue("phone", BeNil()))
		Expect(company["address"]).To(HaveKeyWithValue("city", "Appleton"))
		for _, k := range address {
			Expect(company["address"]).To(HaveKey(k))
		}
		Expect(company["verification"]).To(Equal(map[string]any{"document": map[string]any{"back": nil, "details": nil, "details_code": nil, "front": nil}}))

		person := call("/v1/accounts/"+co["id"].(string)+"/persons", url.Values{"address[city]": {"Appleton"}, "registered_address[line1]": {"1 Main St"}})
		for _, f := range []string{"address", "registered_address"} {
			for _, k := range address {
				Expect(person[f]).To(HaveKey(k), "%s.%s", f, k)
			}
		}
		Expect(person["address"]).To(HaveKeyWithValue("city", "Appleton"))

		ind := call("/v1/accounts", url.Values{"type": {"custom"}, "country": {"US"}, "business_type": {"individual"},
			"capabilities[transfers][requested]": {"true"}, "individual[address][city]": {"Appleton"}})
		individual := ind["individual"].(map[string]any)
		for _, k := range address {
			Expect(individual["address"]).To(HaveKey(k), "individual.address.%s", k)
		}
	})
})
