package tax

// A levy is one tax a jurisdiction charges on a standard-rated sale: what
// the tax_rate Stripe Tax makes for it shows.
type levy struct {
	TaxType     string  // tax_rate.tax_type: vat, gst, hst, pst, qst, jct, sales_tax
	DisplayName string  // tax_rate.display_name
	Percentage  float64 // the standard rate
	Place       string  // the jurisdiction's name, for tax_rate.description ("VAT Germany")
	Level       string  // tax_rate.jurisdiction_level: country or state
}

// euMembers are the EU member states (VAT, OSS, reverse charge).
var euMembers = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true, "FI": true,
	"FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true,
	"MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true,
}

// countryLevies are the national standard rates the emulator knows, by
// country (the standard VAT/GST rates in force in 2025). Countries not
// here are refused at registration: the emulator has no rates for them.
var countryLevies = map[string]levy{
	// EU member states: standard VAT.
	"AT": {"vat", "VAT", 20, "Austria", "country"},
	"BE": {"vat", "VAT", 21, "Belgium", "country"},
	"BG": {"vat", "VAT", 20, "Bulgaria", "country"},
	"HR": {"vat", "VAT", 25, "Croatia", "country"},
	"CY": {"vat", "VAT", 19, "Cyprus", "country"},
	"CZ": {"vat", "VAT", 21, "Czech Republic", "country"},
	"DK": {"vat", "VAT", 25, "Denmark", "country"},
	"EE": {"vat", "VAT", 24, "Estonia", "country"},
	"FI": {"vat", "VAT", 25.5, "Finland", "country"},
	"FR": {"vat", "VAT", 20, "France", "country"},
	"DE": {"vat", "VAT", 19, "Germany", "country"},
	"GR": {"vat", "VAT", 24, "Greece", "country"},
	"HU": {"vat", "VAT", 27, "Hungary", "country"},
	"IE": {"vat", "VAT", 23, "Ireland", "country"},
	"IT": {"vat", "VAT", 22, "Italy", "country"},
	"LV": {"vat", "VAT", 21, "Latvia", "country"},
	"LT": {"vat", "VAT", 21, "Lithuania", "country"},
	"LU": {"vat", "VAT", 17, "Luxembourg", "country"},
	"MT": {"vat", "VAT", 18, "Malta", "country"},
	"NL": {"vat", "VAT", 21, "Netherlands", "country"},
	"PL": {"vat", "VAT", 23, "Poland", "country"},
	"PT": {"vat", "VAT", 23, "Portugal", "country"},
	"RO": {"vat", "VAT", 21, "Romania", "country"},
	"SK": {"vat", "VAT", 23, "Slovakia", "country"},
	"SI": {"vat", "VAT", 22, "Slovenia", "country"},
	"ES": {"vat", "VAT", 21, "Spain", "country"},
	"SE": {"vat", "VAT", 25, "Sweden", "country"},
	// Elsewhere in Europe.
	"GB": {"vat", "VAT", 20, "United Kingdom", "country"},
	"CH": {"vat", "VAT", 8.1, "Switzerland", "country"},
	"NO": {"vat", "VAT", 25, "Norway", "country"},
	"IS": {"vat", "VAT", 24, "Iceland", "country"},
	// Asia-Pacific.
	"AU": {"gst", "GST", 10, "Australia", "country"},
	"NZ": {"gst", "GST", 15, "New Zealand", "country"},
	"JP": {"jct", "JCT", 10, "Japan", "country"},
	"SG": {"gst", "GST", 9, "Singapore", "country"},
	"KR": {"vat", "VAT", 10, "South Korea", "country"},
	"TH": {"vat", "VAT", 7, "Thailand", "country"},
	// Elsewhere.
	"ZA": {"vat", "VAT", 15, "South Africa", "country"},
	"AE": {"vat", "VAT", 5, "United Arab Emirates", "country"},
	"SA": {"vat", "VAT", 15, "Saudi Arabia", "country"},
	"MX": {"vat", "VAT", 16, "Mexico", "country"},
	"TR": {"vat", "VAT", 20, "Turkey", "country"},
}

// canadaGST is the federal GST, charged where no HST replaces it.
var canadaGST = levy{"gst", "GST", 5, "Canada", "country"}

// canadaHST are the provinces whose HST replaces GST (a standard or
// simplified registration collects it).
var canadaHST = map[string]levy{
	"ON": {"hst", "HST", 13, "Ontario", "state"},
	"NB": {"hst", "HST", 15, "New Brunswick", "state"},
	"NS": {"hst", "HST", 14, "Nova Scotia", "state"},
	"NL": {"hst", "HST", 15, "Newfoundland and Labrador", "state"},
	"PE": {"hst", "HST", 15, "Prince Edward Island", "state"},
}

// canadaProvincial are the provincial sales taxes charged beside GST (a
// province_standard registration in the province collects them).
var canadaProvincial = map[string]levy{
	"BC": {"pst", "PST", 7, "British Columbia", "state"},
	"MB": {"rst", "RST", 7, "Manitoba", "state"},
	"SK": {"pst", "PST", 6, "Saskatchewan", "state"},
	"QC": {"qst", "QST", 9.975, "Quebec", "state"},
}

// canadaProvinces are the provinces and territories (for locating a
// buyer and validating province_standard).
var canadaProvinces = map[string]string{
	"AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
	"NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories", "NU": "Nunavut",
	"ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec", "SK": "Saskatchewan", "YT": "Yukon",
}

// usState is a state's state-level sales tax: the emulator applies only
// this rate, no county, city or district rates.
type usState struct {
	Name       string
	Percentage float64 // 0 where the state has no sales tax
}

// usStates are the states (and DC) with their state-level sales tax rates
// (2025).
var usStates = map[string]usState{
	"AL": {"Alabama", 4}, "AK": {"Alaska", 0}, "AZ": {"Arizona", 5.6}, "AR": {"Arkansas", 6.5},
	"CA": {"California", 7.25}, "CO": {"Colorado", 2.9}, "CT": {"Connecticut", 6.35}, "DE": {"Delaware", 0},
	"DC": {"District of Columbia", 6}, "FL": {"Florida", 6}, "GA": {"Georgia", 4}, "HI": {"Hawaii", 4},
	"ID": {"Idaho", 6}, "IL": {"Illinois", 6.25}, "IN": {"Indiana", 7}, "IA": {"Iowa", 6},
	"KS": {"Kansas", 6.5}, "KY": {"Kentucky", 6}, "LA": {"Louisiana", 5}, "ME": {"Maine", 5.5},
	"MD": {"Maryland", 6}, "MA": {"Massachusetts", 6.25}, "MI": {"Michigan", 6}, "MN": {"Minnesota", 6.875},
	"MS": {"Mississippi", 7}, "MO": {"Missouri", 4.225}, "MT": {"Montana", 0}, "NE": {"Nebraska", 5.5},
	"NV": {"Nevada", 6.85}, "NH": {"New Hampshire", 0}, "NJ": {"New Jersey", 6.625}, "NM": {"New Mexico", 4.875},
	"NY": {"New York", 4}, "NC": {"North Carolina", 4.75}, "ND": {"North Dakota", 5}, "OH": {"Ohio", 5.75},
	"OK": {"Oklahoma", 4.5}, "OR": {"Oregon", 0}, "PA": {"Pennsylvania", 6}, "RI": {"Rhode Island", 7},
	"SC": {"South Carolina", 6}, "SD": {"South Dakota", 4.2}, "TN": {"Tennessee", 7}, "TX": {"Texas", 6.25},
	"UT": {"Utah", 4.85}, "VT": {"Vermont", 6}, "VA": {"Virginia", 4.3}, "WA": {"Washington", 6.5},
	"WV": {"West Virginia", 6}, "WI": {"Wisconsin", 5}, "WY": {"Wyoming", 4},
}

// usZIPs maps the first three digits of a ZIP code to its state, as
// ranges [from, to] (inclusive): a US address with a ZIP code but no
// state is located by it.
var usZIPs = []struct {
	From, To int
	State    string
}{
	{5, 5, "NY"}, {10, 27, "MA"}, {28, 29, "RI"}, {30, 38, "NH"}, {39, 49, "ME"}, {50, 54, "VT"}, {55, 55, "MA"}, {56, 59, "VT"},
	{60, 69, "CT"}, {70, 89, "NJ"}, {100, 149, "NY"}, {150, 196, "PA"}, {197, 199, "DE"}, {200, 200, "DC"},
	{201, 201, "VA"}, {202, 205, "DC"}, {206, 219, "MD"}, {220, 246, "VA"}, {247, 268, "WV"}, {270, 289, "NC"},
	{290, 299, "SC"}, {300, 319, "GA"}, {320, 349, "FL"}, {350, 369, "AL"}, {370, 385, "TN"}, {386, 397, "MS"},
	{398, 399, "GA"}, {400, 427, "KY"}, {430, 459, "OH"}, {460, 479, "IN"}, {480, 499, "MI"}, {500, 528, "IA"},
	{530, 549, "WI"}, {550, 567, "MN"}, {570, 577, "SD"}, {580, 588, "ND"}, {590, 599, "MT"}, {600, 629, "IL"},
	{630, 658, "MO"}, {660, 679, "KS"}, {680, 693, "NE"}, {700, 715, "LA"}, {716, 729, "AR"}, {730, 732, "OK"}, {733, 733, "TX"}, {734, 749, "OK"},
	{750, 799, "TX"}, {800, 816, "CO"}, {820, 831, "WY"}, {832, 838, "ID"}, {840, 847, "UT"}, {850, 865, "AZ"},
	{870, 884, "NM"}, {885, 885, "TX"}, {889, 898, "NV"}, {900, 961, "CA"}, {967, 968, "HI"}, {970, 979, "OR"},
	{980, 994, "WA"}, {995, 999, "AK"},
}

// canadaPostal maps the first letter of a Canadian postal code to its
// province (X is shared by NT and NU: such a code alone does not locate).
var canadaPostal = map[byte]string{
	'A': "NL", 'B': "NS", 'C': "PE", 'E': "NB", 'G': "QC", 'H': "QC", 'J': "QC", 'K': "ON", 'L': "ON",
	'M': "ON", 'N': "ON", 'P': "ON", 'R': "MB", 'S': "SK", 'T': "AB", 'V': "BC", 'Y': "YT",
}

// businessIDs are, outside the EU, the tax ID types that make a buyer a
// registered business to whom a foreign seller's supply is reverse
// charged (the buyer accounts for the tax), by country.
var businessIDs = map[string]string{
	"GB": "gb_vat", "CH": "ch_vat", "NO": "no_vat", "AU": "au_abn", "NZ": "nz_gst", "SG": "sg_gst",
}
