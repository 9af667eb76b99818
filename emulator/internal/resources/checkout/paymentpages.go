package checkout

import (
	"slices"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
)

// Stripe's Checkout page talks to Stripe through the private
// /v1/payment_pages API. It is not in Stripe's reference, but it answers a
// secret key too, and two kinds of client lean on that:
//   - Stripe CLI's checkout.session.* triggers (`stripe trigger
//     checkout.session.completed`) read the page, then confirm it with a
//     PaymentMethod made through the API;
//   - test suites that pay a session without a browser do the same.
//
// The emulator serves that server-side use. The page reads as its session
// does, and confirming the page completes the session as the complete test
// helper does. The browser's own calls (init, the publishable key and
// checksums) are not served.
func paymentPageRoutes() []api.Route {
	expand := params.ArrayOf(params.String())
	return []api.Route{
		api.GET("/v1/payment_pages/{id}", params.Object(map[string]*params.Schema{"expand": expand}), retrieve),
		api.POST("/v1/payment_pages/{id}/confirm", params.Object(map[string]*params.Schema{
			"payment_method": params.String(), "expected_amount": params.Integer(),
			"expected_payment_method_type": params.String(), "email": params.String(), "expand": expand,
		}), confirmPage),
	}
}

// confirmPage pays a session's page with a PaymentMethod, as its customer
// pressing Pay. The amounts and type the page expects guard against paying
// a session that changed since it was shown; the wording of those refusals
// is the emulator's own.
func confirmPage(c *api.Call) (any, error) {
	s, err := load(c)
	if err != nil {
		return nil, err
	}
	if pm, _ := c.Params.Str("payment_method"); pm == "" {
		return nil, apierr.MissingParam("payment_method")
	}
	if want, ok := c.Params.Int("expected_amount"); ok && want != api.Int(s["amount_total"]) {
		return nil, apierr.InvalidRequest("The expected_amount (%d) does not match the amount this Checkout Session would charge (%d).", want, api.Int(s["amount_total"])).WithParam("expected_amount")
	}
	if typ, _ := c.Params.Str("expected_payment_method_type"); typ != "" {
		if types, _ := s["payment_method_types"].([]any); len(types) > 0 && !slices.Contains(types, any(typ)) {
			return nil, apierr.InvalidRequest("This Checkout Session does not accept the payment method type %s.", typ).WithParam("expected_payment_method_type")
		}
	}
	return completeSession(c)
}
