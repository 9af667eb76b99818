package terminal

import (
	"strconv"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/files"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// Input collection (collect_inputs): the reader shows up to five forms
// in turn and the action holds what the customer entered. On a
// simulated reader the customer is the succeed_input_collection test
// helper (or timeout_input_collection, the customer walking away).

// Stripe's limits on a collect_inputs form (its "Collect on-screen
// inputs" guide): five inputs at a time, four choices to a selection,
// four toggles to an input.
const (
	maxInputs    = 5
	maxChoices   = 4
	maxToggles   = 4
	inputTimeout = "collect_inputs_timeout"
)

func collectInputs(c *api.Call) (any, error) {
	_, reader, err := loadIdle(c)
	if err != nil {
		return nil, err
	}
	sent := c.Params.Array("inputs")
	if len(sent) == 0 {
		return nil, apierr.MissingParam("inputs")
	}
	if len(sent) > maxInputs {
		return nil, apierr.InvalidRequest("Invalid inputs: must have at most %d elements", maxInputs).WithParam("inputs")
	}
	inputs := make([]any, len(sent))
	for i, in := range sent {
		o, err := inputObject(in, "inputs["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		inputs[i] = o
	}
	md, _ := c.Params.Metadata("metadata")
	if md == nil {
		md = map[string]any{}
	}
	reader["action"] = newAction("collect_inputs", store.Obj{"inputs": inputs, "metadata": md})
	return reader, c.Put(reader)
}

// inputObject is one input of the action as the reader shows it, nothing
// collected yet: its type's value (a selection's choice) null.
func inputObject(in params.Values, param string) (store.Obj, error) {
	typ, _ := in.Str("type")
	ct := store.Obj{}
	for _, f := range []string{"title", "description", "submit_button", "skip_button"} {
		v, _ := in.Str("custom_text." + f)
		ct[f] = api.NilIfEmpty(v)
	}
	required, _ := in.Bool("required")
	o := store.Obj{"type": typ, "custom_text": ct, "required": required, "skipped": false, "toggles": nil}
	if typ == "selection" {
		choices := in.Array("selection.choices")
		if len(choices) == 0 {
			return nil, apierr.MissingParam(param + "[selection]")
		}
		if len(choices) > maxChoices {
			p := param + "[selection][choices]"
			return nil, apierr.InvalidRequest("Invalid %s: must have at most %d elements", p, maxChoices).WithParam(p)
		}
		list := make([]any, len(choices))
		for i, ch := range choices {
			id, _ := ch.Str("id")
			text, _ := ch.Str("text")
			style, _ := ch.Str("style")
			list[i] = store.Obj{"id": id, "style": api.NilIfEmpty(style), "text": text}
		}
		o["selection"] = store.Obj{"choices": list, "id": nil, "text": nil}
	} else {
		in.MarkRead("selection")
		o[typ] = store.Obj{"value": nil}
	}
	if toggles := in.Array("toggles"); len(toggles) > 0 {
		if len(toggles) > maxToggles {
			p := param + "[toggles]"
			return nil, apierr.InvalidRequest("Invalid %s: must have at most %d elements", p, maxToggles).WithParam(p)
		}
		list := make([]any, len(toggles))
		for i, t := range toggles {
			tg := store.Obj{"value": nil}
			for _, f := range []string{"default_value", "description", "title"} {
				v, _ := t.Str(f)
				tg[f] = api.NilIfEmpty(v)
			}
			list[i] = tg
		}
		o["toggles"] = list
	}
	return o, nil
}

// collecting loads the reader in the path, refusing one not collecting
// inputs.
func collecting(c *api.Call) (store.Obj, error) {
	before, err := c.Load("terminal.reader", c.Var("id"), "id")
	if err != nil {
		return nil, err
	}
	if a := api.Obj(before["action"]); a["type"] != "collect_inputs" || a["status"] != "in_progress" {
		return nil, apierr.InvalidRequest("This reader (%s) is not collecting inputs: start a collection with collect_inputs first.", before["id"])
	}
	return api.Clone(before), nil
}

// Simulated answers: what the simulated customer enters (Stripe does not
// document its simulated reader's values but for the signature's file).
var simulatedValues = map[string]string{
	"email": "customer@example.com", "phone": "+15555550123", "numeric": "42", "text": "Simulated customer input",
}

// simulatedSignature is the signature a simulated customer draws.
const simulatedSignature = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><path d="M10 40 C 40 10, 60 60, 90 30 S 150 20, 190 40" stroke="black" fill="none"/></svg>`

// succeedInputCollection completes the form as a customer would: every
// input answered (the first choice of a selection; a toggle at its
// default, disabled when none), or, with skip_non_required_inputs=all,
// the inputs not required skipped.
func succeedInputCollection(c *api.Call) (any, error) {
	after, err := collecting(c)
	if err != nil {
		return nil, err
	}
	skip, _ := c.Params.Str("skip_non_required_inputs")
	action := api.Obj(after["action"])
	details := api.Obj(action["collect_inputs"])
	for _, x := range details["inputs"].([]any) {
		in := api.Obj(x)
		typ := api.Str(in["type"])
		if skip == "all" && !api.Bool(in["required"]) {
			in["skipped"] = true
			continue
		}
		switch typ {
		case "selection":
			sel := api.Obj(in["selection"])
			first := api.Obj(sel["choices"].([]any)[0])
			sel["id"], sel["text"] = first["id"], first["text"]
		case "signature":
			f, err := files.Generated(c, "customer_signature", "svg", "signature.svg", "", []byte(simulatedSignature), 0)
			if err != nil {
				return nil, err
			}
			api.Obj(in["signature"])["value"] = f["id"]
		default:
			api.Obj(in[typ])["value"] = simulatedValues[typ]
		}
		if toggles, ok := in["toggles"].([]any); ok {
			for _, t := range toggles {
				tg := api.Obj(t)
				tg["value"] = "disabled"
				if tg["default_value"] != nil {
					tg["value"] = tg["default_value"]
				}
			}
		}
	}
	action["status"] = "succeeded"
	return after, c.PutEmit(after, "terminal.reader.action_succeeded", nil)
}

// timeoutInputCollection ends the form unanswered, as a reader whose
// customer walked away: the action fails with Stripe's timeout.
func timeoutInputCollection(c *api.Call) (any, error) {
	after, err := collecting(c)
	if err != nil {
		return nil, err
	}
	action := api.Obj(after["action"])
	action["status"], action["failure_code"], action["failure_message"] = "failed", inputTimeout, "collect inputs was timed out"
	return after, c.PutEmit(after, "terminal.reader.action_failed", nil)
}
