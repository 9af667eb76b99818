package issuing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Issuing transactions", Label("issuing"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	It("makes force captures and unlinked refunds whatever the balance, and refunds captures up to their amount", func() {
		card := activeCard(sc)
		n := len(emu.EventTypes(""))
		fc, err := sc.V1TestHelpersIssuingTransactions.CreateForceCapture(Ctx, &stripe.TestHelpersIssuingTransactionCreateForceCaptureParams{
			Card: stripe.String(card.ID), Amount: stripe.Int64(1000),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(fc.Type).To(Equal(stripe.IssuingTransactionTypeCapture))
		Expect(fc.Amount).To(BeEquivalentTo(-1000))
		Expect(fc.Authorization).To(BeNil())
		Expect(fc.NetworkData.AuthorizationCode).To(BeEmpty()) // no authorization message
		Expect(fc.Card.ID).To(Equal(card.ID))
		Expect(fc.Cardholder.ID).To(Equal(card.Cardholder.ID))
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(-1000))

		// The refund helper answers with the capture refunded, "not the
		// new Transaction object of type refund" (Stripe's reference),
		// which issuing_transaction.created announces.
		refund := func(amount *int64) *stripe.IssuingTransaction {
			GinkgoHelper()
			m := len(emu.EventTypes(""))
			got, err := sc.V1TestHelpersIssuingTransactions.Refund(Ctx, fc.ID, &stripe.TestHelpersIssuingTransactionRefundParams{RefundAmount: amount})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.ID).To(Equal(fc.ID))
			Expect(got.Type).To(Equal(stripe.IssuingTransactionTypeCapture))
			Expect(got.Amount).To(BeEquivalentTo(-1000))
			evs := emu.Events("")[m:]
			Expect(evs).To(HaveLen(1))
			Expect(evs[0]["type"]).To(Equal("issuing_transaction.created"))
			r, err := sc.V1IssuingTransactions.Retrieve(Ctx, evs[0]["data"].(map[string]any)["object"].(map[string]any)["id"].(string), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Type).To(Equal(stripe.IssuingTransactionTypeRefund))
			return r
		}
		r1 := refund(stripe.Int64(400))
		Expect(r1.Amount).To(BeEquivalentTo(400))
		r2 := refund(nil)
		Expect(r2.Amount).To(BeEquivalentTo(600))
		_, err = sc.V1TestHelpersIssuingTransactions.Refund(Ctx, fc.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "refund_amount")
		_, err = sc.V1TestHelpersIssuingTransactions.Refund(Ctx, r1.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")

		ur, err := sc.V1TestHelpersIssuingTransactions.CreateUnlinkedRefund(Ctx, &stripe.TestHelpersIssuingTransactionCreateUnlinkedRefundParams{
			Card: stripe.String(card.ID), Amount: stripe.Int64(250),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(ur.Amount).To(BeEquivalentTo(250))
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(250))
		Expect(emu.EventTypes("")[n:]).To(Equal([]string{"issuing_transaction.created", "issuing_transaction.created", "issuing_transaction.created", "issuing_transaction.created"}))

		ids := func(lp *stripe.IssuingTransactionListParams) []string {
			return listedIDs(sc.V1IssuingTransactions.List(Ctx, lp), func(o *stripe.IssuingTransaction) string { return o.ID })
		}
		Expect(ids(&stripe.IssuingTransactionListParams{})).To(Equal([]string{ur.ID, r2.ID, r1.ID, fc.ID}))
		Expect(ids(&stripe.IssuingTransactionListParams{Type: stripe.String("capture")})).To(Equal([]string{fc.ID}))
		Expect(ids(&stripe.IssuingTransactionListParams{Card: stripe.String("ic_other")})).To(BeEmpty())
		Expect(ids(&stripe.IssuingTransactionListParams{Cardholder: stripe.String(card.Cardholder.ID)})).To(HaveLen(4))
	})

	It("updates a transaction's metadata with issuing_transaction.updated, shown in its authorization too", func() {
		fundIssuing(emu, 1000)
		card := activeCard(sc)
		auth := authorize(sc, card.ID, 500)
		auth, err := sc.V1TestHelpersIssuingAuthorizations.Capture(Ctx, auth.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		p := &stripe.IssuingTransactionUpdateParams{}
		p.AddMetadata("order_id", "6735")
		txn, err := sc.V1IssuingTransactions.Update(Ctx, auth.Transactions[0].ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(txn.Metadata).To(HaveKeyWithValue("order_id", "6735"))
		types := emu.EventTypes("")
		Expect(types[len(types)-1]).To(Equal("issuing_transaction.updated"))
		got, err := sc.V1IssuingAuthorizations.Retrieve(Ctx, auth.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Transactions[0].Metadata).To(HaveKeyWithValue("order_id", "6735"))

		_, err = sc.V1TestHelpersIssuingTransactions.CreateForceCapture(Ctx, &stripe.TestHelpersIssuingTransactionCreateForceCaptureParams{
			Card: stripe.String(card.ID), Amount: stripe.Int64(100),
			PurchaseDetails: &stripe.TestHelpersIssuingTransactionCreateForceCapturePurchaseDetailsParams{
				Fuel: &stripe.TestHelpersIssuingTransactionCreateForceCapturePurchaseDetailsFuelParams{Type: stripe.String("diesel")},
			},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "purchase_details[fuel]")
		Expect(emu.EventTypes("")).To(HaveLen(len(types)))
	})

	It("keeps purchase details, shown only when expanded, and announces a receipt", func() {
		card := activeCard(sc)
		n := len(emu.EventTypes(""))
		txn, err := sc.V1TestHelpersIssuingTransactions.CreateForceCapture(Ctx, &stripe.TestHelpersIssuingTransactionCreateForceCaptureParams{
			Card: stripe.String(card.ID), Amount: stripe.Int64(10000),
			MerchantData: &stripe.TestHelpersIssuingTransactionCreateForceCaptureMerchantDataParams{Category: stripe.String("taxicabs_limousines"), Name: stripe.String("Rocket Rides")},
			PurchaseDetails: &stripe.TestHelpersIssuingTransactionCreateForceCapturePurchaseDetailsParams{
				Reference: stripe.String("ride-42"),
				Receipt: []*stripe.TestHelpersIssuingTransactionCreateForceCapturePurchaseDetailsReceiptParams{
					{Description: stripe.String("Ride from SFO to downtown"), Quantity: stripe.Float64(1), UnitCost: stripe.Int64(10000)},
				},
				Lodging: &stripe.TestHelpersIssuingTransactionCreateForceCapturePurchaseDetailsLodgingParams{Nights: stripe.Int64(2)},
				Flight: &stripe.TestHelpersIssuingTransactionCreateForceCapturePurchaseDetailsFlightParams{
					PassengerName: stripe.String("Jenny Rosen"),
					Segments:      []*stripe.TestHelpersIssuingTransactionCreateForceCapturePurchaseDetailsFlightSegmentParams{{Carrier: stripe.String("UA"), StopoverAllowed: stripe.Bool(false)}},
				},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(txn.PurchaseDetails).To(BeNil())
		Expect(emu.EventTypes("")[n:]).To(Equal([]string{"issuing_transaction.created", "issuing_transaction.purchase_details_receipt_updated"}))

		p := &stripe.IssuingTransactionRetrieveParams{}
		p.AddExpand("purchase_details")
		got, err := sc.V1IssuingTransactions.Retrieve(Ctx, txn.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.PurchaseDetails.Reference).To(Equal("ride-42"))
		Expect(got.PurchaseDetails.Receipt).To(HaveLen(1))
		Expect(got.PurchaseDetails.Receipt[0].Description).To(Equal("Ride from SFO to downtown"))
		Expect(got.PurchaseDetails.Receipt[0].Quantity).To(BeEquivalentTo(1))
		Expect(got.PurchaseDetails.Lodging.Nights).To(BeEquivalentTo(2))
		Expect(got.PurchaseDetails.Flight.Segments[0].Carrier).To(Equal("UA"))
	})
})
