// Drives the emulator at STRIPE_EMU_URL with the official stripe-node SDK
// through the project's four stories, the wire conventions and the
// families beside them (shipping, quotes, billing credits, prices in
// several currencies, Stripe Tax and automatic tax, payment method
// configurations), asserting as it goes. Prints "all checks passed" and exits 0, or names the first
// check that failed and exits 1.
'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const Stripe = require('stripe');

const base = new URL(process.env.STRIPE_EMU_URL || 'http://127.0.0.1:12111');
const stripe = new Stripe('sk_test_sdk_check', {
  host: base.hostname, port: base.port, protocol: base.protocol.replace(':', ''), maxNetworkRetries: 0,
});

let passed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
  } catch (e) {
    console.error(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  }
}

async function refused(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('the call was not refused');
}

(async () => {
  assert.equal(Stripe.API_VERSION, '2025-08-27.basil', 'the pinned SDK speaks the emulator\'s version');
  let cus, prod, sub;

  await check('customers with metadata, and search in Stripe\'s quoting', async () => {
    cus = await stripe.customers.create({ email: 'node@example.com', name: 'Node', metadata: { plan: 'pro' } });
    assert.match(cus.id, /^cus_/);
    const found = await stripe.customers.search({ query: "email:'node@example.com' AND metadata['plan']:'pro'" });
    assert.deepEqual(found.data.map((c) => c.id), [cus.id]);
  });

  await check('story 3: the default price cannot be archived until the product points elsewhere', async () => {
    prod = await stripe.products.create({
      name: 'Pro', default_price_data: { currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' } },
      expand: ['default_price'],
    });
    const e = await refused(stripe.prices.update(prod.default_price.id, { active: false }));
    assert.equal(e.type, 'StripeInvalidRequestError');
    assert.equal(e.message, 'This price cannot be archived because it is the default price of its product.');
    const other = await stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' } });
    await stripe.products.update(prod.id, { default_price: other.id });
    assert.equal((await stripe.prices.update(prod.default_price.id, { active: false })).active, false);
    prod = await stripe.products.retrieve(prod.id, { expand: ['default_price'] });
  });

  await check('payments: a card succeeds, a decline is a card error that leaves the intent retryable', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: cus.id, payment_method: 'pm_card_visa', confirm: true, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
    assert.equal(pi.status, 'succeeded');
    const e = await refused(stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_chargeDeclinedInsufficientFunds', confirm: true, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } }));
    assert.equal(e.type, 'StripeCardError');
    assert.equal(e.decline_code, 'insufficient_funds');
    assert.equal(e.raw.payment_intent.status, 'requires_payment_method');
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    assert.equal(refund.status, 'succeeded');
  });

  await check('story 1: a basil subscription paid by the client, linked both ways through InvoicePayments', async () => {
    sub = await stripe.subscriptions.create({
      customer: cus.id, items: [{ price: prod.default_price.id }],
      payment_behavior: 'default_incomplete', payment_settings: { save_default_payment_method: 'on_subscription' },
      expand: ['latest_invoice.confirmation_secret'],
    });
    assert.equal(sub.status, 'incomplete');
    const secret = sub.latest_invoice.confirmation_secret.client_secret;
    const piID = secret.split('_secret_')[0];
    assert.equal((await stripe.paymentIntents.confirm(piID, { payment_method: 'pm_card_visa' })).status, 'succeeded');
    sub = await stripe.subscriptions.retrieve(sub.id);
    assert.equal(sub.status, 'active');
    assert.ok(sub.default_payment_method, 'the paying card is kept');
    const pays = await stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: piID } });
    assert.equal(pays.data.length, 1);
    assert.equal(pays.data[0].invoice, sub.latest_invoice);
    const inv = await stripe.invoices.retrieve(sub.latest_invoice, { expand: ['payments'] });
    assert.equal(inv.status, 'paid');
    assert.equal(inv.payments.data[0].payment.payment_intent, piID);
    assert.ok(!('payment_intent' in inv) && !('charge' in inv), 'basil has no one-to-one fields');
  });

  await check('invoice previews', async () => {
    const preview = await stripe.invoices.createPreview({ subscription: sub.id });
    assert.match(preview.id, /^upcoming_in_/);
    assert.equal(preview.amount_due, 1500);
  });

  await check('story 2: customers live in their connected account', async () => {
    const acct = await stripe.accounts.create({ type: 'express', capabilities: { transfers: { requested: true } } });
    const link = await stripe.accountLinks.create({ account: acct.id, type: 'account_onboarding', refresh_url: 'https://example.com/r', return_url: 'https://example.com/x' });
    assert.ok(link.url.includes(`/connect.stripe.com/setup/e/${acct.id}/`), link.url); // the emulator's onboarding page
    const page = await fetch(link.url);
    assert.equal(page.status, 200);
    const there = await stripe.customers.create({ email: 'node@example.com' }, { stripeAccount: acct.id });
    assert.notEqual(there.id, cus.id);
    const e = await refused(stripe.customers.retrieve(cus.id, {}, { stripeAccount: acct.id }));
    assert.equal(e.code, 'resource_missing');
    assert.equal(e.statusCode, 404);
  });

  await check('wire: idempotent replay, unknown parameters, auto-pagination', async () => {
    const a = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'sdk-check-1' });
    const b = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'sdk-check-1' });
    assert.equal(a.id, b.id);
    const e = await refused(stripe.customers.create({ bogus: 1 }));
    assert.equal(e.param, 'bogus');
    let n = 0;
    for await (const c of stripe.customers.list({ limit: 1 })) {
      assert.match(c.id, /^cus_/);
      n++;
    }
    assert.equal(n, 2);
  });

  await check('story 4: a webhook delivery the SDK\'s constructEvent accepts', async () => {
    // A receiver like an app's: it verifies each delivery's signature.
    let received;
    const verified = new Promise((resolve, reject) => { received = { resolve, reject }; });
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        try {
          const event = stripe.webhooks.constructEvent(body, req.headers['stripe-signature'], secret);
          res.writeHead(200).end();
          received.resolve(event);
        } catch (e) {
          res.writeHead(400).end();
          received.reject(e);
        }
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    let secret;
    try {
      const endpoint = await stripe.webhookEndpoints.create({
        url: `http://127.0.0.1:${server.address().port}/hook`, enabled_events: ['customer.created'],
      });
      secret = endpoint.secret;
      assert.match(secret, /^whsec_/);
      const cus = await stripe.customers.create({ email: 'hooked@example.com' });
      const timeout = setTimeout(() => received.reject(new Error('no delivery within 10 s')), 10000);
      const event = await verified;
      clearTimeout(timeout);
      assert.equal(event.type, 'customer.created');
      assert.equal(event.data.object.id, cus.id);
      assert.equal(event.api_version, '2025-08-27.basil');
    } finally {
      server.close();
    }
    const session = await stripe.checkout.sessions.create({
      mode: 'payment', success_url: 'https://example.com/ok',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 100, product_data: { name: 'Ticket' } }, quantity: 1 }],
    });
    assert.equal(session.payment_status, 'unpaid');
  });

  await check('usage-based billing: a meter, a metered price, usage recorded and summarised', async () => {
    const meter = await stripe.billing.meters.create({
      display_name: 'Node calls', event_name: 'node_call', default_aggregation: { formula: 'sum' },
    });
    assert.match(meter.id, /^mtr_/);
    const price = await stripe.prices.create({
      product: prod.id, currency: 'usd', unit_amount: 2,
      recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
    });
    const customer = await stripe.customers.create({
      email: 'usage@example.com', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    assert.equal(sub.items.data[0].quantity, undefined, 'a metered item has no quantity');
    const ev = await stripe.billing.meterEvents.create({
      event_name: 'node_call', payload: { stripe_customer_id: customer.id, value: '40' }, identifier: 'node-1',
    });
    assert.equal(ev.identifier, 'node-1');
    const dup = await refused(stripe.billing.meterEvents.create({
      event_name: 'node_call', payload: { stripe_customer_id: customer.id, value: '40' }, identifier: 'node-1',
    }));
    assert.equal(dup.statusCode, 400);
    const now = meter.created; // the emulator's clock, which the test may hold still
    const start = now - (now % 86400) - 86400;
    const summaries = await stripe.billing.meters.listEventSummaries(meter.id, {
      customer: customer.id, start_time: start, end_time: start + 3 * 86400,
    });
    assert.equal(summaries.data.length, 1);
  });

  await check('subscription schedules: a downgrade planned for the period end', async () => {
    const cheaper = await stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount: 900, recurring: { interval: 'month' } });
    const customer = await stripe.customers.create({
      email: 'schedule@example.com', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const current = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: prod.default_price.id }] });
    let schedule = await stripe.subscriptionSchedules.create({ from_subscription: current.id });
    assert.equal(schedule.status, 'active');
    schedule = await stripe.subscriptionSchedules.update(schedule.id, {
      phases: [
        { items: [{ price: prod.default_price.id }], start_date: schedule.phases[0].start_date, end_date: schedule.phases[0].end_date },
        { items: [{ price: cheaper.id }], duration: { interval: 'month', interval_count: 1 } },
      ],
    });
    assert.equal(schedule.phases.length, 2);
    assert.equal(schedule.phases[1].items[0].price, cheaper.id);
    const released = await stripe.subscriptionSchedules.release(schedule.id);
    assert.equal(released.status, 'released');
    assert.equal(released.released_subscription, current.id);
  });

  await check('tax IDs by owner, which stripe-node sends and stripe-go cannot, and an invoice showing the account\'s', async () => {
    const mine = await stripe.taxIds.create({ type: 'eu_vat', value: 'DE123456789' });
    assert.deepEqual(mine.owner, { type: 'self' });
    assert.equal(mine.verification, null);
    const theirs = await stripe.taxIds.create({ type: 'gb_vat', value: 'GB123456789', owner: { type: 'customer', customer: cus.id } });
    assert.deepEqual(theirs.owner, { type: 'customer', customer: cus.id });
    assert.deepEqual((await stripe.customers.listTaxIds(cus.id)).data.map((t) => t.id), [theirs.id]);
    assert.deepEqual((await stripe.taxIds.list({ owner: { type: 'customer', customer: cus.id } })).data.map((t) => t.id), [theirs.id]);
    assert.deepEqual((await stripe.taxIds.list()).data.map((t) => t.id), [mine.id]);
    const inv = await stripe.invoices.create({ customer: cus.id, account_tax_ids: [mine.id], expand: ['account_tax_ids'] });
    assert.equal(inv.account_tax_ids[0].value, 'DE123456789');
    const e = await refused(stripe.invoices.update(inv.id, { account_tax_ids: [theirs.id] }));
    assert.equal(e.param, 'account_tax_ids[0]');
    assert.equal((await stripe.taxIds.del(theirs.id)).deleted, true);
  });

  await check('an ephemeral key pinned to a mobile SDK\'s API version', async () => {
    const key = await stripe.ephemeralKeys.create({ customer: cus.id }, { apiVersion: '2020-08-27' });
    assert.match(key.secret, /^ek_test_/);
    assert.deepEqual(key.associated_objects, [{ id: cus.id, type: 'customer' }]);
    assert.equal(key.lastResponse.apiVersion, '2020-08-27');
  });

  await check('files: a multipart upload to the uploads host, a file link, and the file as dispute evidence', async () => {
    // stripe-node sends uploads to files.stripe.com whatever the client's
    // host; a request option points them at the emulator.
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const file = await stripe.files.create({
      purpose: 'dispute_evidence', file: { data: pdf, name: 'receipt.pdf', type: 'application/pdf' },
      file_link_data: { create: true, metadata: { from: 'node' } }, expand: ['links'],
    }, { host: base.hostname });
    assert.match(file.id, /^file_/);
    assert.equal(file.type, 'pdf');
    assert.equal(file.size, pdf.length);
    assert.equal(file.filename, 'receipt.pdf');
    assert.equal(file.links.data.length, 1);
    assert.deepEqual(file.links.data[0].metadata, { from: 'node' });
    const contents = await fetch(file.url, { headers: { Authorization: 'Bearer sk_test_sdk_check' } });
    assert.equal(contents.status, 200);
    assert.deepEqual(Buffer.from(await contents.arrayBuffer()), pdf);
    const shared = await fetch(file.links.data[0].url);
    assert.deepEqual(Buffer.from(await shared.arrayBuffer()), pdf, 'a file link needs no key');

    const wrong = await refused(stripe.files.create({
      purpose: 'dispute_evidence', file: { data: Buffer.from('just text'), name: 'notes.txt', type: 'text/plain' },
    }, { host: base.hostname }));
    assert.equal(wrong.type, 'StripeInvalidRequestError');
    assert.equal(wrong.param, 'file');

    const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
    const [dispute] = (await stripe.disputes.list({ payment_intent: pi.id })).data;
    const updated = await stripe.disputes.update(dispute.id, {
      evidence: { receipt: file.id, uncategorized_text: 'winning_evidence' }, expand: ['evidence.receipt'],
    });
    assert.equal(updated.status, 'won');
    assert.equal(updated.evidence.receipt.id, file.id);
  });

  await check('shipping rates, and a Checkout Session that charges and collects shipping', async () => {
    let ground = await stripe.shippingRates.create({
      display_name: 'Ground', fixed_amount: { amount: 500, currency: 'usd' }, metadata: { carrier: 'ups' },
      delivery_estimate: { minimum: { unit: 'business_day', value: 3 }, maximum: { unit: 'business_day', value: 5 } },
    });
    assert.match(ground.id, /^shr_/);
    assert.equal(ground.type, 'fixed_amount', 'the type when none is sent');
    assert.deepEqual(ground.fixed_amount, { amount: 500, currency: 'usd' });
    assert.equal(ground.delivery_estimate.maximum.value, 5);
    ground = await stripe.shippingRates.update(ground.id, { tax_behavior: 'exclusive', metadata: { carrier: '', speed: 'slow' } });
    assert.equal(ground.tax_behavior, 'exclusive');
    assert.deepEqual(ground.metadata, { speed: 'slow' });
    assert.equal(ground.fixed_amount.amount, 500);

    const session = await stripe.checkout.sessions.create({
      mode: 'payment', success_url: 'https://shop.example/ok',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 4500, product_data: { name: 'Espresso machine' } }, quantity: 2 }],
      shipping_address_collection: { allowed_countries: ['US', 'CA'] },
      shipping_options: [
        { shipping_rate: ground.id },
        { shipping_rate_data: { display_name: 'Next day air', type: 'fixed_amount', fixed_amount: { amount: 1500, currency: 'usd' },
          delivery_estimate: { minimum: { unit: 'business_day', value: 1 }, maximum: { unit: 'business_day', value: 1 } } } },
      ],
    });
    assert.equal(session.amount_subtotal, 9000, 'shipping is not part of the subtotal');
    assert.equal(session.amount_total, 9500, 'the first option is preselected');
    assert.equal(session.total_details.amount_shipping, 500);
    assert.equal(session.shipping_cost.amount_total, 500);
    assert.equal(session.shipping_cost.shipping_rate, ground.id);
    assert.deepEqual(session.shipping_address_collection, { allowed_countries: ['US', 'CA'] });
    assert.deepEqual(session.shipping_options.map((o) => o.shipping_amount), [500, 1500]);
    assert.equal(session.collected_information, null, 'nothing is collected before the customer pays');
    const inline = session.shipping_options[1].shipping_rate;
    assert.match(inline, /^shr_/);
    const rates = await stripe.shippingRates.list({ currency: 'usd', active: true });
    assert.deepEqual(rates.data.map((r) => r.id), [inline, ground.id], 'shipping_rate_data makes a shipping rate');
    assert.equal(rates.data[0].display_name, 'Next day air');

    // The emulator's test helper plays the customer on the hosted page.
    const done = await stripe.rawRequest('POST', `/v1/test_helpers/checkout/sessions/${session.id}/complete`, {
      payment_method: 'pm_card_visa',
      shipping_details: { name: 'Ada Lovelace', address: { line1: '12 Analytical Way', city: 'Toronto', state: 'ON', postal_code: 'M5V 2T6', country: 'CA' } },
    });
    assert.equal(done.status, 'complete');
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent', 'shipping_cost.shipping_rate'] });
    assert.equal(paid.payment_status, 'paid');
    assert.equal(paid.amount_total, 9500);
    assert.equal(paid.shipping_cost.shipping_rate.display_name, 'Ground');
    assert.deepEqual(paid.collected_information.shipping_details, {
      name: 'Ada Lovelace',
      address: { line1: '12 Analytical Way', line2: null, city: 'Toronto', state: 'ON', postal_code: 'M5V 2T6', country: 'CA' },
    });
    assert.equal(paid.payment_intent.amount, 9500, 'the PaymentIntent charges the items and the shipping');
    assert.equal(paid.payment_intent.shipping.address.postal_code, 'M5V 2T6');

    const e = await refused(stripe.rawRequest('POST', `/v1/test_helpers/checkout/sessions/${(await stripe.checkout.sessions.create({
      mode: 'payment', success_url: 'https://shop.example/ok', shipping_address_collection: { allowed_countries: ['US'] },
      line_items: [{ price_data: { currency: 'usd', unit_amount: 100, product_data: { name: 'Mug' } }, quantity: 1 }],
    })).id}/complete`, { payment_method: 'pm_card_visa', shipping_details: { name: 'Ada', address: { line1: '1 Rue de Rivoli', country: 'FR' } } }));
    assert.equal(e.param, 'shipping_details[address][country]', 'an address the session does not ship to');
  });

  await check('quotes: drafted, changed, finalized with a PDF, accepted into a subscription; another canceled', async () => {
    const product = await stripe.products.create({ name: 'Consulting' });
    const oneTime = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1500 });
    const monthly = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1000, recurring: { interval: 'month' } });
    const vat = await stripe.taxRates.create({ display_name: 'VAT', percentage: 10, inclusive: false });
    const customer = await stripe.customers.create({
      email: 'quotes@example.com', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    let q = await stripe.quotes.create({
      customer: customer.id, header: 'Spring work',
      line_items: [
        { price: oneTime.id, quantity: 2 },
        { price_data: { currency: 'usd', product: product.id, unit_amount: 500 }, tax_rates: [vat.id] },
      ],
    });
    assert.match(q.id, /^qt_/);
    assert.equal(q.status, 'draft');
    assert.equal(q.number, null);
    assert.equal(q.amount_subtotal, 3500);
    assert.equal(q.total_details.amount_tax, 50, '10% of the 5.00 line only');
    assert.equal(q.amount_total, 3550);
    assert.equal(q.computed.recurring, null);
    // Page by page: the SDK asks for the lines after the last one it got.
    const lines = await stripe.quotes.listLineItems(q.id, { limit: 1 }).autoPagingToArray({ limit: 10 });
    assert.deepEqual(lines.map((l) => l.amount_total), [3000, 550]);
    assert.match(lines[0].id, /^li_/);

    q = await stripe.quotes.update(q.id, {
      description: 'Retainer and setup',
      line_items: [{ id: lines[0].id, quantity: 1 }, { id: lines[1].id }, { price: monthly.id, quantity: 3 }],
      subscription_data: { description: 'Retainer', metadata: { deal: '42' } },
    });
    assert.equal(q.description, 'Retainer and setup');
    assert.equal(q.amount_subtotal, 5000);
    assert.equal(q.computed.recurring.interval, 'month');
    assert.equal(q.computed.recurring.amount_total, 3000, 'each month after the first');
    assert.equal(q.computed.upfront.amount_total, 5050, 'the first invoice: a month and the one-time lines');
    const upfront = await stripe.quotes.listComputedUpfrontLineItems(q.id);
    assert.equal(upfront.data.length, 3);
    assert.equal(upfront.data.reduce((sum, l) => sum + l.amount_total, 0), 5050);

    const draftPDF = await refused(stripe.quotes.pdf(q.id, {}, { host: base.hostname }));
    assert.equal(draftPDF.statusCode, 400, 'a draft has no PDF');
    q = await stripe.quotes.finalizeQuote(q.id);
    assert.equal(q.status, 'open');
    assert.match(q.number, /^QT-[0-9A-Z]{8}-0001-1$/);
    // stripe-node streams a quote's PDF from files.stripe.com whatever the
    // client's host; a request option points it at the emulator.
    const stream = await stripe.quotes.pdf(q.id, {}, { host: base.hostname });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const pdf = Buffer.concat(chunks).toString('latin1');
    assert.ok(pdf.startsWith('%PDF-1.'), `a PDF: ${pdf.slice(0, 20)}`);
    assert.ok(pdf.includes(q.number), 'the PDF shows the quote\'s number');

    q = await stripe.quotes.accept(q.id, { expand: ['subscription', 'invoice'] });
    assert.equal(q.status, 'accepted');
    assert.equal(q.subscription.status, 'active');
    assert.equal(q.subscription.description, 'Retainer');
    assert.deepEqual(q.subscription.metadata, { deal: '42' });
    assert.equal(q.subscription.items.data[0].quantity, 3);
    assert.equal(q.invoice.id, q.subscription.latest_invoice);
    assert.equal(q.invoice.status, 'paid');
    assert.equal(q.invoice.amount_paid, 5050);

    let other = await stripe.quotes.create({ customer: customer.id, line_items: [{ price: oneTime.id }] });
    other = await stripe.quotes.cancel(other.id);
    assert.equal(other.status, 'canceled');
    const late = await refused(stripe.quotes.finalizeQuote(other.id));
    assert.equal(late.statusCode, 400);
    assert.deepEqual((await stripe.quotes.list({ customer: customer.id })).data.map((x) => x.id), [other.id, q.id]);
    assert.deepEqual((await stripe.quotes.list({ customer: customer.id, status: 'accepted' })).data.map((x) => x.id), [q.id]);
  });

  await check('billing credits: grants listed, expired and voided, the balance and its ledger', async () => {
    const customer = await stripe.customers.create({ email: 'credits@example.com' });
    const grant = (value, expires) => stripe.billing.creditGrants.create({
      customer: customer.id, name: 'Credits', category: 'paid', expires_at: expires,
      amount: { type: 'monetary', monetary: { currency: 'usd', value } },
      applicability_config: { scope: { price_type: 'metered' } },
    });
    const balance = async () => {
      const summary = await stripe.billing.creditBalanceSummary.retrieve({
        customer: customer.id, filter: { type: 'applicability_scope', applicability_scope: { price_type: 'metered' } },
      });
      assert.equal(summary.object, 'billing.credit_balance_summary');
      assert.equal(summary.customer, customer.id);
      return summary.balances.reduce((sum, b) => sum + b.available_balance.monetary.value, 0);
    };
    let a = await grant(1000);
    let b = await grant(250, new Date((a.created + 86400) * 1000));
    assert.equal(b.expires_at, a.created + 86400, 'a Date is sent as a Unix time');
    b = await stripe.billing.creditGrants.update(b.id, { expires_at: null, metadata: { order: '42' } });
    assert.equal(b.expires_at, null, 'null clears it');
    assert.deepEqual(b.metadata, { order: '42' });
    assert.match(a.id, /^credgr_test_/);
    assert.equal(a.object, 'billing.credit_grant');
    assert.equal(a.priority, 50, 'Stripe\'s default priority');
    assert.equal(a.expires_at, null);
    assert.deepEqual(a.amount, { type: 'monetary', monetary: { currency: 'usd', value: 1000 } });
    const grants = await stripe.billing.creditGrants.list({ customer: customer.id, limit: 1 }).autoPagingToArray({ limit: 10 });
    assert.deepEqual(grants.map((g) => g.id), [b.id, a.id]);
    assert.equal(await balance(), 1250);

    a = await stripe.billing.creditGrants.expire(a.id);
    assert.ok(a.expires_at > 0, 'expired now');
    b = await stripe.billing.creditGrants.voidGrant(b.id);
    assert.ok(b.voided_at > 0, 'voided now');
    const again = await refused(stripe.billing.creditGrants.voidGrant(b.id));
    assert.equal(again.statusCode, 400);
    assert.equal(await balance(), 0);

    const ledger = await stripe.billing.creditBalanceTransactions.list({ customer: customer.id, credit_grant: a.id });
    assert.deepEqual(ledger.data.map((t) => [t.type, (t.credit || t.debit).type, (t.credit || t.debit).amount.monetary.value]),
      [['debit', 'credits_expired', 1000], ['credit', 'credits_granted', 1000]]);
    assert.match(ledger.data[0].id, /^cbtxn_test_/);
    const voided = await stripe.billing.creditBalanceTransactions.list({ customer: customer.id, credit_grant: b.id });
    assert.equal(voided.data[0].debit.type, 'credits_voided');
    assert.equal(voided.data[0].debit.amount.monetary.value, 250);
  });

  await check('a price in several currencies, and a subscription billed in EUR at the option\'s amount', async () => {
    const price = await stripe.prices.create({
      product: prod.id, currency: 'usd', unit_amount: 1000, recurring: { interval: 'month' },
      currency_options: { eur: { unit_amount: 900 }, gbp: { unit_amount_decimal: '800', tax_behavior: 'inclusive' } },
    });
    assert.ok(!('currency_options' in price), 'not included unless expanded');
    const expanded = await stripe.prices.retrieve(price.id, { expand: ['currency_options'] });
    assert.deepEqual(Object.keys(expanded.currency_options).sort(), ['eur', 'gbp', 'usd']);
    assert.equal(expanded.currency_options.usd.unit_amount, 1000);
    assert.equal(expanded.currency_options.eur.unit_amount, 900);
    assert.equal(expanded.currency_options.eur.unit_amount_decimal, '900');
    assert.equal(expanded.currency_options.gbp.unit_amount, 800);
    assert.equal(expanded.currency_options.gbp.tax_behavior, 'inclusive');

    const customer = await stripe.customers.create({
      email: 'eur@example.com', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const sub = await stripe.subscriptions.create({
      customer: customer.id, currency: 'eur', items: [{ price: price.id, quantity: 2 }], expand: ['latest_invoice.payments'],
    });
    assert.equal(sub.status, 'active');
    assert.equal(sub.currency, 'eur');
    assert.equal(sub.items.data[0].price.currency, 'usd', 'the price is the same object, in its own currency');
    const inv = sub.latest_invoice;
    assert.equal(inv.currency, 'eur');
    assert.equal(inv.total, 1800);
    assert.equal(inv.amount_paid, 1800);
    assert.equal(inv.lines.data[0].description, '2 × Pro (at €9.00 / month)');
    const pi = await stripe.paymentIntents.retrieve(inv.payments.data[0].payment.payment_intent);
    assert.equal(pi.currency, 'eur');
    assert.equal(pi.amount, 1800);
    const yen = await refused(stripe.subscriptions.create({ customer: customer.id, currency: 'jpy', items: [{ price: price.id }] }));
    assert.equal(yen.param, 'items[0][price]');
  });

  await check('Stripe Tax: settings activated by a head office, a registration, a calculation recorded and reversed', async () => {
    let settings = await stripe.tax.settings.retrieve();
    assert.equal(settings.object, 'tax.settings');
    assert.equal(settings.status, 'pending');
    assert.deepEqual(settings.status_details.pending.missing_fields, ['head_office']);
    const inactive = await refused(stripe.tax.calculations.create({
      currency: 'eur', line_items: [{ amount: 1000, reference: 'early' }],
      customer_details: { address: { country: 'DE', postal_code: '10115' }, address_source: 'billing' },
    }));
    assert.equal(inactive.code, 'stripe_tax_inactive');
    settings = await stripe.tax.settings.update({
      defaults: { tax_behavior: 'exclusive', tax_code: 'txcd_10103001' },
      head_office: { address: { line1: 'Unter den Linden 1', city: 'Berlin', postal_code: '10117', country: 'DE' } },
    });
    assert.equal(settings.status, 'active');
    assert.equal(settings.defaults.tax_behavior, 'exclusive');
    assert.equal(settings.head_office.address.city, 'Berlin');

    const reg = await stripe.tax.registrations.create({ country: 'DE', country_options: { de: { type: 'standard' } }, active_from: 'now' });
    assert.match(reg.id, /^taxreg_/);
    assert.equal(reg.status, 'active');
    assert.equal(reg.country_options.de.type, 'standard');
    assert.deepEqual((await stripe.tax.registrations.list({ status: 'active' })).data.map((r) => r.id), [reg.id]);
    const twice = await refused(stripe.tax.registrations.create({ country: 'DE', country_options: { de: { type: 'standard' } }, active_from: 'now' }));
    assert.equal(twice.statusCode, 400, 'one registration per jurisdiction at a time');

    // 100.00 of software and 5.00 of shipping to Berlin, at 19% VAT.
    const calc = await stripe.tax.calculations.create({
      currency: 'eur',
      line_items: [{ amount: 10000, reference: 'seat-licence', tax_code: 'txcd_10103001', metadata: { sku: 'seat' } }],
      customer_details: { address: { line1: 'Alexanderplatz 1', city: 'Berlin', postal_code: '10178', country: 'DE' }, address_source: 'billing' },
      shipping_cost: { amount: 500 },
    });
    assert.match(calc.id, /^taxcalc_/);
    assert.equal(calc.amount_total, 12495);
    assert.equal(calc.tax_amount_exclusive, 1995);
    assert.equal(calc.tax_amount_inclusive, 0);
    assert.equal(calc.shipping_cost.amount_tax, 95);
    assert.equal(calc.shipping_cost.tax_code, 'txcd_92010001', 'shipping\'s own tax code');
    assert.equal(calc.tax_breakdown.length, 1);
    assert.equal(calc.tax_breakdown[0].taxability_reason, 'standard_rated');
    assert.equal(calc.tax_breakdown[0].taxable_amount, 10500);
    assert.equal(calc.tax_breakdown[0].tax_rate_details.percentage_decimal, '19.0');
    assert.equal(calc.tax_breakdown[0].tax_rate_details.country, 'DE');
    const lines = await stripe.tax.calculations.listLineItems(calc.id);
    assert.deepEqual(lines.data.map((l) => [l.reference, l.amount, l.amount_tax]), [['seat-licence', 10000, 1900]]);
    assert.match(lines.data[0].id, /^tax_li_/);

    const nowhere = await refused(stripe.tax.calculations.create({
      currency: 'usd', line_items: [{ amount: 1000 }], customer_details: { address: { country: 'US', state: 'CA' }, address_source: 'shipping' },
    }));
    assert.equal(nowhere.code, 'customer_tax_location_invalid', 'a US address needs its ZIP code');

    const tx = await stripe.tax.transactions.createFromCalculation({ calculation: calc.id, reference: 'order-1001', expand: ['line_items'] });
    assert.match(tx.id, /^tax_/);
    assert.equal(tx.type, 'transaction');
    assert.equal(tx.reference, 'order-1001');
    assert.equal(tx.line_items.data[0].amount_tax, 1900);
    const again = await refused(stripe.tax.transactions.createFromCalculation({ calculation: calc.id, reference: 'order-1001' }));
    assert.equal(again.code, 'resource_already_exists', 'references are unique');

    const partial = await stripe.tax.transactions.createReversal({
      original_transaction: tx.id, reference: 'order-1001-refund-1', mode: 'partial', flat_amount: -5950,
    });
    assert.equal(partial.type, 'reversal');
    assert.equal(partial.reversal.original_transaction, tx.id);
    const partialLines = await stripe.tax.transactions.listLineItems(partial.id);
    assert.equal(partialLines.data[0].amount + partialLines.data[0].amount_tax + partial.shipping_cost.amount + partial.shipping_cost.amount_tax, -5950,
      'a flat amount, tax included, spread over what is left');
    const rest = await stripe.tax.transactions.createReversal({ original_transaction: tx.id, reference: 'order-1001-refund-2', mode: 'full' });
    const restLines = await stripe.tax.transactions.listLineItems(rest.id);
    assert.equal(restLines.data[0].amount + partialLines.data[0].amount, -10000, 'the two reversals undo the whole line');
    assert.equal(restLines.data[0].amount_tax + partialLines.data[0].amount_tax, -1900);
    const over = await refused(stripe.tax.transactions.createReversal({ original_transaction: tx.id, reference: 'order-1001-refund-3', mode: 'full' }));
    assert.equal(over.statusCode, 400, 'nothing is left to reverse');
  });

  await check('automatic tax on a subscription: 19% VAT for a German consumer, reverse charge for a French business', async () => {
    const price = await stripe.prices.create({
      product_data: { name: 'Team plan', tax_code: 'txcd_10103001' }, currency: 'eur', unit_amount: 1000,
      tax_behavior: 'exclusive', recurring: { interval: 'month' },
    });
    const lena = await stripe.customers.create({
      email: 'lena@example.de', address: { line1: 'Marienplatz 8', city: 'München', postal_code: '80331', country: 'DE' },
      payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' }, expand: ['tax'],
    });
    assert.equal(lena.tax.automatic_tax, 'supported');
    assert.deepEqual(lena.tax.location, { country: 'DE', source: 'billing_address', state: null });
    const sub = await stripe.subscriptions.create({
      customer: lena.id, items: [{ price: price.id }], automatic_tax: { enabled: true },
      expand: ['latest_invoice.payments'],
    });
    assert.equal(sub.automatic_tax.enabled, true);
    const inv = sub.latest_invoice;
    assert.equal(inv.status, 'paid');
    assert.equal(inv.automatic_tax.status, 'complete');
    assert.equal(inv.subtotal, 1000);
    assert.equal(inv.total_excluding_tax, 1000);
    assert.equal(inv.total, 1190);
    assert.equal(inv.amount_paid, 1190);
    assert.equal(inv.total_taxes[0].amount, 190);
    assert.equal(inv.total_taxes[0].taxability_reason, 'standard_rated');
    const rate = await stripe.taxRates.retrieve(inv.total_taxes[0].tax_rate_details.tax_rate);
    assert.match(rate.id, /^txr_/);
    assert.equal(rate.active, false, 'Stripe Tax\'s rates are archived');
    assert.equal(rate.percentage, 19);
    assert.equal(rate.jurisdiction, 'DE');
    assert.equal(rate.description, 'VAT Germany');
    assert.equal(inv.lines.data[0].taxes[0].amount, 190);
    const pi = await stripe.paymentIntents.retrieve(inv.payments.data[0].payment.payment_intent);
    assert.equal(pi.amount, 1190, 'the tax is charged');

    const atelier = await stripe.customers.create({
      name: 'Atelier Durand SARL', address: { line1: '10 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' },
      tax_id_data: [{ type: 'eu_vat', value: 'FRAB123456789' }],
      payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const b2b = await stripe.subscriptions.create({
      customer: atelier.id, items: [{ price: price.id }], automatic_tax: { enabled: true }, expand: ['latest_invoice'],
    });
    assert.equal(b2b.latest_invoice.total, 1000);
    assert.equal(b2b.latest_invoice.total_taxes[0].amount, 0);
    assert.equal(b2b.latest_invoice.total_taxes[0].taxability_reason, 'reverse_charge');
    assert.deepEqual(b2b.latest_invoice.customer_tax_ids, [{ type: 'eu_vat', value: 'FRAB123456789' }]);

    const preview = await stripe.invoices.createPreview({ subscription: sub.id });
    assert.equal(preview.total, 1190, 'the next renewal is taxed too');
    const manual = await stripe.taxRates.create({ display_name: 'VAT', percentage: 19, inclusive: false });
    const mixed = await refused(stripe.subscriptions.create({
      customer: lena.id, items: [{ price: price.id }], automatic_tax: { enabled: true }, default_tax_rates: [manual.id],
    }));
    assert.equal(mixed.statusCode, 400, 'rates set by hand and Stripe Tax exclude each other');
  });

  await check('payment method configurations: one without iDEAL decides a PaymentIntent\'s types', async () => {
    const list = await stripe.paymentMethodConfigurations.list();
    const def = list.data.find((c) => c.is_default);
    assert.ok(def, 'every account has its default configuration');
    assert.equal(def.name, 'Default');
    assert.equal(def.ideal.display_preference.value, 'on');
    let pmc = await stripe.paymentMethodConfigurations.create({ name: 'No iDEAL', ideal: { display_preference: { preference: 'off' } } });
    assert.match(pmc.id, /^pmc_/);
    assert.equal(pmc.active, true);
    assert.equal(pmc.is_default, false);
    assert.deepEqual(pmc.ideal, { available: false, display_preference: { overridable: null, preference: 'off', value: 'off' } });
    assert.equal(pmc.card.display_preference.preference, 'none');
    assert.equal(pmc.card.display_preference.value, 'on', 'a type without a preference of its own follows the default');

    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'eur', payment_method_configuration: pmc.id });
    assert.deepEqual(pi.payment_method_configuration_details, { id: pmc.id, parent: null });
    assert.ok(pi.payment_method_types.includes('card'));
    assert.ok(pi.payment_method_types.includes('sepa_debit'));
    assert.ok(!pi.payment_method_types.includes('ideal'), pi.payment_method_types.join());
    const plain = await stripe.paymentIntents.create({ amount: 2000, currency: 'eur' });
    assert.equal(plain.payment_method_configuration_details.id, def.id);
    assert.ok(plain.payment_method_types.includes('ideal'));
    const usd = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method_configuration: pmc.id });
    assert.ok(!usd.payment_method_types.includes('sepa_debit'), 'SEPA takes euros only');

    const e = await refused(stripe.paymentIntents.confirm(pi.id, { payment_method_data: { type: 'ideal' }, return_url: 'https://example.com/back' }));
    assert.equal(e.code, 'payment_intent_incompatible_payment_method');
    assert.equal(e.param, 'payment_method');

    pmc = await stripe.paymentMethodConfigurations.update(pmc.id, { ideal: { display_preference: { preference: 'on' } } });
    assert.equal(pmc.ideal.display_preference.value, 'on');
    const updated = await stripe.paymentIntents.update(pi.id, { amount: 2500 });
    assert.ok(updated.payment_method_types.includes('ideal'), 'an update takes the configuration\'s types again');
    pmc = await stripe.paymentMethodConfigurations.update(pmc.id, { active: false });
    assert.equal(pmc.active, false);
    const off = await refused(stripe.paymentIntents.create({ amount: 2000, currency: 'eur', payment_method_configuration: pmc.id }));
    assert.equal(off.statusCode, 400, 'an inactive configuration');
    assert.equal((await stripe.paymentMethodConfigurations.retrieve(pmc.id)).name, 'No iDEAL');
  });

  await check('pagination as the SDK walks it: backwards from ending_before, search by next_page, expand through a list', async () => {
    const tag = 'walk-node';
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await stripe.customers.create({ email: `${tag}-${i}@example.com`, name: `Walker ${i}`, metadata: { tag } })).id);
    // ending_before pages towards newer objects; the SDK hands them over
    // oldest first, each page asking for the ones before its first.
    const back = [];
    await stripe.customers.list({ limit: 2, ending_before: made[0] }).autoPagingEach((c) => { back.push(c.id); });
    assert.deepEqual(back, made.slice(1), 'the four made after the first, oldest first');
    const first = await stripe.customers.search({ query: `metadata['tag']:'${tag}'`, limit: 2 });
    assert.equal(first.object, 'search_result');
    assert.equal(first.has_more, true);
    assert.equal(typeof first.next_page, 'string');
    const found = await stripe.customers.search({ query: `metadata['tag']:'${tag}'`, limit: 2 }).autoPagingToArray({ limit: 20 });
    assert.deepEqual(found.map((c) => c.id).sort(), [...made].sort(), 'each match once over three pages');
    const counted = await stripe.customers.search({ query: `metadata['tag']:'${tag}'`, expand: ['total_count'] });
    assert.equal(counted.total_count, 5);

    const pi = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd', customer: made[4], payment_method: 'pm_card_visa', confirm: true, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
    const page = await stripe.paymentIntents.list({ customer: made[4], expand: ['data.customer', 'data.latest_charge.balance_transaction'] });
    assert.equal(page.data[0].id, pi.id);
    assert.equal(page.data[0].customer.email, `${tag}-4@example.com`);
    assert.equal(page.data[0].latest_charge.balance_transaction.object, 'balance_transaction');
    assert.equal(page.data[0].latest_charge.balance_transaction.amount, 1200);

    const prices = [];
    for (const amount of [100, 200, 300]) prices.push(await stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount: amount, recurring: { interval: 'month' } }));
    const sub = await stripe.subscriptions.create({
      customer: made[4], items: prices.map((p) => ({ price: p.id })), payment_behavior: 'default_incomplete',
    });
    const items = await stripe.subscriptionItems.list({ subscription: sub.id, limit: 1, expand: ['data.price.product'] }).autoPagingToArray({ limit: 10 });
    assert.deepEqual(items.map((i) => i.id), sub.items.data.map((i) => i.id), 'a subscription\'s items, a page of one at a time');
    assert.equal(items[2].price.product.name, 'Pro');
  });

  await check('errors: a decline is a StripeCardError with Stripe\'s fields, headers and request log', async () => {
    const e = await refused(stripe.paymentIntents.create({
      amount: 2000, currency: 'usd', payment_method: 'pm_card_chargeDeclinedExpiredCard', confirm: true,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    }));
    assert.ok(e instanceof Stripe.errors.StripeCardError);
    assert.equal(e.type, 'StripeCardError');
    assert.equal(e.rawType, 'card_error');
    assert.equal(e.statusCode, 402);
    assert.equal(e.code, 'expired_card');
    assert.equal(e.decline_code, undefined, 'an expired card carries no decline_code: its code says it');
    assert.equal(e.param, 'exp_month', 'the card field an expired card blames');
    assert.equal(e.doc_url, 'https://stripe.com/docs/error-codes/expired-card');
    assert.match(e.requestId, /^req_/);
    assert.equal(e.headers['request-id'], e.requestId);
    assert.match(e.raw.request_log_url, new RegExp(`^https://dashboard\\.stripe\\.com/test/logs/${e.requestId}\\?t=\\d+$`));
    assert.match(e.payment_intent.id, /^pi_/);
    assert.equal(e.payment_intent.status, 'requires_payment_method');
    assert.equal(e.payment_intent.last_payment_error.code, 'expired_card');
    assert.match(e.payment_method.id, /^pm_/);
    assert.match(e.charge, /^ch_/);
    const missing = await refused(stripe.customers.retrieve('cus_missing'));
    assert.ok(missing instanceof Stripe.errors.StripeInvalidRequestError);
    assert.deepEqual([missing.statusCode, missing.code, missing.param], [404, 'resource_missing', 'id']);
    const bad = await refused(new Stripe('sk_live_nope', { host: base.hostname, port: base.port, protocol: base.protocol.replace(':', '') }).customers.list());
    assert.ok(bad instanceof Stripe.errors.StripeAuthenticationError);
  });

  await check('headers: the pinned version, the account and the key echoed on lastResponse; telemetry accepted; other versions', async () => {
    // A client that keeps the headers of every request it sends.
    const sent = [];
    const inner = Stripe.createNodeHttpClient();
    const watching = {
      getClientName: () => inner.getClientName(),
      makeRequest: (host, port, path, method, headers, ...rest) => {
        sent.push(headers);
        return inner.makeRequest(host, port, path, method, headers, ...rest);
      },
    };
    const s = new Stripe('sk_test_sdk_check', { host: base.hostname, port: base.port, protocol: base.protocol.replace(':', ''), httpClient: watching });
    const acct = await s.accounts.create({ type: 'express' });
    const cus = await s.customers.create({ email: 'echo@example.com' }, { stripeAccount: acct.id, idempotencyKey: 'sdk-echo-1' });
    assert.equal(cus.lastResponse.apiVersion, '2025-08-27.basil');
    assert.equal(cus.lastResponse.idempotencyKey, 'sdk-echo-1');
    assert.equal(cus.lastResponse.stripeAccount, acct.id, 'Stripe-Account comes back on the answer');
    assert.equal(cus.lastResponse.headers['stripe-emu-warning'], undefined, 'the SDK speaks the emulator\'s version');
    const listed = await s.customers.list({ limit: 1 }, { stripeAccount: acct.id });
    assert.equal(listed.lastResponse.stripeAccount, acct.id);
    assert.equal((await s.customers.list({ limit: 1 })).lastResponse.stripeAccount, undefined, 'none for the platform');
    assert.ok(sent.every((h) => h['Stripe-Version'] === '2025-08-27.basil'));
    assert.ok(sent.every((h) => JSON.parse(h['X-Stripe-Client-User-Agent']).bindings_version === '18.5.0'));
    const telemetry = sent.filter((h) => h['X-Stripe-Client-Telemetry']).map((h) => JSON.parse(h['X-Stripe-Client-Telemetry']));
    assert.ok(telemetry.length >= 2, 'each request after the first reports the one before');
    assert.match(telemetry[0].last_request_metrics.request_id, /^req_/);
    // Another version asked for per request: within basil it is answered
    // as asked; outside, in basil's shapes, which the answer says.
    const march = await s.customers.retrieve(cus.id, {}, { stripeAccount: acct.id, apiVersion: '2025-03-31.basil' });
    assert.equal(march.lastResponse.apiVersion, '2025-03-31.basil');
    const clover = await s.customers.retrieve(cus.id, {}, { stripeAccount: acct.id, apiVersion: '2025-09-30.clover' });
    assert.equal(clover.lastResponse.apiVersion, '2025-08-27.basil');
    assert.match(clover.lastResponse.headers['stripe-emu-warning'], /^Stripe-Version 2025-09-30\.clover is answered in 2025-08-27\.basil's shapes/);
    // A client made with another version sends it on every request.
    const pinned = new Stripe('sk_test_sdk_check', { host: base.hostname, port: base.port, protocol: base.protocol.replace(':', ''), apiVersion: '2025-03-31.basil' });
    assert.equal((await pinned.customers.list({ limit: 1 })).lastResponse.apiVersion, '2025-03-31.basil');
    assert.equal((await pinned.customers.create({ email: 'pinned@example.com' })).lastResponse.apiVersion, '2025-03-31.basil');
  });

  await check('retries the SDK makes on its own: a lost connection, a lost answer, a lock timeout, a key still in flight', async () => {
    const fault = async (f) => {
      const res = await fetch(new URL('/_emu/faults', base), { method: 'POST', body: JSON.stringify(f) });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()).id;
    };
    const attempts = [];
    const retrying = new Stripe('sk_test_sdk_check', { host: base.hostname, port: base.port, protocol: base.protocol.replace(':', ''), maxNetworkRetries: 2 });
    retrying.on('request', (r) => attempts.push(r.idempotency_key));
    const countOf = async (email) => (await stripe.customers.list({ email })).data.length;

    await fault({ method: 'POST', path: '/v1/customers', kind: 'drop', times: 1 });
    const dropped = await retrying.customers.create({ email: 'retry-drop@example.com' });
    assert.equal(attempts.length, 2, 'the SDK tried again after the connection closed');
    assert.match(attempts[0], /^stripe-node-retry-/);
    assert.equal(attempts[1], attempts[0], 'under the key it made for the first attempt');
    assert.equal(dropped.lastResponse.idempotencyKey, attempts[0]);
    assert.equal(await countOf('retry-drop@example.com'), 1);

    // An answer lost after the request ran: the retry is answered with the
    // first attempt's result, not a second customer.
    attempts.length = 0;
    await fault({ method: 'POST', path: '/v1/customers', kind: 'drop_answer', times: 1 });
    const lost = await retrying.customers.create({ email: 'retry-lost@example.com' });
    assert.equal(attempts.length, 2);
    assert.equal(attempts[1], attempts[0]);
    assert.equal(lost.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal(await countOf('retry-lost@example.com'), 1);

    // Stripe advises a retry of a lock timeout (Stripe-Should-Retry: true),
    // which stripe-node follows as stripe-go does.
    attempts.length = 0;
    await fault({ method: 'POST', path: '/v1/customers', kind: 'lock_timeout', times: 1 });
    const locked = await retrying.customers.create({ email: 'retry-lock@example.com' });
    assert.match(locked.id, /^cus_/);
    assert.equal(attempts.length, 2);
    assert.equal(await countOf('retry-lock@example.com'), 1);
    await fault({ method: 'POST', path: '/v1/customers', kind: 'lock_timeout', times: 1 });
    const once = await refused(stripe.customers.create({ email: 'no-retry@example.com' }));
    assert.equal(once.code, 'lock_timeout', 'without retries the SDK hands the 429 over');
    assert.equal(once.headers['stripe-should-retry'], 'true');

    // A request whose key is still running is answered 409, which the SDK
    // retries: the first request, held, is let go when the 409 arrives.
    const held = await fault({ method: 'POST', path: '/v1/customers', kind: 'hold', times: 1 });
    const first = fetch(new URL('/v1/customers', base), {
      method: 'POST', body: 'email=retry-held%40example.com',
      headers: { Authorization: 'Bearer sk_test_sdk_check', 'Content-Type': 'application/x-www-form-urlencoded', 'Idempotency-Key': 'sdk-held-1' },
    });
    for (;;) { // until the emulator holds it, its key in flight
      const [f] = (await (await fetch(new URL('/_emu/faults', base))).json()).filter((x) => x.id === held);
      if (f.waiting === 1) break;
      await new Promise((r) => setImmediate(r));
    }
    const inner = Stripe.createNodeHttpClient();
    let conflicts = 0;
    const releasing = {
      getClientName: () => inner.getClientName(),
      makeRequest: async (...args) => {
        const res = await inner.makeRequest(...args);
        if (res.getStatusCode() === 409) {
          conflicts++;
          assert.equal(res.getHeaders()['stripe-should-retry'], undefined, 'a 409 is not final');
          await fetch(new URL(`/_emu/faults/${held}`, base), { method: 'DELETE' });
          assert.equal((await first).status, 200);
        }
        return res;
      },
    };
    const patient = new Stripe('sk_test_sdk_check', { host: base.hostname, port: base.port, protocol: base.protocol.replace(':', ''), maxNetworkRetries: 1, httpClient: releasing });
    const replayed = await patient.customers.create({ email: 'retry-held@example.com' }, { idempotencyKey: 'sdk-held-1' });
    assert.equal(conflicts, 1);
    assert.equal(replayed.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal(await countOf('retry-held@example.com'), 1);
  });

  await check('v2 through the SDK: include in a query, pages by next_page_url, a thin event parsed and fetched, retries under its key', async () => {
    let received;
    const delivered = new Promise((resolve) => { received = resolve; });
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => { res.writeHead(200).end(); received({ body, signature: req.headers['stripe-signature'] }); });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const dest = await stripe.v2.core.eventDestinations.create({
        name: 'Node thin', type: 'webhook_endpoint', event_payload: 'thin', enabled_events: ['v1.billing.meter.error_report_triggered'],
        webhook_endpoint: { url: `http://127.0.0.1:${server.address().port}/thin` }, include: ['webhook_endpoint.signing_secret'],
      });
      assert.match(dest.id, /^ed_test_/);
      const secret = dest.webhook_endpoint.signing_secret;
      assert.match(secret, /^whsec_/);
      // stripe-node sends a v2 query's arrays as repeated keys.
      const one = await stripe.v2.core.eventDestinations.retrieve(dest.id, { include: ['webhook_endpoint.url'] });
      assert.equal(one.webhook_endpoint.url, `http://127.0.0.1:${server.address().port}/thin`);
      const listed = await stripe.v2.core.eventDestinations.list({ include: ['webhook_endpoint.url'] });
      assert.equal(listed.data.find((d) => d.id === dest.id).webhook_endpoint.url, one.webhook_endpoint.url);
      // Both values of a two-value array arrive: the second is refused by name.
      const secretAgain = await refused(stripe.v2.core.eventDestinations.retrieve(dest.id, { include: ['webhook_endpoint.url', 'webhook_endpoint.signing_secret'] }));
      assert.equal(secretAgain.code, 'invalid_fields');
      assert.match(secretAgain.message, /webhook_endpoint\.signing_secret is not one of/, 'the secret is shown at creation only');

      await stripe.v2.core.eventDestinations.ping(dest.id);
      const { body, signature } = await delivered;
      const thin = stripe.parseThinEvent(body, signature, secret);
      assert.equal(thin.type, 'v2.core.event_destination.ping');
      assert.equal(thin.related_object.id, dest.id);
      const event = await stripe.v2.core.events.retrieve(thin.id);
      assert.equal(event.object, 'v2.core.event');
      assert.equal((await event.fetchRelatedObject()).id, dest.id);

      for (let i = 0; i < 2; i++) {
        await stripe.v2.core.eventDestinations.create({ name: `Node ${i}`, type: 'webhook_endpoint', event_payload: 'thin', enabled_events: ['v1.billing.meter.no_meter_found'], webhook_endpoint: { url: 'http://127.0.0.1:9/thin' } });
      }
      const page = await stripe.v2.core.eventDestinations.list({ limit: 2 });
      assert.match(page.next_page_url, /^\/v2\/core\/event_destinations\?/);
      const all = [];
      for await (const d of stripe.v2.core.eventDestinations.list({ limit: 2 })) all.push(d.id);
      assert.equal(new Set(all).size, all.length);
      assert.ok(all.includes(dest.id) && all.length >= 3, all.join());

      const e = await refused(stripe.v2.core.eventDestinations.create({ name: 'x', type: 'webhook_endpoint', event_payload: 'thin', bogus: 1 }));
      assert.ok(e instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(e.code, 'invalid_fields');

      // v2 POSTs always carry a key stripe-node makes; a dropped one is sent again under it.
      const customer = await stripe.customers.create({ email: 'v2-meter@example.com' });
      await stripe.billing.meters.create({ display_name: 'Node v2 calls', event_name: 'node_v2_call', default_aggregation: { formula: 'sum' } });
      const retrying = new Stripe('sk_test_sdk_check', { host: base.hostname, port: base.port, protocol: base.protocol.replace(':', ''), maxNetworkRetries: 2 });
      const keys = [];
      retrying.on('request', (r) => keys.push(r.idempotency_key));
      await fetch(new URL('/_emu/faults', base), { method: 'POST', body: JSON.stringify({ method: 'POST', path: '/v2/billing/meter_events', kind: 'drop', times: 1 }) });
      const me = await retrying.v2.billing.meterEvents.create({ event_name: 'node_v2_call', payload: { stripe_customer_id: customer.id, value: '3' } });
      assert.equal(me.object, 'v2.billing.meter_event');
      assert.equal(keys.length, 2);
      assert.equal(keys[1], keys[0]);
    } finally {
      server.close();
    }
  });

  await check('encoding: null and \'\' unset, an array unset by \'\', a Date as a Unix time, decimals as strings, nested metadata refused', async () => {
    const rate = await stripe.taxRates.create({ display_name: 'GST', percentage: 5, inclusive: false });
    let c = await stripe.customers.create({ email: 'enc@example.com', description: 'first', name: 'Enc', metadata: { a: '1', b: '2' } });
    c = await stripe.customers.update(c.id, { description: null, name: '', metadata: { a: '' } });
    assert.equal(c.description, null, 'null is sent as an empty value, which unsets');
    assert.equal(c.name, null);
    assert.deepEqual(c.metadata, { b: '2' }, 'an empty value unsets one key');
    c = await stripe.customers.update(c.id, { metadata: '' });
    assert.deepEqual(c.metadata, {}, 'an empty metadata unsets them all');
    const since = await stripe.customers.list({ email: 'enc@example.com', created: { gte: new Date(c.created * 1000), lte: new Date((c.created + 1) * 1000) } });
    assert.deepEqual(since.data.map((x) => x.id), [c.id]);
    const price = await stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount_decimal: '12.345', recurring: { interval: 'month' } });
    assert.equal(price.unit_amount_decimal, '12.345');
    assert.equal(price.unit_amount, null);
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    let sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: prod.default_price.id }], default_tax_rates: [rate.id] });
    assert.deepEqual(sub.default_tax_rates.map((r) => r.id), [rate.id]);
    sub = await stripe.subscriptions.update(sub.id, { default_tax_rates: '' });
    assert.deepEqual(sub.default_tax_rates, [], 'an empty value empties a list');
    const nested = await refused(stripe.customers.create({ metadata: { a: { b: 'c' } } }));
    assert.ok(nested instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(nested.param, 'metadata[a]');
    const missing = await refused(stripe.prices.create({ unit_amount: 100, product: prod.id }));
    assert.deepEqual([missing.code, missing.param, missing.message], ['parameter_missing', 'currency', 'Missing required param: currency.']);
  });

  await check('del, and what a deleted object answers', async () => {
    const c = await stripe.customers.create({ email: 'gone@example.com' });
    const gone = await stripe.customers.del(c.id);
    assert.deepEqual({ ...gone }, { id: c.id, object: 'customer', deleted: true });
    assert.equal((await stripe.customers.retrieve(c.id)).deleted, true, 'a deleted customer is still retrieved, marked deleted');
    const again = await refused(stripe.customers.update(c.id, { name: 'x' }));
    assert.deepEqual([again.statusCode, again.code], [404, 'resource_missing']);
    const coupon = await stripe.coupons.create({ percent_off: 10, duration: 'once' });
    assert.equal((await stripe.coupons.del(coupon.id)).deleted, true);
    const ii = await stripe.invoiceItems.create({ customer: cus.id, amount: 300, currency: 'usd' });
    assert.deepEqual({ ...(await stripe.invoiceItems.del(ii.id)) }, { id: ii.id, object: 'invoiceitem', deleted: true });
  });

  await check('error classes: idempotency, permission, authentication with a publishable key', async () => {
    const key = `sdk-idem-${cus.id}`;
    await stripe.customers.create({ email: 'k@example.com' }, { idempotencyKey: key });
    const other = await refused(stripe.customers.create({ email: 'other@example.com' }, { idempotencyKey: key }));
    assert.ok(other instanceof Stripe.errors.StripeIdempotencyError);
    assert.equal(other.rawType, 'idempotency_error');
    const elsewhere = await refused(stripe.products.create({ name: 'x' }, { idempotencyKey: key }));
    assert.ok(elsewhere instanceof Stripe.errors.StripeIdempotencyError);
    const noAccount = await refused(stripe.customers.list({}, { stripeAccount: 'acct_1NoSuchAccount' }));
    assert.ok(noAccount instanceof Stripe.errors.StripePermissionError);
    assert.deepEqual([noAccount.statusCode, noAccount.code], [403, 'account_invalid']);
    const pk = await refused(new Stripe('pk_test_sdk_check', { host: base.hostname, port: base.port, protocol: base.protocol.replace(':', '') }).customers.list());
    assert.ok(pk instanceof Stripe.errors.StripeAuthenticationError);
    assert.equal(pk.statusCode, 401);
  });

  await check('rawRequest: a GET with its query in the path, a v2 DELETE, errors as the SDK\'s classes', async () => {
    const page = await stripe.rawRequest('GET', `/v1/customers?limit=1&email=${encodeURIComponent('node@example.com')}`);
    assert.deepEqual(page.data.map((c) => c.id), [cus.id]);
    assert.equal(page.lastResponse.statusCode, 200);
    const bad = await refused(stripe.rawRequest('POST', '/v1/customers', { bogus: 1 }));
    assert.ok(bad instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(bad.param, 'bogus');
    const dest = await stripe.rawRequest('POST', '/v2/core/event_destinations', {
      name: 'raw', type: 'webhook_endpoint', event_payload: 'thin', enabled_events: ['v1.billing.meter.no_meter_found'],
      webhook_endpoint: { url: 'https://example.com/raw' },
    });
    assert.match(dest.id, /^ed_test_/);
    const gone = await stripe.rawRequest('DELETE', `/v2/core/event_destinations/${dest.id}`);
    assert.deepEqual({ id: gone.id, object: gone.object }, { id: dest.id, object: 'v2.core.event_destination' });
    const missing = await refused(stripe.rawRequest('GET', `/v2/core/event_destinations/${dest.id}`));
    assert.ok(missing instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(missing.statusCode, 404);
    // Stripe-Account from the options. (stripe-node 18.5.0 drops it when
    // additionalHeaders is also given: that option replaces its headers.)
    const acct = await stripe.accounts.create({ type: 'express' });
    const there = await stripe.rawRequest('POST', '/v1/customers', { email: 'raw-there@example.com' }, { stripeAccount: acct.id });
    assert.equal(there.lastResponse.stripeAccount, acct.id);
    assert.equal((await stripe.rawRequest('GET', `/v1/customers/${there.id}`, null, { stripeAccount: acct.id })).id, there.id);
    assert.equal((await refused(stripe.rawRequest('GET', `/v1/customers/${there.id}`))).statusCode, 404, 'not the platform\'s');
  });

  await check('webhooks: a header from generateTestHeaderString verifies, a tampered body does not', async () => {
    const event = (await stripe.events.list({ type: 'customer.created', limit: 1 })).data[0];
    const payload = JSON.stringify(event);
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_sdk_check' });
    assert.equal(stripe.webhooks.constructEvent(payload, header, 'whsec_sdk_check').id, event.id);
    assert.equal((await stripe.webhooks.constructEventAsync(Buffer.from(payload), header, 'whsec_sdk_check')).id, event.id);
    assert.throws(() => stripe.webhooks.constructEvent(payload.replace(event.id, 'evt_forged'), header, 'whsec_sdk_check'), Stripe.errors.StripeSignatureVerificationError);
  });

  await check('retries on a 500: the SDK sends the POST again under the same key, once', async () => {
    const keys = [];
    const retrying = new Stripe('sk_test_sdk_check', { host: base.hostname, port: base.port, protocol: base.protocol.replace(':', ''), maxNetworkRetries: 1 });
    retrying.on('request', (r) => keys.push(r.idempotency_key));
    const res = await fetch(new URL('/_emu/faults', base), { method: 'POST', body: JSON.stringify({ method: 'POST', path: '/v1/customers', kind: 'server_error', times: 1 }) });
    assert.equal(res.status, 200);
    const c = await retrying.customers.create({ email: 'retry-500@example.com' });
    assert.equal(keys.length, 2);
    assert.equal(keys[1], keys[0]);
    assert.equal(c.lastResponse.idempotencyKey, keys[0]);
    assert.equal((await stripe.customers.list({ email: 'retry-500@example.com' })).data.length, 1);
  });

  await check('DELETE with parameters: a subscription canceled with its details, an item removed without proration', async () => {
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const other = await stripe.prices.create({ product: prod.id, currency: 'usd', unit_amount: 300, recurring: { interval: 'month' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: prod.default_price.id }, { price: other.id }] });
    const gone = await stripe.subscriptionItems.del(sub.items.data[1].id, { proration_behavior: 'none' });
    assert.deepEqual({ ...gone }, { id: sub.items.data[1].id, object: 'subscription_item', deleted: true });
    const canceled = await stripe.subscriptions.cancel(sub.id, { prorate: true, cancellation_details: { comment: 'moving on', feedback: 'too_expensive' } });
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.cancellation_details.comment, 'moving on');
    assert.equal(canceled.cancellation_details.feedback, 'too_expensive');
    assert.deepEqual(canceled.items.data.map((i) => i.id), [sub.items.data[0].id]);
  });

  await check('v2 meter event stream: a session, then events sent with its token to the stream host', async () => {
    const customer = await stripe.customers.create({ email: 'stream@example.com' });
    const meter = await stripe.billing.meters.create({ display_name: 'Node stream', event_name: 'node_stream', default_aggregation: { formula: 'sum' } });
    const session = await stripe.v2.billing.meterEventSession.create();
    assert.equal(session.object, 'v2.billing.meter_event_session');
    assert.ok(session.authentication_token, 'a token to authenticate the stream with');
    // stripe-node sends the stream to meter-events.stripe.com whatever the
    // client's host; a request option points it at the emulator.
    const streaming = new Stripe(session.authentication_token, { host: base.hostname, port: base.port, protocol: base.protocol.replace(':', '') });
    const sent = await streaming.v2.billing.meterEventStream.create({
      events: [{ event_name: 'node_stream', payload: { stripe_customer_id: customer.id, value: '7' }, identifier: 'node-stream-1' }],
    }, { host: base.hostname });
    assert.deepEqual({ ...sent }, {});
    const start = meter.created - (meter.created % 86400);
    const summaries = await stripe.billing.meters.listEventSummaries(meter.id, { customer: customer.id, start_time: start, end_time: start + 86400 });
    assert.equal(summaries.data[0].aggregated_value, 7);
  });

  await check('Connect OAuth: the authorize page, a code for keys of the connected account, deauthorize', async () => {
    // The connect host is the emulator too: its client_id is on /_emu/health.
    const { connect_application: clientId } = await (await fetch(new URL('/_emu/health', base))).json();
    const authorize = new URL(stripe.oauth.authorizeUrl({ client_id: clientId, state: 'st8', redirect_uri: 'https://platform.example/cb' }));
    const page = new URL(authorize.pathname + authorize.search, base);
    assert.equal((await fetch(page)).status, 200);
    const done = await fetch(page, { method: 'POST', body: new URLSearchParams({ decision: 'connect' }), redirect: 'manual' });
    assert.equal(done.status, 302);
    const back = new URL(done.headers.get('location')).searchParams;
    assert.equal(back.get('state'), 'st8');
    // stripe-node sends oauth calls to connect.stripe.com whatever the
    // client's host; the request option points them at the emulator.
    const at = { host: base.hostname };
    const tok = await stripe.oauth.token({ grant_type: 'authorization_code', code: back.get('code') }, at);
    assert.equal(tok.token_type, 'bearer');
    assert.equal(tok.scope, 'read_write');
    const fresh = await stripe.oauth.token({ grant_type: 'refresh_token', refresh_token: tok.refresh_token }, at);
    const e = await refused(stripe.oauth.token({ grant_type: 'authorization_code', code: 'ac_none' }, at));
    assert.equal(e.type, 'StripeInvalidGrantError');
    assert.equal(e.message, 'Authorization code does not exist: ac_none');
    const own = new Stripe(fresh.access_token, { host: base.hostname, port: base.port, protocol: base.protocol.replace(':', '') });
    const there = await own.customers.create({ email: 'oauth@example.com' });
    assert.equal((await stripe.customers.retrieve(there.id, {}, { stripeAccount: tok.stripe_user_id })).id, there.id);
    const gone = await stripe.oauth.deauthorize({ client_id: clientId, stripe_user_id: tok.stripe_user_id }, at);
    assert.equal(gone.stripe_user_id, tok.stripe_user_id);
  });

  console.log(`all checks passed (${passed})`);
  // stripe-node leaves the answer to a request it retried unread, and that
  // socket's 80 s timeout would keep the process alive.
  process.exit(0);
})();
