package sdk_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
)

// The emulator's Stripe.js stand-in, in a real browser: a small shop page
// (stripejs/page.html) loads it from the emulator, as an app under test
// would once its script URL is swapped, and stripejs/check.js drives the
// page in Debian's Chromium with playwright-core.
var _ = Describe("Stripe.js in a browser", Label("sdk", "browser"), func() {
	It("pays, declines and authenticates test cards typed into its Elements (stripejs/check.js)", func(ctx SpecContext) {
		chromium := os.Getenv("CHROMIUM")
		if chromium == "" {
			found, err := exec.LookPath("chromium")
			if err != nil {
				Skip("chromium is not installed (make sdk-deps installs Debian's chromium when it can): the browser check is skipped")
			}
			chromium = found
		}
		node, dir := nodePackage(ctx, "stripejs", "playwright-core")
		page, err := os.ReadFile(filepath.Join(dir, "page.html"))
		Expect(err).NotTo(HaveOccurred())

		emu := emulator.Start(GinkgoT(), emulator.WithAPIKey("sk_test_shop"))
		sc := emu.Client()
		app := httptest.NewServer(shop(sc, string(page), emu.URL()))
		DeferCleanup(app.Close)

		run := exec.CommandContext(ctx, node, "check.js")
		run.Dir = dir
		run.Env = append(os.Environ(), "APP_URL="+app.URL, "EMU_URL="+emu.URL(), "SECRET_KEY=sk_test_shop", "CHROMIUM="+chromium)
		out, err := run.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "%s", out)
		GinkgoWriter.Printf("%s", out)
		Expect(string(out)).To(ContainSubstring("all checks passed (35)"))

		// What the page did reached the emulator with the publishable key.
		browserCalls := 0
		for _, r := range emu.Requests() {
			if r.Path == "/v1/payment_methods" || strings.HasSuffix(r.Path, "/confirm") {
				browserCalls++
			}
		}
		Expect(browserCalls).To(BeNumerically(">=", 8))
	}, SpecTimeout(3*time.Minute))
})

// shop is the app's server: the page, and the intents and Checkout
// session it pays, made with the secret key. The page loads Stripe.js from
// the emulator, or (?real=1) from js.stripe.com's own URL, for a test that
// routes it to the emulator.
func shop(sc *stripe.Client, page, emuURL string) http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		script := emuURL + "/js.stripe.com"
		if r.URL.Query().Get("real") == "1" {
			script = "https://js.stripe.com"
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(strings.ReplaceAll(page, "{{STRIPE_JS}}", script)))
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("thanks")) })
	mux.HandleFunc("POST /intent", func(w http.ResponseWriter, r *http.Request) {
		amount := int64(2000)
		if r.URL.Query().Get("amount") == "1500" {
			amount = 1500
		}
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(amount), Currency: stripe.String("usd"), PaymentMethodTypes: []*string{stripe.String("card")},
		}
		if r.URL.Query().Get("sepa") == "1" {
			p.Currency, p.PaymentMethodTypes = stripe.String("eur"), []*string{stripe.String("card"), stripe.String("sepa_debit")}
		}
		if r.URL.Query().Get("blik") == "1" {
			p.Currency, p.PaymentMethodTypes = stripe.String("pln"), []*string{stripe.String("blik")}
		}
		if r.URL.Query().Get("oxxo") == "1" {
			p.Currency, p.PaymentMethodTypes = stripe.String("mxn"), []*string{stripe.String("oxxo")}
		}
		if r.URL.Query().Get("ideal") == "1" {
			p.Currency, p.PaymentMethodTypes = stripe.String("eur"), []*string{stripe.String("ideal")}
		}
		if how := r.URL.Query().Get("confirm"); how != "" {
			// Confirmed here, with a card that needs 3-D Secure, for the
			// page to handle the action (handleCardAction, handleNextAction).
			p.ConfirmationMethod = stripe.String(how)
			p.PaymentMethod = stripe.String("pm_card_authenticationRequired")
			p.Confirm = stripe.Bool(true)
		}
		pi, err := sc.V1PaymentIntents.Create(r.Context(), p)
		if err != nil {
			reply(w, nil, err)
			return
		}
		reply(w, map[string]string{"clientSecret": pi.ClientSecret}, nil)
	})
	mux.HandleFunc("POST /pay-token", func(w http.ResponseWriter, r *http.Request) {
		// The server confirms with the page's ConfirmationToken.
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(1500), Currency: stripe.String("usd"), Confirm: stripe.Bool(true),
			ConfirmationToken: stripe.String(r.URL.Query().Get("token")),
		}
		if r.URL.Query().Get("sepa") == "1" {
			p.Currency, p.PaymentMethodTypes = stripe.String("eur"), []*string{stripe.String("card"), stripe.String("sepa_debit")}
		}
		pi, err := sc.V1PaymentIntents.Create(r.Context(), p)
		if err != nil {
			reply(w, map[string]string{"error": err.Error()}, nil)
			return
		}
		reply(w, map[string]string{"id": pi.ID, "status": string(pi.Status), "clientSecret": pi.ClientSecret}, nil)
	})
	mux.HandleFunc("POST /setup", func(w http.ResponseWriter, r *http.Request) {
		si, err := sc.V1SetupIntents.Create(r.Context(), &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("card")}})
		if err != nil {
			reply(w, nil, err)
			return
		}
		reply(w, map[string]string{"clientSecret": si.ClientSecret}, nil)
	})
	mux.HandleFunc("POST /identity", func(w http.ResponseWriter, r *http.Request) {
		vs, err := sc.V1IdentityVerificationSessions.Create(r.Context(), &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
		if err != nil {
			reply(w, nil, err)
			return
		}
		reply(w, map[string]string{"clientSecret": vs.ClientSecret, "id": vs.ID}, nil)
	})
	mux.HandleFunc("POST /checkout", func(w http.ResponseWriter, r *http.Request) {
		p := &stripe.CheckoutSessionCreateParams{
			Mode: stripe.String("payment"), SuccessURL: stripe.String("http://" + r.Host + "/done"),
			LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{
				Quantity: stripe.Int64(1),
				PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
					Currency: stripe.String("usd"), UnitAmount: stripe.Int64(2000),
					ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("T-shirt")},
				},
			}},
		}
		switch r.URL.Query().Get("ui") {
		case "embedded":
			p.UIMode, p.SuccessURL = stripe.String("embedded"), nil
			p.ReturnURL = stripe.String("http://" + r.Host + "/done?session_id={CHECKOUT_SESSION_ID}")
		case "embedded-never":
			p.UIMode, p.SuccessURL, p.RedirectOnCompletion = stripe.String("embedded"), nil, stripe.String("never")
		}
		s, err := sc.V1CheckoutSessions.Create(r.Context(), p)
		if err != nil {
			reply(w, nil, err)
			return
		}
		reply(w, map[string]string{"id": s.ID, "clientSecret": s.ClientSecret}, nil)
	})
	return mux
}
