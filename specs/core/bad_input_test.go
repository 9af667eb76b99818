package core_test

import (
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Bad input found by probing the emulator over the wire: each answers a
// Stripe-shaped 400 and keeps nothing, where it answered a 500 or kept
// something Stripe would refuse.
var _ = Describe("Bad input", Label("wire"), func() {
	var emu *emulator.Emulator
	BeforeEach(func() { emu = Emulator() })

	It("refuses a decimal that is not a number (NaN, Infinity, hexadecimal), keeping nothing", func() {
		for _, v := range []string{"NaN", "nan", "Inf", "-Infinity", "0x1p4", "0x10"} {
			r := Do(emu.URL(), "POST", "/v1/coupons", "duration=once&percent_off="+v)
			Expect(r.Status).To(Equal(400), v+": "+r.Text)
			Expect(r.Error()["type"]).To(Equal("invalid_request_error"), v)
			Expect(r.Error()["param"]).To(Equal("percent_off"), v)
			Expect(r.Error()["message"]).To(Equal("Invalid decimal: "+v), v)

			r = Do(emu.URL(), "POST", "/v1/prices", "currency=usd&product_data[name]=Tea&unit_amount_decimal="+v)
			Expect(r.Status).To(Equal(400), v+": "+r.Text)
			Expect(r.Error()["param"]).To(Equal("unit_amount_decimal"), v)
		}
		Expect(emu.Count("", "coupon")).To(BeZero())
		Expect(emu.Count("", "price")).To(BeZero())
		Expect(emu.Count("", "product")).To(BeZero())

		By("taking the decimals Stripe's SDKs send")
		for _, v := range []string{"12.5", "0.000001", "7"} {
			r := Do(emu.URL(), "POST", "/v1/prices", "currency=usd&product_data[name]=Tea&unit_amount_decimal="+v)
			Expect(r.Status).To(Equal(200), v+": "+r.Text)
		}
	})

	It("refuses a string longer than Stripe's spec allows, wherever it is, counting characters, keeping nothing", func() {
		for _, c := range []struct{ path, form, param string }{
			{"/v1/customers", "name=" + strings.Repeat("n", 257), "name"},
			{"/v1/customers", "email=" + strings.Repeat("e", 505) + "@example.com", "email"},
			{"/v1/customers", "phone=" + strings.Repeat("5", 21), "phone"},
			{"/v1/customers", "invoice_settings[custom_fields][0][name]=" + strings.Repeat("f", 41) + "&invoice_settings[custom_fields][0][value]=v", "invoice_settings[custom_fields][0][name]"},
			{"/v1/products", "name=Tea&statement_descriptor=" + strings.Repeat("S", 23), "statement_descriptor"},
			{"/v1/customers", "address[line1]=" + strings.Repeat("l", 5001), "address[line1]"},
			{"/v1/customers", "shipping[name]=Jenny&shipping[address][line1]=1&shipping[phone]=" + strings.Repeat("5", 5001), "shipping[phone]"},
			{"/v1/payment_intents", "amount=100&currency=usd&payment_method_options[card][three_d_secure][cryptogram]=c&payment_method_options[card][three_d_secure][transaction_id]=t&payment_method_options[card][three_d_secure][version]=2.2.0&payment_method_options[card][three_d_secure][network_options][cartes_bancaires][cb_avalgo]=0&payment_method_options[card][three_d_secure][network_options][cartes_bancaires][cb_exemption]=12345", "payment_method_options[card][three_d_secure][network_options][cartes_bancaires][cb_exemption]"},
			{"/v1/coupons", "duration=once&percent_off=5&name=" + strings.Repeat("c", 41), "name"},
			{"/v1/prices", "currency=usd&unit_amount=1&product_data[name]=Tea&nickname=" + strings.Repeat("n", 5001), "nickname"},
		} {
			r := Do(emu.URL(), "POST", c.path, c.form)
			Expect(r.Status).To(Equal(400), c.param+": "+r.Text)
			Expect(r.Error()["param"]).To(Equal(c.param))
			Expect(r.Error()["message"]).To(MatchRegexp(`^Invalid string: .*; must be at most \d+ characters$`), c.param)
		}
		Expect(emu.Count("", "customer")).To(BeZero())
		Expect(emu.Count("", "product")).To(BeZero())

		By("counting characters, not bytes")
		r := Do(emu.URL(), "POST", "/v1/customers", "name="+strings.Repeat("é", 256))
		Expect(r.Status).To(Equal(200), r.Text)
	})

	It("refuses a list filter outside the values Stripe's spec allows, instead of listing nothing", func() {
		for _, c := range []struct{ path, param, msg string }{
			{"/v1/subscriptions?status=bogus", "status", "Invalid status: must be one of active, all, canceled, ended, incomplete, incomplete_expired, past_due, paused, trialing, or unpaid"},
			{"/v1/invoices?collection_method=later", "collection_method", "Invalid collection_method: must be one of charge_automatically or send_invoice"},
			{"/v1/prices?recurring[interval]=fortnight", "recurring[interval]", "Invalid recurring[interval]: must be one of day, month, week, or year"},
			{"/v1/invoice_payments?status=done", "status", "Invalid status: must be one of canceled, open, or paid"},
		} {
			r := Do(emu.URL(), "GET", c.path, "")
			Expect(r.Status).To(Equal(400), c.path+": "+r.Text)
			Expect(r.Error()["type"]).To(Equal("invalid_request_error"), c.path)
			Expect(r.Error()["param"]).To(Equal(c.param), c.path)
			Expect(r.Error()["message"]).To(Equal(c.msg), c.path)
		}

		By("listing by a value the spec allows")
		r := Do(emu.URL(), "GET", "/v1/subscriptions?status=all", "")
		Expect(r.Status).To(Equal(200), r.Text)
	})

	It("refuses a connected account in a country that is not one, keeping nothing", func() {
		accounts := emu.Count("", "account") // the platform's own
		for _, c := range []string{"XX", "USA", "1", "U$"} {
			_, err := emu.Client().V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String(c)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "country")
			Expect(StripeErr(err).Msg).To(HavePrefix("Country '" + c + "' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'."))
		}
		Expect(emu.Count("", "account")).To(Equal(accounts))

		By("taking a code in either case, kept in upper case")
		a, err := emu.Client().V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Capabilities: Transfers(), Country: stripe.String("fr")})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Country).To(Equal("FR"))
		Expect(string(a.DefaultCurrency)).To(Equal("eur"))
	})

	It("refuses a POST whose parameters are not UTF-8, as Stripe does, keeping nothing", func() {
		for _, body := range []string{"name=Caf%E9", "metadata[r%E9f]=1", "description=ok&shipping[name]=%C3%28&shipping[address][line1]=x"} {
			r := Do(emu.URL(), "POST", "/v1/customers", body)
			Expect(r.Status).To(Equal(400), body+": "+r.Text)
			Expect(r.Error()["type"]).To(Equal("invalid_request_error"), body)
			Expect(r.Error()["message"]).To(HavePrefix("Invalid UTF-8 characters found in POST body"), body)
		}
		r := Do(emu.URL(), "POST", "/v1/customers", "name=Caf\xe9")
		Expect(r.Status).To(Equal(400), "a raw byte that is not UTF-8: "+r.Text)
		Expect(emu.Count("", "customer")).To(BeZero())

		By("taking UTF-8 in any script")
		r = Do(emu.URL(), "POST", "/v1/customers", "name=Caf%C3%A9+%E6%9D%B1%E4%BA%AC+%F0%9F%98%80")
		Expect(r.Status).To(Equal(200))
		Expect(r.Body["name"]).To(Equal("Café 東京 😀"))
	})

	It("refuses a v2 JSON body that is not UTF-8 as invalid JSON, keeping nothing", func() {
		body := "{\"name\":\"Hooks \xff\",\"type\":\"webhook_endpoint\",\"event_payload\":\"thin\"," +
			"\"enabled_events\":[\"v1.billing.meter.error_report_triggered\"],\"webhook_endpoint\":{\"url\":\"https://example.com/hook\"}}"
		r := Do(emu.URL(), "POST", "/v2/core/event_destinations", body, "Content-Type", "application/json")
		Expect(r.Status).To(Equal(400), r.Text)
		Expect(r.Error()).To(HaveKeyWithValue("type", "invalid_request_error"))
		Expect(r.Error()).To(HaveKeyWithValue("code", "invalid_json"))
		r = Do(emu.URL(), "GET", "/v2/core/event_destinations", "")
		Expect(r.Status).To(Equal(200))
		Expect(r.Body["data"]).To(BeEmpty())

		r = Do(emu.URL(), "POST", "/v2/core/event_destinations", strings.Replace(body, "\xff", "\u00e9", 1), "Content-Type", "application/json")
		Expect(r.Status).To(Equal(200), r.Text)
		Expect(r.Body["name"]).To(Equal("Hooks é"))
	})

	It("refuses a search whose number is not one (NaN, Inf, hexadecimal)", func() {
		for _, q := range []string{"amount>NaN", "amount<Inf", "amount:0x1p4", "amount>-Infinity"} {
			r := Do(emu.URL(), "GET", "/v1/charges/search?query="+url.QueryEscape(q), "")
			Expect(r.Status).To(Equal(400), q+": "+r.Text)
			Expect(r.Error()).To(HaveKeyWithValue("param", "query"), q)
		}
		r := Do(emu.URL(), "GET", "/v1/charges/search?query="+url.QueryEscape("amount>=1000 AND amount<1.5e3"), "")
		Expect(r.Status).To(Equal(200), r.Text)
	})

	It("refuses a quantity whose amount would overflow, instead of billing a wrapped-around amount, keeping nothing", func() {
		sc := emu.Client()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("big@example.com")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(99999999),
			ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Yacht")}})
		Expect(err).NotTo(HaveOccurred())
		const huge = 999999999999 // × 99999999 is even past the largest int64
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(price.ID)}, Quantity: stripe.Int64(huge)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		_, err = sc.V1CheckoutSessions.Create(Ctx, &stripe.CheckoutSessionCreateParams{Mode: stripe.String("payment"), SuccessURL: stripe.String("https://example.com/ok"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(huge)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		_, err = sc.V1Quotes.Create(Ctx, &stripe.QuoteCreateParams{Customer: stripe.String(cus.ID),
			LineItems: []*stripe.QuoteCreateLineItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(huge)}}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(emu.Count("", "invoiceitem")).To(BeZero())
		Expect(emu.Count("", "checkout.session")).To(BeZero())
		Expect(emu.Count("", "quote")).To(BeZero())

		By("billing a large quantity that fits")
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
			Pricing: &stripe.InvoiceItemCreatePricingParams{Price: stripe.String(price.ID)}, Quantity: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(ii.Amount).To(Equal(int64(99999999000)))
	})

	It("refuses an invoice whose lines add up past what can be kept, instead of a wrapped-around or rounded total, keeping nothing", func() {
		sc := emu.Client()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("big@example.com")})
		Expect(err).NotTo(HaveOccurred())
		for range 2 {
			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID),
				Amount: stripe.Int64(5000000000000000), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
		}
		_, err = sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID),
			PendingInvoiceItemsBehavior: stripe.String("include")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(emu.Count("", "invoice")).To(BeZero())
	})

	It("refuses an integer it cannot keep exactly (past 2^53), instead of keeping it rounded or dropping the connection", func() {
		for _, body := range []string{"balance=9007199254740993", "balance=-9223372036854775808", "metadata[k]=v&balance=9223372036854775807"} {
			r := Do(emu.URL(), "POST", "/v1/customers", body)
			Expect(r.Status).To(Equal(400), body+": "+r.Text)
			Expect(r.Error()["code"]).To(Equal("parameter_invalid_integer"), body)
		}
		Expect(emu.Count("", "customer")).To(BeZero())
		r := Do(emu.URL(), "POST", "/v1/customers", "balance=9007199254740991")
		Expect(r.Status).To(Equal(200), r.Text)
		r = Do(emu.URL(), "GET", "/v1/customers/"+r.Body["id"].(string), "")
		Expect(r.Text).To(ContainSubstring(`"balance": 9007199254740991`))
	})

	It("refuses a balance adjustment that would carry a customer's balance out of range, keeping nothing", func() {
		sc := emu.Client()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Balance: stripe.Int64(1<<53 - 5)})
		Expect(err).NotTo(HaveOccurred())
		txns := emu.Count("", "customer_balance_transaction")
		_, err = sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{Customer: stripe.String(cus.ID),
			Amount: stripe.Int64(10), Currency: stripe.String("usd")})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "")
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Balance: stripe.Int64(-(1<<53 - 1))})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "")
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Balance: stripe.Int64(0)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Update(Ctx, cus.ID, &stripe.CustomerUpdateParams{Balance: stripe.Int64(-(1<<53 - 1))})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CustomerBalanceTransactions.Create(Ctx, &stripe.CustomerBalanceTransactionCreateParams{Customer: stripe.String(cus.ID),
			Amount: stripe.Int64(-1), Currency: stripe.String("usd")})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "")
		got, err := sc.V1Customers.Retrieve(Ctx, cus.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Balance).To(Equal(int64(-(1<<53 - 1))))
		Expect(emu.Count("", "customer_balance_transaction")).To(Equal(txns + 2))
	})
})
