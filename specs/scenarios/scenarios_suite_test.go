package scenarios_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-emu/stripe-emu/harness"
	"github.com/stripe-emu/stripe-emu/scenarios"
	"github.com/stripe-emu/stripe-emu/specs/apps/bookings"
	"github.com/stripe-emu/stripe-emu/specs/apps/coworking"
	"github.com/stripe-emu/stripe-emu/specs/apps/organizers"
	"github.com/stripe-emu/stripe-emu/specs/apps/pricing"
	"github.com/stripe-emu/stripe-emu/specs/apps/shop"
	"github.com/stripe-emu/stripe-emu/specs/apps/wholesale"
)

func TestScenarios(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Scenario library against the example apps")
}

const library = "../../scenarios"

// apps registers each example app in one variant.
func apps(fixed bool) harness.Apps {
	wrap := func(f func(harness.AppEnv, bool) http.Handler) harness.App {
		return harness.HandlerApp(func(env harness.AppEnv) http.Handler { return f(env, fixed) })
	}
	return harness.Apps{"shop": wrap(shop.New), "pricing": wrap(pricing.New), "organizers": wrap(organizers.New), "bookings": wrap(bookings.New), "coworking": wrap(coworking.New),
		"wholesale": wrap(wholesale.New)}
}

// Every scenario passes against the fixed apps.
var _ = harness.DescribeScenarios(library, apps(true))

// Each scenario's spec is placed at its file, where an editor or CI
// annotation should lead, not in the harness's source.
var _ = ReportAfterEach(func(r SpecReport) {
	if len(r.ContainerHierarchyTexts) == 0 || r.ContainerHierarchyTexts[0] != "scenarios in "+library || r.LeafNodeText == "load" {
		return
	}
	if !strings.HasSuffix(r.LeafNodeLocation.FileName, ".yaml") || !filepath.IsAbs(r.LeafNodeLocation.FileName) {
		Fail(fmt.Sprintf("spec %q is located at %s, not at its scenario file", r.LeafNodeText, r.LeafNodeLocation))
	}
})

// And every story's scenario catches its bug in the buggy app, with a
// message that points at it.
var _ = Describe("the buggy apps", Label("buggy"), func() {
	DescribeTable("fail their story's scenario",
		func(file string, wants ...string) {
			s, err := scenarios.Load(filepath.Join(library, file))
			Expect(err).NotTo(HaveOccurred())
			app, err := harness.AppFor(s, apps(false))
			Expect(err).NotTo(HaveOccurred())
			err = harness.Execute(s, app, harness.Options{})
			Expect(err).To(HaveOccurred(), "the harness must catch the bug")
			for _, w := range wants {
				Expect(err.Error()).To(ContainSubstring(w))
			}
			Expect(err.Error()).To(ContainSubstring("replay with seed"))
		},
		Entry("story 1: reads charge.invoice, one payment per invoice", "invoice-multiple-payments.yaml",
			`app body amount_paid: want 4000, got 0`, "app     GET /v1/charges/"),
		Entry("story 2: one customer per email across accounts", "connect-customers-per-account.yaml",
			"No such customer", "the app answered 502, want 201"),
		Entry("story 3: archives the default price first", "default-price-repoint.yaml",
			"This price cannot be archived because it is the default price of its product."),
		Entry("story 4: fulfils an unpaid checkout", "checkout-delayed-payment.yaml",
			`app body fulfilments: want 0, got 1`),
		Entry("story 4: fulfils a redelivered event again", "webhook-duplicate-delivery.yaml",
			`app body fulfilments: want 1, got 3`),
		Entry("story 4: fulfils again when the payment's success arrives before the checkout's completion", "checkout-events-out-of-order.yaml",
			`app body fulfilments: want 1, got 2`),
		Entry("story 4: fulfils every copy of a shuffled, duplicated checkout's deliveries", "checkout-events-shuffled.yaml",
			`app body fulfilments: want 1, got `),
		Entry("automatic tax: books the subtotal, without the tax, as charged", "checkout-automatic-tax-po-number.yaml",
			`app body amount_charged: want 64350, got 60000`),
		Entry("usage on invoice.created: adds the overage as a pending item, billed a month late", "usage-added-on-invoice-created.yaml",
			`amount_paid: want 2500, got 2000`),
	)
})
