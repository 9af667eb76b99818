// Package apierr is Stripe's error object: the JSON body {"error": {...}}
// and the HTTP status that goes with it.
package apierr

import (
	"fmt"
	"strings"
)

// Error types Stripe uses.
const (
	TypeInvalidRequest = "invalid_request_error"
	TypeCard           = "card_error"
	TypeIdempotency    = "idempotency_error"
	TypeAPI            = "api_error"
)

// Error is a Stripe API error. Fields marshal exactly as Stripe names them;
// empty ones are left out, as Stripe does.
type Error struct {
	Status int `json:"-"`

	Type              string         `json:"type"`
	Code              string         `json:"code,omitempty"`
	DeclineCode       string         `json:"decline_code,omitempty"`
	AdviceCode        string         `json:"advice_code,omitempty"`
	Message           string         `json:"message,omitempty"`
	Param             string         `json:"param,omitempty"`
	DocURL            string         `json:"doc_url,omitempty"`
	RequestLogURL     string         `json:"request_log_url,omitempty"`
	Charge            string         `json:"charge,omitempty"`
	PaymentIntent     map[string]any `json:"payment_intent,omitempty"`
	PaymentMethod     map[string]any `json:"payment_method,omitempty"`
	PaymentMethodType string         `json:"payment_method_type,omitempty"`
	SetupIntent       map[string]any `json:"setup_intent,omitempty"`

	// Unlogged: the request reached no account (its key is missing or
	// unknown), so the body links to no request log, as Stripe's 401s
	// for such keys do not.
	Unlogged bool `json:"-"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Type, e.Message)
}

// WithCode sets the code and the doc_url Stripe derives from it.
func (e *Error) WithCode(code string) *Error {
	e.Code = code
	if code != "" {
		e.DocURL = "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(code, "_", "-")
	}
	return e
}

// WithParam names the offending parameter.
func (e *Error) WithParam(p string) *Error { e.Param = p; return e }

// InvalidRequest is a 400 invalid_request_error.
func InvalidRequest(format string, args ...any) *Error {
	return &Error{Status: 400, Type: TypeInvalidRequest, Message: fmt.Sprintf(format, args...)}
}

// NoSuchObject is Stripe's answer for an id that does not exist in the
// account: 404 with param "id" when the id was in the path, 400 naming the
// parameter when it came in the body.
func NoSuchObject(kind, id, param string) *Error {
	status := 400
	if param == "" || param == "id" {
		status, param = 404, "id"
	}
	e := &Error{Status: status, Type: TypeInvalidRequest, Message: fmt.Sprintf("No such %s: '%s'", kind, id), Param: param}
	return e.WithCode("resource_missing")
}

// UnknownParam is the 400 for parameters the endpoint does not take, named
// in the order given: several are "Received unknown parameters: currency,
// unit_amount", param the first (observed).
func UnknownParam(names ...string) *Error {
	if len(names) > 1 {
		return InvalidRequest("Received unknown parameters: %s", strings.Join(names, ", ")).WithCode("parameter_unknown").WithParam(names[0])
	}
	return InvalidRequest("Received unknown parameter: %s", names[0]).WithCode("parameter_unknown").WithParam(names[0])
}

// MissingParam is the 400 for a required parameter left out.
func MissingParam(name string) *Error {
	return InvalidRequest("Missing required param: %s.", name).WithCode("parameter_missing").WithParam(name)
}

// InvalidInteger is the 400 for a value that should be an integer.
func InvalidInteger(param, value string) *Error {
	return InvalidRequest("Invalid integer: %s", value).WithCode("parameter_invalid_integer").WithParam(param)
}

// InvalidEmpty is the 400 for an empty value where one is required.
func InvalidEmpty(param string) *Error {
	return InvalidRequest("You passed an empty string for '%s'. We assume empty values are an attempt to unset a parameter; however '%s' cannot be unset. You should remove '%s' from your request or supply a non-empty value.", param, param, param).WithCode("parameter_invalid_empty").WithParam(param)
}

// URLWithoutScheme is Stripe's URL check's answer to a URL with no scheme
// ("shop.example/ok", "localhost:3000/hook").
func URLWithoutScheme(param string) *Error {
	return InvalidRequest("Invalid URL: An explicit scheme (such as https) must be provided.").WithParam(param).WithCode("url_invalid")
}

// Exclusive is the 400 for parameters that cannot be given together.
func Exclusive(params ...string) *Error {
	return InvalidRequest("You may only specify one of these parameters: %s.", strings.Join(params, ", ")).WithCode("parameters_exclusive").WithParam(params[0])
}

// TooLong is Stripe's 400 for a string over its length limit (in
// characters), quoting its first and last four: "Invalid string:
// Kine...lue); must be at most 40 characters" (observed).
func TooLong(param, value string, limit int) *Error {
	r := []rune(value)
	quoted := value
	if len(r) > 8 {
		quoted = string(r[:4]) + "..." + string(r[len(r)-4:])
	}
	return InvalidRequest("Invalid string: %s; must be at most %d characters", quoted, limit).WithParam(param)
}

// TooMany is Stripe's 400 for an array over its length limit (observed).
func TooMany(param string, limit int) *Error {
	return InvalidRequest("Array %s exceeded maximum %d allowed elements.", param, limit).WithParam(param)
}

// Internal is a 500 api_error for a failure of the emulator itself.
func Internal(format string, args ...any) *Error {
	return &Error{Status: 500, Type: TypeAPI, Message: fmt.Sprintf(format, args...)}
}
