// Drives the shop page at APP_URL (page.html, served by stripejs_test.go)
// in headless Chromium with playwright-core: a customer types test cards
// into the Elements of the emulator's Stripe.js stand-in and pays, and the
// outcome is checked on the page and in the emulator at EMU_URL with the
// secret key. Prints "all checks passed" and exits 0, or names the first
// check that failed and exits 1.
'use strict';
const assert = require('node:assert/strict');
const { chromium } = require('playwright-core');

const APP = process.env.APP_URL;
const EMU = process.env.EMU_URL;
const SECRET = process.env.SECRET_KEY;

async function api(path, method = 'GET') {
  const r = await fetch(EMU + path, { method, headers: { Authorization: 'Bearer ' + SECRET } });
  assert.equal(r.status, 200, path);
  return r.json();
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    // The machine's network is closed: no background connections.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  const logs = [];
  page.on('console', (m) => logs.push(m.type() + ': ' + m.text()));
  page.on('pageerror', (e) => logs.push('pageerror: ' + e.message));
  let passed = 0;
  async function check(name, fn) {
    try {
      await fn();
      passed++;
    } catch (e) {
      console.error(`FAIL ${name}: ${e && e.stack ? e.stack : e}\npage console:\n${logs.join('\n')}`);
      await browser.close();
      process.exit(1);
    }
  }
  async function open(flow) {
    await page.goto(APP + '/?flow=' + flow);
    await page.locator('#pay:not([disabled])').waitFor();
  }
  async function typeCard(number, { exp = '12 / 34', cvc = '123', zip = '42424' } = {}) {
    await page.locator('[name=cardnumber]').pressSequentially(number);
    await page.locator('[name=exp-date]').fill(exp);
    await page.locator('[name=cvc]').fill(cvc);
    if (zip !== null && await page.locator('[name=postal]').count()) await page.locator('[name=postal]').fill(zip);
  }
  async function pay() {
    await page.locator('#pay').click();
    await page.waitForFunction(() => !['', 'working'].includes(document.getElementById('result').textContent));
    return page.locator('#result').textContent();
  }
  const threeDS = () => page.frameLocator('iframe[name=stripe-emu-3ds]');
  // authorizeAway clicks Pay, authorizes on the emulator's test page the
  // customer is sent to, and returns the query the return_url is given.
  async function authorizeAway() {
    await page.locator('#pay').click();
    await page.waitForURL(EMU + '/**');
    await page.getByRole('button', { name: 'Authorize test payment' }).click();
    await page.waitForURL(APP + '/done?**');
    return new URL(page.url()).searchParams;
  }
  // answerInFrame clicks Pay, answers the test page the stand-in opened in
  // its modal frame with the named button, and returns the page's result
  // once it matches done.
  async function answerInFrame(button, done) {
    await page.locator('#pay').click();
    await threeDS().getByRole('button', { name: button, exact: true }).click();
    await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('result').textContent), done.source);
    return page.locator('#result').textContent();
  }

  await check('a test card pays a PaymentIntent with confirmCardPayment', async () => {
    await open('card');
    await typeCard('4242 4242 4242 4242');
    const result = await pay();
    const m = /^payment_intent:(pi_\w+):succeeded$/.exec(result);
    assert.ok(m, result);
    const pi = await api('/v1/payment_intents/' + m[1] + '?expand[]=payment_method');
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.amount_received, 2000);
    assert.equal(pi.payment_method.card.last4, '4242');
    assert.equal(pi.payment_method.billing_details.name, 'Jenny Rosen');
    assert.equal(pi.payment_method.billing_details.address.postal_code, '42424');
  });

  await check('js.stripe.com\'s own URL, routed to the emulator, loads the stand-in', async () => {
    const context = await browser.newContext();
    const routed = await context.newPage();
    routed.setDefaultTimeout(15000);
    await routed.route('https://js.stripe.com/**', async (r) =>
      r.fulfill({ response: await r.fetch({ url: EMU + '/js.stripe.com' + new URL(r.request().url()).pathname }) }));
    await routed.goto(APP + '/?flow=card&real=1');
    await routed.locator('#pay:not([disabled])').waitFor();
    await routed.locator('[name=cardnumber]').fill('4242424242424242');
    await routed.locator('[name=exp-date]').fill('12/34');
    await routed.locator('[name=cvc]').fill('123');
    await routed.locator('[name=postal]').fill('10001');
    await routed.locator('#pay').click();
    await routed.waitForFunction(() => /^payment_intent:/.test(document.getElementById('result').textContent));
    assert.match(await routed.locator('#result').textContent(), /^payment_intent:pi_\w+:succeeded$/);
    await context.close();
  });

  await check('a declined card shows the decline', async () => {
    await open('card');
    await typeCard('4000000000000002');
    assert.equal(await pay(), 'error:generic_decline');
    assert.equal(await page.locator('#errors').textContent(), 'Your card was declined.');
  });

  await check('a mistyped number is refused on the page, as Stripe.js validates it', async () => {
    await open('card');
    await typeCard('4242424242424241');
    assert.equal(await page.locator('#errors').textContent(), 'Your card number is invalid.');
    assert.equal(await pay(), 'error:invalid_number');
  });

  await check('a 3-D Secure card authenticates in the test page frame', async () => {
    await open('card');
    await typeCard('4000002760003184');
    const result = await answerInFrame('Authorize test payment', /^payment_intent:/);
    const m = /^payment_intent:(pi_\w+):succeeded$/.exec(result);
    assert.ok(m, result);
    assert.equal((await api('/v1/payment_intents/' + m[1])).status, 'succeeded');
    assert.equal(await page.locator('iframe[name=stripe-emu-3ds]').count(), 0, 'the frame is gone');
  });

  await check('a failed 3-D Secure authentication answers the error', async () => {
    await open('card');
    await typeCard('4000002760003184');
    assert.equal(await answerInFrame('Fail test payment', /^error:/), 'error:payment_intent_authentication_failure');
  });

  await check('confirmCardSetup saves a card on a SetupIntent', async () => {
    await open('setup');
    await typeCard('4242424242424242');
    assert.match(await pay(), /^setup_intent:seti_\w+:succeeded$/);
  });

  await check('split card Elements make a PaymentMethod', async () => {
    await open('split');
    await typeCard('5555555555554444', { zip: null });
    const m = /^payment_method:(pm_\w+):card$/.exec(await pay());
    assert.ok(m);
    const pm = await api('/v1/payment_methods/' + m[1]);
    assert.equal(pm.card.brand, 'mastercard');
    assert.equal(pm.card.exp_month, 12);
    assert.equal(pm.card.exp_year, 2034);
  });

  await check('createToken makes a card token', async () => {
    await open('token');
    await typeCard('4242424242424242');
    const m = /^token:(tok_\w+):card$/.exec(await pay());
    assert.ok(m);
    assert.equal((await api('/v1/tokens/' + m[1])).card.address_zip, '42424');
  });

  await check('the Payment Element pays with confirmPayment (redirect: if_required)', async () => {
    await open('payment');
    await typeCard('4242424242424242');
    const m = /^payment_intent:(pi_\w+):succeeded$/.exec(await pay());
    assert.ok(m);
    assert.equal((await api('/v1/payment_intents/' + m[1])).amount_received, 1500);
  });

  await check('the Payment Element saves a card with confirmSetup, the client secret given to elements()', async () => {
    await open('setup-element');
    await typeCard('4242424242424242');
    const m = /^setup_intent:(seti_\w+):succeeded$/.exec(await pay());
    assert.ok(m);
    const si = await api('/v1/setup_intents/' + m[1] + '?expand[]=payment_method');
    assert.equal(si.payment_method.card.last4, '4242');
  });

  await check('elements.submit() refuses an incomplete Payment Element', async () => {
    await open('payment');
    await page.locator('[name=cardnumber]').fill('4242');
    assert.equal(await pay(), 'error:incomplete_number');
  });

  await check('confirmPayment redirects through 3-D Secure to the return_url', async () => {
    await open('payment-redirect');
    await typeCard('4000002760003184');
    const q = await authorizeAway();
    assert.equal(q.get('redirect_status'), 'succeeded');
    assert.equal((await api('/v1/payment_intents/' + q.get('payment_intent'))).status, 'succeeded');
    assert.match(q.get('payment_intent_client_secret'), /_secret_/);
  });

  await check('handleCardAction authenticates an intent the server confirms, which the server then confirms', async () => {
    await open('card-action');
    const result = await answerInFrame('Authorize test payment', /^payment_intent:/);
    const m = /^payment_intent:(pi_\w+):requires_confirmation$/.exec(result);
    assert.ok(m, result);
    assert.equal((await api('/v1/payment_intents/' + m[1] + '/confirm', 'POST')).status, 'succeeded');
  });

  await check('handleNextAction authenticates an intent confirmed on the server', async () => {
    await open('next-action');
    assert.match(await answerInFrame('Authorize test payment', /^payment_intent:/), /^payment_intent:pi_\w+:succeeded$/);
  });

  await check('retrievePaymentIntent shows the client-side view', async () => {
    await open('retrieve');
    assert.match(await pay(), /^payment_intent:pi_\w+:requires_payment_method$/);
  });

  await check('redirectToCheckout opens the emulator\'s hosted Checkout page', async () => {
    await open('checkout');
    await page.locator('#pay').click();
    await page.waitForURL(EMU + '/checkout/cs_test_**');
  });

  await check('createConfirmationToken sends the Payment Element\'s card to the server, which confirms with it', async () => {
    await open('ctoken');
    await typeCard('4242424242424242');
    const m = /^payment_intent:(pi_\w+):succeeded$/.exec(await pay());
    assert.ok(m, await page.locator('#result').textContent());
    const pi = await api('/v1/payment_intents/' + m[1] + '?expand[]=payment_method');
    assert.equal(pi.amount_received, 1500);
    assert.equal(pi.payment_method.card.last4, '4242');
    assert.equal(pi.payment_method.billing_details.name, 'Jenny Rosen');
    assert.equal(pi.payment_method.billing_details.address.postal_code, '42424');
  });

  await check('a ConfirmationToken of a 3-D Secure card leaves the action to handleNextAction', async () => {
    await open('ctoken');
    await typeCard('4000002760003184');
    assert.match(await answerInFrame('Authorize test payment', /^payment_intent:/), /^payment_intent:pi_\w+:succeeded$/);
  });

  await check('createConfirmationToken refuses an incomplete Payment Element before calling the API', async () => {
    await open('ctoken');
    await page.locator('[name=cardnumber]').fill('4242');
    assert.equal(await pay(), 'error:incomplete_number');
  });

  async function typeAddress() {
    await page.locator('[name=name]').fill('Jenny Rosen');
    await page.locator('[name=addressLine1]').fill('1 Main St');
    await page.locator('[name=locality]').fill('Springfield');
    await page.locator('[name=administrativeArea]').fill('CA');
    await page.locator('[name=postalCode]').fill('12345');
  }

  await check('the Address Element in shipping mode ships the PaymentIntent; a test browser offers no wallet', async () => {
    await open('address-shipping');
    await page.waitForFunction(() => document.getElementById('wallets').textContent.split(' ').length === 2);
    assert.deepEqual((await page.locator('#wallets').textContent()).split(' ').sort(), ['express:none', 'pr:null']);
    await page.locator('[name=email]').fill('jenny@example.com');
    await typeCard('4242424242424242');
    await typeAddress();
    const m = /^payment_intent:(pi_\w+):succeeded$/.exec(await pay());
    assert.ok(m, await page.locator('#result').textContent());
    const pi = await api('/v1/payment_intents/' + m[1]);
    assert.equal(pi.shipping.name, 'Jenny Rosen');
    assert.equal(pi.shipping.address.line1, '1 Main St');
    assert.equal(pi.shipping.address.country, 'US');
  });

  await check('elements.submit() refuses an Address Element left empty', async () => {
    await open('address-shipping');
    await page.locator('[name=email]').fill('jenny@example.com');
    await typeCard('4242424242424242');
    assert.equal(await pay(), 'error:incomplete_address');
  });

  await check('the Address Element in billing mode gives the payment method its billing details', async () => {
    await open('address-billing');
    await page.locator('[name=email]').fill('jenny@example.com');
    await typeCard('4242424242424242');
    await typeAddress();
    const m = /^payment_intent:(pi_\w+):succeeded$/.exec(await pay());
    assert.ok(m, await page.locator('#result').textContent());
    const pi = await api('/v1/payment_intents/' + m[1] + '?expand[]=payment_method');
    assert.equal(pi.payment_method.billing_details.name, 'Jenny Rosen', 'the page\'s own billing name');
    assert.equal(pi.payment_method.billing_details.address.line1, '1 Main St');
    assert.equal(pi.payment_method.billing_details.address.city, 'Springfield');
  });

  async function typeSepa(iban) {
    await page.getByRole('tab', { name: 'SEPA Debit' }).click();
    await page.locator('[name=accountHolderName]').fill('Jenny Rosen');
    await page.locator('[name=accountHolderEmail]').fill('jenny@example.com');
    await page.locator('[name=iban]').fill(iban);
  }

  await check('the Payment Element offers its intent\'s SEPA Direct Debit as a tab, and confirms it under an online mandate', async () => {
    await open('sepa-element');
    assert.deepEqual(await page.getByRole('tab').allTextContents(), ['Card', 'SEPA Debit']);
    await typeSepa('DE89 3704 0044 0532 0130 00');
    const m = /^payment_intent:(pi_\w+):processing$/.exec(await pay());
    assert.ok(m, await page.locator('#result').textContent());
    const pi = await api('/v1/payment_intents/' + m[1] + '?expand[]=payment_method&expand[]=latest_charge');
    assert.equal(pi.payment_method.type, 'sepa_debit');
    assert.equal(pi.payment_method.sepa_debit.last4, '3000');
    assert.equal(pi.payment_method.billing_details.email, 'jenny@example.com');
    const mandate = await api('/v1/mandates/' + pi.latest_charge.payment_method_details.sepa_debit.mandate);
    assert.equal(mandate.customer_acceptance.type, 'online');
    assert.ok(mandate.customer_acceptance.online.ip_address, 'the browser\'s address');
  });

  await check('confirmSepaDebitPayment debits the IBAN Element\'s account under an online mandate', async () => {
    await open('iban');
    await page.locator('[name=iban]').fill('AT611904300234573201');
    const m = /^payment_intent:(pi_\w+):processing$/.exec(await pay());
    assert.ok(m, await page.locator('#result').textContent());
    const pi = await api('/v1/payment_intents/' + m[1] + '?expand[]=payment_method&expand[]=latest_charge');
    assert.equal(pi.payment_method.sepa_debit.country, 'AT');
    assert.equal(pi.payment_method.billing_details.name, 'Jenny Rosen');
    assert.ok(pi.latest_charge.payment_method_details.sepa_debit.mandate);
  });

  await check('confirmIdealPayment sends the customer to the bank\'s test page and back to the return_url', async () => {
    await open('ideal');
    const q = await authorizeAway();
    assert.equal(q.get('redirect_status'), 'succeeded');
    const pi = await api('/v1/payment_intents/' + q.get('payment_intent') + '?expand[]=payment_method');
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.payment_method.ideal.bank, 'abn_amro');
    assert.equal(pi.payment_method.billing_details.name, 'Jenny Rosen');
  });

  await check('confirmBlikPayment waits for the customer\'s approval in their bank app, which the emulator\'s clock brings', async () => {
    await open('blik');
    await page.locator('#pay').click();
    let pi;
    for (let i = 0; i < 100 && !(pi && pi.status === 'requires_action'); i++) {
      [pi] = (await api('/v1/payment_intents?limit=1')).data;
      if (!pi || pi.status !== 'requires_action') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(pi.next_action.type, 'blik_authorize');
    assert.equal(await page.locator('#result').textContent(), 'working', 'still waiting for the bank app');
    const moved = await fetch(EMU + '/_emu/clock', { method: 'POST', body: JSON.stringify({ advance: '10s' }) });
    assert.equal(moved.status, 200);
    await page.waitForFunction(() => /^payment_intent:/.test(document.getElementById('result').textContent));
    assert.equal(await page.locator('#result').textContent(), 'payment_intent:' + pi.id + ':succeeded');
  });

  await check('confirmOxxoPayment shows the voucher in a modal, and resolves once the customer closes it', async () => {
    await open('oxxo');
    await page.locator('#pay').click();
    await threeDS().getByRole('button', { name: 'Authorize test payment' }).waitFor();
    await page.getByRole('button', { name: 'Close voucher' }).click();
    await page.waitForFunction(() => /^payment_intent:/.test(document.getElementById('result').textContent));
    const m = /^payment_intent:(pi_\w+):requires_action$/.exec(await page.locator('#result').textContent());
    assert.ok(m, await page.locator('#result').textContent());
    const pi = await api('/v1/payment_intents/' + m[1]);
    assert.equal(pi.next_action.type, 'oxxo_display_details');
    assert.equal(await page.locator('iframe[name=stripe-emu-3ds]').count(), 0, 'the modal is gone');
  });

  await check('the Payment Element refuses a mistyped IBAN before calling the API', async () => {
    await open('sepa-element');
    await typeSepa('DE89370400440532013001');
    assert.equal(await pay(), 'error:invalid_iban');
  });

  await check('the Payment Element keeps what was typed in a tab when the customer switches back', async () => {
    await open('sepa-element');
    await typeCard('4242424242424242');
    await typeSepa('DE89370400440532013000');
    await page.getByRole('tab', { name: 'Card' }).click();
    assert.equal(await page.locator('[name=cardnumber]').inputValue(), '4242424242424242');
    assert.equal(await page.getByRole('tab', { name: 'Card' }).getAttribute('aria-selected'), 'true');
  });

  await check('a SEPA ConfirmationToken carries the mandate acceptance to the server\'s confirmation', async () => {
    await open('ctoken-sepa');
    await typeSepa('DE89370400440532013000');
    const m = /^payment_intent:(pi_\w+):processing$/.exec(await pay());
    assert.ok(m, await page.locator('#result').textContent());
    const pi = await api('/v1/payment_intents/' + m[1] + '?expand[]=latest_charge');
    assert.equal(pi.currency, 'eur');
    assert.ok(pi.latest_charge.payment_method_details.sepa_debit.mandate);
  });

  const embedded = () => page.frameLocator('iframe[name=stripe-emu-checkout]');

  await check('Embedded Checkout pays in its frame and sends the customer to the return_url', async () => {
    await open('embedded');
    await embedded().getByRole('button', { name: 'Pay with Visa 4242' }).click();
    await page.waitForURL(APP + '/done?session_id=cs_test_**');
    const id = new URL(page.url()).searchParams.get('session_id');
    const s = await api('/v1/checkout/sessions/' + id);
    assert.equal(s.status, 'complete');
    assert.equal(s.payment_status, 'paid');
  });

  await check('Embedded Checkout that never redirects calls onComplete', async () => {
    await open('embedded-never');
    const before = page.url();
    await embedded().getByRole('button', { name: 'Pay with Visa 4242' }).click();
    await page.waitForFunction(() => document.getElementById('result').textContent === 'checkout:complete');
    assert.equal(page.url(), before, 'the page stays');
  });

  await check('verifyIdentity shows the Identity session\'s test page in a modal and resolves once submitted', async () => {
    await open('identity');
    const [, id, state] = (await answerInFrame('verified', /^identity:/)).split(':');
    assert.equal(state, 'submitted');
    const vs = await api('/v1/identity/verification_sessions/' + id);
    assert.equal(vs.status, 'verified');
  });

  await check('a Stripe.js call the emulator does not emulate says so', async () => {
    await open('unsupported');
    assert.equal(await pay(), 'error:not_emulated');
    assert.match(await page.locator('#errors').textContent(), /stripe-emu's Stripe.js does not emulate stripe.confirmFpxPayment/);
  });

  await browser.close();
  console.log(`all checks passed (${passed})`);
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
