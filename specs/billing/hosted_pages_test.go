package billing_test

import (
	"net/url"
	"strconv"
	"strings"
	"time"

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
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
	})

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
		Expect(Visit("GET", emu.URL()+"/invoices/"+draft.ID, nil).Status).To(Equal(404))
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
		p := Visit("GET", inv.HostedInvoiceURL, nil)
		Expect(p.Status).To(Equal(200))
		Expect(p.Header.Get("Content-Type")).To(HavePrefix("text/html"))
		Expect(p.Body).To(ContainSubstring("Invoice " + inv.Number))
		Expect(p.Body).To(ContainSubstring("Consulting (2h)"))
		Expect(p.Body).To(ContainSubstring(`class="remaining">19.99 USD`))
		Expect(p.Body).To(ContainSubstring(`value="pm_card_visa"`))

		By("a declined card leaving the invoice open, saying why")
		p = Visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_chargeDeclined"}})
		Expect(p.Status).To(Equal(402))
		Expect(p.Body).To(ContainSubstring("Your card was declined."))
		Expect(invoice(inv.ID).Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(invoice(inv.ID).AttemptCount).To(Equal(int64(1)))
		Expect(emu.EventTypes("")).To(ContainElement("invoice.payment_failed"), "an attempt on the page that fails is a failed invoice payment")

		By("a good card paying it, through the invoice's own PaymentIntent")
		p = Visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_visa"}})
		Expect(p.Status).To(Equal(303))
		Expect(p.Location).To(Equal(inv.HostedInvoiceURL))
		paid := invoice(inv.ID)
		Expect(paid.Status).To(Equal(stripe.InvoiceStatusPaid))
		Expect(paid.AmountPaid).To(Equal(int64(1999)))
		Expect(emu.EventTypes("")).To(ContainElements("invoice_payment.paid", "invoice.paid"))
		p = Visit("GET", inv.HostedInvoiceURL, nil)
		Expect(p.Body).To(ContainSubstring(`class="status">paid`))
		Expect(p.Body).NotTo(ContainSubstring("<form"), "nothing left to pay")
		p = Visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_visa"}})
		Expect(p.Status).To(Equal(402))
		Expect(p.Body).To(ContainSubstring("This invoice is paid: there is nothing to pay."))
		Expect(invoice(inv.ID).AmountPaid).To(Equal(int64(1999)), "not paid twice")
	})

	It("links a paid invoice's page to the receipt of each payment that paid it", func() {
		inv := openInvoice("")
		Expect(Visit("GET", inv.HostedInvoiceURL, nil).Body).NotTo(ContainSubstring("receipt"))
		Expect(Visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_visa"}}).Status).To(Equal(303))
		var payments []*stripe.InvoicePayment
		for p, err := range sc.V1InvoicePayments.List(Ctx, &stripe.InvoicePaymentListParams{Invoice: stripe.String(inv.ID),
			ListParams: stripe.ListParams{Expand: []*string{stripe.String("data.payment.payment_intent.latest_charge")}}}) {
			Expect(err).NotTo(HaveOccurred())
			payments = append(payments, p)
		}
		Expect(payments).To(HaveLen(1))
		receipt := payments[0].Payment.PaymentIntent.LatestCharge.ReceiptURL
		Expect(receipt).NotTo(BeEmpty())
		page := Visit("GET", inv.HostedInvoiceURL, nil)
		Expect(page.Body).To(ContainSubstring(`<a class="receipt" href="` + receipt + `">Download receipt</a>`))
		Expect(page.Body).NotTo(ContainSubstring("<form"))
	})

	It("sends a 3-D Secure card through its test page and back to the invoice", func() {
		inv := openInvoice("")
		p := Visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_threeDSecure2Required"}})
		Expect(p.Status).To(Equal(303))
		Expect(p.Location).To(ContainSubstring("/authenticate"))
		Expect(invoice(inv.ID).Status).To(Equal(stripe.InvoiceStatusOpen), "not paid before the customer authenticates")
		p = Visit("GET", p.Location+"?outcome=succeed", nil)
		Expect(p.Status).To(Equal(303))
		Expect(p.Location).To(HavePrefix(inv.HostedInvoiceURL + "?"))
		Expect(p.Location).To(ContainSubstring("redirect_status=succeeded"))
		Expect(invoice(inv.ID).Status).To(Equal(stripe.InvoiceStatusPaid))
	})

	It("says why when the customer comes back from a failed 3-D Secure check, the invoice still open", func() {
		inv := openInvoice("")
		p := Visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_threeDSecure2Required"}})
		Expect(p.Status).To(Equal(303))
		p = Visit("GET", p.Location+"?outcome=fail", nil)
		Expect(p.Location).To(ContainSubstring("redirect_status=failed"))
		back := Visit("GET", p.Location, nil)
		Expect(back.Status).To(Equal(402), "as the portal's page answers a failed card")
		pi := defaultIntent(sc, invoice(inv.ID))
		Expect(pi.LastPaymentError).NotTo(BeNil())
		Expect(back.Body).To(ContainSubstring(`<p class="failure" role="alert">` + pi.LastPaymentError.Msg + `</p>`))
		Expect(back.Body).To(ContainSubstring(`value="pm_card_visa"`), "the customer may pay another way")
		Expect(invoice(inv.ID).Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(Visit("GET", inv.HostedInvoiceURL, nil).Body).NotTo(ContainSubstring(`class="failure"`), "only on coming back")
	})

	It("refuses a payment method the customer did not pick, with the API's status and message, changing nothing", func() {
		inv := openInvoice("")
		events := len(emu.EventTypes(""))
		p := Visit("POST", inv.HostedInvoiceURL, url.Values{})
		Expect(p.Status).To(Equal(400))
		Expect(p.Body).To(ContainSubstring(`<p class="failure" role="alert">`))
		p = Visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_nosuchmethod"}})
		Expect(p.Status).To(Equal(400))
		Expect(p.Body).To(ContainSubstring("pm_nosuchmethod"))
		got := invoice(inv.ID)
		Expect(got.Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(got.AttemptCount).To(BeZero())
		Expect(emu.EventTypes("")).To(HaveLen(events))
	})

	It("shows bank transfer instructions for an invoice paid by bank transfer, and no cards it does not take", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("ap@example.com")})
		Expect(err).NotTo(HaveOccurred())
		draft, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(30), PaymentSettings: &stripe.InvoiceCreatePaymentSettingsParams{PaymentMethodTypes: stripe.StringSlice([]string{"customer_balance"})}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(draft.ID),
			Amount: stripe.Int64(5000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.FinalizeInvoice(Ctx, draft.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		fi, err := sc.V1Customers.CreateFundingInstructions(Ctx, cus.ID, &stripe.CustomerCreateFundingInstructionsParams{Currency: stripe.String("usd"),
			FundingType: stripe.String("bank_transfer"), BankTransfer: &stripe.CustomerCreateFundingInstructionsBankTransferParams{Type: stripe.String("us_bank_transfer")}})
		Expect(err).NotTo(HaveOccurred())
		aba := fi.BankTransfer.FinancialAddresses[0].ABA
		Expect(aba).NotTo(BeNil())

		p := Visit("GET", inv.HostedInvoiceURL, nil)
		Expect(p.Status).To(Equal(200))
		Expect(p.Body).To(ContainSubstring(`<section id="bank_transfer">`))
		Expect(p.Body).To(ContainSubstring("50.00 USD"))
		Expect(p.Body).To(ContainSubstring(aba.AccountNumber))
		Expect(p.Body).To(ContainSubstring(aba.RoutingNumber))
		Expect(p.Body).NotTo(ContainSubstring(`value="pm_card_visa"`), "the invoice takes no cards")

		_, err = sc.V1TestHelpersCustomers.FundCashBalance(Ctx, cus.ID, &stripe.TestHelpersCustomerFundCashBalanceParams{Amount: stripe.Int64(5000), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		Expect(invoice(inv.ID).Status).To(Equal(stripe.InvoiceStatusPaid))
		p = Visit("GET", inv.HostedInvoiceURL, nil)
		Expect(p.Body).To(ContainSubstring(`class="status">paid`))
		Expect(p.Body).NotTo(ContainSubstring(`id="bank_transfer"`))
	})

	It("offers a SEPA Direct Debit to an invoice that takes one, the customer accepting its mandate on the page", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("compta@example.com")})
		Expect(err).NotTo(HaveOccurred())
		draft, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(30), Currency: stripe.String("eur"),
			PaymentSettings: &stripe.InvoiceCreatePaymentSettingsParams{PaymentMethodTypes: stripe.StringSlice([]string{"sepa_debit"})}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Invoice: stripe.String(draft.ID),
			Amount: stripe.Int64(7000), Currency: stripe.String("eur")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.FinalizeInvoice(Ctx, draft.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		p := Visit("GET", inv.HostedInvoiceURL, nil)
		Expect(p.Body).To(ContainSubstring(`<button name="payment_method" value="pm_sepa_debit">`))
		Expect(p.Body).NotTo(ContainSubstring(`value="pm_card_visa"`))
		p = Visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_sepa_debit"}})
		Expect(p.Status).To(Equal(303), p.Body)
		pi := defaultIntent(sc, invoice(inv.ID))
		Expect(pi.Status).To(Equal(stripe.PaymentIntentStatusProcessing), "a debit settles later")
		Expect(invoice(inv.ID).Status).To(Equal(stripe.InvoiceStatusOpen))
		Expect(emu.Count("", "mandate")).To(Equal(1), "the customer accepted a mandate on the page")
		Expect(emu.EventTypes("")).To(ContainElement("payment_intent.processing"))

		By("while the debit is processing, the page says so and offers nothing more to pay with")
		p = Visit("GET", inv.HostedInvoiceURL, nil)
		Expect(p.Status).To(Equal(200))
		Expect(p.Body).To(ContainSubstring(`class="processing"`))
		Expect(p.Body).NotTo(ContainSubstring(`<button name="payment_method"`))
		p = Visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_sepa_debit"}})
		Expect(p.Status).To(Equal(402))
		Expect(p.Body).To(ContainSubstring("is processing"))
		Expect(emu.Count("", "mandate")).To(Equal(1), "nothing changed")
	})

	It("serves invoice_pdf as a PDF of the invoice", func() {
		inv := openInvoice("")
		p := Visit("GET", inv.InvoicePDF, nil)
		Expect(p.Status).To(Equal(200))
		Expect(p.Header.Get("Content-Type")).To(Equal("application/pdf"))
		Expect(p.Body).To(HavePrefix("%PDF-1.4\n"))
		Expect(p.Body).To(HaveSuffix("%%EOF\n"))
		Expect(p.Body).To(ContainSubstring("(Invoice " + inv.Number + ")"))
		Expect(p.Body).To(ContainSubstring(`(Consulting \(2h\)    1 x 19.99 USD    19.99 USD)`), "the line, its parentheses escaped")
		Expect(p.Body).To(ContainSubstring("(Amount due: 19.99 USD)"))
		Expect(p.Body).NotTo(ContainSubstring("(Date paid"), "not paid yet")

		By("with a cross-reference table a reader can follow")
		tail := p.Body[strings.LastIndex(p.Body, "startxref\n")+len("startxref\n"):]
		at, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(tail, "%%EOF\n")))
		Expect(err).NotTo(HaveOccurred())
		Expect(p.Body[at:]).To(HavePrefix("xref\n0 6\n"))
		for i, entry := range strings.Split(p.Body[at:], "\n")[3:8] {
			off, err := strconv.Atoi(entry[:10])
			Expect(err).NotTo(HaveOccurred())
			Expect(p.Body[off:]).To(HavePrefix(strconv.Itoa(i+1) + " 0 obj\n"))
		}
		Expect(Visit("GET", emu.URL()+"/invoices/in_nope/pdf", nil).Status).To(Equal(404))
	})

	It("prints an invoice's memo, custom fields and footer on its page and in its PDF", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("memo@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(1999), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(30), PendingInvoiceItemsBehavior: stripe.String("include"),
			Description: stripe.String("Thanks for your business"), Footer: stripe.String("ACME Inc., 1 Main St"),
			CustomFields: []*stripe.InvoiceCreateCustomFieldParams{{Name: stripe.String("PO number"), Value: stripe.String("PO-42")}}})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		pdf := Visit("GET", inv.InvoicePDF, nil)
		Expect(pdf.Body).To(ContainSubstring("(PO number: PO-42)"))
		Expect(pdf.Body).To(ContainSubstring("(Thanks for your business)"))
		Expect(pdf.Body).To(ContainSubstring("(ACME Inc., 1 Main St)"))
		page := Visit("GET", inv.HostedInvoiceURL, nil)
		Expect(page.Body).To(ContainSubstring("<th scope=\"row\">PO number</th><td>PO-42</td>"))
		Expect(page.Body).To(ContainSubstring(`<p class="memo">Thanks for your business</p>`))
		Expect(page.Body).To(ContainSubstring(`<footer>ACME Inc., 1 Main St</footer>`))
	})

	It("prints the account's and the customer's tax IDs in the header of invoice and credit note PDFs", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("vat@example.com")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Customer: stripe.String(cus.ID), Type: stripe.String("eu_vat"), Value: stripe.String("FR12345678901")})
		Expect(err).NotTo(HaveOccurred())
		ours, err := sc.V1TaxIDs.Create(Ctx, &stripe.TaxIDCreateParams{Type: stripe.String("eu_vat"), Value: stripe.String("DE123456789")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(1999), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(30), PendingInvoiceItemsBehavior: stripe.String("include"), AccountTaxIDs: []*string{stripe.String(ours.ID)}})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		pdf := Visit("GET", inv.InvoicePDF, nil)
		Expect(pdf.Body).To(ContainSubstring("(Tax ID: eu_vat DE123456789)"))
		Expect(pdf.Body).To(ContainSubstring("(Customer tax ID: eu_vat FR12345678901)"))
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(100)})
		Expect(err).NotTo(HaveOccurred())
		pdf = Visit("GET", cn.PDF, nil)
		Expect(pdf.Body).To(ContainSubstring("(Tax ID: eu_vat DE123456789)"))
		Expect(pdf.Body).To(ContainSubstring("(Customer tax ID: eu_vat FR12345678901)"))
	})

	It("prints the customer's billing address and where the invoice ships in its PDF", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("addr@example.com"), Name: stripe.String("Jenny Rosen"),
			Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), City: stripe.String("Springfield"), PostalCode: stripe.String("12345"), Country: stripe.String("US")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(1999), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(30), PendingInvoiceItemsBehavior: stripe.String("include"),
			ShippingDetails: &stripe.InvoiceCreateShippingDetailsParams{Name: stripe.String("Warehouse"),
				Address: &stripe.AddressParams{Line1: stripe.String("9 Dock Rd"), City: stripe.String("Shelbyville"), Country: stripe.String("US")}}})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		pdf := Visit("GET", inv.InvoicePDF, nil)
		Expect(pdf.Body).To(ContainSubstring("(Bill to: Jenny Rosen, 1 Main St, 12345 Springfield, US)"))
		Expect(pdf.Body).To(ContainSubstring("(Ship to: Warehouse, 9 Dock Rd, Shelbyville, US)"))
	})

	It("itemizes an invoice's discounts and taxes in its PDF, so its totals add up", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("tax@example.com")})
		Expect(err).NotTo(HaveOccurred())
		rate, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(10), Inclusive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		coupon, err := sc.V1Coupons.Create(Ctx, &stripe.CouponCreateParams{PercentOff: stripe.Float64(25), Duration: stripe.String("once"), Name: stripe.String("Launch")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			TaxRates: []*string{stripe.String(rate.ID)}})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(30), PendingInvoiceItemsBehavior: stripe.String("include"),
			Discounts: []*stripe.InvoiceCreateDiscountParams{{Coupon: stripe.String(coupon.ID)}}})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Total).To(Equal(int64(1650)))
		pdf := Visit("GET", inv.InvoicePDF, nil)
		Expect(pdf.Body).To(ContainSubstring("(Subtotal: 20.00 USD)"))
		Expect(pdf.Body).To(ContainSubstring("(Launch \\(25% off\\): -5.00 USD)"))
		Expect(pdf.Body).To(ContainSubstring("(VAT \\(10%\\): 1.50 USD)"))
		Expect(pdf.Body).To(ContainSubstring("(Total: 16.50 USD)"))
	})

	It("prints invoice_pdf on the page size of rendering[pdf][page_size], auto being A4 for a Japanese customer", func() {
		pdfFor := func(locales []string, size string) string {
			GinkgoHelper()
			cp := &stripe.CustomerCreateParams{Email: stripe.String("size@example.com")}
			for _, l := range locales {
				cp.PreferredLocales = append(cp.PreferredLocales, stripe.String(l))
			}
			cus, err := sc.V1Customers.Create(Ctx, cp)
			Expect(err).NotTo(HaveOccurred())
			_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(1999), Currency: stripe.String("usd")})
			Expect(err).NotTo(HaveOccurred())
			np := &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
				DaysUntilDue: stripe.Int64(30), PendingInvoiceItemsBehavior: stripe.String("include")}
			if size != "" {
				np.Rendering = &stripe.InvoiceCreateRenderingParams{PDF: &stripe.InvoiceCreateRenderingPDFParams{PageSize: stripe.String(size)}}
			}
			inv, err := sc.V1Invoices.Create(Ctx, np)
			Expect(err).NotTo(HaveOccurred())
			inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
			Expect(err).NotTo(HaveOccurred())
			return Visit("GET", inv.InvoicePDF, nil).Body
		}
		const letter, a4 = "/MediaBox [0 0 612 792]", "/MediaBox [0 0 595 842]"
		Expect(pdfFor(nil, "")).To(ContainSubstring(letter))
		Expect(pdfFor(nil, "letter")).To(ContainSubstring(letter))
		Expect(pdfFor(nil, "a4")).To(ContainSubstring(a4))
		Expect(pdfFor([]string{"ja-JP"}, "a4")).To(ContainSubstring(a4))
		Expect(pdfFor([]string{"ja"}, "auto")).To(ContainSubstring(a4))
		Expect(pdfFor([]string{"fr"}, "auto")).To(ContainSubstring(letter))
		Expect(pdfFor([]string{"ja"}, "letter")).To(ContainSubstring(letter))
	})

	It("shows what the customer's balance and credit notes took off an invoice, so its total, amount paid and amount remaining add up", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("credit@example.com"), Balance: stripe.Int64(-300)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(2000), Currency: stripe.String("usd"), Description: stripe.String("Setup")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(30), PendingInvoiceItemsBehavior: stripe.String("include")})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(500)})
		Expect(err).NotTo(HaveOccurred())
		inv = invoice(inv.ID)
		Expect(inv.AmountRemaining).To(Equal(int64(1200)))
		page := Visit("GET", inv.HostedInvoiceURL, nil)
		Expect(page.Body).To(ContainSubstring("<td>Applied balance</td><td>-3.00 USD</td>"))
		Expect(page.Body).To(ContainSubstring("<td>Credit notes</td><td>-5.00 USD</td>"))
		Expect(page.Body).To(ContainSubstring(`class="remaining">12.00 USD`))
		pdf := Visit("GET", inv.InvoicePDF, nil)
		Expect(pdf.Body).To(ContainSubstring("(Total: 20.00 USD) Tj T*\n(Applied balance: -3.00 USD) Tj T*\n(Credit notes: -5.00 USD) Tj T*\n(Amount paid: 0.00 USD)"))
		Expect(pdf.Body).To(ContainSubstring("(Amount due: 12.00 USD)"))
	})

	It("prints each invoice line's quantity, unit price and, for a subscription's, its period in invoice_pdf", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("seats@example.com"), PaymentMethod: stripe.String("pm_card_visa"),
			InvoiceSettings: &stripe.CustomerCreateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")}})
		Expect(err).NotTo(HaveOccurred())
		price, err := sc.V1Prices.Create(Ctx, &stripe.PriceCreateParams{UnitAmount: stripe.Int64(1000), Currency: stripe.String("usd"),
			Recurring: &stripe.PriceCreateRecurringParams{Interval: stripe.String("month")}, ProductData: &stripe.PriceCreateProductDataParams{Name: stripe.String("Seat")}})
		Expect(err).NotTo(HaveOccurred())
		sub, err := sc.V1Subscriptions.Create(Ctx, &stripe.SubscriptionCreateParams{Customer: stripe.String(cus.ID),
			Items: []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price.ID), Quantity: stripe.Int64(3)}}})
		Expect(err).NotTo(HaveOccurred())
		inv := invoice(sub.LatestInvoice.ID)
		line := inv.Lines.Data[0]
		Expect(line.Quantity).To(Equal(int64(3)))
		period := time.Unix(line.Period.Start, 0).UTC().Format("January 2, 2006") + " - " + time.Unix(line.Period.End, 0).UTC().Format("January 2, 2006")
		pdf := Visit("GET", inv.InvoicePDF, nil)
		Expect(pdf.Body).To(ContainSubstring("    3 x 10.00 USD    30.00 USD) Tj T*\n(    " + period + ")"))
	})

	It("shows an invoice's shipping on its page and in its PDF", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("ship@example.com")})
		Expect(err).NotTo(HaveOccurred())
		ground, err := sc.V1ShippingRates.Create(Ctx, &stripe.ShippingRateCreateParams{DisplayName: stripe.String("Ground"),
			FixedAmount: &stripe.ShippingRateCreateFixedAmountParams{Amount: stripe.Int64(500), Currency: stripe.String("usd")}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(1999), Currency: stripe.String("usd")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(30), PendingInvoiceItemsBehavior: stripe.String("include"),
			ShippingCost: &stripe.InvoiceCreateShippingCostParams{ShippingRate: stripe.String(ground.ID)}})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		page := Visit("GET", inv.HostedInvoiceURL, nil)
		Expect(page.Status).To(Equal(200))
		Expect(page.Body).To(ContainSubstring("<td>Shipping</td><td>5.00 USD</td>"))
		Expect(page.Body).To(ContainSubstring("24.99 USD"))
		pdf := Visit("GET", inv.InvoicePDF, nil)
		Expect(pdf.Body).To(ContainSubstring("(Shipping: 5.00 USD)"))
		Expect(pdf.Body).To(ContainSubstring("(Amount due: 24.99 USD)"))
	})

	It("serves a credit note's pdf", func() {
		inv := openInvoice("")
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(500),
			Reason: stripe.String("order_change"), Memo: stripe.String("One hour less"), EffectiveAt: stripe.Int64(Epoch.Unix() - 3*86400)})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.EffectiveAt).To(Equal(Epoch.Unix() - 3*86400))
		Expect(cn.PDF).To(Equal(emu.URL() + "/credit_notes/" + cn.ID + "/pdf"))
		p := Visit("GET", cn.PDF, nil)
		Expect(p.Status).To(Equal(200))
		Expect(p.Header.Get("Content-Type")).To(Equal("application/pdf"))
		Expect(p.Body).To(HavePrefix("%PDF-1.4\n"))
		Expect(p.Body).To(ContainSubstring("(Credit note " + cn.Number + ")"))
		Expect(p.Body).To(ContainSubstring("(Invoice: " + inv.Number + ")"))
		Expect(p.Body).To(ContainSubstring("(Reason: order change)"))
		// Stripe's reference: effective_at replaces the date of issue
		// printed on the credit note's PDF.
		Expect(p.Body).To(ContainSubstring("(Date of issue: " + Epoch.AddDate(0, 0, -3).UTC().Format("January 2, 2006") + ")"))
		Expect(p.Body).To(ContainSubstring("(Total credited: 5.00 USD)"))
		Expect(Visit("GET", emu.URL()+"/credit_notes/cn_nope/pdf", nil).Status).To(Equal(404))
	})

	It("prints in a credit note's pdf its tax and how it is given back: off the invoice, refunded, to the balance, outside Stripe", func() {
		inv := openInvoice("")
		pre, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(499)})
		Expect(err).NotTo(HaveOccurred())
		p := Visit("GET", pre.PDF, nil)
		Expect(p.Body).To(ContainSubstring("(Adjustment applied to invoice: 4.99 USD)"))
		Expect(p.Body).NotTo(ContainSubstring("(Refunded"))

		Expect(Visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_visa"}}).Status).To(Equal(303))
		Expect(invoice(inv.ID).Status).To(Equal(stripe.InvoiceStatusPaid))
		post, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(700),
			RefundAmount: stripe.Int64(300), CreditAmount: stripe.Int64(200), OutOfBandAmount: stripe.Int64(200)})
		Expect(err).NotTo(HaveOccurred())
		Expect(post.Refunds).To(HaveLen(1))
		p = Visit("GET", post.PDF, nil)
		Expect(p.Body).To(ContainSubstring("(Total credited: 7.00 USD)"))
		Expect(p.Body).To(ContainSubstring("(Refunded: 3.00 USD)"))
		Expect(p.Body).To(ContainSubstring("(Credited to the customer's balance: 2.00 USD)"))
		Expect(p.Body).To(ContainSubstring("(Credited outside Stripe: 2.00 USD)"))
		Expect(p.Body).NotTo(ContainSubstring("(Adjustment applied"))
		Expect(p.Body).NotTo(ContainSubstring("() Tj T*\n() Tj"), "no empty list of lines for a note by amount")
	})

	It("itemizes a credit note's discounts and taxes in its pdf", func() {
		cus, err := sc.V1Customers.Create(Ctx, &stripe.CustomerCreateParams{Email: stripe.String("cntax@example.com")})
		Expect(err).NotTo(HaveOccurred())
		rate, err := sc.V1TaxRates.Create(Ctx, &stripe.TaxRateCreateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(10), Inclusive: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
			TaxRates: []*string{stripe.String(rate.ID)}, Description: stripe.String("Seats")})
		Expect(err).NotTo(HaveOccurred())
		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), CollectionMethod: stripe.String("send_invoice"),
			DaysUntilDue: stripe.Int64(30), PendingInvoiceItemsBehavior: stripe.String("include")})
		Expect(err).NotTo(HaveOccurred())
		inv, err = sc.V1Invoices.FinalizeInvoice(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		cn, err := sc.V1CreditNotes.Create(Ctx, &stripe.CreditNoteCreateParams{Invoice: stripe.String(inv.ID),
			Lines: []*stripe.CreditNoteCreateLineParams{{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(inv.Lines.Data[0].ID), Amount: stripe.Int64(1000)}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(cn.Total).To(Equal(int64(1100)))
		p := Visit("GET", cn.PDF, nil)
		Expect(p.Body).To(ContainSubstring("(Subtotal: 10.00 USD) Tj T*\n(VAT \\(10%\\): 1.00 USD) Tj T*\n(Total credited: 11.00 USD)"))
	})

	It("serves a charge's receipt_url, with what was refunded since", func() {
		pi, err := sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(4500), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), Description: stripe.String("Concert ticket"),
			PaymentMethodTypes: []*string{stripe.String("card")}, Expand: []*string{stripe.String("latest_charge")}})
		Expect(err).NotTo(HaveOccurred())
		receipt := pi.LatestCharge.ReceiptURL
		Expect(receipt).To(Equal(emu.URL() + "/receipts/" + pi.LatestCharge.ID))
		p := Visit("GET", receipt, nil)
		Expect(p.Status).To(Equal(200))
		Expect(p.Body).To(ContainSubstring(`class="amount">45.00 USD`))
		Expect(p.Body).To(ContainSubstring("visa •••• 4242"))
		Expect(p.Body).To(ContainSubstring("Concert ticket"))
		Expect(p.Body).NotTo(ContainSubstring("Refunded"))
		_, err = sc.V1Refunds.Create(Ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)})
		Expect(err).NotTo(HaveOccurred())
		Expect(Visit("GET", receipt, nil).Body).To(ContainSubstring(`class="refunded">10.00 USD`))

		_, err = sc.V1PaymentIntents.Create(Ctx, &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(4500), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_chargeDeclined"), Confirm: stripe.Bool(true), PaymentMethodTypes: []*string{stripe.String("card")}})
		failed := StripeErr(err).PaymentIntent.LatestCharge
		Expect(failed.ReceiptURL).To(BeEmpty(), "a failed charge has no receipt")
		Expect(Visit("GET", emu.URL()+"/receipts/"+failed.ID, nil).Status).To(Equal(404))
	})

	It("keeps a connected account's invoice page on its account", func() {
		acct := Seller(emu, nil) // onboarded, so it takes card payments
		inv := openInvoice(acct.ID)
		Expect(inv.HostedInvoiceURL).To(Equal(emu.URL() + "/invoices/" + inv.ID + "?account=" + acct.ID))
		Expect(inv.InvoicePDF).To(Equal(emu.URL() + "/invoices/" + inv.ID + "/pdf?account=" + acct.ID))
		Expect(Visit("GET", emu.URL()+"/invoices/"+inv.ID, nil).Status).To(Equal(404), "not the platform's")
		p := Visit("POST", inv.HostedInvoiceURL, url.Values{"payment_method": {"pm_card_visa"}})
		Expect(p.Status).To(Equal(303), p.Body)
		got, err := sc.V1Invoices.Retrieve(Ctx, inv.ID, &stripe.InvoiceRetrieveParams{Params: stripe.Params{StripeAccount: stripe.String(acct.ID)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status).To(Equal(stripe.InvoiceStatusPaid))
		pdf := Visit("GET", inv.InvoicePDF, nil)
		Expect(pdf.Body).To(ContainSubstring("(Date paid: " + time.Unix(got.StatusTransitions.PaidAt, 0).UTC().Format("January 2, 2006") + ")"))
		Expect(pdf.Body).To(ContainSubstring("(Amount paid: 19.99 USD)"))
	})
})
