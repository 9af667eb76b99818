package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe-emu/stripe-emu/emulator"
	"github.com/stripe-emu/stripe-emu/emulator/clock"
)

// Every emulator in a process matches requests against the same compiled
// routes and pages; each must still answer from its own state, also when
// they serve at the same time.
func TestEmulatorsSharingRoutesKeepTheirOwnState(t *testing.T) {
	const n = 4
	emus := make([]*emulator.Emulator, n)
	for i := range emus {
		emus[i] = emulator.Start(t, emulator.WithClock(clock.NewFrozen(time.Unix(int64(1_700_000_000+i*1000), 0))))
	}
	var wg sync.WaitGroup
	for i, emu := range emus {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				status, cus, err := emu.Call("POST", "/v1/customers", url.Values{"email": {"same@example.com"}}, "")
				if err != nil || status != 200 {
					t.Errorf("emulator %d: create customer: %d %v", i, status, err)
					return
				}
				// A route with a path variable, matched by pattern.
				status, got, _ := emu.Call("GET", "/v1/customers/"+cus["id"].(string), nil, "")
				if status != 200 || got["id"] != cus["id"] {
					t.Errorf("emulator %d: retrieve %s: %d %v", i, cus["id"], status, got)
				}
			}
		}()
	}
	wg.Wait()
	for i, emu := range emus {
		if got := emu.Count("", "customer"); got != 10 {
			t.Errorf("emulator %d has %d customers, want its own 10", i, got)
		}
		// A page (the control surface) answers from its own emulator.
		resp, err := http.Get(emu.URL() + "/_emu/clock")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var clk struct{ Now int64 }
		if err := json.Unmarshal(body, &clk); err != nil || clk.Now != int64(1_700_000_000+i*1000) {
			t.Errorf("emulator %d: /_emu/clock answered %s", i, body)
		}
	}
	// A page path asked with a method it does not take, and a path nothing
	// serves, are unrecognized URLs, as before routes were shared.
	for _, tc := range []struct{ method, path string }{{"DELETE", "/_emu/clock"}, {"GET", "/_emu/nothing"}, {"GET", "/v1/./customers"}} {
		req, _ := http.NewRequest(tc.method, emus[0].URL()+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+emulator.DefaultAPIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || !strings.Contains(string(body), "Unrecognized request URL") {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, resp.StatusCode, body)
		}
	}
}
