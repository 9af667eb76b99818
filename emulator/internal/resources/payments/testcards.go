package payments

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
)

// The catalogue of Stripe's test cards: the card numbers, PaymentMethods
// (pm_card_…) and tokens (tok_…) of Stripe's Testing page
// (docs.stripe.com/testing), each with what it does. A number not listed
// here is a "live" card, which test mode declines (test_mode_live_card).

// outcome is what happens when a test card is charged.
type outcome int

const (
	succeeds                outcome = iota
	declines                        // declined at charge and at attach (card check)
	declinesOnCharge                // attaches fine, every charge declines (…0341)
	alwaysAuthenticate              // 3D Secure on every payment
	authenticateUnlessSetUp         // 3D Secure unless set up for off-session use
	authenticateOnSession           // already set up: 3D Secure on-session, none off-session (…0446)
)

// card is one of Stripe's test cards.
type card struct {
	Number  string
	Brand   string
	Funding string
	Country string
	// CoBrand is the domestic network a co-branded card also runs on
	// (cartes_bancaires, eftpos_au).
	CoBrand string
	Outcome outcome
	Decline string // error code: card_declined, expired_card, incorrect_cvc, processing_error
	Reason  string // decline_code
	Message string // what Stripe says
	// NoThreeDS: 3D Secure isn't supported on the card
	// (three_d_secure_usage.supported=false).
	NoThreeDS bool
	// BypassPending: the payment's funds are available at once, not
	// pending (Stripe's 4000000000000077, 4000003720000278).
	BypassPending bool
	// Dispute, when set, opens a dispute on the charge once it is
	// captured (Stripe's dispute test cards).
	Dispute *disputeCard
	// Risk is Radar's risk level of the card's payments when not normal:
	// elevated (a review is opened) or highest (blocked).
	Risk string
	// EarlyFraudWarning, when set, is the fraud_type of the early fraud
	// warning the issuer sends once a payment is captured.
	EarlyFraudWarning string
	// CVCCheck, Line1Check and ZipCheck are what the card's checks give
	// when not pass: fail, or unavailable. A check is only run on what was
	// given (no CVC, no check).
	CVCCheck, Line1Check, ZipCheck string
	// Refund, when set, is how the card's refunds end some time after
	// they are made (Stripe's asynchronous refund test cards).
	Refund asyncRefund
	// Live: a number that is no Stripe test card (test mode declines it).
	Live bool
}

// asyncRefund is how a refund to one of Stripe's asynchronous refund test
// cards ends.
type asyncRefund int

const (
	refundAtOnce       asyncRefund = iota
	refundPendingFirst             // pending, then succeeded (…7726)
	refundFailsLater               // succeeded, then failed (…5126)
)

// disputeCard is the dispute one of Stripe's dispute test cards opens.
type disputeCard struct {
	Reason      string // the dispute's reason
	NetworkCode string // the card network's reason code
	Inquiry     bool   // an inquiry (a warning) rather than a chargeback
}

// Stripe's messages for its decline codes.
const (
	declinedMessage               = "Your card was declined."
	insufficientFundsMessage      = "Your card has insufficient funds."
	velocityMessage               = "Your card was declined for making repeated attempts too frequently or exceeding its amount limit."
	incorrectCVCMessage           = "Your card's security code is incorrect."
	incorrectZipMessage           = "Your card's zip code failed validation."
	authenticationRequiredMessage = "Your card was declined. This transaction requires authentication."
	// Stripe's wording since test mode became "testing" (recorded in
	// 2025 and 2026); before, "Your request was in test mode, but used a
	// non test (live) card."
	liveCardMessage = "Your card was declined. Your request used a real card while testing. For a list of valid test cards, visit: https://stripe.com/docs/testing."
)

// radarBlocked is a card whose payments Radar blocks as too risky: they
// fail as a fraudulent decline without reaching the network.
var radarBlocked = card{Outcome: declinesOnCharge, Decline: "card_declined", Reason: "fraudulent", Message: declinedMessage, Risk: riskHighest}

func declined(reason, message string) card {
	return card{Outcome: declines, Decline: "card_declined", Reason: reason, Message: message}
}

// plain is a card that pays.
func plain(brand, funding, country string) card {
	return card{Brand: brand, Funding: funding, Country: country}
}

// visaUS is a US Visa credit card doing what c says.
func visaUS(c card) card {
	c.Brand, c.Funding, c.Country = "visa", "credit", "US"
	return c
}

// testCards are Stripe's documented test card numbers.
var testCards = map[string]card{
	// Cards by brand (US billing country; JCB and UnionPay issued abroad).
	"4242424242424242":    plain("visa", "credit", "US"),
	"4000056655665556":    plain("visa", "debit", "US"),
	"5555555555554444":    plain("mastercard", "credit", "US"),
	"2223003122003222":    plain("mastercard", "credit", "US"),
	"5200828282828210":    plain("mastercard", "debit", "US"),
	"5105105105105100":    plain("mastercard", "prepaid", "US"),
	"378282246310005":     {Brand: "amex", Funding: "credit", Country: "US", NoThreeDS: true},
	"371449635398431":     plain("amex", "credit", "US"),
	"6011111111111117":    plain("discover", "credit", "US"),
	"6011000990139424":    plain("discover", "credit", "US"),
	"6011981111111113":    plain("discover", "debit", "US"),
	"3056930009020004":    plain("diners", "credit", "US"),
	"36227206271667":      plain("diners", "credit", "US"),
	"6555900000604105":    plain("discover", "credit", "US"), // BCcard and DinaCard run on Discover's network
	"3566002020360505":    plain("jcb", "credit", "JP"),
	"6200000000000005":    plain("unionpay", "credit", "CN"),
	"6200000000000047":    plain("unionpay", "debit", "CN"),
	"6205500000000000004": plain("unionpay", "credit", "CN"),
	// Co-branded cards.
	"4000002500001001": {Brand: "visa", Funding: "credit", Country: "FR", CoBrand: "cartes_bancaires"},
	"5555552500001001": {Brand: "mastercard", Funding: "credit", Country: "FR", CoBrand: "cartes_bancaires"},
	"4000050360000001": {Brand: "visa", Funding: "debit", Country: "AU", CoBrand: "eftpos_au"},
	"5555050360000080": {Brand: "mastercard", Funding: "debit", Country: "AU", CoBrand: "eftpos_au"},
	// HSA and FSA cards.
	"4000051230000072": plain("visa", "debit", "US"),
	"5200828282828897": plain("mastercard", "debit", "US"),
	// Cards by country beyond the Visas of countryCards (init).
	"5200007840000022": plain("mastercard", "credit", "AE"),
	"4000058260000005": plain("visa", "debit", "GB"),
	"5555558265554449": plain("mastercard", "credit", "GB"),
	"3530111333300000": plain("jcb", "credit", "JP"),
	"4000057640000008": plain("visa", "debit", "TH"),
	// Declined payments.
	"4000000000000002": visaUS(declined("generic_decline", declinedMessage)),
	"4000000000009995": visaUS(declined("insufficient_funds", insufficientFundsMessage)),
	"4000000000009987": visaUS(declined("lost_card", declinedMessage)),
	"4000000000009979": visaUS(declined("stolen_card", declinedMessage)),
	"4000000000000069": visaUS(card{Outcome: declines, Decline: "expired_card", Reason: "expired_card", Message: "Your card has expired."}),
	"4000000000000127": visaUS(card{CVCCheck: "fail"}), // an issuer's decline of the CVC given (none given: no check)
	"4000000000000119": visaUS(card{Outcome: declines, Decline: "processing_error", Reason: "processing_error", Message: "An error occurred while processing your card. Try again in a little bit."}),
	"4000000000006975": visaUS(declined("card_velocity_exceeded", velocityMessage)),
	"4000000000000341": visaUS(card{Outcome: declinesOnCharge, Decline: "card_declined", Reason: "generic_decline", Message: declinedMessage}),
	// Fraud prevention: elevated risk is reviewed; highest risk is
	// blocked, by Radar's default rule (…4954) or always (…0019); a
	// failed CVC or postal code check declines (Radar's default rules),
	// a failed or unavailable address line 1 check does not.
	"4100000000000019": visaUS(radarBlocked),
	"4000000000004954": visaUS(radarBlocked),
	"4000000000009235": visaUS(card{Risk: riskElevated}),
	"4000000000000101": visaUS(card{CVCCheck: "fail"}),
	"4000000000000036": visaUS(card{ZipCheck: "fail"}),
	"4000058400307872": visaUS(card{CVCCheck: "fail", Risk: riskElevated}),
	"4000058400306072": visaUS(card{ZipCheck: "fail", Risk: riskElevated}),
	"4000000000000028": visaUS(card{Line1Check: "fail"}),
	"4000000000000010": visaUS(card{Line1Check: "fail", ZipCheck: "fail"}),
	"4000000000000044": visaUS(card{Line1Check: "unavailable", ZipCheck: "unavailable"}),
	// Disputes.
	"4000000000000259": visaUS(card{Dispute: &disputeCard{Reason: "fraudulent", NetworkCode: "10.4"}}),
	"4000000000002685": visaUS(card{Dispute: &disputeCard{Reason: "product_not_received", NetworkCode: "13.1"}}),
	"4000000000001976": visaUS(card{Dispute: &disputeCard{Reason: "general", NetworkCode: "10.4", Inquiry: true}}),
	"4000000000005423": visaUS(card{EarlyFraudWarning: "made_with_stolen_card"}),
	// Refunds.
	"4000000000007726": visaUS(card{Refund: refundPendingFirst}),
	"4000000000005126": visaUS(card{Refund: refundFailsLater}),
	// Available balance.
	"4000000000000077": visaUS(card{BypassPending: true}),
	"4000003720000278": {Brand: "visa", Funding: "credit", Country: "IE", BypassPending: true},
	// 3D Secure: authentication and setup.
	"4000002500003155": visaUS(card{Outcome: authenticateUnlessSetUp}),
	"4000002760003184": visaUS(card{Outcome: alwaysAuthenticate}),
	"4000003800000446": visaUS(card{Outcome: authenticateOnSession}),
	// Authentication for one-time (on-session) payments; every payment
	// then declines.
	"4000008260003178": visaUS(card{Outcome: authenticateOnSession, Decline: "card_declined", Reason: "insufficient_funds", Message: insufficientFundsMessage}),
	// 3D Secure: support and availability. Required cards authenticate
	// (and 1629 declines after); the lookup of 1280 fails, declining the
	// payment; optional ones pay without it, as Radar requests none.
	"4000000000003220": visaUS(card{Outcome: alwaysAuthenticate}),
	"4000008400001629": visaUS(card{Outcome: alwaysAuthenticate, Decline: "card_declined", Reason: "generic_decline", Message: declinedMessage}),
	"4000008400001280": visaUS(card{Outcome: declinesOnCharge, Decline: "card_declined", Reason: "generic_decline", Message: declinedMessage}),
	"4000000000003055": plain("visa", "credit", "US"),
	"4000000000003097": plain("visa", "credit", "US"),
	"4000000000003063": visaUS(card{Outcome: alwaysAuthenticate}), // the 3D Secure 1 card of older docs
	// 3D Secure mobile challenge flows: in API calls, required 3D Secure
	// (the challenge UI is the SDK's); older and current numbers.
	"4000582600000094": visaUS(card{Outcome: alwaysAuthenticate}),
	"4000582600000045": visaUS(card{Outcome: alwaysAuthenticate}),
	"4000582600000102": visaUS(card{Outcome: alwaysAuthenticate}),
	"4000582600000110": visaUS(card{Outcome: alwaysAuthenticate}),
	"4000000000003238": visaUS(card{Outcome: alwaysAuthenticate}),
	"4000000000003246": visaUS(card{Outcome: alwaysAuthenticate}),
	"4000000000003253": visaUS(card{Outcome: alwaysAuthenticate}),
	// Captcha challenge: a page's challenge; in API calls they pay.
	"4000000000001208": plain("visa", "credit", "US"),
	"4000000000003725": plain("visa", "credit", "US"),
}

// countryCards are the Visa cards of Stripe's cards by country, with
// pm_card_<country> and tok_<country> (the country lowercased) unless
// noted. AE, EE, GI, HR and LI are from an earlier revision of the page.
var countryCards = map[string]string{
	"US": "4242424242424242", "AR": "4000000320000021", "BR": "4000000760000002", "CA": "4000001240000000",
	"CL": "4000001520000001", "CO": "4000001700000003", "CR": "4000001880000005", "EC": "4000002180000000",
	"MX": "4000004840008001", "PA": "4000005910000000", "PY": "4000006000000066", "PE": "4000006040000068",
	"UY": "4000008580000003",
	"AE": "4000007840000001", "AT": "4000000400000008", "BE": "4000000560000004", "BG": "4000001000000000",
	"BY": "4000001120000005", "HR": "4000001910000009", "CY": "4000001960000008", "CZ": "4000002030000002",
	"DK": "4000002080000001", "EE": "4000002330000009", "FI": "4000002460000001", "FR": "4000002500000003",
	"DE": "4000002760000016", "GI": "4000002920000005", "GR": "4000003000000030", "HU": "4000003480000005",
	"IE": "4000003720000005", "IT": "4000003800000008", "LV": "4000004280000005", "LI": "4000004380000004",
	"LT": "4000004400000000", "LU": "4000004420000006", "MT": "4000004700000007", "NL": "4000005280000002",
	"NO": "4000005780000007", "PL": "4000006160000005", "PT": "4000006200000007", "RO": "4000006420000001",
	"SA": "4000006820000007", "SI": "4000007050000006", "SK": "4000007030000001", "ES": "4000007240000007",
	"SE": "4000007520000008", "CH": "4000007560000009", "GB": "4000008260000000",
	"AU": "4000000360000006", "CN": "4000001560000002", "HK": "4000003440000004", "IN": "4000003560000008",
	"JP": "4000003920000003", "MY": "4000004580000002", "NZ": "4000005540000008", "SG": "4000007020000003",
	"TW": "4000001580000008", "TH": "4000007640000003",
}

// noCountryIDs are the countries whose card has no pm_card_…/tok_… (Saudi
// Arabia's has a number only), or has other ids (Thailand's credit card:
// pm_card_th_credit).
var noCountryIDs = map[string]bool{"SA": true, "TH": true}

// magicPaymentMethods maps Stripe's test PaymentMethod ids to card numbers.
// Using one creates a fresh pm_ object, as Stripe does. Each also has a
// tok_… of the same name (init), unless magicOnlyPM says otherwise.
var magicPaymentMethods = map[string]string{
	// Cards by brand.
	"pm_card_visa":               "4242424242424242",
	"pm_card_visa_debit":         "4000056655665556",
	"pm_card_mastercard":         "5555555555554444",
	"pm_card_mastercard_debit":   "5200828282828210",
	"pm_card_mastercard_prepaid": "5105105105105100",
	"pm_card_amex":               "378282246310005",
	"pm_card_discover":           "6011111111111117",
	"pm_card_diners":             "3056930009020004",
	"pm_card_jcb":                "3566002020360505",
	"pm_card_unionpay":           "6200000000000005",
	// Co-branded cards.
	"pm_card_visa_cartesBancaires":               "4000002500001001",
	"pm_card_mastercard_cartesBancaires":         "5555552500001001",
	"pm_card_visa_debit_eftposAuCoBranded":       "4000050360000001",
	"pm_card_mastercard_debit_eftposAuCoBranded": "5555050360000080",
	// HSA and FSA cards.
	"pm_card_debit_visaFsaProductCode":                  "4000051230000072",
	"pm_card_debit_visaHsaProductCode":                  "4000051230000072",
	"pm_card_mastercard_debit_mastercardFsaProductCode": "5200828282828897",
	// Cards by country beyond pm_card_<country> (init).
	"pm_card_ae_mastercard": "5200007840000022",
	"pm_card_gb_debit":      "4000058260000005",
	"pm_card_gb_mastercard": "5555558265554449",
	"pm_card_th_credit":     "4000007640000003",
	"pm_card_th_debit":      "4000057640000008",
	// Declined payments, under current and older names.
	"pm_card_chargeDeclined":                           "4000000000000002",
	"pm_card_visa_chargeDeclined":                      "4000000000000002",
	"pm_card_chargeDeclinedInsufficientFunds":          "4000000000009995",
	"pm_card_visa_chargeDeclinedInsufficientFunds":     "4000000000009995",
	"pm_card_chargeDeclinedLostCard":                   "4000000000009987",
	"pm_card_visa_chargeDeclinedLostCard":              "4000000000009987",
	"pm_card_chargeDeclinedStolenCard":                 "4000000000009979",
	"pm_card_visa_chargeDeclinedStolenCard":            "4000000000009979",
	"pm_card_chargeDeclinedExpiredCard":                "4000000000000069",
	"pm_card_visa_chargeDeclinedExpiredCard":           "4000000000000069",
	"pm_card_chargeDeclinedIncorrectCvc":               "4000000000000127",
	"pm_card_visa_chargeDeclinedIncorrectCvc":          "4000000000000127",
	"pm_card_chargeDeclinedProcessingError":            "4000000000000119",
	"pm_card_visa_chargeDeclinedProcessingError":       "4000000000000119",
	"pm_card_visa_chargeDeclinedVelocityLimitExceeded": "4000000000006975",
	"pm_card_chargeCustomerFail":                       "4000000000000341",
	// Fraud prevention.
	"pm_card_radarBlock":               "4100000000000019",
	"pm_card_chargeDeclinedFraudulent": "4100000000000019",
	"pm_card_riskLevelHighest":         "4000000000004954",
	"pm_card_riskLevelElevated":        "4000000000009235",
	"pm_card_cvcCheckFail":             "4000000000000101",
	"pm_card_avsZipFail":               "4000000000000036",
	"pm_card_cvcCheckFailElevatedRisk": "4000058400307872",
	"pm_card_avsZipFailElevatedRisk":   "4000058400306072",
	"pm_card_avsLine1Fail":             "4000000000000028",
	"pm_card_avsFail":                  "4000000000000010",
	"pm_card_avsUnchecked":             "4000000000000044",
	// Disputes.
	"pm_card_createDispute":                   "4000000000000259",
	"pm_card_createDisputeProductNotReceived": "4000000000002685",
	"pm_card_createDisputeInquiry":            "4000000000001976",
	"pm_card_createIssuerFraudRecord":         "4000000000005423",
	// Disputes stripe-emu does not emulate (refusedCards).
	"pm_card_createMultipleDisputes":                 "4000000404000079",
	"pm_card_createCe3EligibleDispute":               "4000000404000038",
	"pm_card_createComplianceDispute":                "4000008400000779",
	"pm_card_createMastercardComplianceDispute":      "5105008400000002",
	"pm_card_createAutoRepresentmentEligibleDispute": "4000000001000043",
	"pm_card_createRapidDisputeResolutionDispute":    "4000000404004816",
	"pm_card_createCe3BlockDispute":                  "4000000404005649",
	"pm_card_createEthocaAlert":                      "5105000300000018",
	// Refunds.
	"pm_card_pendingRefund": "4000000000007726",
	"pm_card_refundFail":    "4000000000005126",
	// Available balance.
	"pm_card_bypassPending":              "4000000000000077",
	"pm_card_bypassPendingInternational": "4000003720000278",
	// 3D Secure.
	"pm_card_authenticationRequiredOnSetup":                         "4000002500003155",
	"pm_card_authenticationRequired":                                "4000002760003184",
	"pm_card_authenticationRequiredSetupForOffSession":              "4000003800000446",
	"pm_card_authenticationRequiredChargeDeclinedInsufficientFunds": "4000008260003178",
	"pm_card_threeDSecure2Required":                                 "4000000000003220",
	"pm_card_threeDSecureRequiredChargeDeclined":                    "4000008400001629",
	"pm_card_threeDSecureRequiredProcessingError":                   "4000008400001280",
	"pm_card_threeDSecureOptional":                                  "4000000000003055",
	"pm_card_threeDSecureOptionalProcessingError":                   "4000000000003097",
	"pm_card_amex_threeDSecureNotSupported":                         "378282246310005",
	"pm_card_threeDSecureRequired":                                  "4000000000003063",
}

// extraTokens are Stripe's test tokens with no PaymentMethod of the same
// name.
var extraTokens = map[string]string{
	"tok_visa_chargeCustomerFail": "4000000000000341",
	// The page lists this fraudulent decline with error code expired_card,
	// seemingly a slip: here it is the always-blocked card.
	"tok_visa_chargeDeclinedFraudulent": "4100000000000019",
}

// testTokens maps Stripe's test card tokens to card numbers.
var testTokens = map[string]string{}

// refusedCards are the rows of Stripe's Testing page the emulator cannot
// give, by card number or token: what each is, and what to test with
// instead. They are refused, never charged as a plain card.
var refusedCards = map[string]refusedCard{
	"5062210000000009": {"the Mexican Carnet card (its brand is not among the card brands of API version 2025-08-27.basil)", useAnother},
	"tok_visa_debit_chargeDeclinedInsufficientFunds": {"the insufficient debit funds token (the card number behind it is not documented)", useAnother},
	"tok_visa_chargeCustomerFailLostCard":            {"the decline-after-attaching lost card token (the card number behind it is not documented)", useAnother},
	"tok_visa_chargeCustomerFailStolenCard":          {"the decline-after-attaching stolen card token (the card number behind it is not documented)", useAnother},
	"4001007020000002":                               {"the offline PIN card (PIN entry on a Terminal reader is not emulated)", useAnother},
	"4000008260000075":                               {"the offline PIN retry card (PIN entry on a Terminal reader is not emulated)", useAnother},
	"4001000360000005":                               {"the online PIN card (PIN entry on a Terminal reader is not emulated)", useAnother},
	"4000002760000008":                               {"the online PIN retry card (PIN entry on a Terminal reader is not emulated)", useAnother},
	// Connect's verification trigger cards (its Testing Connect page):
	// Stripe's verification thresholds, the next requirements they bring
	// and the blocks they impose are not emulated.
	"4000000000004202":                 {"the Connect trigger card for the next requirements (verification thresholds are not emulated)", useConnect},
	"tok_visa_triggerNextRequirements": {"the Connect trigger token for the next requirements (verification thresholds are not emulated)", useConnect},
	"tok_visa_triggerVerification":     {"the Connect trigger token for a verification threshold (verification thresholds are not emulated)", useConnect},
	"4000000000004210":                 {"the Connect trigger card for a charge block (verification thresholds are not emulated)", useConnect},
	"tok_visa_triggerChargeBlock":      {"the Connect trigger token for a charge block (verification thresholds are not emulated)", useConnect},
	"4000000000004236":                 {"the Connect trigger card for a payout block (verification thresholds are not emulated)", useConnect},
	"tok_visa_triggerPayoutBlock":      {"the Connect trigger token for a payout block (verification thresholds are not emulated)", useConnect},
	"tok_visa_triggerTransferBlock":    {"the Connect trigger token for a payout block (verification thresholds are not emulated)", useConnect},
	// Dispute cards whose disputes are not emulated.
	"4000000404000079": {"a charge disputed multiple times", useDisputeCards},
	"4000000404000038": {"a Visa Compelling Evidence 3.0 eligible dispute", useDisputeCards},
	"4000008400000779": {"a Visa compliance dispute", useDisputeCards},
	"5105008400000002": {"a Mastercard compliance dispute", useDisputeCards},
	"4000000001000043": {"a Smart Disputes eligible dispute", useDisputeCards},
	"4000000404004816": {"a dispute Visa Rapid Dispute Resolution prevents", useDisputeCards},
	"4000000404005649": {"a dispute Compelling Evidence 3.0 blocks", useDisputeCards},
	"5105000300000018": {"a dispute an Ethoca alert prevents", useDisputeCards},
}

type refusedCard struct{ what, instead string }

const (
	useAnother      = "Use another test card, or see the README for the test cards emulated."
	useConnect      = "Test a connected account held back with Stripe's test verification values (a failing date of birth, ID number, address or business token), as the README describes."
	useDisputeCards = "Test disputes with pm_card_createDispute, pm_card_createDisputeProductNotReceived or pm_card_createDisputeInquiry."
)

// refuseCard refuses one of refusedCards (key: a number or tok_…), named
// by param; nil for any other.
func refuseCard(key, param string) error {
	r, ok := refusedCards[key]
	if !ok {
		return nil
	}
	return apierr.InvalidRequest("stripe-emu does not emulate Stripe's test card %s: %s. It refused the request rather than answer as if it had. %s", key, r.what, r.instead).WithParam(param)
}

func init() {
	for country, number := range countryCards {
		if number != "4242424242424242" {
			testCards[number] = plain("visa", "credit", country)
		}
		if !noCountryIDs[country] {
			magicPaymentMethods["pm_card_"+strings.ToLower(country)] = number
		}
	}
	for id, number := range magicPaymentMethods {
		testTokens["tok_"+strings.TrimPrefix(id, "pm_card_")] = number
	}
	for id, number := range extraTokens {
		testTokens[id] = number
	}
	for id, number := range magicPaymentMethods {
		if _, ok := testCards[number]; !ok && refusedCards[number] == (refusedCard{}) {
			panic(fmt.Sprintf("payments: test PaymentMethod %s names %s, no test card", id, number))
		}
	}
}

// lookupCard returns the test card for a number; any other Luhn-valid
// number is a live card of its brand, which test mode declines. ok is
// false for a number that is no card's.
func lookupCard(number string) (card, bool) {
	if c, ok := testCards[number]; ok {
		c.Number = number
		return c, true
	}
	if !luhn(number) || len(number) < 12 || len(number) > 19 {
		return card{}, false
	}
	return card{Number: number, Brand: brandOf(number), Funding: "credit", Country: "US", Live: true,
		Outcome: declines, Decline: "card_declined", Reason: "test_mode_live_card", Message: liveCardMessage}, true
}

func brandOf(n string) string {
	switch {
	case strings.HasPrefix(n, "4"):
		return "visa"
	case strings.HasPrefix(n, "5"), strings.HasPrefix(n, "2"):
		return "mastercard"
	case strings.HasPrefix(n, "34"), strings.HasPrefix(n, "37"):
		return "amex"
	case strings.HasPrefix(n, "35"):
		return "jcb"
	case strings.HasPrefix(n, "30"), strings.HasPrefix(n, "36"), strings.HasPrefix(n, "38"):
		return "diners"
	case strings.HasPrefix(n, "62"):
		return "unionpay"
	case strings.HasPrefix(n, "6"):
		return "discover"
	}
	return "unknown"
}

func luhn(n string) bool {
	sum, double := 0, false
	for i := len(n) - 1; i >= 0; i-- {
		d := int(n[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// fingerprint is stable per card number (and per account, as Stripe's is).
func fingerprint(account, number string) string {
	h := sha256.Sum256([]byte(account + "|" + number))
	return base64.RawURLEncoding.EncodeToString(h[:])[:16]
}

// Bank test numbers: settle successfully unless listed here.
var (
	// failingIBANs are Stripe's SEPA Direct Debit test accounts whose
	// debits fail (docs.stripe.com/testing#sepa-direct-debit), by country:
	// failed, failed after three minutes (the settle delay is three minutes
	// for every debit here), over the weekly volume limit, over the
	// transaction limit, insufficient funds. Stripe's page gives no code
	// for the first two; they fail with insufficient_funds.
	failingIBANs = map[string]string{
		// AT
		"AT861904300235473202": "insufficient_funds",
		"AT051904300235473205": "insufficient_funds",
		"AT981904300000343434": "charge_exceeds_source_limit",
		"AT601904300000121212": "charge_exceeds_weekly_limit",
		"AT981904300002222227": "insufficient_funds",
		// BE
		"BE68539007547034": "insufficient_funds",
		"BE51510007547065": "insufficient_funds",
		"BE90510000343434": "charge_exceeds_source_limit",
		"BE52510000121212": "charge_exceeds_weekly_limit",
		"BE90510002222227": "insufficient_funds",
		// DE
		"DE62370400440532013001": "insufficient_funds",
		"DE78370400440532013004": "insufficient_funds",
		"DE65370400440000343434": "charge_exceeds_source_limit",
		"DE27370400440000121212": "charge_exceeds_weekly_limit",
		"DE65370400440002222227": "insufficient_funds",
		// ES
		"ES9121000418450200051332": "insufficient_funds",
		"ES9300120345030000067894": "insufficient_funds",
		"ES1700120345000000343434": "charge_exceeds_source_limit",
		"ES7600120345000000121212": "charge_exceeds_weekly_limit",
		"ES1700120345000002222227": "insufficient_funds",
		// FI
		"FI9112345600000786": "insufficient_funds",
		"FI1012345600000789": "insufficient_funds",
		"FI6712345600343434": "charge_exceeds_source_limit",
		"FI2912345600121212": "charge_exceeds_weekly_limit",
		"FI6712345602222227": "insufficient_funds",
		// FR
		"FR8420041010050500013M02607": "insufficient_funds",
		"FR7920041010050500013M02600": "insufficient_funds",
		"FR9720041010050000000343434": "charge_exceeds_source_limit",
		"FR5920041010050000000121212": "charge_exceeds_weekly_limit",
		"FR9720041010050000002222227": "insufficient_funds",
		// IE
		"IE02AIBK93115212345679": "insufficient_funds",
		"IE94AIBK93115212345672": "insufficient_funds",
		"IE10AIBK93115200343434": "charge_exceeds_source_limit",
		"IE69AIBK93115200121212": "charge_exceeds_weekly_limit",
		"IE10AIBK93115202222227": "insufficient_funds",
		// LU
		"LU980019400644750001": "insufficient_funds",
		"LU170019400644750004": "insufficient_funds",
		"LU900010000000343434": "charge_exceeds_source_limit",
		"LU520010000000121212": "charge_exceeds_weekly_limit",
		"LU900010000002222227": "insufficient_funds",
		// NL
		"NL91ABNA0417164300": "insufficient_funds",
		"NL28RABO0300065268": "insufficient_funds",
		"NL27RABO0000343434": "charge_exceeds_source_limit",
		"NL86RABO0000121212": "charge_exceeds_weekly_limit",
		"NL27RABO0002222227": "insufficient_funds",
		// PT
		"PT23000201231234567890155": "insufficient_funds",
		"PT39000201231234567890158": "insufficient_funds",
		"PT05000201230000000343434": "charge_exceeds_source_limit",
		"PT64000201230000000121212": "charge_exceeds_weekly_limit",
		"PT05000201230000002222227": "insufficient_funds",
	}
	failingUSBankAccounts = map[string]string{
		"000111111113": "account_closed",
		"000111111116": "no_account",
		"000222222227": "insufficient_funds",
		"000333333335": "debit_not_authorized",
		"000444444440": "invalid_currency",
	}
)

// sepaTestIBANs are Stripe's SEPA Direct Debit test IBANs by country, in
// the order of its test PaymentMethods' scenarios (sepaScenarios); ""
// marks one the emulator has no IBAN for.
var (
	sepaScenarios = []string{"success", "successDelayed", "failed", "failedDelayed", "disputed",
		"exceedsWeeklyVolumeLimit", "exceedsWeeklyTransactionLimit", "insufficientFunds"}
	sepaTestIBANs = map[string][]string{
		"at": {"AT611904300234573201", "AT321904300235473204", "AT861904300235473202", "AT051904300235473205", "AT591904300235473203", "AT981904300000343434", "AT601904300000121212", "AT981904300002222227"},
		"be": {"BE62510007547061", "BE78510007547064", "BE68539007547034", "BE51510007547065", "BE08510007547063", "BE90510000343434", "BE52510000121212", "BE90510002222227"},
		"de": {"DE89370400440532013000", "DE08370400440532013003", "DE62370400440532013001", "DE78370400440532013004", "DE35370400440532013002", "DE65370400440000343434", "DE27370400440000121212", "DE65370400440002222227"},
		"es": {"ES0700120345030000067890", "ES2300120345030000067893", "ES9121000418450200051332", "ES9300120345030000067894", "ES5000120345030000067892", "ES1700120345000000343434", "ES7600120345000000121212", "ES1700120345000002222227"},
		"fi": {"FI2112345600000785", "FI3712345600000788", "FI9112345600000786", "FI1012345600000789", "FI6412345600000787", "FI6712345600343434", "FI2912345600121212", "FI6712345602222227"},
		"fr": {"FR1420041010050500013M02606", "FR3020041010050500013M02609", "FR8420041010050500013M02607", "FR7920041010050500013M02600", "FR5720041010050500013M02608", "FR9720041010050000000343434", "FR5920041010050000000121212", "FR9720041010050000002222227"},
		"ie": {"IE29AIBK93115212345678", "IE24AIBK93115212345671", "IE02AIBK93115212345679", "IE94AIBK93115212345672", "IE51AIBK93115212345670", "IE10AIBK93115200343434", "IE69AIBK93115200121212", "IE10AIBK93115202222227"},
		"lu": {"LU280019400644750000", "LU440019400644750003", "LU980019400644750001", "LU170019400644750004", "LU710019400644750002", "LU900010000000343434", "LU520010000000121212", "LU900010000002222227"},
		// Stripe's page gives NL's insufficient-funds token the delayed
		// success IBAN; the emulator keeps its own insufficient-funds one.
		"nl": {"NL39RABO0300065264", "NL55RABO0300065267", "NL91ABNA0417164300", "NL28RABO0300065268", "NL82RABO0300065266", "NL27RABO0000343434", "NL86RABO0000121212", "NL27RABO0002222227"},
		"pt": {"PT50000201231234567890154", "PT66000201231234567890157", "PT23000201231234567890155", "PT39000201231234567890158", "PT93000201231234567890156", "PT05000201230000000343434", "PT64000201230000000121212", "PT05000201230000002222227"},
	}
	// sepaDebitTokens are Stripe's SEPA test PaymentMethods
	// (pm_<scenario>_<country>), by the IBAN each stands for.
	sepaDebitTokens = map[string]string{}
)

// refuseDisputedBankDebit refuses a disputed SEPA or ACH test
// PaymentMethod: the dispute Stripe opens on its debit is not emulated.
func refuseDisputedBankDebit(id, param string) error {
	if id == "pm_usBankAccount_dispute" {
		return apierr.InvalidRequest("stripe-emu does not emulate Stripe's test PaymentMethod %s: the dispute Stripe opens on its ACH Direct Debit payment (disputes of bank debits are not emulated). It refused the request rather than answer as if it had. Use another us_bank_account test PaymentMethod, or test disputes with pm_card_createDispute.", id).WithParam(param)
	}
	if !strings.HasPrefix(id, "pm_disputed_") || sepaDebitTokens[id] == "" {
		return nil
	}
	return apierr.InvalidRequest("stripe-emu does not emulate Stripe's test PaymentMethod %s: the dispute Stripe opens at once on its SEPA Direct Debit payment (disputes of bank debits are not emulated). It refused the request rather than answer as if it had. Use another SEPA test PaymentMethod, or test disputes with pm_card_createDispute.", id).WithParam(param)
}

func init() {
	for country, ibans := range sepaTestIBANs {
		for i, iban := range ibans {
			if iban == "" {
				continue
			}
			token := "pm_" + sepaScenarios[i] + "_" + country
			sepaDebitTokens[token] = iban
		}
	}
}
