package payments_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Bank debit PaymentMethods' details", Label("payments"), func() {
	var sc *stripe.Client
	BeforeEach(func() { sc = Emulator().Client() })

	sepa := func(iban string) (*stripe.PaymentMethod, error) {
		return sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type:           stripe.String("sepa_debit"),
			SEPADebit:      &stripe.PaymentMethodCreateSEPADebitParams{IBAN: stripe.String(iban)},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen"), Email: stripe.String("jenny@example.com")},
		})
	}

	It("shows a SEPA Direct Debit account's bank code as its country's IBAN places it", func() {
		for iban, code := range map[string]string{
			"DE89370400440532013000":      "37040044", // Bankleitzahl, 8 digits
			"NL39RABO0300065264":          "RABO",     // Stripe's recorded test object
			"AT611904300234573201":        "19043",    // Stripe's recorded test charge
			"BE62510007547061":            "510",
			"FR1420041010050500013M02606": "20041",
			"ES0700120345030000067890":    "0012",
			"IE29AIBK93115212345678":      "AIBK",
		} {
			pm, err := sepa(iban)
			Expect(err).NotTo(HaveOccurred())
			Expect(pm.SEPADebit.BankCode).To(Equal(code), iban)
			Expect(pm.SEPADebit.Country).To(Equal(iban[:2]))
			Expect(pm.SEPADebit.Last4).To(Equal(iban[len(iban)-4:]))
		}
	})

	It("refuses an IBAN whose check digits or length are wrong, keeping nothing", func() {
		for _, iban := range []string{
			"DE89370400440532013001", // a digit changed: the checksum fails
			"DE8937040044053201300",  // a German IBAN is 22 characters
			"NL39RABO03000652640",
		} {
			_, err := sepa(iban)
			ExpectStripeError(err, 400, "invalid_request_error", "invalid_bank_account_iban", "sepa_debit[iban]")
		}
		n := 0
		for range sc.V1PaymentMethods.List(Ctx, &stripe.PaymentMethodListParams{Type: stripe.String("sepa_debit")}) {
			n++
		}
		Expect(n).To(BeZero())
	})

	It("shows a US bank account's status_details as an empty hash, as Stripe's example object does", func() {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type: stripe.String("us_bank_account"),
			USBankAccount: &stripe.PaymentMethodCreateUSBankAccountParams{AccountNumber: stripe.String("000123456789"),
				RoutingNumber: stripe.String("110000000"), AccountHolderType: stripe.String("company")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pm.USBankAccount.StatusDetails).NotTo(BeNil())
		Expect(pm.USBankAccount.StatusDetails.Blocked).To(BeNil())
		Expect(pm.USBankAccount.Last4).To(Equal("6789"))
		Expect(pm.USBankAccount.RoutingNumber).To(Equal("110000000"))
		Expect(pm.USBankAccount.AccountHolderType).To(Equal(stripe.PaymentMethodUSBankAccountAccountHolderTypeCompany))
		Expect(pm.USBankAccount.BankName).To(Equal("STRIPE TEST BANK"))
	})
})
