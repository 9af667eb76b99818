package payments_test

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The older routes Stripe still serves at basil, which older SDK methods
// (stripe-node's charges.refund, stripe-ruby's Customer#cards…) call: each
// is another name for a route the emulator has, with its objects, rules
// and events. stripe-go has methods for few of them (payout reversal, the
// refund expiry test helper); the rest are sent as raw requests.
var _ = Describe("Older routes of payments", Label("payments", "legacy"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})
	eventsSince := func(n int) []string { return emu.EventTypes("")[n:] }

	pay := func(pm string, amount int64) *stripe.PaymentIntent {
		GinkgoHelper()
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusSucceeded))
		return pi
	}
	charge := func(id string) *stripe.Charge {
		GinkgoHelper()
		ch, err := sc.V1Charges.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return ch
	}

	Describe("a charge's refunds", func() {
		It("create, list, retrieve and update refunds as /v1/refunds does, at the charge's URL", func() {
			ch := pay("pm_card_visa", 2000).LatestCharge.ID
			mark := len(emu.EventTypes(""))

			var re stripe.Refund
			Expect(Legacy(emu, "POST", "/v1/charges/"+ch+"/refunds", "amount=500&reason=requested_by_customer&metadata[order]=42", &re)).To(Succeed())
			Expect(re.ID).To(HavePrefix("re_"))
			Expect(re.Charge.ID).To(Equal(ch))
			Expect(re.Amount).To(Equal(int64(500)))
			Expect(re.Status).To(Equal(stripe.RefundStatusSucceeded))
			Expect(re.Reason).To(Equal(stripe.RefundReasonRequestedByCustomer))
			Expect(re.Metadata).To(Equal(map[string]string{"order": "42"}))
			Expect(eventsSince(mark)).To(Equal([]string{"refund.created", "charge.refunded"}))
			Expect(charge(ch).AmountRefunded).To(Equal(int64(500)))

			var list stripe.RefundList
			Expect(Legacy(emu, "GET", "/v1/charges/"+ch+"/refunds?limit=5", "", &list)).To(Succeed())
			Expect(list.URL).To(Equal("/v1/charges/" + ch + "/refunds"))
			Expect(list.Data).To(HaveLen(1))
			Expect(list.Data[0].ID).To(Equal(re.ID))

			var got stripe.Refund
			Expect(Legacy(emu, "GET", "/v1/charges/"+ch+"/refunds/"+re.ID+"?expand[]=charge", "", &got)).To(Succeed())
			Expect(got.ID).To(Equal(re.ID))
			Expect(got.Charge.Amount).To(Equal(int64(2000)), "expanded")

			mark = len(emu.EventTypes(""))
			Expect(Legacy(emu, "POST", "/v1/charges/"+ch+"/refunds/"+re.ID, "metadata[order]=43", &got)).To(Succeed())
			Expect(got.Metadata).To(Equal(map[string]string{"order": "43"}))
			Expect(eventsSince(mark)).To(Equal([]string{"refund.updated", "charge.refund.updated"}), "a card refund's update is told the older way too")
			fetched, err := sc.V1Refunds.Retrieve(Ctx, re.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(fetched.Metadata).To(Equal(map[string]string{"order": "43"}))
		})

		It("refund with POST /v1/charges/{charge}/refund, answering the charge", func() {
			ch := pay("pm_card_visa", 2000).LatestCharge.ID
			var c stripe.Charge
			Expect(Legacy(emu, "POST", "/v1/charges/"+ch+"/refund", "amount=300", &c)).To(Succeed())
			Expect(c.ID).To(Equal(ch))
			Expect(c.AmountRefunded).To(Equal(int64(300)))
			Expect(c.Refunded).To(BeFalse())

			By("refunding the rest when no amount is sent")
			Expect(Legacy(emu, "POST", "/v1/charges/"+ch+"/refund", "", &c)).To(Succeed())
			Expect(c.AmountRefunded).To(Equal(int64(2000)))
			Expect(c.Refunded).To(BeTrue())
			Expect(emu.Count("", "refund")).To(Equal(2))

			By("refusing a third as /v1/refunds does")
			err := Legacy(emu, "POST", "/v1/charges/"+ch+"/refund", "", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "charge_already_refunded", "")
		})

		It("apply /v1/refunds's rules and refuse what the route does not take, keeping nothing", func() {
			ch := pay("pm_card_visa", 2000).LatestCharge.ID
			other := pay("pm_card_visa", 1000).LatestCharge.ID
			otherRefund, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(other)})
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(""))

			err = Legacy(emu, "POST", "/v1/charges/"+ch+"/refunds", "amount=2001", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "amount")
			Expect(StripeErr(err).Msg).To(Equal("Refund amount ($20.01) is greater than charge amount ($20.00)"))

			err = Legacy(emu, "POST", "/v1/charges/"+ch+"/refunds", "charge="+other, nil)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "charge")

			err = Legacy(emu, "POST", "/v1/charges/"+ch+"/refund", "origin=customer_balance", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "origin")

			err = Legacy(emu, "POST", "/v1/charges/ch_missing/refunds", "", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			Expect(StripeErr(err).Msg).To(Equal("No such charge: 'ch_missing'"))

			By("not showing another charge's refund under this one")
			err = Legacy(emu, "GET", "/v1/charges/"+ch+"/refunds/"+otherRefund.ID, "", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			err = Legacy(emu, "POST", "/v1/charges/"+ch+"/refunds/"+otherRefund.ID, "metadata[k]=v", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")

			Expect(eventsSince(mark)).To(BeEmpty())
			Expect(charge(ch).AmountRefunded).To(BeZero())
		})
	})

	Describe("a charge's dispute", func() {
		It("retrieve, update and close the charge's dispute as /v1/disputes does", func() {
			ch := pay("pm_card_createDispute", 4200).LatestCharge.ID
			var du stripe.Dispute
			Expect(Legacy(emu, "GET", "/v1/charges/"+ch+"/dispute", "", &du)).To(Succeed())
			Expect(du.ID).To(HavePrefix("dp_"))
			Expect(du.Charge.ID).To(Equal(ch))
			Expect(du.Status).To(Equal(stripe.DisputeStatusNeedsResponse))

			mark := len(emu.EventTypes(""))
			Expect(Legacy(emu, "POST", "/v1/charges/"+ch+"/dispute", "evidence[customer_name]=Jenny+Rosen&metadata[case]=7&submit=false", &du)).To(Succeed())
			Expect(du.Evidence.CustomerName).To(Equal("Jenny Rosen"))
			Expect(du.Metadata).To(Equal(map[string]string{"case": "7"}))
			Expect(du.Status).To(Equal(stripe.DisputeStatusNeedsResponse))
			Expect(eventsSince(mark)).To(Equal([]string{"charge.dispute.updated"}))

			Expect(Legacy(emu, "POST", "/v1/charges/"+ch+"/dispute/close", "", &du)).To(Succeed())
			Expect(du.Status).To(Equal(stripe.DisputeStatusLost))
			Expect(eventsSince(mark)[1:]).To(Equal([]string{"charge.dispute.closed"}))
			got, err := sc.V1Disputes.Retrieve(Ctx, du.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.DisputeStatusLost))

			By("refusing to close it again, as /v1/disputes/{id}/close does")
			err = Legacy(emu, "POST", "/v1/charges/"+ch+"/dispute/close", "", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
		})

		It("answer 404 for a charge without a dispute", func() {
			ch := pay("pm_card_visa", 1000).LatestCharge.ID
			err := Legacy(emu, "GET", "/v1/charges/"+ch+"/dispute", "", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "charge")
			err = Legacy(emu, "POST", "/v1/charges/"+ch+"/dispute/close", "", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "charge")
		})
	})

	It("lists and retrieves balance transactions under their older name, /v1/balance/history", func() {
		pay("pm_card_visa", 1000)
		pay("pm_card_visa", 2000)
		var page stripe.BalanceTransactionList
		Expect(Legacy(emu, "GET", "/v1/balance/history?limit=1&type=charge", "", &page)).To(Succeed())
		Expect(page.URL).To(Equal("/v1/balance/history"))
		Expect(page.HasMore).To(BeTrue())
		Expect(page.Data).To(HaveLen(1))
		Expect(page.Data[0].Amount).To(Equal(int64(2000)), "newest first")

		var txn stripe.BalanceTransaction
		Expect(Legacy(emu, "GET", "/v1/balance/history/"+page.Data[0].ID, "", &txn)).To(Succeed())
		same, err := sc.V1BalanceTransactions.Retrieve(Ctx, page.Data[0].ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(txn.ID).To(Equal(same.ID))
		Expect(txn.Amount).To(Equal(same.Amount))
		Expect(txn.Source.ID).To(Equal(same.Source.ID))

		err = Legacy(emu, "GET", "/v1/balance/history?type=nonsense", "", nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "type")
		err = Legacy(emu, "GET", "/v1/balance/history/txn_missing", "", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	It("refunds an application fee with the older POST /v1/application_fees/{id}/refund, answering the fee", func() {
		seller := Seller(emu, nil)
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{ReturnURL: stripe.String("https://example.com/return"),
			Amount: stripe.Int64(10000), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
			ApplicationFeeAmount: stripe.Int64(300), TransferData: &stripe.PaymentIntentCreateTransferDataParams{Destination: stripe.String(seller.ID)},
		})
		Expect(err).NotTo(HaveOccurred())
		ch := charge(pi.LatestCharge.ID)
		Expect(ch.ApplicationFee).NotTo(BeNil())
		fee := ch.ApplicationFee.ID

		mark := len(emu.EventTypes(""))
		var f stripe.ApplicationFee
		Expect(Legacy(emu, "POST", "/v1/application_fees/"+fee+"/refund", "amount=100", &f)).To(Succeed())
		Expect(f.ID).To(Equal(fee))
		Expect(f.AmountRefunded).To(Equal(int64(100)))
		Expect(f.Refunded).To(BeFalse())
		Expect(f.Refunds.Data).To(HaveLen(1))
		Expect(f.Refunds.Data[0].Amount).To(Equal(int64(100)))
		Expect(eventsSince(mark)).To(ContainElement("application_fee.refunded"))

		By("refusing what /v1/application_fees/{id}/refunds refuses, and the parameters this route has no use for")
		err = Legacy(emu, "POST", "/v1/application_fees/"+fee+"/refund", "amount=0", nil)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_invalid_integer", "amount")
		err = Legacy(emu, "POST", "/v1/application_fees/"+fee+"/refund", "directive=x", nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "directive")
		err = Legacy(emu, "POST", "/v1/application_fees/"+fee+"/refund", "metadata[k]=v", nil)
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_unknown", "metadata")
		got, err := sc.V1ApplicationFees.Retrieve(Ctx, fee, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.AmountRefunded).To(Equal(int64(100)))
	})

	Describe("a customer's cards and bank accounts", func() {
		newCustomer := func() string {
			GinkgoHelper()
			cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("older@example.com")})
			Expect(err).NotTo(HaveOccurred())
			return cus.ID
		}

		It("serve a customer's cards as its card sources", func() {
			cus := newCustomer()
			mark := len(emu.EventTypes(""))
			var card stripe.Card
			Expect(Legacy(emu, "POST", "/v1/customers/"+cus+"/cards", "source=tok_visa&metadata[k]=v", &card)).To(Succeed())
			Expect(card.ID).To(HavePrefix("card_"))
			Expect(card.Customer.ID).To(Equal(cus))
			Expect(card.Metadata).To(Equal(map[string]string{"k": "v"}))
			Expect(eventsSince(mark)).To(Equal([]string{"customer.source.created", "customer.updated"}))

			var second stripe.Card
			Expect(Legacy(emu, "POST", "/v1/customers/"+cus+"/cards", "source=tok_mastercard", &second)).To(Succeed())

			var list stripe.CardList
			Expect(Legacy(emu, "GET", "/v1/customers/"+cus+"/cards?limit=1", "", &list)).To(Succeed())
			Expect(list.URL).To(Equal("/v1/customers/" + cus + "/cards"))
			Expect(list.HasMore).To(BeTrue())
			Expect(list.Data[0].ID).To(Equal(second.ID), "newest first")

			var got stripe.Card
			Expect(Legacy(emu, "GET", "/v1/customers/"+cus+"/cards/"+card.ID, "", &got)).To(Succeed())
			Expect(got.ID).To(Equal(card.ID))

			mark = len(emu.EventTypes(""))
			Expect(Legacy(emu, "POST", "/v1/customers/"+cus+"/cards/"+card.ID, "name=Jenny+Rosen&exp_month=7", &got)).To(Succeed())
			Expect(got.Name).To(Equal("Jenny Rosen"))
			Expect(got.ExpMonth).To(Equal(int64(7)))
			Expect(eventsSince(mark)).To(Equal([]string{"customer.source.updated"}))
			src, err := sc.V1PaymentSources.Retrieve(Ctx, card.ID, &stripe.PaymentSourceRetrieveParams{Customer: stripe.String(cus)})
			Expect(err).NotTo(HaveOccurred())
			Expect(src.Card.Name).To(Equal("Jenny Rosen"))

			var deleted stripe.Card
			Expect(Legacy(emu, "DELETE", "/v1/customers/"+cus+"/cards/"+card.ID, "", &deleted)).To(Succeed())
			Expect(deleted.Deleted).To(BeTrue())
			c, err := sc.V1Customers.Retrieve(Ctx, cus, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.DefaultSource.ID).To(Equal(second.ID), "the card left becomes the default, as with /sources")

			err = Legacy(emu, "GET", "/v1/customers/"+cus+"/cards/"+card.ID, "", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
			err = Legacy(emu, "GET", "/v1/customers/cus_missing/cards", "", nil)
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})

		It("serve bank account sources as not emulated: none listed, none added, none found", func() {
			cus := newCustomer()
			var card stripe.Card
			Expect(Legacy(emu, "POST", "/v1/customers/"+cus+"/cards", "source=tok_visa", &card)).To(Succeed())
			mark := len(emu.EventTypes(""))

			var list stripe.BankAccountList
			Expect(Legacy(emu, "GET", "/v1/customers/"+cus+"/bank_accounts", "", &list)).To(Succeed())
			Expect(list.URL).To(Equal("/v1/customers/" + cus + "/bank_accounts"))
			Expect(list.Data).To(BeEmpty(), "the customer's card is not a bank account")

			err := Legacy(emu, "POST", "/v1/customers/"+cus+"/bank_accounts", "bank_account[country]=US&bank_account[currency]=usd&bank_account[account_number]=000123456789&bank_account[routing_number]=110000000", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "bank_account")
			Expect(StripeErr(err).Msg).To(ContainSubstring("does not emulate bank account sources"))
			err = Legacy(emu, "POST", "/v1/customers/"+cus+"/bank_accounts", "source=btok_us_verified", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "source")

			for _, method := range []string{"GET", "POST", "DELETE"} {
				err = Legacy(emu, method, "/v1/customers/"+cus+"/bank_accounts/"+card.ID, "", nil)
				ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
				Expect(StripeErr(err).Msg).To(Equal("Customer " + cus + " does not have bank account with ID " + card.ID))
			}
			err = Legacy(emu, "POST", "/v1/customers/"+cus+"/bank_accounts/ba_1/verify", "amounts[0]=32&amounts[1]=45", nil)
			ExpectStripeError(err, 400, "invalid_request_error", "", "id")
			Expect(eventsSince(mark)).To(BeEmpty())
		})
	})

	Describe("payout reversals", func() {
		// custom is a connected account in the US with a bank account,
		// its balance funded by a transfer.
		custom := func(token ...string) string {
			GinkgoHelper()
			// Both pay out by hand: manual payout schedules.
			ManualPayouts(emu, "")
			bank := "btok_us_verified"
			if len(token) > 0 {
				bank = token[0]
			}
			acct := Seller(emu, &stripe.AccountCreateParams{
				Type: stripe.String("custom"), Country: stripe.String("US"),
				ExternalAccount: &stripe.AccountExternalAccountParams{Token: stripe.String(bank)},
			}).ID
			ManualPayouts(emu, acct)
			pay("pm_card_bypassPending", 10000)
			_, err := sc.V1Transfers.Create(Ctx, &stripe.TransferCreateParams{
				Amount: stripe.Int64(5000), Currency: stripe.String("usd"), Destination: stripe.String(acct)})
			Expect(err).NotTo(HaveOccurred())
			return acct
		}
		payOut := func(acct string, amount int64) *stripe.Payout {
			GinkgoHelper()
			p := &stripe.PayoutCreateParams{Amount: stripe.Int64(amount), Currency: stripe.String("usd")}
			if acct != "" {
				p.SetStripeAccount(acct)
			}
			po, err := sc.V1Payouts.Create(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			return po
		}
		reverse := func(acct, id string) (*stripe.Payout, error) {
			p := &stripe.PayoutReverseParams{}
			p.AddMetadata("reason", "sent twice")
			if acct != "" {
				p.SetStripeAccount(acct)
			}
			return sc.V1Payouts.Reverse(Ctx, id, p)
		}
		available := func(acct string) int64 {
			GinkgoHelper()
			p := &stripe.BalanceRetrieveParams{}
			p.SetStripeAccount(acct)
			b, err := sc.V1Balance.Retrieve(Ctx, p)
			Expect(err).NotTo(HaveOccurred())
			for _, a := range b.Available {
				if a.Currency == "usd" {
					return a.Amount
				}
			}
			return 0
		}
		arrival := time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)

		It("debit the connected account's bank account with a reversing payout once the payout is paid", func() {
			acct := custom()
			po := payOut(acct, 2000)
			Expect(available(acct)).To(Equal(int64(3000)))

			By("refusing while the payout is pending: it is canceled instead")
			_, err := reverse(acct, po.ID)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			Expect(StripeErr(err).Msg).To(ContainSubstring("/cancel"))

			emu.Clock().Set(arrival)
			mark := len(emu.EventTypes(acct))
			rev, err := reverse(acct, po.ID)
			Expect(err).NotTo(HaveOccurred())
			Expect(rev.ID).To(HavePrefix("po_"))
			Expect(rev.ID).NotTo(Equal(po.ID))
			Expect(rev.Amount).To(Equal(int64(-2000)), "a debit")
			Expect(rev.OriginalPayout.ID).To(Equal(po.ID))
			Expect(rev.Status).To(Equal(stripe.PayoutStatusPending))
			Expect(rev.Destination.ID).To(Equal(po.Destination.ID))
			Expect(rev.Metadata).To(Equal(map[string]string{"reason": "sent twice"}))
			Expect(emu.EventTypes(acct)[mark:]).To(Equal([]string{"payout.created", "payout.updated"}))
			p := &stripe.PayoutRetrieveParams{}
			p.SetStripeAccount(acct)
			orig, err := sc.V1Payouts.Retrieve(Ctx, po.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(orig.ReversedBy.ID).To(Equal(rev.ID))
			Expect(available(acct)).To(Equal(int64(3000)), "the money is back once the debit arrives")

			By("moving the reversal on the clock as payouts move, the money back when it is paid")
			emu.Clock().Set(arrival.Add(24 * time.Hour))
			p.AddExpand("balance_transaction")
			rev, err = sc.V1Payouts.Retrieve(Ctx, rev.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(rev.Status).To(Equal(stripe.PayoutStatusPaid))
			Expect(rev.BalanceTransaction.Amount).To(Equal(int64(2000)))
			Expect(string(rev.BalanceTransaction.ReportingCategory)).To(Equal("payout_reversal"))
			Expect(emu.EventTypes(acct)[mark:]).To(ContainElements("payout.updated", "payout.paid"))
			// Stripe: "available to pay out again five business days after
			// the reversal is requested".
			Expect(rev.BalanceTransaction.AvailableOn).To(Equal(arrival.Add(5 * 24 * time.Hour).Unix()))
			Expect(available(acct)).To(Equal(int64(3000)))
			emu.Clock().Set(arrival.Add(5 * 24 * time.Hour))
			Expect(available(acct)).To(Equal(int64(5000)))

			By("refusing to reverse it twice, or the reversal itself")
			_, err = reverse(acct, po.ID)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			Expect(StripeErr(err).Msg).To(ContainSubstring("already been reversed"))
			_, err = reverse(acct, rev.ID)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
		})

		It("reverse a payout once it is submitted to the bank, while it is in transit too", func() {
			acct := custom()
			po := payOut(acct, 2000)
			emu.Clock().Advance(2 * time.Hour)
			p := &stripe.PayoutRetrieveParams{}
			p.SetStripeAccount(acct)
			got, err := sc.V1Payouts.Retrieve(Ctx, po.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PayoutStatusInTransit))

			rev, err := reverse(acct, po.ID)
			Expect(err).NotTo(HaveOccurred())
			Expect(rev.Amount).To(Equal(int64(-2000)))
			Expect(rev.OriginalPayout.ID).To(Equal(po.ID))
			emu.Clock().Set(arrival)
			for _, id := range []string{po.ID, rev.ID} {
				got, err = sc.V1Payouts.Retrieve(Ctx, id, p)
				Expect(err).NotTo(HaveOccurred())
				Expect(got.Status).To(Equal(stripe.PayoutStatusPaid))
			}
			emu.Clock().Set(time.Date(2025, 9, 6, 0, 0, 0, 0, time.UTC))
			Expect(available(acct)).To(Equal(int64(5000)))
		})

		It("cancel a reversal still pending when the payout it reverses fails, as Stripe's guide says", func() {
			acct := custom("btok_us_verified_noAccount")
			po := payOut(acct, 2000)
			// In transit, its reversal asked for in the last hour before it
			// arrives: still pending when the payout fails.
			emu.Clock().Set(arrival.Add(-30 * time.Minute))
			rev, err := reverse(acct, po.ID)
			Expect(err).NotTo(HaveOccurred())
			mark := len(emu.EventTypes(acct))
			emu.Clock().Set(arrival)
			p := &stripe.PayoutRetrieveParams{}
			p.SetStripeAccount(acct)
			got, err := sc.V1Payouts.Retrieve(Ctx, po.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PayoutStatusFailed))
			got, err = sc.V1Payouts.Retrieve(Ctx, rev.ID, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Status).To(Equal(stripe.PayoutStatusCanceled))
			Expect(got.FailureBalanceTransaction).NotTo(BeNil())
			Expect(emu.EventTypes(acct)[mark:]).To(ContainElements("payout.failed", "payout.canceled"))
			Expect(emu.EventTypes(acct)[mark:]).NotTo(ContainElement("payout.paid"))

			// The payout's money is back, the reversal's never comes.
			bp := &stripe.BalanceRetrieveParams{}
			bp.SetStripeAccount(acct)
			for _, day := range []time.Time{arrival, arrival.Add(10 * 24 * time.Hour)} {
				emu.Clock().Set(day)
				b, err := sc.V1Balance.Retrieve(Ctx, bp)
				Expect(err).NotTo(HaveOccurred())
				Expect(b.Available[0].Amount).To(Equal(int64(5000)))
				Expect(b.Pending[0].Amount).To(BeZero())
			}
		})

		It("refuse the platform's own payouts and those too old, keeping nothing", func() {
			pay("pm_card_bypassPending", 5000)
			po := payOut("", 1000)
			emu.Clock().Set(arrival)
			_, err := reverse("", po.ID)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			Expect(StripeErr(err).Msg).To(ContainSubstring("connected accounts"))

			acct := custom()
			cpo := payOut(acct, 1000)
			emu.Clock().Set(arrival.Add(100 * 24 * time.Hour))
			_, err = reverse(acct, cpo.ID)
			ExpectStripeError(err, 400, "invalid_request_error", "", "")
			Expect(StripeErr(err).Msg).To(ContainSubstring("90 days"))
			Expect(emu.Count(acct, "payout")).To(Equal(1))

			_, err = reverse(acct, "po_missing")
			ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
		})
	})

	It("refuses to expire a refund that is not waiting for the customer, as Stripe's test helper does", func() {
		ch := pay("pm_card_visa", 1000).LatestCharge.ID
		re, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TestHelpersRefunds.Expire(Ctx, re.ID, nil)
		ExpectStripeError(err, 400, "invalid_request_error", "", "")
		Expect(StripeErr(err).Msg).To(Equal("Refund " + re.ID + " cannot be expired because it has a status of succeeded. Only refunds with a status of requires_action can be expired."))
		_, err = sc.V1TestHelpersRefunds.Expire(Ctx, "re_missing", nil)
		ExpectStripeError(err, 404, "invalid_request_error", "resource_missing", "id")
	})

	It("keeps the query of an older list route's GET", func() {
		ch := pay("pm_card_visa", 1000).LatestCharge.ID
		_, err := sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{Charge: stripe.String(ch), Amount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		q := url.Values{"expand[]": {"data.balance_transaction"}}
		var list stripe.RefundList
		Expect(Legacy(emu, "GET", "/v1/charges/"+ch+"/refunds?"+q.Encode(), "", &list)).To(Succeed())
		Expect(list.Data[0].BalanceTransaction.Amount).To(Equal(int64(-100)))
	})
})
