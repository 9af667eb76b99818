package issuing

import (
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

func authorizationRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/issuing/authorizations", params.FromStruct(stripe.IssuingAuthorizationListParams{}).
			Enum("status", "closed", "expired", "pending", "reversed"), listAuthorizations),
		api.GET("/v1/issuing/authorizations/{id}", params.FromStruct(stripe.IssuingAuthorizationRetrieveParams{}), retrieveAuthorization),
		api.POST("/v1/issuing/authorizations/{id}", params.FromStruct(stripe.IssuingAuthorizationUpdateParams{}), updateAuthorization),
		api.POST("/v1/issuing/authorizations/{id}/approve", params.FromStruct(stripe.IssuingAuthorizationApproveParams{}), answerRequest("approve")),
		api.POST("/v1/issuing/authorizations/{id}/decline", params.FromStruct(stripe.IssuingAuthorizationDeclineParams{}), answerRequest("decline")),
		api.POST("/v1/test_helpers/issuing/authorizations", params.FromStruct(stripe.TestHelpersIssuingAuthorizationCreateParams{}), createAuthorization),
		// The Stripe CLI's issuing_authorization.request triggers post
		// here: an older, undocumented test path taking the amount as
		// held_amount (and held_currency). Served as the documented
		// test helper, for the card in the path.
		api.POST("/v1/issuing/cards/{card}/test/authorizations", params.Object(map[string]*params.Schema{
			"held_amount":          params.Integer(),
			"held_currency":        params.String(),
			"authorization_method": params.String(),
			"expand":               params.ArrayOf(params.String()),
		}).Require("held_amount").Enum("authorization_method", "chip", "contactless", "keyed_in", "online", "swipe"), createCardTestAuthorization),
		api.POST("/v1/test_helpers/issuing/authorizations/{id}/capture", params.FromStruct(stripe.TestHelpersIssuingAuthorizationCaptureParams{}), captureAuthorization),
		api.POST("/v1/test_helpers/issuing/authorizations/{id}/expire", params.FromStruct(stripe.TestHelpersIssuingAuthorizationExpireParams{}), expireAuthorization),
		api.POST("/v1/test_helpers/issuing/authorizations/{id}/reverse", params.FromStruct(stripe.TestHelpersIssuingAuthorizationReverseParams{}), reverseAuthorization),
		api.POST("/v1/test_helpers/issuing/authorizations/{id}/increment", params.FromStruct(stripe.TestHelpersIssuingAuthorizationIncrementParams{}), incrementAuthorization),
		api.POST("/v1/test_helpers/issuing/authorizations/{id}/finalize_amount", params.FromStruct(stripe.TestHelpersIssuingAuthorizationFinalizeAmountParams{}), finalizeAuthorization),
	}
}

// defaultMerchant is the merchant of a test authorization that names
// none: the one of Stripe's example authorization.
func defaultMerchant() store.Obj {
	return store.Obj{
		"category": "taxicabs_limousines", "category_code": "4121", "city": "San Francisco", "country": "US",
		"name": "Rocket Rides", "network_id": "1234567890", "postal_code": "94107", "state": "CA",
		"tax_id": nil, "terminal_id": nil, "url": nil,
	}
}

// merchantData is the merchant a test helper names (merchant_data), over
// the default one.
func merchantData(c *api.Call) (store.Obj, error) {
	m := defaultMerchant()
	md, ok := c.Params.Obj("merchant_data")
	if !ok {
		return m, nil
	}
	if cat, _ := md.Str("category"); cat != "" {
		code, known := categoryCodes[cat]
		if !known {
			return nil, apierr.InvalidRequest("stripe-emu does not emulate the merchant category %s: it has no one merchant category code (MCC) to show for it, and refused the request rather than show an invented one.", cat).WithParam("merchant_data[category]")
		}
		m["category"], m["category_code"] = cat, code
	}
	for _, f := range []string{"city", "country", "name", "network_id", "postal_code", "state", "terminal_id", "url"} {
		if md.Has(f) {
			s, _ := md.Str(f)
			if f == "network_id" && s == "" {
				continue // always present
			}
			m[f] = api.NilIfEmpty(s)
		}
	}
	return m, nil
}

// request is one authorization request: the amount asked for (or the
// increment) and where.
type request struct {
	amount       int64
	currency     string
	category     string
	country      string
	cvc, exp     string // verification_data checks
	controllable bool
}

// decide applies Stripe's rules to a request on a card (already is what
// the authorization was approved for before, counted in its spend): the
// reason it is declined, "" when approved.
func decide(c *api.Call, card store.Obj, r request, already int64, authID string) string {
	ch := api.Obj(card["cardholder"])
	// The cardholder as it is now (the card's copy can only be as new).
	if now, ok := c.Tx.Get(c.Account, "issuing.cardholder", api.Str(ch["id"])); ok {
		ch = now
	}
	switch card["status"] {
	case "canceled":
		return "card_canceled"
	case "inactive":
		return "card_inactive"
	}
	now := time.Unix(c.Now, 0).UTC()
	if y, m := api.Int(card["exp_year"]), api.Int(card["exp_month"]); y < int64(now.Year()) || y == int64(now.Year()) && m < int64(now.Month()) {
		return "card_expired"
	}
	switch ch["status"] {
	case "inactive":
		return "cardholder_inactive"
	case "blocked":
		return "cardholder_blocked"
	}
	if api.Obj(ch["requirements"])["disabled_reason"] != nil {
		return "cardholder_verification_required"
	}
	if r.cvc == "mismatch" || r.exp == "mismatch" {
		return "verification_failed"
	}
	for _, owner := range []struct {
		controls store.Obj
		cards    []string
	}{
		// A card's limits count what the cards it replaced spent too.
		{api.Obj(card["spending_controls"]), replacedChain(c, card)},
		{api.Obj(ch["spending_controls"]), cardsOf(c, api.Str(ch["id"]))},
	} {
		if !controlsAllow(c, owner.controls, owner.cards, r, already, authID) {
			return "spending_controls"
		}
	}
	if payments.IssuingAvailable(c, r.currency) < r.amount {
		return "insufficient_funds"
	}
	return ""
}

// replacedChain is a card and the cards it replaced, up the chain: its
// spending limits "apply across any cards this card replaced".
func replacedChain(c *api.Call, card store.Obj) []string {
	out := []string{api.Str(card["id"])}
	seen := map[string]bool{out[0]: true}
	for next := api.Str(card["replacement_for"]); next != "" && !seen[next]; {
		seen[next] = true
		out = append(out, next)
		f, ok := c.Tx.Fields(c.Account, "issuing.card", next, "replacement_for")
		if !ok {
			break
		}
		next = f[0].String()
	}
	return out
}

// cardsOf are the ids of a cardholder's cards.
func cardsOf(c *api.Call, cardholder string) []string {
	var out []string
	c.Tx.EachIndexed(c.Account, "issuing.card", "cardholder", cardholder, func(o store.Obj) bool {
		out = append(out, api.Str(o["id"]))
		return true
	})
	return out
}

// controlsAllow says whether spending controls let the request through:
// its merchant's category and country allowed and not blocked, and each
// spending limit on the category not passed by what the cards spent in
// the limit's interval with this request (and what the authorization
// was already approved for) added.
func controlsAllow(c *api.Call, sc store.Obj, cards []string, r request, already int64, authID string) bool {
	in := func(list any, v string) bool {
		for _, s := range api.Strs(list) {
			if s == v {
				return true
			}
		}
		return false
	}
	if allowed := api.Strs(sc["allowed_categories"]); len(allowed) > 0 && !in(allowed, r.category) {
		return false
	}
	if in(sc["blocked_categories"], r.category) {
		return false
	}
	if allowed := api.Strs(sc["allowed_merchant_countries"]); len(allowed) > 0 && !in(allowed, r.country) {
		return false
	}
	if in(sc["blocked_merchant_countries"], r.country) {
		return false
	}
	limits, _ := sc["spending_limits"].([]any)
	for _, l := range limits {
		lim := api.Obj(l)
		if cats := api.Strs(lim["categories"]); len(cats) > 0 && !in(cats, r.category) {
			continue
		}
		interval := api.Str(lim["interval"])
		total := r.amount + already
		if interval != "per_authorization" {
			total += spent(c, cards, intervalStart(c.Now, interval), api.Strs(lim["categories"]), authID)
		}
		if total > api.Int(lim["amount"]) {
			return false
		}
	}
	return true
}

// intervalStart is when a spending limit's current interval began:
// Stripe's intervals run from midnight UTC (weeks from Sunday, months
// from their first, years from January 1st).
func intervalStart(now int64, interval string) int64 {
	t := time.Unix(now, 0).UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch interval {
	case "daily":
		return day.Unix()
	case "weekly":
		return day.AddDate(0, 0, -int(day.Weekday())).Unix()
	case "monthly":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).Unix()
	case "yearly":
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	}
	return 0 // all_time
}

// spent is what cards spent since from in categories (all when none):
// the amounts of their approved authorizations (other than authID's)
// that were not reversed or left to expire, and the captures made
// without one.
func spent(c *api.Call, cards []string, from int64, cats []string, authID string) int64 {
	inCats := func(m store.Obj) bool {
		if len(cats) == 0 {
			return true
		}
		for _, s := range cats {
			if s == m["category"] {
				return true
			}
		}
		return false
	}
	var total int64
	for _, card := range cards {
		c.Tx.EachIndexed(c.Account, "issuing.authorization", "card", card, func(a store.Obj) bool {
			// Reversed and expired authorizations spent nothing.
			if api.Bool(a["approved"]) && a["status"] != "expired" && a["status"] != "reversed" && a["id"] != authID &&
				api.Int(a["created"]) >= from && inCats(api.Obj(a["merchant_data"])) {
				total += api.Int(a["amount"])
			}
			return true
		})
		c.Tx.EachIndexed(c.Account, "issuing.transaction", "card", card, func(t store.Obj) bool {
			if t["authorization"] == nil && api.Int(t["created"]) >= from && inCats(api.Obj(t["merchant_data"])) {
				total -= api.Int(t["amount"]) // captures are negative, refunds positive
			}
			return true
		})
	}
	return total
}

// realTimeWebhook says whether the account listens for Stripe's real-time
// authorization requests (an enabled endpoint for
// issuing_authorization.request): only then does Stripe send them.
func realTimeWebhook(c *api.Call) bool {
	found := false
	listens := func(o store.Obj) bool {
		if o["status"] != "enabled" {
			return true
		}
		for _, e := range api.Strs(o["enabled_events"]) {
			if e == "issuing_authorization.request" || e == "*" {
				found = true
				return false
			}
		}
		return true
	}
	c.Tx.Each(c.Account, "webhook_endpoint", listens)
	if !found && c.Connected {
		// A connected account's requests reach its platform's Connect
		// endpoints.
		c.Tx.Each(c.Platform, "webhook_endpoint", func(o store.Obj) bool {
			if _, connect := c.Tx.GetMeta("weconnect:" + c.Platform + ":" + api.Str(o["id"])); connect {
				return listens(o)
			}
			return true
		})
	}
	return found
}

// declineMessages explain the reasons the emulator declines for.
var declineMessages = map[string]string{
	"card_canceled":                    "The card is canceled.",
	"card_inactive":                    "The card is inactive.",
	"card_expired":                     "The card has expired.",
	"cardholder_inactive":              "The cardholder is inactive.",
	"cardholder_blocked":               "The cardholder is blocked.",
	"cardholder_verification_required": "The cardholder has requirements past due (requirements.past_due).",
	"verification_failed":              "The card's verification data (CVC or expiry) did not match.",
	"spending_controls":                "The authorization is not allowed by the spending controls of the card or cardholder.",
	"insufficient_funds":               "The Issuing balance does not have sufficient funds for the authorization.",
}

// historyEntry is one request_history entry: the request and Stripe's
// answer to it (reason "" when approved).
func historyEntry(c *api.Call, r request, reason string, amountDetails any) store.Obj {
	approved := reason == ""
	var code, message any
	if approved {
		code = "S" + randomDigits(c, 6)
		reason = "card_active"
	} else {
		message = declineMessages[reason]
	}
	return store.Obj{
		"amount": r.amount, "amount_details": amountDetails, "approved": approved, "authorization_code": code,
		"created": c.Now, "currency": r.currency, "merchant_amount": r.amount, "merchant_currency": r.currency,
		"network_risk_score": nil, "reason": reason, "reason_message": message, "requested_at": c.Now,
	}
}

// pendingRequest is the request awaiting the real-time webhook's answer,
// as issuing_authorization.request shows it.
func pendingRequest(r request, amountDetails any) store.Obj {
	return store.Obj{
		"amount": r.amount, "amount_details": amountDetails, "currency": r.currency,
		"is_amount_controllable": r.controllable, "merchant_amount": r.amount, "merchant_currency": r.currency,
		"network_risk_score": nil,
	}
}

func createCardTestAuthorization(c *api.Call) (any, error) {
	if _, err := c.Load("issuing.card", c.Var("card"), "id"); err != nil {
		return nil, err // the card in the path: a 404
	}
	amount, _ := c.Params.Int("held_amount")
	set := map[string]any{"card": c.Var("card"), "amount": amount}
	if cur, _ := c.Params.Str("held_currency"); cur != "" {
		set["currency"] = cur
	}
	if m, _ := c.Params.Str("authorization_method"); m != "" {
		set["authorization_method"] = m
	}
	return c.As(createAuthorization, nil, set)
}

func createAuthorization(c *api.Call) (any, error) {
	cardID, _ := c.Params.Str("card")
	card, ok := c.Tx.Get(c.Account, "issuing.card", cardID)
	if !ok {
		return nil, apierr.NoSuchObject("issuing card", cardID, "card")
	}
	cur, _ := c.Params.Str("currency")
	if cur == "" {
		cur = api.Str(card["currency"])
	}
	if cur != card["currency"] {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate authorizations in a currency other than the card's (%s): it converts no currencies.", card["currency"]).WithParam("currency")
	}
	if mc, _ := c.Params.Str("merchant_currency"); mc != "" && mc != cur {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate authorizations in a merchant currency other than the card's (%s): it converts no currencies.", cur).WithParam("merchant_currency")
	}
	amount, hasAmount := c.Params.Int("amount")
	if ma, ok := c.Params.Int("merchant_amount"); ok {
		if hasAmount && ma != amount {
			return nil, apierr.InvalidRequest("amount and merchant_amount must be equal when the currencies are the same.").WithParam("merchant_amount")
		}
		amount, hasAmount = ma, true
	}
	if !hasAmount {
		return nil, apierr.MissingParam("amount")
	}
	if amount < 0 {
		return nil, apierr.InvalidRequest("Invalid amount: must be at least 0.").WithParam("amount")
	}
	merchant, err := merchantData(c)
	if err != nil {
		return nil, err
	}
	method, _ := c.Params.Str("authorization_method")
	if method == "" {
		method = "online" // the reference: "Defaults to online"
	}
	controllable, _ := c.Params.Bool("is_amount_controllable")
	wallet, _ := c.Params.Str("wallet")
	var amountDetails any
	if ad, ok := c.Params.Obj("amount_details"); ok {
		d := store.Obj{"atm_fee": nil, "cashback_amount": nil}
		for _, f := range []string{"atm_fee", "cashback_amount"} {
			if n, ok := ad.Int(f); ok {
				d[f] = n
			}
		}
		amountDetails = d
	}
	verification := verificationData(c)
	var network any = store.Obj{"acquiring_institution_id": nil, "system_trace_audit_number": nil, "transaction_id": nil}
	if nd, ok := c.Params.Obj("network_data"); ok {
		s, _ := nd.Str("acquiring_institution_id")
		api.Obj(network)["acquiring_institution_id"] = api.NilIfEmpty(s)
	}
	r := request{amount: amount, currency: cur, category: api.Str(merchant["category"]), country: api.Str(merchant["country"]),
		cvc: api.Str(verification["cvc_check"]), exp: api.Str(verification["expiry_check"]), controllable: controllable}
	id := c.NewID("issuing.authorization")
	auth := c.Object("issuing.authorization", id, store.Obj{
		"amount": amount, "amount_details": amountDetails, "approved": false, "authorization_method": method,
		"balance_transactions": []any{}, "card": card, "cardholder": api.Obj(card["cardholder"])["id"],
		"currency": cur, "fleet": nil, "fuel": nil, "merchant_amount": amount, "merchant_currency": cur,
		"merchant_data": merchant, "metadata": map[string]any{}, "network_data": network, "pending_request": nil,
		"request_history": []any{}, "status": "pending", "token": nil, "transactions": []any{},
		"verification_data": verification, "verified_by_fraud_challenge": nil, "wallet": api.NilIfEmpty(wallet),
	})
	reason := decide(c, card, r, 0, id)
	if reason == "" && realTimeWebhook(c) {
		// A request Stripe's own checks let through is put to the
		// real-time webhook (one they decline is not: "Spending controls
		// run before real-time authorizations and can decline a purchase
		// before the issuing_authorization.request is sent"). The
		// emulator cannot wait on its answer: the checks decide.
		// Until it is answered nothing is authorized: "The top-level
		// amount in the request is set to 0 and approved is false"
		// (Stripe's real-time authorizations guide).
		asked := api.Clone(auth)
		asked["amount"], asked["merchant_amount"] = int64(0), int64(0)
		asked["pending_request"] = pendingRequest(r, amountDetails)
		c.Emit("issuing_authorization.request", asked, nil)
	}
	auth["request_history"] = []any{historyEntry(c, r, reason, amountDetails)}
	if reason != "" {
		auth["status"] = "closed"
		return auth, c.PutEmit(auth, "issuing_authorization.created", nil)
	}
	auth["approved"] = true
	hold, err := payments.PutIssuingBalanceTransaction(c, "issuing_authorization_hold", -amount, cur, id)
	if err != nil {
		return nil, err
	}
	auth["balance_transactions"] = []any{hold}
	if err := c.PutEmit(auth, "issuing_authorization.created", nil); err != nil {
		return nil, err
	}
	return auth, scheduleExpiry(c, auth)
}

// verificationData is what the test helper says the card's checks gave
// (verification_data), each "not_provided" unless sent.
func verificationData(c *api.Call) store.Obj {
	v := store.Obj{
		"address_line1_check": "not_provided", "address_postal_code_check": "not_provided",
		"authentication_exemption": nil, "cvc_check": "not_provided", "expiry_check": "not_provided",
		"postal_code": nil, "three_d_secure": nil,
	}
	vd, ok := c.Params.Obj("verification_data")
	if !ok {
		return v
	}
	for _, f := range []string{"address_line1_check", "address_postal_code_check", "cvc_check", "expiry_check"} {
		if s, _ := vd.Str(f); s != "" {
			v[f] = s
		}
	}
	if ae, ok := vd.Obj("authentication_exemption"); ok {
		by, _ := ae.Str("claimed_by")
		typ, _ := ae.Str("type")
		v["authentication_exemption"] = store.Obj{"claimed_by": by, "type": typ}
	}
	if td, ok := vd.Obj("three_d_secure"); ok {
		res, _ := td.Str("result")
		v["three_d_secure"] = store.Obj{"result": res}
	}
	return v
}

func retrieveAuthorization(c *api.Call) (any, error) {
	return c.Retrieve("issuing.authorization", c.Var("id"))
}

// updateAuthorization changes an authorization's metadata.
func updateAuthorization(c *api.Call) (any, error) {
	return c.UpdateFields("issuing.authorization")
}

// answerRequest serves the deprecated approve and decline: answers to a
// real-time request still pending. The emulator decides every request at
// once (it cannot wait on the webhook), so none is ever pending.
func answerRequest(action string) func(c *api.Call) (any, error) {
	return func(c *api.Call) (any, error) {
		auth, err := c.Load("issuing.authorization", c.Var("id"), "id")
		if err != nil {
			return nil, err
		}
		c.Inert("amount", "metadata") // what an answer to a pending request would set
		return nil, apierr.InvalidRequest("Authorization %s has no pending request to %s: stripe-emu decides each authorization request when it is made (it cannot wait for the real-time webhook's answer), so approve and decline, which Stripe deprecated for answering that webhook, always come too late.", auth["id"], action)
	}
}

// listAuthorizations lists authorizations newest first, by card,
// cardholder, status and created.
func listAuthorizations(c *api.Call) (any, error) {
	q, err := c.ListQuery("issuing.authorization")
	if err != nil {
		return nil, err
	}
	if card, _ := c.Params.Str("card"); card != "" {
		q.Index, q.Value = "card", card
	}
	for _, f := range []string{"cardholder", "status"} {
		if v, _ := c.Params.Str(f); v != "" {
			q.Filter = api.And(q.Filter, func(o store.Obj) bool { return api.Str(o[f]) == v })
		}
	}
	return c.Page("issuing.authorization", "/v1/issuing/authorizations", q), nil
}

// held is what an authorization holds of the Issuing balance.
func held(auth store.Obj) int64 {
	var n int64
	for _, t := range auth["balance_transactions"].([]any) {
		n -= api.Int(api.Obj(t)["amount"])
	}
	return n
}

// loadPending reads the authorization the path names for a test helper
// only a pending (approved, not yet closed) authorization takes.
func loadPending(c *api.Call, action string) (store.Obj, error) {
	auth, err := c.Load("issuing.authorization", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if auth["status"] != "pending" {
		return nil, apierr.InvalidRequest("This authorization has a status of %s and cannot be %s. Only pending authorizations can be %s.", auth["status"], action, action)
	}
	return auth, nil
}

// release gives back n of what an authorization holds.
func release(c *api.Call, auth store.Obj, n int64) error {
	if n <= 0 {
		return nil
	}
	txn, err := payments.PutIssuingBalanceTransaction(c, "issuing_authorization_release", n, api.Str(auth["currency"]), api.Str(auth["id"]))
	if err != nil {
		return err
	}
	auth["balance_transactions"] = append(append([]any{}, auth["balance_transactions"].([]any)...), txn)
	return nil
}

// expireAuthorization is the expire test helper: a pending authorization
// expires now, as Stripe's clock would expire it.
func expireAuthorization(c *api.Call) (any, error) {
	before, err := loadPending(c, "expired")
	if err != nil {
		return nil, err
	}
	return expire(c, before)
}

// expire ends a pending authorization expired, releasing what it holds.
func expire(c *api.Call, before store.Obj) (store.Obj, error) {
	after := api.Clone(before)
	if err := release(c, after, held(before)); err != nil {
		return nil, err
	}
	after["status"] = "expired"
	return after, save(c, before, after)
}

// save stores a changed authorization (issuing_authorization.updated)
// and keeps its expiry scheduled while it is pending.
func save(c *api.Call, before, after store.Obj) error {
	if err := c.Save(before, after); err != nil {
		return err
	}
	return scheduleExpiry(c, after)
}

// reverseAuthorization gives back reverse_amount (all of it by default)
// of a pending authorization: reversed once nothing is left.
func reverseAuthorization(c *api.Call) (any, error) {
	before, err := loadPending(c, "reversed")
	if err != nil {
		return nil, err
	}
	amount := api.Int(before["amount"])
	n := amount
	if v, ok := c.Params.Int("reverse_amount"); ok {
		if v < 1 || v > amount {
			return nil, apierr.InvalidRequest("reverse_amount must be between 1 and the authorization's amount (%d).", amount).WithParam("reverse_amount")
		}
		n = v
	}
	after := api.Clone(before)
	after["amount"], after["merchant_amount"] = amount-n, amount-n
	if err := release(c, after, min(n, held(before))); err != nil {
		return nil, err
	}
	if n == amount {
		after["status"] = "reversed"
	}
	return after, save(c, before, after)
}

// incrementAuthorization asks for increment_amount more on a pending
// authorization: a new request, decided by the same rules.
func incrementAuthorization(c *api.Call) (any, error) {
	before, err := loadPending(c, "incremented")
	if err != nil {
		return nil, err
	}
	inc, _ := c.Params.Int("increment_amount")
	if inc < 1 {
		return nil, apierr.InvalidRequest("increment_amount must be at least 1.").WithParam("increment_amount")
	}
	controllable, _ := c.Params.Bool("is_amount_controllable")
	card := api.Obj(before["card"])
	if now, ok := c.Tx.Get(c.Account, "issuing.card", api.Str(card["id"])); ok {
		card = now
	}
	m := api.Obj(before["merchant_data"])
	v := api.Obj(before["verification_data"])
	r := request{amount: inc, currency: api.Str(before["currency"]), category: api.Str(m["category"]), country: api.Str(m["country"]),
		cvc: api.Str(v["cvc_check"]), exp: api.Str(v["expiry_check"]), controllable: controllable}
	after := api.Clone(before)
	reason := decide(c, card, r, api.Int(before["amount"]), api.Str(before["id"]))
	total := r
	total.amount += api.Int(before["amount"])
	if reason == "" && realTimeWebhook(c) {
		// The request shows what was approved before as the amount and
		// the increment as "the additional amount Stripe will hold if
		// the authorization is approved" (pending_request.amount).
		asked := api.Clone(before)
		asked["pending_request"] = pendingRequest(r, before["amount_details"])
		c.Emit("issuing_authorization.request", asked, nil)
	}
	after["request_history"] = append(append([]any{}, before["request_history"].([]any)...), historyEntry(c, total, reason, before["amount_details"]))
	if reason == "" {
		after["amount"], after["merchant_amount"] = total.amount, total.amount
		hold, err := payments.PutIssuingBalanceTransaction(c, "issuing_authorization_hold", -inc, r.currency, api.Str(before["id"]))
		if err != nil {
			return nil, err
		}
		after["balance_transactions"] = append(append([]any{}, before["balance_transactions"].([]any)...), hold)
	}
	return after, save(c, before, after)
}

// finalizeAuthorization sets a pending authorization's final amount (an
// estimate made final before capture), holding the difference or giving
// it back.
func finalizeAuthorization(c *api.Call) (any, error) {
	before, err := loadPending(c, "finalized")
	if err != nil {
		return nil, err
	}
	if c.Params.Has("fleet") || c.Params.Has("fuel") {
		return nil, apierr.InvalidRequest("stripe-emu does not emulate fleet and fuel data on Issuing authorizations, so it refused the request rather than answer as if it had recorded them.").WithParam(map[bool]string{true: "fleet", false: "fuel"}[c.Params.Has("fleet")])
	}
	final, _ := c.Params.Int("final_amount")
	if final < 0 {
		return nil, apierr.InvalidRequest("final_amount must be at least 0.").WithParam("final_amount")
	}
	after := api.Clone(before)
	diff := final - held(before)
	if diff > 0 {
		hold, err := payments.PutIssuingBalanceTransaction(c, "issuing_authorization_hold", -diff, api.Str(before["currency"]), api.Str(before["id"]))
		if err != nil {
			return nil, err
		}
		after["balance_transactions"] = append(append([]any{}, before["balance_transactions"].([]any)...), hold)
	} else if err := release(c, after, -diff); err != nil {
		return nil, err
	}
	after["amount"], after["merchant_amount"] = final, final
	return after, save(c, before, after)
}

// captureAuthorization captures capture_amount (the authorization's
// amount by default) of a pending or expired authorization: a capture
// transaction, what the authorization holds released (only the amount
// captured when close_authorization is false), and the authorization
// closed.
func captureAuthorization(c *api.Call) (any, error) {
	before, err := c.Load("issuing.authorization", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if before["status"] != "pending" && before["status"] != "expired" {
		// Stripe: "Authorizations that have been expired by Stripe can
		// be captured later"; reversed and closed ones cannot.
		return nil, apierr.InvalidRequest("This authorization has a status of %s and cannot be captured. Only pending or expired authorizations can be captured.", before["status"])
	}
	n := api.Int(before["amount"])
	if v, ok := c.Params.Int("capture_amount"); ok {
		if v < 1 {
			return nil, apierr.InvalidRequest("capture_amount must be at least 1.").WithParam("capture_amount")
		}
		n = v
	}
	closeAuth := true
	if v, ok := c.Params.Bool("close_authorization"); ok {
		closeAuth = v
	}
	after := api.Clone(before)
	releasing := held(before)
	if !closeAuth {
		releasing = min(n, releasing)
	}
	if err := release(c, after, releasing); err != nil {
		return nil, err
	}
	txn, err := newTransaction(c, api.Obj(before["card"]), "capture", -n, api.Str(before["currency"]), api.Obj(before["merchant_data"]), before["id"], authorizationCode(before), before["wallet"])
	if err != nil {
		return nil, err
	}
	if err := keepPurchaseDetails(c, txn, purchaseDetails(c)); err != nil {
		return nil, err
	}
	after["transactions"] = append(append([]any{}, before["transactions"].([]any)...), txn)
	if closeAuth {
		after["status"] = "closed"
	}
	return after, save(c, before, after)
}

// authorizationCode is the code Stripe shared with the merchant when it
// approved the authorization (its first approved request's).
func authorizationCode(auth store.Obj) any {
	for _, h := range auth["request_history"].([]any) {
		if code := api.Obj(h)["authorization_code"]; code != nil {
			return code
		}
	}
	return nil
}
