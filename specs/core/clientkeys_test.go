package core_test

import (
	"encoding/json"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// What a backend hands its client app: ephemeral keys for the mobile
// SDKs and Customer Sessions for the Payment Element.
var _ = Describe("Ephemeral keys and Customer Sessions", Label("customers", "client-keys"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("app@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})

	// pinned is what a mobile backend sends: the mobile SDK's API version.
	pinned := func(version string) stripe.Params {
		return stripe.Params{Headers: http.Header{"Stripe-Version": {version}}}
	}

	It("makes an ephemeral key for a customer, pinned to the mobile SDK's API version", func() {
		key, err := sc.V1EphemeralKeys.Create(Ctx, &stripe.EphemeralKeyCreateParams{Params: pinned("2020-08-27"), Customer: stripe.String(cus.ID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(key.ID).To(HavePrefix("ephkey_"))
		Expect(key.Secret).To(HavePrefix("ek_test_"))
		Expect(key.Expires).To(Equal(Epoch.Unix() + 3600))
		Expect(key.LastResponse.Header.Get("Stripe-Version")).To(Equal("2020-08-27"))
		// What the mobile SDKs read to check the key is for their customer.
		var raw map[string]any
		Expect(json.Unmarshal(key.LastResponse.RawJSON, &raw)).To(Succeed())
		Expect(raw["associated_objects"]).To(Equal([]any{map[string]any{"id": cus.ID, "type": "customer"}}))

		gone, err := sc.V1EphemeralKeys.Delete(Ctx, key.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(gone.ID).To(Equal(key.ID))
		Expect(gone.Secret).To(BeEmpty())
		Expect(gone.Expires).To(Equal(Epoch.Unix()))
	})

	It("refuses an ephemeral key without the client's version, or for no such customer", func() {
		_, err := emu.Client().V1EphemeralKeys.Create(Ctx, &stripe.EphemeralKeyCreateParams{Params: pinned(""), Customer: stripe.String(cus.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		_, err = sc.V1EphemeralKeys.Create(Ctx, &stripe.EphemeralKeyCreateParams{Params: pinned("2020-08-27"), Customer: stripe.String("cus_missing")})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "customer")
		_, err = sc.V1EphemeralKeys.Create(Ctx, &stripe.EphemeralKeyCreateParams{Params: pinned("2020-08-27"), IssuingCard: stripe.String("ic_123")})
		Expect(StripeErr(err).Msg).To(ContainSubstring("issuing_card"), "issuing cards are not emulated")
		Expect(emu.Count("", "ephemeral_key")).To(BeZero())
	})

	It("makes a Customer Session for the Payment Element with the features asked for", func() {
		s, err := sc.V1CustomerSessions.Create(Ctx, &stripe.CustomerSessionCreateParams{
			Customer: stripe.String(cus.ID),
			Components: &stripe.CustomerSessionCreateComponentsParams{PaymentElement: &stripe.CustomerSessionCreateComponentsPaymentElementParams{
				Enabled: stripe.Bool(true),
				Features: &stripe.CustomerSessionCreateComponentsPaymentElementFeaturesParams{
					PaymentMethodRedisplay: stripe.String("enabled"), PaymentMethodSave: stripe.String("enabled"),
					PaymentMethodAllowRedisplayFilters: []*string{stripe.String("always"), stripe.String("limited")},
				},
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.ClientSecret).To(HavePrefix("cuss_secret_"))
		Expect(s.Customer.ID).To(Equal(cus.ID))
		Expect(s.ExpiresAt).To(Equal(Epoch.Unix() + 30*60))
		Expect(s.Components.PaymentElement.Enabled).To(BeTrue())
		Expect(s.Components.PricingTable.Enabled).To(BeFalse())
		f := s.Components.PaymentElement.Features
		Expect(string(f.PaymentMethodRedisplay)).To(Equal("enabled"))
		Expect(string(f.PaymentMethodSave)).To(Equal("enabled"))
		Expect(string(f.PaymentMethodRemove)).To(Equal("disabled"))
		Expect(f.PaymentMethodAllowRedisplayFilters).To(HaveLen(2))

		_, err = sc.V1CustomerSessions.Create(Ctx, &stripe.CustomerSessionCreateParams{Customer: stripe.String(cus.ID),
			Components: &stripe.CustomerSessionCreateComponentsParams{PricingTable: &stripe.CustomerSessionCreateComponentsPricingTableParams{Enabled: stripe.Bool(false)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "components")
	})
})
