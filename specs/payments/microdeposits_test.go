package payments_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("ACH Direct Debit microdeposit verification", Label("payments"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		var err error
		cus, err = sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("payer@example.com")})
		Expect(err).NotTo(HaveOccurred())
	})
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }

	bank := func(number string) string {
		pm, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
			Type: stripe.String("us_bank_account"),
			USBankAccount: &stripe.PaymentMethodCreateUSBankAccountParams{AccountHolderType: stripe.String("individual"),
				AccountNumber: stripe.String(number), RoutingNumber: stripe.String("110000000")},
			BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen")},
		})
		Expect(err).NotTo(HaveOccurred())
		return pm.ID
	}
	online := onlineAcceptance()
	pay := func(pm string, edit ...func(*stripe.PaymentIntentCreateParams)) *stripe.PaymentIntent {
		p := &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("us_bank_account")},
			MandateData: online, Confirm: stripe.Bool(true),
		}
		for _, e := range edit {
			e(p)
		}
		pi, err := sc.V1PaymentIntents.Create(Ctx, p)
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	amounts := func(a, b int64) *stripe.PaymentIntentVerifyMicrodepositsParams {
		return &stripe.PaymentIntentVerifyMicrodepositsParams{Amounts: []*int64{stripe.Int64(a), stripe.Int64(b)}}
	}
	code := func(c string) *stripe.PaymentIntentVerifyMicrodepositsParams {
		return &stripe.PaymentIntentVerifyMicrodepositsParams{DescriptorCode: stripe.String(c)}
	}
	stripeErr := func(err error) *stripe.Error {
		Expect(err).To(HaveOccurred())
		se, ok := err.(*stripe.Error)
		Expect(ok).To(BeTrue(), "a Stripe error: %v", err)
		return se
	}
	mandateOf := func(pi *stripe.PaymentIntent) *stripe.Mandate {
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		m, err := sc.V1Mandates.Retrieve(Ctx, ch.PaymentMethodDetails.USBankAccount.Mandate.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		return m
	}

	It("serves hosted_verification_url, a page where the customer enters the descriptor code", func() {
		page := func(u string) (int, string) {
			GinkgoHelper()
			res, err := http.Get(u)
			Expect(err).NotTo(HaveOccurred())
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			Expect(err).NotTo(HaveOccurred())
			return res.StatusCode, string(b)
		}
		pi := pay(bank("000123456789"))
		hosted := pi.NextAction.VerifyWithMicrodeposits.HostedVerificationURL
		status, body := page(hosted)
		Expect(status).To(Equal(200), body)
		Expect(body).To(ContainSubstring("descriptor_code"))

		status, body = page(hosted + "?descriptor_code=SM99ZZ")
		Expect(status).To(Equal(400), body)
		Expect(body).To(ContainSubstring("does not match"))
		got, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))

		status, body = page(hosted + "?descriptor_code=SM11AA")
		Expect(status).To(Equal(200), body)
		got, err = sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.PaymentIntentStatusProcessing))

		status, _ = page(strings.Replace(hosted, "pacs_test_", "pacs_test_x", 1))
		Expect(status).To(Equal(404))
	})

	It("waits for microdeposits on an account entered by its numbers, then debits it and settles on the clock", func() {
		mark := len(emu.EventTypes(""))
		pi := pay(bank("000123456789"))
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.LatestCharge).To(BeNil(), "nothing is debited before verification")
		Expect(pi.NextAction.Type).To(Equal(stripe.PaymentIntentNextActionType("verify_with_microdeposits")))
		v := pi.NextAction.VerifyWithMicrodeposits
		Expect(v.ArrivalDate).To(BeNumerically(">", pi.Created))
		Expect(v.HostedVerificationURL).To(ContainSubstring("/microdeposit/pacs_test_"))
		Expect(v.MicrodepositType).To(Equal(stripe.PaymentIntentNextActionVerifyWithMicrodepositsMicrodepositTypeDescriptorCode))
		Expect(eventsSince(mark)).To(Equal([]string{"payment_intent.created", "payment_intent.requires_action"}))

		mark = len(emu.EventTypes(""))
		pi, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, amounts(45, 32))
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		Expect(pi.NextAction).To(BeNil())
		Expect(eventsSince(mark)).To(Equal([]string{"mandate.updated", "payment_intent.processing", "charge.pending"}))
		m := mandateOf(pi)
		Expect(m.Status).To(Equal(stripe.MandateStatusActive))

		emu.Clock().Advance(10 * time.Minute)
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
	})

	It("verifies with Stripe's test descriptor code, and debits a verified account at once from then on", func() {
		pm := bank("000123456789")
		pi := pay(pm)
		pi, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, code("SM11AA"))
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		again := pay(pm)
		Expect(again.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
	})

	It("fails the debit of a verified test account that fails after verification", func() {
		pi := pay(bank("000222222227"))
		pi, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, code("SM11AA"))
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(10 * time.Minute)
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(done.LastPaymentError.Code).To(Equal(stripe.ErrorCode("insufficient_funds")))
	})

	It("answers wrong amounts with Stripe's mismatch, then exceeds the three attempts: the intent needs a new payment method", func() {
		pi := pay(bank("000123456789"))
		for i := 0; i < 2; i++ {
			se := stripeErr(func() error { _, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, amounts(1, 2)); return err }())
			Expect(se.HTTPStatusCode).To(Equal(400))
			Expect(se.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationAmountsMismatch))
			Expect(se.Msg).To(Equal(fmt.Sprintf("The amounts provided do not match the amounts that were sent to the bank account. You have %d verification attempts remaining.", 2-i)))
			still, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(still.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		}
		mark := len(emu.EventTypes(""))
		se := stripeErr(func() error { _, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, amounts(1, 2)); return err }())
		Expect(se.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationAttemptsExceeded))
		Expect(se.Msg).To(Equal("You have exceeded the number of allowed verification attempts."))
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(done.PaymentMethod).To(BeNil())
		Expect(done.NextAction).To(BeNil())
		Expect(done.LastPaymentError.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationAttemptsExceeded))
		Expect(eventsSince(mark)).To(Equal([]string{"mandate.updated", "payment_intent.payment_failed"}), "the pending mandate ends")

		se = stripeErr(func() error {
			_, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, code("SM11AA"))
			return err
		}())
		Expect(se.Code).To(Equal(stripe.ErrorCode("payment_intent_unexpected_state")))
	})

	It("takes Stripe's test values for exceeding the attempts and for a timeout, and its descriptor code mismatch", func() {
		pi := pay(bank("000123456789"))
		se := stripeErr(func() error {
			_, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, code("SM99ZZ"))
			return err
		}())
		Expect(se.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationDescriptorCodeMismatch))
		Expect(se.Msg).To(Equal("The verification code provided does not match the one sent to the bank account."))
		se = stripeErr(func() error {
			_, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, code("SM33CC"))
			return err
		}())
		Expect(se.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationAttemptsExceeded))

		other := pay(bank("000123456789"))
		se = stripeErr(func() error {
			_, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, other.ID, amounts(40, 41))
			return err
		}())
		Expect(se.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationTimeout))
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, other.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(done.LastPaymentError.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationTimeout))
	})

	It("refuses malformed verifications without counting them or changing anything", func() {
		pi := pay(bank("000123456789"))
		se := stripeErr(func() error {
			_, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, amounts(32, 0))
			return err
		}())
		Expect(se.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationAmountsInvalid))
		Expect(se.Msg).To(Equal("You must provide exactly two microdeposit amounts."))
		_, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, &stripe.PaymentIntentVerifyMicrodepositsParams{
			Amounts: []*int64{stripe.Int64(32), stripe.Int64(45)}, DescriptorCode: stripe.String("SM11AA")})
		Expect(stripeErr(err).Code).To(Equal(stripe.ErrorCode("parameters_exclusive")))
		_, err = sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, &stripe.PaymentIntentVerifyMicrodepositsParams{})
		Expect(stripeErr(err).HTTPStatusCode).To(Equal(400))
		for i := 0; i < 2; i++ {
			_, err = sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, amounts(1, 2))
			Expect(stripeErr(err).Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationAmountsMismatch), "malformed requests did not count")
		}
		still, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(still.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(still.NextAction).To(Equal(pi.NextAction))
	})

	It("times out unverified microdeposits after 10 days on the clock", func() {
		pi := pay(bank("000123456789"))
		emu.Clock().Advance(9 * 24 * time.Hour)
		still, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(still.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		mark := len(emu.EventTypes(""))
		emu.Clock().Advance(25 * time.Hour)
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(done.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(done.LastPaymentError.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationTimeout))
		Expect(done.LastPaymentError.Msg).To(Equal("Payment method should be verified with microdeposits within the required period."))
		Expect(eventsSince(mark)).To(ContainElements("mandate.updated", "payment_intent.payment_failed"))
	})

	It("fails at once for the test account whose microdeposits cannot be sent", func() {
		pi := pay(bank("000666666661"))
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(pi.LastPaymentError.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositFailed))
	})

	It("keeps a debit of the test account 000000000009 processing until the test helper settles it", func() {
		pi := pay(bank("000000000009"))
		pi, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, code("SM11AA"))
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(24 * time.Hour)
		still, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(still.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		status, body, err := emu.Call("POST", "/v1/test_helpers/payment_intents/"+pi.ID+"/settle", url.Values{}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(body["status"]).To(Equal("succeeded"))
	})

	It("cancels a processing debit of the test account 000000000009, which Stripe offers for testing cancellation", func() {
		pi := pay(bank("000000000009"))
		pi, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, code("SM11AA"))
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
		mark := len(emu.EventTypes(""))
		canceled, err := sc.V1PaymentIntents.Cancel(Ctx, pi.ID, &stripe.PaymentIntentCancelParams{CancellationReason: stripe.String("requested_by_customer")})
		Expect(err).NotTo(HaveOccurred())
		Expect(canceled.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
		Expect(canceled.CancellationReason).To(Equal(stripe.PaymentIntentCancellationReasonRequestedByCustomer))
		Expect(canceled.AmountReceived).To(BeZero())
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.Status).To(Equal(stripe.ChargeStatusFailed))
		Expect(ch.Paid).To(BeFalse())
		Expect(eventsSince(mark)).To(ConsistOf("charge.failed", "payment_intent.canceled"))
		emu.Clock().Advance(5 * 24 * time.Hour)
		still, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(still.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
	})

	It("cancels a refund waiting for a processing debit when the debit is canceled", func() {
		pi := pay(bank("000000000009"))
		pi, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, code("SM11AA"))
		Expect(err).NotTo(HaveOccurred())
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		Expect(re.PendingReason).To(Equal(stripe.RefundPendingReasonChargePending))
		mark := len(emu.EventTypes(""))
		_, err = sc.V1PaymentIntents.Cancel(Ctx, pi.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(eventsSince(mark)).To(ConsistOf("charge.failed", "refund.updated", "charge.refund.updated", "payment_intent.canceled"))
		got, err := sc.V1Refunds.Retrieve(Ctx, re.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.RefundStatusCanceled))
		ch, err := sc.V1Charges.Retrieve(Ctx, pi.LatestCharge.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ch.AmountRefunded).To(BeZero())
	})

	DescribeTable("fails the debits of Stripe's failing test accounts once verified",
		func(number, failure string) {
			pi := pay(bank(number))
			_, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, code("SM11AA"))
			Expect(err).NotTo(HaveOccurred())
			emu.Clock().Advance(10 * time.Minute)
			done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(done.LastPaymentError.Code).To(Equal(stripe.ErrorCode(failure)))
			ch, err := sc.V1Charges.Retrieve(Ctx, done.LatestCharge.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.FailureCode).To(Equal(failure))
			Expect(ch.Outcome.NetworkStatus).To(Equal("declined_by_network"))
			Expect(ch.Outcome.Reason).To(Equal(failure))
			Expect(ch.Outcome.SellerMessage).To(Equal("The bank returned the decline code `" + failure + "`."))
		},
		Entry("closed account", "000111111113", "account_closed"),
		Entry("no account found", "000111111116", "no_account"),
		Entry("debits not authorized", "000333333335", "debit_not_authorized"),
		Entry("invalid currency", "000444444440", "invalid_currency"),
	)

	It("takes Stripe's test PaymentMethods, verified with microdeposits like the numbers they stand for, and shows verification_method", func() {
		pi := pay("pm_usBankAccount_success", func(p *stripe.PaymentIntentCreateParams) {
			p.PaymentMethodOptions = &stripe.PaymentIntentCreatePaymentMethodOptionsParams{USBankAccount: &stripe.PaymentIntentCreatePaymentMethodOptionsUSBankAccountParams{
				VerificationMethod: stripe.String("microdeposits")}}
		})
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusRequiresAction))
		Expect(pi.PaymentMethodOptions.USBankAccount.VerificationMethod).To(Equal(stripe.PaymentIntentPaymentMethodOptionsUSBankAccountVerificationMethodMicrodeposits))
		Expect(pi.PaymentMethod.ID).To(HavePrefix("pm_"))
		Expect(pi.PaymentMethod.ID).NotTo(Equal("pm_usBankAccount_success"))

		failing := pay("pm_usBankAccount_insufficientFunds")
		_, err := sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, failing.ID, code("SM11AA"))
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(10 * time.Minute)
		done, err := sc.V1PaymentIntents.Retrieve(Ctx, failing.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(done.LastPaymentError.Code).To(Equal(stripe.ErrorCode("insufficient_funds")))
	})

	It("refuses Stripe's disputed ACH test PaymentMethod, whose dispute is not emulated, changing nothing", func() {
		count := emu.Count("", "payment_intent")
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String("pm_usBankAccount_dispute"), PaymentMethodTypes: []*string{stripe.String("us_bank_account")},
			MandateData: online, Confirm: stripe.Bool(true),
		})
		se := stripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(400))
		Expect(se.Param).To(Equal("payment_method"))
		Expect(se.Msg).To(ContainSubstring("not emulate"))
		Expect(emu.Count("", "payment_intent")).To(Equal(count))
	})

	It("shows Stripe's us_bank_account options, verification_method automatic, on intents offering it, and none once it is not offered", func() {
		pi := pay(bank("000123456789"))
		Expect(pi.PaymentMethodOptions.USBankAccount).NotTo(BeNil())
		Expect(pi.PaymentMethodOptions.USBankAccount.VerificationMethod).To(Equal(stripe.PaymentIntentPaymentMethodOptionsUSBankAccountVerificationMethodAutomatic))
		Expect(pi.PaymentMethodOptions.USBankAccount.MandateOptions).NotTo(BeNil())

		card, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("usd"), PaymentMethodTypes: []*string{stripe.String("card"), stripe.String("us_bank_account")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(card.PaymentMethodOptions.USBankAccount.VerificationMethod).To(Equal(stripe.PaymentIntentPaymentMethodOptionsUSBankAccountVerificationMethodAutomatic))
		card, err = sc.V1PaymentIntents.Update(Ctx, card.ID, &stripe.PaymentIntentUpdateParams{PaymentMethodTypes: []*string{stripe.String("card")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(card.PaymentMethodOptions.USBankAccount).To(BeNil())

		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("us_bank_account")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(si.PaymentMethodOptions.USBankAccount.VerificationMethod).To(Equal(stripe.SetupIntentPaymentMethodOptionsUSBankAccountVerificationMethodAutomatic))
	})

	It("refuses verification_method=instant for an account entered by its numbers, and an unknown method, changing nothing", func() {
		pm := bank("000123456789")
		count := emu.Count("", "payment_intent")
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
			PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("us_bank_account")}, MandateData: online, Confirm: stripe.Bool(true),
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{USBankAccount: &stripe.PaymentIntentCreatePaymentMethodOptionsUSBankAccountParams{
				VerificationMethod: stripe.String("instant")}},
		})
		se := stripeErr(err)
		Expect(se.Param).To(Equal("payment_method_options[us_bank_account][verification_method]"))
		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("usd"),
			PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{USBankAccount: &stripe.PaymentIntentCreatePaymentMethodOptionsUSBankAccountParams{
				VerificationMethod: stripe.String("telepathy")}},
		})
		Expect(stripeErr(err).Param).To(Equal("payment_method_options[us_bank_account][verification_method]"))
		Expect(emu.Count("", "payment_intent")).To(Equal(count))
	})

	It("refuses a routing number that is not nine digits, in Stripe's words for a bank account's, making nothing", func() {
		count := emu.Count("", "payment_method")
		for _, routing := range []string{"11000000", "1100000000", "11000000A"} {
			_, err := sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{
				Type: stripe.String("us_bank_account"),
				USBankAccount: &stripe.PaymentMethodCreateUSBankAccountParams{AccountHolderType: stripe.String("individual"),
					AccountNumber: stripe.String("000123456789"), RoutingNumber: stripe.String(routing)},
				BillingDetails: &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String("Jenny Rosen")},
			})
			ExpectStripeError(err, 400, "invalid_request_error", "routing_number_invalid", "us_bank_account[routing_number]")
			Expect(err.(*stripe.Error).Msg).To(Equal("Routing number must have 9 digits"))
		}
		_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(5000), Currency: stripe.String("usd"), PaymentMethodTypes: []*string{stripe.String("us_bank_account")},
			PaymentMethodData: &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("us_bank_account"),
				USBankAccount:  &stripe.PaymentMethodUSBankAccountParams{AccountNumber: stripe.String("000123456789"), RoutingNumber: stripe.String("123")},
				BillingDetails: &stripe.PaymentIntentCreatePaymentMethodDataBillingDetailsParams{Name: stripe.String("Jenny Rosen")}},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "routing_number_invalid", "payment_method_data[us_bank_account][routing_number]")
		Expect(emu.Count("", "payment_method")).To(Equal(count))
	})

	It("refuses verification of an intent that does not wait for microdeposits", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1PaymentIntents.VerifyMicrodeposits(Ctx, pi.ID, code("SM11AA"))
		se := stripeErr(err)
		Expect(se.Code).To(Equal(stripe.ErrorCode("payment_intent_unexpected_state")))
		si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1SetupIntents.VerifyMicrodeposits(Ctx, si.ID, &stripe.SetupIntentVerifyMicrodepositsParams{DescriptorCode: stripe.String("SM11AA")})
		Expect(stripeErr(err).Code).To(Equal(stripe.ErrorCode("setup_intent_unexpected_state")))
	})

	Describe("SetupIntents", func() {
		// setup sets up pm, offering us_bank_account and the other types
		// given (a SetupIntent sets up only the types it lists).
		setup := func(pm string, others ...string) *stripe.SetupIntent {
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{
				Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm), PaymentMethodTypes: stripe.StringSlice(append([]string{"us_bank_account"}, others...)),
				Confirm: stripe.Bool(true),
				MandateData: &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{
					Type:   stripe.String("online"),
					Online: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceOnlineParams{IPAddress: stripe.String("203.0.113.9"), UserAgent: stripe.String("Mozilla/5.0")},
				}},
			})
			Expect(err).NotTo(HaveOccurred())
			return si
		}

		It("waits for microdeposits, its mandate pending; once verified the mandate is active and pays off-session at once", func() {
			pm := bank("000123456789")
			mark := len(emu.EventTypes(""))
			si := setup(pm)
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresAction))
			Expect(si.NextAction.Type).To(Equal(stripe.SetupIntentNextActionType("verify_with_microdeposits")))
			Expect(si.NextAction.VerifyWithMicrodeposits.HostedVerificationURL).To(ContainSubstring("/microdeposit/sacs_test_"))
			Expect(eventsSince(mark)).To(Equal([]string{"setup_intent.created", "setup_intent.requires_action"}))
			m, err := sc.V1Mandates.Retrieve(Ctx, si.Mandate.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.Status).To(Equal(stripe.MandateStatusPending))
			var statuses []string
			for att, err := range sc.V1SetupAttempts.List(Ctx, &stripe.SetupAttemptListParams{SetupIntent: stripe.String(si.ID)}) {
				Expect(err).NotTo(HaveOccurred())
				statuses = append(statuses, string(att.Status))
			}
			Expect(statuses).To(Equal([]string{"requires_action"}))

			mark = len(emu.EventTypes(""))
			si, err = sc.V1SetupIntents.VerifyMicrodeposits(Ctx, si.ID, &stripe.SetupIntentVerifyMicrodepositsParams{Amounts: []*int64{stripe.Int64(32), stripe.Int64(45)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
			Expect(si.NextAction).To(BeNil())
			Expect(eventsSince(mark)).To(ContainElements("mandate.updated", "payment_method.attached", "setup_intent.succeeded"))
			m, err = sc.V1Mandates.Retrieve(Ctx, si.Mandate.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.Status).To(Equal(stripe.MandateStatusActive))
			Expect(m.Type).To(Equal(stripe.MandateTypeMultiUse))

			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(2500), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
				PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("us_bank_account")},
				OffSession: stripe.Bool(true), Confirm: stripe.Bool(true),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing))
			Expect(mandateOf(pi).ID).To(Equal(si.Mandate.ID))
			emu.Clock().Advance(10 * time.Minute)
			done, err := sc.V1PaymentIntents.Retrieve(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(done.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		})

		It("ends the pending mandate of a setup canceled while it waits for microdeposits, which can no longer verify it", func() {
			si := setup(bank("000123456789"))
			mark := len(emu.EventTypes(""))
			_, err := sc.V1SetupIntents.Cancel(Ctx, si.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			m, err := sc.V1Mandates.Retrieve(Ctx, si.Mandate.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.Status).To(Equal(stripe.MandateStatusInactive))
			Expect(eventsSince(mark)).To(Equal([]string{"mandate.updated", "setup_intent.canceled"}))
		})

		It("ends the pending mandate of a setup confirmed again, with a card, while it waits for microdeposits", func() {
			si := setup(bank("000123456789"), "card")
			again, err := sc.V1SetupIntents.Confirm(Ctx, si.ID, &stripe.SetupIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
			Expect(err).NotTo(HaveOccurred())
			Expect(again.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
			m, err := sc.V1Mandates.Retrieve(Ctx, si.Mandate.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.Status).To(Equal(stripe.MandateStatusInactive))
		})

		It("fails the setup after ten wrong descriptor codes, its mandate inactive", func() {
			si := setup(bank("000123456789"))
			for i := 0; i < 9; i++ {
				_, err := sc.V1SetupIntents.VerifyMicrodeposits(Ctx, si.ID, &stripe.SetupIntentVerifyMicrodepositsParams{DescriptorCode: stripe.String("SM00XX")})
				Expect(stripeErr(err).Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationDescriptorCodeMismatch))
			}
			mark := len(emu.EventTypes(""))
			_, err := sc.V1SetupIntents.VerifyMicrodeposits(Ctx, si.ID, &stripe.SetupIntentVerifyMicrodepositsParams{DescriptorCode: stripe.String("SM00XX")})
			Expect(stripeErr(err).Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationAttemptsExceeded))
			done, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(done.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
			Expect(done.LastSetupError.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationAttemptsExceeded))
			Expect(eventsSince(mark)).To(Equal([]string{"mandate.updated", "setup_intent.setup_failed"}))
			m, err := sc.V1Mandates.Retrieve(Ctx, si.Mandate.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.Status).To(Equal(stripe.MandateStatusInactive))
		})

		It("fails the setup at once for the test account whose microdeposits cannot be sent", func() {
			si := setup("pm_usBankAccount_failMicrodeposits")
			Expect(si.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
			Expect(si.LastSetupError.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositFailed))
			m, err := sc.V1Mandates.Retrieve(Ctx, si.Mandate.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.Status).To(Equal(stripe.MandateStatusInactive))
		})

		It("times the setup out after 10 days on the clock", func() {
			si := setup(bank("000123456789"))
			emu.Clock().Advance(10 * 24 * time.Hour)
			done, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(done.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
			Expect(done.LastSetupError.Code).To(Equal(stripe.ErrorCodePaymentMethodMicrodepositVerificationTimeout))
		})
	})
})
