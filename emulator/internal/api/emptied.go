package api

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/params"
)

// RefuseEmptied answers Stripe's parameter_invalid_empty for the first
// parameter of tree (parameters as sent, params.Unset marking "") sent as
// "" whose dotted path ("a.b", a list's elements "a[]") allowed does not
// list, as Stripe refuses to unset what its spec says cannot be ("…
// cannot be unset"). Metadata is never refused: "" empties it, or a key.
func RefuseEmptied(tree map[string]any, allowed map[string]bool) error {
	var walk func(path, name string, v any) error
	walk = func(path, name string, v any) error {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				if k == "metadata" || strings.HasSuffix(path, "metadata") {
					continue
				}
				sub, subName := k, k
				if path != "" {
					sub, subName = path+"."+k, name+"["+k+"]"
				}
				if err := walk(sub, subName, v[k]); err != nil {
					return err
				}
			}
		case []any:
			for i, e := range v {
				if err := walk(path+"[]", name+"["+strconv.Itoa(i)+"]", e); err != nil {
					return err
				}
			}
		default:
			if v == params.Unset && !allowed[path] {
				return apierr.InvalidEmpty(name)
			}
		}
		return nil
	}
	return walk("", "", tree)
}
