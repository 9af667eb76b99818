package terminal_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// A server-driven Terminal integration as Stripe's test mode lets one be
// built without hardware: a location, a simulated reader, a PaymentIntent
// the reader processes, and the customer's card presented through the
// test helper.
var _ = Describe("Terminal's server-driven integration", Label("terminal"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }

	location := func() *stripe.TerminalLocation {
		GinkgoHelper()
		loc, err := sc.V1TerminalLocations.Create(Ctx, &stripe.TerminalLocationCreateParams{
			DisplayName: stripe.String("Main Street"),
			Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), City: stripe.String("Austin"),
				State: stripe.String("TX"), PostalCode: stripe.String("78701"), Country: stripe.String("US")},
		})
		Expect(err).NotTo(HaveOccurred())
		return loc
	}
	reader := func(loc string) *stripe.TerminalReader {
		GinkgoHelper()
		r, err := sc.V1TerminalReaders.Create(Ctx, &stripe.TerminalReaderCreateParams{
			RegistrationCode: stripe.String("simulated-wpe"), Location: stripe.String(loc), Label: stripe.String("Till 1"),
		})
		Expect(err).NotTo(HaveOccurred())
		return r
	}
	intent := func(amount int64, capture string) *stripe.PaymentIntent {
		GinkgoHelper()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
			Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
			PaymentMethodTypes: []*string{stripe.String("card_present")}, CaptureMethod: stripe.String(capture),
		})
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	process := func(readerID, piID string) *stripe.TerminalReader {
		GinkgoHelper()
		r, err := sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, readerID, &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String(piID)})
		Expect(err).NotTo(HaveOccurred())
		return r
	}
	present := func(readerID, number string) *stripe.TerminalReader {
		GinkgoHelper()
		p := &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{}
		if number != "" {
			p.CardPresent = &stripe.TestHelpersTerminalReaderPresentPaymentMethodCardPresentParams{Number: stripe.String(number)}
		}
		r, err := sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, readerID, p)
		Expect(err).NotTo(HaveOccurred())
		return r
	}
	getIntent := func(id string) *stripe.PaymentIntent {
		GinkgoHelper()
		p := &stripe.PaymentIntentRetrieveParams{}
		p.AddExpand("latest_charge")
		p.AddExpand("payment_method")
		pi, err := sc.V1PaymentIntents.Retrieve(Ctx, id, p)
		Expect(err).NotTo(HaveOccurred())
		return pi
	}
	// insufficientFunds checks a reader action failed by Stripe's
	// insufficient-funds test card since event mark: the action, its
	// events and the intent left to pay again, which it answers.
	insufficientFunds := func(r *stripe.TerminalReader, mark int, piID string) *stripe.PaymentIntent {
		GinkgoHelper()
		Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusFailed))
		Expect(r.Action.FailureCode).To(Equal("card_declined"))
		Expect(r.Action.FailureMessage).To(Equal("Your card has insufficient funds."))
		Expect(eventsSince(mark)).To(Equal([]string{"charge.failed", "payment_intent.payment_failed", "terminal.reader.action_failed"}))
		failed := getIntent(piID)
		Expect(failed.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		Expect(failed.LastPaymentError.DeclineCode).To(Equal(stripe.DeclineCodeInsufficientFunds))
		return failed
	}

	Describe("locations", func() {
		It("are created, read, changed, listed and deleted", func() {
			loc := location()
			Expect(loc.ID).To(HavePrefix("tml_"))
			Expect(loc.DisplayName).To(Equal("Main Street"))
			Expect(loc.Address.Country).To(Equal("US"))
			Expect(loc.Address.State).To(Equal("TX"))

			up, err := sc.V1TerminalLocations.Update(Ctx, loc.ID, &stripe.TerminalLocationUpdateParams{
				DisplayName: stripe.String("Main St."), Address: &stripe.AddressParams{Line2: stripe.String("Suite 5")},
				Metadata: map[string]string{"store": "7"},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(up.DisplayName).To(Equal("Main St."))
			Expect(up.Address.Line1).To(Equal("1 Main St"), "the fields not sent are kept")
			Expect(up.Address.Line2).To(Equal("Suite 5"))
			Expect(up.Metadata).To(Equal(map[string]string{"store": "7"}))

			var ids []string
			for l, err := range sc.V1TerminalLocations.List(Ctx, &stripe.TerminalLocationListParams{}) {
				Expect(err).NotTo(HaveOccurred())
				ids = append(ids, l.ID)
			}
			Expect(ids).To(Equal([]string{loc.ID}))

			del, err := sc.V1TerminalLocations.Delete(Ctx, loc.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(del.Deleted).To(BeTrue())

			By("a deleted location is read as Stripe's deleted stub, as the spec's retrieve answer (deleted_terminal.location) has it, and is otherwise gone")
			gone, err := sc.V1TerminalLocations.Retrieve(Ctx, loc.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(gone.ID).To(Equal(loc.ID))
			Expect(gone.Deleted).To(BeTrue())
			Expect(gone.DisplayName).To(BeEmpty())
			_, err = sc.V1TerminalLocations.Update(Ctx, loc.ID, &stripe.TerminalLocationUpdateParams{DisplayName: stripe.String("Back")})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			_, err = sc.V1TerminalLocations.Delete(Ctx, loc.ID, nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			_, err = sc.V1TerminalLocations.Retrieve(Ctx, "tml_never", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})

		It("need a display name and an address with a country Stripe knows, and nothing is made otherwise", func() {
			_, err := sc.V1TerminalLocations.Create(Ctx, &stripe.TerminalLocationCreateParams{DisplayName: stripe.String("X")})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "address")
			_, err = sc.V1TerminalLocations.Create(Ctx, &stripe.TerminalLocationCreateParams{
				DisplayName: stripe.String("X"), Address: &stripe.AddressParams{City: stripe.String("Paris")}})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "address[country]")
			_, err = sc.V1TerminalLocations.Create(Ctx, &stripe.TerminalLocationCreateParams{
				DisplayName: stripe.String("X"), Address: &stripe.AddressParams{Country: stripe.String("XX")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "address[country]")
			Expect(StripeErr(err).Msg).To(HavePrefix("Country 'XX' is unknown."))
			Expect(emu.Count("", "terminal.location")).To(BeZero())
		})

		It("keep their country: an update naming another is refused and changes nothing, as Stripe's reference says", func() {
			loc := location()
			_, err := sc.V1TerminalLocations.Update(Ctx, loc.ID, &stripe.TerminalLocationUpdateParams{
				DisplayName: stripe.String("Moved"), Address: &stripe.AddressParams{Country: stripe.String("CA"), State: stripe.String("ON")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "address[country]")
			got, err := sc.V1TerminalLocations.Retrieve(Ctx, loc.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.DisplayName).To(Equal("Main Street"))
			Expect(got.Address.Country).To(Equal("US"))
			Expect(got.Address.State).To(Equal("TX"))

			up, err := sc.V1TerminalLocations.Update(Ctx, loc.ID, &stripe.TerminalLocationUpdateParams{
				Address: &stripe.AddressParams{Country: stripe.String("us"), City: stripe.String("Dallas")}})
			Expect(err).NotTo(HaveOccurred(), "the same country may be sent again")
			Expect(up.Address.City).To(Equal("Dallas"))
		})

		It("cannot be deleted while readers are registered to them", func() {
			loc := location()
			r := reader(loc.ID)
			_, err := sc.V1TerminalLocations.Delete(Ctx, loc.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			_, err = sc.V1TerminalReaders.Delete(Ctx, r.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TerminalLocations.Delete(Ctx, loc.ID, nil)
			Expect(err).NotTo(HaveOccurred())
		})
	})

	Describe("simulated readers", func() {
		It("are registered with Stripe's simulated codes, online, with their device type", func() {
			loc := location()
			wpe := reader(loc.ID)
			Expect(wpe.ID).To(HavePrefix("tmr_"))
			Expect(wpe.DeviceType).To(Equal(stripe.TerminalReaderDeviceTypeSimulatedWisePOSE))
			Expect(wpe.Status).To(Equal(stripe.TerminalReaderStatusOnline))
			Expect(wpe.Label).To(Equal("Till 1"))
			Expect(wpe.Location.ID).To(Equal(loc.ID))
			Expect(wpe.SerialNumber).To(MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`))
			Expect(wpe.Action).To(BeNil())
			rp := &stripe.TerminalReaderRetrieveParams{}
			rp.AddExpand("location")
			expanded, err := sc.V1TerminalReaders.Retrieve(Ctx, wpe.ID, rp)
			Expect(err).NotTo(HaveOccurred())
			Expect(expanded.Location.DisplayName).To(Equal("Main Street"))

			var s700 *stripe.TerminalReader
			s700, err = sc.V1TerminalReaders.Create(Ctx, &stripe.TerminalReaderCreateParams{RegistrationCode: stripe.String("simulated-s700")})
			Expect(err).NotTo(HaveOccurred())
			Expect(s700.DeviceType).To(Equal(stripe.TerminalReaderDeviceTypeSimulatedStripeS700))
			Expect(s700.Label).To(Equal("simulated-s700"), "a reader without a label is labelled with its code")
			Expect(s700.Location).To(BeNil())

			list := func(p *stripe.TerminalReaderListParams) []string {
				GinkgoHelper()
				var ids []string
				for r, err := range sc.V1TerminalReaders.List(Ctx, p) {
					Expect(err).NotTo(HaveOccurred())
					ids = append(ids, r.ID)
				}
				return ids
			}
			Expect(list(&stripe.TerminalReaderListParams{})).To(Equal([]string{s700.ID, wpe.ID}))
			Expect(list(&stripe.TerminalReaderListParams{Location: stripe.String(loc.ID)})).To(Equal([]string{wpe.ID}))
			Expect(list(&stripe.TerminalReaderListParams{DeviceType: stripe.String("simulated_stripe_s700")})).To(Equal([]string{s700.ID}))
			Expect(list(&stripe.TerminalReaderListParams{SerialNumber: stripe.String(wpe.SerialNumber)})).To(Equal([]string{wpe.ID}))
			Expect(list(&stripe.TerminalReaderListParams{Status: stripe.String("offline")})).To(BeEmpty())

			up, err := sc.V1TerminalReaders.Update(Ctx, wpe.ID, &stripe.TerminalReaderUpdateParams{
				Label: stripe.String("Till 2"), Metadata: map[string]string{"lane": "2"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(up.Label).To(Equal("Till 2"))
			Expect(up.Metadata).To(Equal(map[string]string{"lane": "2"}))

			del, err := sc.V1TerminalReaders.Delete(Ctx, s700.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(del.Deleted).To(BeTrue())
			Expect(list(&stripe.TerminalReaderListParams{})).To(Equal([]string{wpe.ID}))
			gone, err := sc.V1TerminalReaders.Retrieve(Ctx, s700.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(gone.Deleted).To(BeTrue(), "read as Stripe's deleted stub, as the spec's retrieve answer (deleted_terminal.reader) has it")
			Expect(gone.ID).To(Equal(s700.ID))
			_, err = sc.V1TerminalReaders.SetReaderDisplay(Ctx, s700.ID, &stripe.TerminalReaderSetReaderDisplayParams{Type: stripe.String("cart"),
				Cart: &stripe.TerminalReaderSetReaderDisplayCartParams{Currency: stripe.String("usd"), Total: stripe.Int64(100),
					LineItems: []*stripe.TerminalReaderSetReaderDisplayCartLineItemParams{{Amount: stripe.Int64(100), Description: stripe.String("Tea"), Quantity: stripe.Int64(1)}}}})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})

		It("refuse any other registration code, an unknown location, and an unknown reader, making nothing", func() {
			_, err := sc.V1TerminalReaders.Create(Ctx, &stripe.TerminalReaderCreateParams{RegistrationCode: stripe.String("sepia-cerulean-aqua")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "registration_code")
			_, err = sc.V1TerminalReaders.Create(Ctx, &stripe.TerminalReaderCreateParams{})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "registration_code")
			_, err = sc.V1TerminalReaders.Create(Ctx, &stripe.TerminalReaderCreateParams{
				RegistrationCode: stripe.String("simulated-wpe"), Location: stripe.String("tml_missing")})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "location")
			Expect(emu.Count("", "terminal.reader")).To(BeZero())

			_, err = sc.V1TerminalReaders.Retrieve(Ctx, "tmr_missing", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			Expect(StripeErr(err).Msg).To(Equal("No such terminal reader: 'tmr_missing'"))
			_, err = sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, "tmr_missing", &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String("pi_x")})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})
	})

	Describe("an in-person payment", func() {
		var (
			rcv *Receiver
			rdr *stripe.TerminalReader
		)
		BeforeEach(func() {
			rcv = NewReceiver()
			_, secret, err := emu.Webhooks().Listen(rcv.Srv.URL, "terminal.reader.action_succeeded", "terminal.reader.action_failed")
			Expect(err).NotTo(HaveOccurred())
			rcv.Lock()
			rcv.Secret = secret
			rcv.Unlock()
			rdr = reader(location().ID)
		})

		It("is processed on the reader, paid by the presented card, captured, and refunded on the reader", func() {
			pi := intent(2500, "manual")
			r := process(rdr.ID, pi.ID)
			Expect(r.Action.Type).To(Equal(stripe.TerminalReaderActionTypeProcessPaymentIntent))
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusInProgress))
			Expect(r.Action.ProcessPaymentIntent.PaymentIntent.ID).To(Equal(pi.ID))
			Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod), "nothing is paid before the card is presented")

			mark := len(emu.EventTypes(""))
			r = present(rdr.ID, "")
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.succeeded", "payment_intent.amount_capturable_updated", "terminal.reader.action_succeeded"}))

			paid := getIntent(pi.ID)
			Expect(paid.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture), "a manual capture waits, as Stripe's do")
			Expect(paid.AmountCapturable).To(Equal(int64(2500)))
			Expect(paid.PaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeCardPresent))
			Expect(paid.PaymentMethod.CardPresent.Last4).To(Equal("4242"))
			ch := paid.LatestCharge
			Expect(ch.PaymentMethodDetails.Type).To(Equal(stripe.ChargePaymentMethodDetailsTypeCardPresent))
			cp := ch.PaymentMethodDetails.CardPresent
			Expect(cp.Brand).To(BeEquivalentTo("visa"))
			Expect(cp.Last4).To(Equal("4242"))
			Expect(cp.AmountAuthorized).To(Equal(int64(2500)))
			Expect(cp.CaptureBefore).To(Equal(emu.Clock().Now().Unix() + 2*86400))
			Expect(ch.Captured).To(BeFalse())

			Eventually(rcv.Types).Should(Equal([]string{"terminal.reader.action_succeeded"}))
			ev := rcv.All()[0]
			Expect(ev.Data.Object["id"]).To(Equal(rdr.ID))
			Expect(ev.Data.Object["action"].(map[string]any)["status"]).To(Equal("succeeded"))

			captured, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(captured.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

			r, err = sc.V1TerminalReaders.RefundPayment(Ctx, rdr.ID, &stripe.TerminalReaderRefundPaymentParams{
				PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000), Metadata: map[string]string{"return": "R-7"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Type).To(Equal(stripe.TerminalReaderActionTypeRefundPayment))
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusInProgress))
			Expect(r.Action.RefundPayment.PaymentIntent.ID).To(Equal(pi.ID))
			Expect(r.Action.RefundPayment.Charge).To(BeNil(), "the action shows what was sent, as Stripe's example does")
			Expect(r.Action.RefundPayment.Amount).To(Equal(int64(1000)))
			Expect(emu.Count("", "refund")).To(BeZero(), "the refund waits for the card")

			r = present(rdr.ID, "")
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
			Expect(r.Action.RefundPayment.Refund).NotTo(BeNil())
			re, err := sc.V1Refunds.Retrieve(Ctx, r.Action.RefundPayment.Refund.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Amount).To(Equal(int64(1000)))
			Expect(re.Metadata).To(Equal(map[string]string{"return": "R-7"}))
			Expect(re.Charge.ID).To(Equal(ch.ID))
			Eventually(rcv.Types).Should(HaveLen(2))
		})

		It("releases an in-person authorization left uncaptured at its capture_before, two days on", func() {
			pi := intent(1800, "manual")
			process(rdr.ID, pi.ID)
			present(rdr.ID, "")
			held := getIntent(pi.ID)
			until := held.LatestCharge.PaymentMethodDetails.CardPresent.CaptureBefore
			Expect(until).To(Equal(emu.Clock().Now().Unix() + 2*86400))
			emu.Clock().Set(time.Unix(until-1, 0))
			Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
			emu.Clock().Set(time.Unix(until, 0))
			expired := getIntent(pi.ID)
			Expect(expired.Status).To(Equal(stripe.PaymentIntentStatusCanceled))
			Expect(expired.CancellationReason).To(Equal(stripe.PaymentIntentCancellationReasonExpired))
		})

		It("shows the intent and charge behind the reader's action when expanded", func() {
			pi := intent(1000, "automatic")
			process(rdr.ID, pi.ID)
			rp := &stripe.TerminalReaderRetrieveParams{}
			rp.AddExpand("action.process_payment_intent.payment_intent")
			r, err := sc.V1TerminalReaders.Retrieve(Ctx, rdr.ID, rp)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.ProcessPaymentIntent.PaymentIntent.Amount).To(Equal(int64(1000)))
			present(rdr.ID, "")
			_, err = sc.V1TerminalReaders.RefundPayment(Ctx, rdr.ID, &stripe.TerminalReaderRefundPaymentParams{Charge: stripe.String(getIntent(pi.ID).LatestCharge.ID)})
			Expect(err).NotTo(HaveOccurred())
			rp = &stripe.TerminalReaderRetrieveParams{}
			rp.AddExpand("action.refund_payment.charge")
			r, err = sc.V1TerminalReaders.Retrieve(Ctx, rdr.ID, rp)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.RefundPayment.Charge.Amount).To(Equal(int64(1000)))
			Expect(r.Action.RefundPayment.Amount).To(Equal(int64(1000)), "the whole charge when no amount is given")
		})

		It("adds the tip the customer chose to an automatically captured payment", func() {
			pi := intent(1000, "automatic")
			process(rdr.ID, pi.ID)
			_, err := sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{
				AmountTip: stripe.Int64(150), Type: stripe.String("card_present"),
				CardPresent: &stripe.TestHelpersTerminalReaderPresentPaymentMethodCardPresentParams{Number: stripe.String("5555555555554444")},
			})
			Expect(err).NotTo(HaveOccurred())
			paid := getIntent(pi.ID)
			Expect(paid.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(paid.Amount).To(Equal(int64(1150)))
			Expect(paid.AmountReceived).To(Equal(int64(1150)))
			Expect(paid.AmountDetails.Tip.Amount).To(Equal(int64(150)))
			Expect(paid.LatestCharge.PaymentMethodDetails.CardPresent.Brand).To(BeEquivalentTo("mastercard"))
		})

		It("raises an authorization that asked for incremental authorization support, as Stripe's Terminal guide has it", func() {
			create := func(requested bool) *stripe.PaymentIntent {
				GinkgoHelper()
				pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
					PaymentMethodTypes: []*string{stripe.String("card_present")}, CaptureMethod: stripe.String("manual"),
					PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{CardPresent: &stripe.PaymentIntentCreatePaymentMethodOptionsCardPresentParams{
						RequestIncrementalAuthorizationSupport: stripe.Bool(requested)}}})
				Expect(err).NotTo(HaveOccurred())
				return pi
			}
			pi := create(true)
			process(rdr.ID, pi.ID)
			present(rdr.ID, "5555555555554444")
			paid := getIntent(pi.ID)
			Expect(paid.Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
			Expect(paid.LatestCharge.PaymentMethodDetails.CardPresent.IncrementalAuthorizationSupported).To(BeTrue())

			mark := len(emu.EventTypes(""))
			raised, err := sc.V1PaymentIntents.IncrementAuthorization(Ctx, pi.ID, &stripe.PaymentIntentIncrementAuthorizationParams{Amount: stripe.Int64(3500)})
			Expect(err).NotTo(HaveOccurred())
			Expect(raised.Amount).To(Equal(int64(3500)))
			Expect(raised.AmountCapturable).To(Equal(int64(3500)))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.updated", "payment_intent.amount_capturable_updated"}), "as a card payment's increment tells")
			ch := getIntent(pi.ID).LatestCharge
			Expect(ch.Amount).To(Equal(int64(3500)))
			Expect(ch.PaymentMethodDetails.CardPresent.AmountAuthorized).To(Equal(int64(3500)))
			captured, err := sc.V1PaymentIntents.Capture(Ctx, pi.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(captured.AmountReceived).To(Equal(int64(3500)))

			By("an intent that did not ask, or a card brand Stripe does not increment (JCB), cannot be raised")
			for _, c := range []struct {
				requested bool
				number    string
			}{{false, "4242424242424242"}, {true, "3566002020360505"}} {
				other := create(c.requested)
				process(rdr.ID, other.ID)
				present(rdr.ID, c.number)
				Expect(getIntent(other.ID).LatestCharge.PaymentMethodDetails.CardPresent.IncrementalAuthorizationSupported).To(BeFalse())
				_, err = sc.V1PaymentIntents.IncrementAuthorization(Ctx, other.ID, &stripe.PaymentIntentIncrementAuthorizationParams{Amount: stripe.Int64(3500)})
				ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
				Expect(getIntent(other.ID).Amount).To(Equal(int64(2000)))
			}
		})

		It("fails the action with the decline when the card declines, and the intent can be tried again", func() {
			pi := intent(1000, "automatic")
			process(rdr.ID, pi.ID)
			mark := len(emu.EventTypes(""))
			r := present(rdr.ID, "4000000000009995")
			failed := insufficientFunds(r, mark, pi.ID)
			Expect(failed.LatestCharge.Status).To(Equal(stripe.ChargeStatusFailed))
			declined, ok := emu.Get(failed.LatestCharge.ID)
			Expect(ok).To(BeTrue())
			Expect(declined["payment_method_details"].(map[string]any)["card_present"]).To(HaveKeyWithValue("amount_authorized", BeNil()),
				"the issuer authorized nothing, as a declined card charge shows")
			Eventually(rcv.Types).Should(Equal([]string{"terminal.reader.action_failed"}))

			_, err := sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")

			process(rdr.ID, pi.ID)
			Expect(present(rdr.ID, "").Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
			Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		})

		It("declines an amount ending in one of Stripe's test decimals with its decline code, as test mode does", func() {
			for ending, code := range map[int64]stripe.DeclineCode{
				1: stripe.DeclineCodeCallIssuer, 5: stripe.DeclineCodeGenericDecline, 55: stripe.DeclineCodeIncorrectPIN,
				65: stripe.DeclineCodeWithdrawalCountLimitExceeded, 75: stripe.DeclineCodePINTryExceeded,
			} {
				pi := intent(1000+ending, "manual")
				process(rdr.ID, pi.ID)
				r := present(rdr.ID, "")
				Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusFailed), "amount ending in %02d", ending)
				Expect(r.Action.FailureCode).To(Equal("card_declined"))
				failed := getIntent(pi.ID)
				Expect(failed.Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
				Expect(failed.LastPaymentError.DeclineCode).To(Equal(code), "amount ending in %02d", ending)
				Expect(failed.LatestCharge.Status).To(Equal(stripe.ChargeStatusFailed))
				Expect(failed.LatestCharge.Outcome.Reason).To(Equal(string(code)))
				Expect(failed.LatestCharge.PaymentMethodDetails.CardPresent.Last4).To(Equal("4242"), "the card read is the card shown")
			}

			By("an amount ending otherwise, and a tip bringing the total off a declining ending, pay")
			pi := intent(1099, "automatic")
			process(rdr.ID, pi.ID)
			Expect(present(rdr.ID, "").Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))

			By("a tip bringing the total to a declining ending declines: the amount authorized is what counts")
			pi = intent(1000, "automatic")
			process(rdr.ID, pi.ID)
			r, err := sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{AmountTip: stripe.Int64(5)})
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusFailed))
			Expect(getIntent(pi.ID).LastPaymentError.DeclineCode).To(Equal(stripe.DeclineCodeGenericDecline))

			By("a declining test card keeps its own decline whatever the amount")
			pi = intent(1001, "automatic")
			process(rdr.ID, pi.ID)
			present(rdr.ID, "4000000000009995")
			Expect(getIntent(pi.ID).LastPaymentError.DeclineCode).To(Equal(stripe.DeclineCodeInsufficientFunds))
		})

		It("answers terminal_reader_busy while the reader takes another payment, changing nothing", func() {
			first, second := intent(1000, "automatic"), intent(2000, "automatic")
			process(rdr.ID, first.ID)
			_, err := sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String(second.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "terminal_reader_busy", "")
			_, err = sc.V1TerminalReaders.SetReaderDisplay(Ctx, rdr.ID, &stripe.TerminalReaderSetReaderDisplayParams{Type: stripe.String("cart"),
				Cart: &stripe.TerminalReaderSetReaderDisplayCartParams{Currency: stripe.String("usd"), Total: stripe.Int64(1),
					LineItems: []*stripe.TerminalReaderSetReaderDisplayCartLineItemParams{{Amount: stripe.Int64(1), Description: stripe.String("x"), Quantity: stripe.Int64(1)}}}})
			ExpectStripeError(err, 400, "invalid_request_error", "terminal_reader_busy", "")
			r, err := sc.V1TerminalReaders.Retrieve(Ctx, rdr.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.ProcessPaymentIntent.PaymentIntent.ID).To(Equal(first.ID))
		})

		It("is canceled with cancel_action, leaving the intent to pay another way", func() {
			pi := intent(1000, "automatic")
			process(rdr.ID, pi.ID)
			r, err := sc.V1TerminalReaders.CancelAction(Ctx, rdr.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action).To(BeNil())
			Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
			_, err = sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			Expect(rcv.Types()).To(BeEmpty())
		})

		It("shows a cart, which the payment then replaces", func() {
			r, err := sc.V1TerminalReaders.SetReaderDisplay(Ctx, rdr.ID, &stripe.TerminalReaderSetReaderDisplayParams{Type: stripe.String("cart"),
				Cart: &stripe.TerminalReaderSetReaderDisplayCartParams{Currency: stripe.String("usd"), Tax: stripe.Int64(100), Total: stripe.Int64(5200),
					LineItems: []*stripe.TerminalReaderSetReaderDisplayCartLineItemParams{{Amount: stripe.Int64(5100), Description: stripe.String("Red t-shirt"), Quantity: stripe.Int64(1)}}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Type).To(Equal(stripe.TerminalReaderActionTypeSetReaderDisplay))
			Expect(r.Action.SetReaderDisplay.Cart.Total).To(Equal(int64(5200)))
			Expect(r.Action.SetReaderDisplay.Cart.LineItems[0].Description).To(Equal("Red t-shirt"))
			pi := intent(5200, "automatic")
			Expect(process(rdr.ID, pi.ID).Action.Type).To(Equal(stripe.TerminalReaderActionTypeProcessPaymentIntent))
		})

		It("refuses intents the reader cannot pay, and bad input, changing nothing", func() {
			_, err := sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessPaymentIntentParams{})
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payment_intent")
			_, err = sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String("pi_missing")})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "payment_intent")
			online, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
				PaymentMethodTypes: []*string{stripe.String("card")}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String(online.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_intent")
			done := intent(1000, "automatic")
			_, err = sc.V1PaymentIntents.Cancel(Ctx, done.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String(done.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "payment_intent")
			euros, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("eur"),
				PaymentMethodTypes: []*string{stripe.String("card_present")}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String(euros.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_intent")
			Expect(StripeErr(err).Msg).To(ContainSubstring("usd"), "a reader at a US location takes the local currency only, as Stripe's regional guide says")
			r, err := sc.V1TerminalReaders.Retrieve(Ctx, rdr.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action).To(BeNil())

			pi := intent(1000, "automatic")
			process(rdr.ID, pi.ID)
			_, err = sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{
				CardPresent: &stripe.TestHelpersTerminalReaderPresentPaymentMethodCardPresentParams{Number: stripe.String("1234")}})
			ExpectStripeError(err, 400, "invalid_request_error", "invalid_number", "card_present[number]")
			_, err = sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{
				Type: stripe.String("interac_present")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "type")
			Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
			Expect(emu.Count("", "charge")).To(BeZero())
		})

		Describe("collected, then confirmed, as two actions (2025-06-30.basil's collect_payment_method and confirm_payment_intent)", func() {
			collect := func(piID string, cfg *stripe.TerminalReaderCollectPaymentMethodCollectConfigParams) (*stripe.TerminalReader, error) {
				return sc.V1TerminalReaders.CollectPaymentMethod(Ctx, rdr.ID, &stripe.TerminalReaderCollectPaymentMethodParams{PaymentIntent: stripe.String(piID), CollectConfig: cfg})
			}
			confirm := func(piID string) (*stripe.TerminalReader, error) {
				return sc.V1TerminalReaders.ConfirmPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderConfirmPaymentIntentParams{PaymentIntent: stripe.String(piID)})
			}

			It("collects the card presented, attaching it to the intent awaiting confirmation, then confirms the intent on the reader", func() {
				pi := intent(1000, "automatic")
				r, err := collect(pi.ID, &stripe.TerminalReaderCollectPaymentMethodCollectConfigParams{
					EnableCustomerCancellation: stripe.Bool(true), SkipTipping: stripe.Bool(false),
					Tipping: &stripe.TerminalReaderCollectPaymentMethodCollectConfigTippingParams{AmountEligible: stripe.Int64(900)}})
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Action.Type).To(Equal(stripe.TerminalReaderActionTypeCollectPaymentMethod))
				Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusInProgress))
				Expect(r.Action.CollectPaymentMethod.PaymentIntent.ID).To(Equal(pi.ID))
				Expect(r.Action.CollectPaymentMethod.PaymentMethod).To(BeNil(), "no card yet")
				Expect(r.Action.CollectPaymentMethod.CollectConfig.EnableCustomerCancellation).To(BeTrue())
				Expect(r.Action.CollectPaymentMethod.CollectConfig.Tipping.AmountEligible).To(Equal(int64(900)))
				Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))

				mark := len(emu.EventTypes(""))
				r, err = sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{
					AmountTip: stripe.Int64(100), CardPresent: &stripe.TestHelpersTerminalReaderPresentPaymentMethodCardPresentParams{Number: stripe.String("5555555555554444")}})
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
				pm := r.Action.CollectPaymentMethod.PaymentMethod
				Expect(pm.Type).To(Equal(stripe.PaymentMethodTypeCardPresent))
				Expect(pm.CardPresent.Last4).To(Equal("4444"))
				Expect(eventsSince(mark)).To(Equal([]string{"terminal.reader.action_succeeded"}), "nothing is charged yet")
				collected := getIntent(pi.ID)
				Expect(collected.Status).To(Equal(stripe.PaymentIntentStatusRequiresConfirmation))
				Expect(collected.PaymentMethod.ID).To(Equal(pm.ID))
				Expect(collected.Amount).To(Equal(int64(1100)), "the tip chosen is added")
				Expect(collected.LatestCharge).To(BeNil())

				mark = len(emu.EventTypes(""))
				r, err = sc.V1TerminalReaders.ConfirmPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderConfirmPaymentIntentParams{PaymentIntent: stripe.String(pi.ID),
					ConfirmConfig: &stripe.TerminalReaderConfirmPaymentIntentConfirmConfigParams{ReturnURL: stripe.String("https://example.com/back")}})
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Action.Type).To(Equal(stripe.TerminalReaderActionTypeConfirmPaymentIntent))
				Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
				Expect(r.Action.ConfirmPaymentIntent.PaymentIntent.ID).To(Equal(pi.ID))
				Expect(r.Action.ConfirmPaymentIntent.ConfirmConfig.ReturnURL).To(Equal("https://example.com/back"))
				Expect(eventsSince(mark)).To(Equal([]string{"charge.succeeded", "payment_intent.succeeded", "terminal.reader.action_succeeded"}))
				paid := getIntent(pi.ID)
				Expect(paid.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
				Expect(paid.AmountReceived).To(Equal(int64(1100)))
				Expect(paid.LatestCharge.PaymentMethodDetails.CardPresent.Brand).To(BeEquivalentTo("mastercard"))
				Expect(paid.LatestCharge.PaymentMethodDetails.CardPresent.AmountAuthorized).To(Equal(int64(1100)))
				Eventually(rcv.Types).Should(Equal([]string{"terminal.reader.action_succeeded", "terminal.reader.action_succeeded"}))

				rp := &stripe.TerminalReaderRetrieveParams{}
				rp.AddExpand("action.confirm_payment_intent.payment_intent")
				r, err = sc.V1TerminalReaders.Retrieve(Ctx, rdr.ID, rp)
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Action.ConfirmPaymentIntent.PaymentIntent.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			})

			It("fails the confirmation with the decline, the card having been collected, and the intent can be collected again", func() {
				pi := intent(1000, "manual")
				_, err := collect(pi.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(present(rdr.ID, "4000000000009995").Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded), "collecting authorizes nothing")
				mark := len(emu.EventTypes(""))
				r, err := confirm(pi.ID)
				Expect(err).NotTo(HaveOccurred())
				insufficientFunds(r, mark, pi.ID)

				_, err = confirm(pi.ID)
				ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "payment_intent")
				_, err = collect(pi.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				present(rdr.ID, "")
				r, err = confirm(pi.ID)
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
				Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))
			})

			It("saves the card of an intent asking for setup_future_usage as collect_config[allow_redisplay] says", func() {
				cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{})
				Expect(err).NotTo(HaveOccurred())
				pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
					PaymentMethodTypes: []*string{stripe.String("card_present")}, Customer: stripe.String(cus.ID), SetupFutureUsage: stripe.String("off_session")})
				Expect(err).NotTo(HaveOccurred())
				_, err = collect(pi.ID, &stripe.TerminalReaderCollectPaymentMethodCollectConfigParams{AllowRedisplay: stripe.String("always")})
				Expect(err).NotTo(HaveOccurred())
				present(rdr.ID, "")
				_, err = confirm(pi.ID)
				Expect(err).NotTo(HaveOccurred())
				gen := getIntent(pi.ID).LatestCharge.PaymentMethodDetails.CardPresent.GeneratedCard
				Expect(gen).NotTo(BeEmpty())
				saved, err := sc.V1PaymentMethods.Retrieve(Ctx, gen, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(saved.AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayAlways))
				Expect(saved.Customer.ID).To(Equal(cus.ID))
			})

			It("keeps the reader busy while it collects, and is canceled with cancel_action, the intent still awaiting a payment method", func() {
				pi, other := intent(1000, "automatic"), intent(2000, "automatic")
				_, err := collect(pi.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				_, err = collect(other.ID, nil)
				ExpectStripeError(err, 400, "invalid_request_error", "terminal_reader_busy", "")
				_, err = sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String(other.ID)})
				ExpectStripeError(err, 400, "invalid_request_error", "terminal_reader_busy", "")
				_, err = confirm(pi.ID)
				ExpectStripeError(err, 400, "invalid_request_error", "terminal_reader_busy", "")
				r, err := sc.V1TerminalReaders.CancelAction(Ctx, rdr.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Action).To(BeNil())
				Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
				_, err = sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, nil)
				ExpectStripeError(err, 400, "invalid_request_error", "", "")

				By("a collected card is not presented again: the reader waits for the confirmation, not a card")
				_, err = collect(other.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				present(rdr.ID, "")
				_, err = sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, nil)
				ExpectStripeError(err, 400, "invalid_request_error", "", "")
				Eventually(rcv.Types).Should(HaveLen(1), "the collection's action_succeeded only")
			})

			It("refuses, in order, what the reader cannot collect or confirm, changing nothing", func() {
				_, err := sc.V1TerminalReaders.CollectPaymentMethod(Ctx, "tmr_nope", &stripe.TerminalReaderCollectPaymentMethodParams{PaymentIntent: stripe.String("pi_x")})
				ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
				_, err = sc.V1TerminalReaders.CollectPaymentMethod(Ctx, rdr.ID, &stripe.TerminalReaderCollectPaymentMethodParams{})
				ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payment_intent")
				_, err = collect("pi_missing", nil)
				ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "payment_intent")
				online, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
					PaymentMethodTypes: []*string{stripe.String("card")}})
				Expect(err).NotTo(HaveOccurred())
				_, err = collect(online.ID, nil)
				ExpectStripeError(err, 400, "invalid_request_error", "", "payment_intent")
				pi := intent(1000, "automatic")
				_, err = collect(pi.ID, &stripe.TerminalReaderCollectPaymentMethodCollectConfigParams{AllowRedisplay: stripe.String("sometimes")})
				ExpectStripeError(err, 400, "invalid_request_error", "", "collect_config[allow_redisplay]")
				_, err = collect(pi.ID, &stripe.TerminalReaderCollectPaymentMethodCollectConfigParams{
					Tipping: &stripe.TerminalReaderCollectPaymentMethodCollectConfigTippingParams{AmountEligible: stripe.Int64(0)}})
				ExpectStripeError(err, 400, "invalid_request_error", "", "collect_config[tipping][amount_eligible]")

				_, err = sc.V1TerminalReaders.ConfirmPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderConfirmPaymentIntentParams{})
				ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "payment_intent")
				_, err = confirm("pi_missing")
				ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "payment_intent")
				_, err = confirm(online.ID)
				ExpectStripeError(err, 400, "invalid_request_error", "", "payment_intent")
				_, err = confirm(pi.ID)
				ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "payment_intent")
				r, err := sc.V1TerminalReaders.Retrieve(Ctx, rdr.ID, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Action).To(BeNil())

				By("a tip is refused when the collection skips tipping")
				_, err = collect(pi.ID, &stripe.TerminalReaderCollectPaymentMethodCollectConfigParams{SkipTipping: stripe.Bool(true)})
				Expect(err).NotTo(HaveOccurred())
				_, err = sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{AmountTip: stripe.Int64(100)})
				ExpectStripeError(err, 400, "invalid_request_error", "", "amount_tip")
				Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
				Expect(emu.Count("", "charge")).To(BeZero())
			})
		})

		It("is the only way to pay a card_present intent: the API cannot confirm it with a card", func() {
			pi := intent(1000, "automatic")
			_, err := sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
			ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_incompatible_payment_method", "payment_method")
			_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_unexpected_state", "")
			_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("card_present")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "type")

			process(rdr.ID, pi.ID)
			present(rdr.ID, "")
			paid := getIntent(pi.ID)
			_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(500), Currency: stripe.String("usd"),
				PaymentMethodTypes: []*string{stripe.String("card_present")}, PaymentMethod: stripe.String(paid.PaymentMethod.ID), Confirm: stripe.Bool(true)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method")
		})
	})

	Describe("on a connected account", func() {
		It("keeps the reader, the payment and the action's event in the account that made them", func() {
			seller := Seller(emu, nil)
			locParams := &stripe.TerminalLocationCreateParams{DisplayName: stripe.String("Stall"), Address: &stripe.AddressParams{Country: stripe.String("US")}}
			locParams.SetStripeAccount(seller.ID)
			loc, err := sc.V1TerminalLocations.Create(Ctx, locParams)
			Expect(err).NotTo(HaveOccurred())
			rp := &stripe.TerminalReaderCreateParams{RegistrationCode: stripe.String("simulated-s700"), Location: stripe.String(loc.ID)}
			rp.SetStripeAccount(seller.ID)
			rdr, err := sc.V1TerminalReaders.Create(Ctx, rp)
			Expect(err).NotTo(HaveOccurred())
			pp := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(900), Currency: stripe.String("usd"), PaymentMethodTypes: []*string{stripe.String("card_present")}}
			pp.SetStripeAccount(seller.ID)
			pi, err := sc.V1PaymentIntents.Create(Ctx, pp)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String(pi.ID)})
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			proc := &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String(pi.ID)}
			proc.SetStripeAccount(seller.ID)
			_, err = sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, proc)
			Expect(err).NotTo(HaveOccurred())
			tap := &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{}
			tap.SetStripeAccount(seller.ID)
			r, err := sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, tap)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
			Expect(emu.EventTypes(seller.ID)).To(ContainElement("terminal.reader.action_succeeded"))
			Expect(emu.EventTypes("")).NotTo(ContainElement("terminal.reader.action_succeeded"))
		})
	})

	Describe("saving a card on the reader", func() {
		It("saves the card of a payment asking for setup_future_usage as a generated card, attached to the intent's customer", func() {
			rdr := reader(location().ID)
			cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("member@example.com")})
			Expect(err).NotTo(HaveOccurred())
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(4000), Currency: stripe.String("usd"),
				PaymentMethodTypes: []*string{stripe.String("card_present")}, Customer: stripe.String(cus.ID), SetupFutureUsage: stripe.String("off_session")})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String(pi.ID),
				ProcessConfig: &stripe.TerminalReaderProcessPaymentIntentProcessConfigParams{AllowRedisplay: stripe.String("always")}})
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			Expect(present(rdr.ID, "5555555555554444").Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
			Expect(eventsSince(mark)).To(ContainElement("payment_method.attached"))

			paid := getIntent(pi.ID)
			Expect(paid.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(paid.PaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeCardPresent), "the payment was made with the card as read")
			Expect(paid.PaymentMethod.Customer).To(BeNil())
			genID := paid.LatestCharge.PaymentMethodDetails.CardPresent.GeneratedCard
			Expect(genID).To(HavePrefix("pm_"))
			gen, err := sc.V1PaymentMethods.Retrieve(Ctx, genID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(gen.Type).To(Equal(stripe.PaymentMethodTypeCard))
			Expect(gen.Customer.ID).To(Equal(cus.ID))
			Expect(gen.AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayAlways))
			Expect(gen.Card.Last4).To(Equal("4444"))
			Expect(gen.Card.GeneratedFrom.Charge).To(Equal(paid.LatestCharge.ID))
			Expect(gen.Card.GeneratedFrom.SetupAttempt).To(BeNil())
			Expect(gen.Card.GeneratedFrom.PaymentMethodDetails.CardPresent.Last4).To(Equal("4444"))

			later, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"),
				Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(genID), OffSession: stripe.Bool(true), Confirm: stripe.Bool(true),
				PaymentMethodTypes: []*string{stripe.String("card")}})
			Expect(err).NotTo(HaveOccurred())
			Expect(later.Status).To(Equal(stripe.PaymentIntentStatusSucceeded), "the generated card pays later, off-session")

			By("without a customer the generated card is made, to attach later; without setup_future_usage none is")
			for _, usage := range []string{"on_session", ""} {
				p := &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
					PaymentMethodTypes: []*string{stripe.String("card_present")}}
				if usage != "" {
					p.SetupFutureUsage = stripe.String(usage)
				}
				other, err := sc.V1PaymentIntents.Create(Ctx, p)
				Expect(err).NotTo(HaveOccurred())
				process(rdr.ID, other.ID)
				present(rdr.ID, "")
				cp := getIntent(other.ID).LatestCharge.PaymentMethodDetails.CardPresent
				if usage == "" {
					Expect(cp.GeneratedCard).To(BeEmpty())
					continue
				}
				loose, err := sc.V1PaymentMethods.Retrieve(Ctx, cp.GeneratedCard, nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(loose.Customer).To(BeNil())
				Expect(loose.AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayUnspecified))
			}
		})

		It("sets the SetupIntent up with the card read and attaches a generated card to the customer", func() {
			rdr := reader(location().ID)
			cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("walkin@example.com")})
			Expect(err).NotTo(HaveOccurred())
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{Customer: stripe.String(cus.ID),
				PaymentMethodTypes: []*string{stripe.String("card_present")}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1SetupIntents.Confirm(Ctx, si.ID, &stripe.SetupIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method")

			r, err := sc.V1TerminalReaders.ProcessSetupIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessSetupIntentParams{
				SetupIntent: stripe.String(si.ID), AllowRedisplay: stripe.String("always")})
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Type).To(Equal(stripe.TerminalReaderActionTypeProcessSetupIntent))
			Expect(r.Action.ProcessSetupIntent.SetupIntent.ID).To(Equal(si.ID))

			mark := len(emu.EventTypes(""))
			r = present(rdr.ID, "5555555555554444")
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
			generated := r.Action.ProcessSetupIntent.GeneratedCard
			Expect(generated).To(HavePrefix("pm_"))
			Expect(eventsSince(mark)).To(Equal([]string{"payment_method.attached", "setup_intent.succeeded", "terminal.reader.action_succeeded"}))

			sp := &stripe.SetupIntentRetrieveParams{}
			sp.AddExpand("latest_attempt")
			done, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, sp)
			Expect(err).NotTo(HaveOccurred())
			Expect(done.Status).To(Equal(stripe.SetupIntentStatusSucceeded))
			Expect(done.LatestAttempt.PaymentMethodDetails.CardPresent.GeneratedCard.ID).To(Equal(generated))
			card, err := sc.V1PaymentMethods.Retrieve(Ctx, generated, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(card.Type).To(Equal(stripe.PaymentMethodTypeCard))
			Expect(card.Customer.ID).To(Equal(cus.ID))
			Expect(card.AllowRedisplay).To(Equal(stripe.PaymentMethodAllowRedisplayAlways))
			Expect(card.Card.Last4).To(Equal("4444"))
			Expect(card.Card.GeneratedFrom.SetupAttempt.ID).To(Equal(done.LatestAttempt.ID))
			Expect(card.Card.GeneratedFrom.PaymentMethodDetails.CardPresent.Last4).To(Equal("4444"))

			// The saved card pays online, off-session.
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(700), Currency: stripe.String("usd"),
				Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(generated), PaymentMethodTypes: []*string{stripe.String("card")},
				OffSession: stripe.Bool(true), Confirm: stripe.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		})

		It("fails the action when the card declines, leaving the SetupIntent to try again", func() {
			rdr := reader(location().ID)
			si, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("card_present")}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TerminalReaders.ProcessSetupIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessSetupIntentParams{
				SetupIntent: stripe.String(si.ID), AllowRedisplay: stripe.String("limited")})
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			r := present(rdr.ID, "4000000000000002")
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusFailed))
			Expect(r.Action.FailureCode).To(Equal("card_declined"))
			Expect(eventsSince(mark)).To(Equal([]string{"setup_intent.setup_failed", "terminal.reader.action_failed"}))
			failed, err := sc.V1SetupIntents.Retrieve(Ctx, si.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(failed.Status).To(Equal(stripe.SetupIntentStatusRequiresPaymentMethod))
			Expect(failed.LastSetupError.Code).To(Equal(stripe.ErrorCodeCardDeclined))

			_, err = sc.V1TerminalReaders.ProcessSetupIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessSetupIntentParams{
				SetupIntent: stripe.String("seti_missing"), AllowRedisplay: stripe.String("limited")})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "setup_intent")
			plain, err := sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("card")}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TerminalReaders.ProcessSetupIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessSetupIntentParams{
				SetupIntent: stripe.String(plain.ID), AllowRedisplay: stripe.String("limited")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "setup_intent")
		})
	})

	Describe("Interac in Canada (interac_present)", func() {
		var rdr *stripe.TerminalReader
		BeforeEach(func() {
			loc, err := sc.V1TerminalLocations.Create(Ctx, &stripe.TerminalLocationCreateParams{
				DisplayName: stripe.String("Queen Street"),
				Address: &stripe.AddressParams{Line1: stripe.String("1 Queen St W"), City: stripe.String("Toronto"),
					State: stripe.String("ON"), PostalCode: stripe.String("M5H 2M9"), Country: stripe.String("CA")},
			})
			Expect(err).NotTo(HaveOccurred())
			rdr = reader(loc.ID)
		})
		canadian := func(amount int64, capture string) *stripe.PaymentIntent {
			GinkgoHelper()
			pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{
				Amount: stripe.Int64(amount), Currency: stripe.String("cad"), CaptureMethod: stripe.String(capture),
				PaymentMethodTypes: []*string{stripe.String("card_present"), stripe.String("interac_present")},
			})
			Expect(err).NotTo(HaveOccurred())
			return pi
		}
		interac := func(number string) (*stripe.TerminalReader, error) {
			p := &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{Type: stripe.String("interac_present")}
			if number != "" {
				p.InteracPresent = &stripe.TestHelpersTerminalReaderPresentPaymentMethodInteracPresentParams{Number: stripe.String(number)}
			}
			return sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, p)
		}

		It("is paid with the Interac card presented, captured at once, and refunded on the reader only", func() {
			pi := canadian(2000, "automatic")
			process(rdr.ID, pi.ID)
			mark := len(emu.EventTypes(""))
			r, err := interac("")
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.succeeded", "payment_intent.succeeded", "terminal.reader.action_succeeded"}))
			paid := getIntent(pi.ID)
			Expect(paid.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
			Expect(paid.PaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeInteracPresent))
			Expect(paid.PaymentMethod.InteracPresent.Brand).To(Equal("interac"))
			Expect(paid.PaymentMethod.InteracPresent.Last4).To(Equal("1933"))
			ch := paid.LatestCharge
			Expect(ch.PaymentMethodDetails.Type).To(Equal(stripe.ChargePaymentMethodDetailsTypeInteracPresent))
			ip := ch.PaymentMethodDetails.InteracPresent
			Expect(ip.Brand).To(Equal("interac"))
			Expect(ip.Last4).To(Equal("1933"))
			Expect(ip.Country).To(Equal("CA"))
			Expect(ip.Network).To(Equal("interac"))
			Expect(ch.Captured).To(BeTrue())
			Expect(ch.Currency).To(Equal(stripe.CurrencyCAD))

			_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "charge_not_refundable", "charge")
			_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "charge_not_refundable", "charge")
			Expect(emu.Count("", "refund")).To(BeZero())

			_, err = sc.V1TerminalReaders.RefundPayment(Ctx, rdr.ID, &stripe.TerminalReaderRefundPaymentParams{Charge: stripe.String(ch.ID), Amount: stripe.Int64(500)})
			Expect(err).NotTo(HaveOccurred(), "a reader refunds it in person")
			r, err = interac("")
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
			re, err := sc.V1Refunds.Retrieve(Ctx, r.Action.RefundPayment.Refund.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(re.Amount).To(Equal(int64(500)))
			Expect(re.Status).To(Equal(stripe.RefundStatusSucceeded))
		})

		It("is collected, then confirmed, as a card is", func() {
			pi := canadian(1500, "automatic")
			_, err := sc.V1TerminalReaders.CollectPaymentMethod(Ctx, rdr.ID, &stripe.TerminalReaderCollectPaymentMethodParams{PaymentIntent: stripe.String(pi.ID)})
			Expect(err).NotTo(HaveOccurred())
			r, err := interac("")
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.CollectPaymentMethod.PaymentMethod.Type).To(Equal(stripe.PaymentMethodTypeInteracPresent))
			Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresConfirmation))
			r, err = sc.V1TerminalReaders.ConfirmPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderConfirmPaymentIntentParams{PaymentIntent: stripe.String(pi.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
			Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusSucceeded))

			By("a test amount declines an Interac payment too")
			declining := canadian(1005, "automatic")
			process(rdr.ID, declining.ID)
			r, err = interac("")
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusFailed))
			Expect(getIntent(declining.ID).LastPaymentError.DeclineCode).To(Equal(stripe.DeclineCodeGenericDecline))
		})

		It("refuses what Interac cannot do, changing nothing", func() {
			By("an intent in another currency than cad")
			_, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
				PaymentMethodTypes: []*string{stripe.String("interac_present")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")

			By("manual capture, which basil took away from Interac")
			manual := canadian(1000, "manual")
			process(rdr.ID, manual.ID)
			_, err = interac("")
			ExpectStripeError(err, 400, "invalid_request_error", "", "capture_method")
			Expect(present(rdr.ID, "").Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded), "a card_present card still pays it")
			Expect(getIntent(manual.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresCapture))

			By("an intent not listing interac_present, a number that is not the Interac test card, details under the wrong type")
			cardOnly, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("cad"),
				PaymentMethodTypes: []*string{stripe.String("card_present")}})
			Expect(err).NotTo(HaveOccurred())
			process(rdr.ID, cardOnly.ID)
			_, err = interac("")
			ExpectStripeError(err, 400, "invalid_request_error", "", "type")
			_, err = sc.V1TerminalReaders.CancelAction(Ctx, rdr.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			pi := canadian(1000, "automatic")
			process(rdr.ID, pi.ID)
			_, err = interac("4242424242424242")
			ExpectStripeError(err, 400, "invalid_request_error", "invalid_number", "interac_present[number]")
			_, err = sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{
				Type: stripe.String("interac_present"), CardPresent: &stripe.TestHelpersTerminalReaderPresentPaymentMethodCardPresentParams{Number: stripe.String("4242424242424242")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "card_present")
			Expect(getIntent(pi.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))

			By("saving an Interac card: no SetupIntent lists it")
			_, err = sc.V1SetupIntents.Create(Ctx, &stripe.SetupIntentCreateParams{PaymentMethodTypes: []*string{stripe.String("interac_present")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_method_types")
			_, err = sc.V1PaymentMethods.Create(Ctx, &stripe.PaymentMethodCreateParams{Type: stripe.String("interac_present")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "type")
			_, err = sc.V1PaymentIntents.Confirm(Ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
			ExpectStripeError(err, 400, "invalid_request_error", "payment_intent_incompatible_payment_method", "payment_method")
			Expect(emu.Count("", "charge")).To(Equal(1), "the manual intent's card_present charge only")
		})
	})

	Describe("collecting inputs on the reader (collect_inputs)", func() {
		var rdr *stripe.TerminalReader
		BeforeEach(func() { rdr = reader(location().ID) })
		text := func(title string) *stripe.TerminalReaderCollectInputsInputCustomTextParams {
			return &stripe.TerminalReaderCollectInputsInputCustomTextParams{Title: stripe.String(title)}
		}
		form := func() *stripe.TerminalReaderCollectInputsParams {
			return &stripe.TerminalReaderCollectInputsParams{
				Inputs: []*stripe.TerminalReaderCollectInputsInputParams{
					{Type: stripe.String("signature"), Required: stripe.Bool(true), CustomText: &stripe.TerminalReaderCollectInputsInputCustomTextParams{
						Title: stripe.String("Sign the waiver"), Description: stripe.String("By signing you agree"), SubmitButton: stripe.String("Done"), SkipButton: stripe.String("Later")}},
					{Type: stripe.String("email"), CustomText: text("Your email"), Toggles: []*stripe.TerminalReaderCollectInputsInputToggleParams{
						{Title: stripe.String("Deals"), Description: stripe.String("Send me offers"), DefaultValue: stripe.String("enabled")},
						{Title: stripe.String("News")}}},
					{Type: stripe.String("selection"), Required: stripe.Bool(true), CustomText: text("How was it?"), Selection: &stripe.TerminalReaderCollectInputsInputSelectionParams{
						Choices: []*stripe.TerminalReaderCollectInputsInputSelectionChoiceParams{
							{ID: stripe.String("good"), Text: stripe.String("Good"), Style: stripe.String("primary")},
							{ID: stripe.String("bad"), Text: stripe.String("Bad"), Style: stripe.String("secondary")}}}},
					{Type: stripe.String("phone"), CustomText: text("Phone")},
					{Type: stripe.String("numeric"), CustomText: text("Table")},
				},
				Metadata: map[string]string{"order": "A-1"},
			}
		}

		It("shows the form on the reader until the simulated customer completes it, with terminal.reader.action_succeeded", func() {
			r, err := sc.V1TerminalReaders.CollectInputs(Ctx, rdr.ID, form())
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Type).To(Equal(stripe.TerminalReaderActionTypeCollectInputs))
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusInProgress))
			in := r.Action.CollectInputs.Inputs
			Expect(in).To(HaveLen(5))
			Expect(r.Action.CollectInputs.Metadata).To(Equal(map[string]string{"order": "A-1"}))
			Expect(in[0].Type).To(Equal(stripe.TerminalReaderActionCollectInputsInputTypeSignature))
			Expect(in[0].Required).To(BeTrue())
			Expect(in[0].CustomText.SubmitButton).To(Equal("Done"))
			Expect(in[0].Signature.Value).To(BeEmpty(), "nothing collected yet")
			Expect(in[1].Toggles).To(HaveLen(2))
			Expect(in[1].Toggles[0].DefaultValue).To(Equal(stripe.TerminalReaderActionCollectInputsInputToggleDefaultValueEnabled))
			Expect(in[1].Toggles[0].Value).To(BeEmpty())
			Expect(in[2].Selection.Choices[1].Style).To(Equal(stripe.TerminalReaderActionCollectInputsInputSelectionChoiceStyleSecondary))

			_, err = sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String(intent(1000, "automatic").ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "terminal_reader_busy", "")

			mark := len(emu.EventTypes(""))
			r, err = sc.V1TestHelpersTerminalReaders.SucceedInputCollection(Ctx, rdr.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusSucceeded))
			Expect(eventsSince(mark)).To(Equal([]string{"file.created", "terminal.reader.action_succeeded"}))
			in = r.Action.CollectInputs.Inputs
			for _, i := range in {
				Expect(i.Skipped).To(BeFalse())
			}
			f, err := sc.V1Files.Retrieve(Ctx, in[0].Signature.Value, nil)
			Expect(err).NotTo(HaveOccurred(), "the signature is an image file")
			Expect(f.Purpose).To(Equal(stripe.FilePurposeCustomerSignature))
			Expect(in[1].Email.Value).To(ContainSubstring("@"))
			Expect(in[1].Toggles[0].Value).To(Equal(stripe.TerminalReaderActionCollectInputsInputToggleValueEnabled))
			Expect(in[1].Toggles[1].Value).To(Equal(stripe.TerminalReaderActionCollectInputsInputToggleValueDisabled))
			Expect(in[2].Selection.ID).To(Equal("good"))
			Expect(in[2].Selection.Text).To(Equal("Good"))
			Expect(in[3].Phone.Value).NotTo(BeEmpty())
			Expect(in[4].Numeric.Value).NotTo(BeEmpty())

			_, err = sc.V1TestHelpersTerminalReaders.SucceedInputCollection(Ctx, rdr.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
		})

		It("skips what is not required when the helper says so, and times out with collect_inputs_timeout", func() {
			_, err := sc.V1TerminalReaders.CollectInputs(Ctx, rdr.ID, form())
			Expect(err).NotTo(HaveOccurred())
			r, err := sc.V1TestHelpersTerminalReaders.SucceedInputCollection(Ctx, rdr.ID, &stripe.TestHelpersTerminalReaderSucceedInputCollectionParams{
				SkipNonRequiredInputs: stripe.String("all")})
			Expect(err).NotTo(HaveOccurred())
			in := r.Action.CollectInputs.Inputs
			Expect(in[0].Skipped).To(BeFalse())
			Expect(in[0].Signature.Value).NotTo(BeEmpty())
			Expect(in[1].Skipped).To(BeTrue())
			Expect(in[1].Email.Value).To(BeEmpty())
			Expect(in[2].Skipped).To(BeFalse())
			Expect(in[3].Skipped).To(BeTrue())

			_, err = sc.V1TerminalReaders.CollectInputs(Ctx, rdr.ID, form())
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))
			r, err = sc.V1TestHelpersTerminalReaders.TimeoutInputCollection(Ctx, rdr.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action.Status).To(Equal(stripe.TerminalReaderActionStatusFailed))
			Expect(r.Action.FailureCode).To(Equal("collect_inputs_timeout"))
			Expect(r.Action.FailureMessage).To(Equal("collect inputs was timed out"))
			Expect(r.Action.CollectInputs.Inputs[0].Signature.Value).To(BeEmpty())
			Expect(eventsSince(mark)).To(Equal([]string{"terminal.reader.action_failed"}))
			_, err = sc.V1TestHelpersTerminalReaders.TimeoutInputCollection(Ctx, rdr.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")

			By("cancel_action takes the form off the reader")
			_, err = sc.V1TerminalReaders.CollectInputs(Ctx, rdr.ID, form())
			Expect(err).NotTo(HaveOccurred())
			r, err = sc.V1TerminalReaders.CancelAction(Ctx, rdr.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action).To(BeNil())
			_, err = sc.V1TestHelpersTerminalReaders.SucceedInputCollection(Ctx, rdr.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
		})

		It("refuses a form Stripe would not show, changing nothing", func() {
			collect := func(p *stripe.TerminalReaderCollectInputsParams) error {
				_, err := sc.V1TerminalReaders.CollectInputs(Ctx, rdr.ID, p)
				return err
			}
			ExpectStripeError(collect(&stripe.TerminalReaderCollectInputsParams{}), 400, "invalid_request_error", "parameter_missing", "inputs")
			ExpectStripeError(collect(&stripe.TerminalReaderCollectInputsParams{Inputs: []*stripe.TerminalReaderCollectInputsInputParams{
				{Type: stripe.String("signature")}}}), 400, "invalid_request_error", "parameter_missing", "inputs[0][custom_text]")
			ExpectStripeError(collect(&stripe.TerminalReaderCollectInputsParams{Inputs: []*stripe.TerminalReaderCollectInputsInputParams{
				{Type: stripe.String("toggle"), CustomText: text("x")}}}), 400, "invalid_request_error", "", "inputs[0][type]")
			ExpectStripeError(collect(&stripe.TerminalReaderCollectInputsParams{Inputs: []*stripe.TerminalReaderCollectInputsInputParams{
				{Type: stripe.String("text"), CustomText: text("A title longer than forty characters, too long")}}}), 400, "invalid_request_error", "", "inputs[0][custom_text][title]")
			ExpectStripeError(collect(&stripe.TerminalReaderCollectInputsParams{Inputs: []*stripe.TerminalReaderCollectInputsInputParams{
				{Type: stripe.String("selection"), CustomText: text("Pick")}}}), 400, "invalid_request_error", "parameter_missing", "inputs[0][selection]")
			six := form()
			six.Inputs = append(six.Inputs, &stripe.TerminalReaderCollectInputsInputParams{Type: stripe.String("text"), CustomText: text("Note")})
			ExpectStripeError(collect(six), 400, "invalid_request_error", "", "inputs")
			five := []*stripe.TerminalReaderCollectInputsInputSelectionChoiceParams{}
			for _, id := range []string{"a", "b", "c", "d", "e"} {
				five = append(five, &stripe.TerminalReaderCollectInputsInputSelectionChoiceParams{ID: stripe.String(id), Text: stripe.String(id)})
			}
			ExpectStripeError(collect(&stripe.TerminalReaderCollectInputsParams{Inputs: []*stripe.TerminalReaderCollectInputsInputParams{
				{Type: stripe.String("selection"), CustomText: text("Pick"), Selection: &stripe.TerminalReaderCollectInputsInputSelectionParams{Choices: five}}}}),
				400, "invalid_request_error", "", "inputs[0][selection][choices]")
			toggles := []*stripe.TerminalReaderCollectInputsInputToggleParams{}
			for range 5 {
				toggles = append(toggles, &stripe.TerminalReaderCollectInputsInputToggleParams{Title: stripe.String("t")})
			}
			ExpectStripeError(collect(&stripe.TerminalReaderCollectInputsParams{Inputs: []*stripe.TerminalReaderCollectInputsInputParams{
				{Type: stripe.String("email"), CustomText: text("Email"), Toggles: toggles}}}), 400, "invalid_request_error", "", "inputs[0][toggles]")
			r, err := sc.V1TerminalReaders.Retrieve(Ctx, rdr.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action).To(BeNil())
			_, err = sc.V1TestHelpersTerminalReaders.SucceedInputCollection(Ctx, rdr.ID, &stripe.TestHelpersTerminalReaderSucceedInputCollectionParams{
				SkipNonRequiredInputs: stripe.String("some")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "skip_non_required_inputs")
			_, err = sc.V1TerminalReaders.CollectInputs(Ctx, "tmr_nope", form())
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})
	})

	Describe("features not emulated", func() {
		It("are refused by name: extended authorizations, keyed-in cards", func() {
			rdr := reader(location().ID)
			extended, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
				PaymentMethodTypes: []*string{stripe.String("card_present")}, CaptureMethod: stripe.String("manual"),
				PaymentMethodOptions: &stripe.PaymentIntentCreatePaymentMethodOptionsParams{CardPresent: &stripe.PaymentIntentCreatePaymentMethodOptionsCardPresentParams{
					RequestExtendedAuthorization: stripe.Bool(true)}}})
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1TerminalReaders.ProcessPaymentIntent(Ctx, rdr.ID, &stripe.TerminalReaderProcessPaymentIntentParams{PaymentIntent: stripe.String(extended.ID)})
			ExpectStripeError(err, 400, "invalid_request_error", "", "payment_intent")
			Expect(StripeErr(err).Msg).To(ContainSubstring("request_extended_authorization"))

			r, err := sc.V1TerminalReaders.Retrieve(Ctx, rdr.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Action).To(BeNil())

			By("a keyed-in card (type=card, for mail and telephone orders, stripe-go v82.5.1's) is refused by name, not as an unknown type")
			pi2 := intent(1000, "automatic")
			process(rdr.ID, pi2.ID)
			_, err = sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{
				Type: stripe.String("card"), Card: &stripe.TestHelpersTerminalReaderPresentPaymentMethodCardParams{Number: stripe.String("4242424242424242"),
					ExpMonth: stripe.Int64(12), ExpYear: stripe.Int64(2030), CVC: stripe.String("123")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "type")
			Expect(StripeErr(err).Msg).To(ContainSubstring("does not emulate"))
			_, err = sc.V1TestHelpersTerminalReaders.PresentPaymentMethod(Ctx, rdr.ID, &stripe.TestHelpersTerminalReaderPresentPaymentMethodParams{Type: stripe.String("cash")})
			ExpectStripeError(err, 400, "invalid_request_error", "", "type")
			Expect(StripeErr(err).Msg).To(Equal("Invalid type: must be one of card, card_present, or interac_present"))
			Expect(getIntent(pi2.ID).Status).To(Equal(stripe.PaymentIntentStatusRequiresPaymentMethod))
		})
	})

	Describe("connection tokens", func() {
		It("are test secrets, scoped to a location when one is named", func() {
			tok, err := sc.V1TerminalConnectionTokens.Create(Ctx, &stripe.TerminalConnectionTokenCreateParams{})
			Expect(err).NotTo(HaveOccurred())
			Expect(tok.Secret).To(HavePrefix("pst_test_"))
			loc := location()
			tok, err = sc.V1TerminalConnectionTokens.Create(Ctx, &stripe.TerminalConnectionTokenCreateParams{Location: stripe.String(loc.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(tok.Location).To(Equal(loc.ID))
			_, err = sc.V1TerminalConnectionTokens.Create(Ctx, &stripe.TerminalConnectionTokenCreateParams{Location: stripe.String("tml_missing")})
			ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "location")
		})
	})

	Describe("configurations", func() {
		It("keep tipping, offline and reboot settings, and locations use them", func() {
			cfg, err := sc.V1TerminalConfigurations.Create(Ctx, &stripe.TerminalConfigurationCreateParams{
				Name: stripe.String("Tips"),
				Tipping: &stripe.TerminalConfigurationCreateTippingParams{USD: &stripe.TerminalConfigurationCreateTippingUSDParams{
					Percentages: []*int64{stripe.Int64(15), stripe.Int64(18), stripe.Int64(20)}, SmartTipThreshold: stripe.Int64(1000)}},
				Offline:      &stripe.TerminalConfigurationCreateOfflineParams{Enabled: stripe.Bool(true)},
				RebootWindow: &stripe.TerminalConfigurationCreateRebootWindowParams{StartHour: stripe.Int64(2), EndHour: stripe.Int64(4)},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(cfg.ID).To(HavePrefix("tmc_"))
			Expect(cfg.IsAccountDefault).To(BeFalse())
			Expect(cfg.Tipping.USD.Percentages).To(Equal([]int64{15, 18, 20}))
			Expect(cfg.Tipping.USD.SmartTipThreshold).To(Equal(int64(1000)))
			Expect(cfg.Offline.Enabled).To(BeTrue())
			Expect(cfg.RebootWindow.EndHour).To(Equal(int64(4)))

			up, err := sc.V1TerminalConfigurations.Update(Ctx, cfg.ID, &stripe.TerminalConfigurationUpdateParams{Name: stripe.String("Renamed")})
			Expect(err).NotTo(HaveOccurred())
			Expect(up.Name).To(Equal("Renamed"))
			Expect(up.Tipping.USD.Percentages).To(Equal([]int64{15, 18, 20}), "what is not sent is kept")

			loc, err := sc.V1TerminalLocations.Create(Ctx, &stripe.TerminalLocationCreateParams{DisplayName: stripe.String("Bar"),
				Address: &stripe.AddressParams{Country: stripe.String("US")}, ConfigurationOverrides: stripe.String(cfg.ID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(loc.ConfigurationOverrides).To(Equal(cfg.ID))
			_, err = sc.V1TerminalConfigurations.Delete(Ctx, cfg.ID, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			_, err = sc.V1TerminalLocations.Delete(Ctx, loc.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			del, err := sc.V1TerminalConfigurations.Delete(Ctx, cfg.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(del.Deleted).To(BeTrue())
			gone, err := sc.V1TerminalConfigurations.Retrieve(Ctx, cfg.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(gone.Deleted).To(BeTrue(), "read as Stripe's deleted stub (deleted_terminal.configuration)")
		})

		It("refuse by name what needs an uploaded file, and bad values, making nothing", func() {
			_, err := sc.V1TerminalConfigurations.Create(Ctx, &stripe.TerminalConfigurationCreateParams{
				BBPOSWisePOSE: &stripe.TerminalConfigurationCreateBBPOSWisePOSEParams{Splashscreen: stripe.String("file_x")}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "bbpos_wisepos_e[splashscreen]")
			Expect(StripeErr(err).Msg).To(ContainSubstring("stripe-emu does not emulate"))
			_, err = sc.V1TerminalConfigurations.Create(Ctx, &stripe.TerminalConfigurationCreateParams{
				RebootWindow: &stripe.TerminalConfigurationCreateRebootWindowParams{StartHour: stripe.Int64(25), EndHour: stripe.Int64(4)}})
			ExpectStripeError(err, 400, "invalid_request_error", "", "reboot_window[start_hour]")
			Expect(emu.Count("", "terminal.configuration")).To(BeZero())
		})
	})
})
