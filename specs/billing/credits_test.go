package billing_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Billing credits: credit grants give a customer credit that Stripe applies
// to the metered lines of its subscription invoices as they are finalized,
// before tax; each application is a credit balance transaction.
var _ = Describe("Billing credits", Label("billing", "credits"), func() {
	var (
		emu     *emulator.Emulator
		sc      *stripe.Client
		prod    *stripe.Product
		perCall *stripe.Price // 3 per API call, metered
		perGB   *stripe.Price // 10 per GB, metered
		base    *stripe.Price // 1000 a month, licensed
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		prod, err = sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("API")})
		Expect(err).NotTo(HaveOccurred())
		meteredPrice := func(event string, unit int64) *stripe.Price {
			m, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
				DisplayName: stripe.String(event), EventName: stripe.String(event),
				DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")},
			})
			Expect(err).NotTo(HaveOccurred())
			p, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{
				Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(unit),
				Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"), Meter: stripe.String(m.ID)},
			})
			Expect(err).NotTo(HaveOccurred())
			return p
		}
		perCall, perGB = meteredPrice("api_call", 3), meteredPrice("storage_gb", 10)
		base = recurringPrice(sc, prod.ID, "month", 1000)
	})

	record := func(event, customer, value string) {
		GinkgoHelper()
		_, err := sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String(event),
			Payload: map[string]string{"stripe_customer_id": customer, "value": value}, Timestamp: stripe.Int64(emu.Clock().Now().Unix())})
		Expect(err).NotTo(HaveOccurred())
	}
	type grantOpts struct {
		value              int64
		category           string
		priority           int64
		effective, expires time.Time
		prices             []string
	}
	grant := func(customer string, o grantOpts) *stripe.BillingCreditGrant {
		GinkgoHelper()
		if o.category == "" {
			o.category = "paid"
		}
		p := &stripe.BillingCreditGrantCreateParams{
			Customer: stripe.String(customer), Category: stripe.String(o.category), Name: stripe.String("Credits"),
			Amount: &stripe.BillingCreditGrantCreateAmountParams{Type: stripe.String("monetary"),
				Monetary: &stripe.BillingCreditGrantCreateAmountMonetaryParams{Currency: stripe.String("usd"), Value: stripe.Int64(o.value)}},
			ApplicabilityConfig: &stripe.BillingCreditGrantCreateApplicabilityConfigParams{
				Scope: &stripe.BillingCreditGrantCreateApplicabilityConfigScopeParams{PriceType: stripe.String("metered")}},
		}
		if len(o.prices) > 0 {
			p.ApplicabilityConfig.Scope.PriceType = nil
			for _, id := range o.prices {
				p.ApplicabilityConfig.Scope.Prices = append(p.ApplicabilityConfig.Scope.Prices,
					&stripe.BillingCreditGrantCreateApplicabilityConfigScopePriceParams{ID: stripe.String(id)})
			}
		}
		if o.priority != 0 {
			p.Priority = stripe.Int64(o.priority)
		}
		if !o.effective.IsZero() {
			p.EffectiveAt = stripe.Int64(o.effective.Unix())
		}
		if !o.expires.IsZero() {
			p.ExpiresAt = stripe.Int64(o.expires.Unix())
		}
		g, err := sc.V1BillingCreditGrants.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return g
	}
	available := func(customer string, grantID string) int64 {
		GinkgoHelper()
		f := &stripe.BillingCreditBalanceSummaryRetrieveFilterParams{Type: stripe.String("applicability_scope"),
			ApplicabilityScope: &stripe.BillingCreditBalanceSummaryRetrieveFilterApplicabilityScopeParams{PriceType: stripe.String("metered")}}
		if grantID != "" {
			f = &stripe.BillingCreditBalanceSummaryRetrieveFilterParams{Type: stripe.String("credit_grant"), CreditGrant: stripe.String(grantID)}
		}
		s, err := sc.V1BillingCreditBalanceSummary.Retrieve(Ctx, &stripe.BillingCreditBalanceSummaryRetrieveParams{Customer: stripe.String(customer), Filter: f})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Customer.ID).To(Equal(customer))
		if len(s.Balances) == 0 {
			return 0
		}
		Expect(s.Balances).To(HaveLen(1))
		Expect(s.Balances[0].AvailableBalance.Monetary.Currency).To(Equal(stripe.CurrencyUSD))
		return s.Balances[0].AvailableBalance.Monetary.Value
	}
	transactions := func(customer, grantID string) []*stripe.BillingCreditBalanceTransaction {
		GinkgoHelper()
		p := &stripe.BillingCreditBalanceTransactionListParams{Customer: stripe.String(customer)}
		if grantID != "" {
			p.CreditGrant = stripe.String(grantID)
		}
		var out []*stripe.BillingCreditBalanceTransaction
		for t, err := range sc.V1BillingCreditBalanceTransactions.List(Ctx, p) {
			Expect(err).NotTo(HaveOccurred())
			out = append(out, t)
		}
		return out
	}
	subscribe := func(customer string, prices ...*stripe.Price) *stripe.Subscription {
		GinkgoHelper()
		p := &stripe.SubscriptionCreateParams{Customer: stripe.String(customer)}
		for _, pr := range prices {
			p.Items = append(p.Items, &stripe.SubscriptionCreateItemParams{Price: stripe.String(pr.ID)})
		}
		sub, err := sc.V1Subscriptions.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return sub
	}
	// renew moves the clock past the subscription's period end and the
	// hour its renewal invoice waits, and returns that invoice.
	renew := func(sub *stripe.Subscription) *stripe.Invoice {
		GinkgoHelper()
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, sub.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Set(time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0).Add(2 * time.Hour))
		sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub.LatestInvoice.BillingReason).To(Equal(stripe.InvoiceBillingReasonSubscriptionCycle))
		return sub.LatestInvoice
	}
	newCustomer := func(email string) *stripe.Customer { return customerWithCard(sc, email, "pm_card_visa", "") }

	Describe("credit grants", func() {
		It("are created with Stripe's defaults, listed, updated and credited to the grant's ledger", func() {
			cus := newCustomer("a@example.com")
			g := grant(cus.ID, grantOpts{value: 1000})
			Expect(g.ID).To(HavePrefix("credgr_test_"))
			Expect(g.Object).To(Equal("billing.credit_grant"))
			Expect(g.Customer.ID).To(Equal(cus.ID))
			Expect(g.Amount.Type).To(Equal(stripe.BillingCreditGrantAmountTypeMonetary))
			Expect(g.Amount.Monetary.Value).To(Equal(int64(1000)))
			Expect(g.ApplicabilityConfig.Scope.PriceType).To(Equal(stripe.BillingCreditGrantApplicabilityConfigScopePriceTypeMetered))
			Expect(g.Category).To(Equal(stripe.BillingCreditGrantCategoryPaid))
			Expect(g.Priority).To(Equal(int64(50)), "Stripe's default priority")
			Expect(g.EffectiveAt).To(Equal(Epoch.Unix()), "effective at once by default")
			Expect(g.ExpiresAt).To(BeZero())
			Expect(g.VoidedAt).To(BeZero())

			txns := transactions(cus.ID, "")
			Expect(txns).To(HaveLen(1))
			Expect(txns[0].ID).To(HavePrefix("cbtxn_test_"))
			Expect(txns[0].Type).To(Equal(stripe.BillingCreditBalanceTransactionTypeCredit))
			Expect(txns[0].Credit.Type).To(Equal(stripe.BillingCreditBalanceTransactionCreditTypeCreditsGranted))
			Expect(txns[0].Credit.Amount.Monetary.Value).To(Equal(int64(1000)))
			Expect(txns[0].CreditGrant.ID).To(Equal(g.ID))
			Expect(txns[0].EffectiveAt).To(Equal(Epoch.Unix()))
			got, err := sc.V1BillingCreditBalanceTransactions.Retrieve(Ctx, txns[0].ID, &stripe.BillingCreditBalanceTransactionRetrieveParams{
				Expand: []*string{stripe.String("credit_grant")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.CreditGrant.Amount.Monetary.Value).To(Equal(int64(1000)), "credit_grant expands")
			Expect(available(cus.ID, "")).To(Equal(int64(1000)))

			other := newCustomer("b@example.com")
			grant(other.ID, grantOpts{value: 5})
			var mine []string
			for x, err := range sc.V1BillingCreditGrants.List(Ctx, &stripe.BillingCreditGrantListParams{Customer: stripe.String(cus.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				mine = append(mine, x.ID)
			}
			Expect(mine).To(Equal([]string{g.ID}))
			Expect(transactions(other.ID, "")).To(HaveLen(1))

			expires := Epoch.Add(30 * 24 * time.Hour).Unix()
			g, err = sc.V1BillingCreditGrants.Update(Ctx, g.ID, &stripe.BillingCreditGrantUpdateParams{ExpiresAt: stripe.Int64(expires),
				Metadata: map[string]string{"order": "42"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(g.ExpiresAt).To(Equal(expires))
			Expect(g.Metadata).To(Equal(map[string]string{"order": "42"}))
			evs := emu.Events("")
			last := evs[len(evs)-1]
			Expect(last["type"]).To(Equal("billing.credit_grant.updated"))
			prev := last["data"].(map[string]any)["previous_attributes"].(map[string]any)
			Expect(prev).To(HaveKeyWithValue("expires_at", BeNil()))
			Expect(emu.EventTypes("")).To(ContainElement("billing.credit_grant.created"))
		})

		It("take effect and expire on the clock", func() {
			cus := newCustomer("a@example.com")
			later := grant(cus.ID, grantOpts{value: 300, effective: Epoch.Add(5 * 24 * time.Hour), expires: Epoch.Add(10 * 24 * time.Hour)})
			Expect(available(cus.ID, "")).To(BeZero(), "not in effect yet")
			Expect(transactions(cus.ID, "")).To(BeEmpty())

			emu.Clock().Advance(5 * 24 * time.Hour)
			Expect(available(cus.ID, "")).To(Equal(int64(300)))
			txns := transactions(cus.ID, later.ID)
			Expect(txns).To(HaveLen(1))
			Expect(txns[0].Credit.Type).To(Equal(stripe.BillingCreditBalanceTransactionCreditTypeCreditsGranted))
			Expect(txns[0].EffectiveAt).To(Equal(later.EffectiveAt))

			emu.Clock().Advance(5 * 24 * time.Hour)
			Expect(available(cus.ID, "")).To(BeZero())
			txns = transactions(cus.ID, later.ID)
			Expect(txns).To(HaveLen(2))
			Expect(txns[0].Type).To(Equal(stripe.BillingCreditBalanceTransactionTypeDebit))
			Expect(txns[0].Debit.Type).To(Equal(stripe.BillingCreditBalanceTransactionDebitTypeCreditsExpired))
			Expect(txns[0].Debit.Amount.Monetary.Value).To(Equal(int64(300)))
			Expect(txns[0].Debit.CreditsApplied).To(BeNil())
			Expect(txns[0].EffectiveAt).To(Equal(later.ExpiresAt))
		})

		It("are expired or voided by hand, what is left taken off their ledger", func() {
			cus := newCustomer("a@example.com")
			a, b := grant(cus.ID, grantOpts{value: 100}), grant(cus.ID, grantOpts{value: 200})
			emu.Clock().Advance(time.Hour)
			a, err := sc.V1BillingCreditGrants.Expire(Ctx, a.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(a.ExpiresAt).To(Equal(emu.Clock().Now().Unix()))
			_, err = sc.V1BillingCreditGrants.Expire(Ctx, a.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			b, err = sc.V1BillingCreditGrants.VoidGrant(Ctx, b.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(b.VoidedAt).To(Equal(emu.Clock().Now().Unix()))
			_, err = sc.V1BillingCreditGrants.VoidGrant(Ctx, b.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			_, err = sc.V1BillingCreditGrants.Update(Ctx, b.ID, &stripe.BillingCreditGrantUpdateParams{ExpiresAt: stripe.Int64(Epoch.Add(48 * time.Hour).Unix())})
			ExpectStripeError(err, 400, "invalid_request_error", "", "expires_at")

			Expect(available(cus.ID, "")).To(BeZero())
			Expect(transactions(cus.ID, a.ID)[0].Debit.Type).To(Equal(stripe.BillingCreditBalanceTransactionDebitTypeCreditsExpired))
			Expect(transactions(cus.ID, b.ID)[0].Debit.Type).To(Equal(stripe.BillingCreditBalanceTransactionDebitTypeCreditsVoided))
			Expect(transactions(cus.ID, b.ID)[0].Debit.Amount.Monetary.Value).To(Equal(int64(200)))
			types := emu.EventTypes("")
			Expect(types[len(types)-4:]).To(Equal([]string{"billing.credit_grant.updated", "billing.credit_balance_transaction.created",
				"billing.credit_grant.updated", "billing.credit_balance_transaction.created"}), "each ledger entry is announced")
		})

		It("refuse what Stripe refuses, keeping nothing", func() {
			cus := newCustomer("a@example.com")
			licensed := base
			ok := func() *stripe.BillingCreditGrantCreateParams {
				return &stripe.BillingCreditGrantCreateParams{Customer: stripe.String(cus.ID), Category: stripe.String("paid"),
					Amount: &stripe.BillingCreditGrantCreateAmountParams{Type: stripe.String("monetary"),
						Monetary: &stripe.BillingCreditGrantCreateAmountMonetaryParams{Currency: stripe.String("usd"), Value: stripe.Int64(100)}},
					ApplicabilityConfig: &stripe.BillingCreditGrantCreateApplicabilityConfigParams{
						Scope: &stripe.BillingCreditGrantCreateApplicabilityConfigScopeParams{PriceType: stripe.String("metered")}}}
			}
			for _, c := range []struct {
				edit        func(p *stripe.BillingCreditGrantCreateParams)
				code, param string
			}{
				{func(p *stripe.BillingCreditGrantCreateParams) { p.Category = nil }, "parameter_missing", "category"},
				{func(p *stripe.BillingCreditGrantCreateParams) { p.Category = stripe.String("free") }, "", "category"},
				{func(p *stripe.BillingCreditGrantCreateParams) { p.Customer = stripe.String("cus_nope") }, "resource_missing", "customer"},
				{func(p *stripe.BillingCreditGrantCreateParams) { p.Amount.Monetary.Value = stripe.Int64(0) }, "", "amount[monetary][value]"},
				{func(p *stripe.BillingCreditGrantCreateParams) { p.Amount.Monetary = nil }, "parameter_missing", "amount[monetary]"},
				{func(p *stripe.BillingCreditGrantCreateParams) {
					p.Amount.Monetary.Currency = stripe.String("zzz") // three letters, but no currency Stripe supports
				}, "", "amount[monetary][currency]"},
				{func(p *stripe.BillingCreditGrantCreateParams) { p.Priority = stripe.Int64(101) }, "", "priority"},
				{func(p *stripe.BillingCreditGrantCreateParams) { p.Name = stripe.String(strings.Repeat("n", 101)) }, "", "name"}, // 100 at most
				{func(p *stripe.BillingCreditGrantCreateParams) {
					p.ExpiresAt = stripe.Int64(Epoch.Add(-time.Hour).Unix())
				}, "", "expires_at"},
				{func(p *stripe.BillingCreditGrantCreateParams) {
					p.ApplicabilityConfig.Scope.Prices = []*stripe.BillingCreditGrantCreateApplicabilityConfigScopePriceParams{{ID: stripe.String(perCall.ID)}}
				}, "parameters_exclusive", "applicability_config[scope][price_type]"},
				{func(p *stripe.BillingCreditGrantCreateParams) {
					p.ApplicabilityConfig.Scope = &stripe.BillingCreditGrantCreateApplicabilityConfigScopeParams{
						Prices: []*stripe.BillingCreditGrantCreateApplicabilityConfigScopePriceParams{{ID: stripe.String(licensed.ID)}}}
				}, "", "applicability_config[scope][prices][0][id]"},
				{func(p *stripe.BillingCreditGrantCreateParams) {
					p.ApplicabilityConfig.Scope = &stripe.BillingCreditGrantCreateApplicabilityConfigScopeParams{
						Prices: []*stripe.BillingCreditGrantCreateApplicabilityConfigScopePriceParams{{ID: stripe.String("price_nope")}}}
				}, "resource_missing", "applicability_config[scope][prices][0][id]"},
				{func(p *stripe.BillingCreditGrantCreateParams) { p.AddExtra("customer_account", "acct_1") }, "parameter_unknown", "customer_account"},
			} {
				p := ok()
				c.edit(p)
				_, err := sc.V1BillingCreditGrants.Create(Ctx, p)
				ExpectStripeError(err, 400, "invalid_request_error", c.code, c.param)
			}
			Expect(emu.Count("", "billing.credit_grant")).To(BeZero())
			Expect(emu.Count("", "billing.credit_balance_transaction")).To(BeZero())

			_, err := sc.V1BillingCreditGrants.Retrieve(Ctx, "credgr_test_nope", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			for _, err := range sc.V1BillingCreditBalanceTransactions.List(Ctx, &stripe.BillingCreditBalanceTransactionListParams{}) {
				ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "customer")
			}
			_, err = sc.V1BillingCreditBalanceSummary.Retrieve(Ctx, &stripe.BillingCreditBalanceSummaryRetrieveParams{Customer: stripe.String(cus.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "filter")
			_, err = sc.V1BillingCreditBalanceSummary.Retrieve(Ctx, &stripe.BillingCreditBalanceSummaryRetrieveParams{Customer: stripe.String(cus.ID),
				Filter: &stripe.BillingCreditBalanceSummaryRetrieveFilterParams{Type: stripe.String("credit_grant"), CreditGrant: stripe.String("credgr_test_nope")}})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "filter[credit_grant]")
		})
	})

	Describe("applied to invoices", func() {
		It("take credit off the metered line of a renewal before tax: amount due and pretax credit amounts exact", func() {
			rate, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(10), Inclusive: stripe.Bool(false)})
			Expect(err).NotTo(HaveOccurred())
			cus := newCustomer("a@example.com")
			g := grant(cus.ID, grantOpts{value: 500})
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				DefaultTaxRates: []*string{stripe.String(rate.ID)},
				Items:           []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(base.ID)}, {Price: stripe.String(perCall.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			first, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(first.TotalPretaxCreditAmounts).To(BeEmpty(), "no usage billed yet: nothing to credit")
			Expect(first.AmountPaid).To(Equal(int64(1100)))
			Expect(available(cus.ID, "")).To(Equal(int64(500)))

			record("api_call", cus.ID, "250")
			inv := renew(sub)
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.Subtotal).To(Equal(int64(1750)))
			// The licensed line's tax is 100; the metered line is taxed
			// on what the credit leaves of it: 10% of 250.
			Expect(inv.Total).To(Equal(int64(1750 - 500 + 100 + 25)))
			Expect(inv.TotalExcludingTax).To(Equal(int64(1250)))
			Expect(inv.AmountDue).To(Equal(int64(1375)))
			Expect(inv.AmountPaid).To(Equal(int64(1375)))
			Expect(inv.TotalPretaxCreditAmounts).To(HaveLen(1))
			credit := inv.TotalPretaxCreditAmounts[0]
			Expect(credit.Type).To(Equal(stripe.InvoiceTotalPretaxCreditAmountTypeCreditBalanceTransaction))
			Expect(credit.Amount).To(Equal(int64(500)))
			Expect(credit.CreditBalanceTransaction.ID).To(HavePrefix("cbtxn_test_"))

			licensedLine, usageLine := inv.Lines.Data[0], inv.Lines.Data[1]
			Expect(licensedLine.PretaxCreditAmounts).To(BeEmpty(), "credit applies to metered prices only")
			Expect(licensedLine.Taxes[0].Amount).To(Equal(int64(100)))
			Expect(usageLine.Amount).To(Equal(int64(750)))
			Expect(usageLine.PretaxCreditAmounts).To(HaveLen(1))
			Expect(usageLine.PretaxCreditAmounts[0].Amount).To(Equal(int64(500)))
			Expect(usageLine.PretaxCreditAmounts[0].CreditBalanceTransaction.ID).To(Equal(credit.CreditBalanceTransaction.ID))
			Expect(usageLine.Taxes[0].Amount).To(Equal(int64(25)))
			Expect(usageLine.Taxes[0].TaxableAmount).To(Equal(int64(250)))

			debit, err := sc.V1BillingCreditBalanceTransactions.Retrieve(Ctx, credit.CreditBalanceTransaction.ID,
				&stripe.BillingCreditBalanceTransactionRetrieveParams{Expand: []*string{stripe.String("debit.credits_applied.invoice")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(debit.Debit.CreditsApplied.Invoice.AmountDue).To(Equal(int64(1375)), "the invoice expands")
			Expect(debit.Type).To(Equal(stripe.BillingCreditBalanceTransactionTypeDebit))
			Expect(debit.Debit.Type).To(Equal(stripe.BillingCreditBalanceTransactionDebitTypeCreditsApplied))
			Expect(debit.Debit.Amount.Monetary.Value).To(Equal(int64(500)))
			Expect(debit.Debit.CreditsApplied.Invoice.ID).To(Equal(inv.ID))
			Expect(debit.Debit.CreditsApplied.InvoiceLineItem).To(Equal(usageLine.ID))
			Expect(debit.CreditGrant.ID).To(Equal(g.ID))
			Expect(available(cus.ID, "")).To(BeZero())

			expanded, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, &stripe.InvoiceRetrieveParams{Expand: []*string{
				stripe.String("total_pretax_credit_amounts.credit_balance_transaction"),
				stripe.String("lines.data.pretax_credit_amounts.credit_balance_transaction")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(expanded.TotalPretaxCreditAmounts[0].CreditBalanceTransaction.Debit.Amount.Monetary.Value).To(Equal(int64(500)))
			Expect(expanded.Lines.Data[1].PretaxCreditAmounts[0].CreditBalanceTransaction.CreditGrant.ID).To(Equal(g.ID))
			s, err := sc.V1BillingCreditBalanceSummary.Retrieve(Ctx, &stripe.BillingCreditBalanceSummaryRetrieveParams{Customer: stripe.String(cus.ID),
				Filter: &stripe.BillingCreditBalanceSummaryRetrieveFilterParams{Type: stripe.String("credit_grant"), CreditGrant: stripe.String(g.ID)},
				Expand: []*string{stripe.String("customer")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Customer.Email).To(Equal("a@example.com"))
			Expect(s.Balances[0].LedgerBalance.Monetary.Value).To(BeZero())
		})

		It("carry what a period did not use over to the next", func() {
			cus := newCustomer("a@example.com")
			grant(cus.ID, grantOpts{value: 1000})
			sub := subscribe(cus.ID, perCall)
			record("api_call", cus.ID, "250")
			inv := renew(sub)
			Expect(inv.AmountDue).To(BeZero(), "750 of usage, all of it credited")
			Expect(inv.Total).To(BeZero())
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
			Expect(inv.TotalPretaxCreditAmounts[0].Amount).To(Equal(int64(750)))
			Expect(available(cus.ID, "")).To(Equal(int64(250)))

			record("api_call", cus.ID, "100")
			inv = renew(sub)
			Expect(inv.Subtotal).To(Equal(int64(300)))
			Expect(inv.TotalPretaxCreditAmounts[0].Amount).To(Equal(int64(250)))
			Expect(inv.AmountDue).To(Equal(int64(50)))
			Expect(inv.AmountPaid).To(Equal(int64(50)))
			Expect(available(cus.ID, "")).To(BeZero())

			var kinds []string
			for _, t := range transactions(cus.ID, "") {
				if t.Debit != nil {
					kinds = append(kinds, string(t.Debit.Type))
				} else {
					kinds = append(kinds, string(t.Credit.Type))
				}
			}
			Expect(kinds).To(Equal([]string{"credits_applied", "credits_applied", "credits_granted"}), "newest first")
		})

		It("draw grants down by priority, then the soonest expiry, promotional before paid, then the earliest effective", func() {
			cus := newCustomer("a@example.com")
			far := Epoch.Add(90 * 24 * time.Hour)
			noExpiry := grant(cus.ID, grantOpts{value: 1000})                                         // last: no expiry
			paidFar := grant(cus.ID, grantOpts{value: 100, expires: far})                             // after the promotional one
			promoFar := grant(cus.ID, grantOpts{value: 100, expires: far, category: "promotional"})   // before the paid one
			soon := grant(cus.ID, grantOpts{value: 100, expires: Epoch.Add(60 * 24 * time.Hour)})     // soonest expiry
			urgent := grant(cus.ID, grantOpts{value: 100, priority: 10, expires: far.Add(time.Hour)}) // priority first
			sub := subscribe(cus.ID, perCall)
			record("api_call", cus.ID, "150") // 450: every limited grant and 50 of the last
			inv := renew(sub)
			Expect(inv.AmountDue).To(BeZero())

			var order []string
			for _, e := range inv.Lines.Data[0].PretaxCreditAmounts {
				t, err := sc.V1BillingCreditBalanceTransactions.Retrieve(Ctx, e.CreditBalanceTransaction.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				order = append(order, t.CreditGrant.ID)
			}
			Expect(order).To(Equal([]string{urgent.ID, soon.ID, promoFar.ID, paidFar.ID, noExpiry.ID}))
			Expect(available(cus.ID, noExpiry.ID)).To(Equal(int64(950)))
			Expect(available(cus.ID, urgent.ID)).To(BeZero())

			// Among equals, the grant in effect first goes first.
			other := newCustomer("b@example.com")
			late := grant(other.ID, grantOpts{value: 100})
			early := grant(other.ID, grantOpts{value: 100, effective: emu.Clock().Now().Add(-time.Hour)})
			sub = subscribe(other.ID, perCall)
			record("api_call", other.ID, "30")
			renew(sub)
			Expect(available(other.ID, early.ID)).To(Equal(int64(10)))
			Expect(available(other.ID, late.ID)).To(Equal(int64(100)))
		})

		It("apply only to the prices in their scope and in their currency", func() {
			cus := newCustomer("a@example.com")
			storage := grant(cus.ID, grantOpts{value: 1000, prices: []string{perGB.ID}})
			eur := sc.V1BillingCreditGrants
			_, err := eur.Create(Ctx, &stripe.BillingCreditGrantCreateParams{Customer: stripe.String(cus.ID), Category: stripe.String("promotional"),
				Amount: &stripe.BillingCreditGrantCreateAmountParams{Type: stripe.String("monetary"),
					Monetary: &stripe.BillingCreditGrantCreateAmountMonetaryParams{Currency: stripe.String("eur"), Value: stripe.Int64(1000)}},
				ApplicabilityConfig: &stripe.BillingCreditGrantCreateApplicabilityConfigParams{
					Scope: &stripe.BillingCreditGrantCreateApplicabilityConfigScopeParams{PriceType: stripe.String("metered")}}})
			Expect(err).NotTo(HaveOccurred())
			sub := subscribe(cus.ID, perCall, perGB)
			record("api_call", cus.ID, "100")  // 300
			record("storage_gb", cus.ID, "20") // 200
			inv := renew(sub)
			Expect(inv.Lines.Data[0].PretaxCreditAmounts).To(BeEmpty(), "the grant is for storage only; the euro grant is in another currency")
			Expect(inv.Lines.Data[1].PretaxCreditAmounts[0].Amount).To(Equal(int64(200)))
			Expect(inv.AmountDue).To(Equal(int64(300)))
			Expect(available(cus.ID, storage.ID)).To(Equal(int64(800)))

			s, err := sc.V1BillingCreditBalanceSummary.Retrieve(Ctx, &stripe.BillingCreditBalanceSummaryRetrieveParams{Customer: stripe.String(cus.ID),
				Filter: &stripe.BillingCreditBalanceSummaryRetrieveFilterParams{Type: stripe.String("applicability_scope"),
					ApplicabilityScope: &stripe.BillingCreditBalanceSummaryRetrieveFilterApplicabilityScopeParams{PriceType: stripe.String("metered")}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Balances).To(HaveLen(2), "one balance per currency")
			Expect(s.Balances[0].AvailableBalance.Monetary.Value).To(Equal(int64(800)))
			Expect(s.Balances[1].AvailableBalance.Monetary.Currency).To(Equal(stripe.CurrencyEUR))
			Expect(s.Balances[1].LedgerBalance.Monetary.Value).To(Equal(int64(1000)))
			s, err = sc.V1BillingCreditBalanceSummary.Retrieve(Ctx, &stripe.BillingCreditBalanceSummaryRetrieveParams{Customer: stripe.String(cus.ID),
				Filter: &stripe.BillingCreditBalanceSummaryRetrieveFilterParams{Type: stripe.String("applicability_scope"),
					ApplicabilityScope: &stripe.BillingCreditBalanceSummaryRetrieveFilterApplicabilityScopeParams{
						Prices: []*stripe.BillingCreditBalanceSummaryRetrieveFilterApplicabilityScopePriceParams{{ID: stripe.String(perCall.ID)}}}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Balances).To(HaveLen(1), "only the euro grant applies to API calls")
			Expect(s.Balances[0].AvailableBalance.Monetary.Currency).To(Equal(stripe.CurrencyEUR))
		})

		It("give an expired grant's credit to no invoice", func() {
			cus := newCustomer("a@example.com")
			sub := subscribe(cus.ID, perCall)
			end := time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0)
			grant(cus.ID, grantOpts{value: 500, expires: end.Add(-time.Hour)})
			record("api_call", cus.ID, "100")
			inv := renew(sub)
			Expect(inv.TotalPretaxCreditAmounts).To(BeEmpty())
			Expect(inv.AmountPaid).To(Equal(int64(300)))
		})

		It("come back to their grant when the invoice is voided", func() {
			cus := newCustomer("a@example.com")
			g := grant(cus.ID, grantOpts{value: 1000})
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(base.ID)}, {Price: stripe.String(perCall.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			record("api_call", cus.ID, "100")
			inv := renew(sub)
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
			Expect(inv.AmountDue).To(Equal(int64(1000)), "the usage's 300 credited")
			Expect(available(cus.ID, "")).To(Equal(int64(700)))
			_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(100)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "invoice")

			inv, err = sc.V1Invoices.VoidInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(inv.TotalPretaxCreditAmounts).To(HaveLen(1), "a voided invoice still shows what it took")
			Expect(available(cus.ID, "")).To(Equal(int64(1000)))
			back := transactions(cus.ID, g.ID)[0]
			Expect(back.Type).To(Equal(stripe.BillingCreditBalanceTransactionTypeCredit))
			Expect(back.Credit.Type).To(Equal(stripe.BillingCreditBalanceTransactionCreditTypeCreditsApplicationInvoiceVoided))
			Expect(back.Credit.Amount.Monetary.Value).To(Equal(int64(300)))
			Expect(back.Credit.CreditsApplicationInvoiceVoided.Invoice.ID).To(Equal(inv.ID))
			Expect(back.Credit.CreditsApplicationInvoiceVoided.InvoiceLineItem).To(Equal(inv.Lines.Data[1].ID))
		})

		It("come back to an expired grant only to expire again at once, as Stripe's changelog says", func() {
			cus := newCustomer("a@example.com")
			sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
				CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30),
				Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(base.ID)}, {Price: stripe.String(perCall.ID)}}})
			Expect(err).NotTo(HaveOccurred())
			end := time.Unix(sub.Items.Data[0].CurrentPeriodEnd, 0)
			g := grant(cus.ID, grantOpts{value: 500, expires: end.Add(5 * 24 * time.Hour)})
			record("api_call", cus.ID, "100")
			inv := renew(sub)
			Expect(inv.TotalPretaxCreditAmounts[0].Amount).To(Equal(int64(300)))
			Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen), "the licensed 1000 is due")
			emu.Clock().Advance(10 * 24 * time.Hour) // past the grant's expiry: its 200 left expire
			Expect(available(cus.ID, "")).To(BeZero())

			inv, err = sc.V1Invoices.VoidInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(available(cus.ID, "")).To(BeZero(), "the reinstated 300 expire with their grant")
			txns := transactions(cus.ID, g.ID)
			Expect(txns).To(HaveLen(5))
			Expect(txns[0].Debit.Type).To(Equal(stripe.BillingCreditBalanceTransactionDebitTypeCreditsExpired))
			Expect(txns[0].Debit.Amount.Monetary.Value).To(Equal(int64(300)))
			Expect(txns[1].Credit.Type).To(Equal(stripe.BillingCreditBalanceTransactionCreditTypeCreditsApplicationInvoiceVoided))
			Expect(txns[1].Credit.Amount.Monetary.Value).To(Equal(int64(300)))
			Expect(txns[2].Debit.Type).To(Equal(stripe.BillingCreditBalanceTransactionDebitTypeCreditsExpired))
			Expect(txns[2].Debit.Amount.Monetary.Value).To(Equal(int64(200)))
		})

		It("follow a test clock: applied at its renewal, expired as it moves", func() {
			clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(Epoch.Unix())})
			Expect(err).NotTo(HaveOccurred())
			cus := customerWithCard(sc, "clock@example.com", "pm_card_visa", clk.ID)
			g := grant(cus.ID, grantOpts{value: 200, expires: Epoch.Add(45 * 24 * time.Hour)})
			Expect(g.TestClock.ID).To(Equal(clk.ID))
			sub := subscribe(cus.ID, perCall)
			record("api_call", cus.ID, "50") // 150
			end := sub.Items.Data[0].CurrentPeriodEnd
			advance := func(to int64) {
				GinkgoHelper()
				_, err := sc.V1TestHelpersTestClocks.Advance(Ctx, clk.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(to)})
				Expect(err).NotTo(HaveOccurred())
			}
			advance(end + 7200)
			sub, err = sc.V1Subscriptions.Retrieve(Ctx, sub.ID, &stripe.SubscriptionRetrieveParams{Expand: []*string{stripe.String("latest_invoice")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sub.LatestInvoice.TotalPretaxCreditAmounts[0].Amount).To(Equal(int64(150)))
			Expect(sub.LatestInvoice.AmountDue).To(BeZero())
			Expect(available(cus.ID, "")).To(Equal(int64(50)))

			// Less than the 30 days after which Stripe deletes the clock.
			emu.Clock().Advance(29 * 24 * time.Hour)
			Expect(available(cus.ID, "")).To(Equal(int64(50)), "the emulator's clock does not move a test clock's grants")
			advance(Epoch.Add(46 * 24 * time.Hour).Unix())
			Expect(available(cus.ID, "")).To(BeZero())
			expiry := transactions(cus.ID, g.ID)[0]
			Expect(expiry.Debit.Type).To(Equal(stripe.BillingCreditBalanceTransactionDebitTypeCreditsExpired))
			Expect(expiry.Debit.Amount.Monetary.Value).To(Equal(int64(50)))
			Expect(expiry.TestClock.ID).To(Equal(clk.ID))
		})
	})
})
