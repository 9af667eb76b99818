package checkout_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Checkout Session page parameters", Label("checkout"), func() {
	var (
		emu          *emulator.Emulator
		sc           *stripe.Client
		price, extra *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		price = oneTimePrice(sc, "Concert ticket", 4500)
		extra = oneTimePrice(sc, "Tote bag", 1500)
	})

	paymentParams := func() *stripe.CheckoutSessionCreateParams {
		return &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("https://shop.example/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(2)}},
		}
	}
	create := func(p *stripe.CheckoutSessionCreateParams) *stripe.CheckoutSession {
		GinkgoHelper()
		s, err := sc.V1CheckoutSessions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	refused := func(p *stripe.CheckoutSessionCreateParams, param string) *stripe.Error {
		GinkgoHelper()
		before := emu.Count("", "checkout.session")
		_, err := sc.V1CheckoutSessions.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", string(StripeErr(err).Code), param)
		Expect(emu.Count("", "checkout.session")).To(Equal(before), "a refused session creates nothing")
		return StripeErr(err)
	}
	complete := func(id string, form url.Values) (int, map[string]any) {
		GinkgoHelper()
		if form.Get("payment_method") == "" {
			form.Set("payment_method", "pm_card_visa")
		}
		status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+id+"/complete", form, "")
		Expect(err).NotTo(HaveOccurred())
		return status, body
	}
	retrieve := func(id string) *stripe.CheckoutSession {
		GinkgoHelper()
		s, err := sc.V1CheckoutSessions.Retrieve(Ctx, id, &stripe.CheckoutSessionRetrieveParams{
			Params: stripe.Params{Expand: []*string{stripe.String("payment_intent"), stripe.String("line_items")}}})
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	errorParam := func(body map[string]any) string {
		return body["error"].(map[string]any)["param"].(string)
	}

	Describe("custom_text", func() {
		It("shows each position's message as given", func() {
			p := paymentParams()
			p.CustomText = &stripe.CheckoutSessionCreateCustomTextParams{
				Submit:      &stripe.CheckoutSessionCreateCustomTextSubmitParams{Message: stripe.String("We ship within 24 hours.")},
				AfterSubmit: &stripe.CheckoutSessionCreateCustomTextAfterSubmitParams{Message: stripe.String("Thanks!")},
			}
			s := create(p)
			Expect(s.CustomText.Submit.Message).To(Equal("We ship within 24 hours."))
			Expect(s.CustomText.AfterSubmit.Message).To(Equal("Thanks!"))
			Expect(s.CustomText.ShippingAddress).To(BeNil())
			Expect(s.CustomText.TermsOfServiceAcceptance).To(BeNil())
		})
		It("shows every position, null where no message is given, as Stripe's object does", func() {
			status, body, err := emu.Call("POST", "/v1/checkout/sessions", url.Values{"mode": {"payment"}, "success_url": {"https://shop.example/ok"},
				"line_items[0][price]": {price.ID}, "line_items[0][quantity]": {"1"}, "custom_text[submit][message]": {"Thanks"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["custom_text"]).To(Equal(map[string]any{"after_submit": nil, "shipping_address": nil,
				"submit": map[string]any{"message": "Thanks"}, "terms_of_service_acceptance": nil}))
			status, body, err = emu.Call("POST", "/v1/checkout/sessions", url.Values{"mode": {"payment"}, "success_url": {"https://shop.example/ok"},
				"line_items[0][price]": {price.ID}, "line_items[0][quantity]": {"1"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["custom_text"]).To(Equal(map[string]any{"after_submit": nil, "shipping_address": nil, "submit": nil, "terms_of_service_acceptance": nil}))
		})
		It("refuses a message over 1200 characters, and terms text without terms to accept", func() {
			p := paymentParams()
			p.CustomText = &stripe.CheckoutSessionCreateCustomTextParams{Submit: &stripe.CheckoutSessionCreateCustomTextSubmitParams{Message: stripe.String(strings.Repeat("a", 1201))}}
			refused(p, "custom_text[submit][message]")
			p = paymentParams()
			p.CustomText = &stripe.CheckoutSessionCreateCustomTextParams{TermsOfServiceAcceptance: &stripe.CheckoutSessionCreateCustomTextTermsOfServiceAcceptanceParams{Message: stripe.String("I agree")}}
			refused(p, "custom_text[terms_of_service_acceptance]")
			p.ConsentCollection = &stripe.CheckoutSessionCreateConsentCollectionParams{TermsOfService: stripe.String("required")}
			Expect(create(p).CustomText.TermsOfServiceAcceptance.Message).To(Equal("I agree"))
		})
	})

	Describe("consent_collection and phone_number_collection", func() {
		It("shows the terms accepted and the promotions choice on the completed session", func() {
			p := paymentParams()
			p.ConsentCollection = &stripe.CheckoutSessionCreateConsentCollectionParams{TermsOfService: stripe.String("required"), Promotions: stripe.String("auto")}
			s := create(p)
			Expect(s.Consent).To(BeNil(), "nothing is consented to before the customer pays")
			Expect(s.ConsentCollection.TermsOfService).To(Equal(stripe.CheckoutSessionConsentCollectionTermsOfServiceRequired))

			status, body := complete(s.ID, url.Values{"consent[promotions]": {"maybe"}})
			Expect(status).To(Equal(400), "%v", body)
			Expect(errorParam(body)).To(Equal("consent[promotions]"))
			status, body = complete(s.ID, url.Values{"consent[promotions]": {"opt_in"}})
			Expect(status).To(Equal(200), "%v", body)
			got := retrieve(s.ID)
			Expect(got.Consent.TermsOfService).To(Equal(stripe.CheckoutSessionConsentTermsOfServiceAccepted), "the page takes no payment until the box is ticked")
			Expect(got.Consent.Promotions).To(Equal(stripe.CheckoutSessionConsentPromotionsOptIn))

			By("a session that asks for neither shows no consent, and takes no promotions choice")
			s = create(paymentParams())
			status, body = complete(s.ID, url.Values{"consent[promotions]": {"opt_in"}})
			Expect(status).To(Equal(400), "%v", body)
			Expect(errorParam(body)).To(Equal("consent[promotions]"))
			status, body = complete(s.ID, url.Values{})
			Expect(status).To(Equal(200), "%v", body)
			Expect(retrieve(s.ID).Consent).To(BeNil())
		})

		It("takes the phone number the customer types, onto the session and the customer it makes", func() {
			p := paymentParams()
			p.PhoneNumberCollection = &stripe.CheckoutSessionCreatePhoneNumberCollectionParams{Enabled: stripe.Bool(true)}
			p.CustomerCreation = stripe.String("always")
			s := create(p)
			Expect(s.PhoneNumberCollection.Enabled).To(BeTrue())

			status, body := complete(s.ID, url.Values{"phone": {"+14155550123"}})
			Expect(status).To(Equal(200), "%v", body)
			got := retrieve(s.ID)
			Expect(got.CustomerDetails.Phone).To(Equal("+14155550123"))
			cus, err := sc.V1Customers.Retrieve(Ctx, got.Customer.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(cus.Phone).To(Equal("+14155550123"))

			By("the required field left to the helper gets a sample number")
			s = create(p)
			status, body = complete(s.ID, url.Values{})
			Expect(status).To(Equal(200), "%v", body)
			Expect(retrieve(s.ID).CustomerDetails.Phone).To(Equal("+15555550100"))

			By("a session that does not ask for a phone number takes none")
			s = create(paymentParams())
			status, body = complete(s.ID, url.Values{"phone": {"+14155550123"}})
			Expect(status).To(Equal(400), "%v", body)
			Expect(errorParam(body)).To(Equal("phone"))
		})

		It("refuses phone number collection in setup mode, creating nothing", func() {
			refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("usd"), SuccessURL: stripe.String("https://shop.example/ok"),
				PhoneNumberCollection: &stripe.CheckoutSessionCreatePhoneNumberCollectionParams{Enabled: stripe.Bool(true)}}, "phone_number_collection")
		})
	})

	Describe("custom_fields", func() {
		fields := func() []*stripe.CheckoutSessionCreateCustomFieldParams {
			return []*stripe.CheckoutSessionCreateCustomFieldParams{
				{Key: stripe.String("size"), Type: stripe.String("dropdown"),
					Label: &stripe.CheckoutSessionCreateCustomFieldLabelParams{Type: stripe.String("custom"), Custom: stripe.String("T-shirt size")},
					Dropdown: &stripe.CheckoutSessionCreateCustomFieldDropdownParams{Options: []*stripe.CheckoutSessionCreateCustomFieldDropdownOptionParams{
						{Label: stripe.String("Small"), Value: stripe.String("s")}, {Label: stripe.String("Large"), Value: stripe.String("l")}}}},
				{Key: stripe.String("vat"), Type: stripe.String("numeric"), Optional: stripe.Bool(true),
					Label: &stripe.CheckoutSessionCreateCustomFieldLabelParams{Type: stripe.String("custom"), Custom: stripe.String("VAT number")}},
				{Key: stripe.String("nickname"), Type: stripe.String("text"),
					Label: &stripe.CheckoutSessionCreateCustomFieldLabelParams{Type: stripe.String("custom"), Custom: stripe.String("Name on the badge")},
					Text:  &stripe.CheckoutSessionCreateCustomFieldTextParams{MinimumLength: stripe.Int64(3), MaximumLength: stripe.Int64(10)}},
			}
		}
		It("shows the fields, takes the customer's values on completion and shows them filled in", func() {
			p := paymentParams()
			p.CustomFields = fields()
			s := create(p)
			Expect(s.CustomFields).To(HaveLen(3))
			Expect(s.CustomFields[0].Dropdown.Options).To(HaveLen(2))
			Expect(s.CustomFields[0].Optional).To(BeFalse())
			Expect(s.CustomFields[1].Optional).To(BeTrue())
			Expect(s.CustomFields[2].Text.MinimumLength).To(Equal(int64(3)))
			Expect(s.CustomFields[2].Text.Value).To(BeEmpty())

			By("a required field left empty: the page does not submit")
			status, body := complete(s.ID, url.Values{"custom_fields[0][key]": {"size"}, "custom_fields[0][value]": {"l"}})
			Expect(status).To(Equal(400))
			Expect(body["error"].(map[string]any)["message"]).To(ContainSubstring("nickname"))
			By("a dropdown value that is not an option, a text too short, digits that are not")
			for _, bad := range []url.Values{
				{"custom_fields[0][key]": {"size"}, "custom_fields[0][value]": {"xl"}, "custom_fields[1][key]": {"nickname"}, "custom_fields[1][value]": {"Ada"}},
				{"custom_fields[0][key]": {"size"}, "custom_fields[0][value]": {"l"}, "custom_fields[1][key]": {"nickname"}, "custom_fields[1][value]": {"Al"}},
				{"custom_fields[0][key]": {"vat"}, "custom_fields[0][value]": {"12a"}},
				{"custom_fields[0][key]": {"color"}, "custom_fields[0][value]": {"red"}},
			} {
				status, body := complete(s.ID, bad)
				Expect(status).To(Equal(400), "%v", bad)
				Expect(errorParam(body)).To(MatchRegexp(`custom_fields\[\d\]\[(value|key)\]`))
			}
			Expect(retrieve(s.ID).Status).To(Equal(stripe.CheckoutSessionStatusOpen), "refused completions change nothing")

			status, body = complete(s.ID, url.Values{"custom_fields[0][key]": {"nickname"}, "custom_fields[0][value]": {"Ada"},
				"custom_fields[1][key]": {"size"}, "custom_fields[1][value]": {"l"}})
			Expect(status).To(Equal(200), "%v", body)
			got := retrieve(s.ID)
			Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusComplete))
			Expect(got.CustomFields[0].Dropdown.Value).To(Equal("l"))
			Expect(got.CustomFields[1].Numeric.Value).To(BeEmpty(), "an optional field left empty")
			Expect(got.CustomFields[2].Text.Value).To(Equal("Ada"))

			By("what a declined attempt filled in is not kept for the next")
			f := fields()
			f[2].Optional = stripe.Bool(true)
			p.CustomFields = f
			s2 := create(p)
			status, body = complete(s2.ID, url.Values{"custom_fields[0][key]": {"nickname"}, "custom_fields[0][value]": {"Bob"},
				"custom_fields[1][key]": {"size"}, "custom_fields[1][value]": {"s"}, "payment_method": {"pm_card_chargeDeclined"}})
			Expect(status).To(Equal(402), "%v", body)
			status, body = complete(s2.ID, url.Values{"custom_fields[0][key]": {"size"}, "custom_fields[0][value]": {"l"}})
			Expect(status).To(Equal(200), "%v", body)
			Expect(retrieve(s2.ID).CustomFields[2].Text.Value).To(BeEmpty())

			var completed map[string]any
			for _, ev := range emu.Events("") {
				if ev["type"] == "checkout.session.completed" && ev["data"].(map[string]any)["object"].(map[string]any)["id"] == s.ID {
					completed = ev
				}
			}
			Expect(completed).NotTo(BeNil())
			obj := completed["data"].(map[string]any)["object"].(map[string]any)
			Expect(obj["custom_fields"].([]any)[2].(map[string]any)["text"].(map[string]any)["value"]).To(Equal("Ada"))
		})
		It("asks the fields, offers the optional items and the box to save on the hosted page", func() {
			cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
			Expect(err).NotTo(HaveOccurred())
			p := paymentParams()
			p.Customer = stripe.String(cus.ID)
			p.CustomFields = fields()
			p.OptionalItems = []*stripe.CheckoutSessionCreateOptionalItemParams{{Price: stripe.String(extra.ID), Quantity: stripe.Int64(1)}}
			p.SavedPaymentMethodOptions = &stripe.CheckoutSessionCreateSavedPaymentMethodOptionsParams{PaymentMethodSave: stripe.String("enabled")}
			s := create(p)
			res, err := http.Get(s.URL)
			Expect(err).NotTo(HaveOccurred())
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			Expect(string(page)).To(ContainSubstring(`name="field_size"`))
			Expect(string(page)).To(ContainSubstring(`value="` + extra.ID + `"`))
			Expect(string(page)).To(ContainSubstring(`name="save_payment_method"`))

			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err = noRedirect.PostForm(s.URL, url.Values{"payment_method": {"pm_card_visa"}, "field_size": {"s"}, "field_nickname": {"Ada"},
				"optional_item": {extra.ID}, "save_payment_method": {"true"}})
			Expect(err).NotTo(HaveOccurred())
			res.Body.Close()
			Expect(res.StatusCode).To(Equal(http.StatusSeeOther))
			got := retrieve(s.ID)
			Expect(got.Status).To(Equal(stripe.CheckoutSessionStatusComplete))
			Expect(got.CustomFields[0].Dropdown.Value).To(Equal("s"))
			Expect(got.AmountTotal).To(Equal(int64(10500)))
			pm, err := sc.V1PaymentMethods.Retrieve(Ctx, got.PaymentIntent.PaymentMethod.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.Customer.ID).To(Equal(cus.ID))
		})
		It("fills a field the customer leaves alone with its default value", func() {
			p := paymentParams()
			f := fields()
			f[0].Dropdown.DefaultValue = stripe.String("s")
			f[2].Optional = stripe.Bool(true)
			p.CustomFields = f
			s := create(p)
			status, body := complete(s.ID, url.Values{})
			Expect(status).To(Equal(200), "%v", body)
			got := retrieve(s.ID)
			Expect(got.CustomFields[0].Dropdown.Value).To(Equal("s"))
			Expect(got.CustomFields[2].Text.Value).To(BeEmpty())
		})
		It("refuses what Stripe refuses, creating nothing", func() {
			p := paymentParams()
			p.CustomFields = append(fields(), fields()[1])
			refused(p, "custom_fields")
			p.CustomFields = fields()
			p.CustomFields[0].Dropdown = nil
			refused(p, "custom_fields[0][dropdown]")
			p.CustomFields = fields()
			p.CustomFields[0].Dropdown.Options[1].Value = stripe.String("s")
			refused(p, "custom_fields[0][dropdown][options][1][value]")
			p.CustomFields = fields()
			p.CustomFields[0].Dropdown.DefaultValue = stripe.String("xl")
			refused(p, "custom_fields[0][dropdown][default_value]")
			p.CustomFields = fields()
			p.CustomFields[1].Key = stripe.String("size")
			refused(p, "custom_fields[1][key]")
			p.CustomFields = fields()
			p.CustomFields[2].Label.Custom = stripe.String(strings.Repeat("x", 51))
			refused(p, "custom_fields[2][label][custom]")
			p.CustomFields = fields()
			p.CustomFields[2].Text.MaximumLength = stripe.Int64(256)
			refused(p, "custom_fields[2][text][maximum_length]")
			p.CustomFields = fields()
			p.CustomFields[1].Type = stripe.String("date")
			refused(p, "custom_fields[1][type]")
			setup := &stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur"),
				SuccessURL: stripe.String("https://shop.example/ok"), CustomFields: fields()}
			refused(setup, "custom_fields")
		})
		It("carries a payment link's custom fields and text to the sessions it opens", func() {
			link, err := sc.V1PaymentLinks.Create(Ctx, &stripe.PaymentLinkCreateParams{
				LineItems: []*stripe.PaymentLinkCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(1)}},
				CustomFields: []*stripe.PaymentLinkCreateCustomFieldParams{{Key: stripe.String("engraving"), Type: stripe.String("text"),
					Label: &stripe.PaymentLinkCreateCustomFieldLabelParams{Type: stripe.String("custom"), Custom: stripe.String("Engraving")},
					Text:  &stripe.PaymentLinkCreateCustomFieldTextParams{MaximumLength: stripe.Int64(12)}}},
				CustomText: &stripe.PaymentLinkCreateCustomTextParams{Submit: &stripe.PaymentLinkCreateCustomTextSubmitParams{Message: stripe.String("Engraved in 2 days")}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(link.CustomFields).To(HaveLen(1))
			Expect(link.CustomText.Submit.Message).To(Equal("Engraved in 2 days"))
			status, body, err := emu.Call("POST", "/v1/test_helpers/payment_links/"+link.ID+"/sessions", url.Values{}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			s := retrieve(body["id"].(string))
			Expect(s.CustomFields[0].Key).To(Equal("engraving"))
			Expect(s.CustomFields[0].Text.MaximumLength).To(Equal(int64(12)))
			status, body = complete(s.ID, url.Values{"custom_fields[0][key]": {"engraving"}, "custom_fields[0][value]": {"For Ada Lovelace"}})
			Expect(status).To(Equal(400), "%v", body)
			Expect(s.CustomText.Submit.Message).To(Equal("Engraved in 2 days"))
			status, body = complete(s.ID, url.Values{"custom_fields[0][key]": {"engraving"}, "custom_fields[0][value]": {"For Ada"}})
			Expect(status).To(Equal(200), "%v", body)
			Expect(retrieve(s.ID).CustomFields[0].Text.Value).To(Equal("For Ada"))

			updated, err := sc.V1PaymentLinks.Update(Ctx, link.ID, &stripe.PaymentLinkUpdateParams{CustomFields: []*stripe.PaymentLinkUpdateCustomFieldParams{}})
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.CustomFields).To(BeEmpty())
		})
	})

	Describe("optional_items", func() {
		It("offers them, and what the customer adds is in the line items, the amounts and the payment", func() {
			p := paymentParams()
			p.OptionalItems = []*stripe.CheckoutSessionCreateOptionalItemParams{{Price: stripe.String(extra.ID), Quantity: stripe.Int64(1),
				AdjustableQuantity: &stripe.CheckoutSessionCreateOptionalItemAdjustableQuantityParams{Enabled: stripe.Bool(true), Maximum: stripe.Int64(5)}}}
			s := create(p)
			Expect(s.OptionalItems).To(HaveLen(1))
			Expect(s.OptionalItems[0].Price).To(Equal(extra.ID))
			Expect(s.OptionalItems[0].AdjustableQuantity.Maximum).To(Equal(int64(5)))
			Expect(s.AmountTotal).To(Equal(int64(9000)), "optional items count only once added")

			status, body := complete(s.ID, url.Values{"optional_items[0][price]": {extra.ID}, "optional_items[0][quantity]": {"9"}})
			Expect(status).To(Equal(400))
			Expect(errorParam(body)).To(Equal("optional_items[0][quantity]"))
			status, body = complete(s.ID, url.Values{"optional_items[0][price]": {price.ID}})
			Expect(status).To(Equal(400))
			Expect(errorParam(body)).To(Equal("optional_items[0][price]"))

			By("a declined card: the session stays open, and the next attempt starts from it as created")
			status, body = complete(s.ID, url.Values{"optional_items[0][price]": {extra.ID}, "optional_items[0][quantity]": {"3"}, "payment_method": {"pm_card_chargeDeclined"}})
			Expect(status).To(Equal(402), "%v", body)
			status, body = complete(s.ID, url.Values{"optional_items[0][price]": {extra.ID}, "optional_items[0][quantity]": {"2"}})
			Expect(status).To(Equal(200), "%v", body)
			got := retrieve(s.ID)
			Expect(got.AmountSubtotal).To(Equal(int64(12000)))
			Expect(got.AmountTotal).To(Equal(int64(12000)))
			Expect(got.PaymentIntent.Amount).To(Equal(int64(12000)))
			Expect(got.LineItems.Data).To(HaveLen(2))
			Expect(got.LineItems.Data[1].Price.ID).To(Equal(extra.ID))
			Expect(got.LineItems.Data[1].Quantity).To(Equal(int64(2)))
			Expect(got.LineItems.Data[1].AmountTotal).To(Equal(int64(3000)))
		})
		It("refuses what cannot be offered, creating nothing", func() {
			monthly := monthlyPrice(sc, 1000)
			p := paymentParams()
			p.OptionalItems = []*stripe.CheckoutSessionCreateOptionalItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}}
			refused(p, "optional_items[0][price]")
			p.OptionalItems = nil
			for range 11 {
				p.OptionalItems = append(p.OptionalItems, &stripe.CheckoutSessionCreateOptionalItemParams{Price: stripe.String(extra.ID), Quantity: stripe.Int64(1)})
			}
			refused(p, "optional_items")
			p.OptionalItems = []*stripe.CheckoutSessionCreateOptionalItemParams{{Price: stripe.String(extra.ID)}}
			refused(p, "optional_items[0][quantity]")
			p.OptionalItems = []*stripe.CheckoutSessionCreateOptionalItemParams{{Price: stripe.String("price_missing"), Quantity: stripe.Int64(1)}}
			refused(p, "optional_items[0][price]")
		})
		It("refuses recovery with promotion codes beside them at creation, rather than when the customer follows the recovery URL", func() {
			// The recovered session allows promotion codes, which the
			// emulator does not take beside optional items.
			p := paymentParams()
			p.OptionalItems = []*stripe.CheckoutSessionCreateOptionalItemParams{{Price: stripe.String(extra.ID), Quantity: stripe.Int64(1)}}
			p.AfterExpiration = &stripe.CheckoutSessionCreateAfterExpirationParams{Recovery: &stripe.CheckoutSessionCreateAfterExpirationRecoveryParams{
				Enabled: stripe.Bool(true), AllowPromotionCodes: stripe.Bool(true)}}
			Expect(refused(p, "after_expiration[recovery][allow_promotion_codes]").Msg).To(ContainSubstring("promotion codes"))

			p.AfterExpiration.Recovery.AllowPromotionCodes = stripe.Bool(false)
			s := create(p)
			_, err := sc.V1CheckoutSessions.Expire(Ctx, s.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/recover", url.Values{}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["optional_items"]).To(HaveLen(1))
		})
		It("adds a recurring optional item to the subscription a session starts", func() {
			monthly, addon := monthlyPrice(sc, 1000), monthlyPrice(sc, 300)
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:     []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}},
				OptionalItems: []*stripe.CheckoutSessionCreateOptionalItemParams{{Price: stripe.String(addon.ID), Quantity: stripe.Int64(1)}}})
			status, body := complete(s.ID, url.Values{"optional_items[0][price]": {addon.ID}})
			Expect(status).To(Equal(200), "%v", body)
			got := retrieve(s.ID)
			Expect(got.AmountTotal).To(Equal(int64(1300)))
			sub, err := sc.V1Subscriptions.Retrieve(Ctx, got.Subscription.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.Items.Data).To(HaveLen(2))
			Expect(sub.Items.Data[1].Price.ID).To(Equal(addon.ID))
		})
	})

	Describe("saved_payment_method_options", func() {
		var cus *stripe.Customer
		BeforeEach(func() {
			var err error
			cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("ada@example.com")})
			Expect(err).NotTo(HaveOccurred())
		})
		savingSession := func() *stripe.CheckoutSession {
			p := paymentParams()
			p.Customer = stripe.String(cus.ID)
			p.SavedPaymentMethodOptions = &stripe.CheckoutSessionCreateSavedPaymentMethodOptionsParams{
				PaymentMethodSave: stripe.String("enabled"), PaymentMethodRemove: stripe.String("enabled"),
				AllowRedisplayFilters: []*string{stripe.String("always"), stripe.String("limited")}}
			s := create(p)
			Expect(string(s.SavedPaymentMethodOptions.PaymentMethodSave)).To(Equal("enabled"))
			Expect(string(s.SavedPaymentMethodOptions.PaymentMethodRemove)).To(Equal("enabled"))
			Expect(s.SavedPaymentMethodOptions.AllowRedisplayFilters).To(HaveLen(2))
			return s
		}
		customerMethods := func() []*stripe.PaymentMethod {
			var out []*stripe.PaymentMethod
			for pm, err := range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Customer: stripe.String(cus.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, pm)
			}
			return out
		}
		It("shows Stripe's defaults when not sent: saved methods with allow_redisplay=always shown, removing them disabled", func() {
			want := map[string]any{"allow_redisplay_filters": []any{"always"}, "payment_method_remove": "disabled", "payment_method_save": nil}
			for _, form := range []url.Values{
				{"mode": {"payment"}, "line_items[0][price]": {price.ID}, "line_items[0][quantity]": {"1"}},
				{"mode": {"payment"}, "line_items[0][price]": {price.ID}, "line_items[0][quantity]": {"1"}, "customer": {cus.ID}},
				{"mode": {"subscription"}, "line_items[0][price]": {monthlyPrice(sc, 900).ID}, "line_items[0][quantity]": {"1"}},
			} {
				form.Set("success_url", "https://shop.example/ok")
				status, body, err := emu.Call("POST", "/v1/checkout/sessions", form, "")
				Expect(err).NotTo(HaveOccurred())
				Expect(status).To(Equal(200), "%v", body)
				Expect(body["saved_payment_method_options"]).To(Equal(want), "%v", form)
			}
			By("what is sent replaces the defaults it names")
			p := paymentParams()
			p.SavedPaymentMethodOptions = &stripe.CheckoutSessionCreateSavedPaymentMethodOptionsParams{PaymentMethodSave: stripe.String("enabled")}
			s := create(p)
			Expect(s.SavedPaymentMethodOptions.PaymentMethodRemove).To(Equal(stripe.CheckoutSessionSavedPaymentMethodOptionsPaymentMethodRemoveDisabled))
			Expect(s.SavedPaymentMethodOptions.AllowRedisplayFilters).To(ConsistOf(stripe.CheckoutSessionSavedPaymentMethodOptionsAllowRedisplayFilterAlways))
		})
		It("saves the payment method to the customer, redisplayable, when the customer ticks the box", func() {
			s := savingSession()
			status, body := complete(s.ID, url.Values{"save_payment_method": {"true"}})
			Expect(status).To(Equal(200), "%v", body)
			saved := customerMethods()
			Expect(saved).To(HaveLen(1))
			Expect(saved[0].AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayAlways))
			Expect(retrieve(s.ID).PaymentIntent.PaymentMethod.ID).To(Equal(saved[0].ID))
		})
		It("saves a subscription's method, and one setup_future_usage saves, with allow_redisplay=limited, not offered again on the page, as Stripe's support article says", func() {
			for _, p := range []*stripe.CheckoutSessionCreateParams{
				{Mode: stripe.String("subscription"), LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthlyPrice(sc, 900).ID), Quantity: stripe.Int64(1)}}},
				func() *stripe.CheckoutSessionCreateParams {
					p := paymentParams()
					p.PaymentIntentData = &stripe.CheckoutSessionCreatePaymentIntentDataParams{SetupFutureUsage: stripe.String("off_session")}
					return p
				}(),
				func() *stripe.CheckoutSessionCreateParams {
					p := paymentParams()
					p.PaymentMethodOptions = &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{Card: &stripe.CheckoutSessionCreatePaymentMethodOptionsCardParams{SetupFutureUsage: stripe.String("off_session")}}
					return p
				}(),
			} {
				p.SuccessURL, p.Customer = stripe.String("https://shop.example/ok"), stripe.String(cus.ID)
				s := create(p)
				status, body := complete(s.ID, url.Values{})
				Expect(status).To(Equal(200), "%v", body)
				saved := customerMethods()
				Expect(saved).To(HaveLen(1), "%s mode", *p.Mode)
				Expect(saved[0].AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayLimited), "%s mode", *p.Mode)
				_, err := sc.V1PaymentMethods.Detach(Ctx, saved[0].ID, nil)
				Expect(err).NotTo(HaveOccurred())
			}
			By("the box ticked in subscription mode makes it always")
			p := &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"), Customer: stripe.String(cus.ID),
				LineItems:                 []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthlyPrice(sc, 900).ID), Quantity: stripe.Int64(1)}},
				SavedPaymentMethodOptions: &stripe.CheckoutSessionCreateSavedPaymentMethodOptionsParams{PaymentMethodSave: stripe.String("enabled")}}
			status, body := complete(create(p).ID, url.Values{"save_payment_method": {"true"}})
			Expect(status).To(Equal(200), "%v", body)
			saved := customerMethods()
			Expect(saved).To(HaveLen(1))
			Expect(saved[0].AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayAlways))
		})
		It("saves nothing when the customer leaves the box unticked", func() {
			s := savingSession()
			status, body := complete(s.ID, url.Values{})
			Expect(status).To(Equal(200), "%v", body)
			Expect(customerMethods()).To(BeEmpty())
		})
		It("refuses consent a session does not ask for, and saving beside setup_future_usage", func() {
			p := paymentParams()
			p.Customer = stripe.String(cus.ID)
			s := create(p)
			status, body := complete(s.ID, url.Values{"save_payment_method": {"true"}})
			Expect(status).To(Equal(400))
			Expect(errorParam(body)).To(Equal("save_payment_method"))
			Expect(customerMethods()).To(BeEmpty())

			p.SavedPaymentMethodOptions = &stripe.CheckoutSessionCreateSavedPaymentMethodOptionsParams{PaymentMethodSave: stripe.String("enabled")}
			p.PaymentIntentData = &stripe.CheckoutSessionCreatePaymentIntentDataParams{SetupFutureUsage: stripe.String("off_session")}
			refused(p, "payment_intent_data[setup_future_usage]")
			p.PaymentIntentData = nil
			p.SavedPaymentMethodOptions.PaymentMethodSave = stripe.String("sometimes")
			refused(p, "saved_payment_method_options[payment_method_save]")
			p.SavedPaymentMethodOptions = &stripe.CheckoutSessionCreateSavedPaymentMethodOptionsParams{AllowRedisplayFilters: []*string{stripe.String("never")}}
			refused(p, "saved_payment_method_options[allow_redisplay_filters][0]")

			// Only in payment and subscription mode, Stripe's reference says.
			for _, o := range []*stripe.CheckoutSessionCreateSavedPaymentMethodOptionsParams{
				{AllowRedisplayFilters: []*string{stripe.String("limited")}}, {PaymentMethodRemove: stripe.String("enabled")}, {PaymentMethodSave: stripe.String("enabled")},
			} {
				setup := &stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur"), SuccessURL: stripe.String("https://shop.example/ok"),
					Customer: stripe.String(cus.ID), SavedPaymentMethodOptions: o}
				Expect(refused(setup, "saved_payment_method_options").Msg).To(ContainSubstring("`setup` mode"))
			}
		})
	})

	Describe("payment_method_options", func() {
		It("shows the card's default 3D Secure option where the session offers cards and none are sent", func() {
			s := create(paymentParams())
			Expect(s.PaymentMethodTypes).To(ContainElement("card"))
			Expect(s.PaymentMethodOptions.Card).NotTo(BeNil())
			Expect(s.PaymentMethodOptions.Card.RequestThreeDSecure).To(Equal(stripe.CheckoutSessionPaymentMethodOptionsCardRequestThreeDSecureAutomatic))
			sub, err := sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthlyPrice(sc, 900).ID), Quantity: stripe.Int64(1)}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.PaymentMethodOptions.Card.RequestThreeDSecure).To(Equal(stripe.CheckoutSessionPaymentMethodOptionsCardRequestThreeDSecureAutomatic))
			By("a session without cards shows no card options")
			status, body, err := emu.Call("POST", "/v1/checkout/sessions", url.Values{"mode": {"payment"}, "success_url": {"https://shop.example/ok"},
				"line_items[0][price]": {price.ID}, "line_items[0][quantity]": {"1"}, "payment_method_types[0]": {"sepa_debit"}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200), "%v", body)
			Expect(body["payment_method_options"]).To(Equal(map[string]any{}))
		})
		It("hands card options to the PaymentIntent, which saves the card for later", func() {
			cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
			Expect(err).NotTo(HaveOccurred())
			p := paymentParams()
			p.Customer = stripe.String(cus.ID)
			p.PaymentMethodOptions = &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{Card: &stripe.CheckoutSessionCreatePaymentMethodOptionsCardParams{
				SetupFutureUsage: stripe.String("off_session"), RequestThreeDSecure: stripe.String("any")}}
			s := create(p)
			Expect(string(s.PaymentMethodOptions.Card.SetupFutureUsage)).To(Equal("off_session"))
			Expect(string(s.PaymentMethodOptions.Card.RequestThreeDSecure)).To(Equal("any"))
			status, body := complete(s.ID, url.Values{})
			Expect(status).To(Equal(200), "%v", body)
			pi := retrieve(s.ID).PaymentIntent
			Expect(string(pi.PaymentMethodOptions.Card.SetupFutureUsage)).To(Equal("off_session"))
			Expect(string(pi.PaymentMethodOptions.Card.RequestThreeDSecure)).To(Equal("any"))
			Expect(pi.SetupFutureUsage).To(BeEmpty(), "the card's own option, not the intent's")
			pm, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.Customer.ID).To(Equal(cus.ID))
		})
		It("hands request_three_d_secure to a setup-mode session's SetupIntent", func() {
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("setup"), Currency: stripe.String("eur"), SuccessURL: stripe.String("https://shop.example/ok"),
				PaymentMethodOptions: &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{Card: &stripe.CheckoutSessionCreatePaymentMethodOptionsCardParams{RequestThreeDSecure: stripe.String("challenge")}}})
			status, body := complete(s.ID, url.Values{})
			Expect(status).To(Equal(200), "%v", body)
			si, err := sc.V1SetupIntents.Retrieve(Ctx, body["setup_intent"].(string), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(si.PaymentMethodOptions.Card.RequestThreeDSecure)).To(Equal("challenge"))
		})
		It("refuses the options whose effect the emulator cannot show, naming them, and bad values", func() {
			p := paymentParams()
			p.PaymentMethodOptions = &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{Card: &stripe.CheckoutSessionCreatePaymentMethodOptionsCardParams{
				Installments: &stripe.CheckoutSessionCreatePaymentMethodOptionsCardInstallmentsParams{Enabled: stripe.Bool(true)}}}
			Expect(refused(p, "payment_method_options[card][installments]").Msg).To(ContainSubstring("does not emulate"))
			p.PaymentMethodOptions = &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{Card: &stripe.CheckoutSessionCreatePaymentMethodOptionsCardParams{RequestThreeDSecure: stripe.String("always")}}
			refused(p, "payment_method_options[card][request_three_d_secure]")
			p.PaymentMethodOptions = &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{Pix: &stripe.CheckoutSessionCreatePaymentMethodOptionsPixParams{AmountIncludesIof: stripe.String("always")}}
			refused(p, "payment_method_options[pix][amount_includes_iof]")
			monthly := monthlyPrice(sc, 1000)
			refused(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:            []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}},
				PaymentMethodOptions: &stripe.CheckoutSessionCreatePaymentMethodOptionsParams{Card: &stripe.CheckoutSessionCreatePaymentMethodOptionsCardParams{RequestThreeDSecure: stripe.String("any")}}},
				"payment_method_options")
		})
	})

	Describe("after_expiration[recovery]", func() {
		It("gives an expired session a recovery URL for 30 days, which opens a copy of it", func() {
			p := paymentParams()
			p.AfterExpiration = &stripe.CheckoutSessionCreateAfterExpirationParams{Recovery: &stripe.CheckoutSessionCreateAfterExpirationRecoveryParams{
				Enabled: stripe.Bool(true), AllowPromotionCodes: stripe.Bool(true)}}
			p.ClientReferenceID = stripe.String("cart-7")
			s := create(p)
			Expect(s.AfterExpiration.Recovery.Enabled).To(BeTrue())
			Expect(s.AfterExpiration.Recovery.URL).To(BeEmpty(), "no URL while the session is open")
			Expect(s.AfterExpiration.Recovery.ExpiresAt).To(BeZero())

			emu.Clock().Advance(24 * time.Hour)
			expired := retrieve(s.ID)
			Expect(expired.Status).To(Equal(stripe.CheckoutSessionStatusExpired))
			Expect(expired.AfterExpiration.Recovery.URL).To(HavePrefix(emu.URL()))
			Expect(expired.AfterExpiration.Recovery.ExpiresAt).To(Equal(s.ExpiresAt + 30*24*3600))

			By("the customer following the recovery URL")
			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := noRedirect.Get(expired.AfterExpiration.Recovery.URL)
			Expect(err).NotTo(HaveOccurred())
			res.Body.Close()
			Expect(res.StatusCode).To(Equal(http.StatusSeeOther))
			var copy *stripe.CheckoutSession
			for cs, err := range sc.V1CheckoutSessions.List(Ctx, &stripe.CheckoutSessionListParams{Status: stripe.String("open")}) {
				Expect(err).NotTo(HaveOccurred())
				copy = cs
			}
			Expect(copy).NotTo(BeNil())
			Expect(res.Header.Get("Location")).To(Equal(copy.URL))
			Expect(copy.RecoveredFrom).To(Equal(s.ID))
			Expect(copy.AllowPromotionCodes).To(BeTrue())
			Expect(copy.ClientReferenceID).To(Equal("cart-7"))
			Expect(copy.AmountTotal).To(Equal(s.AmountTotal))
			Expect(copy.ExpiresAt).To(Equal(emu.Clock().Unix() + 24*3600))

			By("30 days later the URL no longer works")
			emu.Clock().Advance(30 * 24 * time.Hour)
			status, body, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/recover", url.Values{}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(400), "%v", body)
		})
		It("gives a connected account's session page and recovery URLs that open that account's session", func() {
			acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("express")})
			Expect(err).NotTo(HaveOccurred())
			pp := &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(900),
				ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Poster")}}
			pp.SetStripeAccount(acct.ID)
			theirs, err := sc.V1Prices.Create(Ctx, pp)
			Expect(err).NotTo(HaveOccurred())
			p := paymentParams()
			p.LineItems[0].Price = stripe.String(theirs.ID)
			p.AfterExpiration = &stripe.CheckoutSessionCreateAfterExpirationParams{Recovery: &stripe.CheckoutSessionCreateAfterExpirationRecoveryParams{Enabled: stripe.Bool(true)}}
			p.SetStripeAccount(acct.ID)
			s, err := sc.V1CheckoutSessions.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())

			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := noRedirect.Get(s.URL)
			Expect(err).NotTo(HaveOccurred())
			res.Body.Close()
			Expect(res.StatusCode).To(Equal(http.StatusOK), "the hosted page finds the connected account's session")

			_, err = sc.V1CheckoutSessions.Expire(Ctx, s.ID, &stripe.CheckoutSessionExpireParams{Params: stripe.Params{StripeAccount: stripe.String(acct.ID)}})
			Expect(err).NotTo(HaveOccurred())
			expired, err := sc.V1CheckoutSessions.Retrieve(Ctx, s.ID, &stripe.CheckoutSessionRetrieveParams{Params: stripe.Params{StripeAccount: stripe.String(acct.ID)}})
			Expect(err).NotTo(HaveOccurred())
			res, err = noRedirect.Get(expired.AfterExpiration.Recovery.URL)
			Expect(err).NotTo(HaveOccurred())
			res.Body.Close()
			Expect(res.StatusCode).To(Equal(http.StatusSeeOther))
			Expect(emu.Count(acct.ID, "checkout.session")).To(Equal(2), "the copy is the connected account's")
			Expect(emu.Count("", "checkout.session")).To(BeZero(), "nothing in the platform")
			res, err = noRedirect.Get(res.Header.Get("Location"))
			Expect(err).NotTo(HaveOccurred())
			res.Body.Close()
			Expect(res.StatusCode).To(Equal(http.StatusOK), "the copy's page opens too")
		})
		It("does not recover a session without recovery, and refuses recovery without enabled", func() {
			s := create(paymentParams())
			_, err := sc.V1CheckoutSessions.Expire(Ctx, s.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(retrieve(s.ID).AfterExpiration).To(BeNil())
			status, _, err := emu.Call("POST", "/v1/test_helpers/checkout/sessions/"+s.ID+"/recover", url.Values{}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(400))
			p := paymentParams()
			p.AfterExpiration = &stripe.CheckoutSessionCreateAfterExpirationParams{Recovery: &stripe.CheckoutSessionCreateAfterExpirationRecoveryParams{AllowPromotionCodes: stripe.Bool(true)}}
			refused(p, "after_expiration[recovery][enabled]")
		})
	})

	Describe("adaptive_pricing, permissions, wallet_options, origin_context", func() {
		It("echoes them where Stripe shows them; Adaptive Pricing only turned off, permissions only on an embedded or custom session", func() {
			p := paymentParams()
			p.Permissions = &stripe.CheckoutSessionCreatePermissionsParams{UpdateShippingDetails: stripe.String("server_only")}
			Expect(refused(p, "permissions").Msg).To(ContainSubstring("`embedded` or `custom`"))

			p = paymentParams()
			p.SuccessURL, p.UIMode, p.ReturnURL = nil, stripe.String("custom"), stripe.String("https://shop.example/back")
			p.AdaptivePricing = &stripe.CheckoutSessionCreateAdaptivePricingParams{Enabled: stripe.Bool(false)}
			p.Permissions = &stripe.CheckoutSessionCreatePermissionsParams{UpdateShippingDetails: stripe.String("server_only")}
			p.WalletOptions = &stripe.CheckoutSessionCreateWalletOptionsParams{Link: &stripe.CheckoutSessionCreateWalletOptionsLinkParams{Display: stripe.String("never")}}
			p.OriginContext = stripe.String("web")
			s := create(p)
			Expect(s.AdaptivePricing.Enabled).To(BeFalse())
			Expect(string(s.Permissions.UpdateShippingDetails)).To(Equal("server_only"))
			Expect(string(s.WalletOptions.Link.Display)).To(Equal("never"))
			Expect(string(s.OriginContext)).To(Equal("web"))

			p = paymentParams()
			p.AdaptivePricing = &stripe.CheckoutSessionCreateAdaptivePricingParams{Enabled: stripe.Bool(true)}
			Expect(refused(p, "adaptive_pricing[enabled]").Msg).To(ContainSubstring("Adaptive Pricing"))
			p = paymentParams()
			p.OriginContext = stripe.String("kiosk")
			refused(p, "origin_context")
		})
	})

	Describe("subscription_data[billing_cycle_anchor]", func() {
		It("anchors the subscription there, with a prorated first invoice", func() {
			monthly := monthlyPrice(sc, 3000)
			anchor := Epoch.Add(10 * 24 * time.Hour).Unix()
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:        []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}},
				SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{BillingCycleAnchor: stripe.Int64(anchor)}})
			status, body := complete(s.ID, url.Values{})
			Expect(status).To(Equal(200), "%v", body)
			got := retrieve(s.ID)
			sub := mustSubscription(sc, got.Subscription.ID, "latest_invoice")
			Expect(sub.BillingCycleAnchor).To(Equal(anchor))
			Expect(sub.Items.Data[0].CurrentPeriodEnd).To(Equal(anchor))
			// 10 days of the 31-day period that would end at the anchor
			// (August 11 to September 11): 3000 × 10/31.
			Expect(sub.LatestInvoice.Total).To(Equal(int64(968)))
			Expect(got.AmountTotal).To(Equal(int64(968)))
			Expect(sub.LatestInvoice.Status).To(Equal(stripe.InvoiceStatusPaid))
		})
		It("bills a full period from payment when the anchor passed before the customer paid", func() {
			monthly := monthlyPrice(sc, 3000)
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems:        []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}},
				SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{BillingCycleAnchor: stripe.Int64(Epoch.Add(2 * time.Hour).Unix())}})
			emu.Clock().Advance(3 * time.Hour)
			status, body := complete(s.ID, url.Values{})
			Expect(status).To(Equal(200), "%v", body)
			got := retrieve(s.ID)
			Expect(got.AmountTotal).To(Equal(int64(3000)))
			sub, err := sc.V1Subscriptions.Retrieve(Ctx, got.Subscription.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.BillingCycleAnchor).To(Equal(emu.Clock().Unix()))
		})
		It("charges nothing until the anchor with proration_behavior=none", func() {
			monthly := monthlyPrice(sc, 3000)
			anchor := Epoch.Add(10 * 24 * time.Hour).Unix()
			s := create(&stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"),
				LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}},
				SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{BillingCycleAnchor: stripe.Int64(anchor),
					ProrationBehavior: stripe.String("none")}})
			status, body := complete(s.ID, url.Values{})
			Expect(status).To(Equal(200), "%v", body)
			got := retrieve(s.ID)
			Expect(got.AmountTotal).To(BeZero())
			Expect(got.PaymentStatus).To(Equal(stripe.CheckoutSessionPaymentStatusNoPaymentRequired))
			sub, err := sc.V1Subscriptions.Retrieve(Ctx, got.Subscription.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.BillingCycleAnchor).To(Equal(anchor))
			Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))

			By("the first full period is billed at the anchor")
			emu.Clock().Set(time.Unix(anchor, 0).Add(2 * time.Hour))
			sub = mustSubscription(sc, got.Subscription.ID, "latest_invoice")
			Expect(sub.LatestInvoice.Total).To(Equal(int64(3000)))
		})
		It("refuses an anchor in the past, beyond the first period, or with a trial, creating nothing", func() {
			monthly := monthlyPrice(sc, 3000)
			p := func(sd *stripe.CheckoutSessionCreateSubscriptionDataParams) *stripe.CheckoutSessionCreateParams {
				return &stripe.CheckoutSessionCreateParams{Mode: stripe.String("subscription"), SuccessURL: stripe.String("https://shop.example/ok"),
					LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(monthly.ID), Quantity: stripe.Int64(1)}}, SubscriptionData: sd}
			}
			refused(p(&stripe.CheckoutSessionCreateSubscriptionDataParams{BillingCycleAnchor: stripe.Int64(Epoch.Add(-time.Hour).Unix())}), "subscription_data[billing_cycle_anchor]")
			refused(p(&stripe.CheckoutSessionCreateSubscriptionDataParams{BillingCycleAnchor: stripe.Int64(Epoch.Add(40 * 24 * time.Hour).Unix())}), "subscription_data[billing_cycle_anchor]")
			refused(p(&stripe.CheckoutSessionCreateSubscriptionDataParams{BillingCycleAnchor: stripe.Int64(Epoch.Add(5 * 24 * time.Hour).Unix()), TrialPeriodDays: stripe.Int64(7)}), "subscription_data[billing_cycle_anchor]")
		})
	})
})

func oneTimePrice(sc *stripe.Client, name string, amount int64) *stripe.Price {
	GinkgoHelper()
	prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String(name),
		DefaultPriceData: &stripe.ProductCreateDefaultPriceDataParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(amount)}})
	Expect(err).NotTo(HaveOccurred())
	price, err := sc.V1Prices.Retrieve(Ctx, prod.DefaultPrice.ID, nil)
	Expect(err).NotTo(HaveOccurred())
	return price
}

func monthlyPrice(sc *stripe.Client, amount int64) *stripe.Price {
	GinkgoHelper()
	price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("eur"), UnitAmount: stripe.Int64(amount),
		Recurring:   &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")},
		ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Plan")}})
	Expect(err).NotTo(HaveOccurred())
	return price
}
