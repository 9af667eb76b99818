package core_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Connect OAuth", Label("connect"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	// authorizeURL is the URL stripe-go builds, on the emulator's host.
	authorizeURL := func(p *stripe.AuthorizeURLParams) string {
		u, err := url.Parse(sc.OAuth.AuthorizeURL(p))
		Expect(err).NotTo(HaveOccurred())
		return emu.URL() + u.Path + "?" + u.RawQuery
	}
	params := func() *stripe.AuthorizeURLParams {
		return &stripe.AuthorizeURLParams{
			ClientID: stripe.String(emu.ConnectApplication()), ResponseType: stripe.String("code"),
			Scope: stripe.String("read_write"), State: stripe.String("csrf123"),
			RedirectURI: stripe.String("https://platform.example/callback"),
			StripeUser:  &stripe.OAuthStripeUserParams{Email: stripe.String("owner@example.com"), Country: stripe.String("US")},
		}
	}
	// connect walks the authorize page and returns the redirect's query.
	connect := func() url.Values {
		GinkgoHelper()
		u := authorizeURL(params())
		page := Visit("GET", u, nil)
		Expect(page.Status).To(Equal(200))
		Expect(page.Body).To(ContainSubstring(`<label for="email">`))
		Expect(page.Body).To(ContainSubstring(`value="owner@example.com"`))
		done := Visit("POST", u, url.Values{"decision": {"connect"}, "email": {"owner@example.com"}, "country": {"US"}})
		Expect(done.Status).To(Equal(http.StatusFound))
		back, err := url.Parse(done.Location)
		Expect(err).NotTo(HaveOccurred())
		Expect(back.Host).To(Equal("platform.example"))
		return back.Query()
	}
	exchange := func(code string) (*stripe.OAuthToken, error) {
		return sc.OAuth.Create(Ctx, &stripe.OAuthTokenParams{GrantType: stripe.String("authorization_code"), Code: stripe.String(code)})
	}
	oauthErr := func(err error, status int, code string) *stripe.Error {
		GinkgoHelper()
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(status))
		Expect(se.OAuthError).To(Equal(code))
		Expect(se.OAuthErrorDescription).NotTo(BeEmpty())
		return se
	}

	It("connects a new Standard test account and exchanges the code for its keys", func() {
		q := connect()
		Expect(q.Get("code")).To(HavePrefix("ac_"))
		Expect(q.Get("scope")).To(Equal("read_write"))
		Expect(q.Get("state")).To(Equal("csrf123"))

		tok, err := exchange(q.Get("code"))
		Expect(err).NotTo(HaveOccurred())
		Expect(tok.TokenType).To(Equal(stripe.OAuthTokenTypeBearer))
		Expect(tok.Scope).To(Equal(stripe.OAuthScopeTypeReadWrite))
		Expect(tok.Livemode).To(BeFalse())
		Expect(tok.AccessToken).To(HavePrefix("sk_test_"))
		Expect(tok.StripePublishableKey).To(HavePrefix("pk_test_"))
		Expect(tok.RefreshToken).To(HavePrefix("rt_"))

		acct, err := sc.V1Accounts.GetByID(Ctx, tok.StripeUserID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(acct.Type).To(Equal(stripe.AccountTypeStandard))
		Expect(acct.Email).To(Equal("owner@example.com"))
		Expect(emu.EventTypes(tok.StripeUserID)).To(ContainElement("account.application.authorized"))

		By("the access token is a secret key of the connected account")
		own := emu.ClientWithKey(tok.AccessToken)
		cus, err := own.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("c@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, ok := emu.GetIn(tok.StripeUserID, cus.ID)
		Expect(ok).To(BeTrue(), "made on the connected account")
		_, ok = emu.GetIn("", cus.ID)
		Expect(ok).To(BeFalse(), "not on the platform")
		p := &stripe.CustomerRetrieveParams{}
		p.SetStripeAccount(emu.Platform())
		_, err = own.V1Customers.Retrieve(Ctx, cus.ID, p)
		ExpectStripeError(err, 403, "invalid_request_error", "account_invalid", "")
	})

	It("keeps an access token working across a restart with the data file", func() {
		path := filepath.Join(GinkgoT().TempDir(), "emu.db")
		emu = Emulator(emulator.WithDataFile(path))
		sc = emu.Client()
		tok, err := exchange(connect().Get("code"))
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.Close()).To(Succeed())

		again := Emulator(emulator.WithDataFile(path))
		cus, err := again.ClientWithKey(tok.AccessToken).V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		_, ok := again.GetIn(tok.StripeUserID, cus.ID)
		Expect(ok).To(BeTrue(), "made on the connected account")
	})

	It("sends the owner back with access_denied when they deny", func() {
		u := authorizeURL(params())
		done := Visit("POST", u, url.Values{"decision": {"deny"}})
		Expect(done.Status).To(Equal(http.StatusFound))
		back, _ := url.Parse(done.Location)
		Expect(back.Query().Get("error")).To(Equal("access_denied"))
		Expect(back.Query().Get("error_description")).NotTo(BeEmpty())
		Expect(back.Query().Get("state")).To(Equal("csrf123"))
		Expect(back.Query().Get("code")).To(BeEmpty())
	})

	It("grants read_only when no scope is asked for, Stripe's default, and redirects a bad scope as invalid_scope", func() {
		p := params()
		p.Scope = nil
		done := Visit("POST", authorizeURL(p), url.Values{"decision": {"connect"}})
		back, _ := url.Parse(done.Location)
		Expect(back.Query().Get("scope")).To(Equal("read_only"))
		tok, err := exchange(back.Query().Get("code"))
		Expect(err).NotTo(HaveOccurred())
		Expect(tok.Scope).To(Equal(stripe.OAuthScopeTypeReadOnly))

		p.Scope = stripe.String("admin")
		bad := Visit("GET", authorizeURL(p), nil)
		Expect(bad.Status).To(Equal(http.StatusFound))
		back, _ = url.Parse(bad.Location)
		Expect(back.Query().Get("error")).To(Equal("invalid_scope"))
		Expect(back.Query().Get("state")).To(Equal("csrf123"))
	})

	It("refuses an unknown client_id on the page itself, never redirecting", func() {
		p := params()
		p.ClientID = stripe.String("ca_unknown")
		page := Visit("GET", authorizeURL(p), nil)
		Expect(page.Status).To(Equal(http.StatusBadRequest))
		Expect(page.Location).To(BeEmpty())
		Expect(page.Body).To(ContainSubstring(`role="alert"`))
	})

	It("takes a code once, revoking what it gave when it comes back", func() {
		code := connect().Get("code")
		tok, err := exchange(code)
		Expect(err).NotTo(HaveOccurred())
		_, err = exchange(code)
		oauthErr(err, 400, "invalid_grant")
		_, err = emu.ClientWithKey(tok.AccessToken).V1Balance.Retrieve(Ctx, nil)
		ExpectStripeError(err, 401, "invalid_request_error", "", "")
		_, err = sc.OAuth.Create(Ctx, &stripe.OAuthTokenParams{GrantType: stripe.String("refresh_token"), RefreshToken: stripe.String(tok.RefreshToken)})
		oauthErr(err, 400, "invalid_grant")
	})

	It("lets a code expire after five minutes", func() {
		code := connect().Get("code")
		emu.Clock().Advance(5*time.Minute + time.Second)
		_, err := exchange(code)
		oauthErr(err, 400, "invalid_grant")
	})

	It("answers OAuth's own errors for a bad grant", func() {
		_, err := exchange("ac_doesnotexist")
		se := oauthErr(err, 400, "invalid_grant")
		Expect(se.OAuthErrorDescription).To(Equal("Authorization code does not exist: ac_doesnotexist"))
		_, err = sc.OAuth.Create(Ctx, &stripe.OAuthTokenParams{GrantType: stripe.String("password")})
		oauthErr(err, 400, "unsupported_grant_type")
		_, err = sc.OAuth.Create(Ctx, &stripe.OAuthTokenParams{GrantType: stripe.String("authorization_code")})
		oauthErr(err, 400, "invalid_request")
	})

	It("takes only the platform's secret key, not none nor a connected account's", func() {
		code := connect().Get("code")
		r := Do(emu.URL(), "POST", "/oauth/token", "grant_type=authorization_code&code="+code, "Authorization", "")
		Expect(r.Status).To(Equal(401))
		Expect(r.Body).To(HaveKeyWithValue("error", "invalid_client"))
		tok, err := exchange(code)
		Expect(err).NotTo(HaveOccurred(), "the refused request used nothing up")
		_, err = emu.ClientWithKey(tok.AccessToken).OAuth.Create(Ctx, &stripe.OAuthTokenParams{GrantType: stripe.String("refresh_token"), RefreshToken: stripe.String(tok.RefreshToken)})
		oauthErr(err, 401, "invalid_client")
	})

	It("refreshes an access token, narrowing the scope if asked, never widening it", func() {
		tok, err := exchange(connect().Get("code"))
		Expect(err).NotTo(HaveOccurred())
		fresh, err := sc.OAuth.Create(Ctx, &stripe.OAuthTokenParams{GrantType: stripe.String("refresh_token"),
			RefreshToken: stripe.String(tok.RefreshToken), Scope: stripe.String("read_only")})
		Expect(err).NotTo(HaveOccurred())
		Expect(fresh.Scope).To(Equal(stripe.OAuthScopeTypeReadOnly))
		Expect(fresh.StripeUserID).To(Equal(tok.StripeUserID))
		Expect(fresh.AccessToken).NotTo(Equal(tok.AccessToken))
		_, err = sc.OAuth.Create(Ctx, &stripe.OAuthTokenParams{GrantType: stripe.String("refresh_token"), RefreshToken: stripe.String("rt_nope")})
		oauthErr(err, 400, "invalid_grant")
	})

	It("deauthorizes an account: it leaves the platform and its keys stop working", func() {
		tok, err := exchange(connect().Get("code"))
		Expect(err).NotTo(HaveOccurred())
		d, err := sc.OAuth.Delete(Ctx, &stripe.DeauthorizeParams{ClientID: stripe.String(emu.ConnectApplication()), StripeUserID: stripe.String(tok.StripeUserID)})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.StripeUserID).To(Equal(tok.StripeUserID))
		Expect(emu.EventTypes(tok.StripeUserID)).To(ContainElement("account.application.deauthorized"))
		_, err = emu.ClientWithKey(tok.AccessToken).V1Balance.Retrieve(Ctx, nil)
		ExpectStripeError(err, 401, "invalid_request_error", "", "")

		_, err = sc.OAuth.Delete(Ctx, &stripe.DeauthorizeParams{ClientID: stripe.String(emu.ConnectApplication()), StripeUserID: stripe.String(tok.StripeUserID)})
		oauthErr(err, 401, "invalid_client")
		_, err = sc.OAuth.Delete(Ctx, &stripe.DeauthorizeParams{ClientID: stripe.String("ca_other"), StripeUserID: stripe.String(tok.StripeUserID)})
		oauthErr(err, 401, "invalid_client")
	})
})
