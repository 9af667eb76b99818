package core_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Connected accounts", Label("connect", "story-2"), func() {
	var (
		emu      *emulator.Emulator
		sc       *stripe.Client
		acctA    string
		acctB    string
		customer = func(acct, email string) (*stripe.Customer, error) {
			return nil, nil
		}
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		for _, id := range []*string{&acctA, &acctB} {
			a, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("standard"), Email: stripe.String("organizer@example.com")})
			Expect(err).NotTo(HaveOccurred())
			Expect(a.ID).To(HavePrefix("acct_"))
			*id = a.ID
		}
		customer = func(acct, email string) (*stripe.Customer, error) {
			p := &stripe.CustomerCreateParams{Email: stripe.String(email)}
			p.SetStripeAccount(acct)
			return sc.V1Customers.Create(Ctx, p)
		}
	})

	It("keeps the same email as two independent customers on two accounts", func() {
		onA, err := customer(acctA, "fan@example.com")
		Expect(err).NotTo(HaveOccurred())
		onB, err := customer(acctB, "fan@example.com")
		Expect(err).NotTo(HaveOccurred())
		Expect(onA.ID).NotTo(Equal(onB.ID))

		for _, tc := range []struct{ acct, want string }{{acctA, onA.ID}, {acctB, onB.ID}} {
			p := &stripe.CustomerListParams{Email: stripe.String("fan@example.com")}
			p.SetStripeAccount(tc.acct)
			var got []string
			for c, err := range sc.V1Customers.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				got = append(got, c.ID)
			}
			Expect(got).To(Equal([]string{tc.want}))
		}
		var platform []string
		for c, err := range sc.V1Customers.List(Ctx, &stripe.CustomerListParams{Email: stripe.String("fan@example.com")}) {
			Expect(err).NotTo(HaveOccurred())
			platform = append(platform, c.ID)
		}
		Expect(platform).To(BeEmpty(), "the platform sees none of its connected accounts' customers")
	})

	It("answers resource_missing for another account's customer, both ways", func() {
		onA, err := customer(acctA, "x@example.com")
		Expect(err).NotTo(HaveOccurred())

		p := &stripe.CustomerRetrieveParams{}
		p.SetStripeAccount(acctB)
		_, err = sc.V1Customers.Retrieve(Ctx, onA.ID, p)
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(404))
		Expect(se.Code).To(Equal(stripe.ErrorCodeResourceMissing))
		Expect(se.Msg).To(Equal("No such customer: '" + onA.ID + "'"))
		Expect(se.Param).To(Equal("id"))

		_, err = sc.V1Customers.Retrieve(Ctx, onA.ID, nil)
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(404), "the platform can't read it without the header either")

		u := &stripe.CustomerUpdateParams{Name: stripe.String("hijack")}
		u.SetStripeAccount(acctB)
		_, err = sc.V1Customers.Update(Ctx, onA.ID, u)
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeResourceMissing))

		still, err := func() (*stripe.Customer, error) {
			r := &stripe.CustomerRetrieveParams{}
			r.SetStripeAccount(acctA)
			return sc.V1Customers.Retrieve(Ctx, onA.ID, r)
		}()
		Expect(err).NotTo(HaveOccurred())
		Expect(still.Name).To(BeEmpty())
	})

	It("answers resource_missing naming the parameter for a reference across accounts", func() {
		prod, err := func() (*stripe.Product, error) {
			p := &stripe.ProductCreateParams{Name: stripe.String("A's product")}
			p.SetStripeAccount(acctA)
			return sc.V1Products.Create(Ctx, p)
		}()
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(100)}
		p.SetStripeAccount(acctB)
		_, err = sc.V1Prices.Create(Ctx, p)
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Code).To(Equal(stripe.ErrorCodeResourceMissing))
		Expect(se.Param).To(Equal("product"))
	})

	It("refuses an account that does not exist", func() {
		p := &stripe.CustomerCreateParams{Email: stripe.String("a@b.co")}
		p.SetStripeAccount("acct_doesnotexist")
		_, err := sc.V1Customers.Create(Ctx, p)
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(403))
		Expect(se.Code).To(Equal(stripe.ErrorCode("account_invalid")))
		Expect(se.Msg).To(ContainSubstring("does not have access to account 'acct_doesnotexist'"))
	})

	It("records a connected account's events in that account, with account set", func() {
		_, err := customer(acctA, "evt@example.com")
		Expect(err).NotTo(HaveOccurred())
		evs := emu.Events(acctA)
		Expect(evs).To(HaveLen(1))
		Expect(evs[0]["type"]).To(Equal("customer.created"))
		Expect(evs[0]["account"]).To(Equal(acctA))
		Expect(emu.EventTypes("")).To(BeEmpty())

		p := &stripe.EventListParams{}
		p.SetStripeAccount(acctA)
		var got []*stripe.Event
		for ev, err := range sc.V1Events.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			got = append(got, ev)
		}
		Expect(got).To(HaveLen(1))
		Expect(got[0].Account).To(Equal(acctA))
	})

	It("records what a platform tells it about a Custom account, secrets only as flags", func() {
		a, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{
			Type: stripe.String("custom"), Capabilities: Transfers(), Country: stripe.String("US"), BusinessType: stripe.String("individual"),
			DefaultCurrency: stripe.String("USD"),
			BusinessProfile: &stripe.AccountCreateBusinessProfileParams{URL: stripe.String("https://tours.example"), MCC: stripe.String("4722")},
			TOSAcceptance:   &stripe.AccountCreateTOSAcceptanceParams{Date: stripe.Int64(1700000000), IP: stripe.String("192.0.2.1")},
			Individual: &stripe.PersonParams{FirstName: stripe.String("Ada"), LastName: stripe.String("Guide"), SSNLast4: stripe.String("0000"),
				DOB: &stripe.PersonDOBParams{Day: stripe.Int64(1), Month: stripe.Int64(2), Year: stripe.Int64(1990)}},
			ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String("btok_us_verified")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.DefaultCurrency).To(Equal(stripe.Currency("usd")))
		Expect(a.BusinessProfile.URL).To(Equal("https://tours.example"))
		Expect(a.TOSAcceptance.Date).To(Equal(int64(1700000000)))
		Expect(a.Individual.ID).To(HavePrefix("person_"))
		Expect(a.Individual.FirstName).To(Equal("Ada"))
		Expect(a.Individual.SSNLast4Provided).To(BeTrue())
		Expect(a.Individual.DOB.Year).To(Equal(int64(1990)))
		Expect(a.Individual.Verification.Status).To(Equal(stripe.PersonVerificationStatusUnverified))
		Expect(a.Individual.Verification.Document).NotTo(BeNil(), "a person has their documents' slots, empty")
		Expect(a.Individual.Requirements.CurrentlyDue).To(Equal([]string{"verification.document"}),
			"a date of birth other than Stripe's test ones fails the keyed identity check")
		Expect(a.Individual.Relationship.Owner).To(BeFalse())
		Expect(a.Individual.IDNumberProvided).To(BeFalse())
		Expect(a.ExternalAccounts.Data).To(HaveLen(1))
		Expect(a.ExternalAccounts.Data[0].BankAccount.DefaultForCurrency).To(BeTrue())

		a, err = sc.V1Accounts.Update(Ctx, a.ID, &stripe.AccountUpdateParams{Individual: &stripe.PersonParams{Phone: stripe.String("+15555550100")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Individual.FirstName).To(Equal("Ada"), "an update merges into what was there")
		Expect(a.Individual.Phone).To(Equal("+15555550100"))
	})

	It("lists, updates and deletes connected accounts", func() {
		var ids []string
		for a, err := range sc.V1Accounts.List(Ctx, nil) {
			Expect(err).NotTo(HaveOccurred())
			ids = append(ids, a.ID)
		}
		Expect(ids).To(Equal([]string{acctB, acctA}))

		upd, err := sc.V1Accounts.Update(Ctx, acctA, &stripe.AccountUpdateParams{Email: stripe.String("new@example.com")})
		Expect(err).NotTo(HaveOccurred())
		Expect(upd.Email).To(Equal("new@example.com"))
		Expect(emu.EventTypes(acctA)).To(Equal([]string{"account.updated"}))

		del, err := sc.V1Accounts.Delete(Ctx, acctB, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(del.Deleted).To(BeTrue())
		p := &stripe.CustomerCreateParams{}
		p.SetStripeAccount(acctB)
		_, err = sc.V1Customers.Create(Ctx, p)
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(403))
	})

	It("refuses to delete the platform's own account, which Stripe's reference sends to the Dashboard", func() {
		_, err := sc.V1Accounts.Delete(Ctx, emu.Platform(), nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "id")
		Expect(StripeErr(err).Msg).To(ContainSubstring("Dashboard"))
		own, err := sc.V1Accounts.GetByID(Ctx, emu.Platform(), nil)
		Expect(err).NotTo(HaveOccurred(), "the platform is still there")
		Expect(own.ID).To(Equal(emu.Platform()))
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.EventTypes("")).To(Equal([]string{"customer.created"}), "the refusal sends nothing")
	})

	It("tells the platform a deleted Standard account deauthorized its application", func() {
		standard, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("standard")})
		Expect(err).NotTo(HaveOccurred())
		express, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("US")})
		Expect(err).NotTo(HaveOccurred())
		for _, id := range []string{standard.ID, express.ID} {
			_, err := sc.V1Accounts.Delete(Ctx, id, nil)
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(emu.EventTypes(standard.ID)).To(Equal([]string{"account.application.deauthorized"}))
		ev := emu.Events(standard.ID)[0]
		Expect(ev["account"]).To(Equal(standard.ID))
		app := ev["data"].(map[string]any)["object"].(map[string]any)
		Expect(app["object"]).To(Equal("application"))
		Expect(app["id"]).To(HavePrefix("ca_"))
		Expect(emu.EventTypes(express.ID)).To(BeEmpty(), "the emulator sends it for Standard accounts only, as Stripe CLI's trigger shows")
		Expect(emu.EventTypes("")).NotTo(ContainElement("account.application.deauthorized"), "the event is the account's")
	})

	It("onboards an Express account through an account link, announcing account.updated", func() {
		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{
			Type: stripe.String("express"), Country: stripe.String("US"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{
				CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(acct.ChargesEnabled).To(BeFalse())
		Expect(acct.Capabilities.CardPayments).To(Equal(stripe.AccountCapabilityStatusInactive))

		link, err := sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{
			Account: stripe.String(acct.ID), Type: stripe.String("account_onboarding"),
			RefreshURL: stripe.String("https://example.com/reauth"), ReturnURL: stripe.String("https://example.com/return"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(link.Object).To(Equal("account_link"))
		Expect(link.URL).To(HavePrefix(emu.URL() + "/connect.stripe.com/setup/e/" + acct.ID + "/"))
		Expect(link.ExpiresAt).To(Equal(link.Created + 300))

		By("the owner finishing onboarding on the link's page")
		page := Visit("GET", link.URL, nil)
		Expect(page.Status).To(Equal(200))
		Expect(page.Body).To(ContainSubstring("<code>tos_acceptance.date</code>"), "what Stripe still needs")
		opened, err := sc.V1Accounts.GetByID(Ctx, acct.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(opened.DetailsSubmitted).To(BeFalse(), "opening the page finishes nothing")
		page = Visit("POST", link.URL, url.Values{})
		Expect(page.Status).To(Equal(303))
		Expect(page.Location).To(Equal("https://example.com/return"))
		acct, err = sc.V1Accounts.GetByID(Ctx, acct.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(acct.ChargesEnabled).To(BeTrue())
		Expect(acct.PayoutsEnabled).To(BeTrue())
		Expect(acct.DetailsSubmitted).To(BeTrue())
		Expect(acct.Capabilities.Transfers).To(Equal(stripe.AccountCapabilityStatusActive))
		Expect(emu.EventTypes(acct.ID)).To(Equal([]string{"account.external_account.created", "capability.updated", "capability.updated", "account.updated"}),
			"the bank account the owner entered, each capability turning active, then the account")
		evs := emu.Events(acct.ID)
		Expect(evs[1]["data"].(map[string]any)["object"]).To(HaveKeyWithValue("id", "card_payments"))
		Expect(evs[1]["data"].(map[string]any)["previous_attributes"]).To(HaveKeyWithValue("status", "inactive"))
		Expect(evs[3]["data"].(map[string]any)["previous_attributes"]).To(HaveKeyWithValue("charges_enabled", false))

		By("a used link sending the owner to refresh_url: Stripe's are single-use")
		for _, method := range []string{"GET", "POST"} {
			used := Visit(method, link.URL, url.Values{})
			Expect(used.Status).To(Equal(303))
			Expect(used.Location).To(Equal("https://example.com/reauth"))
		}
		again, err := sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{
			Account: stripe.String(acct.ID), Type: stripe.String("account_onboarding"),
			RefreshURL: stripe.String("https://example.com/reauth"), ReturnURL: stripe.String("https://example.com/return"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(Visit("GET", again.URL, nil).Status).To(Equal(200))
		reopened := Visit("GET", again.URL, nil)
		Expect(reopened.Status).To(Equal(303), "opened a second time")
		Expect(reopened.Location).To(Equal("https://example.com/reauth"))
		Expect(Visit("POST", again.URL, url.Values{}).Location).To(Equal("https://example.com/return"), "the page once opened can still be sent")

		login, err := sc.V1LoginLinks.Create(Ctx, &stripe.LoginLinkCreateParams{Account: stripe.String(acct.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(login.URL).To(HavePrefix(emu.URL() + "/connect.stripe.com/express/" + acct.ID + "/"))
		dashboard := Visit("GET", login.URL, nil)
		Expect(dashboard.Status).To(Equal(200))
		Expect(dashboard.Body).To(ContainSubstring("Express Dashboard"))
		Expect(dashboard.Body).To(ContainSubstring("No payouts yet."))

		By("an expired link sending the owner to refresh_url")
		update, err := sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{
			Account: stripe.String(acct.ID), Type: stripe.String("account_onboarding"),
			RefreshURL: stripe.String("https://example.com/reauth"), ReturnURL: stripe.String("https://example.com/return"),
		})
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(301 * time.Second)
		for _, method := range []string{"GET", "POST"} {
			expired := Visit(method, update.URL, url.Values{})
			Expect(expired.Status).To(Equal(303))
			Expect(expired.Location).To(Equal("https://example.com/reauth"))
		}
		Expect(Visit("GET", emu.URL()+"/connect.stripe.com/setup/e/"+acct.ID+"/nope", nil).Status).To(Equal(404))
	})

	It("creates accounts from controller properties, rendering the whole controller", func() {
		a, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{
			Country: stripe.String("US"),
			Controller: &stripe.AccountCreateControllerParams{
				Fees:                  &stripe.AccountCreateControllerFeesParams{Payer: stripe.String("application")},
				Losses:                &stripe.AccountCreateControllerLossesParams{Payments: stripe.String("application")},
				RequirementCollection: stripe.String("application"),
				StripeDashboard:       &stripe.AccountCreateControllerStripeDashboardParams{Type: stripe.String("none")},
			},
			Capabilities: &stripe.AccountCreateCapabilitiesParams{
				CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers:    &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Type).To(Equal(stripe.AccountTypeCustom))
		Expect(a.Controller.Type).To(Equal(stripe.AccountControllerTypeApplication))
		Expect(a.Controller.IsController).To(BeTrue())
		Expect(a.Controller.Fees.Payer).To(Equal(stripe.AccountControllerFeesPayerApplication))
		Expect(a.Controller.Losses.Payments).To(Equal(stripe.AccountControllerLossesPaymentsApplication))
		Expect(a.Controller.RequirementCollection).To(Equal(stripe.AccountControllerRequirementCollectionApplication))
		Expect(a.Controller.StripeDashboard.Type).To(Equal(stripe.AccountControllerStripeDashboardTypeNone))
		Expect(a.Capabilities.CardPayments).To(Equal(stripe.AccountCapabilityStatusInactive))

		By("defaulting what is not sent as Stripe does")
		a, err = sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Controller: &stripe.AccountCreateControllerParams{
			StripeDashboard: &stripe.AccountCreateControllerStripeDashboardParams{Type: stripe.String("express")},
			Fees:            &stripe.AccountCreateControllerFeesParams{Payer: stripe.String("application")},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Type).To(Equal(stripe.AccountTypeExpress))
		Expect(a.Controller.Fees.Payer).To(Equal(stripe.AccountControllerFeesPayerApplication))
		Expect(a.Controller.Losses.Payments).To(Equal(stripe.AccountControllerLossesPaymentsStripe))
		Expect(a.Controller.RequirementCollection).To(Equal(stripe.AccountControllerRequirementCollectionStripe))
		a, err = sc.V1Accounts.GetByID(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Controller.StripeDashboard.Type).To(Equal(stripe.AccountControllerStripeDashboardTypeExpress))

		a, err = sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Controller: &stripe.AccountCreateControllerParams{
			Losses: &stripe.AccountCreateControllerLossesParams{Payments: stripe.String("stripe")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Type).To(Equal(stripe.AccountTypeStandard), "the dashboard defaults to full")
		Expect(a.Controller.Fees.Payer).To(Equal(stripe.AccountControllerFeesPayerAccount))
		Expect(a.Controller.StripeDashboard.Type).To(Equal(stripe.AccountControllerStripeDashboardTypeFull))

		_, err = sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Controller: &stripe.AccountCreateControllerParams{
			Fees: &stripe.AccountCreateControllerFeesParams{Payer: stripe.String("nobody")}}})
		Expect(StripeErr(err).Param).To(Equal("controller[fees][payer]"))
	})

	It("requires capabilities for an account without a Stripe Dashboard, Custom accounts included, as Stripe's reference says", func() {
		before := emu.Count("", "account")
		_, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US")})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "capabilities")
		_, err = sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Controller: &stripe.AccountCreateControllerParams{
			StripeDashboard:       &stripe.AccountCreateControllerStripeDashboardParams{Type: stripe.String("none")},
			Losses:                &stripe.AccountCreateControllerLossesParams{Payments: stripe.String("application")},
			RequirementCollection: stripe.String("application"),
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "capabilities")
		Expect(emu.Count("", "account")).To(Equal(before), "nothing is kept")

		By("taking the others without: Express and Standard accounts have a Dashboard")
		for _, typ := range []string{"express", "standard"} {
			_, err = sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String(typ), Country: stripe.String("US")})
			Expect(err).NotTo(HaveOccurred())
		}
	})

	It("refuses links Stripe refuses: unknown accounts, updates of Dashboard accounts, logins to non-Express accounts", func() {
		_, err := sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{Account: stripe.String("acct_nope"), Type: stripe.String("account_onboarding")})
		Expect(StripeErr(err).Code).To(Equal(stripe.ErrorCodeResourceMissing))
		Expect(StripeErr(err).Param).To(Equal("account"))
		_, err = sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{Account: stripe.String(acctA), Type: stripe.String("account_update")})
		Expect(StripeErr(err).Param).To(Equal("type"))
		_, err = sc.V1AccountLinks.Create(Ctx, &stripe.AccountLinkCreateParams{Account: stripe.String(acctA)})
		Expect(StripeErr(err).Param).To(Equal("type"))
		_, err = sc.V1LoginLinks.Create(Ctx, &stripe.LoginLinkCreateParams{Account: stripe.String(acctA)})
		Expect(StripeErr(err).HTTPStatusCode).To(Equal(400))
	})

	It("refuses an account link whose refresh_url or return_url is no URL, as Stripe's URL check does", func() {
		express, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express"), Country: stripe.String("US")})
		Expect(err).NotTo(HaveOccurred())
		for _, name := range []string{"refresh_url", "return_url"} {
			p := &stripe.AccountLinkCreateParams{Account: stripe.String(express.ID), Type: stripe.String("account_onboarding"),
				RefreshURL: stripe.String("https://example.com/refresh"), ReturnURL: stripe.String("https://example.com/return")}
			if name == "refresh_url" {
				p.RefreshURL = stripe.String("example.com/refresh")
			} else {
				p.ReturnURL = stripe.String("example.com/return")
			}
			_, err := sc.V1AccountLinks.Create(Ctx, p)
			ExpectStripeError(err, 400, "invalid_request_error", "url_invalid", name)
			Expect(StripeErr(err).Msg).To(Equal("Invalid URL: An explicit scheme (such as https) must be provided."))
		}
		By("starting no onboarding: the platform may still update the account's details")
		_, err = sc.V1Accounts.Update(Ctx, express.ID, &stripe.AccountUpdateParams{BusinessType: stripe.String("individual")})
		Expect(err).NotTo(HaveOccurred())
	})
})
