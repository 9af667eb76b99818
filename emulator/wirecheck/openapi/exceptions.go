package openapi

import (
	"fmt"
	"slices"
)

// An exception is one field where the embedded spec (2025-05-28.basil)
// and the emulator's pinned version (2025-08-27.basil, stripe-go
// v82.5.1) really differ. Each names a schema of components.schemas and
// one of its properties, and relaxes one thing.
type exception struct {
	schema, property string
	kind             exceptionKind
	values           []string // for moreEnum: the values 2025-08-27 added
	reason           string
}

type exceptionKind int

const (
	// notRequired: the spec requires the field; 2025-08-27 removed it.
	notRequired exceptionKind = iota + 1
	// nullable: 2025-08-27 sends null where the spec did not allow it.
	nullable
	// moreEnum: 2025-08-27 added enum values.
	moreEnum
)

// exceptions is the one table of differences between the two versions.
var exceptions = []exception{
	{schema: "funding_instructions_bank_transfer", property: "type", kind: moreEnum,
		values: []string{"gb_bank_transfer", "mx_bank_transfer", "us_bank_transfer"},
		reason: "not a version difference: the spec (and stripe-go's constants) list only eu_bank_transfer and jp_bank_transfer, " +
			"while POST /v1/customers/{customer}/funding_instructions takes all five bank_transfer[type] values and answers the instructions of the type asked for"},
	{schema: "terminal_reader_reader_resource_reader_action", property: "type", kind: moreEnum,
		values: []string{"collect_payment_method", "confirm_payment_intent"},
		reason: "2025-06-30.basil added the reader actions collect_payment_method and confirm_payment_intent (its changelog, stripe-go v82.3.0's TerminalReaderActionType)"},
}

// iDEAL's bank buut (BIC BUUTNL2A), which 2025-08-27 added: stripe-go
// v82.5.1 lists it on the PaymentMethod, the charge and the setup
// attempt, and the request parameters take it.
func init() {
	const why = "2025-08-27 added iDEAL's bank buut (BIC BUUTNL2A), in stripe-go v82.5.1's PaymentMethodIDEAL documentation and enums"
	for _, schema := range []string{"payment_method_ideal", "payment_method_details_ideal", "setup_attempt_payment_method_details_ideal"} {
		exceptions = append(exceptions,
			exception{schema: schema, property: "bank", kind: moreEnum, values: []string{"buut"}, reason: why},
			exception{schema: schema, property: "bic", kind: moreEnum, values: []string{"BUUTNL2A"}, reason: why})
	}
}

// applyExceptions records each exception on its schema, refusing any that
// no longer describe the spec (a field it does not have, a relaxation it
// does not need), so the table cannot go stale unnoticed.
func (sp *spec) applyExceptions() error {
	for _, e := range exceptions {
		s := sp.schemas[e.schema]
		if s == nil {
			return fmt.Errorf("openapi exception: no schema %q", e.schema)
		}
		p := s.Properties[e.property]
		if p == nil {
			return fmt.Errorf("openapi exception: schema %q has no property %q", e.schema, e.property)
		}
		if e.reason == "" {
			return fmt.Errorf("openapi exception %s.%s: no reason given", e.schema, e.property)
		}
		switch e.kind {
		case notRequired:
			if !slices.Contains(s.Required, e.property) {
				return fmt.Errorf("openapi exception %s.%s: not required in the spec", e.schema, e.property)
			}
			if s.notRequired == nil {
				s.notRequired = map[string]bool{}
			}
			s.notRequired[e.property] = true
		case nullable:
			if p.Nullable {
				return fmt.Errorf("openapi exception %s.%s: already nullable in the spec", e.schema, e.property)
			}
			if s.nullable == nil {
				s.nullable = map[string]bool{}
			}
			s.nullable[e.property] = true
		case moreEnum:
			if len(p.Enum) == 0 || len(e.values) == 0 {
				return fmt.Errorf("openapi exception %s.%s: no enum to extend", e.schema, e.property)
			}
			for _, v := range e.values {
				if slices.Contains(p.Enum, any(v)) {
					return fmt.Errorf("openapi exception %s.%s: %q is already in the spec's enum", e.schema, e.property, v)
				}
			}
			if s.moreEnum == nil {
				s.moreEnum = map[string][]string{}
			}
			s.moreEnum[e.property] = append(s.moreEnum[e.property], e.values...)
		default:
			return fmt.Errorf("openapi exception %s.%s: unknown kind", e.schema, e.property)
		}
	}
	return nil
}
