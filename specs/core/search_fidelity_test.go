package core_test

import (
	"net/url"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The search query language and the query fields of each resource as
// Stripe's search guide (docs.stripe.com/search) lists them: its
// "Supported query fields for each resource" tables, its field types
// (token: exact match; string: exact match by words and substring;
// numeric: exact match and comparisons) and its examples.
var _ = Describe("Search fidelity", Label("search"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	// search answers GET path?query=q over HTTP, as curl would send it.
	search := func(path, q string) Raw {
		GinkgoHelper()
		return Do(emu.URL(), "GET", path+"?query="+url.QueryEscape(q), "")
	}
	unsupported := func(path, q, field, resource string) {
		GinkgoHelper()
		r := search(path, q)
		Expect(r.Status).To(Equal(400), q)
		Expect(r.Error()["param"]).To(Equal("query"))
		Expect(r.Error()["message"]).To(Equal("Field `" + field + "` is an unsupported search field for resource `" + resource +
			"`. See http://stripe.com/docs/search#query-fields-for-" + resource + " for a list of supported fields."))
	}
	found := func(path, q string) []any {
		GinkgoHelper()
		r := search(path, q)
		Expect(r.Status).To(Equal(200), "%s: %s", q, r.Text)
		var ids []any
		for _, o := range r.Body["data"].([]any) {
			ids = append(ids, o.(map[string]any)["id"])
		}
		return ids
	}

	// Prices: active, currency, lookup_key, metadata, product, type.
	// Products: active, description, metadata, name, shippable, url.
	// Subscriptions: created, metadata, status and (since 2024)
	// canceled_at. Charges: no payment_intent. Neither created on a price
	// or product nor customer on a subscription is among them.
	It("takes each resource's fields from Stripe's tables and refuses the others", func() {
		unsupported("/v1/prices/search", "created>0", "created", "prices")
		unsupported("/v1/products/search", "created>0", "created", "products")
		unsupported("/v1/subscriptions/search", `customer:"cus_123"`, "customer", "subscriptions")
		unsupported("/v1/charges/search", `payment_intent:"pi_123"`, "payment_intent", "charges")

		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{PaymentMethod: stripe.String("pm_card_visa"),
			InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")}})
		Expect(err).NotTo(HaveOccurred())
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Seat")})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
			UnitAmount: stripe.Int64(900), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
		kept, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		ended, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		ended, err = sc.V1Subscriptions.Cancel(Ctx, ended.ID, nil)
		Expect(err).NotTo(HaveOccurred())

		Expect(found("/v1/subscriptions/search", "canceled_at>0")).To(Equal([]any{ended.ID}))
		Expect(found("/v1/subscriptions/search", "canceled_at:null")).To(Equal([]any{kept.ID}))
		Expect(found("/v1/subscriptions/search", "canceled_at>="+strconv.FormatInt(ended.CanceledAt, 10)+` AND status:"canceled"`)).To(Equal([]any{ended.ID}))
	})

	// Field types: a token (currency, status, customer, a price's type)
	// takes only an exact match, case-insensitive; the substring operator
	// ~ is for string fields (email, name, description…). "Using an
	// unsupported operator … returns an error."
	It("matches token fields whole and case-insensitively, and refuses substrings on them", func() {
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("amy@rocketrides.io")})
		Expect(err).NotTo(HaveOccurred())
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())

		Expect(found("/v1/payment_intents/search", `currency:"USD"`)).To(Equal([]any{pi.ID}))
		Expect(found("/v1/payment_intents/search", `status:"REQUIRES_PAYMENT_METHOD"`)).To(Equal([]any{pi.ID}))
		Expect(found("/v1/payment_intents/search", `currency:"us"`)).To(BeEmpty())
		Expect(found("/v1/customers/search", `email~"rocketrides"`)).To(HaveLen(1))
		// "substrings must be a minimum of 3 characters": characters, not bytes.
		Expect(search("/v1/customers/search", `name~"ßa"`).Status).To(Equal(400))
		Expect(search("/v1/customers/search", `name~"am"`).Status).To(Equal(400))
		Expect(found("/v1/customers/search", `name~"zoë"`)).To(BeEmpty())
		for path, q := range map[string]string{
			"/v1/payment_intents/search": `currency~"usd"`,
			"/v1/subscriptions/search":   `status~"active"`,
			"/v1/prices/search":          `type~"recurring"`,
			"/v1/charges/search":         `payment_method_details.card.brand~"visa"`,
			"/v1/invoices/search":        `customer~"cus_123"`,
		} {
			r := search(path, q)
			Expect(r.Status).To(Equal(400), q)
			Expect(r.Error()["param"]).To(Equal("query"), q)
		}
	})

	// "An exact match on a string type returns any record where that
	// record contains all of the words from the query in the same order.
	// For example the query name:"one two three" would match both a result
	// with the name "one two three" and a result with the name "one two
	// three four"." A token stays matched whole.
	It("matches a string field exactly by its words in order, not by the whole value", func() {
		named := func(name string) string {
			GinkgoHelper()
			c, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String(name)})
			Expect(err).NotTo(HaveOccurred())
			return c.ID
		}
		three, four, other := named("one two three"), named("One Two Three Four"), named("three two one")

		Expect(found("/v1/customers/search", `name:"one two three"`)).To(ConsistOf(three, four))
		Expect(found("/v1/customers/search", `name:"TWO THREE"`)).To(ConsistOf(three, four))
		Expect(found("/v1/customers/search", `name:"one"`)).To(ConsistOf(three, four, other))
		Expect(found("/v1/customers/search", `name:"two one"`)).To(ConsistOf(other))
		Expect(found("/v1/customers/search", `name:"one three"`)).To(BeEmpty(), "the words stand together")
		Expect(found("/v1/customers/search", `name:"tw"`)).To(BeEmpty(), "a part of a word is a substring search")
		Expect(found("/v1/customers/search", `-name:"four"`)).To(ConsistOf(three, other))
		// Words as a search index splits them (Unicode's word boundaries):
		// an underscore, or a dot between letters, does not break a word.
		snake, dotted := named("jane_doe"), named("jane.doe")
		Expect(found("/v1/customers/search", `name:"jane"`)).To(BeEmpty())
		Expect(found("/v1/customers/search", `name:"jane_doe"`)).To(Equal([]any{snake}))
		Expect(found("/v1/customers/search", `name:"jane.doe"`)).To(Equal([]any{dotted}))

		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Sky"),
			Description: stripe.String(`the story called "The Sky and the Sea."`)})
		Expect(err).NotTo(HaveOccurred())
		Expect(found("/v1/products/search", `description:"the story called \"The Sky and the Sea.\""`)).To(Equal([]any{prod.ID}))
		Expect(found("/v1/products/search", `description:"sky and the sea"`)).To(Equal([]any{prod.ID}))

		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		Expect(found("/v1/payment_intents/search", `status:"requires"`)).To(BeEmpty(), "a token is matched whole")
	})

	// "NULL, null — field:null — A special token used for field presence
	// (case insensitive)": url:null finds products without a URL.
	It("takes null in either case for a field's absence", func() {
		bare, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Bare")})
		Expect(err).NotTo(HaveOccurred())
		linked, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Linked"), URL: stripe.String("https://example.com/dinosaur_swag")})
		Expect(err).NotTo(HaveOccurred())

		Expect(found("/v1/products/search", `url:null`)).To(Equal([]any{bare.ID}))
		Expect(found("/v1/products/search", `url:NULL`)).To(Equal([]any{bare.ID}))
		Expect(found("/v1/products/search", `-url:Null`)).To(Equal([]any{linked.ID}))
		Expect(found("/v1/products/search", `url~"/dinosaur_swag"`)).To(Equal([]any{linked.ID}))
	})

	// A search result expands like a list ("data.customer"), pages with
	// next_page until has_more is false, and is the account's own.
	It("expands through data, pages with next_page, and keeps to the account searched", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("amy@rocketrides.io")})
		Expect(err).NotTo(HaveOccurred())
		var made []string
		for i := 0; i < 3; i++ {
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID)})
			Expect(err).NotTo(HaveOccurred())
			made = append(made, pi.ID)
		}
		p := &stripe.PaymentIntentSearchParams{SearchParams: stripe.SearchParams{Query: `customer:"` + cus.ID + `"`, Limit: stripe.Int64(2)}}
		p.AddExpand("data.customer")
		var seen []string
		for pi, err := range sc.V1PaymentIntents.Search(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Customer.Email).To(Equal("amy@rocketrides.io"))
			seen = append(seen, pi.ID)
		}
		Expect(seen).To(Equal([]string{made[2], made[1], made[0]}), "newest first, across two pages")

		r := Do(emu.URL(), "GET", "/v1/payment_intents/search?limit=2&query="+url.QueryEscape(`customer:"`+cus.ID+`"`), "")
		Expect(r.Body["has_more"]).To(BeTrue())
		last := Do(emu.URL(), "GET", "/v1/payment_intents/search?limit=2&page="+r.Body["next_page"].(string)+"&query="+url.QueryEscape(`customer:"`+cus.ID+`"`), "")
		Expect(last.Body["has_more"]).To(BeFalse())
		Expect(last.Body).To(HaveKeyWithValue("next_page", BeNil()))
		Expect(last.Body["url"]).To(Equal("/v1/payment_intents/search"))

		acct, err := sc.V1Accounts.Create(Ctx, &stripe.AccountCreateParams{Type: stripe.String("custom"), Country: stripe.String("US"),
			Capabilities: &stripe.AccountCreateCapabilitiesParams{CardPayments: &stripe.AccountCreateCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
				Transfers: &stripe.AccountCreateCapabilitiesTransfersParams{Requested: stripe.Bool(true)}}})
		Expect(err).NotTo(HaveOccurred())
		other := Do(emu.URL(), "GET", "/v1/customers/search?query="+url.QueryEscape(`email:"amy@rocketrides.io"`), "", "Stripe-Account", acct.ID)
		Expect(other.Status).To(Equal(200), other.Text)
		Expect(other.Body["data"]).To(BeEmpty(), "the platform's customer is not the connected account's")
	})

	// A query is parsed whole before its fields are looked up, as any
	// grammar-based parser does (inferred: Stripe documents no order), so
	// one that does not parse answers Stripe's parse error even when an
	// earlier clause names a field the resource lacks.
	It("refuses a query that does not parse as unparsable, whatever fields it names", func() {
		for _, q := range []string{`foo:"bar" AND email:`, `foo:"bar" email:"amy`, `foo:"bar" OR email:amy`} {
			r := search("/v1/customers/search", q)
			Expect(r.Status).To(Equal(400), q)
			Expect(r.Error()["param"]).To(Equal("query"), q)
			Expect(r.Error()["message"]).To(HavePrefix("We were unable to parse your search query."), q)
		}
		unsupported("/v1/customers/search", `email:"amy@rocketrides.io" AND foo:"bar"`, "foo", "customers")
	})

	// "The minimum supported API Version to use search is 2020-08-27";
	// Stripe refuses an older one with "Search is not supported on api
	// version 2016-07-06. Update your API version, or set the API Version
	// of this request to 2020-08-27 or greater." (as integrations quote it;
	// the status, 400, is inferred), where the emulator otherwise answers
	// an older version in basil's shapes.
	It("refuses a Stripe-Version older than 2020-08-27, the first that has search", func() {
		_, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("amy@rocketrides.io")})
		Expect(err).NotTo(HaveOccurred())
		q := "?query=" + url.QueryEscape(`email:"amy@rocketrides.io"`)
		for _, path := range []string{"/v1/customers/search", "/v1/charges/search", "/v1/payment_intents/search", "/v1/subscriptions/search",
			"/v1/invoices/search", "/v1/prices/search", "/v1/products/search"} {
			r := Do(emu.URL(), "GET", path+q, "", "Stripe-Version", "2016-07-06")
			Expect(r.Status).To(Equal(400), path)
			Expect(r.Error()["type"]).To(Equal("invalid_request_error"))
			Expect(r.Error()["message"]).To(Equal("Search is not supported on api version 2016-07-06. Update your API version, or set the API Version of this request to 2020-08-27 or greater."))
		}
		for _, v := range []string{"2020-08-27", "2022-11-15", "2025-08-27.basil"} {
			r := Do(emu.URL(), "GET", "/v1/customers/search"+q, "", "Stripe-Version", v)
			Expect(r.Status).To(Equal(200), v+": "+r.Text)
			Expect(r.Body["data"]).To(HaveLen(1), v)
		}
		Expect(Do(emu.URL(), "GET", "/v1/customers?limit=1", "", "Stripe-Version", "2016-07-06").Status).To(Equal(200), "lists take any version")
	})

	// "You can combine multiple query clauses in a search by either
	// separating them with a space, or using the AND or OR keywords …
	// AND and OR operators are mutually exclusive." A space is an AND, so
	// it cannot stand in a query of ORs either.
	It("takes a space between clauses as AND, which an OR cannot join", func() {
		ann, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Ann Lee"), Email: stripe.String("ann@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Name: stripe.String("Bob Stone"), Email: stripe.String("ann@example.com")})
		Expect(err).NotTo(HaveOccurred())

		Expect(found("/v1/customers/search", `email:"ann@example.com" name:"lee"`)).To(Equal([]any{ann.ID}))
		for _, q := range []string{`email:"ann@example.com" name:"lee" OR name:"stone"`, `name:"lee" OR name:"stone" email:"ann@example.com"`} {
			r := search("/v1/customers/search", q)
			Expect(r.Status).To(Equal(400), q)
			Expect(r.Error()["param"]).To(Equal("query"))
		}
	})
})
