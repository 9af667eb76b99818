package tax

import (
	"regexp"

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

// ShippingCode is the tax code of shipping charges.
const ShippingCode = "txcd_92010001"

// defaultCode is the code Stripe's Dashboard proposes as an account's
// preset (General - Electronically Supplied Services).
const defaultCode = "txcd_10000000"

// codeOrPreset is the tax code a line is taxed by: its own (or its
// product's), else the preset in the tax settings. With neither Stripe
// Tax cannot tax the line, and refuses it in the words integrators have
// logged from live requests.
func codeOrPreset(c *api.Call, code string) (string, error) {
	if code != "" {
		return code, nil
	}
	if preset := api.Str(api.Obj(Settings(c)["defaults"])["tax_code"]); preset != "" {
		return preset, nil
	}
	return "", apierr.InvalidRequest("You must specify a tax code in all line items to calculate taxes. Alternatively you can set a default tax code on your tax settings.")
}

// CheckLineCode refuses, as Stripe does when an object with automatic
// tax is created, a line whose product has no tax code (code "") on an
// account whose settings preset none.
func CheckLineCode(c *api.Call, code string) error {
	_, err := codeOrPreset(c, code)
	return err
}

// codes are common Stripe tax codes with the names and descriptions
// Stripe's GET /v1/tax_codes gives them, in its order: the four general
// codes first, then by id. (A selection: Stripe has several hundred.)
var codes = []taxCode{
	{"txcd_99999999", "General - Tangible Goods", "Any tangible or physical good. For jurisdictions that impose a tax, the standard rate is applied."},
	{"txcd_20030000", "General - Services", "Miscellaneous services. This code will only treat services as taxable if the jurisdiction taxes services generally."},
	{defaultCode, "General - Electronically Supplied Services", "Any electronically supplied good or service."},
	{Nontaxable, "Nontaxable", "Any nontaxable good or service which can be used to ensure no tax is applied, even for jurisdictions that impose a tax."},
	{"txcd_10010001", "Infrastructure as a service (IaaS) - personal use", "Cloud service offering infrastructure resources (specifically server storage, RAM, and CPU usage) over the internet. This offering is intended for personal use, rather than for use by a commercial enterprise.  Note: The distinction between business use and personal use for this product tax category is relevant only if you have sales in the US."},
	{"txcd_10101000", "Infrastructure as a service (IaaS) - business use", "Cloud service offering infrastructure resources (specifically server storage, RAM, and CPU usage) over the internet. This offering is intended for use by a commercial enterprise.  Note: The distinction between business use and personal use for this product tax category is relevant only if you have sales in the US."},
	{"txcd_10102000", "Platform as a service (PaaS) - business use", "Cloud service providing a platform for users to develop, run, and manage applications. This offering is intended for use by a commercial enterprise.  Note: The distinction between business use and personal use for this product tax category is relevant only if you have sales in the US."},
	{"txcd_10102001", "Platform as a Service (PaaS) - personal use", "Cloud service providing a platform for users to develop, run, and manage applications. This offering is intended for personal use, rather than for use by a commercial enterprise.  Note: The distinction between business use and personal use for this product tax category is relevant only if you have sales in the US."},
	{"txcd_10103000", "Software as a service (SaaS) - personal use", "Cloud services software delivered over the internet. The software isn't customized for a specific buyer and they don't download anything. The software is intended for personal use, rather than for use by a commercial enterprise.  Note: The distinction between business use and personal use for this product tax category is relevant only if you have sales in the US."},
	{"txcd_10103001", "Software as a service (SaaS) - business use", "Cloud services software delivered over the internet. The software isn't customized for a specific buyer and they don't download anything. The software is intended for use by a commercial enterprise.  Note: The distinction between business use and personal use for this product tax category is relevant only if you have sales in the US."},
	{"txcd_10202000", "Downloadable software - personal use", "Prewritten (\"canned\") software that the buyer downloads. The software is intended for personal use, rather than for use by a commercial enterprise.  Note: The distinction between business use and personal use for this product tax category is relevant only if you have sales in the US."},
	{"txcd_10202003", "Downloadable software - business use", "Prewritten (\"canned\") software that the buyer downloads. The software is intended for use by a commercial enterprise.  Note: The distinction between business use and personal use for this product tax category is relevant only if you have sales in the US."},
	{"txcd_10301000", "Audiobook", "The recording of a book read aloud and sold with unlimited usage (e.g., a downloaded audio copy of The High Growth Handbook)."},
	{"txcd_10302000", "e-book", "An electronic book sold with unlimited usage."},
	{"txcd_10401100", "Digital audio -- unlimited use", "A digital audio work sold with unlimited usage rights. (e.g., a downloaded song that you now own)."},
	{"txcd_10402200", "Digital video streaming -- subscription", "Audio visual work streamed over the internet. Access to the video programming is limited to the subscription period (e.g., access to stream video programming as long as a subscription is active)."},
	{"txcd_10501000", "Digital image", "A graphic or image that you access or receive electronically and have unlimited use of (e.g., a downloaded photograph)."},
	{"txcd_10701100", "Website hosting", "A service to enable a customer's website to be accessible on the internet."},
	{"txcd_20060000", "Professional services", "A charge for professional services (e.g., lawyers, dentists, engineers, physicians, etc.)."},
	{"txcd_20060044", "Training services", "A charge for training sessions which provide instruction to the buyer."},
	{"txcd_20060045", "Training Services - Live Virtual", "Live web based training. This does not include video replays of the instruction or course."},
	{"txcd_30011000", "Clothing and footwear", "Apparel and footwear for people made for general use."},
	{"txcd_35010000", "Books", "Books or booklets consisting of text or illustrations bound in a stiffer cover than the pages."},
	{"txcd_37010000", "Personal computers, including laptops, tablets, desktops", "Personal computers, including laptops, tablets, desktops."},
	{"txcd_40040000", "Food", "Food and food ingredients for home consumption."},
	{ShippingCode, "Shipping", "Charges for the delivery of goods to the buyer, when stated separately from the goods."},
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

// KnownCode says whether id is one of the tax codes the emulator lists.
func KnownCode(id string) bool { _, ok := codesByID[id]; return ok }

// codeForm is how every Stripe tax code id looks.
var codeForm = regexp.MustCompile(`^txcd_[0-9]{8}$`)

// CheckCode refuses a tax_code parameter (param names it) that cannot be
// a Stripe tax code. A well-formed id the emulator does not list is taken:
// Stripe has several hundred codes and the emulator lists the common ones,
// so it may well be real; Stripe Tax then treats it as taxable at the
// standard rate, as it does every code but Nontaxable.
func CheckCode(id, param string) error {
	if id == "" || KnownCode(id) || codeForm.MatchString(id) {
		return nil
	}
	return apierr.NoSuchObject("tax code", id, param)
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

// listCodes pages through the codes in Stripe's order, as any list of
// items that are not stored objects is paged.
func listCodes(c *api.Call) (any, error) {
	all := make([]any, len(codes))
	for i, t := range codes {
		all[i] = t.object()
	}
	return api.EmbeddedPage(c, all, "/v1/tax_codes", "tax code")
}
