package emulator

import (
	"sync"

	"github.com/stripe-emu/stripe-emu/emulator/internal/api"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/accounts"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/alerts"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/apps"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/billingportal"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/catalog"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/checkout"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/clientkeys"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coreevents"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/countryspecs"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/coupons"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/credits"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/customers"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/entitlements"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/events"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/files"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/identity"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/issuing"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/meters"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/methoddomains"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/payments"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/quotes"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/radarlists"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/reporting"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/shipping"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/tax"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/taxrates"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/terminal"
	"github.com/stripe-emu/stripe-emu/emulator/internal/resources/webhookendpoints"
)

// kinds lists every object type the emulator knows.
func kinds() []*api.Kind {
	out := []*api.Kind{
		accounts.Kind,
		accounts.ApplicationKind,
		accounts.BankAccountKind,
		accounts.CapabilityKind,
		accounts.PersonKind,
		customers.Kind,
		customers.BalanceTransactionKind,
		customers.TaxIDKind,
		catalog.ProductKind,
		catalog.PriceKind,
		catalog.PlanKind,
		events.Kind,
		webhookendpoints.Kind,
		checkout.Kind,
		checkout.ItemKind,
		checkout.LinkKind,
		taxrates.Kind,
		shipping.Kind,
		methoddomains.Kind,
		methoddomains.ApplePayKind,
		tax.RegistrationKind,
		tax.CodeKind,
	}
	for _, family := range [][]*api.Kind{payments.Kinds(), billing.Kinds(), billingportal.Kinds(), coupons.Kinds(), meters.Kinds(), alerts.Kinds(), credits.Kinds(), clientkeys.Kinds(), entitlements.Kinds(), quotes.Kinds(), files.Kinds(), tax.CustomKinds(), radarlists.Kinds(), reporting.Kinds(), coreevents.Kinds(), terminal.Kinds(), identity.Kinds(), apps.Kinds(), issuing.Kinds()} {
		out = append(out, family...)
	}
	return out
}

// timers are the resource families' time-driven work, run (all together,
// in time order) whenever the clock moves.
func timers() []api.Timer {
	return append(payments.Timers(), billing.Timer, billing.ClockExpiry, credits.Timer, checkout.Timer, customers.TaxIDTimer, quotes.Timer, files.Timer, reporting.Timer, identity.Timer, issuing.Timer, issuing.DisputeTimer)
}

// routes lists every resource family's endpoint table.
// compiledRoutes are routes compiled once per process and shared by every
// emulator: compiling them was most of what starting one cost.
var compiledRoutes = sync.OnceValue(func() *api.Routes { return api.Compile(routes()...) })

func routes() [][]api.Route {
	return [][]api.Route{
		accounts.Routes(),
		countryspecs.Routes(),
		customers.Routes(),
		customers.BalanceRoutes(),
		customers.TaxIDRoutes(),
		catalog.ProductRoutes(),
		catalog.PriceRoutes(),
		catalog.PlanRoutes(),
		events.Routes(),
		payments.Routes(),
		billing.Routes(),
		billingportal.Routes(),
		webhookendpoints.Routes(),
		checkout.Routes(),
		checkout.LinkRoutes(),
		coupons.Routes(),
		taxrates.Routes(),
		shipping.Routes(),
		tax.SettingsRoutes(),
		tax.RegistrationRoutes(),
		tax.CodeRoutes(),
		meters.Routes(),
		meters.V2Routes(),
		coreevents.Routes(),
		alerts.Routes(),
		credits.Routes(),
		clientkeys.Routes(),
		entitlements.Routes(),
		quotes.Routes(),
		files.Routes(),
		methoddomains.Routes(),
		methoddomains.ApplePayRoutes(),
		tax.CustomRoutes(),
		radarlists.Routes(),
		reporting.Routes(),
		terminal.Routes(),
		identity.Routes(),
		apps.Routes(),
		issuing.Routes(),
	}
}
