package payments

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
)

// outcome is what happens when a test card is charged.
type outcome int

const (
	succeeds                outcome = iota
	declines                        // declined at charge and at attach (card check)
	declinesOnCharge                // attaches fine, every charge declines (…0341)
	alwaysAuthenticate              // 3D Secure on every payment
	authenticateUnlessSetUp         // 3D Secure unless set up for off-session use
)

// card is one of Stripe's test cards.
type card struct {
	Number   string
	Brand    string
	Funding  string
	Country  string
	Outcome  outcome
	Decline  string // error code: card_declined, expired_card, incorrect_cvc, processing_error
	Reason   string // decline_code
	Message  string // what Stripe says
	ThreeDS2 bool
	// BypassPending: the payment's funds are available at once, not
	// pending (Stripe's 4000000000000077).
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
	// Refund, when set, is how the card's refunds end some time after
	// they are made (Stripe's asynchronous refund test cards).
	Refund asyncRefund
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

// radarBlocked is a card whose payments Radar blocks as too risky: they
// fail as a fraudulent decline without reaching the network.
var radarBlocked = card{Outcome: declinesOnCharge, Decline: "card_declined", Reason: "fraudulent", Message: "Your card was declined.", Risk: riskHighest}

var declined = card{Outcome: declines, Decline: "card_declined", Reason: "generic_decline", Message: "Your card was declined."}

// testCards are Stripe's documented test card numbers.
var testCards = map[string]card{
	"4242424242424242": {Brand: "visa", Funding: "credit", Country: "US"},
	"4000056655665556": {Brand: "visa", Funding: "debit", Country: "US"},
	"5555555555554444": {Brand: "mastercard", Funding: "credit", Country: "US"},
	"5200828282828210": {Brand: "mastercard", Funding: "debit", Country: "US"},
	"378282246310005":  {Brand: "amex", Funding: "credit", Country: "US"},
	"6011111111111117": {Brand: "discover", Funding: "credit", Country: "US"},
	// Brands without extended authorization, overcapture or multicapture.
	"3056930009020004": {Brand: "diners", Funding: "credit", Country: "US"},
	"36227206271667":   {Brand: "diners", Funding: "credit", Country: "US"},
	"3566002020360505": {Brand: "jcb", Funding: "credit", Country: "JP"},
	"6200000000000005": {Brand: "unionpay", Funding: "credit", Country: "CN"},
	"4000000760000002": {Brand: "visa", Funding: "credit", Country: "BR"},
	"4000001240000000": {Brand: "visa", Funding: "credit", Country: "CA"},
	"4000002500000003": {Brand: "visa", Funding: "credit", Country: "FR"},
	"4000000000000002": with(declined, "visa"),
	"4000000000009995": with(card{Outcome: declines, Decline: "card_declined", Reason: "insufficient_funds", Message: "Your card has insufficient funds."}, "visa"),
	"4000000000009987": with(card{Outcome: declines, Decline: "card_declined", Reason: "lost_card", Message: "Your card was declined."}, "visa"),
	"4000000000009979": with(card{Outcome: declines, Decline: "card_declined", Reason: "stolen_card", Message: "Your card was declined."}, "visa"),
	"4000000000000069": with(card{Outcome: declines, Decline: "expired_card", Reason: "expired_card", Message: "Your card has expired."}, "visa"),
	"4000000000000127": with(card{Outcome: declines, Decline: "incorrect_cvc", Reason: "incorrect_cvc", Message: "Your card's security code is incorrect."}, "visa"),
	"4000000000000119": with(card{Outcome: declines, Decline: "processing_error", Reason: "processing_error", Message: "An error occurred while processing your card. Try again in a little bit."}, "visa"),
	"4000000000000341": with(card{Outcome: declinesOnCharge, Decline: "card_declined", Reason: "generic_decline", Message: "Your card was declined."}, "visa"),
	"4000002760003184": with(card{Outcome: alwaysAuthenticate}, "visa"),
	"4000002500003155": with(card{Outcome: authenticateUnlessSetUp}, "visa"),
	"4000000000003220": with(card{Outcome: alwaysAuthenticate, ThreeDS2: true}, "visa"),
	"4000000000003063": with(card{Outcome: alwaysAuthenticate}, "visa"),
	"4000000000000077": with(card{BypassPending: true}, "visa"),
	"4000000000000259": with(card{Dispute: &disputeCard{Reason: "fraudulent", NetworkCode: "10.4"}}, "visa"),
	"4000000000002685": with(card{Dispute: &disputeCard{Reason: "product_not_received", NetworkCode: "13.1"}}, "visa"),
	"4000000000001976": with(card{Dispute: &disputeCard{Reason: "general", NetworkCode: "10.4", Inquiry: true}}, "visa"),
	"4000000000005423": with(card{EarlyFraudWarning: "made_with_stolen_card"}, "visa"),
	"4000000000007726": with(card{Refund: refundPendingFirst}, "visa"),
	"4000000000005126": with(card{Refund: refundFailsLater}, "visa"),
	// Radar: elevated risk is reviewed; highest risk is blocked, by
	// Radar's default rule (…4954) or always (…0019).
	"4000000000009235": with(card{Risk: riskElevated}, "visa"),
	"4000000000004954": with(radarBlocked, "visa"),
	"4100000000000019": with(radarBlocked, "visa"),
}

func with(c card, brand string) card {
	c.Brand, c.Funding, c.Country = brand, "credit", "US"
	return c
}

// unemulatedCards are Stripe's dispute test cards whose disputes
// stripe-emu does not emulate, with what they make at Stripe: they are
// refused, not charged as a plain card that is never disputed.
var unemulatedCards = map[string]string{
	"4000000404000079": "a charge disputed multiple times",
	"4000000404000038": "a Visa Compelling Evidence 3.0 eligible dispute",
	"4000008400000779": "a Visa compliance dispute",
	"5105008400000002": "a Mastercard compliance dispute",
	"4000000001000043": "a Smart Disputes eligible dispute",
	"4000000404004816": "a dispute Visa Rapid Dispute Resolution prevents",
	"4000000404005649": "a dispute Compelling Evidence 3.0 blocks",
	"5105000300000018": "a dispute an Ethoca alert prevents",
}

// refuseUnemulated refuses one of unemulatedCards, named by param.
func refuseUnemulated(number, param string) error {
	what, ok := unemulatedCards[number]
	if !ok {
		return nil
	}
	return apierr.InvalidRequest("stripe-emu does not emulate Stripe's test card %s (%s): test disputes with pm_card_createDispute, pm_card_createDisputeProductNotReceived or pm_card_createDisputeInquiry.", number, what).WithParam(param)
}

// magicPaymentMethods maps Stripe's test PaymentMethod ids to card numbers.
// Using one creates a fresh pm_ object, as Stripe does.
var magicPaymentMethods = map[string]string{
	"pm_card_visa":                            "4242424242424242",
	"pm_card_visa_debit":                      "4000056655665556",
	"pm_card_mastercard":                      "5555555555554444",
	"pm_card_mastercard_debit":                "5200828282828210",
	"pm_card_amex":                            "378282246310005",
	"pm_card_discover":                        "6011111111111117",
	"pm_card_diners":                          "3056930009020004",
	"pm_card_jcb":                             "3566002020360505",
	"pm_card_unionpay":                        "6200000000000005",
	"pm_card_br":                              "4000000760000002",
	"pm_card_ca":                              "4000001240000000",
	"pm_card_fr":                              "4000002500000003",
	"pm_card_chargeDeclined":                  "4000000000000002",
	"pm_card_visa_chargeDeclined":             "4000000000000002",
	"pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
	"pm_card_visa_chargeDeclinedInsufficientFunds":                  "4000000000009995",
	"pm_card_chargeDeclinedLostCard":                                "4000000000009987",
	"pm_card_visa_chargeDeclinedLostCard":                           "4000000000009987",
	"pm_card_chargeDeclinedStolenCard":                              "4000000000009979",
	"pm_card_visa_chargeDeclinedStolenCard":                         "4000000000009979",
	"pm_card_chargeDeclinedExpiredCard":                             "4000000000000069",
	"pm_card_visa_chargeDeclinedExpiredCard":                        "4000000000000069",
	"pm_card_chargeDeclinedIncorrectCvc":                            "4000000000000127",
	"pm_card_visa_chargeDeclinedIncorrectCvc":                       "4000000000000127",
	"pm_card_chargeDeclinedProcessingError":                         "4000000000000119",
	"pm_card_visa_chargeDeclinedProcessingError":                    "4000000000000119",
	"pm_card_chargeCustomerFail":                                    "4000000000000341",
	"pm_card_authenticationRequired":                                "4000002760003184",
	"pm_card_authenticationRequiredOnSetup":                         "4000002500003155",
	"pm_card_authenticationRequiredChargeDeclinedInsufficientFunds": "4000008260003178",
	"pm_card_threeDSecure2Required":                                 "4000000000003220",
	"pm_card_threeDSecureRequired":                                  "4000000000003063",
	"pm_card_bypassPending":                                         "4000000000000077",
	"pm_card_createDispute":                                         "4000000000000259",
	"pm_card_createDisputeProductNotReceived":                       "4000000000002685",
	"pm_card_createDisputeInquiry":                                  "4000000000001976",
	"pm_card_createIssuerFraudRecord":                               "4000000000005423",
	"pm_card_pendingRefund":                                         "4000000000007726",
	"pm_card_createMultipleDisputes":                                "4000000404000079",
	"pm_card_createCe3EligibleDispute":                              "4000000404000038",
	"pm_card_createComplianceDispute":                               "4000008400000779",
	"pm_card_createMastercardComplianceDispute":                     "5105008400000002",
	"pm_card_createAutoRepresentmentEligibleDispute":                "4000000001000043",
	"pm_card_createRapidDisputeResolutionDispute":                   "4000000404004816",
	"pm_card_createCe3BlockDispute":                                 "4000000404005649",
	"pm_card_createEthocaAlert":                                     "5105000300000018",
	"pm_card_refundFail":                                            "4000000000005126",
	"pm_card_riskLevelElevated":                                     "4000000000009235",
	"pm_card_riskLevelHighest":                                      "4000000000004954",
	"pm_card_chargeDeclinedFraudulent":                              "4100000000000019",
}

// testTokens maps Stripe's test card tokens to card numbers.
var testTokens = map[string]string{}

func init() {
	for id, number := range magicPaymentMethods {
		testTokens["tok_"+strings.TrimPrefix(id, "pm_card_")] = number
	}
	testCards["4000008260003178"] = with(card{Outcome: alwaysAuthenticate, Decline: "card_declined", Reason: "insufficient_funds", Message: "Your card has insufficient funds."}, "visa")
}

// lookupCard returns the test card for a number; any other Luhn-valid
// number behaves like a plain successful Visa-like card of its brand.
func lookupCard(number string) (card, bool) {
	if c, ok := testCards[number]; ok {
		c.Number = number
		return c, true
	}
	if !luhn(number) || len(number) < 12 || len(number) > 19 {
		return card{}, false
	}
	return card{Number: number, Brand: brandOf(number), Funding: "credit", Country: "US"}, true
}

func brandOf(n string) string {
	switch {
	case strings.HasPrefix(n, "4"):
		return "visa"
	case strings.HasPrefix(n, "5"), strings.HasPrefix(n, "2"):
		return "mastercard"
	case strings.HasPrefix(n, "34"), strings.HasPrefix(n, "37"):
		return "amex"
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
	failingIBANs = map[string]string{
		"DE62370400440532013001": "insufficient_funds",
		"AT861904300235473202":   "insufficient_funds",
		"NL55RABO0123456789":     "insufficient_funds",
	}
	failingUSBankAccounts = map[string]string{
		"000111111116": "insufficient_funds",
		"000111111113": "account_closed",
		"000222222227": "insufficient_funds",
		"000333333335": "debit_not_authorized",
		"000444444440": "invalid_currency",
	}
)
