package core_test

import (
	"fmt"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("List pagination", Label("wire", "lists"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		created []string // oldest first
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		created = nil
		for i := 0; i < 250; i++ {
			status, c, err := emu.Call("POST", "/v1/customers", url.Values{"email": {fmt.Sprintf("c%03d@example.com", i)}}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(200))
			created = append(created, c["id"].(string))
		}
	})

	newestFirst := func() []string {
		out := make([]string, len(created))
		for i, id := range created {
			out[len(created)-1-i] = id
		}
		return out
	}

	It("walks every object newest first with starting_after (stripe-go auto-pagination)", func() {
		var got []string
		for c, err := range sc.V1Customers.List(Ctx, &stripe.CustomerListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(100)}}) {
			Expect(err).NotTo(HaveOccurred())
			got = append(got, c.ID)
		}
		Expect(got).To(Equal(newestFirst()))
	})

	It("pages backwards with ending_before", func() {
		all := newestFirst()
		var got []string
		cursor := all[len(all)-1]
		got = append(got, cursor)
		for {
			r := Do(emu.URL(), "GET", "/v1/customers?limit=7&ending_before="+cursor, "")
			Expect(r.Status).To(Equal(200))
			data := r.Body["data"].([]any)
			page := make([]string, len(data))
			for i, d := range data {
				page[i] = d.(map[string]any)["id"].(string)
			}
			// Each page is newest first and holds the objects just newer than the cursor.
			for i := len(page) - 1; i >= 0; i-- {
				got = append(got, page[i])
			}
			if r.Body["has_more"] != true {
				break
			}
			cursor = page[0]
		}
		Expect(got).To(Equal(created))
	})

	It("answers limit, has_more and url", func() {
		r := Do(emu.URL(), "GET", "/v1/customers", "")
		Expect(r.Body["object"]).To(Equal("list"))
		Expect(r.Body["url"]).To(Equal("/v1/customers"))
		Expect(r.Body["has_more"]).To(BeTrue())
		Expect(r.Body["data"]).To(HaveLen(10))

		for _, bad := range []string{"0", "101", "abc"} {
			r := Do(emu.URL(), "GET", "/v1/customers?limit="+bad, "")
			Expect(r.Status).To(Equal(400), bad)
			Expect(r.Error()["param"]).To(Equal("limit"))
		}
	})

	It("refuses both cursors at once and unknown cursors", func() {
		r := Do(emu.URL(), "GET", "/v1/customers?starting_after="+created[5]+"&ending_before="+created[9], "")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["message"]).To(Equal("You may only specify one of these parameters: starting_after, ending_before."))

		r = Do(emu.URL(), "GET", "/v1/customers?starting_after=cus_nope", "")
		Expect(r.Status).To(Equal(400))
		Expect(r.Error()["code"]).To(Equal("resource_missing"))
		Expect(r.Error()["param"]).To(Equal("starting_after"))
	})

	It("filters by created", func() {
		emu.Clock().Advance(3600e9)
		status, late, err := emu.Call("POST", "/v1/customers", url.Values{"email": {"late@example.com"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		var got []string
		for c, err := range sc.V1Customers.List(Ctx, &stripe.CustomerListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: int64(late["created"].(float64))}}) {
			Expect(err).NotTo(HaveOccurred())
			got = append(got, c.ID)
		}
		Expect(got).To(Equal([]string{late["id"].(string)}))
	})
})
