package payments

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
	"maps"
	"slices"
	"strings"
)

// What other resource families (billing, checkout) use to move money.

// InsertIntent stores a new PaymentIntent and emits payment_intent.created.
func InsertIntent(c *api.Call, pi store.Obj) error {
	OptionDefaults(pi)
	return c.Insert(pi)
}

// OptionDefaults shows pi's payment_method_options with Stripe's defaults
// for the types it offers (and drops them for those it no longer does),
// as an intent made through the API is shown.
func OptionDefaults(pi store.Obj) { paymentOptionDefaults(pi) }

// Charge confirms a stored PaymentIntent with a payment method as Stripe
// Billing does off-session (renewals, invoice payment): it returns the
// intent after the attempt, and a *api.KeptError when it declined. A card
// that needs 3-D Secure (and was not set up for off-session use) leaves
// the intent in requires_action for the customer instead of declining.
func Charge(c *api.Call, pi store.Obj, pmID string, offSession bool) (store.Obj, error) {
	return chargeWith(c, pi, pmID, offSession, "")
}

// ChargeOnPage is Charge for a customer paying on a hosted page
// (Checkout): a redirect method sends them to returnURL afterwards.
func ChargeOnPage(c *api.Call, pi store.Obj, pmID, returnURL string) (store.Obj, error) {
	return chargeWith(c, pi, pmID, false, returnURL)
}

func chargeWith(c *api.Call, pi store.Obj, pmID string, offSession bool, returnURL string) (store.Obj, error) {
	if s := pi["status"]; s != RequiresPaymentMethod && s != RequiresConfirmation && s != RequiresAction {
		// A bank debit still processing, say: confirming it again would
		// make a second charge.
		return nil, unexpectedState("confirm", pi, RequiresPaymentMethod, RequiresConfirmation, RequiresAction)
	}
	pm, err := resolvePaymentMethod(c, pmID, "payment_method")
	if err != nil {
		return nil, err
	}
	// Not stored here: every way confirmWith ends either stores the
	// intent or fails the whole transaction.
	// A top-level copy: confirmation only sets top-level fields.
	next := maps.Clone(pi)
	next["payment_method"] = pm["id"]
	if next["status"] == RequiresPaymentMethod {
		next["status"] = RequiresConfirmation
	}
	if types, _ := next["payment_method_types"].([]any); api.Bool(api.Obj(next["automatic_payment_methods"])["enabled"]) && !slices.Contains(types, pm["type"]) {
		// An intent naming no types of its own (an invoice's) takes the
		// type of the default method charged: Stripe determines them "by
		// looking at … the customer's default payment method". A card,
		// listed already, costs nothing here.
		next["payment_method_types"] = append(slices.Clone(types), pm["type"])
	}
	raw := map[string]any{}
	if offSession {
		raw["off_session"] = true
	}
	if returnURL != "" {
		raw["return_url"] = returnURL
	}
	// Confirm as if these were the request's parameters.
	saved := c.Params
	c.Params = params.NewValues(raw)
	res, err := confirmAs(c, next, false)
	c.Params = saved
	if err != nil {
		return nil, err
	}
	return res.(store.Obj), nil
}

// Cancel cancels a PaymentIntent the caller owns (an invoice's default
// payment when the invoice no longer needs it).
func Cancel(c *api.Call, pi store.Obj, reason string) (store.Obj, error) {
	switch pi["status"] {
	case RequiresPaymentMethod, RequiresConfirmation, RequiresAction, RequiresCapture:
	default:
		return nil, apierr.InvalidRequest("cannot cancel a PaymentIntent in status %s", pi["status"])
	}
	after := api.Clone(pi)
	after["status"] = Canceled
	after["canceled_at"] = c.Now
	after["next_action"] = nil
	if reason != "" {
		after["cancellation_reason"] = reason
	}
	if pi["status"] == RequiresCapture {
		if err := releaseAuthorization(c, after); err != nil {
			return nil, err
		}
	}
	if err := saveIntentEmitting(c, pi, after, "payment_intent.canceled"); err != nil {
		return nil, err
	}
	return after, returnCash(c, after)
}

// SetAmount changes the amount of an unpaid PaymentIntent the caller owns.
func SetAmount(c *api.Call, pi store.Obj, amount int64) (store.Obj, error) {
	after := api.Clone(pi)
	after["amount"] = amount
	return after, saveIntent(c, pi, after)
}

// DefaultPaymentMethod is the payment method a customer pays invoices with
// by default ("" if none): invoice_settings.default_payment_method, else
// the customer's default source (a saved card works as a PaymentMethod of
// the same id), as Stripe's billing falls back to it.
func DefaultPaymentMethod(c *api.Call, customerID string) string {
	cus, ok := c.Tx.Get(c.Account, "customer", customerID)
	if !ok {
		return ""
	}
	is, _ := cus["invoice_settings"].(map[string]any)
	if pm := api.Str(is["default_payment_method"]); pm != "" {
		return pm
	}
	return api.Str(cus["default_source"])
}

// Authenticate completes a PaymentIntent's 3-D Secure challenge, or
// authorizes a redirect method's payment, as the customer would on a
// hosted page (Checkout does this).
func Authenticate(c *api.Call, pi store.Obj) (store.Obj, error) {
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(pi["payment_method"]))
	// Top-level copies: confirmation only sets top-level fields.
	before := maps.Clone(pi)
	next := maps.Clone(pi)
	next["next_action"] = nil
	cd := card{} // a redirect method's authorized payment charges as is
	if pm["type"] == "card" {
		cd = authenticated(cardOf(c, pm))
	} else {
		var err error
		if pm, err = walletAuthorized(c, pm); err != nil {
			return nil, err
		}
	}
	res, err := charge(c, before, next, pm, cd)
	if err != nil {
		return nil, err
	}
	return res.(store.Obj), nil
}

// TestPaymentMethod resolves the payment methods a test helper takes:
// Stripe's magic ids (pm_card_visa…), existing ids, and the emulator's
// own shortcuts for delayed methods: pm_sepa_debit, pm_sepa_debit_fail,
// pm_us_bank_account, pm_us_bank_account_fail, pm_bacs_debit (Bacs test
// account 90012345, settles after 3 minutes), pm_bacs_debit_fail
// (93333335, debit_not_authorized after 3 minutes), pm_au_becs_debit
// (BECS test account 900123456 under BSB 000000, settles after 3
// minutes), pm_au_becs_debit_fail (922222227, refer_to_customer after 3
// minutes), pm_acss_debit (pre-authorized debit test account
// 900123456789 at institution 000, transit 11000, verified at once,
// settles after 3 minutes), pm_acss_debit_fail (900222222227,
// insufficient_funds after 3 minutes), pm_link (a Link PaymentMethod,
// the customer signed in to Link on the page), and pm_oxxo (an OXXO
// voucher for jenny@example.com), pm_boleto (a Boleto for her, CPF
// 000.000.000-00), pm_konbini (a Konbini voucher for her), pm_multibanco
// (a Multibanco voucher for her).
func TestPaymentMethod(c *api.Call, id, param string) (store.Obj, error) {
	bank := map[string][2]string{
		"pm_sepa_debit":           {"sepa_debit", "DE89370400440532013000"},
		"pm_sepa_debit_fail":      {"sepa_debit", "DE62370400440532013001"},
		"pm_us_bank_account":      {"us_bank_account", "000123456789"},
		"pm_us_bank_account_fail": {"us_bank_account", "000222222227"},
		"pm_bacs_debit":           {"bacs_debit", "90012345"},
		"pm_bacs_debit_fail":      {"bacs_debit", "93333335"},
		"pm_au_becs_debit":        {"au_becs_debit", "900123456"},
		"pm_au_becs_debit_fail":   {"au_becs_debit", "922222227"},
		"pm_acss_debit":           {"acss_debit", "900123456789"},
		"pm_acss_debit_fail":      {"acss_debit", "900222222227"},
	}
	bd := store.Obj{"address": emptyAddress(), "email": "jenny@example.com", "name": "Jenny Rosen", "phone": nil, "tax_id": nil}
	if id == "pm_link" {
		// A customer signed in to Link; Checkout sets the email the page
		// collected (LinkPayer).
		o := linkPaymentMethod(c, "jenny@example.com")
		return o, c.Put(o)
	}
	if id == "pm_oxxo" || id == "pm_boleto" || id == "pm_konbini" || id == "pm_multibanco" {
		// A voucher for the customer: Checkout sets the email the page
		// collected, which decides the test voucher (VoucherPayer). A
		// Boleto's payer has the guide's test CPF, paid after 3 minutes,
		// and a São Paulo address.
		saved := c.Params
		defer func() { c.Params = saved }()
		typ := strings.TrimPrefix(id, "pm_")
		raw := map[string]any{}
		if typ == "boleto" {
			raw["boleto"] = map[string]any{"tax_id": "000.000.000-00"}
			bd["address"] = store.Obj{"city": "São Paulo", "country": "BR", "line1": "Av. Paulista, 1578", "line2": nil,
				"postal_code": "01310-200", "state": "SP"}
		}
		c.Params = params.NewValues(raw)
		o, err := voucherFromParams(c, typ, bd)
		if err != nil {
			return nil, err
		}
		return o, c.Put(o)
	}
	spec, ok := bank[id]
	if !ok {
		return resolvePaymentMethod(c, id, param)
	}
	saved := c.Params
	defer func() { c.Params = saved }()
	var o store.Obj
	var err error
	if spec[0] == "acss_debit" {
		c.Params = params.NewValues(map[string]any{"acss_debit": map[string]any{"institution_number": acssTestInstitution, "transit_number": acssTestTransit, "account_number": spec[1]}})
		o, err = acssFromParams(c, bd)
	} else if spec[0] == "au_becs_debit" {
		c.Params = params.NewValues(map[string]any{"au_becs_debit": map[string]any{"bsb_number": "000000", "account_number": spec[1]}})
		o, err = becsFromParams(c, bd)
	} else if spec[0] == "bacs_debit" {
		c.Params = params.NewValues(map[string]any{"bacs_debit": map[string]any{"sort_code": "108800", "account_number": spec[1]}})
		bd["address"] = store.Obj{"city": "London", "country": "GB", "line1": "1 Test Street", "line2": nil, "postal_code": "EC1A 1AA", "state": nil}
		o, err = bacsFromParams(c, bd)
	} else if spec[0] == "sepa_debit" {
		c.Params = params.NewValues(map[string]any{"sepa_debit": map[string]any{"iban": spec[1]}})
		o, err = sepaFromParams(c, bd)
	} else {
		c.Params = params.NewValues(map[string]any{"us_bank_account": map[string]any{"account_number": spec[1], "routing_number": "110000000"}})
		o, err = usBankFromParams(c, bd)
	}
	if err != nil {
		return nil, err
	}
	if spec[0] == "us_bank_account" || spec[0] == "acss_debit" {
		// They stand for accounts Financial Connections verified at once.
		if err := c.Tx.SetMeta(metaBankVerified(c.Account, api.Str(o["id"])), "instant"); err != nil {
			return nil, err
		}
	}
	return o, c.Put(o)
}

// IsVoucher reports whether a payment method type pays by voucher (OXXO,
// Boleto, Konbini).
func IsVoucher(typ string) bool { return isVoucher(typ) }

// CheckEmulatedType refuses a payment method type the emulator cannot take
// a payment with (param names the list it came in), as creating such a
// PaymentMethod is refused, and giropay in Stripe's words: for what
// offers types to pay with later (a Checkout Session, a payment link).
// Link is taken: offered beside other types, as Stripe's samples offer it.
func CheckEmulatedType(typ, param string) error {
	if e := retiredType(typ, param); e != nil {
		return e
	}
	if !supportedTypes[typ] && !listedOnly[typ] {
		return apierr.InvalidRequest("The payment method type `%s` is not supported by stripe-emu; it emulates "+supportedList+".", typ).WithParam(param)
	}
	return nil
}

// IsRedirect reports whether a payment method type sends the customer to
// authorize the payment elsewhere (iDEAL, Klarna…).
func IsRedirect(typ string) bool { return isRedirect(typ) }

// RefusesManualCapture reports a payment method type whose confirmation a
// PaymentIntent captured manually refuses: a bank debit, collected whole,
// a voucher, and a redirect method that holds nothing for later.
func RefusesManualCapture(typ string) bool {
	if m, ok := redirectMethods[typ]; ok {
		return !m.manual
	}
	return delayed[typ] || isVoucher(typ)
}

// ManualCaptureRefused is the refusal of RefusesManualCapture's types,
// naming param.
func ManualCaptureRefused(typ, param string) error {
	return apierr.InvalidRequest("The payment method type %s does not support `capture_method=manual`.", typ).WithParam(param)
}

// WaitsForVoucher reports a PaymentIntent whose voucher is out, unpaid.
func WaitsForVoucher(pi store.Obj) bool { return waitsForVoucher(pi) }

// VoucherPayer gives a voucher PaymentMethod made for a hosted page
// (pm_oxxo, pm_boleto, pm_konbini, pm_multibanco) the name and email the page collected, as Stripe's page
// sends them: the email decides what a test voucher does.
func VoucherPayer(c *api.Call, pm store.Obj, name, email any) (store.Obj, error) {
	after := api.Clone(pm)
	bd := api.Obj(after["billing_details"])
	bd["email"] = email
	if name != nil {
		bd["name"] = name
	}
	return after, c.Put(after)
}

// LinkPayer gives the Link PaymentMethod a Checkout page made (pm_link)
// the email the customer signed in to Link with: the page's.
func LinkPayer(c *api.Call, pm store.Obj, email string) (store.Obj, error) {
	after := api.Clone(pm)
	api.Obj(after["billing_details"])["email"] = email
	api.Obj(after["link"])["email"] = email
	return after, c.Put(after)
}

// Delayed reports whether a payment method type settles later.
func Delayed(typ string) bool { return delayed[typ] }

// AttachTo attaches a payment method to a customer (card check included).
func AttachTo(c *api.Call, pm store.Obj, customerID string) (store.Obj, error) {
	return attach(c, pm, customerID, "customer")
}

// ApplyIntentData sets on a new intent what Checkout's
// payment_intent_data asks (already checked field by field): the same
// rules as the fields of POST /v1/payment_intents.
func ApplyIntentData(c *api.Call, pi store.Obj, data params.Values) error {
	saved := c.Params
	defer func() { c.Params = saved }()
	c.Params = data
	return applyIntentParams(c, pi)
}

// RefundIntent refunds amount of a succeeded PaymentIntent's charge as
// POST /v1/refunds would (same checks, balance transaction and events),
// for objects that refund on the merchant's behalf (credit notes).
func RefundIntent(c *api.Call, piID string, amount int64) (store.Obj, error) {
	saved := c.Params
	defer func() { c.Params = saved }()
	c.Params = params.NewValues(map[string]any{"payment_intent": piID, "amount": amount})
	res, err := createRefund(c)
	if err != nil {
		return nil, err
	}
	return res.(store.Obj), nil
}

// NewSetupIntent is a new SetupIntent with Stripe's defaults, not stored.
func NewSetupIntent(c *api.Call, id string) store.Obj { return newSetupIntent(c, id) }

// SetUpAtOnce records a setup the customer completed in one go
// (Checkout's setup mode): si, new and naming its customer and payment
// method, is created and confirmed with pm as a confirmation through
// the API would be, with its attempt, the method attached to the
// customer and remembered as set up for later off-session payments.
func SetUpAtOnce(c *api.Call, si, pm store.Obj) (store.Obj, error) {
	si["status"] = RequiresConfirmation
	if err := c.Insert(si); err != nil {
		return nil, err
	}
	si = api.Clone(si)
	if typ := api.Str(pm["type"]); pageMandated[typ] {
		// Saved under the mandate the customer accepts on the page.
		m, err := putMandate(c, si, api.Str(pm["id"]), typ, pageAcceptance(c), true)
		if err != nil {
			return nil, err
		}
		si["mandate"] = m["id"]
	}
	if _, err := succeedSetup(c, si, pm, newSetupAttempt(c, si, pm)); err != nil {
		return nil, err
	}
	return si, nil
}

// DestinationAccount checks the destination of a destination charge
// (transfer_data[destination] and the like, named by param): a connected
// account of the platform whose transfers capability is active.
func DestinationAccount(c *api.Call, id, param string) error {
	return destinationAccount(c, id, param)
}

// ConnectedAccount checks that id is one of the platform's connected
// accounts, as a destination or on_behalf_of must be (kind names it in
// the error), with the refusals PaymentIntents give.
func ConnectedAccount(c *api.Call, kind, id, param string) error {
	return connectedAccount(c, kind, id, param)
}

// IssuingAvailable is the account's available Issuing balance in cur:
// what Issuing authorizations can hold.
func IssuingAvailable(c *api.Call, cur string) int64 { return issuingSums(c, c.Account)[cur] }

// PutIssuingBalanceTransaction records money moving in the account's
// Issuing balance (typ: an authorization's hold or release, a
// transaction), of source: available at once, with no fee, apart from
// the payments balance (balance_type issuing).
func PutIssuingBalanceTransaction(c *api.Call, typ string, amount int64, cur, source string) (store.Obj, error) {
	return putIssuingBalanceTransaction(c, store.Obj{
		"amount": amount, "currency": cur, "description": nil, "reporting_category": typ, "source": source, "type": typ,
	})
}
