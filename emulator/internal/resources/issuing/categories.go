package issuing

// categoryCodes are the merchant category codes (MCCs) of the Stripe
// merchant categories the emulator can show an authorization's
// merchant_data.category_code for: those Stripe's "Issuing merchant
// categories" page (docs.stripe.com/issuing/categories) lists and the
// emulator's sources could read (its table's first rows), with
// taxicabs_limousines from Stripe's example authorization. Any other
// category is refused by name rather than shown with an invented code.
var categoryCodes = map[string]string{
	"ac_refrigeration_repair":          "7623",
	"accounting_bookkeeping_services":  "8931",
	"advertising_services":             "7311",
	"agricultural_cooperative":         "0763",
	"airlines_air_carriers":            "4511",
	"airports_flying_fields":           "4582",
	"ambulance_services":               "4119",
	"amusement_parks_carnivals":        "7996",
	"antique_reproductions":            "5937",
	"antique_shops":                    "5932",
	"aquariums":                        "7998",
	"architectural_surveying_services": "8911",
	"art_dealers_and_galleries":        "5971",
	"artists_supply_and_craft_shops":   "5970",
	"auto_body_repair_shops":           "7531",
	"auto_paint_shops":                 "7535",
	"auto_service_shops":               "7538",
	"auto_and_home_supply_stores":      "5531",
	"automated_cash_disburse":          "6011",
	"automated_fuel_dispensers":        "5542",
	"automobile_associations":          "8675",
	"taxicabs_limousines":              "4121",
}
