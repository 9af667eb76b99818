package catalog

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/search"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// PriceKind is the price object.
var PriceKind = &api.Kind{
	Object:     "price",
	Prefix:     "price_",
	Expandable: []string{"product"},
	// Stripe leaves tiers and currency_options out of a price unless
	// expanded (an option's tiers too: currency_options.eur.tiers).
	Includable:   map[string]func(c *api.Call, o store.Obj) (any, error){"tiers": priceTiers, "currency_options": priceCurrencyOptions},
	IncludableIn: map[string]func(c *api.Call, o store.Obj, key string) (any, error){"currency_options.*.tiers": optionTiers},
	Indexes: []store.Index{
		{Name: "product", Path: "product"},
		{Name: "lookup_key", Path: "lookup_key"},
		{Name: "active", Path: "active"},
	},
}

var priceSearchFields = search.Fields{
	"active": search.Bool, "currency": search.Token, "lookup_key": search.String, "product": search.String,
	"type": search.Token, "metadata": search.Metadata,
}

// PriceRoutes is the price endpoint table. Stripe has no DELETE for prices.
func PriceRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/prices", params.FromStruct(stripe.PriceCreateParams{}).Require("currency").Enum("recurring.interval", intervalNames...).
			Enum("billing_scheme", "per_unit", "tiered").Enum("tiers_mode", "graduated", "volume").
			Enum("transform_quantity.round", "down", "up").Enum("tax_behavior", taxBehaviors...).
			Enum("recurring.usage_type", "licensed", "metered"), createPrice),
		api.GET("/v1/prices", params.FromStruct(stripe.PriceListParams{}).Enum("type", "one_time", "recurring").
			Enum("recurring.interval", intervalNames...).Enum("recurring.usage_type", "licensed", "metered"), listPrices),
		api.GET("/v1/prices/search", params.FromStruct(stripe.PriceSearchParams{}).Require("query"), searchPrices),
		api.GET("/v1/prices/{id}", params.FromStruct(stripe.PriceRetrieveParams{}), retrievePrice),
		api.POST("/v1/prices/{id}", params.FromStruct(stripe.PriceUpdateParams{}).Enum("tax_behavior", taxBehaviors...), updatePrice),
	}
}

var taxBehaviors = []string{"exclusive", "inclusive", "unspecified"}

// maxNickname is the longest nickname Stripe's OpenAPI spec lets a price
// have.
const maxNickname = 5000

// intervals are the most of each interval a price (or plan) may bill for
// at once: three years, as stripe-go's interval_count doc says at the
// pinned version ("3 years, 36 months, or 156 weeks"; days likewise).
var intervals = map[string]int64{"day": 1095, "week": 156, "month": 36, "year": 3}

// intervalNames are intervals' keys in the order Stripe's spec, and so its
// "must be one of" messages, name them.
var intervalNames = []string{"day", "month", "week", "year"}

// checkPeriod refuses an interval_count (param names it) below 1 or over
// intervals' most for interval.
func checkPeriod(interval string, count int64, param string) error {
	switch {
	case count < 1:
		return apierr.InvalidRequest("Invalid %s: must be at least 1", param).WithParam(param)
	case count > intervals[interval]:
		return apierr.InvalidRequest("Invalid %s: the maximum billing period is three years (3 years, 36 months, or 156 weeks).", param).WithParam(param)
	}
	return nil
}

// buildPrice makes a price object from create-style parameters (a price
// create, or a product's default_price_data). prefix names the parameter
// in errors ("" for top level).
func buildPrice(c *api.Call, p params.Values, prefix, productID string) (store.Obj, error) {
	name := params.Namer(prefix)
	currency, _ := p.Str("currency")
	if currency == "" {
		return nil, apierr.MissingParam(name("currency"))
	}
	if !supportedCurrency(strings.ToLower(currency)) {
		return nil, invalidCurrency(currency, name("currency"))
	}
	if err := checkOwnOption(p, name, strings.ToLower(currency), ownOptionCreated); err != nil {
		return nil, err
	}
	o := c.Object("price", c.NewID("price"), store.Obj{
		"active": true, "billing_scheme": "per_unit", "currency": strings.ToLower(currency), "custom_unit_amount": nil,
		"lookup_key": nil, "nickname": nil, "product": productID, "recurring": nil, "tax_behavior": "unspecified",
		"tiers_mode": nil, "transform_quantity": nil, "type": "one_time", "unit_amount": nil, "unit_amount_decimal": nil,
	})
	if v, ok := p.Bool("active"); ok {
		o["active"] = v
	}
	if v, ok := p.Str("nickname"); ok && v != "" {
		if utf8.RuneCountInString(v) > maxNickname {
			return nil, apierr.TooLong(name("nickname"), v, maxNickname)
		}
		o["nickname"] = v
	}
	if v, ok := p.Str("tax_behavior"); ok && v != "" {
		o["tax_behavior"] = v
	}
	if v, ok := p.Str("billing_scheme"); ok && v != "" {
		o["billing_scheme"] = v
	}
	tiered := o["billing_scheme"] == "tiered"
	var tiers []tier
	if err := checkScheme(p, name, tiered); err != nil {
		return nil, err
	}
	if _, custom := p.Sent("custom_unit_amount"); custom && !tiered {
		// A price has one amount: its own, or the one its customer names.
		for _, f := range []string{"unit_amount", "unit_amount_decimal"} {
			if p.Has(f) {
				return nil, apierr.Exclusive(name("custom_unit_amount"), name(f))
			}
		}
	}
	switch amount, hasAmount := p.Int("unit_amount"); {
	case tiered:
		// Tiered prices carry their amounts in tiers.
		var err error
		if tiers, err = readTiers(p, name("tiers")); err != nil {
			return nil, err
		}
		o["tiers_mode"], _ = p.Str("tiers_mode")
	case hasAmount:
		if amount < 0 {
			return nil, apierr.InvalidRequest("Invalid non-negative integer: %d", amount).WithParam(name("unit_amount")).WithCode("parameter_invalid_integer")
		}
		if p.Has("unit_amount_decimal") {
			return nil, apierr.Exclusive(name("unit_amount"), name("unit_amount_decimal"))
		}
		o["unit_amount"] = amount
		o["unit_amount_decimal"] = strconv.FormatInt(amount, 10)
	case p.Has("unit_amount_decimal"):
		d, _ := p.Float("unit_amount_decimal")
		if err := checkDecimal(d, name("unit_amount_decimal")); err != nil {
			return nil, err
		}
		o["unit_amount_decimal"] = strconv.FormatFloat(d, 'f', -1, 64)
		if d == float64(int64(d)) {
			o["unit_amount"] = int64(d)
		}
	case p.Has("custom_unit_amount"):
		if _, sent := p.Sent("recurring"); sent {
			// Stripe: customers choose what to pay only in one-time payments.
			return nil, apierr.InvalidRequest("`%s` is not supported for recurring prices.", name("custom_unit_amount")).WithParam(name("custom_unit_amount"))
		}
		cua, _ := p.Obj("custom_unit_amount")
		cu, err := readCustomAmount(cua, func(f string) string { return name("custom_unit_amount." + f) }, api.Str(o["currency"]))
		if err != nil {
			return nil, err
		}
		o["custom_unit_amount"] = cu.render()
	default:
		// Stripe's words as recorded from live requests: no param.
		return nil, apierr.InvalidRequest("Prices require an `unit_amount` or `unit_amount_decimal` parameter to be set.")
	}
	if rec, ok := p.Obj("recurring"); ok {
		interval, _ := rec.Str("interval")
		if interval == "" {
			return nil, apierr.MissingParam(name("recurring.interval"))
		}
		if _, known := intervals[interval]; !known {
			// The routes' Enum refuses it first; kept for other callers.
			return nil, apierr.InvalidRequest("Invalid %s: must be one of day, month, week, or year", name("recurring.interval")).WithParam(name("recurring.interval"))
		}
		count := int64(1)
		if n, ok := rec.Int("interval_count"); ok {
			count = n
		}
		if err := checkPeriod(interval, count, name("recurring.interval_count")); err != nil {
			return nil, err
		}
		usage := "licensed"
		if u, ok := rec.Str("usage_type"); ok && u != "" {
			usage = u
		}
		var trial any
		if d, ok := rec.Int("trial_period_days"); ok {
			// A recurring price is a plan: its trial is a plan's, 0 to 730 days.
			if d < 0 || d > 730 {
				field := name("recurring.trial_period_days")
				return nil, apierr.InvalidRequest("Invalid %s: must be between 0 and 730", field).WithParam(field)
			}
			trial = d
		}
		var meter any
		if m, ok := rec.Str("meter"); ok && m != "" {
			if usage != "metered" {
				return nil, apierr.InvalidRequest("recurring[meter] can only be set on a price whose recurring[usage_type] is `metered`.").WithParam(name("recurring.meter"))
			}
			mo, ok := c.Tx.Get(c.Account, "billing.meter", m)
			if !ok {
				return nil, apierr.NoSuchObject("billing meter", m, name("recurring.meter"))
			}
			if mo["status"] != "active" {
				// Stripe: a deactivated meter cannot be attached to a price.
				return nil, apierr.InvalidRequest("The meter %s is inactive: a deactivated meter cannot be attached to a price. Reactivate it first.", m).WithParam(name("recurring.meter"))
			}
			meter = m
		} else if usage == "metered" {
			// Since 2025-03-31.basil usage is recorded only through meters
			// (Stripe's words as recorded from live requests: no param).
			return nil, apierr.InvalidRequest("Starting with Stripe version `2025-03-31.basil`, metered prices must be backed by meters.")
		}
		o["recurring"] = store.Obj{"interval": interval, "interval_count": count, "meter": meter, "trial_period_days": trial, "usage_type": usage}
		o["type"] = "recurring"
	}
	if tq, ok := p.Obj("transform_quantity"); ok {
		t, err := readTransform(tq, name("transform_quantity"))
		if err != nil {
			return nil, err
		}
		o["transform_quantity"] = t
	}
	if md, ok := p.Metadata("metadata"); ok {
		o["metadata"] = md
	} else {
		o["metadata"] = map[string]any{}
	}
	if tiered {
		if err := storeTiers(c, api.Str(o["id"]), tiers); err != nil {
			return nil, err
		}
	}
	if p.Has("currency_options") {
		opts, err := readOptions(p, name, o, nil)
		if err != nil {
			return nil, err
		}
		if err := storeOptions(c, api.Str(o["id"]), opts); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// checkScheme holds tiers, tiers_mode and the single amount to the
// billing scheme: a tiered price is recurring, needs tiers_mode and tiers and takes no
// unit_amount; any other takes neither tiers nor tiers_mode. tiers and
// transform_quantity are exclusive (Stripe's message, param tiers).
// Looked at with Sent, so a parameter not acted on is still refused as
// not emulated.
func checkScheme(p params.Values, name func(string) string, tiered bool) error {
	tiers, hasTiers := p.Sent("tiers")
	mode, hasMode := p.Sent("tiers_mode")
	if !tiered {
		for _, f := range []string{"tiers", "tiers_mode"} {
			if _, sent := p.Sent(f); sent {
				return apierr.InvalidRequest("You may only specify `%s` when `%s` is `tiered`.", name(f), name("billing_scheme")).WithParam(name(f))
			}
		}
		return nil
	}
	if _, recurring := p.Sent("recurring"); !recurring {
		// Stripe's words and param as recorded from live requests.
		return apierr.InvalidRequest("Prices with `type=one_time` are not supported with tiered billing.").WithParam(name("interval"))
	}
	switch {
	case !hasMode || mode == params.Unset:
		return apierr.MissingParam(name("tiers_mode"))
	case !hasTiers || tiers == params.Unset:
		return apierr.MissingParam(name("tiers"))
	}
	if _, sent := p.Sent("transform_quantity"); sent {
		return apierr.InvalidRequest("You may only specify one of these parameters: tiers, transform_quantity.").WithParam(name("tiers"))
	}
	for _, f := range []string{"unit_amount", "unit_amount_decimal", "custom_unit_amount"} {
		if _, sent := p.Sent(f); sent {
			return apierr.InvalidRequest("You may not specify `%s` when `%s` is `tiered`: a tiered price takes its amounts from `tiers`.", name(f), name("billing_scheme")).WithParam(name(f))
		}
	}
	return nil
}

func createPrice(c *api.Call) (any, error) {
	productID, hasProduct := c.Params.Str("product")
	pd, hasProductData := c.Params.Obj("product_data")
	switch {
	case hasProduct && productID != "" && hasProductData:
		return nil, apierr.Exclusive("product", "product_data")
	case hasProduct && productID != "":
		prod, ok := c.Tx.Get(c.Account, "product", productID)
		if !ok || api.Bool(prod["deleted"]) {
			return nil, apierr.NoSuchObject("product", productID, "product")
		}
		if _, recurring := c.Params.Sent("recurring"); recurring {
			if err := checkPlanProduct(prod, "product"); err != nil {
				return nil, err
			}
		}
	case hasProductData:
		name, _ := pd.Str("name")
		if name == "" {
			return nil, apierr.MissingParam("product_data[name]")
		}
	default:
		// Stripe's words as recorded from live requests: no param.
		return nil, apierr.InvalidRequest("You must specify either `product` or `product_data` when creating a price.")
	}
	var newProduct store.Obj
	if hasProductData {
		var err error
		if newProduct, err = inlineProduct(c, pd, "product_data"); err != nil {
			return nil, err
		}
		productID = api.Str(newProduct["id"])
	}
	o, err := buildPrice(c, c.Params, "", productID)
	if err != nil {
		return nil, err
	}
	if err := claimLookupKey(c, o); err != nil {
		return nil, err
	}
	if newProduct != nil {
		// The price is its new product's default, as integrators have
		// recorded from Stripe's test mode (Stripe's reference is silent).
		newProduct["default_price"] = o["id"]
		if err := c.Insert(newProduct); err != nil {
			return nil, err
		}
	}
	if err := c.Insert(o); err != nil {
		return nil, err
	}
	emitPlan(c, "created", nil, o)
	return o, nil
}

// inlineProduct makes the product a price's product_data (or a plan's
// product[…]) describes; prefix names the parameter in errors.
func inlineProduct(c *api.Call, pd params.Values, prefix string) (store.Obj, error) {
	id, _ := pd.Str("id")
	if id != "" {
		if !customID.MatchString(id) {
			return nil, apierr.InvalidRequest("Invalid %s[id]: may only contain letters, digits, '_' and '-'", prefix).WithParam(prefix + "[id]")
		}
		if c.Tx.Exists(c.Account, "product", id) {
			return nil, apierr.InvalidRequest("Product already exists.").WithParam(prefix + "[id]").WithCode("resource_already_exists")
		}
	}
	if err := checkTaxCode(pd, prefix+"[tax_code]"); err != nil {
		return nil, err
	}
	if err := checkProduct(pd, prefix); err != nil {
		return nil, err
	}
	o := NewProduct(c, id, nil)
	for _, f := range []string{"name", "active", "statement_descriptor", "tax_code", "unit_label"} {
		if v, ok := pd.Get(f); ok {
			o[f] = v
		}
	}
	if md, ok := pd.Metadata("metadata"); ok {
		o["metadata"] = md
	}
	return o, nil
}

// claimLookupKey enforces that a lookup key names one price per account;
// transfer_lookup_key moves it from the price that has it.
func claimLookupKey(c *api.Call, price store.Obj) error {
	transfer, _ := c.Params.Bool("transfer_lookup_key")
	key, ok := c.Params.Str("lookup_key")
	if !ok || key == "" {
		return nil
	}
	if utf8.RuneCountInString(key) > 200 {
		return apierr.TooLong("lookup_key", key, 200)
	}
	price["lookup_key"] = key
	holders := c.Tx.List(c.Account, "price", store.Query{Index: "lookup_key", Value: key})
	for _, other := range holders.Data {
		// A price deleted as a plan is gone and holds no key any more.
		if other["id"] == price["id"] || (other["active"] == false && Gone(c, api.Str(other["id"]))) {
			continue
		}
		if !transfer {
			return apierr.InvalidRequest("A price (`%s`) already uses that lookup key.", api.Str(other["id"])).WithParam("lookup_key")
		}
		moved := api.Clone(other)
		moved["lookup_key"] = nil
		if err := c.Save(other, moved); err != nil {
			return err
		}
	}
	return nil
}

// retrievePrice serves a price, plans' included; one deleted as a plan is
// gone.
func retrievePrice(c *api.Call) (any, error) {
	if Gone(c, c.Var("id")) {
		return nil, apierr.NoSuchObject("price", c.Var("id"), "id")
	}
	return c.Retrieve("price", c.Var("id"))
}

func updatePrice(c *api.Call) (any, error) {
	before, err := c.Load("price", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if !api.Bool(before["active"]) && Gone(c, c.Var("id")) {
		return nil, apierr.NoSuchObject("price", c.Var("id"), "id")
	}
	after := api.Clone(before)
	if active, ok := c.Params.Bool("active"); ok {
		if err := checkArchivable(c, before, active); err != nil {
			return nil, err
		}
		after["active"] = active
	}
	if err := c.CheckLengths(api.MaxLength{Path: "nickname", Limit: maxNickname}); err != nil {
		return nil, err
	}
	c.Copy(after, "nickname")
	if v, ok := c.Params.Str("tax_behavior"); ok && v != "" {
		if before["tax_behavior"] != "unspecified" && before["tax_behavior"] != v {
			return nil, apierr.InvalidRequest("The tax_behavior of a price cannot be changed once it is set to inclusive or exclusive.").WithParam("tax_behavior")
		}
		after["tax_behavior"] = v
	}
	// transfer_lookup_key only says how to take a lookup_key sent with
	// it (claimLookupKey): alone, or with one emptied, it changes nothing
	// and is no error.
	c.Params.Bool("transfer_lookup_key")
	if c.Params.Has("lookup_key") {
		if c.Params.Unset("lookup_key") {
			after["lookup_key"] = nil
		} else if err := claimLookupKey(c, after); err != nil {
			return nil, err
		}
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	optionsChanged, err := updateOptions(c, after)
	if err != nil {
		return nil, err
	}
	if prev := api.PreviousAttributes(before, after); len(prev) == 0 && optionsChanged {
		// Only the options changed, which the price object does not show
		// unless expanded: price.updated still tells of the change.
		if err := c.PutEmit(after, "price.updated", store.Obj{}); err != nil {
			return nil, err
		}
	} else if err := c.Save(before, after); err != nil {
		return nil, err
	}
	emitPlan(c, "updated", before, after)
	return after, nil
}

func listPrices(c *api.Call) (any, error) {
	q, err := c.ListQuery("price")
	if err != nil {
		return nil, err
	}
	// "Returns a list of your active prices, excluding inline prices. For
	// the list of inactive prices, set active to false." (API reference)
	active := true
	if v, ok := c.Params.Bool("active"); ok {
		active = v
	}
	if product, ok := c.Params.Str("product"); ok && product != "" {
		if _, err := Product(c, product, "product"); err != nil {
			return nil, err
		}
		q.Index, q.Value = "product", product
	} else {
		q.Index, q.Value = "active", boolString(active)
	}
	q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["active"] == active })
	if !active {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool {
			_, inline := c.Tx.GetMeta(inlineKey(c.Account, api.Str(o["id"])))
			return !inline && !Gone(c, api.Str(o["id"]))
		})
	}
	if cur, ok := c.Params.Str("currency"); ok && cur != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["currency"] == strings.ToLower(cur) })
	}
	if typ, ok := c.Params.Str("type"); ok && typ != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return o["type"] == typ })
	}
	if keys := c.Params.Strings("lookup_keys"); len(keys) > 10 {
		return nil, apierr.TooMany("lookup_keys", 10)
	} else if len(keys) > 0 {
		want := map[string]bool{}
		for _, k := range keys {
			want[k] = true
		}
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return want[api.Str(o["lookup_key"])] })
	}
	if rec, ok := c.Params.Obj("recurring"); ok {
		// Read now, not in the filter: with no price to look at, the
		// filter never runs and what was sent would count as unread.
		want := map[string]string{}
		for _, f := range []string{"interval", "usage_type", "meter"} {
			if v, ok := rec.Str(f); ok && v != "" {
				want[f] = v
			}
		}
		q.Filter = api.And(q.Filter, func(o store.Obj) bool {
			r, _ := o["recurring"].(map[string]any)
			if r == nil {
				return false
			}
			for f, v := range want {
				if r[f] != v {
					return false
				}
			}
			return true
		})
	}
	return c.Page("price", "/v1/prices", q), nil
}

func searchPrices(c *api.Call) (any, error) {
	return search.Run(c, "price", "/v1/prices/search", priceSearchFields, notGone(c))
}
