package emulator

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// CustomerDiscount is a coupon or a promotion code (exactly one) to apply
// to a customer.
type CustomerDiscount struct {
	Coupon        string `json:"coupon,omitempty"`
	PromotionCode string `json:"promotion_code,omitempty"`
}

// ApplyCustomerDiscount gives a customer of account ("" = the platform)
// its own discount, as the Dashboard's "Apply coupon" does: since API
// version 2025-03-31.basil no API request can (POST /v1/customers takes
// no coupon or promotion_code any more), yet customer.discount, DELETE
// /v1/customers/{id}/discount and the inheritance of the customer's
// discount by its invoices and subscriptions remain. The coupon's and
// the promotion code's redemption rules apply; a discount the customer
// has is replaced. It records customer.discount.created (or .updated)
// and customer.updated, and returns the customer.
func (e *Emulator) ApplyCustomerDiscount(account, customer string, d CustomerDiscount) (Object, error) {
	acct := e.accountOrPlatform(account)
	var out store.Obj
	err := e.env.Background(acct, func(c *api.Call) error {
		if acct != e.env.Platform && !c.Tx.Exists(e.env.Platform, "account", acct) {
			return apierr.NoSuchObject("account", acct, "account")
		}
		var err error
		out, err = customers.ApplyDiscount(c, customer, d.Coupon, d.PromotionCode)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("stripe-emu: applying a discount to %s: %w", customer, err)
	}
	return out, nil
}

// ctlCustomerDiscount is POST /_emu/customers/{id}/discount
// {"coupon": "…"} or {"promotion_code": "promo_…"}; ?account=acct_…
// picks a connected account. It answers the customer, or Stripe's error
// body with its status.
func (e *Emulator) ctlCustomerDiscount(w http.ResponseWriter, req *http.Request) {
	var d CustomerDiscount
	if !decodeCtl(w, req, &d) {
		return
	}
	cus, err := e.ApplyCustomerDiscount(req.URL.Query().Get("account"), mux.Vars(req)["id"], d)
	if err != nil {
		var ae *apierr.Error
		if errors.As(err, &ae) {
			writeCtl(w, ae.Status, map[string]any{"error": ae})
			return
		}
		ctlError(w, 500, "%v", err)
		return
	}
	writeCtl(w, 200, cus)
}
