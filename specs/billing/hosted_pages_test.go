package billing_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("Hosted invoice pages, invoice and credit note PDFs, and receipts", Label("billing", "invoices"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
	)
	// browser follows no redirect, so each step's answer can be checked.
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

	type page struct {
		status   int
		location string
		body     string
		header   http.Header
	}
	visit := func(method, u string, form url.Values) page {
		GinkgoHelper()
		var res *http.Response
		var err error
		if method == http.MethodPost {
			res, err = browser.PostForm(u, form)
		} else {
			res, err = browser.Get(u)
		}
		Expect(err).NotTo(HaveOccurred())
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		Expect(err).NotTo(HaveOccurred())
		return page{res.StatusCode, res.Header.Get("Location"), string(b), res.Header}
	}
	// openInvoice finalizes a send_invoice invoice of 19.99 for a new
	// customer, on account ("" for the platform).
	openInvoice := func(account string) *stripe.Invoice {
		GinkgoHelper()
		cp := &stripe.CustomerCreateParams{Email: stripe.String("jenny@example.com"), Name: stripe.String("Jenny Rosen")}
		ip := &stripe.InvoiceItemCreateParams{Amount: stripe.Int64(1999), Currency: stripe.String("usd"), Description: stripe.String("Consulting (2h)")}
		np := &stripe.InvoiceCreateParams{CollectionMethod: stripe.String("send_invoice"), DaysUntilDue: stripe.Int64(30), PendingInvoiceItemsBehavior: stripe.String("include")}
		fp := &stripe.InvoiceFinalizeInvoiceParams{}
		if account != "" {
			cp.SetStripeAccount(account)
			ip.SetStripeAccount(account)
			np.SetStripeAccount(account)
			fp.SetStripeAccount(account)
		}
		cus, err := sc.V1Customers.Create(Ctx, cp)
		Expect(err).NotTo(HaveOccurred())
		ip.Customer, np.Customer = stripe.String(cus.ID), stripe.String(cus.ID)
		_, err = sc.V1InvoiceItems.Create(Ctx, ip)
		Expect(err).NotTo(HaveOccurred())
		draft, err := sc.V1Invoices.Create(Ctx, np)
		Expect(err).NotTo(HaveOccurred())
		Expect(draft.HostedInvoiceURL).To(BeEmpty(), "a draft has no page yet")
		Expect(visit("GET", emu.URL()+"/invoices/"+draft.ID, nil).status).To(Equal(404))
		inv, err := sc.V1Invoices.FinalizeInvoice(Ctx, draft.ID, fp)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.HostedInvoiceURL).To(HavePrefix(emu.URL() + "/invoices/" + inv.ID))
		return inv
	}
	invoice := func(id string) *stripe.Invoice {
		GinkgoHelper()
		inv, err := sc.V1Invoices.Retrieve(Ctx, id, nil)
		Expect(err).NotTo(HaveOccurred())
		return inv
	}

	It("serves hosted_invoice_url, where the customer pays the open invoice with a test card", func() {
		inv := openInvoice("")
		p := visit("GET", inv.HostedInvoiceURL, nil)
		Expect(p.status).To(Equal(200))
		Expect(p.header.Get("Content-Type")).To(HavePrefix("text/html"))
		Expect(p.body).To(ContainSubstring("Invoice " + inv.Number))
		Expect(p.body).To(ContainSubstring("Consulting (2h)"))
		Expect(p.body).To(ContainSubstring(`class="remaining">19.99 USD`))
		Expect(p.body).To(ContainSubstring(`value="pm_card_visa"`))

		By("a declined card leaving the invoice open, saying why")
		p = visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_chargeDeclined"}})
		Expect(p.status).To(Equal(402))
		Expect(p.body).To(ContainSubstring("Your card was declined."))
		Expect(invoice(inv.ID).Status).To(Equal(stripe.InvoiceStatusOpen))

		By("a good card paying it, through the invoice's own PaymentIntent")
		p = visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_visa"}})
		Expect(p.status).To(Equal(303))
		Expect(p.location).To(Equal(inv.HostedInvoiceURL))
		paid := invoice(inv.ID)
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(paid.AmountPaid).To(Equal(int64(1999)))
		Expect(emu.EventTypes("")).To(ContainElements("invoice_payment.paid", "invoice.paid"))
		p = visit("GET", inv.HostedInvoiceURL, nil)
		Expect(p.body).To(ContainSubstring(`class="status">paid`))
		Expect(p.body).NotTo(ContainSubstring("<form"), "nothing left to pay")
		p = visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_visa"}})
		Expect(p.status).To(Equal(402))
		Expect(p.body).To(ContainSubstring("This invoice is paid: there is nothing to pay."))
		Expect(invoice(inv.ID).AmountPaid).To(Equal(int64(1999)), "not paid twice")
	})

	It("sends a 3-D Secure card through its test page and back to the invoice", func() {
		inv := openInvoice("")
		p := visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_threeDSecure2Required"}})
		Expect(p.status).To(Equal(303))
		Expect(p.location).To(ContainSubstring("/authenticate"))
		Expect(invoice(inv.ID).Status).To(Equal(stripe.InvoiceStatusOpen), "not paid before the customer authenticates")
		p = visit("GET", p.location+"?outcome=succeed", nil)
		Expect(p.status).To(Equal(303))
		Expect(p.location).To(HavePrefix(inv.HostedInvoiceURL + "?"))
		Expect(p.location).To(ContainSubstring("redirect_status=succeeded"))
		Expect(invoice(inv.ID).Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("serves invoice_pdf as a PDF of the invoice", func() {
		inv := openInvoice("")
		p := visit("GET", inv.InvoicePDF, nil)
		Expect(p.status).To(Equal(200))
		Expect(p.header.Get("Content-Type")).To(Equal("application/pdf"))
		Expect(p.body).To(HavePrefix("%PDF-1.4\n"))
		Expect(p.body).To(HaveSuffix("%%EOF\n"))
		Expect(p.body).To(ContainSubstring("(Invoice " + inv.Number + ")"))
		Expect(p.body).To(ContainSubstring(`(Consulting \(2h\)    19.99 USD)`), "the line, its parentheses escaped")
		Expect(p.body).To(ContainSubstring("(Amount due: 19.99 USD)"))

		By("with a cross-reference table a reader can follow")
		tail := p.body[strings.LastIndex(p.body, "startxref\n")+len("startxref\n"):]
		at, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(tail, "%%EOF\n")))
		Expect(err).NotTo(HaveOccurred())
		Expect(p.body[at:]).To(HavePrefix("xref\n0 6\n"))
		for i, entry := range strings.Split(p.body[at:], "\n")[3:8] {
			off, err := strconv.Atoi(entry[:10])
			Expect(err).NotTo(HaveOccurred())
			Expect(p.body[off:]).To(HavePrefix(strconv.Itoa(i+1) + " 0 obj\n"))
		}
		Expect(visit("GET", emu.URL()+"/invoices/in_nope/pdf", nil).status).To(Equal(404))
	})

	It("serves a credit note's pdf", func() {
		inv := openInvoice("")
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(500),
			Reason: stripe.String("order_change"), Memo: stripe.String("One hour less")})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.PDF).To(Equal(emu.URL() + "/credit_notes/" + cn.ID + "/pdf"))
		p := visit("GET", cn.PDF, nil)
		Expect(p.status).To(Equal(200))
		Expect(p.header.Get("Content-Type")).To(Equal("application/pdf"))
		Expect(p.body).To(HavePrefix("%PDF-1.4\n"))
		Expect(p.body).To(ContainSubstring("(Credit note " + cn.Number + ")"))
		Expect(p.body).To(ContainSubstring("(Invoice: " + inv.Number + ")"))
		Expect(p.body).To(ContainSubstring("(Reason: order change)"))
		Expect(p.body).To(ContainSubstring("(Total credited: 5.00 USD)"))
		Expect(visit("GET", emu.URL()+"/credit_notes/cn_nope/pdf", nil).status).To(Equal(404))
	})

	It("serves a charge's receipt_url, with what was refunded since", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(4500), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), Description: stripe.String("Concert ticket"),
			PaymentMethodTypes: []*string{stripe.String("card")}, Expand: []*string{stripe.String("latest_charge")}})
		Expect(err).NotTo(HaveOccurred())
		receipt := pi.LatestCharge.ReceiptURL
		Expect(receipt).To(Equal(emu.URL() + "/receipts/" + pi.LatestCharge.ID))
		p := visit("GET", receipt, nil)
		Expect(p.status).To(Equal(200))
		Expect(p.body).To(ContainSubstring(`class="amount">45.00 USD`))
		Expect(p.body).To(ContainSubstring("visa •••• 4242"))
		Expect(p.body).To(ContainSubstring("Concert ticket"))
		Expect(p.body).NotTo(ContainSubstring("Refunded"))
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(visit("GET", receipt, nil).body).To(ContainSubstring(`class="refunded">10.00 USD`))

		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(4500), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_chargeDeclined"), Confirm: stripe.Bool(true), PaymentMethodTypes: []*string{stripe.String("card")}})
		failed := StripeErr(err).PaymentIntent.LatestCharge
		Expect(failed.ReceiptURL).To(BeEmpty(), "a failed charge has no receipt")
		Expect(visit("GET", emu.URL()+"/receipts/"+failed.ID, nil).status).To(Equal(404))
	})

	It("keeps a connected account's invoice page on its account", func() {
		acct := Seller(emu, nil) // onboarded, so it takes card payments
		inv := openInvoice(acct.ID)
		Expect(inv.HostedInvoiceURL).To(Equal(emu.URL() + "/invoices/" + inv.ID + "?account=" + acct.ID))
		Expect(inv.InvoicePDF).To(Equal(emu.URL() + "/invoices/" + inv.ID + "/pdf?account=" + acct.ID))
		Expect(visit("GET", emu.URL()+"/invoices/"+inv.ID, nil).status).To(Equal(404), "not the platform's")
		p := visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_visa"}})
		Expect(p.status).To(Equal(303), p.body)
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, &stripe.InvoiceRetrieveParams{Params: stripe.Params{StripeAccount: stripe.String(acct.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.InvoiceStatusPaid))
	})
})
