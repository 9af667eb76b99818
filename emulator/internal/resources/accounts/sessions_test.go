package accounts

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"
)

// The embedded components and their features are exactly those of
// stripe-go's parameters, so every feature sent is read and none is made up.
func TestComponentsAreStripeGos(t *testing.T) {
	ct := reflect.TypeOf(stripe.AccountSessionCreateComponentsParams{})
	seen := map[string]bool{}
	for i := range ct.NumField() {
		f := ct.Field(i)
		name := f.Tag.Get("form")
		seen[name] = true
		feat, _ := f.Type.Elem().FieldByName("Features")
		var want []string
		for j := range feat.Type.Elem().NumField() {
			want = append(want, strings.Split(feat.Type.Elem().Field(j).Tag.Get("form"), ",")[0])
		}
		var got []string
		for k := range components[name] {
			got = append(got, k)
		}
		sort.Strings(want)
		sort.Strings(got)
		if !reflect.DeepEqual(want, got) && !(len(want) == 0 && len(got) == 0) {
			t.Errorf("%s: stripe-go %v, emulator %v", name, want, got)
		}
	}
	for name := range components {
		if !seen[name] {
			t.Errorf("%s not in stripe-go", name)
		}
	}
}
