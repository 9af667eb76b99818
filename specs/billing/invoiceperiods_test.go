package billing_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

// The period an invoice item (or an invoice's own line) covers: both ends
// required, the end no earlier than the start, wherever a period is taken.
var _ = Describe("Invoice item periods", Label("billing", "invoiceitems"), func() {
	var (
		emu *emulator.Emulator
		sc  *stripe.Client
		cus *stripe.Customer
	)
	BeforeEach(func() {
		emu = Emulator()
		sc = emu.Client()
		cus = customerWithCard(sc, "periods@example.com", "pm_card_visa", "")
	})
	start, end := Epoch.AddDate(0, -1, 0).Unix(), Epoch.Unix()

	It("refuses an invoice item whose period ends before it starts, making nothing", func() {
		before := len(emu.Events(""))
		_, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(500),
			Currency: stripe.String("usd"), Period: &stripe.InvoiceItemCreatePeriodParams{Start: stripe.Int64(end), End: stripe.Int64(start)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "period[end]")
		Expect(StripeErr(err).Msg).To(Equal("Invalid period[end]: must be greater than or equal to period[start]."))
		_, err = sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(500),
			Currency: stripe.String("usd"), Period: &stripe.InvoiceItemCreatePeriodParams{Start: stripe.Int64(start)}})
		ExpectStripeError(err, 400, "invalid_request_error", "parameter_missing", "period[end]")
		Expect(emu.Events("")).To(HaveLen(before), "no invoiceitem.created")
		for ii, err := range sc.V1InvoiceItems.List(Ctx, &stripe.InvoiceItemListParams{Customer: stripe.String(cus.ID)}) {
			Expect(err).NotTo(HaveOccurred())
			Fail("an invoice item was made: " + ii.ID)
		}

		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(500),
			Currency: stripe.String("usd"), Period: &stripe.InvoiceItemCreatePeriodParams{Start: stripe.Int64(end), End: stripe.Int64(end)}})
		Expect(err).NotTo(HaveOccurred(), "a period may be one instant")
		Expect(ii.Period.Start).To(Equal(end))
	})

	It("refuses the same on invoice item update and on an invoice's add_lines, update_lines and line update, changing nothing", func() {
		ii, err := sc.V1InvoiceItems.Create(Ctx, &stripe.InvoiceItemCreateParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(500),
			Currency: stripe.String("usd"), Period: &stripe.InvoiceItemCreatePeriodParams{Start: stripe.Int64(start), End: stripe.Int64(end)}})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1InvoiceItems.Update(Ctx, ii.ID, &stripe.InvoiceItemUpdateParams{Amount: stripe.Int64(900),
			Period: &stripe.InvoiceItemUpdatePeriodParams{Start: stripe.Int64(end + 1), End: stripe.Int64(end)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "period[end]")
		got, err := sc.V1InvoiceItems.Retrieve(Ctx, ii.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Amount).To(Equal(int64(500)))
		Expect(got.Period.Start).To(Equal(start))

		inv, err := sc.V1Invoices.Create(Ctx, &stripe.InvoiceCreateParams{Customer: stripe.String(cus.ID), AutoAdvance: stripe.Bool(false)})
		Expect(err).NotTo(HaveOccurred())
		_, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{
			{Amount: stripe.Int64(100), Description: stripe.String("fine")},
			{Amount: stripe.Int64(900), Period: &stripe.InvoiceAddLinesLinePeriodParams{Start: stripe.Int64(end), End: stripe.Int64(start)}},
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lines[1][period][end]")
		Expect(StripeErr(err).Msg).To(Equal("Invalid lines[1][period][end]: must be greater than or equal to lines[1][period][start]."))
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Lines.Data).To(BeEmpty(), "not even the first line")

		inv, err = sc.V1Invoices.AddLines(Ctx, inv.ID, &stripe.InvoiceAddLinesParams{Lines: []*stripe.InvoiceAddLinesLineParams{
			{Amount: stripe.Int64(900), Period: &stripe.InvoiceAddLinesLinePeriodParams{Start: stripe.Int64(start), End: stripe.Int64(end)}},
		}})
		Expect(err).NotTo(HaveOccurred())
		line := inv.Lines.Data[0]
		_, err = sc.V1Invoices.UpdateLines(Ctx, inv.ID, &stripe.InvoiceUpdateLinesParams{Lines: []*stripe.InvoiceUpdateLinesLineParams{
			{ID: stripe.String(line.ID), Period: &stripe.InvoiceUpdateLinesLinePeriodParams{Start: stripe.Int64(end), End: stripe.Int64(start)}},
		}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "lines[0][period][end]")
		_, err = sc.V1InvoiceLineItems.Update(Ctx, line.ID, &stripe.InvoiceLineItemUpdateParams{Invoice: stripe.String(inv.ID),
			Period: &stripe.InvoiceLineItemUpdatePeriodParams{Start: stripe.Int64(end), End: stripe.Int64(start)}})
		ExpectStripeError(err, 400, "invalid_request_error", "", "period[end]")
		Expect(StripeErr(err).Msg).To(Equal("Invalid period[end]: must be greater than or equal to period[start]."))
		inv, err = sc.V1Invoices.Retrieve(Ctx, inv.ID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(inv.Lines.Data[0].Period.Start).To(Equal(start))
		Expect(inv.Lines.Data[0].Period.End).To(Equal(end))
	})
})
