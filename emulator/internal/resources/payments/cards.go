package payments

import (
	"errors"
	"maps"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// The older card APIs: tokens (tok_…) carrying a card (card_…), cards saved
// on customers as sources, and the Charges API that charges them
// (directcharges.go). A card is one of the test cards of testcards.go: its
// number is kept in metadata under the card's id, as a PaymentMethod's is,
// so declines, 3-D Secure, disputes and pending funds follow it.

// CardKind is the card object: a card saved on a customer (its events are
// customer.source.*) or carried by a token.
var CardKind = &api.Kind{
	Object:      "card",
	Prefix:      "card_",
	EventPrefix: "customer.source",
	Expandable:  []string{"customer"},
	Indexes:     []store.Index{{Name: "customer", Path: "customer"}},
}

// TokenKind is the token object: single-use, with no events of its own.
var TokenKind = &api.Kind{
	Object: "token",
	Prefix: "tok_",
}

// cardBrands are Stripe's names for card brands on card objects
// (PaymentMethods use the lowercase codes).
var cardBrands = map[string]string{
	"visa": "Visa", "mastercard": "MasterCard", "amex": "American Express", "discover": "Discover",
	"jcb": "JCB", "diners": "Diners Club", "unionpay": "UnionPay",
}

// displayBrands are a PaymentMethod's display_brand for the brand codes
// that differ: Stripe's reference lists american_express, diners_club,
// union_pay and other among its values, not brand's codes.
var displayBrands = map[string]string{
	"amex": "american_express", "diners": "diners_club", "unionpay": "union_pay", "unknown": "other",
}

// displayBrand is the display_brand of a card of brand (no brand choice
// is made on a co-branded card here: its display_brand is its brand).
func displayBrand(brand string) string {
	if d, ok := displayBrands[brand]; ok {
		return d
	}
	return brand
}

func cardBrandName(code string) string {
	if name, ok := cardBrands[code]; ok {
		return name
	}
	return "Unknown"
}

// cardHolderFields are the holder details a card takes (card[…] on a
// token, source[…], a source update).
var cardHolderFields = []string{"name", "address_city", "address_country", "address_line1", "address_line2", "address_state", "address_zip"}

// cardDetailFields are the fields of card details sent inline (a token's
// card[…], a source[…] hash): stripe-go's CardParams, whose hash for a
// source also says object=card.
var cardDetailFields = func() map[string]*params.Schema {
	fields := maps.Clone(params.FromStruct(stripe.CardParams{}).Fields)
	fields["object"] = params.String()
	return fields
}()

// sourceParam is source=tok_…/card_… or source[number]=… (stripe-go
// declares only the string; its CardParams encode the hash by hand).
func sourceParam() *params.Schema { return params.StringOrObject(cardDetailFields) }

func tokenRoutes() []api.Route {
	return []api.Route{
		publishable(api.POST("/v1/tokens", params.FromStruct(stripe.TokenCreateParams{}).With("card", sourceParam()), createToken)),
		api.GET("/v1/tokens/{id}", params.FromStruct(stripe.TokenRetrieveParams{}), retrieveToken),
		api.GET("/v1/customers/{customer}/sources", params.FromStruct(stripe.PaymentSourceListParams{}), listSources),
		api.POST("/v1/customers/{customer}/sources", params.FromStruct(stripe.PaymentSourceCreateParams{}).With("source", sourceParam()).Require("source"), createSource),
		api.GET("/v1/customers/{customer}/sources/{id}", params.FromStruct(stripe.PaymentSourceRetrieveParams{}), retrieveSource),
		api.POST("/v1/customers/{customer}/sources/{id}", params.FromStruct(stripe.PaymentSourceUpdateParams{}), updateSource),
		api.DELETE("/v1/customers/{customer}/sources/{id}", params.FromStruct(stripe.PaymentSourceDeleteParams{}), deleteSource),
		api.POST("/v1/customers/{customer}/sources/{id}/verify", params.FromStruct(stripe.PaymentSourceVerifyParams{}), verifySource),
	}
}

// newCard builds a card (not stored) for a test card, its holder details
// read from p (the fields of card[…] or source[…]; p may be empty). What
// was given to check (the CVC, the address) is "unchecked" until the card
// is saved on a customer or charged. The number is kept under the card's id.
func newCard(c *api.Call, cd card, expMonth, expYear int64, p params.Values, cvc bool) (store.Obj, error) {
	id := c.NewID("card")
	o := store.Obj{
		"id": id, "object": "card", "address_city": nil, "address_country": nil, "address_line1": nil,
		"address_line1_check": nil, "address_line2": nil, "address_state": nil, "address_zip": nil, "address_zip_check": nil,
		"brand": cardBrandName(cd.Brand), "country": cd.Country, "customer": nil, "cvc_check": nil, "dynamic_last4": nil,
		"exp_month": expMonth, "exp_year": expYear, "fingerprint": fingerprint(c.Account, cd.Number), "funding": cd.Funding,
		"last4": cd.Number[len(cd.Number)-4:], "metadata": map[string]any{}, "name": nil, "regulated_status": "unregulated",
		"tokenization_method": nil,
	}
	for _, f := range cardHolderFields {
		if v, ok := p.Str(f); ok && v != "" {
			o[f] = v
		}
	}
	if cvc {
		o["cvc_check"] = "unchecked"
	}
	if o["address_line1"] != nil {
		o["address_line1_check"] = "unchecked"
	}
	if o["address_zip"] != nil {
		o["address_zip_check"] = "unchecked"
	}
	return o, c.Tx.SetMeta(metaCard(c.Account, id), cd.Number)
}

// magicCard is the card behind one of Stripe's test tokens (tok_visa…): a
// new card each time, as at Stripe, where they can be used repeatedly.
func magicCard(c *api.Call, tok, param string) (store.Obj, bool, error) {
	if err := refuseCard(tok, param); err != nil {
		return nil, true, err
	}
	number, ok := testTokens[tok]
	if !ok {
		return nil, false, nil
	}
	if err := refuseCard(number, param); err != nil {
		return nil, true, err
	}
	cd, _ := lookupCard(number)
	m, y := defaultExpiry(c)
	holder := map[string]any{}
	if addr := api.Obj(checkedAddress(cd, store.Obj{"address": emptyAddress()})["address"]); addr["line1"] != nil {
		holder = map[string]any{"address_line1": addr["line1"], "address_city": addr["city"], "address_state": addr["state"],
			"address_zip": addr["postal_code"], "address_country": addr["country"]}
	}
	o, err := newCard(c, cd, m, y, params.NewValues(holder), true)
	return o, true, err
}

// cardFromDetails builds a card from details sent inline under param.
func cardFromDetails(c *api.Call, p params.Values, param string) (store.Obj, error) {
	if obj, _ := p.Str("object"); obj != "" && obj != "card" {
		return nil, apierr.InvalidRequest("stripe-emu emulates card sources only: `%s[object]` must be card.", param).WithParam(param + "[object]")
	}
	if cur, _ := p.Str("currency"); cur != "" {
		// A debit card's payout currency, for Connect external accounts.
		return nil, api.NotEmulated(param+"[currency]", c.Endpoint)
	}
	cd, m, y, err := parseCardDetails(c, p, param)
	if err != nil {
		return nil, err
	}
	cvc, _ := p.Str("cvc")
	return newCard(c, cd, m, y, p, cvc != "")
}

// useToken takes the card of a card token, marking the token used: Stripe
// tokens are single-use (Stripe's magic test tokens excepted). The card
// is returned as a card outside a token shows it.
func useToken(c *api.Call, id, param string) (store.Obj, error) {
	if o, ok, err := magicCard(c, id, param); ok || err != nil {
		return o, err
	}
	switch {
	case strings.HasPrefix(id, "src_"), strings.HasPrefix(id, "btok_"), strings.HasPrefix(id, "ba_"):
		return nil, apierr.InvalidRequest("stripe-emu emulates card tokens and cards only: Sources (src_…) and bank accounts are not emulated.").WithParam(param)
	case !strings.HasPrefix(id, "tok_"):
		return nil, apierr.NoSuchObject("token", id, param)
	}
	tok, ok := c.Tx.Get(c.Account, "token", id)
	if !ok {
		return nil, apierr.NoSuchObject("token", id, param)
	}
	if api.Bool(tok["used"]) {
		return nil, apierr.InvalidRequest("You cannot use a Stripe token more than once: %s.", id).WithCode("token_already_used")
	}
	used := api.Clone(tok)
	used["used"] = true
	if err := c.Put(used); err != nil {
		return nil, err
	}
	card := api.Clone(api.Obj(tok["card"]))
	delete(card, "networks")
	card["customer"] = nil
	return card, nil
}

// paymentMethodAsSource is Stripe's refusal of a PaymentMethod (pm_…,
// pm_card_visa too) sent as the card source to save on a customer.
const paymentMethodAsSource = "You cannot use a PaymentMethod as a source for Customers. Instead, use the PaymentMethods API to Attach a Customer to a PaymentMethod. See https://stripe.com/docs/api/payment_methods/attach"

// customerCardFromSource is cardFromSource for a card to save on a
// customer, which a PaymentMethod cannot be: it is attached instead.
func customerCardFromSource(c *api.Call) (store.Obj, error) {
	if id, _ := c.Params.Str("source"); strings.HasPrefix(id, "pm_") {
		return nil, apierr.InvalidRequest(paymentMethodAsSource).WithParam("source")
	}
	return cardFromSource(c, "source")
}

// cardFromSource is the new card a request's source (param) names: a
// token (used up), a magic test token, or card details.
func cardFromSource(c *api.Call, param string) (store.Obj, error) {
	if raw, ok := c.Params.Sent(param); ok {
		if _, isObj := raw.(map[string]any); isObj {
			p, _ := c.Params.Obj(param)
			return cardFromDetails(c, p, param)
		}
	}
	id, _ := c.Params.Str(param)
	if id == "" {
		return nil, apierr.MissingParam(param)
	}
	return useToken(c, id, param)
}

// checked is what a card's checks read once the card is verified (saved on
// a customer or charged): what was given passes, unless the test card
// fails it or has it unavailable (checkResult).
func checked(card store.Obj, cd card) {
	results := map[string]string{"cvc_check": cd.CVCCheck, "address_line1_check": cd.Line1Check, "address_zip_check": cd.ZipCheck}
	for f, result := range results {
		if card[f] == "unchecked" {
			card[f] = checkResult(true, result)
		}
	}
}

// sourceChecks are a card source's checks as a payment's checks name them.
func sourceChecks(card store.Obj) store.Obj {
	return store.Obj{"address_line1_check": card["address_line1_check"],
		"address_postal_code_check": card["address_zip_check"], "cvc_check": card["cvc_check"]}
}

// cardByID is the test card behind a card or card PaymentMethod id.
func cardByID(c *api.Call, id string) card { return cardOf(c, store.Obj{"id": id}) }

// cardBillingDetails are a card's holder details as a PaymentMethod or a
// charge shows them.
func cardBillingDetails(card store.Obj) store.Obj {
	addr := store.Obj{"city": card["address_city"], "country": card["address_country"], "line1": card["address_line1"],
		"line2": card["address_line2"], "postal_code": card["address_zip"], "state": card["address_state"]}
	return store.Obj{"address": addr, "email": nil, "name": card["name"], "phone": nil, "tax_id": nil}
}

// cardPaymentMethod is a card as the PaymentMethods API shows it (same id,
// type card): how a saved card is stored for PaymentIntents, invoices and
// GET /v1/payment_methods, and how a charge of a card is built.
func cardPaymentMethod(c *api.Call, card store.Obj) store.Obj {
	cd := cardByID(c, api.Str(card["id"]))
	pm := cardPaymentMethodObject(c, api.Str(card["id"]), cd, api.Int(card["exp_month"]), api.Int(card["exp_year"]), cardBillingDetails(card))
	pm["customer"] = card["customer"]
	api.Obj(pm["card"])["checks"] = sourceChecks(card)
	return pm
}

// --- tokens ------------------------------------------------------------

func createToken(c *api.Call) (any, error) {
	cusID, _ := c.Params.Str("customer")
	if cusID != "" && c.Publishable {
		// Sharing a customer's card with a connected account is the
		// platform's, with its secret key.
		return nil, api.PublishableRefused()
	}
	raw, hasCard := c.Params.Sent("card")
	if _, isObj := raw.(map[string]any); hasCard && isObj {
		if cusID != "" {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate a token of card details for a customer: send card details alone, or customer with an optional card id to share a customer's card.").WithParam("customer")
		}
		p, _ := c.Params.Obj("card")
		card, err := cardFromDetails(c, p, "card")
		if err != nil {
			return nil, err
		}
		return putToken(c, card)
	}
	if cusID != "" {
		return shareCustomerCard(c, cusID)
	}
	if cardID, _ := c.Params.Str("card"); cardID != "" {
		return nil, apierr.MissingParam("customer")
	}
	return nil, apierr.InvalidRequest("You must supply either a card, customer, PII data, bank account, or account legal entity to create a token. If you're making this request with a library, be sure to pass all of the required parameters for creating a token. If you're making this request manually, be sure your POST parameters begin with the token type. For example, a PII token would require `pii[personal_id_number]`, while an account token would require a parameter beginning with `account[legal_entity]`. See the API reference for more information: https://stripe.com/docs/api#token_object").WithCode("parameter_missing")
}

// putToken stores a new card token for card (not stored itself).
func putToken(c *api.Call, card store.Obj) (store.Obj, error) {
	tc := api.Clone(card)
	delete(tc, "customer")
	tc["networks"] = store.Obj{"preferred": nil}
	var ip any
	if c.ClientIP != "" {
		ip = c.ClientIP
	}
	tok := c.Object("token", c.NewID("token"), store.Obj{"card": tc, "client_ip": ip, "type": "card", "used": false})
	return tok, c.Put(tok)
}

// shareCustomerCard makes a token of a platform customer's card (card, or
// the customer's default source), for a connected account to charge or
// save (Stripe's shared customers, made with Stripe-Account): a new card
// in the account the request is for, with the same number.
func shareCustomerCard(c *api.Call, cusID string) (any, error) {
	cus, ok := c.Tx.Get(c.Platform, "customer", cusID)
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", cusID, "customer")
	}
	cardID, _ := c.Params.Str("card")
	if cardID == "" {
		cardID = api.Str(cus["default_source"])
		if cardID == "" {
			return nil, apierr.InvalidRequest("Customer %s has no default source to make a token of: pass `card`.", cusID).WithParam("card")
		}
	}
	src, ok := c.Tx.Get(c.Platform, "card", cardID)
	if !ok || api.Str(src["customer"]) != cusID {
		return nil, apierr.NoSuchObject("card", cardID, "card")
	}
	number, _ := c.Tx.GetMeta(metaCard(c.Platform, cardID))
	card := api.Clone(src)
	card["id"], card["customer"], card["metadata"] = c.NewID("card"), nil, map[string]any{}
	card["fingerprint"] = fingerprint(c.Account, number)
	if err := c.Tx.SetMeta(metaCard(c.Account, api.Str(card["id"])), number); err != nil {
		return nil, err
	}
	return putToken(c, card)
}

func retrieveToken(c *api.Call) (any, error) {
	return c.Retrieve("token", c.Var("id"))
}

// --- customer sources --------------------------------------------------

// sourceCustomer loads the customer of a sources URL.
func sourceCustomer(c *api.Call) (store.Obj, error) {
	cus, ok := c.Tx.Get(c.Account, "customer", c.Var("customer"))
	if !ok || api.Bool(cus["deleted"]) {
		return nil, apierr.NoSuchObject("customer", c.Var("customer"), "id")
	}
	return cus, nil
}

// customerCard loads a card of the customer of a sources URL.
func customerCard(c *api.Call, cusID, id string) (store.Obj, error) {
	card, ok := c.Tx.Get(c.Account, "card", id)
	if !ok || api.Str(card["customer"]) != cusID {
		e := apierr.InvalidRequest("Customer %s does not have card with ID %s", cusID, id).WithParam("id").WithCode("resource_missing")
		e.Status = 404
		return nil, e
	}
	return card, nil
}

// attachable checks a new card before it is saved on customer cusID: the
// check Stripe runs when a card is saved declines the cards that always
// decline (not 4000000000000341, whose charges fail later). It sets the
// card's customer and checks.
func attachable(c *api.Call, card store.Obj, cusID string) error {
	cd := cardByID(c, api.Str(card["id"]))
	if cd.Outcome == declines {
		return declineOf(cd)
	}
	verified := api.Clone(card)
	checked(verified, cd)
	if fail := checkDecline(sourceChecks(verified), true); fail != nil {
		return fail
	}
	card["customer"] = cusID
	checked(card, cd)
	return nil
}

// saveCard stores a card attachable made ready: customer.source.created,
// and its PaymentMethod view (no event: the card is the one saved).
func saveCard(c *api.Call, card store.Obj) error {
	if err := c.Insert(card); err != nil {
		return err
	}
	return c.Put(cardPaymentMethod(c, card))
}

func createSource(c *api.Call) (any, error) {
	// validate only asks that the card be checked, as every card saved is.
	c.Inert("validate")
	before, err := sourceCustomer(c)
	if err != nil {
		return nil, err
	}
	card, err := customerCardFromSource(c)
	if err != nil {
		return nil, err
	}
	if err := c.ApplyMetadata(card); err != nil {
		return nil, err
	}
	if err := attachable(c, card, api.Str(before["id"])); err != nil {
		return nil, err
	}
	if err := saveCard(c, card); err != nil {
		return nil, err
	}
	if before["default_source"] == nil {
		// The first card becomes the default; later ones do not.
		after := api.Clone(before)
		after["default_source"] = card["id"]
		if err := c.Save(before, after); err != nil {
			return nil, err
		}
	}
	return card, nil
}

// customerSources are the first page of a customer's sources, newest
// first: the customer's includable sources.
func customerSources(c *api.Call, cus store.Obj) (any, error) {
	id := api.Str(cus["id"])
	p := c.Tx.List(c.Account, "card", store.Query{Index: "customer", Value: id, Limit: 10})
	data := make([]any, len(p.Data))
	for i, o := range p.Data {
		data[i] = o
	}
	return store.Obj{"object": "list", "data": data, "has_more": p.HasMore, "url": "/v1/customers/" + id + "/sources"}, nil
}

func listSources(c *api.Call) (any, error) {
	cus, err := sourceCustomer(c)
	if err != nil {
		return nil, err
	}
	id := api.Str(cus["id"])
	q, err := c.ListQuery("card")
	if err != nil {
		return nil, err
	}
	q.Index, q.Value = "customer", id
	if obj, _ := c.Params.Str("object"); obj != "" && obj != "card" {
		// Cards are the only sources emulated.
		q.Filter = func(store.Obj) bool { return false }
	}
	return c.Page("card", "/v1/customers/"+id+"/sources", q), nil
}

func retrieveSource(c *api.Call) (any, error) {
	if _, err := sourceCustomer(c); err != nil {
		return nil, err
	}
	return customerCard(c, c.Var("customer"), c.Var("id"))
}

func updateSource(c *api.Call) (any, error) {
	if _, err := sourceCustomer(c); err != nil {
		return nil, err
	}
	before, err := customerCard(c, c.Var("customer"), c.Var("id"))
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	for _, f := range cardHolderFields {
		if c.Params.Has(f) {
			v, _ := c.Params.Str(f)
			after[f] = api.NilIfEmpty(v)
		}
	}
	if c.Params.Has("address_line1") {
		after["address_line1_check"] = checkOf(after["address_line1"])
	}
	if c.Params.Has("address_zip") {
		after["address_zip_check"] = checkOf(after["address_zip"])
	}
	if m, ok, bad := expiryField(c.Params, "exp_month"); ok {
		if bad || m < 1 || m > 12 {
			return nil, cardError("invalid_expiry_month", "", "Your card's expiration month is invalid.", "exp_month")
		}
		after["exp_month"] = m
	}
	if y, ok, bad := expiryField(c.Params, "exp_year"); ok {
		y = fullExpiryYear(y, c.Clock.Now().Year())
		if bad || y < int64(c.Clock.Now().Year()) {
			return nil, cardError("invalid_expiry_year", "", "Your card's expiration year is invalid.", "exp_year")
		}
		after["exp_year"] = y
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if err := c.Save(before, after); err != nil {
		return nil, err
	}
	return after, c.Put(cardPaymentMethod(c, after))
}

// checkOf is the check of a holder detail changed on a saved card: a new
// value is checked at once (it passes), none has no check.
func checkOf(v any) any {
	if v == nil {
		return nil
	}
	return "pass"
}

func deleteSource(c *api.Call) (any, error) {
	cus, err := sourceCustomer(c)
	if err != nil {
		return nil, err
	}
	card, err := customerCard(c, api.Str(cus["id"]), c.Var("id"))
	if err != nil {
		return nil, err
	}
	after := api.Clone(cus)
	if err := removeCard(c, card, after); err != nil {
		return nil, err
	}
	if err := c.Save(cus, after); err != nil {
		return nil, err
	}
	return api.Deleted("card", api.Str(card["id"])), nil
}

// removeCard deletes a saved card (customer.source.deleted) and its
// PaymentMethod view, and moves the customer's defaults off it (cus, to be
// saved by the caller): the most recently added card that is left becomes
// the default source, as Stripe documents, or none.
func removeCard(c *api.Call, card, cus store.Obj) error {
	id := api.Str(card["id"])
	if err := c.Tx.Delete(c.Account, "card", id); err != nil {
		return err
	}
	view, ok := c.Tx.Get(c.Account, "payment_method", id)
	if !ok {
		view = cardPaymentMethod(c, card)
	}
	if err := c.Tx.Delete(c.Account, "payment_method", id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	c.Emit("customer.source.deleted", card, nil)
	// Its PaymentMethod view leaves the customer with it: Stripe tells
	// payment_method.detached, under the card's id.
	view = api.Clone(view)
	view["customer"] = nil
	c.Emit("payment_method.detached", view, store.Obj{"customer": card["customer"]})
	if err := tellDetached(c, id, api.Str(card["customer"])); err != nil {
		return err
	}
	if cus["default_source"] == id {
		cus["default_source"] = nil
		p := c.Tx.List(c.Account, "card", store.Query{Index: "customer", Value: api.Str(cus["id"]), Limit: 1})
		if len(p.Data) > 0 {
			cus["default_source"] = p.Data[0]["id"]
		}
	}
	if is, _ := cus["invoice_settings"].(map[string]any); is != nil && is["default_payment_method"] == id {
		is = api.Clone(is)
		is["default_payment_method"] = nil
		cus["invoice_settings"] = is
	}
	return nil
}

// updateCustomerSources applies a customer update's source and
// default_source to cus (stored by the customer update): a new source is
// saved and made the default, and the default it replaces is deleted, as
// Stripe's customer update does; default_source must be one of the
// customer's cards.
func updateCustomerSources(c *api.Call, cus store.Obj) error {
	cusID := api.Str(cus["id"])
	if src, _ := c.Params.Str("source"); src != "" {
		card, err := customerCardFromSource(c)
		if err != nil {
			return err
		}
		if err := attachable(c, card, cusID); err != nil {
			return err
		}
		if err := saveCard(c, card); err != nil {
			return err
		}
		old := api.Str(cus["default_source"])
		cus["default_source"] = card["id"]
		if prev, ok := c.Tx.Get(c.Account, "card", old); ok && api.Str(prev["customer"]) == cusID {
			if err := removeCard(c, prev, cus); err != nil {
				return err
			}
		}
	}
	// An empty default_source changes nothing: a customer with sources
	// always has a default.
	if id, _ := c.Params.Str("default_source"); id != "" {
		if card, ok := c.Tx.Get(c.Account, "card", id); !ok || api.Str(card["customer"]) != cusID {
			return apierr.NoSuchObject("source", id, "default_source")
		}
		cus["default_source"] = id
	}
	return nil
}

func verifySource(c *api.Call) (any, error) {
	if _, err := sourceCustomer(c); err != nil {
		return nil, err
	}
	return nil, apierr.InvalidRequest("stripe-emu does not emulate bank account sources, the only sources that are verified: cards need no verification.").WithParam("id")
}
