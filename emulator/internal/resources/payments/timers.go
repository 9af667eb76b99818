package payments

import (
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// metaTimer is time-driven work about objects of one type, scheduled in
// the store's metadata: key(account, id) holds the Unix time it falls due
// (key(account, "") is the account's prefix). Writing such an object asks
// its key again, so work scheduled during a clock jump runs in it.
func metaTimer(typ string, key func(account, id string) string, work func(account, id string, at int64) api.Due) api.Timer {
	return api.Timer{
		Due: func(_ *api.Env, tx *store.Tx, account string, target int64) []api.Due {
			var out []api.Due
			prefix := key(account, "")
			tx.ScanMeta(prefix, func(name, value string) bool {
				if at, _ := strconv.ParseInt(value, 10, 64); at <= target {
					out = append(out, work(account, strings.TrimPrefix(name, prefix), at))
				}
				return true
			})
			return out
		},
		Watch: []string{typ},
		DueOf: func(_ *api.Env, tx *store.Tx, account string, ref store.Ref, target int64) []api.Due {
			value, ok := tx.GetMeta(key(account, ref.ID))
			at, _ := strconv.ParseInt(value, 10, 64)
			if !ok || at > target {
				return nil
			}
			return []api.Due{work(account, ref.ID, at)}
		},
	}
}
