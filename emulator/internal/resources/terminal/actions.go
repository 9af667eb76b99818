package terminal

import (
	"errors"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/currency"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/countryspecs"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Reader actions: the server tells a reader what to do (process a
// payment, refund one, show a cart) and the reader's action shows it
// in_progress until the customer acts. On a simulated reader the
// customer's card is the present_payment_method test helper, which
// finishes the action: succeeded (terminal.reader.action_succeeded) or
// failed with the decline (terminal.reader.action_failed).

func actionRoutes() []api.Route {
	return []api.Route{
		api.POST("/v1/terminal/readers/{id}/process_payment_intent", params.FromStruct(stripe.TerminalReaderProcessPaymentIntentParams{}).Without("metadata").
			Enum("process_config.allow_redisplay", "always", "limited", "unspecified"), processPaymentIntent),
		api.POST("/v1/terminal/readers/{id}/process_setup_intent", params.FromStruct(stripe.TerminalReaderProcessSetupIntentParams{}).Without("metadata"), processSetupIntent),
		api.POST("/v1/terminal/readers/{id}/refund_payment", params.FromStruct(stripe.TerminalReaderRefundPaymentParams{}), refundPayment),
		api.POST("/v1/terminal/readers/{id}/set_reader_display", params.FromStruct(stripe.TerminalReaderSetReaderDisplayParams{}).Without("metadata").Enum("type", "cart"), setReaderDisplay),
		api.POST("/v1/terminal/readers/{id}/cancel_action", params.FromStruct(stripe.TerminalReaderCancelActionParams{}).Without("metadata"), cancelAction),
		api.POST("/v1/terminal/readers/{id}/collect_inputs", params.FromStruct(stripe.TerminalReaderCollectInputsParams{}), collectInputs),
		// Of 2025-06-30.basil (stripe-go v82.3.0), newer than the embedded
		// spec: the payment collected, then confirmed, as two actions.
		api.POST("/v1/terminal/readers/{id}/collect_payment_method", params.FromStruct(stripe.TerminalReaderCollectPaymentMethodParams{}).Without("metadata").
			Enum("collect_config.allow_redisplay", "always", "limited", "unspecified"), collectPaymentMethod),
		api.POST("/v1/terminal/readers/{id}/confirm_payment_intent", params.FromStruct(stripe.TerminalReaderConfirmPaymentIntentParams{}).Without("metadata"), confirmPaymentIntent),
		api.POST("/v1/test_helpers/terminal/readers/{id}/present_payment_method", params.FromStruct(stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{}).Without("metadata"), presentPaymentMethod),
		api.POST("/v1/test_helpers/terminal/readers/{id}/succeed_input_collection", params.FromStruct(stripe.TestHelpersTerminalReaderSucceedInputCollectionParams{}).Without("metadata").Enum("skip_non_required_inputs", "all", "none"), succeedInputCollection),
		api.POST("/v1/test_helpers/terminal/readers/{id}/timeout_input_collection", params.FromStruct(stripe.TestHelpersTerminalReaderTimeoutInputCollectionParams{}).Without("metadata"), timeoutInputCollection),
	}
}

// readerBusy is Stripe's answer to an action sent to a reader already
// busy with another.
func readerBusy() error {
	return apierr.InvalidRequest("Reader is currently busy processing another request. Please reference the integration guide at https://stripe.com/docs/terminal/payments/collect-payment?terminal-sdk-platform=server-driven#handle-errors for details on how to handle this error.").WithCode("terminal_reader_busy")
}

// loadIdle loads the reader in the path for a new action: one busy with a
// payment, setup or refund is refused. A cart on its display is not a
// task: the next action replaces it.
func loadIdle(c *api.Call) (before, after store.Obj, err error) {
	before, err = c.Load("terminal.reader", c.Var("id"), "id")
	if err != nil {
		return nil, nil, err
	}
	if a := api.Obj(before["action"]); a["status"] == "in_progress" && a["type"] != "set_reader_display" {
		return nil, nil, readerBusy()
	}
	return before, api.Clone(before), nil
}

// newAction is an action of the type, in progress, with its details.
func newAction(typ string, details store.Obj) store.Obj {
	return store.Obj{"type": typ, "status": "in_progress", "failure_code": nil, "failure_message": nil, typ: details}
}

func processPaymentIntent(c *api.Call) (any, error) {
	_, reader, err := loadIdle(c)
	if err != nil {
		return nil, err
	}
	pi, err := payableIntent(c, reader)
	if err != nil {
		return nil, err
	}
	details := store.Obj{"payment_intent": pi["id"]}
	if c.Params.Has("process_config") {
		config, err := paymentConfig(c, "process_config", true)
		if err != nil {
			return nil, err
		}
		details["process_config"] = config
	}
	// allow_redisplay is for the generated card a payment asking for
	// setup_future_usage saves: kept until the card is presented, as the
	// action does not show it.
	redisplay, _ := c.Params.Str("process_config.allow_redisplay")
	if err := c.SetMeta(setupRedisplay(c.Account, api.Str(reader["id"])), redisplay); err != nil {
		return nil, err
	}
	reader["action"] = newAction("process_payment_intent", details)
	return reader, c.Put(reader)
}

// payableIntent is the intent named by payment_intent, checked for the
// reader to take its payment.
func payableIntent(c *api.Call, reader store.Obj) (store.Obj, error) {
	pi, err := namedIntent(c)
	if err != nil {
		return nil, err
	}
	if err := processable(pi); err != nil {
		return nil, err
	}
	if err := localCurrency(c, reader, pi); err != nil {
		return nil, err
	}
	return pi, nil
}

// namedIntent loads the PaymentIntent the payment_intent parameter names.
func namedIntent(c *api.Call) (store.Obj, error) {
	if err := c.Require("payment_intent"); err != nil {
		return nil, err
	}
	piID, _ := c.Params.Str("payment_intent")
	pi, ok := c.Tx.Get(c.Account, "payment_intent", piID)
	if !ok {
		return nil, apierr.NoSuchObject("payment_intent", piID, "payment_intent")
	}
	return pi, nil
}

// paymentConfig is the action's copy of a payment's configuration
// overrides (process_config, collect_config): customer cancellation,
// tipping, and, for a payment confirmed at once, its return_url.
func paymentConfig(c *api.Call, prefix string, withReturnURL bool) (store.Obj, error) {
	c.Params.MarkRead(prefix)
	pc, _ := c.Params.Obj(prefix)
	config := store.Obj{}
	for _, f := range []string{"enable_customer_cancellation", "skip_tipping"} {
		if v, ok := pc.Bool(f); ok {
			config[f] = v
		}
	}
	if v, _ := pc.Str("return_url"); v != "" && withReturnURL {
		config["return_url"] = v
	}
	if n, ok := pc.Int("tipping.amount_eligible"); ok {
		if n < 1 {
			param := prefix + "[tipping][amount_eligible]"
			return nil, apierr.InvalidRequest("Invalid %s: must be a positive integer", param).WithParam(param)
		}
		config["tipping"] = store.Obj{"amount_eligible": n}
	}
	return config, nil
}

// collectRedisplay keeps a collect_payment_method's allow_redisplay, for
// the card the intent saves, until the intent is confirmed: the action
// does not show it.
func collectRedisplay(acct, pi string) string { return "tmcollectredisplay:" + acct + ":" + pi }

// collectPaymentMethod has the reader read the card for an intent without
// confirming it: the card presented is attached to the intent, which then
// awaits confirm_payment_intent (Stripe's "collect, inspect, confirm").
func collectPaymentMethod(c *api.Call) (any, error) {
	_, reader, err := loadIdle(c)
	if err != nil {
		return nil, err
	}
	pi, err := payableIntent(c, reader)
	if err != nil {
		return nil, err
	}
	details := store.Obj{"payment_intent": pi["id"]}
	if c.Params.Has("collect_config") {
		config, err := paymentConfig(c, "collect_config", false)
		if err != nil {
			return nil, err
		}
		details["collect_config"] = config
	}
	redisplay, _ := c.Params.Str("collect_config.allow_redisplay")
	if err := c.SetMeta(collectRedisplay(c.Account, api.Str(pi["id"])), redisplay); err != nil {
		return nil, err
	}
	reader["action"] = newAction("collect_payment_method", details)
	return reader, c.Put(reader)
}

// confirmPaymentIntent has the reader confirm an intent whose card it
// collected. No customer acts on a confirmation, so the simulated reader
// finishes it at once: succeeded, or failed with the decline.
func confirmPaymentIntent(c *api.Call) (any, error) {
	_, reader, err := loadIdle(c)
	if err != nil {
		return nil, err
	}
	pi, err := namedIntent(c)
	if err != nil {
		return nil, err
	}
	if !payments.ReaderCanPay(pi) {
		return nil, notOnReader(pi)
	}
	pm, _ := c.Tx.Get(c.Account, "payment_method", api.Str(pi["payment_method"]))
	if pi["status"] != payments.RequiresConfirmation || (pm["type"] != "card_present" && pm["type"] != "interac_present") {
		return nil, apierr.InvalidRequest("This PaymentIntent's status is %s, but it must be requires_confirmation, with a card collected on a reader (collect_payment_method), to be confirmed on a reader.", pi["status"]).WithParam("payment_intent").WithCode("payment_intent_unexpected_state")
	}
	details := store.Obj{"payment_intent": pi["id"]}
	if c.Params.Has("confirm_config") {
		c.Params.MarkRead("confirm_config")
		config := store.Obj{}
		if v, _ := c.Params.Str("confirm_config.return_url"); v != "" {
			config["return_url"] = v
		}
		details["confirm_config"] = config
	}
	key := collectRedisplay(c.Account, api.Str(pi["id"]))
	redisplay, _ := c.Tx.GetMeta(key)
	c.DeleteMeta(key)
	_, decline, err := payments.ConfirmPresentCard(c, pi, redisplay)
	if err != nil {
		return nil, err
	}
	action := newAction("confirm_payment_intent", details)
	event := "terminal.reader.action_succeeded"
	if decline != nil {
		action["status"], action["failure_code"], action["failure_message"] = "failed", decline.Code, decline.Message
		event = "terminal.reader.action_failed"
	} else {
		action["status"] = "succeeded"
	}
	reader["action"] = action
	return reader, c.PutEmit(reader, event, nil)
}

// processable checks that a reader can take pi's payment: it lists
// card_present, waits for a payment method or confirmation, and asks for
// nothing not emulated (an extended authorization).
func processable(pi store.Obj) error {
	if !payments.ReaderCanPay(pi) {
		return notOnReader(pi)
	}
	switch pi["status"] {
	case payments.RequiresPaymentMethod, payments.RequiresConfirmation:
	default:
		return apierr.InvalidRequest("This PaymentIntent's status is %s, but it must be requires_payment_method or requires_confirmation to be processed on a reader.", pi["status"]).WithParam("payment_intent").WithCode("payment_intent_unexpected_state")
	}
	return payments.CardPresentOptionsRefused(pi)
}

// notOnReader refuses an intent not listing card_present.
func notOnReader(pi store.Obj) error {
	return apierr.InvalidRequest("This PaymentIntent (%s) cannot be processed on a reader: its payment_method_types do not include card_present or interac_present. Create it with payment_method_types[]=card_present.", pi["id"]).WithParam("payment_intent")
}

// localCurrency checks that pi is in the currency of the country of the
// reader's location: Stripe's regional guide has Terminal accept the local
// currency only. A reader registered without a location is not checked.
func localCurrency(c *api.Call, reader, pi store.Obj) error {
	loc, ok := c.Tx.Get(c.Account, "terminal.location", api.Str(reader["location"]))
	if !ok {
		return nil
	}
	country := api.Str(api.Obj(loc["address"])["country"])
	want, ok := countryspecs.DefaultCurrency(country)
	if !ok || want == pi["currency"] {
		return nil
	}
	return apierr.InvalidRequest("This PaymentIntent's currency is %s, but the reader's location (%s) is in %s, where Terminal accepts %s only.", pi["currency"], loc["id"], country, want).WithParam("payment_intent")
}

// setupRedisplay keeps the allow_redisplay of a process_setup_intent (or
// of a process_payment_intent's process_config) until the card is
// presented: the action does not show it.
func setupRedisplay(acct, reader string) string { return "tmrredisplay:" + acct + ":" + reader }

// processSetupIntent has the reader save the card presented for a
// SetupIntent listing card_present.
func processSetupIntent(c *api.Call) (any, error) {
	_, reader, err := loadIdle(c)
	if err != nil {
		return nil, err
	}
	if err := c.Require("setup_intent", "allow_redisplay"); err != nil {
		return nil, err
	}
	siID, _ := c.Params.Str("setup_intent")
	si, ok := c.Tx.Get(c.Account, "setup_intent", siID)
	if !ok {
		return nil, apierr.NoSuchObject("setupintent", siID, "setup_intent")
	}
	if err := settable(si); err != nil {
		return nil, err
	}
	redisplay, _ := c.Params.Str("allow_redisplay")
	if err := c.SetMeta(setupRedisplay(c.Account, api.Str(reader["id"])), redisplay); err != nil {
		return nil, err
	}
	details := store.Obj{"setup_intent": siID}
	if v, ok := c.Params.Bool("process_config.enable_customer_cancellation"); ok {
		details["process_config"] = store.Obj{"enable_customer_cancellation": v}
	} else if c.Params.Has("process_config") {
		c.Params.MarkRead("process_config")
		details["process_config"] = store.Obj{}
	}
	reader["action"] = newAction("process_setup_intent", details)
	return reader, c.Put(reader)
}

// settable checks that a reader can save si's card: it lists card_present
// and waits for a payment method or confirmation.
func settable(si store.Obj) error {
	if !payments.ReaderCanSetUp(si) {
		return apierr.InvalidRequest("This SetupIntent (%s) cannot be processed on a reader: its payment_method_types do not include card_present. Create it with payment_method_types[]=card_present.", si["id"]).WithParam("setup_intent")
	}
	switch si["status"] {
	case payments.RequiresPaymentMethod, payments.RequiresConfirmation:
		return nil
	}
	return apierr.InvalidRequest("This SetupIntent's status is %s, but it must be requires_payment_method or requires_confirmation to be processed on a reader.", si["status"]).WithParam("setup_intent").WithCode("setup_intent_unexpected_state")
}

// refundPayment starts an in-person refund of a charge (by charge or
// payment_intent). The refund is checked now, as POST /v1/refunds would
// check it, and made when the card is presented.
func refundPayment(c *api.Call) (any, error) {
	_, reader, err := loadIdle(c)
	if err != nil {
		return nil, err
	}
	raw := refundParams(c)
	var check store.Obj
	// Made and thrown away: the refund's own checks, nothing kept.
	if err := c.Sandbox(func() error {
		r, err := payments.RefundWith(c, raw)
		check = r
		return err
	}); err != nil {
		return nil, err
	}
	// The action shows what was sent (the charge or the intent, as
	// Stripe's example shows the intent alone) and the amount refunded.
	details := store.Obj{"amount": check["amount"]}
	for _, f := range []string{"charge", "payment_intent"} {
		if v, _ := c.Params.Str(f); v != "" {
			details[f] = v
		}
	}
	if md, ok := c.Params.Metadata("metadata"); ok {
		details["metadata"] = md
	}
	for _, f := range []string{"refund_application_fee", "reverse_transfer"} {
		if v, ok := c.Params.Bool(f); ok {
			details[f] = v
		}
	}
	if v, ok := c.Params.Bool("refund_payment_config.enable_customer_cancellation"); ok {
		details["refund_payment_config"] = store.Obj{"enable_customer_cancellation": v}
	}
	reader["action"] = newAction("refund_payment", details)
	return reader, c.Put(reader)
}

// refundParams are the refund_payment parameters POST /v1/refunds takes.
func refundParams(c *api.Call) map[string]any {
	raw := map[string]any{}
	for _, f := range []string{"charge", "payment_intent", "amount", "metadata", "refund_application_fee", "reverse_transfer"} {
		if v, ok := c.Params.Get(f); ok {
			raw[f] = v
		}
	}
	return raw
}

func setReaderDisplay(c *api.Call) (any, error) {
	_, reader, err := loadIdle(c)
	if err != nil {
		return nil, err
	}
	c.Params.MarkRead("type") // cart, the only value
	cart, ok := c.Params.Obj("cart")
	if !ok {
		return nil, apierr.MissingParam("cart")
	}
	cur, _ := cart.Str("currency")
	if !currency.Supported(strings.ToLower(cur)) {
		return nil, currency.Invalid(cur, "cart[currency]")
	}
	var items []any
	for i, li := range cart.Array("line_items") {
		amount, _ := li.Int("amount")
		qty, _ := li.Int("quantity")
		desc, _ := li.Str("description")
		if qty < 1 {
			param := "cart[line_items][" + strconv.Itoa(i) + "][quantity]"
			return nil, apierr.InvalidRequest("Invalid %s: must be a positive integer", param).WithParam(param)
		}
		items = append(items, store.Obj{"amount": amount, "description": desc, "quantity": qty})
	}
	total, _ := cart.Int("total")
	out := store.Obj{"currency": strings.ToLower(cur), "line_items": items, "tax": nil, "total": total}
	if tax, ok := cart.Int("tax"); ok {
		out["tax"] = tax
	}
	reader["action"] = newAction("set_reader_display", store.Obj{"type": "cart", "cart": out})
	return reader, c.Put(reader)
}

// cancelAction clears the reader's action, as Stripe answers it (action
// null): a payment it was taking waits for a payment method again.
func cancelAction(c *api.Call) (any, error) {
	before, err := c.Load("terminal.reader", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	after := api.Clone(before)
	after["action"] = nil
	c.DeleteMeta(setupRedisplay(c.Account, api.Str(before["id"])))
	return after, c.Put(after)
}

// presentPaymentMethod is the customer presenting a card to a simulated
// reader: it finishes the payment or refund the reader is taking.
func presentPaymentMethod(c *api.Call) (any, error) {
	before, err := c.Load("terminal.reader", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	typ, _ := c.Params.Str("type")
	switch typ {
	case "":
		typ = "card_present"
	case "card_present", "interac_present":
	case "card":
		// A card keyed in for a mail or telephone order (stripe-go
		// v82.5.1's card[number], exp_month, exp_year, cvc).
		return nil, apierr.InvalidRequest("stripe-emu does not emulate keyed-in cards on Terminal readers (type=card, for mail and telephone orders), so it refused the request rather than answer as if the card was entered. Present a card_present card instead.").WithParam("type")
	default:
		return nil, apierr.InvalidRequest("Invalid type: must be one of card, card_present, or interac_present").WithParam("type")
	}
	// The card's details go under the type's own key.
	for _, other := range []string{"card", "card_present", "interac_present"} {
		if other != typ && c.Params.Has(other) {
			return nil, apierr.InvalidRequest("You passed %s, but type is %s: pass %s[number] instead.", other, typ, typ).WithParam(other)
		}
	}
	action := api.Obj(before["action"])
	switch action["type"] {
	case "process_payment_intent", "collect_payment_method", "process_setup_intent", "refund_payment":
	default:
		action = nil
	}
	if action["status"] != "in_progress" {
		return nil, apierr.InvalidRequest("This reader (%s) is not waiting for a payment method: present one after process_payment_intent, collect_payment_method, process_setup_intent or refund_payment.", before["id"])
	}
	number, _ := c.Params.Str(typ + ".number")
	if number == "" {
		number = "4242424242424242"
		if typ == "interac_present" {
			number = payments.InteracCard
		}
	}
	read := reading{typ: typ, number: number, param: typ + "[number]"}
	tip, hasTip := c.Params.Int("amount_tip")
	if hasTip && tip < 0 {
		return nil, apierr.InvalidRequest("Invalid amount_tip: must be a non-negative integer").WithParam("amount_tip")
	}
	after := api.Clone(before)
	next := api.Obj(after["action"])
	var failure *apierr.Error
	if action["type"] != "process_payment_intent" && action["type"] != "collect_payment_method" && hasTip && tip > 0 {
		return nil, apierr.InvalidRequest("A tip can only be added to a payment: this reader is not taking one.").WithParam("amount_tip")
	}
	switch action["type"] {
	case "refund_payment":
		failure, err = presentForRefund(c, next)
	case "process_setup_intent":
		if typ == "interac_present" {
			return nil, apierr.InvalidRequest("An Interac card cannot be saved for later payments: present a card_present card to set up this SetupIntent.").WithParam("type")
		}
		failure, err = presentForSetup(c, next, api.Str(before["id"]), number)
	case "collect_payment_method":
		err = presentForCollection(c, next, read, tip)
	default:
		failure, err = presentForPayment(c, next, api.Str(before["id"]), read, tip)
	}
	if err != nil {
		return nil, err
	}
	event := "terminal.reader.action_succeeded"
	if failure != nil {
		next["status"], next["failure_code"], next["failure_message"] = "failed", failure.Code, failure.Message
		event = "terminal.reader.action_failed"
	} else {
		next["status"] = "succeeded"
	}
	return after, c.PutEmit(after, event, nil)
}

// reading is the card presented: its type (card_present, interac_present),
// number, and the parameter naming the number.
type reading struct{ typ, number, param string }

// presentForPayment pays the action's PaymentIntent with the card: the
// decline, when it declined, fails the action.
func presentForPayment(c *api.Call, action store.Obj, reader string, read reading, tip int64) (*apierr.Error, error) {
	details := api.Obj(action["process_payment_intent"])
	piID := api.Str(details["payment_intent"])
	pi, ok := c.Tx.Get(c.Account, "payment_intent", piID)
	if !ok {
		return nil, apierr.NoSuchObject("payment_intent", piID, "payment_intent")
	}
	if err := processable(pi); err != nil {
		return nil, err
	}
	if api.Bool(api.Obj(details["process_config"])["skip_tipping"]) && tip > 0 {
		return nil, apierr.InvalidRequest("This payment skips tipping (process_config[skip_tipping]): no tip can be added.").WithParam("amount_tip")
	}
	redisplay, _ := c.Tx.GetMeta(setupRedisplay(c.Account, reader))
	c.DeleteMeta(setupRedisplay(c.Account, reader))
	var decline *apierr.Error
	var err error
	if read.typ == "interac_present" {
		_, decline, err = payments.PresentInterac(c, pi, read.number, tip, read.param)
	} else {
		_, decline, err = payments.PresentCard(c, pi, read.number, tip, redisplay, read.param)
	}
	if err != nil {
		return nil, err
	}
	return decline, nil
}

// presentForCollection attaches the card to the action's PaymentIntent,
// which then awaits confirm_payment_intent: the action shows the
// card_present PaymentMethod. Nothing is authorized, so nothing declines.
func presentForCollection(c *api.Call, action store.Obj, read reading, tip int64) error {
	details := api.Obj(action["collect_payment_method"])
	piID := api.Str(details["payment_intent"])
	pi, ok := c.Tx.Get(c.Account, "payment_intent", piID)
	if !ok {
		return apierr.NoSuchObject("payment_intent", piID, "payment_intent")
	}
	if err := processable(pi); err != nil {
		return err
	}
	if api.Bool(api.Obj(details["collect_config"])["skip_tipping"]) && tip > 0 {
		return apierr.InvalidRequest("This payment skips tipping (collect_config[skip_tipping]): no tip can be added.").WithParam("amount_tip")
	}
	collect := payments.CollectPresentCard
	if read.typ == "interac_present" {
		collect = payments.CollectPresentInterac
	}
	_, pm, err := collect(c, pi, read.number, tip, read.param)
	if err != nil {
		return err
	}
	details["payment_method"] = api.Clone(pm)
	return nil
}

// presentForSetup saves the card for the action's SetupIntent: the
// generated card is named on the action.
func presentForSetup(c *api.Call, action store.Obj, reader, number string) (*apierr.Error, error) {
	details := api.Obj(action["process_setup_intent"])
	siID := api.Str(details["setup_intent"])
	si, ok := c.Tx.Get(c.Account, "setup_intent", siID)
	if !ok {
		return nil, apierr.NoSuchObject("setupintent", siID, "setup_intent")
	}
	if err := settable(si); err != nil {
		return nil, err
	}
	redisplay, _ := c.Tx.GetMeta(setupRedisplay(c.Account, reader))
	c.DeleteMeta(setupRedisplay(c.Account, reader))
	_, generated, decline, err := payments.PresentCardForSetup(c, si, number, redisplay, "card_present[number]")
	if err != nil {
		return nil, err
	}
	if generated != "" {
		details["generated_card"] = generated
	}
	return decline, nil
}

// presentForRefund makes the action's refund: a refund the charge no
// longer allows fails the action with Stripe's error.
func presentForRefund(c *api.Call, action store.Obj) (*apierr.Error, error) {
	details := api.Obj(action["refund_payment"])
	raw := map[string]any{"amount": api.Int(details["amount"])}
	for _, f := range []string{"charge", "payment_intent"} {
		if v := api.Str(details[f]); v != "" {
			raw[f] = v
		}
	}
	if md := api.Obj(details["metadata"]); len(md) > 0 {
		raw["metadata"] = md
	}
	for _, f := range []string{"refund_application_fee", "reverse_transfer"} {
		if v, ok := details[f]; ok {
			raw[f] = v
		}
	}
	var failed *apierr.Error
	if err := c.Sandbox(func() error {
		_, err := payments.RefundWith(c, raw)
		return err
	}); err != nil {
		if !errors.As(err, &failed) {
			return nil, err
		}
	}
	if failed != nil {
		return failed, nil
	}
	refund, err := payments.RefundWith(c, raw)
	if err != nil {
		return nil, err
	}
	details["refund"] = refund["id"]
	return nil, nil
}
