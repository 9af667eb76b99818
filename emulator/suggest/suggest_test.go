package suggest

import "testing"

func TestClosest(t *testing.T) {
	options := []string{"app", "clock", "customer", "expect", "fault", "fixture", "stripe", "webhooks", "session", "json"}
	for _, c := range []struct{ got, want string }{
		{"costumer", "customer"}, {"sesion", "session"}, {"jsn", "json"}, {"stirpe", "stripe"}, {"webhook", "webhooks"},
		{"zzz", ""}, {"application", ""}, {"customer", ""},
	} {
		if got := Closest(c.got, options); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.got, got, c.want)
		}
	}
	if got := Hint("sesion", options); got != `; did you mean "session"?` {
		t.Errorf("Hint %q", got)
	}
	if got := Hint("xyz", options); got != "" {
		t.Errorf("Hint %q", got)
	}
	if got := Closest("checkout.session.complete", []string{"checkout.session.completed", "checkout.session.expired"}); got != "checkout.session.completed" {
		t.Errorf("event type: %q", got)
	}
}
