package checkout

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/shipping"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// LinkKind is the payment_link object: a shareable URL that opens a
// Checkout Session for fixed line items. Its line_items are left out
// unless expanded, as on Stripe.
var LinkKind = &api.Kind{
	Object: "payment_link", Prefix: "plink_", Name: "payment link", Expandable: []string{"shipping_options.shipping_rate", "application", "on_behalf_of", "transfer_data.destination"},
	Includable: map[string]func(c *api.Call, o store.Obj) (any, error){"line_items": linkLineItemsList},
}

// MaxLinkItems is how many line items a payment link takes (Stripe: "Up
// to 20 line items are supported").
const MaxLinkItems = 20

// LinkRoutes is the payment links' endpoint table, and the test helper
// that stands for a customer opening the link's URL.
func LinkRoutes() []api.Route {
	base := "/v1/payment_links"
	enums := func(s *params.Schema) *params.Schema {
		return customFieldEnums(s).Enum("billing_address_collection", "auto", "required").
			Enum("customer_creation", "always", "if_required").
			Enum("submit_type", "auto", "book", "donate", "pay", "subscribe").
			Enum("after_completion.type", "hosted_confirmation", "redirect").
			Enum("payment_method_collection", "always", "if_required").
			Enum("tax_id_collection.required", "if_supported", "never").
			With("shipping_address_collection.allowed_countries", shipping.AllowedCountries())
	}
	open := params.Object(map[string]*params.Schema{
		"customer_email": params.String(), "client_reference_id": params.String(), "locale": params.String(),
		"utm_source": params.String(), "utm_medium": params.String(), "utm_campaign": params.String(),
		"utm_term": params.String(), "utm_content": params.String(),
		"expand": params.ArrayOf(params.String()),
	}).Enum("locale", checkoutLocales...)
	return []api.Route{
		api.POST(base, enums(params.FromStruct(stripe.PaymentLinkCreateParams{})), createLink),
		api.GET(base, params.FromStruct(stripe.PaymentLinkListParams{}), listLinks),
		api.GET(base+"/{id}", params.FromStruct(stripe.PaymentLinkRetrieveParams{}), retrieveLink),
		api.POST(base+"/{id}", enums(params.FromStruct(stripe.PaymentLinkUpdateParams{})), updateLink),
		api.GET(base+"/{id}/line_items", params.FromStruct(stripe.PaymentLinkListLineItemsParams{}), listLinkLineItems),
		api.POST("/v1/test_helpers/payment_links/{id}/sessions", open, openLinkSession),
	}
}

// linkItem is a link's line item as kept: the item Stripe lists, and the
// adjustable_quantity the sessions it opens are given.
type linkItem struct {
	Item       store.Obj      `json:"item"`
	Adjustable map[string]any `json:"adjustable,omitempty"`
	// Inline: the price was made from the link's price_data, archived
	// from the start as Stripe's inline prices are; the link's sessions
	// still bill it.
	Inline bool `json:"inline,omitempty"`
}

func linkItemsKey(acct, id string) string { return "plitems:" + acct + ":" + id }

func storedLinkItems(c *api.Call, id string) []linkItem {
	raw, _ := c.Tx.GetMeta(linkItemsKey(c.Account, id))
	var items []linkItem
	_ = json.Unmarshal([]byte(raw), &items)
	for i, it := range items {
		it.Item["quantity"] = api.Int(it.Item["quantity"])
		if it.Adjustable != nil {
			// Whole numbers, as checkAdjustable made them (JSON made
			// them floats).
			items[i].Adjustable = retype(it.Adjustable).(map[string]any)
		}
	}
	return items
}

func saveLinkItems(c *api.Call, id string, items []linkItem) error {
	raw, _ := json.Marshal(items)
	return c.Tx.SetMeta(linkItemsKey(c.Account, id), string(raw))
}

func linkLineItemsList(c *api.Call, o store.Obj) (any, error) {
	items := storedLinkItems(c, api.Str(o["id"]))
	data := make([]any, len(items))
	for i, it := range items {
		data[i] = it.Item
	}
	return firstPage(data, "/v1/payment_links/"+api.Str(o["id"])+"/line_items"), nil
}

// linkMode is the mode of the sessions a link opens: subscription when
// any of its prices is recurring.
func linkMode(items []linkItem) string {
	for _, it := range items {
		if api.Obj(it.Item["price"])["type"] == "recurring" {
			return "subscription"
		}
	}
	return "payment"
}

// linkURL is a link's address: Stripe's host as a path of the emulator's
// (its page opens a Checkout Session, see Emulator's paymentLinkPage),
// or Stripe's own when the emulator's address is not known.
func linkURL(c *api.Call, submitType, token string) string {
	host := "buy.stripe.com"
	if submitType == "donate" {
		// Stripe: submit_type also affects the url's hostname.
		host = "donate.stripe.com"
	}
	if c.BaseURL == nil {
		return "https://" + host + "/test_" + token
	}
	return c.PageURL("/" + host + "/test_" + token)
}

// LinkToken is the token a link's url ends with ("test_…" less the
// prefix), which its page is found by.
func LinkToken(url string) string {
	_, token, _ := strings.Cut(url, "/test_")
	token, _, _ = strings.Cut(token, "?")
	return token
}

func createLink(c *api.Call) (any, error) {
	if err := checkLinkEmptied(c, true); err != nil {
		return nil, err
	}
	raw := c.Params.Array("line_items")
	if len(raw) == 0 {
		return nil, apierr.MissingParam("line_items")
	}
	if len(raw) > MaxLinkItems {
		return nil, apierr.InvalidRequest("A payment link can have at most %d line items; you passed %d.", MaxLinkItems, len(raw)).WithParam("line_items")
	}
	adjustable := make([]map[string]any, len(raw))
	for i, li := range raw {
		if a, ok := li.Obj("adjustable_quantity"); ok {
			adj, err := checkAdjustable(a, fmt.Sprintf("line_items[%d][adjustable_quantity]", i))
			if err != nil {
				return nil, err
			}
			adjustable[i] = adj
		}
	}
	// currency, when sent, picks one of the prices' currency_options.
	requested, _ := c.Params.Str("currency")
	checked, _, currency, total, err := lineItems(c, "", requested, nil)
	if err != nil {
		return nil, err
	}
	items := make([]linkItem, len(checked))
	for i, it := range checked {
		items[i] = linkItem{Item: it, Adjustable: adjustable[i], Inline: raw[i].Has("price_data")}
	}
	if err := checkLinkPrices(items); err != nil {
		return nil, err
	}
	mode := linkMode(items)
	if mode == "payment" {
		// Stripe refuses the link as the sessions it opens would be.
		if err := checkMinimumCharge(total, currency); err != nil {
			return nil, err
		}
	}
	id := c.NewID("payment_link")
	l := c.Object("payment_link", id, store.Obj{
		"active": true, "after_completion": store.Obj{"hosted_confirmation": store.Obj{"custom_message": nil}, "type": "hosted_confirmation"},
		"allow_promotion_codes": false, "application": nil, "application_fee_amount": nil, "application_fee_percent": nil,
		"automatic_tax":              linkAutomaticTax(false),
		"billing_address_collection": "auto", "consent_collection": nil, "currency": currency, "custom_fields": []any{},
		"custom_text":       store.Obj{"after_submit": nil, "shipping_address": nil, "submit": nil, "terms_of_service_acceptance": nil},
		"customer_creation": "if_required", "inactive_message": nil,
		"invoice_creation": store.Obj{"enabled": false, "invoice_data": store.Obj{
			"account_tax_ids": nil, "custom_fields": nil, "description": nil, "footer": nil, "issuer": nil,
			"metadata": map[string]any{}, "rendering_options": nil,
		}},
		"metadata": map[string]any{}, "on_behalf_of": nil, "optional_items": nil, "payment_intent_data": nil,
		"payment_method_collection": "always", "payment_method_types": nil, "phone_number_collection": store.Obj{"enabled": false},
		"restrictions": nil, "shipping_address_collection": nil, "shipping_options": []any{}, "submit_type": "auto",
		"subscription_data": nil, "tax_id_collection": store.Obj{"enabled": false, "required": "never"}, "transfer_data": nil,
		"url": linkURL(c, "", c.IDs.Secret(18)),
	})
	delete(l, "created") // a payment link has no created timestamp
	if c.Connected {
		// The platform makes it on its connected account: its Connect
		// application is the link's, as a PaymentIntent's.
		l["application"] = c.ConnectApplication()
	}
	if mode == "subscription" {
		l["subscription_data"] = emptySubscriptionData()
	}
	rates, err := shippingRates(c, mode, currency, "payment links")
	if err != nil {
		return nil, err
	}
	l["shipping_options"] = shippingOptions(rates)
	if err := applyLinkSettings(c, l, mode, items); err != nil {
		return nil, err
	}
	if err := applyLinkConnect(c, l, mode); err != nil {
		return nil, err
	}
	if err := applyLinkOptionalItems(c, l, mode, checked); err != nil {
		return nil, err
	}
	if err := saveLinkItems(c, id, items); err != nil {
		return nil, err
	}
	if err := c.Insert(l); err != nil {
		return nil, err
	}
	return l, nil
}

// linkEmptiable are the settings Stripe's spec lets a create (true) or an
// update (false) send as "" to empty them; metadata keys always may be.
var linkEmptiable = map[bool]map[string]bool{
	true: setOf("custom_text.after_submit", "custom_text.shipping_address", "custom_text.submit", "custom_text.terms_of_service_acceptance",
		"invoice_creation.invoice_data.account_tax_ids", "invoice_creation.invoice_data.custom_fields", "invoice_creation.invoice_data.rendering_options"),
	false: setOf("custom_fields", "custom_text.after_submit", "custom_text.shipping_address", "custom_text.submit", "custom_text.terms_of_service_acceptance",
		"inactive_message", "invoice_creation.invoice_data.account_tax_ids", "invoice_creation.invoice_data.custom_fields",
		"invoice_creation.invoice_data.rendering_options", "payment_intent_data.description", "payment_intent_data.statement_descriptor",
		"payment_intent_data.statement_descriptor_suffix", "payment_intent_data.transfer_group", "payment_method_types", "restrictions",
		"shipping_address_collection", "subscription_data.trial_period_days", "subscription_data.trial_settings"),
}

func setOf(names ...string) map[string]bool {
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out
}

// checkLinkEmptied refuses "" for any other parameter, as Stripe does
// ("… cannot be unset"), rather than store an empty or null setting
// Stripe never shows.
func checkLinkEmptied(c *api.Call, isNew bool) error {
	return api.RefuseEmptied(c.Params.Unmarked(), linkEmptiable[isNew])
}

func emptySubscriptionData() store.Obj {
	return store.Obj{"description": nil, "invoice_settings": store.Obj{"issuer": store.Obj{"type": "self"}},
		"metadata": map[string]any{}, "trial_period_days": nil, "trial_settings": nil}
}

// maxAdjustableQuantity is the largest maximum an adjustable quantity
// takes (Stripe: "You can specify a value up to 999999").
const maxAdjustableQuantity = 999999

func checkAdjustable(a params.Values, prefix string) (map[string]any, error) {
	enabled, ok := a.Bool("enabled")
	if !ok {
		return nil, apierr.MissingParam(prefix + "[enabled]")
	}
	out := map[string]any{"enabled": enabled}
	lo, hasLo := a.Int("minimum")
	hi, hasHi := a.Int("maximum")
	if hasHi && (hi < 1 || hi > maxAdjustableQuantity) {
		return nil, apierr.InvalidRequest("The maximum adjustable quantity must be between 1 and %d.", maxAdjustableQuantity).WithParam(prefix + "[maximum]")
	}
	if hasLo && (lo < 0 || (hasHi && lo > hi)) {
		return nil, apierr.InvalidRequest("The minimum adjustable quantity must be between 0 and the maximum.").WithParam(prefix + "[minimum]")
	}
	if hasLo {
		out["minimum"] = lo
	}
	if hasHi {
		out["maximum"] = hi
	}
	return out, nil
}

// checkLinkPrices refuses what the sessions a link opens could not
// complete: recurring prices of different intervals (Stripe refuses them
// on one subscription), and one-time prices next to recurring ones, which
// Stripe puts on the first invoice and the emulator's Checkout does not.
func checkLinkPrices(items []linkItem) error {
	var first store.Obj
	oneTime, recurring := -1, -1
	for i, it := range items {
		price := api.Obj(it.Item["price"])
		if err := catalog.CheckChosenAmount(price, fmt.Sprintf("line_items[%d][price]", i)); err != nil {
			return err
		}
		if price["type"] != "recurring" {
			oneTime = i
			continue
		}
		recurring = i
		rec := api.Obj(price["recurring"])
		if first == nil {
			first = rec
		} else if rec["interval"] != first["interval"] || api.Int(rec["interval_count"]) != api.Int(first["interval_count"]) {
			return apierr.InvalidRequest("All recurring prices of a payment link must have the same recurring interval and interval_count.").WithParam(fmt.Sprintf("line_items[%d][price]", i))
		}
	}
	if oneTime >= 0 && recurring >= 0 {
		return apierr.InvalidRequest("stripe-emu does not emulate payment links mixing one-time and recurring prices (Stripe adds the one-time ones to the subscription's first invoice), so it refused the request rather than answer as if it had taken effect.").WithParam(fmt.Sprintf("line_items[%d][price]", max(oneTime, recurring)))
	}
	return nil
}

// linkLengths are the longest strings Stripe takes for a link's settings
// (its OpenAPI spec's maxLength).
var linkLengths = []api.MaxLength{
	{Path: "inactive_message", Limit: 500},
	{Path: "after_completion.hosted_confirmation.custom_message", Limit: 500},
	{Path: "after_completion.redirect.url", Limit: 2048},
	{Path: "payment_intent_data.description", Limit: 1000},
	{Path: "payment_intent_data.statement_descriptor", Limit: 22},
	{Path: "payment_intent_data.statement_descriptor_suffix", Limit: 22},
	{Path: "subscription_data.description", Limit: 500},
	{Path: "invoice_creation.invoice_data.description", Limit: 1500},
}

// applyLinkSettings sets what create and update share on l. Parameters it
// does not read (custom fields and text, consent collection, Connect
// fees, optional items…) are refused by name.
func applyLinkSettings(c *api.Call, l store.Obj, mode string, items []linkItem) error {
	if err := c.CheckLengths(linkLengths...); err != nil {
		return err
	}
	// The sessions a link opens with automatic tax need every price to
	// resolve to inclusive or exclusive, as a session's do.
	enabled, sent, err := readAutomaticTax(c)
	if err != nil {
		return err
	}
	for i, it := range items {
		if !enabled {
			break
		}
		if err := checkTaxable(c, it.Item, inlineParam(c, "line_items", i, "price")); err != nil {
			return err
		}
	}
	if sent {
		l["automatic_tax"] = linkAutomaticTax(enabled)
	}
	if v, ok := c.Params.Str("payment_method_collection"); ok {
		// Stripe: "Can only be set in `subscription` mode."
		if mode != "subscription" {
			return apierr.InvalidRequest("`payment_method_collection` can only be used with payment links that have a recurring price.").WithParam("payment_method_collection")
		}
		l["payment_method_collection"] = v
	}
	c.Copy(l, "allow_promotion_codes", "billing_address_collection", "customer_creation", "inactive_message", "submit_type")
	for _, f := range []string{"billing_address_collection", "customer_creation", "submit_type", "allow_promotion_codes"} {
		if l[f] == nil {
			return apierr.InvalidEmpty(f)
		}
	}
	if api.Bool(l["allow_promotion_codes"]) && len(anyList(l["optional_items"])) > 0 {
		// The sessions it opens could not be created (see
		// applyOptionalItems).
		return apierr.InvalidRequest("stripe-emu does not emulate `optional_items` together with promotion codes, so it refused the request rather than answer as if it had taken effect.").WithParam("allow_promotion_codes")
	}
	l["url"] = linkURL(c, api.Str(l["submit_type"]), LinkToken(api.Str(l["url"])))
	if ac, ok := c.Params.Obj("after_completion"); ok {
		typ, _ := ac.Str("type")
		switch typ {
		case "":
			return apierr.MissingParam("after_completion[type]")
		case "redirect":
			u, _ := ac.Str("redirect.url")
			if u == "" {
				return apierr.MissingParam("after_completion[redirect][url]")
			}
			// It becomes the success_url of the sessions the link opens:
			// refused now, with Checkout's words, rather than when the
			// first customer opens the link.
			if !api.HasScheme(u) {
				return apierr.URLWithoutScheme("after_completion[redirect][url]")
			}
			l["after_completion"] = store.Obj{"redirect": store.Obj{"url": u}, "type": "redirect"}
		default:
			msg, _ := ac.Str("hosted_confirmation.custom_message")
			l["after_completion"] = store.Obj{"hosted_confirmation": store.Obj{"custom_message": api.NilIfEmpty(msg)}, "type": "hosted_confirmation"}
		}
	}
	if enabled, ok := c.Params.Bool("phone_number_collection.enabled"); ok {
		l["phone_number_collection"] = store.Obj{"enabled": enabled}
	}
	if c.Params.Has("tax_id_collection") && !c.Params.Has("tax_id_collection.enabled") {
		return apierr.MissingParam("tax_id_collection[enabled]")
	}
	if enabled, ok := c.Params.Bool("tax_id_collection.enabled"); ok {
		required, _ := c.Params.Str("tax_id_collection.required")
		if required == "" {
			required = "never"
		}
		l["tax_id_collection"] = store.Obj{"enabled": enabled, "required": required}
	}
	if c.Params.Has("shipping_address_collection") {
		if countries := c.Params.Strings("shipping_address_collection.allowed_countries"); len(countries) > 0 {
			l["shipping_address_collection"] = store.Obj{"allowed_countries": api.Anys(countries)}
		} else {
			l["shipping_address_collection"] = nil
		}
	}
	if c.Params.Has("payment_method_types") {
		if types := c.Params.Strings("payment_method_types"); len(types) > 0 {
			// Refused now, as the sessions it opens would be (a manual
			// capture's refusals are checkLinkIntentTypes'), rather than
			// when a customer opens it. Its page is the web, WeChat Pay's
			// client there.
			for _, t := range types {
				if err := refuseSessionType(t, mode, false, false, "web"); err != nil {
					return err
				}
			}
			if err := payments.CheckTypesCurrency("Payment Link", api.Str(l["currency"]), api.Anys(types), "payment_method_types"); err != nil {
				return err
			}
			l["payment_method_types"] = api.Anys(types)
		} else {
			l["payment_method_types"] = nil
		}
	}
	if c.Params.Has("restrictions") {
		if c.Params.Unset("restrictions") {
			l["restrictions"] = nil
		} else {
			limit, ok := c.Params.Int("restrictions.completed_sessions.limit")
			if !ok {
				return apierr.MissingParam("restrictions[completed_sessions][limit]")
			}
			if limit < 1 {
				return apierr.InvalidRequest("The completed sessions limit must be at least 1.").WithParam("restrictions[completed_sessions][limit]")
			}
			count := api.Int(api.Obj(api.Obj(l["restrictions"])["completed_sessions"])["count"])
			l["restrictions"] = store.Obj{"completed_sessions": store.Obj{"count": count, "limit": limit}}
		}
	}
	if err := applyLinkData(c, l, mode); err != nil {
		return err
	}
	if cc, ok := c.Params.Obj("consent_collection"); ok {
		// Create only (Stripe's update takes none); read before
		// custom_text, whose terms text needs terms_of_service=required.
		l["consent_collection"] = readConsentCollection(cc)
	}
	if err := applyLinkCustomPage(c, l); err != nil {
		return err
	}
	if err := applyLinkInvoiceCreation(c, l, mode); err != nil {
		return err
	}
	// The sessions it opens could not be created beside a post-payment
	// invoice the emulator cannot make (see checkInvoiceCreation): refused
	// now, as the session it would open is.
	opened := store.Obj{"invoice_creation": l["invoice_creation"], "allow_promotion_codes": l["allow_promotion_codes"],
		"shipping_options": l["shipping_options"], "automatic_tax": l["automatic_tax"]}
	if err := checkInvoiceCreation(c, opened, nil, api.Obj(l["payment_intent_data"])); err != nil {
		return err
	}
	if err := checkLinkIntentTypes(c, l, mode); err != nil {
		return err
	}
	return c.ApplyMetadata(l)
}

// applyLinkData sets payment_intent_data (one-time links) and
// subscription_data (recurring links), the fields the sessions the link
// opens hand on to the PaymentIntent or Subscription they create.
func applyLinkData(c *api.Call, l store.Obj, mode string) error {
	if pd, ok := c.Params.Obj("payment_intent_data"); ok {
		if mode != "payment" {
			return apierr.InvalidRequest("`payment_intent_data` can only be used with payment links whose prices are all one-time.").WithParam("payment_intent_data")
		}
		// As the sessions it opens would be refused.
		if err := checkIntentInputs(c, pd); err != nil {
			return err
		}
		out := api.Obj(l["payment_intent_data"])
		if len(out) == 0 {
			out = store.Obj{"capture_method": nil, "description": nil, "metadata": map[string]any{}, "setup_future_usage": nil,
				"statement_descriptor": nil, "statement_descriptor_suffix": nil, "transfer_group": nil}
		} else {
			out = api.Clone(out)
		}
		for _, k := range []string{"capture_method", "description", "setup_future_usage", "statement_descriptor", "statement_descriptor_suffix", "transfer_group"} {
			if v, ok := pd.Str(k); ok {
				out[k] = api.NilIfEmpty(v)
			}
		}
		if md, ok := pd.Metadata("metadata"); ok {
			out["metadata"] = md
		} else if pd.Unset("metadata") {
			out["metadata"] = map[string]any{}
		}
		l["payment_intent_data"] = out
	}
	if sd, ok := c.Params.Obj("subscription_data"); ok {
		if mode != "subscription" {
			return apierr.InvalidRequest("`subscription_data` can only be used with payment links that have a recurring price.").WithParam("subscription_data")
		}
		out := api.Clone(api.Obj(l["subscription_data"]))
		if v, ok := sd.Str("description"); ok {
			out["description"] = api.NilIfEmpty(v)
		}
		if md, ok := sd.Metadata("metadata"); ok {
			out["metadata"] = md
		} else if sd.Unset("metadata") {
			out["metadata"] = map[string]any{}
		}
		if d, ok := sd.Int("trial_period_days"); ok {
			if d < 1 {
				return apierr.InvalidRequest("The trial period must be at least one day.").WithParam("subscription_data[trial_period_days]")
			}
			if d > billing.MaxTrialDays {
				// The sessions it opens could not take it.
				return billing.TrialTooLong("subscription_data[trial_period_days]")
			}
			out["trial_period_days"] = d
		} else if sd.Unset("trial_period_days") {
			out["trial_period_days"] = nil
		}
		if sd.Has("invoice_settings.issuer") {
			// The link's subscriptions are invoiced by the account itself,
			// as it already shows; a connected account issuer is not
			// emulated, as on a Checkout Session's subscription_data.
			const param = "subscription_data[invoice_settings][issuer][type]"
			switch typ, _ := sd.Str("invoice_settings.issuer.type"); typ {
			case "self":
			case "":
				return apierr.MissingParam(param)
			default:
				return apierr.InvalidRequest("stripe-emu does not emulate subscriptions invoiced by a connected account, so it refused the request rather than answer as if `%s=%s` had taken effect.", param, typ).WithParam(param)
			}
		}
		if b, _ := sd.Str("trial_settings.end_behavior.missing_payment_method"); b != "" {
			out["trial_settings"] = store.Obj{"end_behavior": store.Obj{"missing_payment_method": b}}
		} else if sd.Unset("trial_settings") {
			out["trial_settings"] = nil
		}
		l["subscription_data"] = out
	}
	return nil
}

// applyLinkConnect sets a one-time link's Connect fields (create only,
// as Stripe's update takes none): the destination and on_behalf_of its
// sessions' PaymentIntents pay, and the platform's application fee, held
// to a PaymentIntent's refusals now rather than when a customer pays.
// A recurring link's (application_fee_percent, transfer_data,
// on_behalf_of) are left unread, and so refused as not emulated, as
// Checkout's subscription_data takes none of them.
func applyLinkConnect(c *api.Call, l store.Obj, mode string) error {
	if mode == "subscription" {
		if c.Params.Has("application_fee_amount") {
			// Stripe's parameter: "Can only be applied when there are no
			// line items with recurring prices." (wording not verified)
			return apierr.InvalidRequest("`application_fee_amount` can only be used with payment links whose prices are all one-time.").WithParam("application_fee_amount")
		}
		return nil
	}
	if c.Params.Has("application_fee_percent") {
		// Stripe's parameter: "There must be at least 1 line item with a
		// recurring price to use this field." (wording not verified)
		return apierr.InvalidRequest("`application_fee_percent` can only be used with payment links that have a recurring price.").WithParam("application_fee_percent")
	}
	if err := payments.ApplyIntentConnect(c, l); err != nil {
		return err
	}
	if td := api.Obj(l["transfer_data"]); td != nil && td["amount"] == nil {
		// A link shows the amount it transfers, null when it is the whole.
		td["amount"] = nil
	}
	return nil
}

// applyLinkOptionalItems reads a link's optional_items (create only, as
// Stripe's update takes none), held to what the sessions the link opens
// take: Checkout's checks, made on a session as the link would open it.
func applyLinkOptionalItems(c *api.Call, l store.Obj, mode string, items []store.Obj) error {
	raw := c.Params.Array("optional_items")
	if len(raw) == 0 {
		return nil
	}
	if n := len(raw) + len(items); n > MaxLinkItems {
		// Stripe: "There is a maximum of 20 combined line items and
		// optional items." (wording of the refusal not verified)
		return apierr.InvalidRequest("A payment link can have at most %d line items and optional items combined; you passed %d.", MaxLinkItems, n).WithParam("optional_items")
	}
	s := store.Obj{"mode": mode, "currency": l["currency"], "ui_mode": "hosted", "discounts": []any{}, "allow_promotion_codes": l["allow_promotion_codes"]}
	if err := applyOptionalItems(c, s, items, nil, nil); err != nil {
		return err
	}
	l["optional_items"] = s["optional_items"]
	return nil
}

// linkConnectData is what a one-time link's Connect fields add to the
// payment_intent_data of the sessions it opens.
func linkConnectData(l store.Obj, data map[string]any) map[string]any {
	add := map[string]any{}
	if td := api.Obj(l["transfer_data"]); len(td) > 0 {
		add["transfer_data"] = withoutNulls(map[string]any(td))
	}
	if obo, _ := l["on_behalf_of"].(string); obo != "" {
		add["on_behalf_of"] = obo
	}
	if l["application_fee_amount"] != nil {
		add["application_fee_amount"] = api.Int(l["application_fee_amount"])
	}
	if len(add) == 0 {
		return data
	}
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range add {
		data[k] = v
	}
	return data
}

func loadLink(c *api.Call) (store.Obj, error) {
	return c.Load("payment_link", c.Var("id"), "id")
}

func retrieveLink(c *api.Call) (any, error) { return loadLink(c) }

func updateLink(c *api.Call) (any, error) {
	before, err := loadLink(c)
	if err != nil {
		return nil, err
	}
	if err := checkLinkEmptied(c, false); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if active, ok := c.Params.Bool("active"); ok {
		after["active"] = active
	}
	items := storedLinkItems(c, api.Str(before["id"]))
	if raw := c.Params.Array("line_items"); len(raw) > 0 {
		if items, err = updateLinkItems(c, items, raw, api.Str(before["currency"])); err != nil {
			return nil, err
		}
		if err := saveLinkItems(c, api.Str(before["id"]), items); err != nil {
			return nil, err
		}
	}
	if err := applyLinkSettings(c, after, linkMode(items), items); err != nil {
		return nil, err
	}
	return after, c.Save(before, after)
}

// updateLinkItems changes the quantity or adjustable_quantity of existing
// line items, named by id (Stripe's update takes no new items), priced in
// the link's currency.
func updateLinkItems(c *api.Call, items []linkItem, raw []params.Values, currency string) ([]linkItem, error) {
	for i, li := range raw {
		prefix := fmt.Sprintf("line_items[%d]", i)
		id, _ := li.Str("id")
		if id == "" {
			return nil, apierr.MissingParam(prefix + "[id]")
		}
		n := -1
		for j, it := range items {
			if it.Item["id"] == id {
				n = j
			}
		}
		if n < 0 {
			return nil, apierr.InvalidRequest("The line item %s is not on this payment link.", id).WithParam(prefix + "[id]")
		}
		if q, ok := li.Int("quantity"); ok {
			if q < 1 {
				return nil, apierr.InvalidRequest("Quantity must be at least 1.").WithParam(prefix + "[quantity]")
			}
			item := api.Clone(items[n].Item)
			amount := catalog.Amount(c, api.Obj(item["price"]), currency, q)
			item["quantity"], item["amount_subtotal"], item["amount_total"] = q, amount, amount
			items[n].Item = item
		}
		if a, ok := li.Obj("adjustable_quantity"); ok {
			adj, err := checkAdjustable(a, prefix+"[adjustable_quantity]")
			if err != nil {
				return nil, err
			}
			items[n].Adjustable = adj
		}
		// The item as it now stands: a quantity the page could not show
		// within its bounds is refused, as at creation.
		param := prefix + "[quantity]"
		if !li.Has("quantity") {
			param = prefix + "[adjustable_quantity]"
		}
		if err := quantityWithin(items[n].Adjustable, api.Int(items[n].Item["quantity"]), param); err != nil {
			return nil, err
		}
	}
	return items, nil
}

func listLinks(c *api.Call) (any, error) {
	q, err := c.ListQuery("payment_link")
	if err != nil {
		return nil, err
	}
	if active, ok := c.Params.Bool("active"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Bool(o["active"]) == active })
	}
	return c.Page("payment_link", "/v1/payment_links", q), nil
}

func listLinkLineItems(c *api.Call) (any, error) {
	l, err := loadLink(c)
	if err != nil {
		return nil, err
	}
	items := storedLinkItems(c, api.Str(l["id"]))
	data := make([]any, len(items))
	for i, it := range items {
		data[i] = it.Item
	}
	return api.EmbeddedPage(c, data, "/v1/payment_links/"+api.Str(l["id"])+"/line_items", ItemKind.Name)
}

// openLinkSession is a customer opening the link's URL: a Checkout
// Session for its line items, with its settings, and payment_link set.
// A deactivated link opens nothing.
// UTMCodes are the campaign parameters a payment link's URL may carry:
// with a redirect after payment, Stripe carries them over to its URL.
var UTMCodes = []string{"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"}

// withUTM is the redirect URL u with the UTM codes the link was opened
// with added to its query.
func withUTM(c *api.Call, u string) string {
	extra := url.Values{}
	for _, k := range UTMCodes {
		if v, _ := c.Params.Str(k); v != "" {
			extra.Set(k, v)
		}
	}
	if len(extra) == 0 {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + extra.Encode()
}

func openLinkSession(c *api.Call) (any, error) {
	l, err := loadLink(c)
	if err != nil {
		return nil, err
	}
	if !api.Bool(l["active"]) {
		return nil, apierr.InvalidRequest("The payment link %s is not active: a customer visiting its URL is shown that the link has been deactivated, and no Checkout Session opens.", l["id"])
	}
	items := storedLinkItems(c, api.Str(l["id"]))
	mode := linkMode(items)
	lines := make([]any, len(items))
	inline := map[string]bool{}
	for i, it := range items {
		if it.Inline {
			inline[api.Str(api.Obj(it.Item["price"])["id"])] = true
		}
		line := map[string]any{"price": api.Str(api.Obj(it.Item["price"])["id"]), "quantity": api.Int(it.Item["quantity"])}
		if it.Adjustable != nil {
			line["adjustable_quantity"] = it.Adjustable
		}
		lines[i] = line
	}
	// The sessions a link opens are in its currency (a currency option's
	// amounts when it was made with one).
	p := map[string]any{"mode": mode, "line_items": lines, "currency": l["currency"]}
	// What the link's URL can carry (?prefilled_email=, ?client_reference_id=,
	// ?locale=), as Stripe's payment links take them.
	for _, k := range []string{"customer_email", "client_reference_id", "locale"} {
		if v, _ := c.Params.Str(k); v != "" {
			p[k] = v
		}
	}
	if ac := api.Obj(l["after_completion"]); ac["type"] == "redirect" {
		p["success_url"] = withUTM(c, api.Str(api.Obj(ac["redirect"])["url"]))
	} else {
		c.Params.MarkRead(UTMCodes...) // no redirect to carry them to
	}
	if api.Bool(l["allow_promotion_codes"]) {
		p["allow_promotion_codes"] = true
	}
	if cc, _ := withoutNulls(l["consent_collection"]).(map[string]any); len(cc) > 0 {
		p["consent_collection"] = cc
	}
	p["billing_address_collection"] = l["billing_address_collection"]
	// Checkout takes submit_type in payment and subscription mode alike.
	p["submit_type"] = l["submit_type"]
	if mode == "payment" {
		p["customer_creation"] = l["customer_creation"]
	} else {
		p["payment_method_collection"] = l["payment_method_collection"]
	}
	if api.Bool(api.Obj(l["phone_number_collection"])["enabled"]) {
		p["phone_number_collection"] = map[string]any{"enabled": true}
	}
	if autoTaxEnabled(l) {
		p["automatic_tax"] = map[string]any{"enabled": true}
	}
	if tc := api.Obj(l["tax_id_collection"]); api.Bool(tc["enabled"]) {
		p["tax_id_collection"] = map[string]any{"enabled": true, "required": tc["required"]}
	}
	if sa := api.Obj(l["shipping_address_collection"]); len(sa) > 0 {
		p["shipping_address_collection"] = map[string]any{"allowed_countries": sa["allowed_countries"]}
	}
	if types, _ := l["payment_method_types"].([]any); len(types) > 0 {
		p["payment_method_types"] = types
		if slices.Contains(types, any("wechat_pay")) {
			// Checkout needs the client WeChat Pay is paid from: the
			// link's page is a web page.
			p["payment_method_options"] = map[string]any{"wechat_pay": map[string]any{"client": "web"}}
		}
	}
	if options, _ := l["shipping_options"].([]any); len(options) > 0 {
		list := make([]any, len(options))
		kept := map[string]bool{}
		for i, o := range options {
			id := api.Str(api.Obj(o)["shipping_rate"])
			list[i] = map[string]any{"shipping_rate": id}
			kept[id] = true
		}
		p["shipping_options"] = list
		// The link keeps offering the rates it was made with, archived
		// since or not.
		c.SetScratch(scratchLinkRates, kept)
		defer c.SetScratch(scratchLinkRates, nil)
	}
	data := linkObjectData(l, mode)
	if mode == "payment" {
		data = linkConnectData(l, data)
	}
	if data != nil {
		p[map[string]string{"payment": "payment_intent_data", "subscription": "subscription_data"}[mode]] = data
	}
	if ic := linkInvoiceCreation(l); ic != nil && mode == "payment" {
		p["invoice_creation"] = ic
	}
	linkCustomPage(l, p)
	if optional := anyList(l["optional_items"]); len(optional) > 0 {
		p["optional_items"] = retype(withoutNulls(optional))
	}
	c.SetScratch(scratchLinkPrices, inline)
	defer c.SetScratch(scratchLinkPrices, nil)
	s, err := createFrom(c, p)
	if err != nil {
		return nil, err
	}
	s["payment_link"] = l["id"]
	// Stripe copies the link's metadata to the sessions it opens.
	md := map[string]any{}
	for k, v := range api.Obj(l["metadata"]) {
		md[k] = v
	}
	s["metadata"] = md
	return s, c.Put(s)
}

// scratchLinkPrices holds, while a payment link opens a session, the
// inline prices the link made from price_data: inactive, yet the prices
// its sessions bill.
const scratchLinkPrices = "checkout.linkInlinePrices"

// linkObjectData is the link's payment_intent_data or subscription_data
// as Checkout's parameter of the same name, without unset fields.
func linkObjectData(l store.Obj, mode string) map[string]any {
	src := api.Obj(l[map[string]string{"payment": "payment_intent_data", "subscription": "subscription_data"}[mode]])
	out := map[string]any{}
	for k, v := range src {
		switch {
		case v == nil, k == "invoice_settings":
		case k == "metadata":
			if m, _ := v.(map[string]any); len(m) > 0 {
				out[k] = m
			}
		case k == "trial_period_days":
			out[k] = api.Int(v)
		default:
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// linkSessionCompleted counts a completed session against its link's
// restrictions; the link deactivates itself once the limit is reached
// (Stripe: "When the payment link reaches the limit, it automatically
// deactivates").
func linkSessionCompleted(c *api.Call, s store.Obj) error {
	id := api.Str(s["payment_link"])
	before, ok := c.Tx.Get(c.Account, "payment_link", id)
	if !ok {
		return nil
	}
	cs := api.Obj(api.Obj(before["restrictions"])["completed_sessions"])
	if len(cs) == 0 {
		return nil
	}
	after := api.Clone(before)
	r := api.Obj(api.Obj(after["restrictions"])["completed_sessions"])
	r["count"] = api.Int(cs["count"]) + 1
	if api.Int(r["count"]) >= api.Int(cs["limit"]) {
		after["active"] = false
	}
	return c.Save(before, after)
}

// checkLinkIntentTypes refuses, as the sessions a one-time link opens
// would be refused (see applyPaymentMethodTypes and checkCardDescriptor),
// a named type a manual capture cannot hold and a statement_descriptor
// where card can pay. Without named types a link offers the default
// configuration's.
func checkLinkIntentTypes(c *api.Call, l store.Obj, mode string) error {
	pd := api.Obj(l["payment_intent_data"])
	manual, descriptor := pd["capture_method"] == "manual", api.Str(pd["statement_descriptor"]) != ""
	if mode != "payment" || (!manual && !descriptor) {
		return nil
	}
	types, _ := l["payment_method_types"].([]any)
	for _, t := range types {
		if manual && payments.RefusesManualCapture(api.Str(t)) {
			return payments.ManualCaptureRefused(api.Str(t), "payment_method_types")
		}
	}
	if len(types) == 0 {
		// An error here is the session's to give when it opens.
		types, _, _ = payments.SessionTypes(c, "", api.Str(l["currency"]), payments.SessionOffer{Manual: manual})
	}
	if descriptor && slices.Contains(types, any("card")) {
		return cardDescriptorRefused()
	}
	return nil
}
