package accounts

import (
	"slices"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/ids"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/countryspecs"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// BankAccountKind is an account's external bank account (ba_…), where its
// payouts go. It lives in the namespace of the account it belongs to, and
// the account's own external_accounts list shows the same objects. Its
// events are account.external_account.*.
var BankAccountKind = &api.Kind{
	Object:      "bank_account",
	Prefix:      "ba_",
	Name:        "external account",
	EventPrefix: "account.external_account",
	Expandable:  []string{"account"},
}

// Stripe's test bank accounts: the account number (its significant
// digits, or an IBAN's last ten) decides how a payout to it ends
// (https://docs.stripe.com/connect/testing#payouts). Any other number
// succeeds.
var testBankNumbers = map[string]string{
	"111111116": "no_account", "111111113": "account_closed", "222222227": "insufficient_funds",
	"333333335": "debit_not_authorized", "444444440": "invalid_currency",
	// Sort code accounts (GB), eight digits.
	"11111116": "no_account", "11111113": "account_closed", "22222227": "insufficient_funds",
	"33333335": "debit_not_authorized", "44444440": "invalid_currency",
	// IBANs (DE89370400440532013000 succeeds): the last ten characters.
	"0532013001": "no_account", "0532013002": "account_closed", "0532013003": "insufficient_funds",
	"0532013004": "debit_not_authorized", "0532013005": "invalid_currency",
}

// testBankTokens are Stripe's bank account test tokens and the account
// number each stands for.
var testBankTokens = map[string]string{
	"btok_us_verified":                    "000123456789",
	"btok_us_verified_noAccount":          "000111111116",
	"btok_us_verified_accountClosed":      "000111111113",
	"btok_us_verified_insufficientFunds":  "000222222227",
	"btok_us_verified_debitNotAuthorized": "000333333335",
	"btok_us_verified_invalidCurrency":    "000444444440",
}

// usTestNumbers are the US account numbers of Stripe's Connect testing
// page (000123456789 and its failures), without their leading zeros.
var usTestNumbers = []string{"123456789", "111111116", "111111113", "222222227", "333333335", "444444440"}

// checkUSTestBankAccount refuses, in Stripe's words as its answers show
// them, a US routing number that is not nine digits and, test mode taking
// only the testing page's numbers, any other account number.
func checkUSTestBankAccount(number, routing, param string) error {
	if len(strings.ReplaceAll(routing, "-", "")) != 9 {
		return apierr.InvalidRequest("Routing number must have 9 digits").WithParam(param + "[routing_number]").WithCode("routing_number_invalid")
	}
	if !slices.Contains(usTestNumbers, strings.TrimLeft(number, "0")) {
		return apierr.InvalidRequest("You must use a test bank account number in test mode. Try 000123456789 or see more options at https://stripe.com/docs/connect/testing#account-numbers.").
			WithParam(param + "[account_number]").WithCode("account_number_invalid")
	}
	return nil
}

// testFailure is the failure code a payout to the test account number
// ends with, "" when it succeeds.
func testFailure(number string) string {
	digits := strings.TrimLeft(number, "0")
	if code, ok := testBankNumbers[digits]; ok {
		return code
	}
	if len(number) >= 10 {
		return testBankNumbers[number[len(number)-10:]]
	}
	return ""
}

// TestTokenFailure is how a debit of the bank account behind one of
// Stripe's test bank tokens ends (its failure code, "" when it succeeds);
// ok is false for any other token.
func TestTokenFailure(token string) (code string, ok bool) {
	number, ok := testBankTokens[token]
	if !ok {
		return "", false
	}
	return testFailure(number), true
}

// checkAccountType refuses a bank account type Stripe's reference does
// not allow in country: "checking or savings in most countries. In Japan, ...
// futsu or toza" (the wording of the refusal is the emulator's).
func checkAccountType(typ, country, param string) error {
	allowed := []string{"checking", "savings"}
	if country == "JP" {
		allowed = []string{"futsu", "toza"}
	}
	if typ != "" && !slices.Contains(allowed, typ) {
		return apierr.InvalidRequest("Invalid %s: must be one of %s for a bank account in %s", param, strings.Join(allowed, " or "), country).WithParam(param)
	}
	return nil
}

// failureKey holds how payouts to a bank account end, when they fail: the
// account number itself is never shown once given.
func failureKey(account, ba string) string { return "payoutfailure:" + account + ":" + ba }

// PayoutFailure is the failure code of payouts to the bank account ba of
// account, "" when they succeed.
func PayoutFailure(tx *store.Tx, account, ba string) string {
	v, _ := tx.GetMeta(failureKey(account, ba))
	return v
}

// MarkErrored sets the status of the account's bank account ba to
// errored, as Stripe does when a payout to it fails ("we'll set the status
// to errored and will not continue to send scheduled payouts until the
// bank details are updated"), with account.external_account.updated.
func MarkErrored(c *api.Call, account, ba string) error {
	before, ok := c.Tx.Get(account, "bank_account", ba)
	if !ok || before["status"] == "errored" {
		return nil
	}
	acct, err := load(c, account, "id")
	if err != nil {
		return err
	}
	after := api.Clone(before)
	after["status"] = "errored"
	if err := c.PutIn(account, after); err != nil {
		return err
	}
	if err := syncList(c, acct); err != nil {
		return err
	}
	c.EmitIn(account, "account.external_account.updated", after, api.PreviousAttributes(before, after))
	return nil
}

// DefaultBankAccount is the account's default external account for
// currency, if it has one.
func DefaultBankAccount(tx *store.Tx, account, currency string) (store.Obj, bool) {
	var found store.Obj
	tx.Each(account, "bank_account", func(o store.Obj) bool {
		if o["currency"] == currency && api.Bool(o["default_for_currency"]) {
			found = o
			return false
		}
		return true
	})
	return found, found != nil
}

func externalRoutes() []api.Route {
	// The update parameters Stripe has for an external account: those not
	// read below are refused as not emulated.
	update := params.Object(map[string]*params.Schema{
		"expand": params.ArrayOf(params.String()), "metadata": params.MetadataParam(),
		"default_for_currency": params.Bool(), "account_holder_name": params.String(),
		"account_holder_type": params.String(), "account_type": params.String(),
		"address_city": params.String(), "address_country": params.String(), "address_line1": params.String(),
		"address_line2": params.String(), "address_state": params.String(), "address_zip": params.String(),
		"documents": params.AnyParam(), "exp_month": params.String(), "exp_year": params.String(), "name": params.String(),
	}).Enum("account_holder_type", "company", "individual")
	// bank_account is the older name of external_account.
	create := params.Object(map[string]*params.Schema{
		"expand": params.ArrayOf(params.String()), "metadata": params.MetadataParam(),
		"default_for_currency": params.Bool(), "external_account": params.AnyParam(), "bank_account": params.AnyParam(),
	})
	retrieve := params.Object(map[string]*params.Schema{"expand": params.ArrayOf(params.String())})
	remove := params.Object(map[string]*params.Schema{})
	routes := []api.Route{
		api.GET("/v1/accounts/{id}/external_accounts", params.FromStruct(stripe.BankAccountListParams{}).Enum("object", "bank_account", "card"), listExternal),
	}
	// /bank_accounts is the older name of /external_accounts, which Stripe
	// still answers, except for the list.
	for _, base := range []string{"/v1/accounts/{id}/external_accounts", "/v1/accounts/{id}/bank_accounts"} {
		routes = append(routes,
			api.POST(base, create, createExternal),
			api.GET(base+"/{ba}", retrieve, retrieveExternal),
			api.POST(base+"/{ba}", update, updateExternal),
			api.DELETE(base+"/{ba}", remove, deleteExternal),
		)
	}
	// The account in scope updates its own external account, with no
	// account in the path: a connected account's, through Stripe-Account.
	routes = append(routes, api.POST("/v1/external_accounts/{ba}", update, func(c *api.Call) (any, error) {
		return c.As(updateExternal, map[string]string{"id": c.Account, "ba": c.Var("ba")}, nil)
	}))
	return routes
}

// owner is the account in the path, whose external accounts a request
// reaches: the account in scope itself, or a platform's connected account.
func owner(c *api.Call) (store.Obj, error) {
	id := c.Var("id")
	if c.Connected && id != c.Account {
		return nil, apierr.NoSuchObject("account", id, "id")
	}
	return load(c, id, "id")
}

// platformCollects refuses to add, change or delete an external account
// of an account whose requirements the platform does not collect, as
// Stripe's reference says (its owner manages them through Stripe), and
// of the platform itself, which Stripe has do so in its Dashboard.
func platformCollects(c *api.Call, acct store.Obj) error {
	if api.Str(acct["id"]) == c.Platform {
		return apierr.InvalidRequest("You cannot add cards or bank accounts for payouts and top-ups away from the dashboard.")
	}
	if requirementCollection(acct) != "application" {
		return apierr.InvalidRequest("You can only add, update or delete external accounts of accounts where controller[requirement_collection]=application, which includes Custom accounts; %s is not one of them.", api.Str(acct["id"]))
	}
	return nil
}

func loadExternal(c *api.Call, acct store.Obj) (store.Obj, error) {
	o, ok := c.Tx.Get(api.Str(acct["id"]), "bank_account", c.Var("ba"))
	if !ok {
		return nil, apierr.NoSuchObject("external account", c.Var("ba"), "id")
	}
	return o, nil
}

func createExternal(c *api.Call) (any, error) {
	before, err := owner(c)
	if err != nil {
		return nil, err
	}
	if err := platformCollects(c, before); err != nil {
		return nil, err
	}
	param := "external_account"
	if !c.Params.Has(param) {
		if !c.Params.Has("bank_account") {
			return nil, apierr.MissingParam(param)
		}
		param = "bank_account"
	} else if c.Params.Has("bank_account") {
		return nil, apierr.Exclusive("external_account", "bank_account")
	}
	after := api.Clone(before)
	ba, err := addExternalAccount(c, after, param, false)
	if err != nil {
		return nil, err
	}
	if err := saveRequirements(c, before, after); err != nil {
		return nil, err
	}
	c.EmitIn(api.Str(after["id"]), "account.external_account.created", ba, nil)
	return ba, nil
}

func listExternal(c *api.Call) (any, error) {
	acct, err := owner(c)
	if err != nil {
		return nil, err
	}
	id := api.Str(acct["id"])
	q, err := c.ListQuery("bank_account")
	if err != nil {
		return nil, err
	}
	if obj, _ := c.Params.Str("object"); obj == "card" {
		// Debit cards as external accounts are not emulated: none exist.
		q.Filter = func(store.Obj) bool { return false }
	}
	p := c.Tx.List(id, "bank_account", q)
	return &api.List{URL: "/v1/accounts/" + id + "/external_accounts", Data: p.Data, HasMore: p.HasMore}, nil
}

func retrieveExternal(c *api.Call) (any, error) {
	acct, err := owner(c)
	if err != nil {
		return nil, err
	}
	return loadExternal(c, acct)
}

func updateExternal(c *api.Call) (any, error) {
	acct, err := owner(c)
	if err != nil {
		return nil, err
	}
	id := api.Str(acct["id"])
	before, err := loadExternal(c, acct)
	if err != nil {
		return nil, err
	}
	if err := platformCollects(c, acct); err != nil {
		return nil, err
	}
	after := api.Clone(before)
	if typ, _ := c.Params.Str("account_type"); typ != "" {
		if err := checkAccountType(typ, api.Str(before["country"]), "account_type"); err != nil {
			return nil, err
		}
	}
	c.Copy(after, "account_holder_name", "account_holder_type", "account_type")
	if before["status"] == "errored" && len(api.PreviousAttributes(before, after)) > 0 {
		// Its details updated, scheduled payouts go to it again (the
		// status a failed payout left); which details Stripe counts is
		// not documented: any of the holder's.
		after["status"] = "new"
	}
	if err := c.ApplyMetadata(after); err != nil {
		return nil, err
	}
	if def, ok := c.Params.Bool("default_for_currency"); ok {
		if !def && api.Bool(before["default_for_currency"]) {
			// Another account must be made the default instead.
			return nil, apierr.InvalidRequest("You cannot set default_for_currency to false: make another external account in %s the default for its currency instead.", before["currency"]).WithParam("default_for_currency")
		}
		if def && !api.Bool(before["default_for_currency"]) {
			if err := clearDefault(c, id, api.Str(before["currency"])); err != nil {
				return nil, err
			}
			after["default_for_currency"] = true
		}
	}
	prev := api.PreviousAttributes(before, after)
	if len(prev) == 0 {
		return after, nil
	}
	if err := c.PutIn(id, after); err != nil {
		return nil, err
	}
	if err := syncList(c, acct); err != nil {
		return nil, err
	}
	c.EmitIn(id, "account.external_account.updated", after, prev)
	if before["status"] == "errored" && after["status"] == "new" {
		// The funds a failed payout left wait for the next payout day.
		if err := lookForPayouts(c, acct); err != nil {
			return nil, err
		}
	}
	return after, nil
}

func deleteExternal(c *api.Call) (any, error) {
	acct, err := owner(c)
	if err != nil {
		return nil, err
	}
	id := api.Str(acct["id"])
	ba, err := loadExternal(c, acct)
	if err != nil {
		return nil, err
	}
	if err := platformCollects(c, acct); err != nil {
		return nil, err
	}
	if api.Bool(ba["default_for_currency"]) {
		// Stripe's reference: a default goes only when it is the one
		// external account in a currency other than the account's.
		if ba["currency"] == acct["default_currency"] {
			return nil, apierr.InvalidRequest("You cannot delete the default bank account for your default currency. Please make another bank account the default using the `default_for_currency` param, and then delete this one.")
		}
		if othersIn(c, id, ba) {
			// Stripe's wording for another currency is not documented.
			return nil, apierr.InvalidRequest("You cannot delete the default bank account for %s while the account has other bank accounts in %s. Please make another bank account the default using the `default_for_currency` param, and then delete this one.", ba["currency"], ba["currency"])
		}
	}
	if err := c.Tx.Delete(id, "bank_account", api.Str(ba["id"])); err != nil {
		return nil, err
	}
	c.Tx.DeleteMeta(failureKey(id, api.Str(ba["id"])))
	if err := syncList(c, acct); err != nil {
		return nil, err
	}
	c.EmitIn(id, "account.external_account.deleted", ba, nil)
	return api.Deleted("bank_account", api.Str(ba["id"])), nil
}

// othersIn says whether the account has another external account in
// ba's currency.
func othersIn(c *api.Call, account string, ba store.Obj) bool {
	found := false
	c.Tx.Each(account, "bank_account", func(o store.Obj) bool {
		found = o["id"] != ba["id"] && o["currency"] == ba["currency"]
		return !found
	})
	return found
}

// clearDefault makes no bank account of the account the default for
// currency any more.
func clearDefault(c *api.Call, account, currency string) error {
	var olds []store.Obj
	c.Tx.Each(account, "bank_account", func(o store.Obj) bool {
		if o["currency"] == currency && api.Bool(o["default_for_currency"]) {
			olds = append(olds, o)
		}
		return true
	})
	for _, o := range olds {
		n := api.Clone(o)
		n["default_for_currency"] = false
		if err := c.PutIn(account, n); err != nil {
			return err
		}
	}
	return nil
}

// syncList stores the account again with its external_accounts list
// showing its bank accounts as they now are.
func syncList(c *api.Call, before store.Obj) error {
	after := api.Clone(before)
	refreshList(c.Tx, after)
	return saveRequirements(c, before, after)
}

// refreshList sets an account's external_accounts list (its first page,
// newest first) from its stored bank accounts.
func refreshList(tx *store.Tx, acct store.Obj) {
	id := api.Str(acct["id"])
	p := tx.List(id, "bank_account", store.Query{Limit: 10})
	data := make([]any, len(p.Data))
	for i, o := range p.Data {
		data[i] = o
	}
	acct["external_accounts"] = store.Obj{"object": "list", "data": data, "has_more": p.HasMore, "url": "/v1/accounts/" + id + "/external_accounts"}
}

// addExternalAccount adds to the account o the bank account the request
// gives under param, as a token (btok_…) or as bank details. Given with
// the account itself (replace), it becomes the default for its currency
// and the old default is deleted, as Stripe does; added on its own, it is
// the default when it is the first in its currency or
// default_for_currency asks for it. The bank account is stored in the
// account's namespace and shown in o's list; o itself is not stored.
func addExternalAccount(c *api.Call, o store.Obj, param string, replace bool) (store.Obj, error) {
	acct := api.Str(o["id"])
	country, currency := api.Str(o["country"]), api.Str(o["default_currency"])
	var number, routing string
	var holderName, holderType, accountType any
	makeDefault := false
	if raw, _ := c.Params.Sent(param); raw != nil {
		if _, isObj := raw.(map[string]any); isObj {
			p, _ := c.Params.Obj(param)
			if obj, _ := p.Str("object"); obj != "" && obj != "bank_account" {
				return nil, apierr.InvalidRequest("stripe-emu emulates bank accounts as external accounts only: `%s[object]` must be bank_account (debit cards are not emulated).", param).WithParam(param + "[object]")
			}
			if s, _ := p.Str("country"); s != "" {
				country = strings.ToUpper(s)
			}
			if s, _ := p.Str("currency"); s != "" {
				currency = strings.ToLower(s)
			}
			number, _ = p.Str("account_number")
			if number == "" {
				return nil, apierr.MissingParam(param + "[account_number]")
			}
			routing, _ = p.Str("routing_number")
			if s, _ := p.Str("account_holder_name"); s != "" {
				holderName = s
			}
			if s, _ := p.Str("account_holder_type"); s != "" {
				if s != "company" && s != "individual" {
					return nil, apierr.InvalidRequest("Invalid %s[account_holder_type]: must be one of company or individual", param).WithParam(param + "[account_holder_type]")
				}
				holderType = s
			}
			if s, _ := p.Str("account_type"); s != "" {
				if err := checkAccountType(s, country, param+"[account_type]"); err != nil {
					return nil, err
				}
				accountType = s
			}
			// The hash is taken as sent (any shape): its flag is text.
			makeDefault, _ = p.Bool("default_for_currency")
			if s, _ := p.Str("default_for_currency"); s == "true" {
				makeDefault = true
			}
		}
	}
	if number == "" {
		tok, _ := c.Params.Str(param)
		n, ok := testBankTokens[tok]
		switch {
		case ok:
			number = n
		case strings.HasPrefix(tok, "tok_"):
			return nil, apierr.InvalidRequest("stripe-emu emulates bank accounts as external accounts only: debit cards (%s) are not emulated.", tok).WithParam(param)
		default:
			return nil, apierr.NoSuchObject("token", tok, param)
		}
		routing = "110000000"
	}
	if allowed, known := countryspecs.BankAccountAllowed(api.Str(o["country"]), country, currency); known && !allowed {
		// Stripe's reference: "a country/currency pairing that Stripe
		// supports" (the wording of the refusal is the emulator's).
		return nil, apierr.InvalidRequest("A bank account in %s holding %s cannot be an external account of an account in %s: its country spec's supported_bank_account_currencies do not list that pairing.", country, currency, o["country"]).
			WithParam(param + "[currency]")
	}
	if routing == "" && len(number) < 15 {
		return nil, apierr.MissingParam(param + "[routing_number]")
	}
	if country == "US" {
		if err := checkUSTestBankAccount(number, routing, param); err != nil {
			return nil, err
		}
	}
	if replace {
		if old, ok := DefaultBankAccount(c.Tx, acct, currency); ok {
			if err := c.Tx.Delete(acct, "bank_account", api.Str(old["id"])); err != nil {
				return nil, err
			}
			c.Tx.DeleteMeta(failureKey(acct, api.Str(old["id"])))
		}
		makeDefault = true
	} else {
		if def, ok := c.Params.Bool("default_for_currency"); ok && def {
			makeDefault = true
		}
		if _, ok := DefaultBankAccount(c.Tx, acct, currency); !ok {
			makeDefault = true
		} else if makeDefault {
			if err := clearDefault(c, acct, currency); err != nil {
				return nil, err
			}
		}
	}
	var routingV any
	if routing != "" {
		routingV = strings.ReplaceAll(routing, "-", "")
	}
	ba := newBankAccount(c.IDs, acct, country, currency, number, routingV, makeDefault)
	ba["account_holder_name"], ba["account_holder_type"], ba["account_type"] = holderName, holderType, accountType
	if !replace {
		// The endpoint's own metadata (an account's is the account's).
		if err := c.ApplyMetadata(ba); err != nil {
			return nil, err
		}
	}
	if err := c.PutIn(acct, ba); err != nil {
		return nil, err
	}
	if code := testFailure(number); code != "" {
		if err := c.Tx.SetMeta(failureKey(acct, api.Str(ba["id"])), code); err != nil {
			return nil, err
		}
	}
	// Funds waiting for a bank account (or left by a failed payout) go
	// out on the next payout day.
	if err := lookForPayouts(c, o); err != nil {
		return nil, err
	}
	refreshList(c.Tx, o)
	return ba, nil
}

// newBankAccount is a bank account as Stripe shows one: the number only
// by its last four digits.
func newBankAccount(g *ids.Generator, acct, country, currency, number string, routing any, def bool) store.Obj {
	return store.Obj{
		"id": g.Long("ba_"), "object": "bank_account", "account": acct, "account_holder_name": nil,
		"account_holder_type": nil, "account_type": nil, "available_payout_methods": []any{"standard"},
		"bank_name": "STRIPE TEST BANK", "country": country, "currency": currency, "default_for_currency": def,
		"fingerprint": g.Secret(16), "future_requirements": nil, "last4": number[max(len(number)-4, 0):],
		"metadata": map[string]any{}, "requirements": nil, "routing_number": routing, "status": "new",
	}
}

// PutPlatform stores the platform account: as a Stripe test mode account
// has one, it has a bank account to pay out to, the emulator's (the
// success test number, in its default currency).
func PutPlatform(tx *store.Tx, g *ids.Generator, id string, created int64, manualPayouts bool) error {
	o := New(id, created, "US", "", "standard")
	if manualPayouts {
		payoutSchedule(o)["interval"] = "manual"
	}
	ba := newBankAccount(g, id, "US", api.Str(o["default_currency"]), "000123456789", "110000000", true)
	if err := tx.Put(id, ba); err != nil {
		return err
	}
	refreshList(tx, o)
	return tx.Put(id, o)
}
