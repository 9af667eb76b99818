package tax

import (
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// CodeKind is the tax_code object. Tax codes are Stripe's, the same for
// every account, so they are not stored: Static serves them.
var CodeKind = &api.Kind{Object: "tax_code", Prefix: "txcd_", Name: "tax code", Static: staticCode}

// taxCode is one of Stripe's product tax codes.
type taxCode struct{ ID, Name, Description string }

// Nontaxable is the tax code of products no jurisdiction taxes.
const Nontaxable = "txcd_00000000"

// defaultCode is the tax code of a line whose product has none on an
// account whose settings set no default: Stripe Tax treats it as an
// electronically supplied service.
const defaultCode = "txcd_10000000"

// codes are the common Stripe tax codes, as Stripe lists them
// (GET /v1/tax_codes), in Stripe's order (by id).
var codes = []taxCode{
	{Nontaxable, "Nontaxable", "Any nontaxable good or service that can be used to ensure no tax is applied, even for jurisdictions that impose a tax."},
	{"txcd_10000000", "General - Electronically Supplied Services", "A digital service provided mainly through the internet with minimal human involvement, relying on information technology. Consider more specific categories like software, digital goods, cloud services, or website services before using this category."},
	{"txcd_10101000", "Video Streaming", "Streaming of a digital video (e.g. movies, TV shows, other video content) to the customer's device, without a permanent right to use the content."},
	{"txcd_10103000", "Software as a service (SaaS) - personal use", "Pre-written software, delivered electronically, but access remotely. Personal use."},
	{"txcd_10103001", "Software as a service (SaaS) - business use", "Pre-written software, delivered electronically, but access remotely. Business use."},
	{"txcd_10201000", "Video Games - downloaded - non subscription - with permanent rights", "Video or electronic games in the common sense are transferred electronically. These goods are downloaded to a device with permanent access granted."},
	{"txcd_10202000", "Infrastructure as a service (IaaS) - personal use", "Remote access to computing infrastructure: storage, servers, networking, operating systems. Personal use."},
	{"txcd_10301000", "Digital Books - downloaded - non subscription - with permanent rights", "Works that are generally recognized in the ordinary and usual sense as books and are transferred electronically. These goods are downloaded to a device with permanent access granted."},
	{"txcd_10401000", "Digital Audio Works - downloaded - non subscription - with permanent rights", "Works that result from the fixation of a series of musical, spoken, or other sounds that are transferred electronically. These goods are downloaded to a device with permanent access granted."},
	{"txcd_20030000", "General - Services", "General category for services. It should be used only when there is no more specific services category. In the European Union, the default rule for business-to-consumer sales (B2C) is the location of the seller, whereas for business-to-business sales (B2B) - the location of the buyer."},
	{"txcd_20060000", "Training Services - Live Virtual", "Live training services conducted over the internet."},
	{"txcd_30011000", "Clothing and Footwear", "Human wearing apparel suitable for general use."},
	{"txcd_35010000", "Books - Physical", "A book, including printed books, bound or unbound, in physical form."},
	{"txcd_40060003", "Food and Grocery", "Food for humans consumption, unprepared."},
	{"txcd_92010001", "Shipping", "Charges for the delivery of goods, when not included in the price of the goods and separately stated on the invoice."},
	{"txcd_99999999", "General - Tangible Goods", "A physical good that can be moved or touched. Also known as tangible personal property."},
}

var codesByID = func() map[string]taxCode {
	m := make(map[string]taxCode, len(codes))
	for _, c := range codes {
		m[c.ID] = c
	}
	return m
}()

func (t taxCode) object() store.Obj {
	return store.Obj{"id": t.ID, "object": "tax_code", "name": t.Name, "description": t.Description}
}

// staticCode serves a tax code by id (expansion of products', prices' and
// shipping rates' tax_code).
func staticCode(id string) (store.Obj, bool) {
	t, ok := codesByID[id]
	if !ok {
		return nil, false
	}
	return t.object(), true
}

// KnownCode says whether id is one of the tax codes the emulator knows.
func KnownCode(id string) bool { _, ok := codesByID[id]; return ok }

// CheckCode refuses a tax_code parameter naming a code Stripe does not
// have; param names the parameter.
func CheckCode(id, param string) error {
	if id == "" || KnownCode(id) {
		return nil
	}
	return apierr.InvalidRequest("Invalid tax code: %s. See https://stripe.com/docs/tax/tax-categories for the list of tax codes.", id).WithParam(param)
}

// CodeRoutes are the tax code endpoints.
func CodeRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/tax_codes", params.FromStruct(stripe.TaxCodeListParams{}), listCodes),
		api.GET("/v1/tax_codes/{id}", params.FromStruct(stripe.TaxCodeRetrieveParams{}), retrieveCode),
	}
}

func retrieveCode(c *api.Call) (any, error) {
	id := c.Var("id")
	t, ok := codesByID[id]
	if !ok {
		return nil, apierr.NoSuchObject("tax code", id, "id")
	}
	return t.object(), nil
}

// listCodes pages through the codes in Stripe's order.
func listCodes(c *api.Call) (any, error) {
	limit := 10
	if n, ok := c.Params.Int("limit"); ok {
		if n < 1 || n > 100 {
			return nil, apierr.InvalidRequest("Invalid limit: must be between 1 and 100").WithParam("limit")
		}
		limit = int(n)
	}
	after, _ := c.Params.Str("starting_after")
	before, _ := c.Params.Str("ending_before")
	if after != "" && before != "" {
		return nil, apierr.Exclusive("starting_after", "ending_before")
	}
	from, to := 0, len(codes)
	for _, cur := range []struct{ param, id string }{{"starting_after", after}, {"ending_before", before}} {
		if cur.id == "" {
			continue
		}
		i := codeIndex(cur.id)
		if i < 0 {
			return nil, apierr.NoSuchObject("tax code", cur.id, cur.param)
		}
		if cur.param == "starting_after" {
			from = i + 1
		} else {
			to = i
		}
	}
	var page []taxCode
	hasMore := false
	if before != "" {
		// The codes just before the cursor.
		from = max(0, to-limit)
		page, hasMore = codes[from:to], from > 0
	} else {
		end := min(len(codes), from+limit)
		page, hasMore = codes[from:end], end < len(codes)
	}
	data := make([]store.Obj, len(page))
	for i, t := range page {
		data[i] = t.object()
	}
	return &api.List{URL: "/v1/tax_codes", Data: data, HasMore: hasMore}, nil
}

func codeIndex(id string) int {
	for i, t := range codes {
		if t.ID == id {
			return i
		}
	}
	return -1
}
