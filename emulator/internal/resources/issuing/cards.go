package issuing

import (
	"slices"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

func cardRoutes() []api.Route {
	ship := func(action string, h func(*api.Call) (any, error)) api.Route {
		return api.POST("/v1/test_helpers/issuing/cards/{id}/shipping/"+action, params.FromStruct(stripe.TestHelpersIssuingCardShipCardParams{}), h)
	}
	return []api.Route{
		api.POST("/v1/issuing/cards", params.FromStruct(stripe.IssuingCardCreateParams{}).
			Enum("status", "active", "inactive"), createCard),
		api.GET("/v1/issuing/cards", params.FromStruct(stripe.IssuingCardListParams{}).
			Enum("status", "active", "canceled", "inactive").Enum("type", "physical", "virtual"), listCards),
		api.GET("/v1/issuing/cards/{id}", params.FromStruct(stripe.IssuingCardRetrieveParams{}), retrieveCard),
		api.POST("/v1/issuing/cards/{id}", params.FromStruct(stripe.IssuingCardUpdateParams{}).
			Enum("status", "active", "canceled", "inactive").Enum("cancellation_reason", "lost", "stolen"), updateCard),
		ship("submit", shippingTo("submitted", "pending")),
		ship("ship", shippingTo("shipped", "pending", "submitted")),
		ship("deliver", shippingTo("delivered", "shipped")),
		ship("return", shippingTo("returned", "shipped")),
		ship("fail", shippingTo("failure", "shipped")),
	}
}

// cardValidYears is how long a new card is valid for when no expiry is
// asked for (Stripe does not document its default).
const cardValidYears = 3

func metaNumber(account, id string) string { return "issuingcard:" + account + ":" + id }

func createCard(c *api.Call) (any, error) {
	if err := issuingEnabled(c); err != nil {
		return nil, err
	}
	chID, _ := c.Params.Str("cardholder")
	if chID == "" {
		// Not required by Stripe's spec (a card of a Treasury financial
		// account, not emulated, may have none), but every card here
		// is issued to a cardholder.
		return nil, apierr.MissingParam("cardholder")
	}
	ch, ok := c.Tx.Get(c.Account, "issuing.cardholder", chID)
	if !ok {
		return nil, apierr.NoSuchObject("issuing cardholder", chID, "cardholder")
	}
	cur, _ := c.Params.Str("currency")
	if want := accountCurrency(c); cur != want {
		// Stripe issues cards in the currency of the account's country.
		return nil, apierr.InvalidRequest("Cards on this account must be issued in %s, not %s.", want, cur).WithParam("currency")
	}
	typ, _ := c.Params.Str("type")
	status, _ := c.Params.Str("status")
	if status == "" {
		status = "inactive" // Stripe's default
	}
	if status == "active" {
		if err := activatable(ch); err != nil {
			return nil, err
		}
	}
	now := time.Unix(c.Now, 0).UTC()
	expMonth, expYear := int64(now.Month()), int64(now.Year()+cardValidYears)
	if m, ok := c.Params.Int("exp_month"); ok {
		expMonth = m
	}
	if y, ok := c.Params.Int("exp_year"); ok {
		expYear = y
	}
	if expMonth < 1 || expMonth > 12 {
		return nil, apierr.InvalidRequest("Invalid exp_month: must be between 1 and 12.").WithParam("exp_month")
	}
	if expYear < int64(now.Year()) || expYear == int64(now.Year()) && expMonth < int64(now.Month()) {
		return nil, apierr.InvalidRequest("The card's expiration date must be in the future.").WithParam("exp_year")
	}
	var shipping any
	if typ == "physical" {
		if !c.Params.Has("shipping") {
			return nil, apierr.MissingParam("shipping")
		}
		sh, _ := c.Params.Obj("shipping")
		var err error
		if shipping, err = shippingOf(sh); err != nil {
			return nil, err
		}
	} else if c.Params.Has("shipping") {
		return nil, apierr.InvalidRequest("Shipping can only be provided for physical cards.").WithParam("shipping")
	}
	var replacementFor, replacementReason any
	var replaced store.Obj
	if rf, _ := c.Params.Str("replacement_for"); rf != "" {
		old, ok := c.Tx.Get(c.Account, "issuing.card", rf)
		if !ok {
			return nil, apierr.NoSuchObject("issuing card", rf, "replacement_for")
		}
		if api.Str(api.Obj(old["cardholder"])["id"]) != chID {
			return nil, apierr.InvalidRequest("A replacement card must belong to the cardholder of the card it replaces.").WithParam("replacement_for")
		}
		if old["replaced_by"] != nil {
			return nil, apierr.InvalidRequest("Card %s has already been replaced.", rf).WithParam("replacement_for")
		}
		reason, _ := c.Params.Str("replacement_reason")
		if reason == "" {
			return nil, apierr.MissingParam("replacement_reason")
		}
		if (reason == "lost" || reason == "stolen") && old["status"] != "canceled" {
			// Stripe's replacement cards guide: "We need to cancel the
			// original cards before we can create the replacement card."
			return nil, apierr.InvalidRequest("Card %s must be canceled (status=canceled, with cancellation_reason %s) before a replacement for it can be created with replacement_reason %s.", rf, reason, reason).WithParam("replacement_for")
		}
		replaced, replacementFor, replacementReason = old, rf, reason
	} else if c.Params.Has("replacement_reason") {
		return nil, apierr.InvalidRequest("replacement_reason can only be given with replacement_for.").WithParam("replacement_reason")
	}
	sc, err := spendingControls(c, nil, false, cur)
	if err != nil {
		return nil, err
	}
	design, err := cardDesign(c, typ)
	if err != nil {
		return nil, err
	}
	id := c.NewID("issuing.card")
	number, cvc := cardNumber(c), randomDigits(c, 3)
	if r := api.Str(replacementReason); r == "damaged" || r == "expired" {
		// A damaged or expired card's replacement has its number, with
		// a new security code (Stripe's replacement cards guide); a lost
		// or stolen one's gets a new number.
		if v, ok := c.Tx.GetMeta(metaNumber(c.Account, api.Str(replacementFor))); ok && len(v) >= 20 {
			number = v[:16]
			for cvc == v[17:] {
				cvc = randomDigits(c, 3)
			}
		}
	}
	card := c.Object("issuing.card", id, store.Obj{
		"brand": "Visa", "cancellation_reason": nil, "cardholder": ch, "currency": cur,
		"exp_month": expMonth, "exp_year": expYear, "last4": number[len(number)-4:], "metadata": map[string]any{},
		"personalization_design": design, "replaced_by": nil, "replacement_for": replacementFor,
		"replacement_reason": replacementReason, "shipping": shipping, "spending_controls": sc,
		"status": status, "type": typ, "wallets": wallets(ch),
	})
	if err := c.ApplyMetadata(card); err != nil {
		return nil, err
	}
	if err := c.SetMeta(metaNumber(c.Account, id), number+" "+cvc); err != nil {
		return nil, err
	}
	if err := c.PutEmit(card, "issuing_card.created", nil); err != nil {
		return nil, err
	}
	if replaced != nil {
		old := api.Clone(replaced)
		old["replaced_by"] = id
		if status == "active" && old["status"] != "canceled" {
			// A damaged or expired card stays usable until its
			// replacement is activated (a lost or stolen one was
			// canceled before).
			cancelCard(old, "")
		}
		if err := c.Save(replaced, old); err != nil {
			return nil, err
		}
		if err := refreshCard(c, old); err != nil {
			return nil, err
		}
	}
	return card, nil
}

// activatable refuses activating a card whose cardholder is disabled:
// Stripe blocks activating cards while requirements are past due.
func activatable(ch store.Obj) error {
	if api.Obj(ch["requirements"])["disabled_reason"] != nil {
		return apierr.InvalidRequest("Cards of cardholder %s cannot be activated until its requirements are provided (requirements.past_due: %v).",
			ch["id"], api.Strs(api.Obj(ch["requirements"])["past_due"])).WithParam("status")
	}
	return nil
}

// cancelCard cancels a card for good; a physical card not yet shipped is
// not shipped.
func cancelCard(card store.Obj, reason string) {
	card["status"] = "canceled"
	card["cancellation_reason"] = api.NilIfEmpty(reason)
	if sh := api.Obj(card["shipping"]); card["shipping"] != nil && (sh["status"] == "pending" || sh["status"] == "submitted") {
		sh = api.Clone(sh)
		sh["status"] = "canceled"
		card["shipping"] = sh
	}
}

// cardNumber is a new Visa number (16 digits, Luhn-valid).
func cardNumber(c *api.Call) string {
	digits := make([]int, 16)
	digits[0] = 4
	for i, d := range randomDigits(c, 14) {
		digits[i+1] = int(d - '0')
	}
	sum := 0
	for i := 14; i >= 0; i-- {
		d := digits[i]
		if (14-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	digits[15] = (10 - sum%10) % 10
	out := make([]byte, 16)
	for i, d := range digits {
		out[i] = byte('0' + d)
	}
	return string(out)
}

// randomDigits is n random decimal digits.
func randomDigits(c *api.Call, n int) string {
	out := []byte(c.IDs.Secret(n))
	for i, b := range out {
		out[i] = '0' + b%10
	}
	return string(out)
}

// retrieveCardEndpoint is the one endpoint that shows a card's number and
// cvc: "it's only available via the "Retrieve a card" endpoint, not via
// "List all cards" or any other endpoint" (Stripe's reference).
const retrieveCardEndpoint = "GET /v1/issuing/cards/{id}"

// cardSecret includes a virtual card's number or cvc when expanded on a
// card retrieved; a physical card's are never shown, as at Stripe.
func cardSecret(field string) func(c *api.Call, o store.Obj) (any, error) {
	return func(c *api.Call, card store.Obj) (any, error) {
		if card["type"] != "virtual" || c.Endpoint != retrieveCardEndpoint {
			return api.Omitted, nil
		}
		v, ok := c.Tx.GetMeta(metaNumber(c.Account, api.Str(card["id"])))
		if !ok || len(v) < 20 {
			return api.Omitted, nil
		}
		if field == "number" {
			return v[:16], nil
		}
		return v[17:], nil
	}
}

// wallets says whether the card can be added to Apple Pay and Google Pay:
// only for a cardholder Stripe can reach (an email or phone number).
func wallets(ch store.Obj) store.Obj {
	eligible := ch["email"] != nil || ch["phone_number"] != nil
	var reason any
	if !eligible {
		reason = "missing_cardholder_contact"
	}
	return store.Obj{
		"apple_pay":                  store.Obj{"eligible": eligible, "ineligible_reason": reason},
		"google_pay":                 store.Obj{"eligible": eligible, "ineligible_reason": reason},
		"primary_account_identifier": nil,
	}
}

// europe are the countries a bulk shipment to needs an EORI number for:
// the EEA, the United Kingdom and Switzerland (the emulator's reading of
// Stripe's "Europe").
var europe = []string{
	"AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IS", "IT",
	"LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
}

// shippingOf is a physical card's shipping as requested, pending.
func shippingOf(sh params.Values) (store.Obj, error) {
	a, _ := sh.Obj("address")
	name, _ := sh.Str("name")
	phone, _ := sh.Str("phone_number")
	service, _ := sh.Str("service")
	if service == "" {
		service = "standard"
	}
	typ, _ := sh.Str("type")
	if typ == "" {
		typ = "individual"
	}
	// Stripe's reference: "Standard shipping service does not support
	// signature on delivery. The default value for standard shipping
	// service is false and for express and priority services is true."
	signature := service != "standard"
	if b, ok := sh.Bool("require_signature"); ok {
		if b && service == "standard" {
			return nil, apierr.InvalidRequest("Standard shipping service does not support signature on delivery: require_signature can be true only with express or priority shipping.").WithParam("shipping[require_signature]")
		}
		signature = b
	}
	var customs any
	eori := ""
	if cu, ok := sh.Obj("customs"); ok {
		eori, _ = cu.Str("eori_number")
		customs = store.Obj{"eori_number": api.NilIfEmpty(eori)}
	}
	addr := address(a)
	if country := api.Str(addr["country"]); typ == "bulk" && eori == "" && slices.Contains(europe, country) {
		// The reference's eori_number: "Required for bulk shipments to
		// Europe."
		return nil, apierr.MissingParam("shipping[customs][eori_number]")
	}
	var validation any
	if av, ok := sh.Obj("address_validation"); ok {
		mode, _ := av.Str("mode")
		var normalized any
		if mode != "disabled" {
			// The emulator normalizes nothing: the address as given.
			normalized = api.Clone(addr)
		}
		validation = store.Obj{"mode": mode, "normalized_address": normalized, "result": nil}
	}
	return store.Obj{
		"address": addr, "address_validation": validation, "carrier": nil, "customs": customs, "eta": nil,
		"name": name, "phone_number": api.NilIfEmpty(phone), "require_signature": signature, "service": service,
		"status": "pending", "tracking_number": nil, "tracking_url": nil, "type": typ,
	}, nil
}

func retrieveCard(c *api.Call) (any, error) { return c.Retrieve("issuing.card", c.Var("id")) }

func updateCard(c *api.Call) (any, error) {
	before, err := c.Load("issuing.card", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	status, _ := c.Params.Str("status")
	reason, _ := c.Params.Str("cancellation_reason")
	if reason != "" && status != "canceled" {
		return nil, apierr.InvalidRequest("cancellation_reason can only be given when canceling the card (status=canceled).").WithParam("cancellation_reason")
	}
	if reason != "" && before["status"] == "canceled" && reason != api.Str(before["cancellation_reason"]) {
		// A canceled card is final: its reason is not changed after the
		// fact, rather than the request answered as if it had been.
		return nil, apierr.InvalidRequest("This card has been canceled: a canceled card cannot be reactivated or changed.").WithParam("cancellation_reason")
	}
	if status != "" && status != before["status"] {
		if before["status"] == "canceled" {
			return nil, apierr.InvalidRequest("This card has been canceled: a canceled card cannot be reactivated or changed.").WithParam("status")
		}
		switch status {
		case "canceled":
			cancelCard(after, reason)
		case "active":
			if err := activatable(api.Obj(before["cardholder"])); err != nil {
				return nil, err
			}
			after["status"] = status
		default:
			after["status"] = status
		}
	}
	if c.Params.Has("shipping") {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate changing a card's shipping: it is set when the card is made.").WithParam("shipping")
	}
	sc, err := spendingControls(c, api.Obj(before["spending_controls"]), false, api.Str(before["currency"]))
	if err != nil {
		return nil, err
	}
	after["spending_controls"] = sc
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	if after["status"] == "active" && before["status"] != "active" && after["replacement_for"] != nil {
		// Activating the replacement of a damaged or expired card
		// cancels the card it replaces.
		if old, ok := c.Tx.Get(c.Account, "issuing.card", api.Str(after["replacement_for"])); ok && old["status"] != "canceled" {
			next := api.Clone(old)
			cancelCard(next, "")
			if err := c.Save(old, next); err != nil {
				return nil, err
			}
			if err := refreshCard(c, next); err != nil {
				return nil, err
			}
		}
	}
	return after, refreshCard(c, after)
}

// refreshCard shows a changed card in its authorizations, which carry it
// whole.
func refreshCard(c *api.Call, card store.Obj) error {
	return reembed(c, "issuing.authorization", "card", card, nil, nil)
}

// reembed stores obj, whole, as field of each object of typ that names
// it there (by its index of that name), with what adjust derives from it
// (nil for nothing), passing each stored copy on to then (nil for nothing
// more). Not a change of those objects: no event.
func reembed(c *api.Call, typ, field string, obj store.Obj, adjust func(next store.Obj), then func(c *api.Call, o store.Obj) error) error {
	var holders []store.Obj
	c.Tx.EachIndexed(c.Account, typ, field, api.Str(obj["id"]), func(o store.Obj) bool {
		holders = append(holders, o)
		return true
	})
	for _, h := range holders {
		next := api.Clone(h)
		next[field] = obj
		if adjust != nil {
			adjust(next)
		}
		if err := c.Put(next); err != nil {
			return err
		}
		if then != nil {
			if err := then(c, next); err != nil {
				return err
			}
		}
	}
	return nil
}

// listCards lists cards newest first, by cardholder, status, type, last4,
// exp_month, exp_year and created.
func listCards(c *api.Call) (any, error) {
	q, err := c.ListQuery("issuing.card")
	if err != nil {
		return nil, err
	}
	if ch, _ := c.Params.Str("cardholder"); ch != "" {
		q.Index, q.Value = "cardholder", ch
	}
	if pd, _ := c.Params.Str("personalization_design"); pd != "" {
		q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o["personalization_design"]) == pd })
	}
	for _, f := range []string{"status", "type", "last4"} {
		if v, _ := c.Params.Str(f); v != "" {
			q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o[f]) == v })
		}
	}
	for _, f := range []string{"exp_month", "exp_year"} {
		if v, ok := c.Params.Int(f); ok {
			q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Int(o[f]) == v })
		}
	}
	return c.Page("issuing.card", "/v1/issuing/cards", q), nil
}

// shippingTo is a shipping test helper: it moves a physical card's
// shipping to status from one of the statuses it may come from.
func shippingTo(status string, from ...string) func(c *api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		before, err := c.Load("issuing.card", c.Var("id"), "id")
		if err != nil {
			return nil, err
		}
		if before["type"] != "physical" || before["shipping"] == nil {
			return nil, apierr.InvalidRequest("Card %s is a virtual card: only physical cards are shipped.", before["id"])
		}
		cur := api.Str(api.Obj(before["shipping"])["status"])
		ok := false
		for _, f := range from {
			ok = ok || cur == f
		}
		if !ok {
			return nil, apierr.InvalidRequest("The shipping of card %s has status %s and cannot become %s.", before["id"], cur, status)
		}
		after := api.Clone(before)
		sh := api.Obj(after["shipping"])
		sh["status"] = status
		if err := c.Save(before, after); err != nil {
			return nil, err
		}
		return after, refreshCard(c, after)
	}
}
