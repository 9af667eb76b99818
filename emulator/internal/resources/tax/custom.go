package tax

import "github.com/stripe-emu/stripe-emu/emulator/internal/api"

// CustomKinds are the objects of the Tax API for custom integrations:
// calculations, transactions and their line items.
func CustomKinds() []*api.Kind {
	return []*api.Kind{CalculationKind, CalculationItemKind, TransactionKind, TransactionItemKind}
}

// CustomRoutes are the endpoints of the Tax API for custom integrations.
func CustomRoutes() []api.Route { return append(CalculationRoutes(), TransactionRoutes()...) }
