package issuing_test

import (
	"bytes"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Issuing disputes", Label("issuing"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	// capture is a force capture of amount on a new active card.
	capture := func(amount int64) *stripe.IssuingTransaction {
		GinkgoHelper()
		card := activeCard(sc)
		txn, err := sc.V1TestHelpersIssuingTransactions.CreateForceCapture(Ctx, &stripe.TestHelpersIssuingTransactionCreateForceCaptureParams{
			Card: stripe.String(card.ID), Amount: stripe.Int64(amount),
		})
		Expect(err).NotTo(HaveOccurred())
		return txn
	}
	fraud := func(txn, explanation string) *stripe.IssuingDisputeCreateParams {
		return &stripe.IssuingDisputeCreateParams{
			Transaction: stripe.String(txn),
			Evidence: &stripe.IssuingDisputeCreateEvidenceParams{
				Reason:     stripe.String("fraudulent"),
				Fraudulent: &stripe.IssuingDisputeCreateEvidenceFraudulentParams{Explanation: stripe.String(explanation)},
			},
		}
	}
	dispute := func(txn, explanation string) *stripe.IssuingDispute {
		GinkgoHelper()
		d, err := sc.V1IssuingDisputes.Create(Ctx, fraud(txn, explanation))
		Expect(err).NotTo(HaveOccurred())
		return d
	}

	It("disputes a capture for its whole amount, unsubmitted, and shows it on the transaction", func() {
		txn := capture(1000)
		n := len(emu.EventTypes(""))
		d := dispute(txn.ID, "This transaction is fraudulent.")
		Expect(d.ID).To(HavePrefix("idp_"))
		Expect(d.Status).To(Equal(stripe.IssuingDisputeStatusUnsubmitted))
		Expect(d.Amount).To(BeEquivalentTo(1000))
		Expect(string(d.Currency)).To(Equal("usd"))
		Expect(d.Transaction.ID).To(Equal(txn.ID))
		Expect(d.Evidence.Reason).To(Equal(stripe.IssuingDisputeEvidenceReasonFraudulent))
		Expect(d.Evidence.Fraudulent.Explanation).To(Equal("This transaction is fraudulent."))
		Expect(d.Evidence.Fraudulent.AdditionalDocumentation).To(BeNil())
		Expect(d.Evidence.NotReceived).To(BeNil())
		Expect(d.BalanceTransactions).To(BeNil()) // shown only when expanded
		Expect(emu.EventTypes("")[n:]).To(Equal([]string{"issuing_dispute.created"}))

		got, err := sc.V1IssuingTransactions.Retrieve(Ctx, txn.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Dispute.ID).To(Equal(d.ID))

		rp := &stripe.IssuingDisputeRetrieveParams{}
		rp.AddExpand("transaction")
		rp.AddExpand("balance_transactions")
		r, err := sc.V1IssuingDisputes.Retrieve(Ctx, d.ID, rp)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Transaction.Amount).To(BeEquivalentTo(-1000))
		Expect(r.BalanceTransactions).To(BeEmpty())

		partial, err := sc.V1IssuingDisputes.Create(Ctx, &stripe.IssuingDisputeCreateParams{
			Transaction: stripe.String(capture(500).ID), Amount: stripe.Int64(200),
			Evidence: &stripe.IssuingDisputeCreateEvidenceParams{
				Reason: stripe.String("not_received"),
				NotReceived: &stripe.IssuingDisputeCreateEvidenceNotReceivedParams{
					ExpectedAt: stripe.Int64(1590000000), ProductDescription: stripe.String("Baseball cap"), ProductType: stripe.String("merchandise"),
				},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(partial.Amount).To(BeEquivalentTo(200))
		Expect(partial.Evidence.NotReceived.ProductDescription).To(Equal("Baseball cap"))
		Expect(partial.Evidence.NotReceived.ExpectedAt).To(BeEquivalentTo(1590000000))
		Expect(partial.Evidence.NotReceived.Explanation).To(BeEmpty())

		ids := func(lp *stripe.IssuingDisputeListParams) []string {
			return listedIDs(sc.V1IssuingDisputes.List(Ctx, lp), func(o *stripe.IssuingDispute) string { return o.ID })
		}
		Expect(ids(&stripe.IssuingDisputeListParams{})).To(Equal([]string{partial.ID, d.ID}))
		Expect(ids(&stripe.IssuingDisputeListParams{Transaction: stripe.String(txn.ID)})).To(Equal([]string{d.ID}))
		Expect(ids(&stripe.IssuingDisputeListParams{Status: stripe.String("submitted")})).To(BeEmpty())
	})

	It("refuses what cannot be disputed, changing nothing", func() {
		txn := capture(1000)
		_, err := sc.V1TestHelpersIssuingTransactions.Refund(Ctx, txn.ID, &stripe.TestHelpersIssuingTransactionRefundParams{RefundAmount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		refunds := listedIDs(sc.V1IssuingTransactions.List(Ctx, &stripe.IssuingTransactionListParams{Type: stripe.String("refund")}),
			func(o *stripe.IssuingTransaction) string { return o.ID })
		Expect(refunds).To(HaveLen(1))
		refund := &stripe.IssuingTransaction{ID: refunds[0]}
		n := len(emu.EventTypes(""))

		_, err = sc.V1IssuingDisputes.Create(Ctx, fraud(refund.ID, "x"))
		ExpectStripeError(err, 400, "invalid_request_error", "", "transaction")
		_, err = sc.V1IssuingDisputes.Create(Ctx, fraud("ipi_missing", "x"))
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "transaction")
		_, err = sc.V1IssuingDisputes.Create(Ctx, &stripe.IssuingDisputeCreateParams{Evidence: fraud("", "x").Evidence})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "transaction")
		p := fraud(txn.ID, "x")
		p.Amount = stripe.Int64(1001)
		_, err = sc.V1IssuingDisputes.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
		p = fraud(txn.ID, "x")
		p.Evidence.NotReceived = &stripe.IssuingDisputeCreateEvidenceNotReceivedParams{ProductDescription: stripe.String("cap")}
		_, err = sc.V1IssuingDisputes.Create(Ctx, p)
		ExpectStripeError(err, 400, "invalid_request_error", "", "evidence[not_received]")
		_, err = sc.V1IssuingDisputes.Create(Ctx, &stripe.IssuingDisputeCreateParams{Transaction: stripe.String(txn.ID)})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "evidence[reason]")
		Expect(emu.EventTypes("")).To(HaveLen(n))

		dispute(txn.ID, "x")
		_, err = sc.V1IssuingDisputes.Create(Ctx, fraud(txn.ID, "again"))
		ExpectStripeError(err, 400, "invalid_request_error", "", "transaction")

		old := capture(300)
		emu.Clock().Advance(66 * 24 * time.Hour)
		// An authorization dispute of a Visa capture: 65 days at most.
		_, err = sc.V1IssuingDisputes.Create(Ctx, &stripe.IssuingDisputeCreateParams{
			Transaction: stripe.String(old.ID),
			Evidence:    &stripe.IssuingDisputeCreateEvidenceParams{Reason: stripe.String("no_valid_authorization")},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "evidence[reason]")
		late := dispute(old.ID, "still in time for fraud")
		_, err = sc.V1IssuingDisputes.Update(Ctx, late.ID, &stripe.IssuingDisputeUpdateParams{
			Evidence: &stripe.IssuingDisputeUpdateEvidenceParams{Reason: stripe.String("no_valid_authorization")},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "evidence[reason]")
		old = capture(300)
		emu.Clock().Advance(111 * 24 * time.Hour)
		_, err = sc.V1IssuingDisputes.Create(Ctx, fraud(old.ID, "too late"))
		ExpectStripeError(err, 400, "invalid_request_error", "", "transaction")
	})

	It("updates an unsubmitted dispute's evidence, amount and metadata; once submitted only its metadata", func() {
		txn := capture(1000)
		d := dispute(txn.ID, "Unrecognized.")
		up := &stripe.IssuingDisputeUpdateParams{
			Amount: stripe.Int64(600),
			Evidence: &stripe.IssuingDisputeUpdateEvidenceParams{
				Reason: stripe.String("other"),
				Other:  &stripe.IssuingDisputeUpdateEvidenceOtherParams{Explanation: stripe.String("Charged twice."), ProductType: stripe.String("service")},
			},
		}
		up.AddMetadata("case", "42")
		u, err := sc.V1IssuingDisputes.Update(Ctx, d.ID, up)
		Expect(err).NotTo(HaveOccurred())
		Expect(u.Amount).To(BeEquivalentTo(600))
		Expect(u.Evidence.Reason).To(Equal(stripe.IssuingDisputeEvidenceReasonOther))
		Expect(u.Evidence.Fraudulent).To(BeNil())
		Expect(u.Evidence.Other.Explanation).To(Equal("Charged twice."))
		Expect(u.Metadata).To(HaveKeyWithValue("case", "42"))
		evs := emu.Events("")
		last := evs[len(evs)-1]
		Expect(last["type"]).To(Equal("issuing_dispute.updated"))
		prev := last["data"].(map[string]any)["previous_attributes"].(map[string]any)
		Expect(prev).To(HaveKeyWithValue("amount", BeEquivalentTo(1000)))

		// An empty string unsets a piece of evidence.
		up = &stripe.IssuingDisputeUpdateParams{Evidence: &stripe.IssuingDisputeUpdateEvidenceParams{
			Other: &stripe.IssuingDisputeUpdateEvidenceOtherParams{ProductType: stripe.String("")},
		}}
		u, err = sc.V1IssuingDisputes.Update(Ctx, d.ID, up)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(u.Evidence.Other.ProductType)).To(BeEmpty())
		Expect(u.Evidence.Other.Explanation).To(Equal("Charged twice."))

		_, err = sc.V1IssuingDisputes.Update(Ctx, d.ID, &stripe.IssuingDisputeUpdateParams{Amount: stripe.Int64(1001)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "amount")

		_, err = sc.V1IssuingDisputes.Submit(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1IssuingDisputes.Update(Ctx, d.ID, &stripe.IssuingDisputeUpdateParams{Amount: stripe.Int64(500)})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		_, err = sc.V1IssuingDisputes.Update(Ctx, d.ID, &stripe.IssuingDisputeUpdateParams{Evidence: &stripe.IssuingDisputeUpdateEvidenceParams{
			Other: &stripe.IssuingDisputeUpdateEvidenceOtherParams{Explanation: stripe.String("more")},
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		mp := &stripe.IssuingDisputeUpdateParams{}
		mp.AddMetadata("case", "43")
		u, err = sc.V1IssuingDisputes.Update(Ctx, d.ID, mp)
		Expect(err).NotTo(HaveOccurred())
		Expect(u.Metadata).To(HaveKeyWithValue("case", "43"))
		Expect(u.Status).To(Equal(stripe.IssuingDisputeStatusSubmitted))
	})

	It("settles a submitted test dispute as its explanation asks: winning_evidence won and credited, losing_evidence lost", func() {
		won := dispute(capture(1000).ID, "winning_evidence")
		before := issuingAvailable(sc)
		n := len(emu.EventTypes(""))
		s, err := sc.V1IssuingDisputes.Submit(Ctx, won.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Status).To(Equal(stripe.IssuingDisputeStatusSubmitted))
		Expect(emu.EventTypes("")[n:]).To(Equal([]string{"issuing_dispute.submitted", "issuing_dispute.closed", "issuing_dispute.funds_reinstated"}))
		rp := &stripe.IssuingDisputeRetrieveParams{}
		rp.AddExpand("balance_transactions")
		got, err := sc.V1IssuingDisputes.Retrieve(Ctx, won.ID, rp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.IssuingDisputeStatusWon))
		Expect(got.BalanceTransactions).To(HaveLen(1))
		bt := got.BalanceTransactions[0]
		Expect(bt.Type).To(Equal(stripe.BalanceTransactionTypeIssuingDispute))
		Expect(bt.Amount).To(BeEquivalentTo(1000))
		Expect(bt.BalanceType).To(Equal(stripe.BalanceTransactionBalanceTypeIssuing))
		Expect(issuingAvailable(sc)).To(Equal(before + 1000))
		btp := &stripe.BalanceTransactionRetrieveParams{}
		btp.AddExpand("source")
		full, err := sc.V1BalanceTransactions.Retrieve(Ctx, bt.ID, btp)
		Expect(err).NotTo(HaveOccurred())
		Expect(full.Source.ID).To(Equal(won.ID))

		_, err = sc.V1IssuingDisputes.Submit(Ctx, won.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")

		lost := dispute(capture(700).ID, "losing_evidence")
		before = issuingAvailable(sc)
		n = len(emu.EventTypes(""))
		_, err = sc.V1IssuingDisputes.Submit(Ctx, lost.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(emu.EventTypes("")[n:]).To(Equal([]string{"issuing_dispute.submitted", "issuing_dispute.closed"}))
		got, err = sc.V1IssuingDisputes.Retrieve(Ctx, lost.ID, rp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.IssuingDisputeStatusLost))
		Expect(got.BalanceTransactions).To(BeEmpty())
		Expect(issuingAvailable(sc)).To(Equal(before))

		// Any other explanation: Stripe documents no test outcome, so it
		// stays submitted.
		open := dispute(capture(300).ID, "Card reported lost.")
		sp := &stripe.IssuingDisputeSubmitParams{}
		sp.AddMetadata("filed_by", "ops")
		s, err = sc.V1IssuingDisputes.Submit(Ctx, open.ID, sp)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Metadata).To(HaveKeyWithValue("filed_by", "ops"))
		emu.Clock().Advance(200 * 24 * time.Hour)
		got, err = sc.V1IssuingDisputes.Retrieve(Ctx, open.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.IssuingDisputeStatusSubmitted))
	})

	It("keeps files as evidence, expandable, and refuses an id that is no file", func() {
		pdf := []byte("%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n")
		f, err := sc.V1Files.Create(Ctx, &stripe.FileCreateParams{
			Purpose: stripe.String("dispute_evidence"), Filename: stripe.String("statement.pdf"), FileReader: bytes.NewReader(pdf),
		})
		Expect(err).NotTo(HaveOccurred())
		first := capture(400)
		d, err := sc.V1IssuingDisputes.Create(Ctx, &stripe.IssuingDisputeCreateParams{
			Transaction: stripe.String(capture(400).ID),
			Evidence: &stripe.IssuingDisputeCreateEvidenceParams{
				Reason: stripe.String("duplicate"),
				Duplicate: &stripe.IssuingDisputeCreateEvidenceDuplicateParams{
					CardStatement: stripe.String(f.ID), Explanation: stripe.String("Charged twice."), OriginalTransaction: stripe.String(first.ID),
				},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Evidence.Duplicate.CardStatement.ID).To(Equal(f.ID))
		Expect(d.Evidence.Duplicate.CashReceipt).To(BeNil())
		Expect(d.Evidence.Duplicate.OriginalTransaction).To(Equal(first.ID))
		rp := &stripe.IssuingDisputeRetrieveParams{}
		rp.AddExpand("evidence.duplicate.card_statement")
		got, err := sc.V1IssuingDisputes.Retrieve(Ctx, d.ID, rp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Evidence.Duplicate.CardStatement.Filename).To(Equal("statement.pdf"))

		_, err = sc.V1IssuingDisputes.Update(Ctx, d.ID, &stripe.IssuingDisputeUpdateParams{Evidence: &stripe.IssuingDisputeUpdateEvidenceParams{
			Duplicate: &stripe.IssuingDisputeUpdateEvidenceDuplicateParams{CheckImage: stripe.String("file_missing")},
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "evidence[duplicate][check_image]")
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
		img, err := sc.V1Files.Create(Ctx, &stripe.FileCreateParams{
			Purpose: stripe.String("dispute_evidence"), Filename: stripe.String("statement.png"), FileReader: bytes.NewReader(png),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(img.Type).To(Equal("png"))
		_, err = sc.V1IssuingDisputes.Update(Ctx, d.ID, &stripe.IssuingDisputeUpdateParams{Evidence: &stripe.IssuingDisputeUpdateEvidenceParams{
			Duplicate: &stripe.IssuingDisputeUpdateEvidenceDuplicateParams{CheckImage: stripe.String(img.ID)},
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "evidence[duplicate][check_image]")

		// Every reason's evidence, each field given once.
		all := &stripe.IssuingDisputeUpdateParams{Evidence: &stripe.IssuingDisputeUpdateEvidenceParams{
			Reason: stripe.String("canceled"),
			Canceled: &stripe.IssuingDisputeUpdateEvidenceCanceledParams{
				AdditionalDocumentation: stripe.String(f.ID), CanceledAt: stripe.Int64(1700000000), CancellationPolicyProvided: stripe.Bool(true),
				CancellationReason: stripe.String("Changed my mind"), ExpectedAt: stripe.Int64(1700100000), Explanation: stripe.String("Canceled."),
				ProductDescription: stripe.String("Lamp"), ProductType: stripe.String("merchandise"), ReturnStatus: stripe.String("successful"),
				ReturnedAt: stripe.Int64(1700200000),
			},
		}}
		c, err := sc.V1IssuingDisputes.Update(Ctx, d.ID, all)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Evidence.Duplicate).To(BeNil())
		Expect(c.Evidence.Canceled.CancellationPolicyProvided).To(BeTrue())
		Expect(c.Evidence.Canceled.ReturnStatus).To(Equal(stripe.IssuingDisputeEvidenceCanceledReturnStatusSuccessful))
		m, err := sc.V1IssuingDisputes.Update(Ctx, d.ID, &stripe.IssuingDisputeUpdateParams{Evidence: &stripe.IssuingDisputeUpdateEvidenceParams{
			Reason: stripe.String("merchandise_not_as_described"),
			MerchandiseNotAsDescribed: &stripe.IssuingDisputeUpdateEvidenceMerchandiseNotAsDescribedParams{
				ReceivedAt: stripe.Int64(1700000000), ReturnDescription: stripe.String("Sent back"), ReturnStatus: stripe.String("merchant_rejected"),
				ReturnedAt: stripe.Int64(1700100000),
			},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Evidence.MerchandiseNotAsDescribed.ReturnDescription).To(Equal("Sent back"))
		sv, err := sc.V1IssuingDisputes.Update(Ctx, d.ID, &stripe.IssuingDisputeUpdateParams{Evidence: &stripe.IssuingDisputeUpdateEvidenceParams{
			Reason: stripe.String("service_not_as_described"),
			ServiceNotAsDescribed: &stripe.IssuingDisputeUpdateEvidenceServiceNotAsDescribedParams{
				CanceledAt: stripe.Int64(1700000000), CancellationReason: stripe.String("Bad service"), ReceivedAt: stripe.Int64(1700100000),
			},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(sv.Evidence.ServiceNotAsDescribed.CancellationReason).To(Equal("Bad service"))
		nv, err := sc.V1IssuingDisputes.Update(Ctx, d.ID, &stripe.IssuingDisputeUpdateParams{Evidence: &stripe.IssuingDisputeUpdateEvidenceParams{
			Reason:               stripe.String("no_valid_authorization"),
			NoValidAuthorization: &stripe.IssuingDisputeUpdateEvidenceNoValidAuthorizationParams{Explanation: stripe.String("Captured after expiry.")},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(nv.Evidence.NoValidAuthorization.Explanation).To(Equal("Captured after expiry."))
	})

	It("expires a dispute left unsubmitted 110 days after the capture", func() {
		txn := capture(1000)
		emu.Clock().Advance(100 * 24 * time.Hour)
		d := dispute(txn.ID, "x")
		emu.Clock().Advance(9 * 24 * time.Hour)
		got, err := sc.V1IssuingDisputes.Retrieve(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.IssuingDisputeStatusUnsubmitted))
		emu.Clock().Advance(2 * 24 * time.Hour)
		got, err = sc.V1IssuingDisputes.Retrieve(Ctx, d.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.IssuingDisputeStatusExpired))
		types := emu.EventTypes("")
		Expect(types[len(types)-1]).To(Equal("issuing_dispute.closed"))
		_, err = sc.V1IssuingDisputes.Submit(Ctx, d.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
	})
})
