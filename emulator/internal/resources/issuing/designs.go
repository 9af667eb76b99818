package issuing

import (
	"slices"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// PhysicalBundleKind is the issuing.physical_bundle object: the card
// stock, carrier letter and envelope a physical card ships in. The
// emulator has Stripe's standard bundles only ("For standard cards you
// can select between black and white card bundles"), the same for every
// account, so they are not stored: Static serves them.
var PhysicalBundleKind = &api.Kind{
	Object: "issuing.physical_bundle", Prefix: "ics_", Name: "issuing physical bundle", ShortID: true, Static: staticBundle,
}

// PersonalizationDesignKind is the issuing.personalization_design object:
// a bundle with the logo and carrier text printed on it.
var PersonalizationDesignKind = &api.Kind{
	Object: "issuing.personalization_design", Prefix: "ipcd_", Name: "issuing personalization design",
	EventPrefix: "issuing_personalization_design", ShortID: true,
	Expandable: []string{"card_logo", "physical_bundle"},
	Indexes:    []store.Index{{Name: "lookup_key", Path: "lookup_key"}},
}

// standardBundles are Stripe's standard bundles. Their ids and names are
// the emulator's (Stripe documents neither); a standard design may have
// a logo ("If you don't upload any branding, your physical cards have
// your business name printed on them") and carrier text, and the
// emulator prints no second line (a card's second_line is refused).
var standardBundles = []store.Obj{
	standardBundle("ics_StandardBlack0", "Standard black"),
	standardBundle("ics_StandardWhite0", "Standard white"),
}

func standardBundle(id, name string) store.Obj {
	return store.Obj{
		"id": id, "object": "issuing.physical_bundle", "livemode": false, "name": name, "status": "active", "type": "standard",
		"features": store.Obj{"card_logo": "optional", "carrier_text": "optional", "second_line": "unsupported"},
	}
}

func staticBundle(id string) (store.Obj, bool) {
	for _, b := range standardBundles {
		if b["id"] == id {
			return api.Clone(b), true
		}
	}
	return nil, false
}

// carrierTextLimits are the longest carrier texts Stripe takes.
var carrierTextLimits = map[string]int{"footer_body": 200, "footer_title": 30, "header_body": 200, "header_title": 30}

func designRoutes() []api.Route {
	helper := func(action string, h func(*api.Call) (any, error), p any) api.Route {
		return api.POST("/v1/test_helpers/issuing/personalization_designs/{id}/"+action, params.FromStruct(p), h)
	}
	return []api.Route{
		api.GET("/v1/issuing/physical_bundles", params.FromStruct(stripe.IssuingPhysicalBundleListParams{}), listBundles),
		api.GET("/v1/issuing/physical_bundles/{id}", params.FromStruct(stripe.IssuingPhysicalBundleRetrieveParams{}), retrieveBundle),
		api.POST("/v1/issuing/personalization_designs", params.FromStruct(stripe.IssuingPersonalizationDesignCreateParams{}), createDesign),
		api.GET("/v1/issuing/personalization_designs", params.FromStruct(stripe.IssuingPersonalizationDesignListParams{}), listDesigns),
		api.GET("/v1/issuing/personalization_designs/{id}", params.FromStruct(stripe.IssuingPersonalizationDesignRetrieveParams{}), retrieveDesign),
		api.POST("/v1/issuing/personalization_designs/{id}", params.FromStruct(stripe.IssuingPersonalizationDesignUpdateParams{}), updateDesign),
		helper("activate", designTo("active", "issuing_personalization_design.activated"), stripe.TestHelpersIssuingPersonalizationDesignActivateParams{}),
		helper("deactivate", designTo("inactive", "issuing_personalization_design.deactivated"), stripe.TestHelpersIssuingPersonalizationDesignDeactivateParams{}),
		helper("reject", designTo("rejected", "issuing_personalization_design.rejected"), stripe.TestHelpersIssuingPersonalizationDesignRejectParams{}),
	}
}

func retrieveBundle(c *api.Call) (any, error) {
	b, ok := staticBundle(c.Var("id"))
	if !ok {
		return nil, apierr.NoSuchObject("issuing physical bundle", c.Var("id"), "id")
	}
	return b, nil
}

// listBundles lists the standard bundles, by status and type.
func listBundles(c *api.Call) (any, error) {
	status, _ := c.Params.Str("status")
	typ, _ := c.Params.Str("type")
	all := []any{}
	for _, b := range standardBundles {
		if (status == "" || b["status"] == status) && (typ == "" || b["type"] == typ) {
			all = append(all, api.Clone(b))
		}
	}
	return api.EmbeddedPage(c, all, "/v1/issuing/physical_bundles", "issuing physical bundle")
}

// createDesign makes a design in review (Stripe reviews every design
// before it prints it; the reference's examples are all in review).
// Stripe sends no event for it.
func createDesign(c *api.Call) (any, error) {
	if err := issuingEnabled(c); err != nil {
		return nil, err
	}
	d := c.Object("issuing.personalization_design", c.NewID("issuing.personalization_design"), store.Obj{
		"card_logo": nil, "carrier_text": nil, "lookup_key": nil, "metadata": map[string]any{}, "name": nil,
		"physical_bundle": nil, "preferences": store.Obj{"is_default": false, "is_platform_default": nil},
		"rejection_reasons": store.Obj{"card_logo": []any{}, "carrier_text": []any{}}, "status": "review",
	})
	if err := designFields(c, d); err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(d); err != nil {
		return nil, err
	}
	if err := c.Put(d); err != nil {
		return nil, err
	}
	return d, takeDefault(c, d)
}

// designFields sets on d what the request sends: the bundle, logo and
// carrier text (checked against the bundle's features), the name, the
// lookup key (one design's per account) and the default preference.
func designFields(c *api.Call, d store.Obj) error {
	if err := c.CheckLengths(api.MaxLength{Path: "name", Limit: 200}, api.MaxLength{Path: "lookup_key", Limit: 200}); err != nil {
		return err
	}
	if bid, ok := c.Params.Str("physical_bundle"); ok {
		if _, found := staticBundle(bid); !found {
			return apierr.NoSuchObject("issuing physical bundle", bid, "physical_bundle")
		}
		d["physical_bundle"] = bid
	}
	if c.Params.Has("card_logo") {
		if c.Params.Unset("card_logo") {
			d["card_logo"] = nil
		} else {
			id, _ := c.Params.Str("card_logo")
			f, err := c.Load("file", id, "card_logo")
			if err != nil {
				return err
			}
			// "Must have a purpose value of issuing_logo": a purpose no
			// upload of 2025-08-27.basil can have.
			if f["purpose"] != "issuing_logo" {
				return apierr.InvalidRequest("The card logo must be a file uploaded with purpose issuing_logo; %s has purpose %s.", id, f["purpose"]).WithParam("card_logo")
			}
			d["card_logo"] = id
		}
	}
	if c.Params.Has("carrier_text") {
		if c.Params.Unset("carrier_text") {
			d["carrier_text"] = nil
		} else {
			ct := store.Obj{"footer_body": nil, "footer_title": nil, "header_body": nil, "header_title": nil}
			if old := api.Obj(d["carrier_text"]); d["carrier_text"] != nil {
				ct = api.Clone(old)
			}
			for f, limit := range carrierTextLimits {
				p := "carrier_text." + f
				if !c.Params.Has(p) {
					continue
				}
				if err := c.CheckLengths(api.MaxLength{Path: p, Limit: limit}); err != nil {
					return err
				}
				s, _ := c.Params.Str(p)
				ct[f] = api.NilIfEmpty(s)
			}
			d["carrier_text"] = ct
		}
	}
	if c.Params.Has("name") {
		s, _ := c.Params.Str("name")
		d["name"] = api.NilIfEmpty(s)
	}
	if c.Params.Has("lookup_key") {
		key, _ := c.Params.Str("lookup_key")
		if err := claimDesignLookupKey(c, d, key); err != nil {
			return err
		}
		d["lookup_key"] = api.NilIfEmpty(key)
	} else {
		c.Inert("transfer_lookup_key") // says only how to take a lookup_key sent
	}
	if b, ok := c.Params.Bool("preferences.is_default"); ok {
		api.Obj(d["preferences"])["is_default"] = b
	}
	return nil
}

// claimDesignLookupKey enforces that a lookup key names one design of the
// account; transfer_lookup_key moves it from the design that has it.
func claimDesignLookupKey(c *api.Call, d store.Obj, key string) error {
	transfer, _ := c.Params.Bool("transfer_lookup_key")
	if key == "" {
		return nil
	}
	for _, other := range c.Tx.List(c.Account, "issuing.personalization_design", store.Query{Index: "lookup_key", Value: key}).Data {
		if other["id"] == d["id"] {
			continue
		}
		if !transfer {
			return apierr.InvalidRequest("A personalization design (`%s`) already uses that lookup key.", api.Str(other["id"])).WithParam("lookup_key")
		}
		moved := api.Clone(other)
		moved["lookup_key"] = nil
		if err := c.Save(other, moved); err != nil {
			return err
		}
	}
	return nil
}

// takeDefault makes d, just stored, the account's one default design when
// it asks to be: "The is_default preference for the previous default
// design is automatically set to false, as there can only be one
// default."
func takeDefault(c *api.Call, d store.Obj) error {
	if !api.Bool(api.Obj(d["preferences"])["is_default"]) {
		return nil
	}
	var others []store.Obj
	c.Tx.Each(c.Account, "issuing.personalization_design", func(o store.Obj) bool {
		if o["id"] != d["id"] && api.Bool(api.Obj(o["preferences"])["is_default"]) {
			others = append(others, o)
		}
		return true
	})
	for _, o := range others {
		next := api.Clone(o)
		api.Obj(next["preferences"])["is_default"] = false
		if err := c.Save(o, next); err != nil {
			return err
		}
	}
	return nil
}

// defaultDesign is the account's default design ("" for none).
func defaultDesign(c *api.Call) string {
	id := ""
	c.Tx.Each(c.Account, "issuing.personalization_design", func(o store.Obj) bool {
		if api.Bool(api.Obj(o["preferences"])["is_default"]) {
			id = api.Str(o["id"])
			return false
		}
		return true
	})
	return id
}

func retrieveDesign(c *api.Call) (any, error) {
	return c.Retrieve("issuing.personalization_design", c.Var("id"))
}

// updateDesign changes a design. Its bundle, logo and carrier text can
// change only while it is rejected, which sends it back to review ("You
// can only set/update the physical_bundle, card_logo, and carrier_text
// attributes when first creating the personalization design, or after
// the personalization design has been rejected").
func updateDesign(c *api.Call) (any, error) {
	before, err := c.Load("issuing.personalization_design", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	design := false
	for _, f := range []string{"physical_bundle", "card_logo", "carrier_text"} {
		if c.Params.Has(f) {
			if before["status"] != "rejected" {
				return nil, apierr.InvalidRequest("The %s of a personalization design can only be changed when it is created or after it has been rejected; this one has a status of %s.", f, before["status"]).WithParam(f)
			}
			design = true
		}
	}
	if err := designFields(c, after); err != nil {
		return nil, err
	}
	if design {
		after["status"] = "review"
		after["rejection_reasons"] = store.Obj{"card_logo": []any{}, "carrier_text": []any{}}
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	return after, takeDefault(c, after)
}

// listDesigns lists designs newest first, by lookup_keys, status and
// preferences.
func listDesigns(c *api.Call) (any, error) {
	q, err := c.ListQuery("issuing.personalization_design")
	if err != nil {
		return nil, err
	}
	if keys := c.Params.Strings("lookup_keys"); len(keys) > 0 {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return slices.Contains(keys, api.Str(o["lookup_key"])) })
	}
	if v, _ := c.Params.Str("status"); v != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o["status"]) == v })
	}
	if b, ok := c.Params.Bool("preferences.is_default"); ok {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Bool(api.Obj(o["preferences"])["is_default"]) == b })
	}
	if b, ok := c.Params.Bool("preferences.is_platform_default"); ok && b {
		// No design is the platform's default for connected accounts
		// here (is_platform_default is always null): none is listed.
		q.Filter = api.And(q.Filter, func(store.Obj) bool { return false })
	}
	return c.Page("issuing.personalization_design", "/v1/issuing/personalization_designs", q), nil
}

// designTo is a test helper moving a design to status, with its event
// ("Stripe drives all status changes to a personalization design"; which
// transitions its test helpers allow is not documented: any but to the
// status it already has). A rejection records its reasons.
func designTo(status, event string) func(c *api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		before, err := c.Load("issuing.personalization_design", c.Var("id"), "id")
		if err != nil {
			return nil, err
		}
		if before["status"] == status {
			return nil, apierr.InvalidRequest("This personalization design already has a status of %s.", status)
		}
		after := api.Clone(before)
		after["status"] = status
		if status == "rejected" {
			reasons := store.Obj{"card_logo": []any{}, "carrier_text": []any{}}
			for _, f := range []string{"card_logo", "carrier_text"} {
				if v := c.Params.Strings("rejection_reasons." + f); len(v) > 0 {
					reasons[f] = api.Anys(v)
				}
			}
			after["rejection_reasons"] = reasons
		}
		return after, c.PutEmit(after, event, nil)
	}
}

// cardDesign is the design a new card of typ is printed with: the one
// named (personalization_design), else the account's default for a
// physical card ("any cards you create without specifying a
// personalization design automatically use the default"). A virtual
// card has none: designs are printed. A design that was rejected or
// deactivated "cannot be used to create cards".
func cardDesign(c *api.Call, typ string) (any, error) {
	id, _ := c.Params.Str("personalization_design")
	if id != "" && typ != "physical" {
		return nil, apierr.InvalidRequest("A personalization design can only be given for a physical card.").WithParam("personalization_design")
	}
	if typ != "physical" {
		return nil, nil
	}
	if id == "" {
		if id = defaultDesign(c); id == "" {
			// Stripe says creating a card with no design and no default
			// "results in an error"; whether test mode has a default of
			// its own is not documented, so such a card is made, with
			// none, as before designs were emulated.
			return nil, nil
		}
	}
	d, err := c.Load("issuing.personalization_design", id, "personalization_design")
	if err != nil {
		return nil, err
	}
	if s := d["status"]; s == "rejected" || s == "inactive" {
		return nil, apierr.InvalidRequest("Personalization design %s has a status of %s and cannot be used to create cards.", id, s).WithParam("personalization_design")
	}
	return id, nil
}
