package emulator_test

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/wirecheck/openapi"
)

// notEmulatedDoc lists, with reasons, every route of Stripe's API that the
// emulator does not serve. The test keeps it true both ways: a route of
// the spec that answers "Unrecognized request URL" must be listed, and a
// listed route must really be unrouted.
const notEmulatedDoc = "../docs/not-emulated.md"

var listedRoute = regexp.MustCompile("^- `(GET|POST|DELETE) (/v1/\\S+)`")

func TestEveryRouteOfTheSpecIsServedOrListed(t *testing.T) {
	ops, err := openapi.Operations()
	if err != nil {
		t.Fatal(err)
	}
	listed := readListedRoutes(t)
	emu := emulator.Start(t)
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, op := range ops {
		path := param.ReplaceAllString(op.Path, "x_123")
		_, body, err := emu.Call(op.Method, path, nil, "")
		unrouted := err == nil && strings.HasPrefix(errMessage(body), "Unrecognized request URL")
		switch {
		case unrouted && !listed[op.String()]:
			t.Errorf("%s is not served: serve it, or list it in docs/not-emulated.md with the reason", op)
		case !unrouted && listed[op.String()]:
			t.Errorf("%s is served now: take it out of docs/not-emulated.md", op)
		}
		delete(listed, op.String())
	}
	for op := range listed {
		t.Errorf("docs/not-emulated.md lists %s, which Stripe's spec does not have", op)
	}
}

func readListedRoutes(t *testing.T) map[string]bool {
	f, err := os.Open(notEmulatedDoc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := listedRoute.FindStringSubmatch(sc.Text()); m != nil {
			listed[m[1]+" "+m[2]] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return listed
}

func errMessage(body emulator.Object) string {
	e, _ := body["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}
