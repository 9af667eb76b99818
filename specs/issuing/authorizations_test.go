package issuing_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Issuing authorizations and the Issuing balance", Label("issuing"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	since := func(n int) []string { return emu.EventTypes("")[n:] }
	retrieve := func(id string) *stripe.IssuingAuthorization {
		GinkgoHelper()
		a, err := sc.V1IssuingAuthorizations.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return a
	}
	at := func(category, country string) func(*stripe.TestHelpersIssuingAuthorizationCreateParams) {
		return func(p *stripe.TestHelpersIssuingAuthorizationCreateParams) {
			p.MerchantData = &stripe.TestHelpersIssuingAuthorizationCreateMerchantDataParams{}
			if category != "" {
				p.MerchantData.Category = stripe.String(category)
			}
			if country != "" {
				p.MerchantData.Country = stripe.String(country)
			}
		}
	}

	It("declines with insufficient_funds while the Issuing balance cannot cover the amount", func() {
		card := activeCard(sc)
		n := len(emu.EventTypes(""))
		auth := authorize(sc, card.ID, 1000)
		Expect(auth.ID).To(HavePrefix("iauth_"))
		Expect(auth.Approved).To(BeFalse())
		Expect(auth.Status).To(Equal(stripe.IssuingAuthorizationStatusClosed))
		Expect(declineReason(auth)).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonInsufficientFunds))
		Expect(auth.BalanceTransactions).To(BeEmpty())
		Expect(auth.Card.ID).To(Equal(card.ID))
		Expect(auth.Card.Cardholder.ID).To(Equal(card.Cardholder.ID))
		Expect(auth.Cardholder.ID).To(Equal(card.Cardholder.ID))
		Expect(auth.MerchantData.Category).To(Equal("taxicabs_limousines"))
		Expect(auth.MerchantData.CategoryCode).To(Equal("4121"))
		// No real-time webhook: no issuing_authorization.request.
		Expect(since(n)).To(Equal([]string{"issuing_authorization.created"}))
	})

	It("holds an approved authorization's amount in the Issuing balance, apart from the payments balance, and captures it into a transaction", func() {
		before, err := sc.V1Balance.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(before.Issuing).To(BeNil())
		fundIssuing(emu, 10000)
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(10000))
		after, err := sc.V1Balance.Retrieve(Ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(after.Available).To(Equal(before.Available))
		Expect(after.Pending).To(Equal(before.Pending))

		card := activeCard(sc)
		n := len(emu.EventTypes(""))
		auth := authorize(sc, card.ID, 2500, at("aquariums", ""))
		Expect(auth.Approved).To(BeTrue())
		// The test helper's authorization_method "Defaults to online"
		// (Stripe's reference).
		Expect(auth.AuthorizationMethod).To(Equal(stripe.IssuingAuthorizationAuthorizationMethodOnline))
		Expect(auth.Status).To(Equal(stripe.IssuingAuthorizationStatusPending))
		Expect(auth.Currency).To(Equal(stripe.CurrencyUSD))
		Expect(auth.MerchantData.CategoryCode).To(Equal("7998"))
		Expect(auth.RequestHistory).To(HaveLen(1))
		Expect(auth.RequestHistory[0].Approved).To(BeTrue())
		Expect(auth.RequestHistory[0].AuthorizationCode).To(MatchRegexp(`^S\d{6}$`))
		Expect(auth.BalanceTransactions).To(HaveLen(1))
		hold := auth.BalanceTransactions[0]
		Expect(hold.Type).To(Equal(stripe.BalanceTransactionTypeIssuingAuthorizationHold))
		Expect(hold.BalanceType).To(Equal(stripe.BalanceTransactionBalanceTypeIssuing))
		Expect(hold.Amount).To(BeEquivalentTo(-2500))
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(7500))

		// A balance transaction's source expands to the Issuing object.
		bp := &stripe.BalanceTransactionRetrieveParams{}
		bp.AddExpand("source")
		bt, err := sc.V1BalanceTransactions.Retrieve(Ctx, hold.ID, bp)
		Expect(err).NotTo(HaveOccurred())
		Expect(bt.Source.ID).To(Equal(auth.ID))
		Expect(bt.Source.IssuingAuthorization.Amount).To(BeEquivalentTo(2500))

		captured, err := sc.V1TestHelpersIssuingAuthorizations.Capture(Ctx, auth.ID, &stripe.TestHelpersIssuingAuthorizationCaptureParams{CaptureAmount: stripe.Int64(2000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(captured.Status).To(Equal(stripe.IssuingAuthorizationStatusClosed))
		Expect(captured.BalanceTransactions).To(HaveLen(2))
		Expect(captured.BalanceTransactions[1].Type).To(Equal(stripe.BalanceTransactionTypeIssuingAuthorizationRelease))
		Expect(captured.BalanceTransactions[1].Amount).To(BeEquivalentTo(2500))
		Expect(captured.Transactions).To(HaveLen(1))
		txn := captured.Transactions[0]
		Expect(txn.ID).To(HavePrefix("ipi_"))
		Expect(txn.Type).To(Equal(stripe.IssuingTransactionTypeCapture))
		Expect(txn.Amount).To(BeEquivalentTo(-2000))
		Expect(txn.Authorization.ID).To(Equal(auth.ID))
		Expect(txn.MerchantData.Category).To(Equal("aquariums"))
		// network_data.authorization_code: "This field will be populated
		// if the authorization message was approved" (Stripe's reference).
		Expect(txn.NetworkData.AuthorizationCode).To(Equal(auth.RequestHistory[0].AuthorizationCode))
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(8000))
		Expect(since(n)).To(Equal([]string{"issuing_authorization.created", "issuing_transaction.created", "issuing_authorization.updated"}))

		tp := &stripe.IssuingTransactionRetrieveParams{}
		tp.AddExpand("balance_transaction")
		got, err := sc.V1IssuingTransactions.Retrieve(Ctx, txn.ID, tp)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.BalanceTransaction.Type).To(Equal(stripe.BalanceTransactionTypeIssuingTransaction))
		Expect(got.BalanceTransaction.Amount).To(BeEquivalentTo(-2000))
		Expect(got.BalanceTransaction.BalanceType).To(Equal(stripe.BalanceTransactionBalanceTypeIssuing))

		// A refund of the capture comes of the same approved authorization.
		_, err = sc.V1TestHelpersIssuingTransactions.Refund(Ctx, txn.ID, &stripe.TestHelpersIssuingTransactionRefundParams{RefundAmount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		a2 := retrieve(auth.ID)
		Expect(a2.Transactions).To(HaveLen(2))
		Expect(a2.Transactions[1].Type).To(Equal(stripe.IssuingTransactionTypeRefund))
		Expect(a2.Transactions[1].NetworkData.AuthorizationCode).To(Equal(auth.RequestHistory[0].AuthorizationCode))

		_, err = sc.V1TestHelpersIssuingAuthorizations.Capture(Ctx, auth.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
	})

	It("declines by the card's and cardholder's status and requirements, and their spending controls", func() {
		fundIssuing(emu, 100000)
		card := activeCard(sc)

		_, err := sc.V1IssuingCards.Update(Ctx, card.ID, &stripe.IssuingCardUpdateParams{Status: stripe.String("inactive")})
		Expect(err).NotTo(HaveOccurred())
		Expect(declineReason(authorize(sc, card.ID, 100))).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonCardInactive))
		_, err = sc.V1IssuingCards.Update(Ctx, card.ID, &stripe.IssuingCardUpdateParams{Status: stripe.String("active")})
		Expect(err).NotTo(HaveOccurred())

		_, err = sc.V1IssuingCardholders.Update(Ctx, card.Cardholder.ID, &stripe.IssuingCardholderUpdateParams{Status: stripe.String("inactive")})
		Expect(err).NotTo(HaveOccurred())
		Expect(declineReason(authorize(sc, card.ID, 100))).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonCardholderInactive))
		_, err = sc.V1IssuingCardholders.Update(Ctx, card.Cardholder.ID, &stripe.IssuingCardholderUpdateParams{
			Status: stripe.String("active"), Individual: &stripe.IssuingCardholderUpdateIndividualParams{FirstName: stripe.String("")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(declineReason(authorize(sc, card.ID, 100))).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonCardholderVerificationRequired))
		_, err = sc.V1IssuingCardholders.Update(Ctx, card.Cardholder.ID, &stripe.IssuingCardholderUpdateParams{
			Individual: &stripe.IssuingCardholderUpdateIndividualParams{FirstName: stripe.String("Jenny")},
			SpendingControls: &stripe.IssuingCardholderUpdateSpendingControlsParams{
				BlockedMerchantCountries: []*string{stripe.String("GB")},
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(declineReason(authorize(sc, card.ID, 100, at("", "GB")))).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonSpendingControls))

		_, err = sc.V1IssuingCards.Update(Ctx, card.ID, &stripe.IssuingCardUpdateParams{SpendingControls: &stripe.IssuingCardUpdateSpendingControlsParams{
			BlockedCategories: []*string{stripe.String("aquariums")},
			SpendingLimits: []*stripe.IssuingCardUpdateSpendingControlsSpendingLimitParams{
				{Amount: stripe.Int64(5000), Interval: stripe.String("per_authorization")},
				{Amount: stripe.Int64(8000), Interval: stripe.String("daily")},
			},
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(declineReason(authorize(sc, card.ID, 100, at("aquariums", "")))).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonSpendingControls))
		Expect(declineReason(authorize(sc, card.ID, 5001))).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonSpendingControls))
		Expect(authorize(sc, card.ID, 5000).Approved).To(BeTrue())
		third := authorize(sc, card.ID, 3000)
		Expect(third.Approved).To(BeTrue())
		Expect(declineReason(authorize(sc, card.ID, 1))).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonSpendingControls))
		// What is reversed was not spent: the daily limit has room again.
		_, err = sc.V1TestHelpersIssuingAuthorizations.Reverse(Ctx, third.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(authorize(sc, card.ID, 3000).Approved).To(BeTrue())
		// The next day starts afresh.
		emu.Clock().Advance(24 * time.Hour)
		Expect(authorize(sc, card.ID, 5000).Approved).To(BeTrue())

		mismatch := authorize(sc, card.ID, 100, func(p *stripe.TestHelpersIssuingAuthorizationCreateParams) {
			p.VerificationData = &stripe.TestHelpersIssuingAuthorizationCreateVerificationDataParams{CVCCheck: stripe.String("mismatch")}
		})
		Expect(declineReason(mismatch)).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonVerificationFailed))
		Expect(mismatch.VerificationData.CVCCheck).To(Equal(stripe.IssuingAuthorizationVerificationDataCheckMismatch))
		declined := 0
		for a, err := range sc.V1IssuingAuthorizations.List(Ctx, &stripe.IssuingAuthorizationListParams{Card: stripe.String(card.ID), Status: stripe.String("closed")}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Approved).To(BeFalse())
			declined++
		}
		Expect(declined).To(Equal(8))
	})

	It("declines on a card past its expiry date, which cannot be set in the past", func() {
		fundIssuing(emu, 1000)
		ch := newCardholder(sc)
		_, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"),
			ExpMonth: stripe.Int64(8), ExpYear: stripe.Int64(2025),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "exp_year")
		card, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(ch.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"), Status: stripe.String("active"),
			ExpMonth: stripe.Int64(9), ExpYear: stripe.Int64(2025),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(card.ExpMonth).To(BeEquivalentTo(9))
		Expect(authorize(sc, card.ID, 100).Approved).To(BeTrue())
		emu.Clock().Advance(31 * 24 * time.Hour) // October 2025
		Expect(declineReason(authorize(sc, card.ID, 100))).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonCardExpired))
	})

	It("reverses, expires, increments and finalizes pending authorizations, moving what they hold", func() {
		fundIssuing(emu, 10000)
		card := activeCard(sc)

		a := authorize(sc, card.ID, 3000)
		a, err := sc.V1TestHelpersIssuingAuthorizations.Reverse(Ctx, a.ID, &stripe.TestHelpersIssuingAuthorizationReverseParams{ReverseAmount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Status).To(Equal(stripe.IssuingAuthorizationStatusPending))
		Expect(a.Amount).To(BeEquivalentTo(2000))
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(8000))
		a, err = sc.V1TestHelpersIssuingAuthorizations.Reverse(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Status).To(Equal(stripe.IssuingAuthorizationStatusReversed))
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(10000))

		b := authorize(sc, card.ID, 4000)
		n := len(emu.EventTypes(""))
		b, err = sc.V1TestHelpersIssuingAuthorizations.Expire(Ctx, b.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.Status).To(Equal(stripe.IssuingAuthorizationStatusExpired))
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(10000))
		Expect(since(n)).To(Equal([]string{"issuing_authorization.updated"}))

		c := authorize(sc, card.ID, 6000)
		c, err = sc.V1TestHelpersIssuingAuthorizations.Increment(Ctx, c.ID, &stripe.TestHelpersIssuingAuthorizationIncrementParams{IncrementAmount: stripe.Int64(3000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Amount).To(BeEquivalentTo(9000))
		Expect(c.RequestHistory).To(HaveLen(2))
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(1000))
		c, err = sc.V1TestHelpersIssuingAuthorizations.Increment(Ctx, c.ID, &stripe.TestHelpersIssuingAuthorizationIncrementParams{IncrementAmount: stripe.Int64(5000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Amount).To(BeEquivalentTo(9000))
		Expect(declineReason(c)).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonInsufficientFunds))
		Expect(c.Status).To(Equal(stripe.IssuingAuthorizationStatusPending))

		c, err = sc.V1TestHelpersIssuingAuthorizations.FinalizeAmount(Ctx, c.ID, &stripe.TestHelpersIssuingAuthorizationFinalizeAmountParams{FinalAmount: stripe.Int64(7000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Amount).To(BeEquivalentTo(7000))
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(3000))
	})

	It("expires an authorization left uncaptured for 7 days, which can still be captured", func() {
		fundIssuing(emu, 5000)
		card := activeCard(sc)
		a := authorize(sc, card.ID, 2000)
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(3000))
		emu.Clock().Advance(7*24*time.Hour - time.Minute)
		Expect(retrieve(a.ID).Status).To(Equal(stripe.IssuingAuthorizationStatusPending))
		n := len(emu.EventTypes(""))
		emu.Clock().Advance(time.Minute)
		expired := retrieve(a.ID)
		Expect(expired.Status).To(Equal(stripe.IssuingAuthorizationStatusExpired))
		Expect(expired.BalanceTransactions).To(HaveLen(2))
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(5000))
		Expect(since(n)).To(Equal([]string{"issuing_authorization.updated"}))

		_, err := sc.V1TestHelpersIssuingAuthorizations.Reverse(Ctx, a.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		captured, err := sc.V1TestHelpersIssuingAuthorizations.Capture(Ctx, a.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(captured.Status).To(Equal(stripe.IssuingAuthorizationStatusClosed))
		Expect(captured.Transactions).To(HaveLen(1))
		Expect(captured.Transactions[0].Amount).To(BeEquivalentTo(-2000))
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(3000))

		// A captured authorization never expires.
		b := authorize(sc, card.ID, 1000)
		_, err = sc.V1TestHelpersIssuingAuthorizations.Capture(Ctx, b.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		emu.Clock().Advance(8 * 24 * time.Hour)
		Expect(retrieve(b.ID).Status).To(Equal(stripe.IssuingAuthorizationStatusClosed))
	})

	It("leaves an authorization at a hotel, airline, cruise line or car rental merchant pending for 31 days", func() {
		// Stripe's support article on Issuing reversals: "7 days for the
		// majority of merchants and 31 days for hotels, airlines, cruise
		// lines and car rental companies".
		fundIssuing(emu, 10000)
		card := activeCard(sc)
		var long []*stripe.IssuingAuthorization
		for _, cat := range []string{"hotels_motels_and_resorts", "airlines_air_carriers", "cruise_lines", "car_rental_agencies"} {
			long = append(long, authorize(sc, card.ID, 1000, func(p *stripe.TestHelpersIssuingAuthorizationCreateParams) {
				p.MerchantData = &stripe.TestHelpersIssuingAuthorizationCreateMerchantDataParams{Category: stripe.String(cat)}
			}))
		}
		short := authorize(sc, card.ID, 1000)
		emu.Clock().Advance(8 * 24 * time.Hour)
		Expect(retrieve(short.ID).Status).To(Equal(stripe.IssuingAuthorizationStatusExpired))
		for _, a := range long {
			Expect(retrieve(a.ID).Status).To(Equal(stripe.IssuingAuthorizationStatusPending), a.MerchantData.Category)
		}
		emu.Clock().Advance(23*24*time.Hour - time.Minute)
		for _, a := range long {
			Expect(retrieve(a.ID).Status).To(Equal(stripe.IssuingAuthorizationStatusPending), a.MerchantData.Category)
		}
		emu.Clock().Advance(time.Minute)
		for _, a := range long {
			Expect(retrieve(a.ID).Status).To(Equal(stripe.IssuingAuthorizationStatusExpired), a.MerchantData.Category)
		}
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(10000))
	})

	It("sends issuing_authorization.request to a real-time webhook before deciding by the same rules", func() {
		_, err := sc.V1WebhookEndpoints.Create(Ctx, &stripe.WebhookEndpointCreateParams{
			URL: stripe.String("https://example.com/issuing"), EnabledEvents: []*string{stripe.String("issuing_authorization.request")},
		})
		Expect(err).NotTo(HaveOccurred())
		fundIssuing(emu, 1000)
		card := activeCard(sc)
		n := len(emu.EventTypes(""))
		a := authorize(sc, card.ID, 700, func(p *stripe.TestHelpersIssuingAuthorizationCreateParams) {
			p.IsAmountControllable = stripe.Bool(true)
		})
		Expect(a.Approved).To(BeTrue())
		Expect(a.PendingRequest).To(BeNil())
		Expect(since(n)).To(Equal([]string{"issuing_authorization.request", "issuing_authorization.created"}))
		req := emu.Events("")[n]["data"].(map[string]any)["object"].(map[string]any)
		Expect(req["id"]).To(Equal(a.ID))
		Expect(req["approved"]).To(BeFalse())
		Expect(req["pending_request"]).To(HaveKeyWithValue("is_amount_controllable", true))
		// Stripe's real-time authorizations guide: "The top-level amount
		// in the request is set to 0 and approved is false"; the amount
		// asked for is the pending_request's.
		Expect(req["amount"]).To(BeEquivalentTo(0))
		Expect(req["merchant_amount"]).To(BeEquivalentTo(0))
		Expect(req["pending_request"]).To(HaveKeyWithValue("amount", BeEquivalentTo(700)))
		Expect(req["pending_request"]).To(HaveKeyWithValue("merchant_amount", BeEquivalentTo(700)))

		// An increment asks for "the additional amount Stripe will hold
		// if the authorization is approved" (pending_request.amount),
		// the amount approved before staying the top-level one.
		n = len(emu.EventTypes(""))
		inc, err := sc.V1TestHelpersIssuingAuthorizations.Increment(Ctx, a.ID, &stripe.TestHelpersIssuingAuthorizationIncrementParams{IncrementAmount: stripe.Int64(200)})
		Expect(err).NotTo(HaveOccurred())
		Expect(inc.Amount).To(BeEquivalentTo(900))
		Expect(since(n)).To(Equal([]string{"issuing_authorization.request", "issuing_authorization.updated"}))
		req = emu.Events("")[n]["data"].(map[string]any)["object"].(map[string]any)
		Expect(req["amount"]).To(BeEquivalentTo(700))
		Expect(req["pending_request"]).To(HaveKeyWithValue("amount", BeEquivalentTo(200)))
		Expect(req["pending_request"]).To(HaveKeyWithValue("merchant_amount", BeEquivalentTo(200)))

		// One Stripe's checks decline never reaches the webhook.
		n = len(emu.EventTypes(""))
		Expect(declineReason(authorize(sc, card.ID, 5000))).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonInsufficientFunds))
		Expect(since(n)).To(Equal([]string{"issuing_authorization.created"}))

		// The deprecated answers come too late: the request is decided.
		_, err = sc.V1IssuingAuthorizations.Approve(Ctx, a.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		_, err = sc.V1IssuingAuthorizations.Decline(Ctx, a.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(retrieve(a.ID).Status).To(Equal(stripe.IssuingAuthorizationStatusPending))
	})

	It("counts what a replaced card spent against its replacement's limits", func() {
		fundIssuing(emu, 10000)
		old := activeCard(sc)
		Expect(authorize(sc, old.ID, 3000).Approved).To(BeTrue())
		repl, err := sc.V1IssuingCards.Create(Ctx, &stripe.IssuingCardCreateParams{
			Cardholder: stripe.String(old.Cardholder.ID), Currency: stripe.String("usd"), Type: stripe.String("virtual"), Status: stripe.String("active"),
			ReplacementFor: stripe.String(old.ID), ReplacementReason: stripe.String("damaged"),
			SpendingControls: &stripe.IssuingCardCreateSpendingControlsParams{SpendingLimits: []*stripe.IssuingCardCreateSpendingControlsSpendingLimitParams{
				{Amount: stripe.Int64(4000), Interval: stripe.String("monthly")},
			}},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(declineReason(authorize(sc, repl.ID, 1500))).To(Equal(stripe.IssuingAuthorizationRequestHistoryReasonSpendingControls))
		Expect(authorize(sc, repl.ID, 1000).Approved).To(BeTrue())
	})

	It("updates metadata with an event and lists authorizations by card, cardholder and status", func() {
		fundIssuing(emu, 1000)
		card := activeCard(sc)
		other := activeCard(sc)
		a := authorize(sc, card.ID, 100)
		b := authorize(sc, other.ID, 5000)
		p := &stripe.IssuingAuthorizationUpdateParams{}
		p.AddMetadata("order", "42")
		got, err := sc.V1IssuingAuthorizations.Update(Ctx, a.ID, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Metadata).To(HaveKeyWithValue("order", "42"))
		Expect(emu.EventTypes("")[len(emu.EventTypes(""))-1]).To(Equal("issuing_authorization.updated"))

		ids := func(lp *stripe.IssuingAuthorizationListParams) []string {
			return listedIDs(sc.V1IssuingAuthorizations.List(Ctx, lp), func(o *stripe.IssuingAuthorization) string { return o.ID })
		}
		Expect(ids(&stripe.IssuingAuthorizationListParams{})).To(Equal([]string{b.ID, a.ID}))
		Expect(ids(&stripe.IssuingAuthorizationListParams{Card: stripe.String(card.ID)})).To(Equal([]string{a.ID}))
		Expect(ids(&stripe.IssuingAuthorizationListParams{Cardholder: stripe.String(other.Cardholder.ID)})).To(Equal([]string{b.ID}))
		Expect(ids(&stripe.IssuingAuthorizationListParams{Status: stripe.String("pending")})).To(Equal([]string{a.ID}))
	})

	It("shows the merchant category code Stripe's categories table gives each category", func() {
		fundIssuing(emu, 10000)
		card := activeCard(sc)
		for category, code := range map[string]string{
			"eating_places_restaurants": "5812", "bakeries": "5462", "grocery_stores_supermarkets": "5411",
			"childrens_and_infants_wear_stores": "5641", "u_s_federal_government_agencies_or_departments": "9405",
			"veterinary_services": "0742", "marketplaces": "5262",
		} {
			auth := authorize(sc, card.ID, 100, at(category, ""))
			Expect(auth.MerchantData.Category).To(Equal(category))
			Expect(auth.MerchantData.CategoryCode).To(Equal(code), category)
		}
	})

	It("refuses what it does not emulate by name, changing nothing", func() {
		fundIssuing(emu, 1000)
		card := activeCard(sc)
		n := len(emu.EventTypes(""))
		_, err := sc.V1TestHelpersIssuingAuthorizations.Create(Ctx, &stripe.TestHelpersIssuingAuthorizationCreateParams{
			Card: stripe.String(card.ID), Amount: stripe.Int64(100),
			Fuel: &stripe.TestHelpersIssuingAuthorizationCreateFuelParams{Type: stripe.String("diesel")},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "fuel")
		_, err = sc.V1TestHelpersIssuingAuthorizations.Create(Ctx, &stripe.TestHelpersIssuingAuthorizationCreateParams{
			Card: stripe.String(card.ID), Amount: stripe.Int64(100),
			MerchantData: &stripe.TestHelpersIssuingAuthorizationCreateMerchantDataParams{Category: stripe.String("miscellaneous")},
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "merchant_data[category]")
		_, err = sc.V1TestHelpersIssuingAuthorizations.Create(Ctx, &stripe.TestHelpersIssuingAuthorizationCreateParams{
			Card: stripe.String(card.ID), Amount: stripe.Int64(100), Currency: stripe.String("eur"),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "", "currency")
		_, err = sc.V1TestHelpersIssuingAuthorizations.Create(Ctx, &stripe.TestHelpersIssuingAuthorizationCreateParams{
			Card: stripe.String("ic_nope"), Amount: stripe.Int64(100),
		})
		ExpectStripeError(err, 400, "invalid_request_error", "resource_missing", "card")
		Expect(StripeErr(err).Msg).To(Equal("No such issuing card: 'ic_nope'"))
		Expect(since(n)).To(BeEmpty())
		Expect(emu.Count("", "issuing.authorization")).To(BeZero())
		Expect(issuingAvailable(sc)).To(BeEquivalentTo(1000))
	})

	It("serves the Stripe CLI's undocumented test path, held_amount as the amount", func() {
		card := activeCard(sc)
		status, body, err := emu.Call("POST", "/v1/issuing/cards/"+card.ID+"/test/authorizations",
			url.Values{"held_amount": {"100"}, "authorization_method": {"online"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(body["object"]).To(Equal("issuing.authorization"))
		Expect(body["amount"]).To(BeEquivalentTo(100))
		Expect(body["authorization_method"]).To(Equal("online"))
		status, _, err = emu.Call("POST", "/v1/issuing/cards/ic_nope/test/authorizations", url.Values{"held_amount": {"100"}}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(404))
	})
})
