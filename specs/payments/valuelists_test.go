package payments_test

import (
	"fmt"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Radar value lists", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	newList := func(alias, itemType string) *stripe.RadarValueList {
		p := &stripe.RadarValueListCreateParams{Alias: stripe.String(alias), Name: stripe.String("List " + alias)}
		if itemType != "" {
			p.ItemType = stripe.String(itemType)
		}
		l, err := sc.V1RadarValueLists.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return l
	}
	add := func(list, value string) (*stripe.RadarValueListItem, error) {
		return sc.V1RadarValueListItems.Create(Ctx, &stripe.RadarValueListItemCreateParams{ValueList: stripe.String(list), Value: stripe.String(value)})
	}
	listAliases := func(p *stripe.RadarValueListListParams) []string {
		var out []string
		for l, err := range sc.V1RadarValueLists.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, l.Alias)
		}
		return out
	}
	itemValues := func(p *stripe.RadarValueListItemListParams) []string {
		var out []string
		for it, err := range sc.V1RadarValueListItems.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, it.Value)
		}
		return out
	}

	It("creates, updates, lists and deletes lists and their items, with no events", func() {
		events := len(emu.EventTypes(""))
		p := &stripe.RadarValueListCreateParams{Alias: stripe.String("custom_ip_blocklist"), Name: stripe.String("Custom IP Blocklist"),
			ItemType: stripe.String("ip_address")}
		p.AddMetadata("team", "fraud")
		l, err := sc.V1RadarValueLists.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(l.ID).To(HavePrefix("rsl_"))
		Expect(l.ItemType).To(Equal(stripe.RadarValueListItemTypeIPAddress))
		Expect(l.Metadata).To(HaveKeyWithValue("team", "fraud"))
		Expect(l.CreatedBy).To(Equal("API"), "Stripe names the API as the maker of what a request creates")
		Expect(l.ListItems.Data).To(BeEmpty())
		Expect(l.ListItems.TotalCount).To(BeZero())
		Expect(l.ListItems.URL).To(Equal("/v1/radar/value_list_items?value_list=" + l.ID))

		first, err := add(l.ID, "1.2.3.4")
		Expect(err).NotTo(HaveOccurred())
		Expect(first.ID).To(HavePrefix("rsli_"))
		Expect(first.ValueList).To(Equal(l.ID))
		Expect(first.CreatedBy).To(Equal("API"))
		_, err = add(l.ID, "2001:db8::1")
		Expect(err).NotTo(HaveOccurred())

		got, err := sc.V1RadarValueLists.Retrieve(Ctx, l.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ListItems.Data).To(HaveLen(2))
		Expect(got.ListItems.Data[0].Value).To(Equal("2001:db8::1"), "newest first")

		item, err := sc.V1RadarValueListItems.Retrieve(Ctx, first.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(item.Value).To(Equal("1.2.3.4"))
		Expect(itemValues(&stripe.RadarValueListItemListParams{ValueList: stripe.String(l.ID)})).To(Equal([]string{"2001:db8::1", "1.2.3.4"}))
		Expect(itemValues(&stripe.RadarValueListItemListParams{ValueList: stripe.String(l.ID), Value: stripe.String("2.3")})).To(Equal([]string{"1.2.3.4"}))

		up, err := sc.V1RadarValueLists.Update(Ctx, l.ID, &stripe.RadarValueListUpdateParams{Name: stripe.String("Blocked IPs"), Alias: stripe.String("blocked_ips")})
		Expect(err).NotTo(HaveOccurred())
		Expect(up.Name).To(Equal("Blocked IPs"))
		Expect(up.Alias).To(Equal("blocked_ips"))

		gone, err := sc.V1RadarValueListItems.Delete(Ctx, first.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(gone.Deleted).To(BeTrue())
		got, err = sc.V1RadarValueLists.Retrieve(Ctx, l.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ListItems.Data).To(HaveLen(1))

		del, err := sc.V1RadarValueLists.Delete(Ctx, l.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(del.Deleted).To(BeTrue())
		_, err = sc.V1RadarValueLists.Retrieve(Ctx, l.ID, nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		Expect(emu.Count("", "radar.value_list_item")).To(BeZero(), "its items went with it")
		Expect(emu.EventTypes("")).To(HaveLen(events))
	})

	It("lists by alias and by a value contained, newest first", func() {
		emails := newList("emails", "email")
		newList("bins", "card_bin")
		words := newList("words", "")
		Expect(words.ItemType).To(Equal(stripe.RadarValueListItemTypeString), "string by default")
		_, err := add(emails.ID, "Jenny@example.com")
		Expect(err).NotTo(HaveOccurred())
		_, err = add(words.ID, "jenny@example.com")
		Expect(err).NotTo(HaveOccurred())

		Expect(listAliases(&stripe.RadarValueListListParams{})).To(Equal([]string{"words", "bins", "emails"}))
		Expect(listAliases(&stripe.RadarValueListListParams{Alias: stripe.String("bins")})).To(Equal([]string{"bins"}))
		Expect(listAliases(&stripe.RadarValueListListParams{Contains: stripe.String("jenny@EXAMPLE.com")})).To(Equal([]string{"words", "emails"}))
		Expect(listAliases(&stripe.RadarValueListListParams{Contains: stripe.String("nobody@example.com")})).To(BeEmpty())
	})

	It("keeps aliases unique and well formed", func() {
		newList("vip_customers", "customer_id")
		_, err := sc.V1RadarValueLists.Create(Ctx, &stripe.RadarValueListCreateParams{Alias: stripe.String("vip_customers"), Name: stripe.String("Again")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "alias")
		_, err = sc.V1RadarValueLists.Create(Ctx, &stripe.RadarValueListCreateParams{Alias: stripe.String("vip customers!"), Name: stripe.String("Bad")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "alias")
		_, err = sc.V1RadarValueLists.Create(Ctx, &stripe.RadarValueListCreateParams{Alias: stripe.String("x"), Name: stripe.String("X"), ItemType: stripe.String("phone")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "item_type")
		other := newList("other", "")
		_, err = sc.V1RadarValueLists.Update(Ctx, other.ID, &stripe.RadarValueListUpdateParams{Alias: stripe.String("vip_customers")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "alias")
		same, err := sc.V1RadarValueLists.Update(Ctx, other.ID, &stripe.RadarValueListUpdateParams{Alias: stripe.String("other")})
		Expect(err).NotTo(HaveOccurred(), "a list keeps its own alias")
		Expect(same.Alias).To(Equal("other"))
		Expect(emu.Count("", "radar.value_list")).To(Equal(2))
	})

	DescribeTable("checks each value against the list's item_type, and refuses a value already there",
		func(itemType, good, bad, dup string) {
			l := newList("l_"+itemType, itemType)
			_, err := add(l.ID, good)
			Expect(err).NotTo(HaveOccurred())
			if bad != "" {
				_, err = add(l.ID, bad)
				ExpectStripeError(err, 400, "invalid_request_error", "", "value")
			}
			_, err = add(l.ID, dup)
			ExpectStripeError(err, 400, "invalid_request_error", "", "value")
			Expect(emu.Count("", "radar.value_list_item")).To(Equal(1))
		},
		Entry(nil, "ip_address", "10.0.0.1", "10.0.0.256", "10.0.0.1"),
		Entry(nil, "email", "jenny@example.com", "jenny.example.com", "JENNY@example.com"),
		Entry(nil, "country", "US", "XX", "us"),
		Entry(nil, "card_bin", "424242", "42424", "424242"),
		Entry(nil, "customer_id", "cus_123", "123", "cus_123"),
		Entry(nil, "card_fingerprint", "Xt5EWLLDS7FJjR1c", "not a fingerprint", "Xt5EWLLDS7FJjR1c"),
		Entry(nil, "us_bank_account_fingerprint", "a1b2c3d4e5f6g7h8", "a-b", "a1b2c3d4e5f6g7h8"),
		Entry(nil, "sepa_debit_fingerprint", "sepa1234", "sepa 1234", "sepa1234"),
		Entry(nil, "string", "Hello", "", "hello"),
	)

	It("takes values, aliases and names no longer than Stripe does", func() {
		l := newList("long", "")
		_, err := add(l.ID, strings.Repeat("v", 800))
		Expect(err).NotTo(HaveOccurred())
		_, err = add(l.ID, strings.Repeat("w", 801))
		ExpectStripeError(err, 400, "invalid_request_error", "", "value")
		// The list filters have the same limits (a listing would find nothing).
		for _, f := range []struct{ path, param, long string }{
			{"/v1/radar/value_list_items", "value", strings.Repeat("v", 801)},
			{"/v1/radar/value_lists", "contains", strings.Repeat("v", 801)},
			{"/v1/radar/value_lists", "alias", strings.Repeat("a", 101)},
		} {
			q := url.Values{f.param: {f.long}}
			if f.path == "/v1/radar/value_list_items" {
				q.Set("value_list", l.ID)
			}
			status, body, err := emu.Call("GET", f.path, q, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(400), "a filter longer than Stripe takes: "+f.param)
			Expect(body["error"]).To(HaveKeyWithValue("param", f.param))
		}
		_, err = sc.V1RadarValueLists.Create(Ctx, &stripe.RadarValueListCreateParams{Alias: stripe.String(strings.Repeat("a", 101)), Name: stripe.String("A")})
		ExpectStripeError(err, 400, "invalid_request_error", "", "alias")
		Expect(StripeErr(err).Msg).To(Equal("Invalid string: aaaa...aaaa; must be at most 100 characters"), "Stripe's wording for any over-long string")
		_, err = sc.V1RadarValueLists.Create(Ctx, &stripe.RadarValueListCreateParams{Alias: stripe.String("a"), Name: stripe.String(strings.Repeat("n", 101))})
		ExpectStripeError(err, 400, "invalid_request_error", "", "name")
		_, err = sc.V1RadarValueLists.Create(Ctx, &stripe.RadarValueListCreateParams{Alias: stripe.String("accented"), Name: stripe.String(strings.Repeat("é", 100))})
		Expect(err).NotTo(HaveOccurred(), "the limit counts characters, not bytes")
		Expect(emu.Count("", "radar.value_list_item")).To(Equal(1))
		Expect(emu.Count("", "radar.value_list")).To(Equal(2))
	})

	It("shows a list's ten newest items in list_items, and whether there are more", func() {
		l := newList("many", "")
		for i := range 11 {
			_, err := add(l.ID, fmt.Sprintf("value_%02d", i))
			Expect(err).NotTo(HaveOccurred())
		}
		got, err := sc.V1RadarValueLists.Retrieve(Ctx, l.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ListItems.Data).To(HaveLen(10))
		Expect(got.ListItems.HasMore).To(BeTrue())
		Expect(got.ListItems.TotalCount).To(BeEquivalentTo(11), "Stripe's examples count the items")
		Expect(got.ListItems.Data[0].Value).To(Equal("value_10"))
	})

	It("tells case_sensitive_string values apart by case", func() {
		l := newList("codes", "case_sensitive_string")
		_, err := add(l.ID, "AbC")
		Expect(err).NotTo(HaveOccurred())
		_, err = add(l.ID, "abc")
		Expect(err).NotTo(HaveOccurred())
		Expect(listAliases(&stripe.RadarValueListListParams{Contains: stripe.String("ABC")})).To(BeEmpty())
	})

	It("refuses items of a list that does not exist, and lists of items without their list", func() {
		_, err := add("rsl_missing", "x")
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "value_list")
		for _, err := range sc.V1RadarValueListItems.List(Ctx, &stripe.RadarValueListItemListParams{}) {
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "value_list")
			break
		}
	})
})
