package payments_test

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The catalogue of Stripe's test cards, row by row as Stripe's Testing page
// (docs.stripe.com/testing) lists them: each row's card number, sent raw,
// its PaymentMethod (pm_card_…) and its token (tok_…), where the page
// gives them, must do what the row says.

// testCard is one row: the ways to use it ("" where the page has none).
type testCard struct{ number, pm, tok string }

// ways are a row's ways in, each with the row's number (for the
// fingerprint every way must share).
func (t testCard) ways() [][2]string {
	var out [][2]string
	for _, w := range []string{t.number, t.pm, t.tok} {
		if w != "" {
			out = append(out, [2]string{w, t.number})
		}
	}
	return out
}

// entries makes one table entry per way of each row: name, then the way,
// the row's number and args.
func entries(rows map[string]testCard, args func(name string) []any) []TableEntry {
	var out []TableEntry
	for name, row := range rows {
		for _, w := range row.ways() {
			out = append(out, Entry(fmt.Sprintf("%s via %s", name, w[0]), append([]any{w[0], w[1]}, args(name)...)...))
		}
	}
	return out
}

// payingCards are the rows of Cards by brand, the co-branded cards, the HSA
// and FSA cards and Cards by country, with the brand, funding and country
// of each (by brand: US unless issued abroad).
var payingCards = map[string]struct {
	testCard
	brand, funding, country string
}{
	"Visa":                         {testCard{"4242424242424242", "pm_card_visa", "tok_visa"}, "visa", "credit", "US"},
	"Visa (debit)":                 {testCard{"4000056655665556", "pm_card_visa_debit", "tok_visa_debit"}, "visa", "debit", "US"},
	"Mastercard":                   {testCard{"5555555555554444", "pm_card_mastercard", "tok_mastercard"}, "mastercard", "credit", "US"},
	"Mastercard (2-series)":        {testCard{"2223003122003222", "", ""}, "mastercard", "credit", "US"},
	"Mastercard (debit)":           {testCard{"5200828282828210", "pm_card_mastercard_debit", "tok_mastercard_debit"}, "mastercard", "debit", "US"},
	"Mastercard (prepaid)":         {testCard{"5105105105105100", "pm_card_mastercard_prepaid", "tok_mastercard_prepaid"}, "mastercard", "prepaid", "US"},
	"American Express":             {testCard{"378282246310005", "pm_card_amex", "tok_amex"}, "amex", "credit", "US"},
	"American Express (2nd)":       {testCard{"371449635398431", "", ""}, "amex", "credit", "US"},
	"Discover":                     {testCard{"6011111111111117", "pm_card_discover", "tok_discover"}, "discover", "credit", "US"},
	"Discover (2nd)":               {testCard{"6011000990139424", "", ""}, "discover", "credit", "US"},
	"Discover (debit)":             {testCard{"6011981111111113", "", ""}, "discover", "debit", "US"},
	"Diners Club":                  {testCard{"3056930009020004", "pm_card_diners", "tok_diners"}, "diners", "credit", "US"},
	"Diners Club (14-digit)":       {testCard{"36227206271667", "", ""}, "diners", "credit", "US"},
	"BCcard and DinaCard":          {testCard{"6555900000604105", "", ""}, "discover", "credit", "US"},
	"JCB":                          {testCard{"3566002020360505", "pm_card_jcb", "tok_jcb"}, "jcb", "credit", "JP"},
	"UnionPay":                     {testCard{"6200000000000005", "pm_card_unionpay", "tok_unionpay"}, "unionpay", "credit", "CN"},
	"UnionPay (debit)":             {testCard{"6200000000000047", "", ""}, "unionpay", "debit", "CN"},
	"UnionPay (19-digit)":          {testCard{"6205500000000000004", "", ""}, "unionpay", "credit", "CN"},
	"Cartes Bancaires/Visa":        {testCard{"4000002500001001", "pm_card_visa_cartesBancaires", "tok_visa_cartesBancaires"}, "visa", "credit", "FR"},
	"Cartes Bancaires/Mastercard":  {testCard{"5555552500001001", "pm_card_mastercard_cartesBancaires", "tok_mastercard_cartesBancaires"}, "mastercard", "credit", "FR"},
	"eftpos Australia/Visa":        {testCard{"4000050360000001", "pm_card_visa_debit_eftposAuCoBranded", "tok_visa_debit_eftposAuCoBranded"}, "visa", "debit", "AU"},
	"eftpos Australia/Mastercard":  {testCard{"5555050360000080", "pm_card_mastercard_debit_eftposAuCoBranded", "tok_mastercard_debit_eftposAuCoBranded"}, "mastercard", "debit", "AU"},
	"Visa FSA":                     {testCard{"4000051230000072", "pm_card_debit_visaFsaProductCode", ""}, "visa", "debit", "US"},
	"Visa HSA":                     {testCard{"4000051230000072", "pm_card_debit_visaHsaProductCode", ""}, "visa", "debit", "US"},
	"Mastercard FSA":               {testCard{"5200828282828897", "pm_card_mastercard_debit_mastercardFsaProductCode", ""}, "mastercard", "debit", "US"},
	"United States (US)":           {testCard{"4242424242424242", "pm_card_us", "tok_us"}, "visa", "credit", "US"},
	"Argentina (AR)":               {testCard{"4000000320000021", "pm_card_ar", "tok_ar"}, "visa", "credit", "AR"},
	"Brazil (BR)":                  {testCard{"4000000760000002", "pm_card_br", "tok_br"}, "visa", "credit", "BR"},
	"Canada (CA)":                  {testCard{"4000001240000000", "pm_card_ca", "tok_ca"}, "visa", "credit", "CA"},
	"Chile (CL)":                   {testCard{"4000001520000001", "pm_card_cl", "tok_cl"}, "visa", "credit", "CL"},
	"Colombia (CO)":                {testCard{"4000001700000003", "pm_card_co", "tok_co"}, "visa", "credit", "CO"},
	"Costa Rica (CR)":              {testCard{"4000001880000005", "pm_card_cr", "tok_cr"}, "visa", "credit", "CR"},
	"Ecuador (EC)":                 {testCard{"4000002180000000", "pm_card_ec", "tok_ec"}, "visa", "credit", "EC"},
	"Mexico (MX)":                  {testCard{"4000004840008001", "pm_card_mx", "tok_mx"}, "visa", "credit", "MX"},
	"Panama (PA)":                  {testCard{"4000005910000000", "pm_card_pa", "tok_pa"}, "visa", "credit", "PA"},
	"Paraguay (PY)":                {testCard{"4000006000000066", "pm_card_py", "tok_py"}, "visa", "credit", "PY"},
	"Peru (PE)":                    {testCard{"4000006040000068", "pm_card_pe", "tok_pe"}, "visa", "credit", "PE"},
	"Uruguay (UY)":                 {testCard{"4000008580000003", "pm_card_uy", "tok_uy"}, "visa", "credit", "UY"},
	"United Arab Emirates (AE)":    {testCard{"4000007840000001", "pm_card_ae", "tok_ae"}, "visa", "credit", "AE"},
	"United Arab Emirates (AE) MC": {testCard{"5200007840000022", "pm_card_ae_mastercard", "tok_ae_mastercard"}, "mastercard", "credit", "AE"},
	"Austria (AT)":                 {testCard{"4000000400000008", "pm_card_at", "tok_at"}, "visa", "credit", "AT"},
	"Belgium (BE)":                 {testCard{"4000000560000004", "pm_card_be", "tok_be"}, "visa", "credit", "BE"},
	"Bulgaria (BG)":                {testCard{"4000001000000000", "pm_card_bg", "tok_bg"}, "visa", "credit", "BG"},
	"Belarus (BY)":                 {testCard{"4000001120000005", "pm_card_by", "tok_by"}, "visa", "credit", "BY"},
	"Croatia (HR)":                 {testCard{"4000001910000009", "pm_card_hr", "tok_hr"}, "visa", "credit", "HR"},
	"Cyprus (CY)":                  {testCard{"4000001960000008", "pm_card_cy", "tok_cy"}, "visa", "credit", "CY"},
	"Czech Republic (CZ)":          {testCard{"4000002030000002", "pm_card_cz", "tok_cz"}, "visa", "credit", "CZ"},
	"Denmark (DK)":                 {testCard{"4000002080000001", "pm_card_dk", "tok_dk"}, "visa", "credit", "DK"},
	"Estonia (EE)":                 {testCard{"4000002330000009", "pm_card_ee", "tok_ee"}, "visa", "credit", "EE"},
	"Finland (FI)":                 {testCard{"4000002460000001", "pm_card_fi", "tok_fi"}, "visa", "credit", "FI"},
	"France (FR)":                  {testCard{"4000002500000003", "pm_card_fr", "tok_fr"}, "visa", "credit", "FR"},
	"Germany (DE)":                 {testCard{"4000002760000016", "pm_card_de", "tok_de"}, "visa", "credit", "DE"},
	"Gibraltar (GI)":               {testCard{"4000002920000005", "pm_card_gi", "tok_gi"}, "visa", "credit", "GI"},
	"Greece (GR)":                  {testCard{"4000003000000030", "pm_card_gr", "tok_gr"}, "visa", "credit", "GR"},
	"Hungary (HU)":                 {testCard{"4000003480000005", "pm_card_hu", "tok_hu"}, "visa", "credit", "HU"},
	"Ireland (IE)":                 {testCard{"4000003720000005", "pm_card_ie", "tok_ie"}, "visa", "credit", "IE"},
	"Italy (IT)":                   {testCard{"4000003800000008", "pm_card_it", "tok_it"}, "visa", "credit", "IT"},
	"Latvia (LV)":                  {testCard{"4000004280000005", "pm_card_lv", "tok_lv"}, "visa", "credit", "LV"},
	"Liechtenstein (LI)":           {testCard{"4000004380000004", "pm_card_li", "tok_li"}, "visa", "credit", "LI"},
	"Lithuania (LT)":               {testCard{"4000004400000000", "pm_card_lt", "tok_lt"}, "visa", "credit", "LT"},
	"Luxembourg (LU)":              {testCard{"4000004420000006", "pm_card_lu", "tok_lu"}, "visa", "credit", "LU"},
	"Malta (MT)":                   {testCard{"4000004700000007", "pm_card_mt", "tok_mt"}, "visa", "credit", "MT"},
	"Netherlands (NL)":             {testCard{"4000005280000002", "pm_card_nl", "tok_nl"}, "visa", "credit", "NL"},
	"Norway (NO)":                  {testCard{"4000005780000007", "pm_card_no", "tok_no"}, "visa", "credit", "NO"},
	"Poland (PL)":                  {testCard{"4000006160000005", "pm_card_pl", "tok_pl"}, "visa", "credit", "PL"},
	"Portugal (PT)":                {testCard{"4000006200000007", "pm_card_pt", "tok_pt"}, "visa", "credit", "PT"},
	"Romania (RO)":                 {testCard{"4000006420000001", "pm_card_ro", "tok_ro"}, "visa", "credit", "RO"},
	"Saudi Arabia (SA)":            {testCard{"4000006820000007", "", ""}, "visa", "credit", "SA"},
	"Slovenia (SI)":                {testCard{"4000007050000006", "pm_card_si", "tok_si"}, "visa", "credit", "SI"},
	"Slovakia (SK)":                {testCard{"4000007030000001", "pm_card_sk", "tok_sk"}, "visa", "credit", "SK"},
	"Spain (ES)":                   {testCard{"4000007240000007", "pm_card_es", "tok_es"}, "visa", "credit", "ES"},
	"Sweden (SE)":                  {testCard{"4000007520000008", "pm_card_se", "tok_se"}, "visa", "credit", "SE"},
	"Switzerland (CH)":             {testCard{"4000007560000009", "pm_card_ch", "tok_ch"}, "visa", "credit", "CH"},
	"United Kingdom (GB)":          {testCard{"4000008260000000", "pm_card_gb", "tok_gb"}, "visa", "credit", "GB"},
	"United Kingdom (GB) debit":    {testCard{"4000058260000005", "pm_card_gb_debit", "tok_gb_debit"}, "visa", "debit", "GB"},
	"United Kingdom (GB) MC":       {testCard{"5555558265554449", "pm_card_gb_mastercard", "tok_gb_mastercard"}, "mastercard", "credit", "GB"},
	"Australia (AU)":               {testCard{"4000000360000006", "pm_card_au", "tok_au"}, "visa", "credit", "AU"},
	"China (CN)":                   {testCard{"4000001560000002", "pm_card_cn", "tok_cn"}, "visa", "credit", "CN"},
	"Hong Kong (HK)":               {testCard{"4000003440000004", "pm_card_hk", "tok_hk"}, "visa", "credit", "HK"},
	"India (IN)":                   {testCard{"4000003560000008", "pm_card_in", "tok_in"}, "visa", "credit", "IN"},
	"Japan (JP)":                   {testCard{"4000003920000003", "pm_card_jp", "tok_jp"}, "visa", "credit", "JP"},
	"Japan (JP) JCB":               {testCard{"3530111333300000", "", ""}, "jcb", "credit", "JP"},
	"Malaysia (MY)":                {testCard{"4000004580000002", "pm_card_my", "tok_my"}, "visa", "credit", "MY"},
	"New Zealand (NZ)":             {testCard{"4000005540000008", "pm_card_nz", "tok_nz"}, "visa", "credit", "NZ"},
	"Singapore (SG)":               {testCard{"4000007020000003", "pm_card_sg", "tok_sg"}, "visa", "credit", "SG"},
	"Taiwan (TW)":                  {testCard{"4000001580000008", "pm_card_tw", "tok_tw"}, "visa", "credit", "TW"},
	"Thailand (TH) credit":         {testCard{"4000007640000003", "pm_card_th_credit", "tok_th_credit"}, "visa", "credit", "TH"},
	"Thailand (TH) debit":          {testCard{"4000057640000008", "pm_card_th_debit", "tok_th_debit"}, "visa", "debit", "TH"},
	// Cards that behave as plain cards in API calls: 3D Secure optional
	// (Radar requests none), captcha challenges (a page's).
	"3DS Supported OK":         {testCard{"4000000000003055", "pm_card_threeDSecureOptional", "tok_threeDSecureOptional"}, "visa", "credit", "US"},
	"3DS Supported Error":      {testCard{"4000000000003097", "pm_card_threeDSecureOptionalProcessingError", "tok_threeDSecureOptionalProcessingError"}, "visa", "credit", "US"},
	"Captcha challenge":        {testCard{"4000000000001208", "", ""}, "visa", "credit", "US"},
	"Captcha challenge (2nd)":  {testCard{"4000000000003725", "", ""}, "visa", "credit", "US"},
	"3DS Not supported (amex)": {testCard{"", "pm_card_amex_threeDSecureNotSupported", "tok_amex_threeDSecureNotSupported"}, "amex", "credit", "US"},
}

// displayBrands are the display_brand of each card brand: Stripe's
// reference lists american_express, diners_club and union_pay among its
// values, not brand's amex, diners and unionpay.
var displayBrands = map[string]string{
	"visa": "visa", "mastercard": "mastercard", "amex": "american_express", "discover": "discover",
	"diners": "diners_club", "jcb": "jcb", "unionpay": "union_pay",
}

// declinedCards are the rows of Declined payments (with the decline after
// attaching, the live card test mode refuses, and the 3D Secure lookup
// error): error code, decline code and message, and whether the card can
// be saved on a customer. The page gives the expired card, incorrect CVC
// and processing error rows no decline code ("n/a"), and Stripe's bodies
// carry none: the error code is the issuer's reason, which the charge's
// outcome gives.
var declinedCards = map[string]struct {
	testCard
	code, declineCode, message string
	attaches                   bool
}{
	"Generic decline":                    {testCard{"4000000000000002", "pm_card_visa_chargeDeclined", "tok_visa_chargeDeclined"}, "card_declined", "generic_decline", "Your card was declined.", false},
	"Generic decline (older)":            {testCard{"", "pm_card_chargeDeclined", "tok_chargeDeclined"}, "card_declined", "generic_decline", "Your card was declined.", false},
	"Insufficient funds":                 {testCard{"4000000000009995", "pm_card_visa_chargeDeclinedInsufficientFunds", "tok_visa_chargeDeclinedInsufficientFunds"}, "card_declined", "insufficient_funds", "Your card has insufficient funds.", false},
	"Lost card":                          {testCard{"4000000000009987", "pm_card_visa_chargeDeclinedLostCard", "tok_visa_chargeDeclinedLostCard"}, "card_declined", "lost_card", "Your card was declined.", false},
	"Stolen card":                        {testCard{"4000000000009979", "pm_card_visa_chargeDeclinedStolenCard", "tok_visa_chargeDeclinedStolenCard"}, "card_declined", "stolen_card", "Your card was declined.", false},
	"Expired card":                       {testCard{"4000000000000069", "pm_card_chargeDeclinedExpiredCard", "tok_chargeDeclinedExpiredCard"}, "expired_card", "", "Your card has expired.", false},
	"Expired card (visa tok)":            {testCard{"", "", "tok_visa_chargeDeclinedExpiredCard"}, "expired_card", "", "Your card has expired.", false},
	"Incorrect CVC":                      {testCard{"4000000000000127", "pm_card_chargeDeclinedIncorrectCvc", "tok_chargeDeclinedIncorrectCvc"}, "incorrect_cvc", "", "Your card's security code is incorrect.", false},
	"Incorrect CVC (visa tok)":           {testCard{"", "", "tok_visa_chargeDeclinedIncorrectCvc"}, "incorrect_cvc", "", "Your card's security code is incorrect.", false},
	"Processing error":                   {testCard{"4000000000000119", "pm_card_chargeDeclinedProcessingError", "tok_chargeDeclinedProcessingError"}, "processing_error", "", "An error occurred while processing your card. Try again in a little bit.", false},
	"Processing error (visa)":            {testCard{"", "", "tok_visa_chargeDeclinedProcessingError"}, "processing_error", "", "An error occurred while processing your card. Try again in a little bit.", false},
	"Velocity limit":                     {testCard{"4000000000006975", "pm_card_visa_chargeDeclinedVelocityLimitExceeded", "tok_visa_chargeDeclinedVelocityLimitExceeded"}, "card_declined", "card_velocity_exceeded", "Your card was declined for making repeated attempts too frequently or exceeding its amount limit.", false},
	"Decline after attaching":            {testCard{"4000000000000341", "pm_card_chargeCustomerFail", "tok_chargeCustomerFail"}, "card_declined", "generic_decline", "Your card was declined.", true},
	"Decline after attaching (visa tok)": {testCard{"", "", "tok_visa_chargeCustomerFail"}, "card_declined", "generic_decline", "Your card was declined.", true},
	"3DS Required Error":                 {testCard{"4000008400001280", "pm_card_threeDSecureRequiredProcessingError", "tok_threeDSecureRequiredProcessingError"}, "card_declined", "generic_decline", "Your card was declined.", true},
	"A live card in test mode": {testCard{"4111111111111111", "", ""}, "card_declined", "test_mode_live_card",
		"Your card was declined. Your request used a real card while testing. For a list of valid test cards, visit: https://stripe.com/docs/testing.", false},
}

// fraudCards are the rows of Fraud prevention: Radar's verdict
// (outcome.type, risk_level), the decline if any (code/decline_code: a
// failed check's code is its reason, with no decline_code, as the
// incorrect CVC row of Declined payments), and each check's result
// when what it checks is given (the raw cards are sent with a CVC and a
// billing address; Stripe's test PaymentMethods and tokens come with a
// CVC, and an address for the address cards only).
var fraudCards = map[string]struct {
	testCard
	outcomeType, riskLevel, declineCode string
	cvc, line1, zip                     string
}{
	"Always blocked":                 {testCard{"4100000000000019", "pm_card_radarBlock", "tok_radarBlock"}, "blocked", "highest", "card_declined/fraudulent", "pass", "pass", "pass"},
	"Always blocked (older)":         {testCard{"", "pm_card_chargeDeclinedFraudulent", "tok_chargeDeclinedFraudulent"}, "blocked", "highest", "card_declined/fraudulent", "pass", "pass", "pass"},
	"Fraudulent card decline (tok)":  {testCard{"", "", "tok_visa_chargeDeclinedFraudulent"}, "blocked", "highest", "card_declined/fraudulent", "pass", "pass", "pass"},
	"Highest risk":                   {testCard{"4000000000004954", "pm_card_riskLevelHighest", "tok_riskLevelHighest"}, "blocked", "highest", "card_declined/fraudulent", "pass", "pass", "pass"},
	"Elevated risk":                  {testCard{"4000000000009235", "pm_card_riskLevelElevated", "tok_riskLevelElevated"}, "manual_review", "elevated", "", "pass", "pass", "pass"},
	"CVC check fails":                {testCard{"4000000000000101", "pm_card_cvcCheckFail", "tok_cvcCheckFail"}, "issuer_declined", "normal", "incorrect_cvc/", "fail", "pass", "pass"},
	"Postal code check fails":        {testCard{"4000000000000036", "pm_card_avsZipFail", "tok_avsZipFail"}, "issuer_declined", "normal", "incorrect_zip/", "pass", "pass", "fail"},
	"CVC check fails, elevated risk": {testCard{"4000058400307872", "pm_card_cvcCheckFailElevatedRisk", "tok_cvcCheckFailElevatedRisk"}, "issuer_declined", "elevated", "incorrect_cvc/", "fail", "pass", "pass"},
	"Postal code fails, elevated":    {testCard{"4000058400306072", "pm_card_avsZipFailElevatedRisk", "tok_avsZipFailElevatedRisk"}, "issuer_declined", "elevated", "incorrect_zip/", "pass", "pass", "fail"},
	"Line1 check fails":              {testCard{"4000000000000028", "pm_card_avsLine1Fail", "tok_avsLine1Fail"}, "authorized", "normal", "", "pass", "fail", "pass"},
	"Address checks fail":            {testCard{"4000000000000010", "pm_card_avsFail", "tok_avsFail"}, "issuer_declined", "normal", "incorrect_zip/", "pass", "fail", "fail"},
	"Address unavailable":            {testCard{"4000000000000044", "pm_card_avsUnchecked", "tok_avsUnchecked"}, "authorized", "normal", "", "pass", "unavailable", "unavailable"},
}

// threeDSCards are the rows of 3D Secure authentication (and the mobile
// challenge flows, which API calls treat as required 3D Secure): what a
// payment does on-session, once authenticated, and off-session ("" where
// the page says nothing). A decline is code/decline_code.
var threeDSCards = map[string]struct {
	testCard
	onSession, authenticated, offSession string
}{
	"Authenticate unless set up": {testCard{"4000002500003155", "pm_card_authenticationRequiredOnSetup", ""}, "requires_action", "succeeded", "authentication_required/authentication_required"},
	"Always authenticate":        {testCard{"4000002760003184", "pm_card_authenticationRequired", ""}, "requires_action", "succeeded", "authentication_required/authentication_required"},
	"Already set up":             {testCard{"4000003800000446", "pm_card_authenticationRequiredSetupForOffSession", ""}, "requires_action", "succeeded", "succeeded"},
	"Insufficient funds":         {testCard{"4000008260003178", "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", ""}, "requires_action", "card_declined/insufficient_funds", "card_declined/insufficient_funds"},
	"3DS Required OK":            {testCard{"4000000000003220", "pm_card_threeDSecure2Required", "tok_threeDSecure2Required"}, "requires_action", "succeeded", "authentication_required/authentication_required"},
	"3DS Required Declined":      {testCard{"4000008400001629", "pm_card_threeDSecureRequiredChargeDeclined", "tok_threeDSecureRequiredChargeDeclined"}, "requires_action", "card_declined/generic_decline", ""},
	"3DS Supported Unenrolled":   {testCard{"4242424242424242", "pm_card_visa", "tok_visa"}, "succeeded", "", "succeeded"},
	"3DS Not supported":          {testCard{"378282246310005", "pm_card_amex_threeDSecureNotSupported", "tok_amex_threeDSecureNotSupported"}, "succeeded", "", "succeeded"},
	"Out of band":                {testCard{"4000582600000094", "", ""}, "requires_action", "succeeded", ""},
	"One time passcode":          {testCard{"4000582600000045", "", ""}, "requires_action", "succeeded", ""},
	"Single select":              {testCard{"4000582600000102", "", ""}, "requires_action", "succeeded", ""},
	"Multi select":               {testCard{"4000582600000110", "", ""}, "requires_action", "succeeded", ""},
	"One time passcode (older)":  {testCard{"4000000000003238", "", ""}, "requires_action", "succeeded", ""},
	"Single select (older)":      {testCard{"4000000000003246", "", ""}, "requires_action", "succeeded", ""},
	"Multi select (older)":       {testCard{"4000000000003253", "", ""}, "requires_action", "succeeded", ""},
}

// disputeCards are the rows of Disputes the emulator opens: the dispute's
// reason, status and network case type once the payment is captured.
var disputeCards = map[string]struct {
	testCard
	reason, status, caseType string
}{
	"Fraudulent":   {testCard{"4000000000000259", "pm_card_createDispute", "tok_createDispute"}, "fraudulent", "needs_response", "chargeback"},
	"Not received": {testCard{"4000000000002685", "pm_card_createDisputeProductNotReceived", "tok_createDisputeProductNotReceived"}, "product_not_received", "needs_response", "chargeback"},
	"Inquiry":      {testCard{"4000000000001976", "pm_card_createDisputeInquiry", "tok_createDisputeInquiry"}, "general", "warning_needs_response", "inquiry"},
}

// refusedRows are the rows the emulator cannot give, refused by name (the
// dispute cards not emulated are the disputes specs').
var refusedRows = []string{
	"5062210000000009",
	"tok_visa_debit_chargeDeclinedInsufficientFunds", "tok_visa_chargeCustomerFailLostCard", "tok_visa_chargeCustomerFailStolenCard",
	"4001007020000002", "4000008260000075", "4001000360000005", "4000002760000008",
	// The Connect verification trigger cards of Stripe's Testing Connect page.
	"4000000000004202", "4000000000004210", "4000000000004236", "tok_visa_triggerNextRequirements",
	"tok_visa_triggerChargeBlock", "tok_visa_triggerPayoutBlock", "tok_visa_triggerVerification", "tok_visa_triggerTransferBlock",
}

var _ = Describe("Stripe's test cards", Label("payments", "testcards"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	// method turns a way in (a card number, pm_card_…, tok_…) into what a
	// PaymentIntent's payment_method takes: a number is sent raw with a
	// CVC and a billing address, a token as card[token].
	method := func(way string) (string, error) {
		switch {
		case strings.HasPrefix(way, "pm_"):
			return way, nil
		case strings.HasPrefix(way, "tok_"):
			pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type: stripe.String("card"), Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String(way)}})
			if err != nil {
				return "", err
			}
			return pm.ID, nil
		}
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type: stripe.String("card"),
			Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String(way), ExpMonth: stripe.Int64(12),
				ExpYear: stripe.Int64(2034), CVC: stripe.String("123")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Address: &stripe.AddressParams{
				Line1: stripe.String("1 Main St"), PostalCode: stripe.String("10001"), Country: stripe.String("US")}},
		})
		if err != nil {
			return "", err
		}
		return pm.ID, nil
	}
	pay := func(way string, offSession bool) (*stripe.PaymentIntent, error) {
		GinkgoHelper()
		pm, err := method(way)
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(2500), Currency: stripe.String("usd"), PaymentMethod: stripe.String(pm),
			Confirm: stripe.Bool(true), PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
		}
		if offSession {
			cus, err := sc.V1Customers.Create(Ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			p.Customer, p.OffSession = stripe.String(cus.ID), stripe.Bool(true)
		}
		return sc.V1PaymentIntents.Create(Ctx, p)
	}
	chargeOf := func(id string) *stripe.Charge {
		GinkgoHelper()
		ch, err := sc.V1Charges.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return ch
	}
	methodOf := func(pi *stripe.PaymentIntent) *stripe.PaymentMethod {
		GinkgoHelper()
		pm, err := sc.V1PaymentMethods.Retrieve(Ctx, pi.PaymentMethod.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return pm
	}
	// fingerprint is the fingerprint of a card number sent raw.
	fingerprint := func(number string) string {
		GinkgoHelper()
		pm, err := method(number)
		Expect(err).NotTo(HaveOccurred())
		got, err := sc.V1PaymentMethods.Retrieve(Ctx, pm, nil)
		Expect(err).NotTo(HaveOccurred())
		return got.Card.Fingerprint
	}
	authenticate := func(pi *stripe.PaymentIntent) map[string]any {
		GinkgoHelper()
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		return body
	}
	// expectDecline checks a decline "code/decline_code".
	expectDecline := func(err error, want string) {
		GinkgoHelper()
		code, declineCode, _ := strings.Cut(want, "/")
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(402))
		Expect(se.Type).To(Equal(stripe.ErrorTypeCard))
		Expect(string(se.Code)).To(Equal(code))
		Expect(string(se.DeclineCode)).To(Equal(declineCode))
	}

	DescribeTable("cards that pay, with the card's brand, funding, country, last4 and a fingerprint per number",
		func(way, number, brand, funding, country string) {
			pi, err := pay(way, false)
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			pm := methodOf(pi)
			Expect(string(pm.Card.Brand)).To(Equal(brand))
			Expect(pm.Card.DisplayBrand).To(Equal(displayBrands[brand]), "display_brand names the brand in its own words")
			Expect(string(pm.Card.Funding)).To(Equal(funding))
			Expect(pm.Card.Country).To(Equal(country))
			Expect(pm.Card.ExpYear).To(BeNumerically(">", Epoch.Year()))
			ch := chargeOf(pi.LatestCharge.ID)
			card := ch.PaymentMethodDetails.Card
			Expect(string(card.Brand)).To(Equal(brand))
			Expect(string(card.Funding)).To(Equal(funding))
			Expect(card.Country).To(Equal(country))
			Expect(card.Fingerprint).To(Equal(pm.Card.Fingerprint))
			Expect(ch.Outcome.Type).To(Equal("authorized"))
			if number == "" { // the not-supported amex is the page's 378282246310005
				number = "378282246310005"
			}
			Expect(pm.Card.Last4).To(Equal(number[len(number)-4:]))
			Expect(pm.Card.Fingerprint).To(Equal(fingerprint(number)), "one fingerprint per number, whichever way it came")
			Expect(pm.Card.ThreeDSecureUsage.Supported).To(Equal(way != "pm_card_amex_threeDSecureNotSupported" && way != "tok_amex_threeDSecureNotSupported" && number != "378282246310005"))
		},
		func() []TableEntry {
			rows := map[string]testCard{}
			for name, r := range payingCards {
				rows[name] = r.testCard
			}
			return entries(rows, func(name string) []any {
				r := payingCards[name]
				return []any{r.brand, r.funding, r.country}
			})
		}(),
	)

	It("shows a co-branded card's domestic network among its networks", func() {
		for way, networks := range map[string][]string{
			"pm_card_visa_cartesBancaires":               {"cartes_bancaires", "visa"},
			"pm_card_mastercard_debit_eftposAuCoBranded": {"eftpos_au", "mastercard"},
			"pm_card_visa": {"visa"},
		} {
			pi, err := pay(way, false)
			Expect(err).NotTo(HaveOccurred())
			var got []string
			for _, n := range methodOf(pi).Card.Networks.Available {
				got = append(got, string(n))
			}
			Expect(got).To(Equal(networks), way)
		}
	})

	DescribeTable("declined payments, with Stripe's error code, decline code and message, on payment and on saving the card",
		func(way, _, code, declineCode, message string, attaches bool) {
			_, err := pay(way, false)
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(402))
			Expect(se.Type).To(Equal(stripe.ErrorTypeCard))
			Expect(string(se.Code)).To(Equal(code))
			Expect(string(se.DeclineCode)).To(Equal(declineCode))
			Expect(se.Msg).To(Equal(message))
			Expect(se.PaymentIntent.LastPaymentError.Msg).To(Equal(message))
			Expect(string(se.PaymentIntent.LastPaymentError.DeclineCode)).To(Equal(declineCode))

			ch := chargeOf(se.ChargeID)
			Expect(ch.Status).To(Equal(stripe.ChargeStatusFailed))
			Expect(ch.FailureCode).To(Equal(code))
			Expect(ch.FailureMessage).To(Equal(message))
			reason := declineCode
			if reason == "" {
				reason = code
			}
			Expect(ch.Outcome.Reason).To(Equal(reason))
			switch reason {
			case "test_mode_live_card":
				Expect(ch.Outcome.Type).To(Equal("invalid"))
				Expect(ch.Outcome.NetworkStatus).To(Equal("not_sent_to_network"))
			case "generic_decline":
				Expect(ch.Outcome.Type).To(Equal("issuer_declined"))
				Expect(ch.Outcome.SellerMessage).To(Equal("The bank did not return any further details with this decline."))
			default:
				Expect(ch.Outcome.Type).To(Equal("issuer_declined"))
				Expect(ch.Outcome.NetworkStatus).To(Equal("declined_by_network"))
				Expect(ch.Outcome.SellerMessage).To(Equal("The bank returned the decline code `" + reason + "`."))
			}

			cus, err := sc.V1Customers.Create(Ctx, nil)
			Expect(err).NotTo(HaveOccurred())
			pm, err := method(way)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1PaymentMethods.Attach(Ctx, pm, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
			if attaches {
				Expect(err).NotTo(HaveOccurred())
				return
			}
			se = StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(402))
			Expect(string(se.Code)).To(Equal(code))
			Expect(string(se.DeclineCode)).To(Equal(declineCode))
		},
		func() []TableEntry {
			rows := map[string]testCard{}
			for name, r := range declinedCards {
				rows[name] = r.testCard
			}
			return entries(rows, func(name string) []any {
				r := declinedCards[name]
				return []any{r.code, r.declineCode, r.message, r.attaches}
			})
		}(),
	)

	It("checks the incorrect-CVC card's CVC only when one is given", func() {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type: stripe.String("card"),
			Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String("4000000000000127"), ExpMonth: stripe.Int64(12), ExpYear: stripe.Int64(2034)},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Card.Checks.CVCCheck).To(BeEmpty(), "no CVC, no check")
		pi, err := pay(pm.ID, false)
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		Expect(chargeOf(pi.LatestCharge.ID).PaymentMethodDetails.Card.Checks.CVCCheck).To(BeEmpty())
	})

	It("refuses a number that fails the Luhn check (4242424242424241) with incorrect_number", func() {
		_, err := method("4242424242424241")
		ExpectStripeError(err, 402, "card_error", "incorrect_number", "card[number]")
		Expect(StripeErr(err).Msg).To(Equal("Your card number is incorrect."))
	})

	// Invalid data: "Use a year up to 50 years in the past, such as 95."
	// A two-digit year is the one of its century within 50 years of now.
	It("refuses a two-digit year up to 50 years in the past (95) as invalid_expiry_year, and takes one ahead", func() {
		for _, year := range []int64{95, int64(Epoch.Year()-50) % 100} {
			_, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type: stripe.String("card"),
				Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String("4242424242424242"), ExpMonth: stripe.Int64(12),
					ExpYear: stripe.Int64(year), CVC: stripe.String("123")},
			})
			ExpectStripeError(err, 402, "card_error", "invalid_expiry_year", "card[exp_year]")
			Expect(StripeErr(err).Msg).To(Equal("Your card's expiration year is invalid."))
		}
		_, err := sc.V1Tokens.Create(Ctx, &stripe.TokenCreateParams{Card: &stripe.CardParams{Number: stripe.String("4242424242424242"),
			ExpMonth: stripe.String("12"), ExpYear: stripe.String("95"), CVC: stripe.String("123")}})
		ExpectStripeError(err, 402, "card_error", "invalid_expiry_year", "card[exp_year]")

		ahead := (int64(Epoch.Year()) + 49) % 100
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type: stripe.String("card"),
			Card: &stripe.PaymentMethodCreateCardParams{Number: stripe.String("4242424242424242"), ExpMonth: stripe.Int64(12),
				ExpYear: stripe.Int64(ahead), CVC: stripe.String("123")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.Card.ExpYear).To(Equal(int64(Epoch.Year()) + 49))
	})

	It("takes a raw card number in payment_method_data", func() {
		p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"), Confirm: stripe.Bool(true),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"})}
		for k, v := range map[string]string{"payment_method_data[type]": "card", "payment_method_data[card][number]": "4000000000006975",
			"payment_method_data[card][exp_month]": "12", "payment_method_data[card][exp_year]": "2034", "payment_method_data[card][cvc]": "123"} {
			p.AddExtra(k, v)
		}
		_, err := sc.V1PaymentIntents.Create(Ctx, p)
		expectDecline(err, "card_declined/card_velocity_exceeded")
	})

	DescribeTable("fraud prevention: Radar's verdict and the CVC and address checks",
		func(way, _, outcomeType, riskLevel, declineCode, cvc, line1, zip string) {
			raw := !strings.HasPrefix(way, "pm_") && !strings.HasPrefix(way, "tok_")
			addressCard := line1 != "pass" || zip != "pass"
			pi, err := pay(way, false)
			var ch *stripe.Charge
			if declineCode == "" {
				Expect(err).NotTo(HaveOccurred())
				Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
				ch = chargeOf(pi.LatestCharge.ID)
			} else {
				expectDecline(err, declineCode)
				se := StripeErr(err)
				ch = chargeOf(se.ChargeID)
				Expect(ch.Status).To(Equal(stripe.ChargeStatusFailed))
			}
			Expect(ch.Outcome.Type).To(Equal(outcomeType))
			Expect(ch.Outcome.RiskLevel).To(Equal(riskLevel))
			// The built-in Radar rule that blocked or queued the payment,
			// by its id, as Stripe's charges show it.
			switch outcomeType {
			case "blocked":
				Expect(ch.Outcome.Rule).NotTo(BeNil())
				Expect(ch.Outcome.Rule.ID).To(Equal("block_if_high_risk"))
			case "manual_review":
				Expect(ch.Outcome.Rule).NotTo(BeNil())
				Expect(ch.Outcome.Rule.ID).To(Equal("manual_review_if_elevated_risk"))
			default:
				Expect(ch.Outcome.Rule).To(BeNil())
			}
			checks := ch.PaymentMethodDetails.Card.Checks
			Expect(string(checks.CVCCheck)).To(Equal(cvc))
			if !raw && !addressCard {
				line1, zip = "", "" // no address given: not checked
			}
			Expect(string(checks.AddressLine1Check)).To(Equal(line1))
			Expect(string(checks.AddressPostalCodeCheck)).To(Equal(zip))
		},
		func() []TableEntry {
			rows := map[string]testCard{}
			for name, r := range fraudCards {
				rows[name] = r.testCard
			}
			return entries(rows, func(name string) []any {
				r := fraudCards[name]
				return []any{r.outcomeType, r.riskLevel, r.declineCode, r.cvc, r.line1, r.zip}
			})
		}(),
	)

	It("runs the checks on the Charges API too, on the card charged", func() {
		_, err := sc.V1Charges.Create(Ctx, &stripe.ChargeCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"),
			Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_cvcCheckFail")}})
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(402))
		Expect(string(se.Code)).To(Equal("incorrect_cvc"))
		Expect(string(chargeOf(se.ChargeID).PaymentMethodDetails.Card.Checks.CVCCheck)).To(Equal("fail"))

		ch, err := sc.V1Charges.Create(Ctx, &stripe.ChargeCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"),
			Source: &stripe.PaymentSourceSourceParams{Token: stripe.String("tok_avsLine1Fail")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(string(ch.Source.Card.AddressLine1Check)).To(Equal("fail"))
		Expect(string(ch.PaymentMethodDetails.Card.Checks.AddressLine1Check)).To(Equal("fail"))
		Expect(string(ch.PaymentMethodDetails.Card.Checks.AddressPostalCodeCheck)).To(Equal("pass"))
	})

	DescribeTable("3D Secure: on-session, once authenticated, and off-session",
		func(way, _, onSession, authenticated, offSession string) {
			pi, err := pay(way, false)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(pi.Status)).To(Equal(onSession))
			if onSession == "requires_action" {
				Expect(pi.NextAction).NotTo(BeNil())
				body := authenticate(pi)
				if authenticated == "succeeded" {
					Expect(body["status"]).To(Equal("succeeded"))
				} else {
					code, declineCode, _ := strings.Cut(authenticated, "/")
					Expect(body["status"]).To(Equal("requires_payment_method"))
					lpe := body["last_payment_error"].(map[string]any)
					Expect(lpe["code"]).To(Equal(code))
					Expect(lpe["decline_code"]).To(Equal(declineCode))
				}
			}
			switch offSession {
			case "":
			case "succeeded":
				pi, err := pay(way, true)
				Expect(err).NotTo(HaveOccurred())
				Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			default:
				_, err := pay(way, true)
				expectDecline(err, offSession)
				_, declineCode, _ := strings.Cut(offSession, "/")
				ch := chargeOf(StripeErr(err).ChargeID)
				Expect(ch.Outcome.SellerMessage).To(Equal("The bank returned the decline code `" + declineCode + "`."))
			}
		},
		func() []TableEntry {
			rows := map[string]testCard{}
			for name, r := range threeDSCards {
				rows[name] = r.testCard
			}
			return entries(rows, func(name string) []any {
				r := threeDSCards[name]
				return []any{r.onSession, r.authenticated, r.offSession}
			})
		}(),
	)

	It("fails a 3D Secure payment whose authentication fails", func() {
		pi, err := pay("pm_card_threeDSecure2Required", false)
		Expect(err).NotTo(HaveOccurred())
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/authenticate", url.Values{"outcome": {"fail"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(body["status"]).To(Equal("requires_payment_method"))
		Expect(body["last_payment_error"].(map[string]any)["code"]).To(Equal("payment_intent_authentication_failure"))
	})

	It("asks the card set up on a SetupIntent (…3155) for no authentication off-session afterwards", func() {
		cus, err := sc.V1Customers.Create(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String("pm_card_authenticationRequiredOnSetup"), Confirm: stripe.Bool(true),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
		status, body, err := emu.Call("POST", "/v1/test_helpers/setup_intents/"+si.ID+"/authenticate", nil, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(body["status"]).To(Equal("succeeded"))
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(si.PaymentMethod.ID), OffSession: stripe.Bool(true), Confirm: stripe.Bool(true),
			PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	DescribeTable("disputes open on the charge as it is captured",
		func(way, _, reason, status, caseType string) {
			pi, err := pay(way, false)
			Expect(err).NotTo(HaveOccurred())
			var ds []*stripe.Dispute
			for d, err := range sc.V1Disputes.List(Ctx, &stripe.DisputeListParams{PaymentIntent: stripe.String(pi.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				ds = append(ds, d)
			}
			Expect(ds).To(HaveLen(1))
			Expect(string(ds[0].Reason)).To(Equal(reason))
			Expect(string(ds[0].Status)).To(Equal(status))
			Expect(string(ds[0].PaymentMethodDetails.Card.CaseType)).To(Equal(caseType))
			Expect(ds[0].Created).To(Equal(Epoch.Unix()), "at once, on the emulator clock")
		},
		func() []TableEntry {
			rows := map[string]testCard{}
			for name, r := range disputeCards {
				rows[name] = r.testCard
			}
			return entries(rows, func(name string) []any {
				r := disputeCards[name]
				return []any{r.reason, r.status, r.caseType}
			})
		}(),
	)

	DescribeTable("the early fraud warning card (Warning) gets one once captured",
		func(way string) {
			pi, err := pay(way, false)
			Expect(err).NotTo(HaveOccurred())
			var ws []*stripe.RadarEarlyFraudWarning
			for w, err := range sc.V1RadarEarlyFraudWarnings.List(Ctx, &stripe.RadarEarlyFraudWarningListParams{PaymentIntent: stripe.String(pi.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				ws = append(ws, w)
			}
			Expect(ws).To(HaveLen(1))
			Expect(ws[0].Actionable).To(BeTrue())
		},
		Entry("4000000000005423", "4000000000005423"),
		Entry("pm_card_createIssuerFraudRecord", "pm_card_createIssuerFraudRecord"),
		Entry("tok_createIssuerFraudRecord", "tok_createIssuerFraudRecord"),
	)

	Describe("refunds", func() {
		refund := func(way string) (*stripe.PaymentIntent, *stripe.Refund) {
			GinkgoHelper()
			pi, err := pay(way, false)
			Expect(err).NotTo(HaveOccurred())
			re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
			Expect(err).NotTo(HaveOccurred())
			return pi, re
		}
		getRefund := func(id string, expand ...string) *stripe.Refund {
			GinkgoHelper()
			p := &stripe.RefundRetrieveParams{}
			for _, e := range expand {
				p.AddExpand(e)
			}
			re, err := sc.V1Refunds.Retrieve(Ctx, id, p)
			Expect(err).NotTo(HaveOccurred())
			return re
		}

		DescribeTable("Asynchronous success: pending, then succeeded 30 minutes later on the clock (refund.updated)",
			func(way string) {
				_, re := refund(way)
				Expect(re.Status).To(Equal(stripe.RefundStatusPending))
				emu.Clock().Set(Epoch.Add(29 * time.Minute))
				Expect(getRefund(re.ID).Status).To(Equal(stripe.RefundStatusPending))
				mark := len(emu.EventTypes(""))
				emu.Clock().Set(Epoch.Add(30 * time.Minute))
				Expect(getRefund(re.ID).Status).To(Equal(stripe.RefundStatusSucceeded))
				Expect(emu.EventTypes("")[mark:]).To(ContainElement("refund.updated"))
			},
			Entry("4000000000007726", "4000000000007726"),
			Entry("pm_card_pendingRefund", "pm_card_pendingRefund"),
			Entry("tok_pendingRefund", "tok_pendingRefund"),
		)

		DescribeTable("Asynchronous failure: succeeded, then failed 30 minutes later, the amount back in the balance (refund.failed)",
			func(way string) {
				pi, re := refund(way)
				Expect(re.Status).To(Equal(stripe.RefundStatusSucceeded))
				Expect(chargeOf(pi.LatestCharge.ID).Refunded).To(BeTrue())
				mark := len(emu.EventTypes(""))
				emu.Clock().Set(Epoch.Add(30 * time.Minute))
				got := getRefund(re.ID, "failure_balance_transaction")
				Expect(got.Status).To(Equal(stripe.RefundStatusFailed))
				Expect(got.FailureReason).NotTo(BeEmpty())
				Expect(got.FailureBalanceTransaction.Amount).To(Equal(int64(2500)))
				Expect(string(got.FailureBalanceTransaction.Type)).To(Equal("refund_failure"))
				ch := chargeOf(pi.LatestCharge.ID)
				Expect(ch.Refunded).To(BeFalse())
				Expect(ch.AmountRefunded).To(BeZero())
				Expect(emu.EventTypes("")[mark:]).To(ContainElement("refund.failed"))
			},
			Entry("4000000000005126", "4000000000005126"),
			Entry("pm_card_refundFail", "pm_card_refundFail"),
			Entry("tok_refundFail", "tok_refundFail"),
		)

		It("refunds other test cards at once, for good", func() {
			_, re := refund("pm_card_visa")
			Expect(re.Status).To(Equal(stripe.RefundStatusSucceeded))
			emu.Clock().Set(Epoch.Add(time.Hour))
			Expect(getRefund(re.ID).Status).To(Equal(stripe.RefundStatusSucceeded))
		})
	})

	DescribeTable("available balance: the bypass-pending cards' funds are available at once",
		func(way, country string, available bool) {
			pi, err := pay(way, false)
			Expect(err).NotTo(HaveOccurred())
			p := &stripe.ChargeRetrieveParams{}
			p.AddExpand("balance_transaction")
			ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.PaymentMethodDetails.Card.Country).To(Equal(country))
			if available {
				Expect(string(ch.BalanceTransaction.Status)).To(Equal("available"))
			} else {
				Expect(string(ch.BalanceTransaction.Status)).To(Equal("pending"))
			}
		},
		Entry("US 4000000000000077", "4000000000000077", "US", true),
		Entry("US pm_card_bypassPending", "pm_card_bypassPending", "US", true),
		Entry("US tok_bypassPending", "tok_bypassPending", "US", true),
		Entry("international 4000003720000278", "4000003720000278", "IE", true),
		Entry("international pm_card_bypassPendingInternational", "pm_card_bypassPendingInternational", "IE", true),
		Entry("international tok_bypassPendingInternational", "tok_bypassPendingInternational", "IE", true),
		Entry("any other card (pending)", "pm_card_visa", "US", false),
	)

	DescribeTable("refuses the rows it cannot give, naming them, and changes nothing",
		func(way string) {
			before := emu.Count("", "payment_method")
			var err error
			if strings.HasPrefix(way, "pm_") {
				_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"),
					PaymentMethod: stripe.String(way), Confirm: stripe.Bool(true), PaymentMethodTypes: stripe.StringSlice([]string{"card"})})
			} else {
				_, err = method(way)
			}
			se := StripeErr(err)
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Type).To(Equal(stripe.ErrorTypeInvalidRequest))
			Expect(se.Msg).To(ContainSubstring("stripe-emu does not emulate"))
			Expect(se.Msg).To(ContainSubstring(way))
			Expect(emu.Count("", "payment_method")).To(Equal(before))
			Expect(emu.Count("", "payment_intent")).To(BeZero())
		},
		func() []TableEntry {
			var out []TableEntry
			for _, id := range refusedRows {
				out = append(out, Entry(id, id))
			}
			return out
		}(),
	)
})
