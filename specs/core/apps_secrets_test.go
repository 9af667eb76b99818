package core_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Stripe Apps' secret store", Label("apps"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	account := &stripe.AppsSecretCreateScopeParams{Type: stripe.String("account")}
	user := func(id string) *stripe.AppsSecretCreateScopeParams {
		return &stripe.AppsSecretCreateScopeParams{Type: stripe.String("user"), User: stripe.String(id)}
	}
	find := func(name string, scope *stripe.AppsSecretCreateScopeParams, expand ...string) (*stripe.AppsSecret, error) {
		p := &stripe.AppsSecretFindParams{Name: stripe.String(name), Scope: &stripe.AppsSecretFindScopeParams{Type: scope.Type, User: scope.User}}
		for _, e := range expand {
			p.AddExpand(e)
		}
		return sc.V1AppsSecrets.Find(Ctx, p)
	}

	It("sets, replaces, finds with the payload only when expanded, lists per scope and deletes", func() {
		s, err := sc.V1AppsSecrets.Create(Ctx, &stripe.AppsSecretCreateParams{Name: stripe.String("crm_api_key"), Payload: stripe.String("key-1"), Scope: account})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.ID).To(HavePrefix("appsecret_"))
		Expect(s.Payload).To(BeEmpty(), "shown only when expanded")
		Expect(s.Scope.Type).To(Equal(stripe.AppsSecretScopeTypeAccount))

		replaced, err := sc.V1AppsSecrets.Create(Ctx, &stripe.AppsSecretCreateParams{Name: stripe.String("crm_api_key"), Payload: stripe.String("key-2"), Scope: account})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1AppsSecrets.Create(Ctx, &stripe.AppsSecretCreateParams{Name: stripe.String("crm_api_key"), Payload: stripe.String("mine"), Scope: user("usr_1")})
		Expect(err).NotTo(HaveOccurred())

		got, err := find("crm_api_key", account, "payload")
		Expect(err).NotTo(HaveOccurred())
		Expect(got.ID).To(Equal(replaced.ID))
		Expect(got.Payload).To(Equal("key-2"), "the name is unique within the scope: set again, it is replaced")
		theirs, err := find("crm_api_key", user("usr_1"), "payload")
		Expect(err).NotTo(HaveOccurred())
		Expect(theirs.Payload).To(Equal("mine"))
		_, err = find("crm_api_key", user("usr_2"))
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "name")

		n := 0
		for s, err := range sc.V1AppsSecrets.List(Ctx, &stripe.AppsSecretListParams{Scope: &stripe.AppsSecretListScopeParams{Type: stripe.String("account")}}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Name).To(Equal("crm_api_key"))
			n++
		}
		Expect(n).To(Equal(1), "the account scope holds one secret; the user's is in its own")

		gone, err := sc.V1AppsSecrets.DeleteWhere(Ctx, &stripe.AppsSecretDeleteWhereParams{Name: stripe.String("crm_api_key"), Scope: &stripe.AppsSecretDeleteWhereScopeParams{Type: stripe.String("account")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(gone.Deleted).To(BeTrue())
		_, err = find("crm_api_key", account)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "name")
		_, err = find("crm_api_key", user("usr_1"))
		Expect(err).NotTo(HaveOccurred(), "the user's secret stays")
	})

	It("forgets a secret once its expires_at passes", func() {
		_, err := sc.V1AppsSecrets.Create(Ctx, &stripe.AppsSecretCreateParams{Name: stripe.String("token"), Payload: stripe.String("t"), Scope: account,
			ExpiresAt: stripe.Int64(Epoch.Add(time.Hour).Unix())})
		Expect(err).NotTo(HaveOccurred())
		_, err = find("token", account)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(time.Hour)
		_, err = find("token", account)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "name")
	})

	It("refuses bad scopes, names and times, storing nothing", func() {
		_, err := sc.V1AppsSecrets.Create(Ctx, &stripe.AppsSecretCreateParams{Name: stripe.String("x"), Payload: stripe.String("y"), Scope: &stripe.AppsSecretCreateScopeParams{Type: stripe.String("user")}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "scope[user]")
		_, err = sc.V1AppsSecrets.Create(Ctx, &stripe.AppsSecretCreateParams{Name: stripe.String("x"), Payload: stripe.String("y"), Scope: &stripe.AppsSecretCreateScopeParams{Type: stripe.String("account"), User: stripe.String("usr_1")}})
		Expect(StripeErr(err).Param).To(Equal("scope[user]"))
		_, err = sc.V1AppsSecrets.Create(Ctx, &stripe.AppsSecretCreateParams{Name: stripe.String("x"), Payload: stripe.String("y"), Scope: &stripe.AppsSecretCreateScopeParams{Type: stripe.String("team")}})
		Expect(StripeErr(err).Param).To(Equal("scope[type]"))
		_, err = sc.V1AppsSecrets.Create(Ctx, &stripe.AppsSecretCreateParams{Name: stripe.String("x"), Scope: account})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payload")
		_, err = sc.V1AppsSecrets.Create(Ctx, &stripe.AppsSecretCreateParams{Name: stripe.String("x"), Payload: stripe.String("y"), Scope: account, ExpiresAt: stripe.Int64(Epoch.Unix() - 1)})
		Expect(StripeErr(err).Param).To(Equal("expires_at"))
		Expect(emu.Count("", "apps.secret")).To(BeZero())
		_, err = sc.V1AppsSecrets.DeleteWhere(Ctx, &stripe.AppsSecretDeleteWhereParams{Name: stripe.String("nope"), Scope: &stripe.AppsSecretDeleteWhereScopeParams{Type: stripe.String("account")}})
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "name")
	})

	It("keeps a connected account's secrets in that account", func() {
		acct := Seller(emu, nil)
		p := &stripe.AppsSecretCreateParams{Name: stripe.String("k"), Payload: stripe.String("v"), Scope: account}
		p.SetStripeAccount(acct.ID)
		_, err := sc.V1AppsSecrets.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		_, err = find("k", account)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "name")
		fp := &stripe.AppsSecretFindParams{Name: stripe.String("k"), Scope: &stripe.AppsSecretFindScopeParams{Type: stripe.String("account")}}
		fp.SetStripeAccount(acct.ID)
		_, err = sc.V1AppsSecrets.Find(Ctx, fp)
		Expect(err).NotTo(HaveOccurred())
	})
})
