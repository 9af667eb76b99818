package issuing

import (
	"strconv"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// expiryDays is how long an approved authorization waits for its capture
// before Stripe expires it: "7 days for the majority of merchants and 31
// days for hotels, airlines, cruise lines and car rental companies"
// (Stripe's support article on Issuing reversals).
const expiryDays, longExpiryDays = 7, 31

// longExpiryCategories are the merchant categories of those hotels,
// airlines, cruise lines and car rental companies.
var longExpiryCategories = map[string]bool{
	"hotels_motels_and_resorts": true, "airlines_air_carriers": true, "cruise_lines": true, "car_rental_agencies": true,
}

// authExpiryDays is how long auth waits for its capture.
func authExpiryDays(auth store.Obj) int64 {
	if longExpiryCategories[api.Str(api.Obj(auth["merchant_data"])["category"])] {
		return longExpiryDays
	}
	return expiryDays
}

// metaExpiry schedules a pending authorization's expiry (its value: when).
func metaExpiry(account, id string) string { return "issuingexpiry:" + account + ":" + id }

// scheduleExpiry sets when a pending authorization expires, or forgets it
// once the authorization is no longer pending.
func scheduleExpiry(c *api.Call, auth store.Obj) error {
	key := metaExpiry(c.Account, api.Str(auth["id"]))
	if auth["status"] != "pending" {
		c.DeleteMeta(key)
		return nil
	}
	if _, ok := c.Tx.GetMeta(key); ok {
		return nil
	}
	return c.SetMeta(key, strconv.FormatInt(api.Int(auth["created"])+authExpiryDays(auth)*86400, 10))
}

// Timer expires authorizations left uncaptured, as Stripe does: status
// expired, what they hold released, issuing_authorization.updated. An
// expired authorization can still be captured.
var Timer = api.MetaTimer("issuing.authorization", metaExpiry, expiryWork)

func expiryWork(account, id string, at int64) api.Due {
	return api.Due{At: at, Account: account, About: store.Ref{Type: "issuing.authorization", ID: id}, Kind: "issuing_authorization_expiry",
		Run: func(c *api.Call) error {
			c.DeleteMeta(metaExpiry(account, id))
			before, ok := c.Tx.Get(account, "issuing.authorization", id)
			if !ok || before["status"] != "pending" {
				return nil
			}
			_, err := expire(c, before)
			return err
		}}
}
