package billing_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A subscription paid by SEPA Direct Debit: its invoices' debits process
// for days (minutes in test mode) before they settle or fail. A failure
// is a failed payment attempt like a declined card's: invoice.payment_failed,
// attempt_count, the retry schedule, the subscription past_due.
var _ = Describe("Subscription invoices paid by bank debit", Label("billing"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		price *stripe.Price
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		prod, err := sc.V1Products.Create(Ctx, &stripe.ProductCreateParams{Name: stripe.String("Plan")})
		Expect(err).NotTo(HaveOccurred())
		price, err = sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{Product: stripe.String(prod.ID), Currency: stripe.String("eur"),
			UnitAmount: stripe.Int64(1000), Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}})
		Expect(err).NotTo(HaveOccurred())
	})

	// subscribe starts a three-day trial paid afterwards by a SEPA debit
	// from iban, its mandate accepted through a SetupIntent.
	subscribe := func(iban string) *stripe.Subscription {
		GinkgoHelper()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("debit@example.com"), Name: stripe.String("Jenny Rosen")})
		Expect(err).NotTo(HaveOccurred())
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("sepa_debit"),
			SEPADebit:      &stripe.PaymentMethodCreateSEPADebitParams{IBAN: stripe.String(iban)},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("debit@example.com")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm.ID),
			PaymentMethodTypes: []*string{stripe.String("sepa_debit")}, Confirm: stripe.Bool(true),
			MandateData: &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{Type: stripe.String("offline")}}})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID)}}, DefaultPaymentMethod: stripe.String(pm.ID), TrialPeriodDays: stripe.Int64(3)})
		Expect(err).NotTo(HaveOccurred())
		return sub
	}
	latest := func(subID string) (*stripe.Subscription, *stripe.Invoice) {
		GinkgoHelper()
		sub, err := sc.V1Subscriptions.Retrieve(Ctx, subID, nil)
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Retrieve(Ctx, sub.LatestInvoice.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return sub, inv
	}
	charges := func(inv *stripe.Invoice) []*stripe.Charge {
		GinkgoHelper()
		pays := sc.V1InvoicePayments.List(Ctx, &stripe.InvoicePaymentListParams{Invoice: stripe.String(inv.ID)})
		var out []*stripe.Charge
		for pay, err := range pays {
			Expect(err).NotTo(HaveOccurred())
			for ch, err := range sc.V1Charges.List(Ctx, &stripe.ChargeListParams{PaymentIntent: stripe.String(pay.Payment.PaymentIntent.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, ch)
			}
		}
		return out
	}

	It("makes one debit while it processes, then records its failure as a failed attempt and retries on the schedule", func() {
		sub := subscribe("DE62370400440532013001") // fails after processing
		emu.Clock().Advance(3*24*time.Hour + time.Minute)

		sub, inv := latest(sub.ID)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		// No attempt is planned while the debit processes, and none is made.
		Expect(inv.NextPaymentAttempt).To(BeZero())
		Expect(inv.AttemptCount).To(BeZero())
		Expect(charges(inv)).To(HaveLen(1))
		_, err := sc.V1Invoices.Pay(Ctx, inv.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
		Expect(charges(inv)).To(HaveLen(1), "nothing changed")
		Expect(emu.EventTypes("")).NotTo(ContainElement("invoice.payment_failed"))

		// The debit fails: a failed attempt.
		emu.Clock().Advance(5 * time.Minute)
		sub, inv = latest(sub.ID)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.AttemptCount).To(Equal(int64(1)))
		Expect(inv.Attempted).To(BeTrue())
		Expect(inv.NextPaymentAttempt).To(BeNumerically(">", emu.Clock().Now().Unix()))
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusPastDue))
		Expect(emu.EventTypes("")).To(ContainElement("invoice.payment_failed"))
		Expect(charges(inv)).To(HaveLen(1))

		// The retry debits again, which fails again.
		emu.Clock().Set(time.Unix(inv.NextPaymentAttempt, 0).Add(10 * time.Minute))
		_, inv = latest(sub.ID)
		Expect(charges(inv)).To(HaveLen(2))
		Expect(inv.AttemptCount).To(Equal(int64(2)))
	})

	It("pays the invoice once the debit settles, with a single charge", func() {
		sub := subscribe("DE89370400440532013000") // succeeds after processing
		emu.Clock().Advance(3*24*time.Hour + time.Minute)
		_, inv := latest(sub.ID)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(inv.NextPaymentAttempt).To(BeZero())

		emu.Clock().Advance(5 * time.Minute)
		sub, inv = latest(sub.ID)
		Expect(inv.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(inv.AttemptCount).To(Equal(int64(1)))
		Expect(sub.Status).To(Equal(stripe.SubscriptionStatusActive))
		Expect(charges(inv)).To(HaveLen(1))
		Expect(emu.EventTypes("")).NotTo(ContainElement("invoice.payment_failed"))

		// Naming no types, the invoice's PaymentIntent takes the type of
		// the default method that pays it: Stripe "attempts to
		// automatically determine the types to use by looking at the
		// invoice's default payment method, the subscription's default
		// payment method, the customer's default payment method".
		Expect(defaultIntent(sc, inv).PaymentMethodTypes).To(ContainElement("sepa_debit"))
	})
})
