package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// Billing alerts: a usage threshold on a meter, triggered once per
// customer (recurrence one_time) when the usage reported after the alert
// was made reaches it.
var _ = Describe("Billing alerts", Label("billing", "meters", "alerts"), func() {
	var (
		emu   *emulator.Emulator
		sc    *stripe.Client
		meter *stripe.BillingMeter
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		meter, err = sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
			DisplayName: stripe.String("API calls"), EventName: stripe.String("api_call"),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("sum")},
		})
		Expect(err).NotTo(HaveOccurred())
	})

	newCustomer := func() string {
		GinkgoHelper()
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("usage@example.com")})
		Expect(err).NotTo(HaveOccurred())
		return cus.ID
	}
	record := func(customer string, value string) {
		GinkgoHelper()
		_, err := sc.V1BillingMeterEvents.Create(Ctx, &stripe.BillingMeterEventCreateParams{EventName: stripe.String("api_call"),
			Payload: map[string]string{"stripe_customer_id": customer, "value": value}})
		Expect(err).NotTo(HaveOccurred())
	}
	newAlert := func(gte int64, customer string) *stripe.BillingAlert {
		GinkgoHelper()
		p := &stripe.BillingAlertCreateParams{AlertType: stripe.String("usage_threshold"), Title: stripe.String("Heavy usage"),
			UsageThreshold: &stripe.BillingAlertCreateUsageThresholdParams{GTE: stripe.Int64(gte), Meter: stripe.String(meter.ID),
				Recurrence: stripe.String("one_time")}}
		if customer != "" {
			p.UsageThreshold.Filters = []*stripe.BillingAlertCreateUsageThresholdFilterParams{{Type: stripe.String("customer"), Customer: stripe.String(customer)}}
		}
		a, err := sc.V1BillingAlerts.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return a
	}
	triggered := func() []map[string]any {
		var out []map[string]any
		for _, ev := range emu.Events("") {
			if ev["type"] == "billing.alert.triggered" {
				out = append(out, ev["data"].(map[string]any)["object"].(map[string]any))
			}
		}
		return out
	}

	It("creates, retrieves and lists alerts, with the meter and customer expandable", func() {
		cus := newCustomer()
		before := len(emu.Events(""))
		a := newAlert(100, cus)
		Expect(a.ID).To(HavePrefix("alrt_"))
		Expect(a.Object).To(Equal("billing.alert"))
		Expect(a.AlertType).To(Equal(stripe.BillingAlertAlertTypeUsageThreshold))
		Expect(a.Status).To(Equal(stripe.BillingAlertStatusActive))
		Expect(a.Title).To(Equal("Heavy usage"))
		Expect(a.UsageThreshold.GTE).To(Equal(int64(100)))
		Expect(a.UsageThreshold.Meter.ID).To(Equal(meter.ID))
		Expect(a.UsageThreshold.Recurrence).To(Equal(stripe.BillingAlertUsageThresholdRecurrenceOneTime))
		Expect(a.UsageThreshold.Filters).To(HaveLen(1))
		Expect(a.UsageThreshold.Filters[0].Customer.ID).To(Equal(cus))
		Expect(emu.Events("")).To(HaveLen(before), "Stripe has no events about alerts themselves")

		all := newAlert(5, "")
		Expect(all.UsageThreshold.Filters).To(BeNil())

		got, err := sc.V1BillingAlerts.Retrieve(Ctx, a.ID, &stripe.BillingAlertRetrieveParams{Params: stripe.Params{
			Expand: []*string{stripe.String("usage_threshold.meter"), stripe.String("usage_threshold.filters.customer")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.UsageThreshold.Meter.DisplayName).To(Equal("API calls"))
		Expect(got.UsageThreshold.Filters[0].Customer.Email).To(Equal("usage@example.com"))

		other, err := sc.V1BillingMeters.Create(Ctx, &stripe.BillingMeterCreateParams{
			DisplayName: stripe.String("Tokens"), EventName: stripe.String("tokens"),
			DefaultAggregation: &stripe.BillingMeterCreateDefaultAggregationParams{Formula: stripe.String("count")},
		})
		Expect(err).NotTo(HaveOccurred())
		ids := func(p *stripe.BillingAlertListParams) []string {
			GinkgoHelper()
			var out []string
			for al, err := range sc.V1BillingAlerts.List(Ctx, p) {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, al.ID)
			}
			return out
		}
		Expect(ids(&stripe.BillingAlertListParams{})).To(Equal([]string{all.ID, a.ID}))
		Expect(ids(&stripe.BillingAlertListParams{Meter: stripe.String(meter.ID), AlertType: stripe.String("usage_threshold")})).To(Equal([]string{all.ID, a.ID}))
		Expect(ids(&stripe.BillingAlertListParams{Meter: stripe.String(other.ID)})).To(BeEmpty())

		_, err = sc.V1BillingAlerts.Retrieve(Ctx, "alrt_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	It("refuses alerts Stripe refuses", func() {
		_, err := sc.V1BillingAlerts.Create(Ctx, &stripe.BillingAlertCreateParams{AlertType: stripe.String("usage_threshold"),
			Title: stripe.String("x")})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "usage_threshold")
		_, err = sc.V1BillingAlerts.Create(Ctx, &stripe.BillingAlertCreateParams{AlertType: stripe.String("usage_threshold"),
			Title: stripe.String("x"), UsageThreshold: &stripe.BillingAlertCreateUsageThresholdParams{GTE: stripe.Int64(1),
				Meter: stripe.String("mtr_test_missing"), Recurrence: stripe.String("one_time")}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "usage_threshold[meter]")
		_, err = sc.V1BillingAlerts.Create(Ctx, &stripe.BillingAlertCreateParams{AlertType: stripe.String("usage_threshold"),
			Title: stripe.String("x"), UsageThreshold: &stripe.BillingAlertCreateUsageThresholdParams{GTE: stripe.Int64(1),
				Meter: stripe.String(meter.ID), Recurrence: stripe.String("monthly")}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "usage_threshold[recurrence]")
		_, err = sc.V1BillingAlerts.Create(Ctx, &stripe.BillingAlertCreateParams{AlertType: stripe.String("usage_threshold"),
			Title: stripe.String("x"), UsageThreshold: &stripe.BillingAlertCreateUsageThresholdParams{GTE: stripe.Int64(1),
				Meter: stripe.String(meter.ID), Recurrence: stripe.String("one_time"),
				Filters: []*stripe.BillingAlertCreateUsageThresholdFilterParams{{Type: stripe.String("customer"), Customer: stripe.String("cus_missing")}}}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "usage_threshold[filters][0][customer]")
		Expect(emu.Count("", "billing.alert")).To(Equal(0))
	})

	It("triggers once per customer when usage reported after the alert reaches gte", func() {
		alice, bob := newCustomer(), newCustomer()
		record(alice, "80") // before the alert: not counted
		a := newAlert(100, "")
		record(alice, "60")
		record(bob, "99")
		Expect(triggered()).To(BeEmpty())

		record(alice, "40")
		evs := triggered()
		Expect(evs).To(HaveLen(1))
		Expect(evs[0]["object"]).To(Equal("billing.alert_triggered"))
		Expect(evs[0]["customer"]).To(Equal(alice))
		Expect(evs[0]["value"]).To(BeNumerically("==", 100))
		Expect(evs[0]["created"]).To(BeNumerically("==", emu.Clock().Now().Unix()))
		Expect(evs[0]["alert"]).To(HaveKeyWithValue("id", a.ID))

		record(alice, "500") // one_time: never again for alice
		record(bob, "1")
		evs = triggered()
		Expect(evs).To(HaveLen(2))
		Expect(evs[1]["customer"]).To(Equal(bob))
		Expect(evs[1]["value"]).To(BeNumerically("==", 100))
	})

	It("watches only its customer, and neither an inactive nor an archived alert", func() {
		alice, bob := newCustomer(), newCustomer()
		a := newAlert(10, alice)
		record(bob, "50")
		Expect(triggered()).To(BeEmpty(), "the alert is scoped to alice")

		a, err := sc.V1BillingAlerts.Deactivate(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Status).To(Equal(stripe.BillingAlertStatusInactive))
		record(alice, "50")
		Expect(triggered()).To(BeEmpty(), "inactive")

		a, err = sc.V1BillingAlerts.Activate(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Status).To(Equal(stripe.BillingAlertStatusActive))
		record(alice, "1")
		Expect(triggered()).To(HaveLen(1), "usage reported since creation counts once active again")
		Expect(triggered()[0]["value"]).To(BeNumerically("==", 51))

		archived, err := sc.V1BillingAlerts.Archive(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(archived.Status).To(Equal(stripe.BillingAlertStatusArchived))
		_, err = sc.V1BillingAlerts.Activate(Ctx, a.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		for al, err := range sc.V1BillingAlerts.List(Ctx, &stripe.BillingAlertListParams{}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(al.ID).NotTo(Equal(a.ID), "archived alerts are no longer listed")
		}
		got, err := sc.V1BillingAlerts.Retrieve(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.BillingAlertStatusArchived))
	})

	It("sends none for a customer on a test clock, as Stripe documents", func() {
		clk, err := sc.V1TestHelpersTestClocks.Create(Ctx, &stripe.TestHelpersTestClockCreateParams{FrozenTime: stripe.Int64(emu.Clock().Now().Unix())})
		Expect(err).NotTo(HaveOccurred())
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{TestClock: stripe.String(clk.ID)})
		Expect(err).NotTo(HaveOccurred())
		newAlert(1, "")
		record(cus.ID, "10")
		Expect(triggered()).To(BeEmpty())
	})

	It("takes at most 25 alerts for a meter and customer, as Stripe documents, archived ones not counting", func() {
		cus := newCustomer()
		var first *stripe.BillingAlert
		for i := 0; i < 25; i++ {
			a := newAlert(int64(i+1), cus)
			if first == nil {
				first = a
			}
		}
		newAlert(1, "")            // every customer: another combination
		newAlert(1, newCustomer()) // another customer
		p := &stripe.BillingAlertCreateParams{AlertType: stripe.String("usage_threshold"), Title: stripe.String("One too many"),
			UsageThreshold: &stripe.BillingAlertCreateUsageThresholdParams{GTE: stripe.Int64(99), Meter: stripe.String(meter.ID), Recurrence: stripe.String("one_time"),
				Filters: []*stripe.BillingAlertCreateUsageThresholdFilterParams{{Type: stripe.String("customer"), Customer: stripe.String(cus)}}}}
		_, err := sc.V1BillingAlerts.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "usage_threshold[meter]")
		Expect(emu.Count("", "billing.alert")).To(Equal(27))

		_, err = sc.V1BillingAlerts.Archive(Ctx, first.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1BillingAlerts.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
	})
})
