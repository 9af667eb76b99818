package payments

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"reflect"
	"slices"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// CashBalanceTransactionKind is a move of a customer's cash balance: the
// funds a customer sent by bank transfer (funded), given to a payment
// (applied_to_payment), given back from one (unapplied_from_payment,
// refunded_from_payment).
var CashBalanceTransactionKind = &api.Kind{
	Object: "customer_cash_balance_transaction", Prefix: "ccsbtxn_", Name: "customer_cash_balance_transaction",
	Expandable: []string{"customer", "applied_to_payment.payment_intent", "unapplied_from_payment.payment_intent", "refunded_from_payment.refund"},
	Indexes:    []store.Index{{Name: "customer", Path: "customer"}},
}

// bankTransferTypes are the bank transfer types by the currency each
// takes: a customer pays a cash balance in one currency through one
// network of virtual accounts.
var bankTransferTypes = map[string]string{
	"usd": "us_bank_transfer", "eur": "eu_bank_transfer", "gbp": "gb_bank_transfer",
	"jpy": "jp_bank_transfer", "mxn": "mx_bank_transfer",
}

// BankTransferType is the bank transfer type a cash balance in cur is
// paid through, or "" when no bank transfer takes cur.
func BankTransferType(cur string) string { return bankTransferTypes[cur] }

// legacyTransferTypes are older names Stripe still takes for a bank
// transfer type (its spec does not hold bank_transfer[type] to the five,
// x-stripeBypassValidation): jp_bank_account is what Stripe CLI's
// payment_intent.partially_funded trigger, written by Stripe for Japanese
// accounts, sends. They are answered under the type's name.
var legacyTransferTypes = map[string]string{"jp_bank_account": "jp_bank_transfer"}

// euTransferCountries are the countries an eu_bank_transfer's IBAN can be
// from.
var euTransferCountries = []string{"BE", "DE", "ES", "FR", "IE", "NL"}

// euCities are where an eu_bank_transfer's virtual IBAN account is kept,
// by its country: a city and its postal code.
var euCities = map[string][2]string{
	"BE": {"Brussels", "1000"}, "DE": {"Berlin", "10117"}, "ES": {"Madrid", "28001"},
	"FR": {"Paris", "75001"}, "IE": {"Dublin", "D02 X285"}, "NL": {"Amsterdam", "1012 AB"},
}

var financialAddressTypes = []string{"aba", "iban", "sort_code", "spei", "swift", "zengin"}

func cashBalanceRoutes() []api.Route {
	return []api.Route{
		api.GET("/v1/customers/{customer}/cash_balance", params.FromStruct(stripe.CashBalanceRetrieveParams{}), retrieveCashBalance),
		api.POST("/v1/customers/{customer}/cash_balance", params.FromStruct(stripe.CashBalanceUpdateParams{}).
			Enum("settings.reconciliation_mode", "automatic", "manual", "merchant_default"), updateCashBalance),
		api.GET("/v1/customers/{customer}/cash_balance_transactions", params.FromStruct(stripe.CustomerCashBalanceTransactionListParams{}), listCashBalanceTransactions),
		api.GET("/v1/customers/{customer}/cash_balance_transactions/{id}", params.FromStruct(stripe.CustomerCashBalanceTransactionRetrieveParams{}), retrieveCashBalanceTransaction),
		api.POST("/v1/customers/{customer}/funding_instructions", params.FromStruct(stripe.CustomerCreateFundingInstructionsParams{}).
			Require("bank_transfer", "currency", "funding_type").Enum("funding_type", "bank_transfer").
			Enum("bank_transfer.eu_bank_transfer.country", euTransferCountries...).
			Enum("bank_transfer.requested_address_types", financialAddressTypes...), createFundingInstructions),
		api.POST("/v1/test_helpers/customers/{customer}/fund_cash_balance", params.FromStruct(stripe.TestHelpersCustomerFundCashBalanceParams{}).
			Require("amount", "currency"), fundCashBalance),
		api.POST("/v1/payment_intents/{id}/apply_customer_balance", params.FromStruct(stripe.PaymentIntentApplyCustomerBalanceParams{}), applyCustomerBalance),
	}
}

// cashState is a customer's cash balance as the emulator keeps it, in
// metadata (the balance has no id of its own): the funds available by
// currency and the reconciliation mode the customer chose ("" for the
// account's default, automatic: the Dashboard setting is not emulated).
type cashState struct {
	Available map[string]int64 `json:"available,omitempty"`
	Mode      string           `json:"mode,omitempty"`
}

func metaCash(acct, cus string) string { return "cashbal:" + acct + ":" + cus }

// metaCashApplied holds what a customer_balance PaymentIntent has been
// given of the cash balance so far (given back if it is canceled).
func metaCashApplied(acct, pi string) string { return "cashapplied:" + acct + ":" + pi }

func loadCash(c *api.Call, cus string) cashState {
	var st cashState
	if raw, ok := c.Tx.GetMeta(metaCash(c.Account, cus)); ok {
		_ = json.Unmarshal([]byte(raw), &st)
	}
	if st.Available == nil {
		st.Available = map[string]int64{}
	}
	return st
}

// saveCash keeps a customer's cash balance. A currency once funded stays
// in it at 0 when spent: Stripe shows it, and refuses to delete a customer
// with any cash balance, "even if the balance is 0".
func saveCash(c *api.Call, cus string, st cashState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return c.SetMeta(metaCash(c.Account, cus), string(b))
}

// automatic tells whether funds reaching the balance pay the customer's
// payments by themselves.
func (st cashState) automatic() bool { return st.Mode != "manual" }

// cashBalanceObject renders the cash_balance object.
func cashBalanceObject(cus string, st cashState) store.Obj {
	var available any
	if len(st.Available) > 0 {
		m := make(map[string]any, len(st.Available))
		for cur, n := range st.Available {
			m[cur] = n
		}
		available = m
	}
	mode := st.Mode
	if mode == "" {
		mode = "automatic"
	}
	return store.Obj{"object": "cash_balance", "available": available, "customer": cus, "livemode": false,
		"settings": store.Obj{"reconciliation_mode": mode, "using_merchant_default": st.Mode == ""}}
}

func init() {
	customers.CashBalance = func(c *api.Call, cus store.Obj) store.Obj {
		return cashBalanceObject(api.Str(cus["id"]), loadCash(c, api.Str(cus["id"])))
	}
	// cash_balance[settings][reconciliation_mode] on customer create sets
	// what POST …/cash_balance sets (on update: payments.go's
	// UpdateSources).
	customers.CreateHooks = append(customers.CreateHooks, func(c *api.Call, cus store.Obj) error {
		return applyCashSettings(c, api.Str(cus["id"]), "cash_balance.settings.reconciliation_mode")
	})
}

// applyCashSettings sets the customer's reconciliation mode from the
// parameter at path, if sent.
func applyCashSettings(c *api.Call, cus, path string) error {
	mode, ok := c.Params.Str(path)
	if !ok || mode == "" {
		c.Params.MarkRead(strings.SplitN(path, ".", 2)[0]) // settings={}: nothing to change
		return nil
	}
	param := "settings[reconciliation_mode]"
	if strings.HasPrefix(path, "cash_balance.") {
		param = "cash_balance[settings][reconciliation_mode]"
	}
	if mode != "automatic" && mode != "manual" && mode != "merchant_default" {
		return apierr.InvalidRequest("Invalid %s: must be one of automatic, manual, or merchant_default", param).WithParam(param)
	}
	st := loadCash(c, cus)
	st.Mode = mode
	if mode == "merchant_default" {
		st.Mode = ""
	}
	return saveCash(c, cus, st)
}

// cashCustomer loads the customer a cash balance route names: one not
// there (or deleted) is a 404, the customer being part of the URL.
func cashCustomer(c *api.Call) (string, error) {
	id := c.Var("customer")
	cus, ok := c.Tx.Get(c.Account, "customer", id)
	if !ok || api.Bool(cus["deleted"]) {
		e := apierr.NoSuchObject("customer", id, "customer")
		e.Status = 404
		return "", e
	}
	return id, nil
}

func retrieveCashBalance(c *api.Call) (any, error) {
	cus, err := cashCustomer(c)
	if err != nil {
		return nil, err
	}
	return cashBalanceObject(cus, loadCash(c, cus)), nil
}

// updateCashBalance changes the customer's reconciliation mode; Stripe
// sends no event about it.
func updateCashBalance(c *api.Call) (any, error) {
	cus, err := cashCustomer(c)
	if err != nil {
		return nil, err
	}
	if err := applyCashSettings(c, cus, "settings.reconciliation_mode"); err != nil {
		return nil, err
	}
	return cashBalanceObject(cus, loadCash(c, cus)), nil
}

func listCashBalanceTransactions(c *api.Call) (any, error) {
	cus, err := cashCustomer(c)
	if err != nil {
		return nil, err
	}
	q, err := c.ListQuery("customer_cash_balance_transaction")
	if err != nil {
		return nil, err
	}
	q.Index, q.Value = "customer", cus
	return c.Page("customer_cash_balance_transaction", "/v1/customers/"+cus+"/cash_balance_transactions", q), nil
}

func retrieveCashBalanceTransaction(c *api.Call) (any, error) {
	cus, err := cashCustomer(c)
	if err != nil {
		return nil, err
	}
	txn, ok := c.Tx.Get(c.Account, "customer_cash_balance_transaction", c.Var("id"))
	if !ok || api.Str(txn["customer"]) != cus {
		return nil, apierr.NoSuchObject("customer_cash_balance_transaction", c.Var("id"), "id")
	}
	return txn, nil
}

// cashCurrency checks a currency a cash balance can hold (param names it
// in the refusal) and answers its bank transfer type.
func cashCurrency(cur, param string) (string, error) {
	typ, ok := bankTransferTypes[cur]
	if !ok {
		return "", apierr.InvalidRequest("stripe-emu emulates cash balances funded by bank transfer in usd, eur, gbp, jpy and mxn, not %s.", cur).WithParam(param)
	}
	return typ, nil
}

// recordCash stores a cash balance transaction of typ moving the
// customer's balance in cur by amount (st is changed and saved), with
// customer_cash_balance_transaction.created; detail is the type's hash.
func recordCash(c *api.Call, cus string, st *cashState, cur, typ string, amount int64, detail store.Obj) (store.Obj, error) {
	st.Available[cur] += amount
	txn := c.Object("customer_cash_balance_transaction", c.NewID("customer_cash_balance_transaction"), store.Obj{
		"currency": cur, "customer": cus, "ending_balance": st.Available[cur], "net_amount": amount, "type": typ,
	})
	txn[typ] = detail
	if err := saveCash(c, cus, *st); err != nil {
		return nil, err
	}
	return txn, c.Insert(txn)
}

// virtualAccount is the digits of the customer's virtual bank account in
// one currency (and country, for eu_bank_transfer): derived from the
// account, customer and currency, so the same instructions come back on
// every request without being stored.
func virtualAccount(acct, cus, key string, digits int) string {
	sum := sha256.Sum256([]byte(acct + ":" + cus + ":" + key))
	n := new(big.Int).SetBytes(sum[:])
	s := n.String()
	return s[len(s)-digits:]
}

// virtualIBAN is the IBAN of a virtual account in country with account
// number digits (11): each country's own layout of bank code and account,
// with the national check digits where the country has them and the
// IBAN's own, so that the forms and libraries that validate an IBAN take
// it.
func virtualIBAN(country, digits string) string {
	var bban string
	switch country {
	case "BE": // bank (3), account (7), mod 97 of those ten
		n := new(big.Int)
		n.SetString("967"+digits[:7], 10)
		check := new(big.Int).Mod(n, big.NewInt(97)).Int64()
		if check == 0 {
			check = 97
		}
		bban = fmt.Sprintf("967%s%02d", digits[:7], check)
	case "DE": // Bankleitzahl (8), account (10)
		bban = "10010178" + digits[:10]
	case "ES": // bank (4), branch (4), two control digits, account (10)
		bank, account := "6713"+"0001", digits[:10]
		bban = bank + spanishControl("00"+bank) + spanishControl(account) + account
	case "FR": // bank (5), branch (5), account (11), RIB key
		bank, branch, account := "17418", "00001", digits
		n := new(big.Int)
		n.SetString(bank+branch+account+"00", 10)
		key := 97 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
		bban = fmt.Sprintf("%s%s%s%02d", bank, branch, account, key)
	case "IE": // the BIC's bank code (4), sort code (6), account (8)
		bban = "SXPY" + "990500" + digits[:8]
	case "NL": // bank code (4), account (10)
		bban = "SXPY" + digits[:10]
	}
	// ISO 13616: the check digits make the rearranged IBAN 1 modulo 97.
	var numeric strings.Builder
	for _, ch := range bban + country + "00" {
		if ch >= 'A' && ch <= 'Z' {
			fmt.Fprint(&numeric, int(ch-'A')+10)
		} else {
			numeric.WriteRune(ch)
		}
	}
	n := new(big.Int)
	n.SetString(numeric.String(), 10)
	return fmt.Sprintf("%s%02d%s", country, 98-new(big.Int).Mod(n, big.NewInt(97)).Int64(), bban)
}

// spanishControl is the control digit of a Spanish account's digits
// (the bank and branch padded to ten, or the account): weights 1, 2, 4,
// 8, 5, 10, 9, 7, 3, 6 modulo 11.
func spanishControl(digits string) string {
	weights := []int{1, 2, 4, 8, 5, 10, 9, 7, 3, 6}
	sum := 0
	for i, ch := range digits {
		sum += int(ch-'0') * weights[i]
	}
	d := 11 - sum%11
	switch d {
	case 11:
		d = 0
	case 10:
		d = 1
	}
	return fmt.Sprint(d)
}

// withCLABECheck appends a CLABE's control digit to its first 17: the
// digits weighted 3, 7, 1 in turn, each product modulo 10.
func withCLABECheck(digits string) string {
	sum := 0
	for i, ch := range digits {
		sum += int(ch-'0') * []int{3, 7, 1}[i%3] % 10
	}
	return digits + fmt.Sprint((10-sum%10)%10)
}

func stripeAddress(line1, city string, state any, postal, country string) store.Obj {
	return store.Obj{"city": city, "country": country, "line1": line1, "line2": nil, "postal_code": postal, "state": state}
}

// financialAddresses are the virtual accounts where the customer sends
// funds for typ (eu: an IBAN of country), of the requested address types
// (all when none).
func financialAddresses(c *api.Call, cus, typ, country string, requested []string) []any {
	holder := "stripe-emu test account"
	if f, ok := c.Tx.Fields(c.Platform, "account", c.Account, "business_profile.name"); ok && f[0].String() != "" {
		holder = f[0].String()
	}
	holderAddr := stripeAddress("354 Oyster Point Blvd", "South San Francisco", "CA", "94080", "US")
	var out []any
	add := func(kind string, networks []any, record store.Obj) {
		if len(requested) > 0 && !slices.Contains(requested, kind) {
			return
		}
		out = append(out, store.Obj{"type": kind, "supported_networks": networks, kind: record})
	}
	switch typ {
	case "us_bank_transfer":
		bank := stripeAddress("1 Test Bank Plaza", "New York", "NY", "10001", "US")
		number := "1" + virtualAccount(c.Account, cus, "usd", 11)
		add("aba", []any{"ach", "domestic_wire_us"}, store.Obj{"account_holder_address": holderAddr, "account_holder_name": holder,
			"account_number": number, "account_type": "checking", "bank_address": bank, "bank_name": "STRIPE TEST BANK", "routing_number": "110000000"})
		add("swift", []any{"swift"}, store.Obj{"account_holder_address": holderAddr, "account_holder_name": holder,
			"account_number": number, "account_type": "checking", "bank_address": bank, "bank_name": "STRIPE TEST BANK", "swift_code": "TSTEZ122"})
	case "eu_bank_transfer":
		city := euCities[country]
		holderAddr = stripeAddress("1 Test Street", city[0], nil, city[1], country)
		bank := stripeAddress("2 Test Bank Street", city[0], nil, city[1], country)
		add("iban", []any{"sepa"}, store.Obj{"account_holder_address": holderAddr, "account_holder_name": holder, "bank_address": bank,
			"bic": "SXPYDEHH", "country": country, "iban": virtualIBAN(country, virtualAccount(c.Account, cus, "eur:"+country, 11))})
	case "gb_bank_transfer":
		holderAddr = stripeAddress("1 Test Street", "London", nil, "EC1A 1BB", "GB")
		add("sort_code", []any{"bacs", "fps"}, store.Obj{"account_holder_address": holderAddr, "account_holder_name": holder,
			"account_number": virtualAccount(c.Account, cus, "gbp", 8), "bank_address": stripeAddress("1 Bank Street", "London", nil, "E14 5JP", "GB"), "sort_code": "040075"})
	case "jp_bank_transfer":
		holderAddr = stripeAddress("1-1 Marunouchi", "Chiyoda-ku", "Tokyo", "100-0005", "JP")
		add("zengin", []any{"zengin"}, store.Obj{"account_holder_address": holderAddr, "account_holder_name": holder,
			"account_number": virtualAccount(c.Account, cus, "jpy", 7), "account_type": "futsu", "bank_address": holderAddr,
			"bank_code": "0009", "bank_name": "三井住友銀行", "branch_code": "950", "branch_name": "東京第一"})
	case "mx_bank_transfer":
		holderAddr = stripeAddress("Paseo de la Reforma 1", "Ciudad de México", "CDMX", "06600", "MX")
		add("spei", []any{"spei"}, store.Obj{"account_holder_address": holderAddr, "account_holder_name": holder, "bank_address": holderAddr,
			"bank_code": "002", "bank_name": "BANAMEX", "clabe": withCLABECheck("002180" + virtualAccount(c.Account, cus, "mxn", 11))})
	}
	if out == nil {
		out = []any{}
	}
	return out
}

// checkBankTransfer reads a bank_transfer hash (funding instructions, or
// a PaymentIntent's customer_balance options; prefix names it) for a
// balance in cur: its type must be cur's, eu_bank_transfer names its
// country. It answers the type, the country and the requested address
// types.
func checkBankTransfer(bt params.Values, cur, prefix string) (string, string, []string, error) {
	typ, _ := bt.Str("type")
	if typ == "" {
		return "", "", nil, apierr.MissingParam(prefix + "[type]")
	}
	if t, ok := legacyTransferTypes[typ]; ok {
		typ = t
	}
	if currencyOfTransfer(typ) == "" {
		return "", "", nil, transferTypeRefused(typ, cur, prefix+"[type]")
	}
	want, err := cashCurrency(cur, "currency")
	if err != nil {
		return "", "", nil, err
	}
	if typ != want {
		return "", "", nil, transferTypeRefused(typ, cur, prefix+"[type]")
	}
	country := ""
	if typ == "eu_bank_transfer" {
		country, _ = bt.Str("eu_bank_transfer.country")
		if country == "" {
			return "", "", nil, apierr.MissingParam(prefix + "[eu_bank_transfer][country]")
		}
	} else if bt.Has("eu_bank_transfer") {
		return "", "", nil, apierr.InvalidRequest("%s[eu_bank_transfer] can only be set when %s[type] is eu_bank_transfer.", prefix, prefix).WithParam(prefix + "[eu_bank_transfer]")
	}
	requested := bt.Strings("requested_address_types")
	if len(requested) > 0 && !slices.ContainsFunc(requested, func(t string) bool { return slices.Contains(addressTypesOf[typ], t) }) {
		return "", "", nil, apierr.InvalidRequest("None of the requested address types (%s) are available for %s, which offers %s.",
			strings.Join(requested, ", "), typ, strings.Join(addressTypesOf[typ], ", ")).WithParam(prefix + "[requested_address_types]")
	}
	return typ, country, requested, nil
}

// addressTypesOf are the financial address types each bank transfer type
// offers (what financialAddresses builds).
var addressTypesOf = map[string][]string{
	"us_bank_transfer": {"aba", "swift"}, "eu_bank_transfer": {"iban"}, "gb_bank_transfer": {"sort_code"},
	"jp_bank_transfer": {"zengin"}, "mx_bank_transfer": {"spei"},
}

// transferTypeRefused refuses a bank transfer type for a balance in cur:
// one that is not a type at all (Stripe's spec does not hold the field to
// its values, so the pipeline lets it through) with the values there are,
// as Stripe words an enum's refusal; one of another currency naming its.
func transferTypeRefused(typ, cur, param string) error {
	if currencyOfTransfer(typ) == "" {
		return apierr.InvalidRequest("Invalid %s: must be one of eu_bank_transfer, gb_bank_transfer, jp_bank_transfer, mx_bank_transfer, or us_bank_transfer", param).WithParam(param)
	}
	return apierr.InvalidRequest("The bank transfer type %s does not support the currency %s: it takes %s.", typ, cur, currencyOfTransfer(typ)).WithParam(param)
}

func currencyOfTransfer(typ string) string {
	for cur, t := range bankTransferTypes {
		if t == typ {
			return cur
		}
	}
	return ""
}

// createFundingInstructions answers the customer's virtual account for a
// currency: the same every time (Stripe creates it on the first request
// and returns it after). Nothing is stored and no event is sent.
func createFundingInstructions(c *api.Call) (any, error) {
	cus, err := cashCustomer(c)
	if err != nil {
		return nil, err
	}
	cur, _ := c.Params.Str("currency")
	cur = strings.ToLower(cur)
	bt, _ := c.Params.Obj("bank_transfer")
	typ, country, requested, err := checkBankTransfer(bt, cur, "bank_transfer")
	if err != nil {
		return nil, err
	}
	c.Params.MarkRead("funding_type")
	if country == "" {
		country = strings.ToUpper(typ[:2])
	}
	return store.Obj{"object": "funding_instructions", "currency": cur, "funding_type": "bank_transfer", "livemode": false,
		"bank_transfer": store.Obj{"country": country, "type": typ, "financial_addresses": financialAddresses(c, cus, typ, country, requested)}}, nil
}

// fundCashBalance is what a customer's bank transfer to their virtual
// account does: the funds reach the cash balance (funded) and, unless the
// customer reconciles by hand, pay their waiting payments.
func fundCashBalance(c *api.Call) (any, error) {
	cus, err := cashCustomer(c)
	if err != nil {
		return nil, err
	}
	amount, _ := c.Params.Int("amount")
	cur, _ := c.Params.Str("currency")
	cur = strings.ToLower(cur)
	if amount < 1 {
		return nil, apierr.InvalidRequest("Invalid positive integer").WithParam("amount")
	}
	// Stripe's ceiling on an amount; it also keeps the balance from overflowing.
	if amount > 99999999 {
		return nil, apierr.InvalidRequest("Amount must be no more than 99999999").WithParam("amount").WithCode("amount_too_large")
	}
	typ, err := cashCurrency(cur, "currency")
	if err != nil {
		return nil, err
	}
	reference, _ := c.Params.Str("reference")
	bank := store.Obj{"type": typ, "reference": nil}
	if reference != "" {
		bank["reference"] = reference
	}
	senderName := "Jenny Rosen"
	switch typ {
	case "us_bank_transfer":
		bank[typ] = store.Obj{"network": "ach", "sender_name": senderName}
	case "eu_bank_transfer":
		bank[typ] = store.Obj{"bic": "BANKDEAAXXX", "iban_last4": "3000", "sender_name": senderName}
	case "gb_bank_transfer":
		bank[typ] = store.Obj{"account_number_last4": "2345", "sender_name": senderName, "sort_code": "108800"}
	case "jp_bank_transfer":
		bank[typ] = store.Obj{"sender_bank": "0001", "sender_branch": "001", "sender_name": "ｼﾞｪﾆｰ ﾛｰｾﾞﾝ"}
	}
	st := loadCash(c, cus)
	txn, err := recordCash(c, cus, &st, cur, "funded", amount, store.Obj{"bank_transfer": bank})
	if err != nil {
		return nil, err
	}
	if st.automatic() {
		if err := reconcileCash(c, cus, &st, cur, reference); err != nil {
			return nil, err
		}
	}
	if st.Available[cur] > 0 {
		// What automatic reconciliation left, or all of it when the
		// customer reconciles by hand: told once what the funds paid is
		// done (invoices credited by their hooks included).
		balance := cashBalanceObject(cus, st)
		c.Later(func() error {
			c.Emit("cash_balance.funds_available", balance, nil)
			return nil
		})
	}
	return txn, nil
}

// ManagedIntent tells whether another family owns a PaymentIntent and
// takes the cash balance for it only in full (billing: an open invoice's
// default payment), the reference a transfer quotes to pay it (the
// invoice's number) and when it falls due (0: no due date). Nil means
// none does.
var ManagedIntent func(c *api.Call, piID string) (managed bool, reference string, dueDate int64)

// staleAfter is how long after its due date an invoice stops awaiting
// funding: Stripe's automatic reconciliation pays open invoices not past
// due or overdue for at most 30 days; older ones are applied by hand.
const staleAfter = 30 * 24 * 60 * 60

// awaitingCash tells whether a PaymentIntent waits for the customer's cash
// balance in cur: one confirmed with customer_balance that shows the bank
// transfer instructions, or an invoice's payment that offers
// customer_balance (paid in full only: whole reports that).
func awaitingCash(c *api.Call, pi store.Obj, cur string) (waiting, whole bool) {
	if api.Str(pi["currency"]) != cur {
		return false, false
	}
	switch pi["status"] {
	case RequiresAction:
		return api.Obj(pi["next_action"])["type"] == "display_bank_transfer_instructions", false
	case RequiresPaymentMethod, RequiresConfirmation:
		if listsType(pi, "customer_balance") && ManagedIntent != nil {
			managed, _, _ := ManagedIntent(c, api.Str(pi["id"]))
			return managed, managed
		}
	}
	return false, false
}

// reconcileCash applies the customer's available funds in cur to their
// payments waiting for them, as Stripe's automatic reconciliation does:
// the payment whose reference the transfer quoted first (an intent's
// reference, an invoice's number), then the oldest first. A payment gets what is left, partly funded if that is not
// enough; an invoice's payment only when the funds cover it.
func reconcileCash(c *api.Call, cus string, st *cashState, cur, reference string) error {
	list := c.Tx.List(c.Account, "payment_intent", store.Query{Index: "customer", Value: cus}).Data
	var waiting []store.Obj
	for i := len(list) - 1; i >= 0; i-- { // oldest first
		ok, whole := awaitingCash(c, list[i], cur)
		if ok && whole {
			if _, _, due := ManagedIntent(c, api.Str(list[i]["id"])); due > 0 && c.Now > due+staleAfter {
				continue
			}
		}
		if ok {
			waiting = append(waiting, list[i])
		}
	}
	if reference != "" {
		slices.SortStableFunc(waiting, func(a, b store.Obj) int {
			ra, rb := intentReference(c, a) == reference, intentReference(c, b) == reference
			switch {
			case ra && !rb:
				return -1
			case rb && !ra:
				return 1
			}
			return 0
		})
	}
	for _, pi := range waiting {
		if st.Available[cur] <= 0 {
			break
		}
		if _, err := applyCash(c, cus, st, pi, st.Available[cur]); err != nil {
			return err
		}
	}
	return nil
}

// ReconcileCash applies the customer's cash balance in cur to their
// waiting payments when they reconcile automatically (billing calls it as
// an invoice that offers customer_balance is finalized).
func ReconcileCash(c *api.Call, cus, cur string) error {
	st := loadCash(c, cus)
	if !st.automatic() || st.Available[cur] <= 0 {
		return nil
	}
	return reconcileCash(c, cus, &st, cur, "")
}

// intentReference is the reference a transfer quotes to pay a waiting
// PaymentIntent: the one its bank transfer instructions show, or its
// invoice's number.
func intentReference(c *api.Call, pi store.Obj) string {
	if ref := api.Str(api.Obj(api.Obj(pi["next_action"])["display_bank_transfer_instructions"])["reference"]); ref != "" {
		return ref
	}
	if ManagedIntent != nil {
		_, ref, _ := ManagedIntent(c, api.Str(pi["id"]))
		return ref
	}
	return ""
}

// cashApplied is what a PaymentIntent has been given of the cash balance.
func cashApplied(c *api.Call, pi string) int64 {
	raw, _ := c.Tx.GetMeta(metaCashApplied(c.Account, pi))
	var n int64
	fmt.Sscan(raw, &n)
	return n
}

// applyCash gives a waiting PaymentIntent up to limit of the customer's
// cash balance: it succeeds once given all of its amount, else it stays
// requires_action asking for the rest (payment_intent.partially_funded).
// An invoice's payment takes its whole amount or nothing. It answers the
// intent as it is after.
func applyCash(c *api.Call, cus string, st *cashState, pi store.Obj, limit int64) (store.Obj, error) {
	cur := api.Str(pi["currency"])
	applied := cashApplied(c, api.Str(pi["id"]))
	remaining := api.Int(pi["amount"]) - applied
	n := min(limit, remaining, st.Available[cur])
	_, whole := awaitingCash(c, pi, cur)
	if n <= 0 || (whole && n < remaining) {
		return pi, nil
	}
	if _, err := recordCash(c, cus, st, cur, "applied_to_payment", -n, store.Obj{"payment_intent": pi["id"]}); err != nil {
		return nil, err
	}
	applied += n
	if err := c.SetMeta(metaCashApplied(c.Account, api.Str(pi["id"])), fmt.Sprint(applied)); err != nil {
		return nil, err
	}
	// Top-level copies: funding only sets top-level fields.
	before, next := pi, maps.Clone(pi)
	if applied < api.Int(pi["amount"]) {
		// Still requires_action: Stripe tells of the funds with
		// payment_intent.partially_funded alone.
		next["next_action"] = bankTransferAction(c, next, api.Int(pi["amount"])-applied)
		return next, c.PutEmit(next, "payment_intent.partially_funded", nil)
	}
	pm, err := cashPaymentMethod(c, next)
	if err != nil {
		return nil, err
	}
	next["next_action"] = nil
	next["last_payment_error"] = nil
	res, err := charge(c, before, next, pm, card{})
	if err != nil {
		return nil, err
	}
	return res.(store.Obj), nil
}

// cashPaymentMethod is the customer_balance PaymentMethod that pays an
// intent: its own, or a new one for an invoice's payment paid from the
// balance without being confirmed.
func cashPaymentMethod(c *api.Call, pi store.Obj) (store.Obj, error) {
	if pm, ok := c.Tx.Get(c.Account, "payment_method", api.Str(pi["payment_method"])); ok && pm["type"] == "customer_balance" {
		return pm, nil
	}
	pm := customerBalanceMethod(c, billingDetails(params.Values{}, false))
	if err := c.Put(pm); err != nil {
		return nil, err
	}
	pi["payment_method"] = pm["id"]
	return pm, nil
}

// customerBalanceMethod is a new customer_balance PaymentMethod, not
// stored: it names no account, the customer's balance being the intent's
// customer's.
func customerBalanceMethod(c *api.Call, bd store.Obj) store.Obj {
	o := c.Base("payment_method", c.NewID("payment_method"))
	o["allow_redisplay"], o["billing_details"], o["customer"], o["metadata"], o["type"] = "unspecified", bd, nil, map[string]any{}, "customer_balance"
	o["customer_balance"] = store.Obj{}
	return o
}

// bankTransferAction is the next_action of a customer_balance intent
// waiting for remaining more: the customer's virtual account and the
// reference to quote.
func bankTransferAction(c *api.Call, pi store.Obj, remaining int64) store.Obj {
	opts := api.Obj(api.Obj(api.Obj(pi["payment_method_options"])["customer_balance"])["bank_transfer"])
	typ := api.Str(opts["type"])
	country := api.Str(api.Obj(opts["eu_bank_transfer"])["country"])
	if country == "" {
		country = strings.ToUpper(typ[:2])
	}
	var requested []string
	list, _ := opts["requested_address_types"].([]any)
	for _, t := range list {
		requested = append(requested, api.Str(t))
	}
	return store.Obj{"type": "display_bank_transfer_instructions", "display_bank_transfer_instructions": store.Obj{
		"amount_remaining": remaining, "currency": pi["currency"], "type": typ,
		"financial_addresses":     financialAddresses(c, api.Str(pi["customer"]), typ, country, requested),
		"hosted_instructions_url": testPageURL(c, "/bank_transfer_instructions/"+api.Str(pi["id"])),
		"reference":               transferReference(api.Str(pi["id"])),
	}}
}

// transferReference is the code a customer quotes on the transfer that
// pays an intent: twelve letters and digits derived from its id.
func transferReference(id string) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	sum := sha256.Sum256([]byte(id))
	out := make([]byte, 12)
	for i := range out {
		out[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(out)
}

// confirmCustomerBalance confirms an intent with a customer_balance
// method: the customer's available cash pays what it can (in automatic
// reconciliation), and what is left waits for a bank transfer
// (requires_action with the transfer instructions).
func confirmCustomerBalance(c *api.Call, before, pi, pm store.Obj) (any, error) {
	cus := api.Str(pi["customer"])
	if cus == "" {
		return nil, apierr.InvalidRequest("A PaymentIntent with the customer_balance payment method needs a customer: the funds come from that customer's cash balance.").WithParam("customer")
	}
	if pi["capture_method"] == "manual" {
		return nil, apierr.InvalidRequest("The customer_balance payment method does not support capture_method=manual.").WithParam("capture_method")
	}
	opts := api.Obj(api.Obj(pi["payment_method_options"])["customer_balance"])
	if api.Str(opts["funding_type"]) == "" {
		return nil, apierr.MissingParam("payment_method_options[customer_balance][funding_type]")
	}
	if api.Obj(opts["bank_transfer"]) == nil || api.Str(api.Obj(opts["bank_transfer"])["type"]) == "" {
		return nil, apierr.MissingParam("payment_method_options[customer_balance][bank_transfer][type]")
	}
	if typ, cur := transferTypeOf(pi), api.Str(pi["currency"]); bankTransferTypes[cur] != typ {
		return nil, transferTypeRefused(typ, cur, "payment_method_options[customer_balance][bank_transfer][type]")
	}
	pi["payment_method"] = pm["id"]
	st := loadCash(c, cus)
	cur := api.Str(pi["currency"])
	remaining := api.Int(pi["amount"]) - cashApplied(c, api.Str(pi["id"]))
	if st.automatic() && st.Available[cur] >= remaining {
		// Funds enough: the payment succeeds at once.
		if _, err := recordCash(c, cus, &st, cur, "applied_to_payment", -remaining, store.Obj{"payment_intent": pi["id"]}); err != nil {
			return nil, err
		}
		if err := c.SetMeta(metaCashApplied(c.Account, api.Str(pi["id"])), fmt.Sprint(api.Int(pi["amount"]))); err != nil {
			return nil, err
		}
		return charge(c, before, pi, pm, card{})
	}
	pi["status"] = RequiresAction
	pi["next_action"] = bankTransferAction(c, pi, remaining)
	if err := saveIntentEmitting(c, before, pi, "payment_intent.requires_action"); err != nil {
		return nil, err
	}
	if st.automatic() && st.Available[cur] > 0 {
		return applyCash(c, cus, &st, pi, st.Available[cur])
	}
	return pi, nil
}

// checkIntentCashChange keeps a customer_balance PaymentIntent true to
// its bank transfer when it is updated or confirmed anew (before is the
// stored intent, after the changed one): the transfer type must still
// take its currency; what it was already given of the cash balance stays
// bound to its customer, currency and payment method, and under its
// amount (cancel gives it back); the instructions it shows ask for what
// remains of a new amount.
func checkIntentCashChange(c *api.Call, before, after store.Obj) error {
	cur := api.Str(after["currency"])
	applied := cashApplied(c, api.Str(before["id"]))
	if applied > 0 {
		refuse := func(change, param string) error {
			e := apierr.InvalidRequest("This PaymentIntent has already been funded with %d %s from the customer's cash balance, so %s. Cancel it to return those funds to the cash balance.", applied, before["currency"], change)
			return aboutIntent(e.WithParam(param).WithCode("payment_intent_unexpected_state"), before)
		}
		switch {
		case cur != api.Str(before["currency"]):
			return refuse("its currency cannot be changed", "currency")
		case after["customer"] != before["customer"]:
			return refuse("its customer cannot be changed", "customer")
		case api.Int(after["amount"]) <= applied:
			return refuse(fmt.Sprintf("its amount must stay greater than %d", applied), "amount")
		}
		if pmID := api.Str(after["payment_method"]); pmID != api.Str(before["payment_method"]) {
			if pm, _ := c.Tx.Get(c.Account, "payment_method", pmID); pm["type"] != "customer_balance" {
				param := "payment_method"
				if c.Params.Has("payment_method_data") {
					param = "payment_method_data[type]"
				}
				return refuse("it can only be paid with a customer_balance payment method", param)
			}
		}
	}
	if cur != api.Str(before["currency"]) {
		if typ := transferTypeOf(after); typ != "" && bankTransferTypes[cur] != typ {
			const param = "payment_method_options[customer_balance][bank_transfer][type]"
			return apierr.InvalidRequest("The bank transfer type %s does not support the currency %s: it takes %s. Set %s to one for %s as well.", typ, cur, currencyOfTransfer(typ), param, cur).WithParam(param)
		}
	}
	// The instructions a waiting intent shows follow what they are made
	// of: what remains of its amount, its currency's transfer type and
	// the address types asked for, its customer's virtual account.
	waiting := after["status"] == RequiresAction && api.Obj(after["next_action"])["type"] == "display_bank_transfer_instructions"
	changed := api.Int(after["amount"]) != api.Int(before["amount"]) || cur != api.Str(before["currency"]) || after["customer"] != before["customer"] ||
		!reflect.DeepEqual(api.Obj(after["payment_method_options"])["customer_balance"], api.Obj(before["payment_method_options"])["customer_balance"])
	if waiting && changed {
		after["next_action"] = bankTransferAction(c, after, api.Int(after["amount"])-applied)
	}
	return nil
}

// transferTypeOf is the bank transfer type an intent's customer_balance
// options name ("" for none).
func transferTypeOf(pi store.Obj) string {
	return api.Str(api.Obj(api.Obj(api.Obj(pi["payment_method_options"])["customer_balance"])["bank_transfer"])["type"])
}

// checkCustomerBalanceOptions checks and normalizes
// payment_method_options[customer_balance] as the intent keeps it.
func checkCustomerBalanceOptions(c *api.Call, pi store.Obj) error {
	cb, ok := c.Params.Obj("payment_method_options.customer_balance")
	if !ok {
		return nil
	}
	const prefix = "payment_method_options[customer_balance]"
	out, err := CustomerBalanceOptions(cb, api.Str(pi["currency"]), prefix)
	if err != nil {
		return err
	}
	if sfu, ok := cb.Str("setup_future_usage"); ok && sfu != "" && sfu != "none" {
		return apierr.InvalidRequest("The customer_balance payment method cannot be saved for future use: %s[setup_future_usage] can only be none.", prefix).WithParam(prefix + "[setup_future_usage]")
	}
	opts := api.Clone(api.Obj(pi["payment_method_options"]))
	if opts == nil {
		opts = store.Obj{}
	}
	opts["customer_balance"] = out
	pi["payment_method_options"] = opts
	return nil
}

// CustomerBalanceOptions checks customer_balance payment method options
// (cb, which prefix names in refusals: a PaymentIntent's, or an
// invoice's payment_settings, which pass them to its PaymentIntent) for
// a payment in cur, and answers them as the object shows them: the
// funding type, and the bank transfer type cur is paid by (with its
// eu_bank_transfer country and requested address types).
func CustomerBalanceOptions(cb params.Values, cur, prefix string) (store.Obj, error) {
	out := store.Obj{"funding_type": nil}
	if ft, ok := cb.Str("funding_type"); ok && ft != "" {
		if ft != "bank_transfer" {
			return nil, apierr.InvalidRequest("Invalid %s[funding_type]: must be bank_transfer", prefix).WithParam(prefix + "[funding_type]")
		}
		out["funding_type"] = ft
	}
	if bt, ok := cb.Obj("bank_transfer"); ok {
		typ, country, requested, err := checkBankTransfer(bt, cur, prefix+"[bank_transfer]")
		if err != nil {
			return nil, err
		}
		for _, t := range requested {
			if !slices.Contains(financialAddressTypes, t) {
				return nil, apierr.InvalidRequest("Invalid %s[bank_transfer][requested_address_types]: must be one of %s", prefix, strings.Join(financialAddressTypes, ", ")).WithParam(prefix + "[bank_transfer][requested_address_types]")
			}
		}
		b := store.Obj{"type": typ}
		if country != "" {
			b["eu_bank_transfer"] = store.Obj{"country": country}
		}
		if len(requested) > 0 {
			b["requested_address_types"] = api.Anys(requested)
		}
		out["bank_transfer"] = b
	}
	return out, nil
}

// applyCustomerBalance is POST /v1/payment_intents/{id}/apply_customer_balance:
// manual reconciliation, giving a waiting intent amount (by default all it
// still needs) of its customer's cash balance.
func applyCustomerBalance(c *api.Call) (any, error) {
	pi, err := loadIntent(c)
	if err != nil {
		return nil, err
	}
	cur := api.Str(pi["currency"])
	waiting, whole := awaitingCash(c, pi, cur)
	if !waiting {
		return nil, apierr.InvalidRequest("This PaymentIntent is not waiting for funds from the customer's cash balance: only a customer_balance PaymentIntent in status requires_action, or an open invoice's payment offering customer_balance, can be given funds.").WithCode("payment_intent_unexpected_state")
	}
	if sent, ok := c.Params.Str("currency"); ok && sent != "" && strings.ToLower(sent) != cur {
		return nil, apierr.InvalidRequest("The currency (%s) must match the PaymentIntent's currency (%s).", strings.ToLower(sent), cur).WithParam("currency")
	}
	cus := api.Str(pi["customer"])
	remaining := api.Int(pi["amount"]) - cashApplied(c, api.Str(pi["id"]))
	amount := remaining
	if n, ok := c.Params.Int("amount"); ok && !whole {
		// An invoice's payment is given all of its amount whatever is sent.
		if n < 1 {
			return nil, apierr.InvalidRequest("Invalid positive integer").WithParam("amount")
		}
		if n > remaining {
			return nil, apierr.InvalidRequest("The amount (%d) is greater than what remains to be paid on this PaymentIntent (%d).", n, remaining).WithParam("amount")
		}
		amount = n
	} else {
		c.Params.MarkRead("amount")
	}
	st := loadCash(c, cus)
	if st.Available[cur] < amount {
		return nil, apierr.InvalidRequest("The customer's cash balance has %d %s available, less than the %d to apply.", st.Available[cur], cur, amount).WithParam("amount")
	}
	return applyCash(c, cus, &st, pi, amount)
}

// returnCash gives back to the customer's cash balance what a canceled
// customer_balance intent had been given (unapplied_from_payment).
func returnCash(c *api.Call, pi store.Obj) error {
	applied := cashApplied(c, api.Str(pi["id"]))
	if applied <= 0 {
		return nil
	}
	c.DeleteMeta(metaCashApplied(c.Account, api.Str(pi["id"])))
	cus := api.Str(pi["customer"])
	st := loadCash(c, cus)
	_, err := recordCash(c, cus, &st, api.Str(pi["currency"]), "unapplied_from_payment", applied, store.Obj{"payment_intent": pi["id"]})
	return err
}

// refundToCash credits a refund of a customer_balance payment to the
// customer's cash balance (refunded_from_payment).
func refundToCash(c *api.Call, ch, re store.Obj) error {
	cus := api.Str(ch["customer"])
	st := loadCash(c, cus)
	_, err := recordCash(c, cus, &st, api.Str(re["currency"]), "refunded_from_payment", api.Int(re["amount"]), store.Obj{"refund": re["id"]})
	return err
}

// refundWindow is how long after it was made a bank transfer or an ACH
// Direct Debit payment can be refunded.
const refundWindow = 180 * 24 * 60 * 60

// checkCashRefund refuses to refund a customer_balance payment made
// more than 180 days ago, or when there is no email to reach the customer at: Stripe's refund guide for
// bank transfers asks the customer for their bank details by email, and
// creating a refund without an email on the customer is an error unless
// instructions_email gives one (the wording of Stripe's refusal is not
// documented).
func checkCashRefund(c *api.Call, ch store.Obj) error {
	if api.Obj(ch["payment_method_details"])["type"] != "customer_balance" {
		return nil
	}
	// The same guide: "You can refund a payment up to 180 days after it
	// was created."
	if c.Now > api.Int(ch["created"])+refundWindow {
		return apierr.InvalidRequest("Charge %s was made more than 180 days ago: a bank transfer payment can be refunded for up to 180 days after it was created.", ch["id"]).WithCode("charge_not_refundable")
	}
	if email, _ := c.Params.Str("instructions_email"); email != "" {
		return nil
	}
	if f, ok := c.Tx.Fields(c.Account, "customer", api.Str(ch["customer"]), "email"); ok && f[0].String() != "" {
		return nil
	}
	return apierr.InvalidRequest("Refunding a bank transfer payment needs an email address to ask the customer for the bank account to send the refund to, and customer %s has none. Set the customer's email, or pass instructions_email.", ch["customer"]).WithParam("instructions_email")
}
