/*
 * stripe-emu's stand-in for Stripe.js (https://js.stripe.com/v3/), for
 * browser tests run offline against the emulator. Written for the emulator:
 * plain JavaScript, no build step. It defines window.Stripe with the calls
 * most integrations make, talking to the emulator that served it with the
 * publishable key, as Stripe.js talks to api.stripe.com. Elements are plain
 * <input>s in the page (no iframes): a test types into them by name
 * (cardnumber, exp-date, cvc, postal). Anything else says it is not emulated.
 */
(function () {
  'use strict';

  // The emulator that served this file (filled in when it is served, from
  // the request's host, so it holds when a test routes js.stripe.com here).
  var ORIGIN = '__STRIPE_EMU_ORIGIN__';
  if (ORIGIN.indexOf('__') === 0 && document.currentScript) {
    ORIGIN = new URL(document.currentScript.src).origin;
  }
  var NOT_EMULATED = "stripe-emu's Stripe.js does not emulate ";

  function integrationError(message) {
    var e = new Error(message);
    e.name = 'IntegrationError';
    return e;
  }

  // encode writes params as Stripe's form encoding: a[b][c]=v, a[0]=v.
  function encode(params) {
    var parts = [];
    (function walk(prefix, v) {
      if (v === undefined) return;
      if (v === null) { parts.push(encodeURIComponent(prefix) + '='); return; }
      if (Array.isArray(v)) {
        v.forEach(function (x, i) { walk(prefix + '[' + i + ']', x); });
        return;
      }
      if (typeof v === 'object') {
        Object.keys(v).forEach(function (k) { walk(prefix ? prefix + '[' + k + ']' : k, v[k]); });
        return;
      }
      parts.push(encodeURIComponent(prefix) + '=' + encodeURIComponent(String(v)));
    })('', params);
    return parts.join('&');
  }

  function intentIdOf(clientSecret) {
    var m = /^((pi|seti)_[A-Za-z0-9]+)_secret_/.exec(clientSecret || '');
    if (!m) throw integrationError('Invalid value for clientSecret: expected a PaymentIntent or SetupIntent client secret of the form ${id}_secret_${secret}. You specified: ' + clientSecret + '.');
    return { id: m[1], setup: m[2] === 'seti' };
  }

  // ---- card fields -----------------------------------------------------

  function digits(s) { return String(s || '').replace(/\D/g, ''); }

  function luhn(n) {
    var sum = 0;
    for (var i = 0; i < n.length; i++) {
      var d = +n[n.length - 1 - i];
      if (i % 2) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }

  function brandOf(n) {
    if (/^4/.test(n)) return 'visa';
    if (/^(5[1-5]|2[2-7])/.test(n)) return 'mastercard';
    if (/^3[47]/.test(n)) return 'amex';
    if (/^(6011|65|64[4-9])/.test(n)) return 'discover';
    if (/^3(0[0-5]|[689])/.test(n)) return 'diners';
    if (/^35/.test(n)) return 'jcb';
    if (/^62/.test(n)) return 'unionpay';
    return 'unknown';
  }

  function validationError(code, message) {
    return { type: 'validation_error', code: code, message: message };
  }

  // Each field: its input's name and placeholder, and how it checks what
  // was typed (Stripe.js's validation errors).
  var FIELDS = {
    number: {
      name: 'cardnumber', placeholder: 'Card number', autocomplete: 'cc-number',
      check: function (v) {
        var n = digits(v);
        if (!n) return { empty: true };
        var want = brandOf(n) === 'amex' ? 15 : (brandOf(n) === 'diners' ? 14 : 16);
        if (n.length < want) return { error: validationError('incomplete_number', 'Your card number is incomplete.') };
        if (!luhn(n)) return { error: validationError('invalid_number', 'Your card number is invalid.') };
        return { complete: true };
      }
    },
    expiry: {
      name: 'exp-date', placeholder: 'MM / YY', autocomplete: 'cc-exp',
      check: function (v) {
        var d = digits(v);
        if (!d) return { empty: true };
        if (d.length < 4) return { error: validationError('incomplete_expiry', "Your card's expiration date is incomplete.") };
        var month = +d.slice(0, 2), year = 2000 + +d.slice(2, 4);
        if (month < 1 || month > 12) return { error: validationError('invalid_expiry_month', "Your card's expiration date is invalid.") };
        var now = new Date();
        if (year < now.getFullYear()) return { error: validationError('invalid_expiry_year_past', "Your card's expiration year is in the past.") };
        if (year === now.getFullYear() && month < now.getMonth() + 1) return { error: validationError('invalid_expiry_month_past', "Your card's expiration date is in the past.") };
        return { complete: true };
      }
    },
    cvc: {
      name: 'cvc', placeholder: 'CVC', autocomplete: 'cc-csc',
      check: function (v) {
        var d = digits(v);
        if (!d) return { empty: true };
        if (d.length < 3) return { error: validationError('incomplete_cvc', "Your card's security code is incomplete.") };
        return { complete: true };
      }
    },
    postal: {
      name: 'postal', placeholder: 'ZIP', autocomplete: 'postal-code',
      check: function (v) {
        var s = String(v || '').trim();
        if (!s) return { empty: true };
        if (s.length < 3) return { error: validationError('incomplete_zip', 'Your postal code is incomplete.') };
        return { complete: true };
      }
    }
  };

  // The Address and Link Authentication Elements' fields: a required one
  // is incomplete while empty, an optional one complete.
  function textField(name, placeholder, autocomplete, optional) {
    return {
      name: name, placeholder: placeholder, autocomplete: autocomplete, text: true,
      check: function (v) {
        var t = String(v || '').trim();
        if (!t) return { empty: true, complete: !!optional };
        return { complete: true };
      }
    };
  }
  FIELDS.email = {
    name: 'email', placeholder: 'Email', autocomplete: 'email', text: true,
    check: function (v) {
      var t = String(v || '').trim();
      if (!t) return { empty: true };
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(t)) return { error: validationError('incomplete_email', 'Your email is incomplete.') };
      return { complete: true };
    }
  };
  FIELDS.name = textField('name', 'Full name', 'name');
  FIELDS.line1 = textField('addressLine1', 'Address line 1', 'address-line1');
  FIELDS.line2 = textField('addressLine2', 'Address line 2', 'address-line2', true);
  FIELDS.city = textField('locality', 'City', 'address-level2');
  FIELDS.state = textField('administrativeArea', 'State', 'address-level1', true);
  FIELDS.postal_code = textField('postalCode', 'ZIP', 'postal-code');
  FIELDS.country = textField('country', 'Country', 'country');

  var ADDRESS_FIELDS = ['name', 'line1', 'line2', 'city', 'state', 'postal_code', 'country'];

  // ibanValid checks an IBAN's length and its ISO 13616 check digits
  // (mod 97), as Stripe.js does before calling the API.
  function ibanValid(iban) {
    if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
    var moved = iban.slice(4) + iban.slice(0, 4), rest = 0;
    for (var i = 0; i < moved.length; i++) {
      var c = moved.charCodeAt(i);
      var part = c >= 65 ? String(c - 55) : moved[i];
      for (var j = 0; j < part.length; j++) rest = (rest * 10 + +part[j]) % 97;
    }
    return rest === 1;
  }
  function cleanIban(v) { return String(v || '').replace(/\s/g, '').toUpperCase(); }
  FIELDS.iban = {
    name: 'iban', placeholder: 'IBAN', autocomplete: 'off', text: true,
    check: function (v) {
      var t = cleanIban(v);
      if (!t) return { empty: true };
      if (t.length < 15) return { error: validationError('incomplete_iban', 'Your IBAN is incomplete.') };
      if (!ibanValid(t)) return { error: validationError('invalid_iban', 'Your IBAN is invalid.') };
      return { complete: true };
    }
  };
  FIELDS.holderName = textField('accountHolderName', 'Full name', 'name');
  FIELDS.holderEmail = Object.assign({}, FIELDS.email, { name: 'accountHolderEmail' });

  // The Payment Element's payment method types, and what each asks: those
  // of its intent (or of the deferred group's paymentMethodTypes) that the
  // stand-in collects, offered as tabs when there are several.
  var PAYMENT_TYPES = {
    card: { label: 'Card', fields: ['number', 'expiry', 'cvc', 'postal'] },
    sepa_debit: { label: 'SEPA Debit', fields: ['holderName', 'holderEmail', 'iban'] }
  };

  // What each Element type shows, and the fields it collects. The Express
  // Checkout and Payment Request Button Elements show nothing: no wallet
  // is available in a test browser, which they say as Stripe.js does
  // (ready's availablePaymentMethods undefined, canMakePayment null).
  var ELEMENT_FIELDS = {
    card: ['number', 'expiry', 'cvc', 'postal'],
    cardNumber: ['number'],
    cardExpiry: ['expiry'],
    cardCvc: ['cvc'],
    payment: ['number', 'expiry', 'cvc', 'postal'],
    iban: ['iban'],
    address: ADDRESS_FIELDS,
    linkAuthentication: ['email'],
    expressCheckout: [],
    paymentRequestButton: []
  };

  // ---- Elements --------------------------------------------------------

  function Element(group, type, options) {
    this._group = group;
    this._type = type;
    this._options = options || {};
    this._handlers = {};
    this._inputs = {};
    this._fields = ELEMENT_FIELDS[type].slice();
    if (type === 'card' && this._options.hidePostalCode) this._fields.pop();
    this._values = initialValues(type, this._options);
    this._methodType = 'card';
    this._offered = ['card'];
    this._root = null;
    this._destroyed = false;
  }

  Element.prototype.mount = function (target) {
    if (this._destroyed) throw integrationError('This Element has already been destroyed. Please create a new one.');
    var node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!node || !node.appendChild) throw integrationError('Invalid DOM element. Make sure to call mount() with a valid DOM element or selector.');
    if (this._root) this.unmount();
    var self = this;
    var root = document.createElement('div');
    root.className = 'StripeElement StripeElement--empty __stripe-emu-element';
    root.setAttribute('data-stripe-emu-element', this._type);
    this._tabs = document.createElement('div');
    this._tabs.setAttribute('role', 'tablist');
    this._box = document.createElement('div');
    root.appendChild(this._tabs);
    root.appendChild(this._box);
    node.appendChild(root);
    this._root = root;
    this._renderFields();
    var ready = this._type === 'payment' ? this._offeredTypes() : Promise.resolve();
    ready.then(function () {
      if (self._root !== root) return;
      self._renderTabs();
      var ev = { elementType: self._type };
      if (self._type === 'expressCheckout') ev.availablePaymentMethods = undefined;
      self._emit('ready', ev);
    });
  };

  // _renderFields shows the inputs of the Element's fields.
  Element.prototype._renderFields = function () {
    var self = this, root = this._root, box = this._box;
    box.textContent = '';
    this._inputs = {};
    this._fields.forEach(function (f) {
      var spec = FIELDS[f];
      var input = document.createElement('input');
      input.name = spec.name;
      input.placeholder = spec.placeholder;
      input.autocomplete = spec.autocomplete;
      input.setAttribute('aria-label', spec.placeholder);
      input.inputMode = f === 'postal' || spec.text ? 'text' : 'numeric';
      input.style.cssText = 'border:0;outline:0;font:inherit;background:transparent;margin-right:.5em;' +
        (f === 'number' ? 'width:12em' : 'width:5em');
      if (self._values && self._values[f]) input.value = self._values[f];
      input.addEventListener('input', function () { self._changed(); });
      input.addEventListener('focus', function () { root.classList.add('StripeElement--focus'); self._emit('focus', { elementType: self._type }); });
      input.addEventListener('blur', function () { root.classList.remove('StripeElement--focus'); self._emit('blur', { elementType: self._type }); });
      self._inputs[f] = input;
      box.appendChild(input);
    });
    this._applyDisabled();
  };

  // _offeredTypes finds the types the Payment Element offers: its
  // intent's, read with the client secret, or the deferred group's.
  Element.prototype._offeredTypes = function () {
    var self = this, opts = this._group._options;
    var known = function (types) {
      var out = (types || []).filter(function (t) { return PAYMENT_TYPES[t]; });
      return out.length ? out : ['card'];
    };
    if (!opts.clientSecret) {
      this._offered = known(opts.paymentMethodTypes);
      return Promise.resolve();
    }
    return this._group._stripe._retrieve(opts.clientSecret).then(function (r) {
      var intent = r.paymentIntent || r.setupIntent;
      self._offered = known(intent && intent.payment_method_types);
    });
  };

  // _renderTabs offers the types as tabs when there are several.
  Element.prototype._renderTabs = function () {
    var self = this;
    this._tabs.textContent = '';
    if (this._offered.length < 2) return;
    this._offered.forEach(function (t) {
      var tab = document.createElement('button');
      tab.type = 'button';
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-selected', String(t === self._methodType));
      tab.textContent = PAYMENT_TYPES[t].label;
      tab.addEventListener('click', function () { self._select(t); });
      self._tabs.appendChild(tab);
    });
  };

  // _select shows another payment method type's fields, keeping what was
  // typed in the others.
  Element.prototype._select = function (type) {
    if (type === this._methodType) return;
    this._values = Object.assign(this._values || {}, this._read());
    this._methodType = type;
    this._fields = PAYMENT_TYPES[type].fields.slice();
    this._renderFields();
    this._renderTabs();
    this._changed();
  };

  Element.prototype.unmount = function () {
    if (!this._root) return;
    this._values = this._read();
    this._root.parentNode && this._root.parentNode.removeChild(this._root);
    this._root = null;
    this._inputs = {};
  };

  Element.prototype.destroy = function () {
    this.unmount();
    this._destroyed = true;
    this._group._forget(this);
  };

  Element.prototype.on = function (event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return this;
  };
  Element.prototype.addEventListener = Element.prototype.on;
  Element.prototype.once = function (event, handler) {
    var self = this;
    function once(e) { self.off(event, once); handler(e); }
    return this.on(event, once);
  };
  Element.prototype.off = function (event, handler) {
    var hs = this._handlers[event] || [];
    this._handlers[event] = handler ? hs.filter(function (h) { return h !== handler; }) : [];
    return this;
  };
  Element.prototype.removeEventListener = Element.prototype.off;

  Element.prototype.update = function (options) {
    Object.keys(options || {}).forEach(function (k) { this._options[k] = options[k]; }, this);
    if (options && 'value' in options && options.value && options.value.postalCode !== undefined && this._inputs.postal) {
      this._inputs.postal.value = options.value.postalCode;
    }
    this._applyDisabled();
  };
  Element.prototype.focus = function () { var f = this._inputs[this._fields[0]]; f && f.focus(); };
  Element.prototype.blur = function () { Object.keys(this._inputs).forEach(function (k) { this._inputs[k].blur(); }, this); };
  Element.prototype.clear = function () {
    Object.keys(this._inputs).forEach(function (k) { this._inputs[k].value = ''; }, this);
    this._changed();
  };
  Element.prototype.collapse = function () {};

  Element.prototype._applyDisabled = function () {
    var off = !!this._options.disabled || !!this._options.readOnly;
    Object.keys(this._inputs).forEach(function (k) { this._inputs[k].disabled = off; }, this);
  };

  Element.prototype._emit = function (event, payload) {
    (this._handlers[event] || []).slice().forEach(function (h) { h(payload); });
  };

  Element.prototype._read = function () {
    var out = {};
    Object.keys(this._inputs).forEach(function (k) { out[k] = this._inputs[k].value; }, this);
    return out;
  };

  // _state is what a change event tells: empty, complete, the first error.
  Element.prototype._state = function () {
    var values = this._root ? this._read() : (this._values || {});
    var empty = true, complete = true, error;
    this._fields.forEach(function (f) {
      var r = FIELDS[f].check(values[f]);
      if (!r.empty) empty = false;
      if (!r.complete) complete = false;
      if (r.error && !error) error = r.error;
    });
    return { empty: empty, complete: complete, error: error, values: values };
  };

  Element.prototype._changed = function () {
    var s = this._state();
    if (this._root) {
      this._root.classList.toggle('StripeElement--empty', s.empty);
      this._root.classList.toggle('StripeElement--complete', s.complete);
      this._root.classList.toggle('StripeElement--invalid', !!s.error);
    }
    var ev = { elementType: this._type, empty: s.empty, complete: s.complete, error: s.error };
    if (s.values.number !== undefined) ev.brand = brandOf(digits(s.values.number));
    if (this._type === 'card') ev.value = { postalCode: s.values.postal || '' };
    if (this._type === 'payment') { ev.value = { type: this._methodType }; ev.collapsed = false; }
    if (this._type === 'address') { ev.value = addressValue(s.values); ev.isNewAddress = true; }
    if (this._type === 'linkAuthentication') ev.value = { email: String(s.values.email || '').trim() };
    this._emit('change', ev);
  };

  // getValue is the Address Element's: what was typed, and whether it is
  // complete.
  Element.prototype.getValue = function () {
    if (this._type !== 'address') return Promise.reject(integrationError('getValue() is only available on the Address Element.'));
    var s = this._state();
    return Promise.resolve({ complete: s.complete, isNewAddress: true, value: addressValue(s.values) });
  };

  // addressValue is an Address Element's value as Stripe.js gives it.
  function addressValue(values) {
    var t = function (k) { return String(values[k] || '').trim(); };
    return {
      name: t('name'),
      address: { line1: t('line1'), line2: t('line2') || null, city: t('city'), state: t('state'),
        postal_code: t('postal_code'), country: t('country').toUpperCase() }
    };
  }

  // initialValues are what an Element shows before anything is typed: an
  // Address Element's defaultValues (its country US unless told), a Link
  // Authentication Element's defaultValues.email.
  function initialValues(type, options) {
    var d = (options && options.defaultValues) || {};
    if (type === 'linkAuthentication') return d.email ? { email: d.email } : undefined;
    if (type !== 'address') return undefined;
    var a = d.address || {};
    return { name: d.name || '', line1: a.line1 || '', line2: a.line2 || '', city: a.city || '', state: a.state || '',
      postal_code: a.postal_code || '', country: a.country || (options.allowedCountries && options.allowedCountries[0]) || 'US' };
  }

  // Every Element a card's details come from: a card or payment Element,
  // or the split ones of its group.
  function cardParts(element) {
    if (!element || !(element instanceof Element)) return null;
    if (element._type === 'card' || element._type === 'payment') return [element];
    var group = element._group;
    return ['cardNumber', 'cardExpiry', 'cardCvc'].map(function (t) { return group.getElement(t); }).filter(Boolean);
  }

  // cardDetails reads the card typed into element (and its split
  // siblings): the API's card[...] and the billing postal code, or the
  // validation error Stripe.js answers without calling the API.
  function cardDetails(element) {
    var parts = cardParts(element);
    if (!parts || !parts.length) return { error: validationError('incomplete_number', 'Your card number is incomplete.') };
    var values = {};
    for (var i = 0; i < parts.length; i++) {
      var s = parts[i]._state();
      if (s.error) return { error: s.error };
      Object.keys(s.values).forEach(function (k) { values[k] = s.values[k]; });
      if (!s.complete) {
        var missing = parts[i]._fields.filter(function (f) { return !FIELDS[f].check(s.values[f]).complete; })[0];
        var msg = {
          number: ['incomplete_number', 'Your card number is incomplete.'],
          expiry: ['incomplete_expiry', "Your card's expiration date is incomplete."],
          cvc: ['incomplete_cvc', "Your card's security code is incomplete."],
          postal: ['incomplete_zip', 'Your postal code is incomplete.']
        }[missing];
        return { error: validationError(msg[0], msg[1]) };
      }
    }
    var exp = digits(values.expiry);
    var card = { number: digits(values.number) };
    if (exp) { card.exp_month = +exp.slice(0, 2); card.exp_year = 2000 + +exp.slice(2, 4); }
    if (values.cvc) card.cvc = digits(values.cvc);
    return { card: card, postalCode: values.postal };
  }

  // sepaDetails reads a Payment Element's SEPA Debit fields: the IBAN and
  // the account holder's name and email, which SEPA mandates need.
  function sepaDetails(element) {
    var s = element._state();
    if (s.error) return { error: s.error };
    if (!s.complete) {
      var missing = element._fields.filter(function (f) { return !FIELDS[f].check(s.values[f]).complete; })[0];
      var msg = {
        holderName: ['incomplete_name', 'Your name is incomplete.'],
        holderEmail: ['incomplete_email', 'Your email is incomplete.'],
        iban: ['incomplete_iban', 'Your IBAN is incomplete.']
      }[missing];
      return { error: validationError(msg[0], msg[1]) };
    }
    return { sepa: { iban: cleanIban(s.values.iban) }, billing: { name: s.values.holderName.trim(), email: s.values.holderEmail.trim() } };
  }

  // paymentDetails reads what the customer typed for the Element's payment
  // method type.
  function paymentDetails(element) {
    if (element && element._type === 'payment' && element._methodType === 'sepa_debit') return sepaDetails(element);
    return cardDetails(element);
  }

  function ElementsGroup(stripe, options) {
    this._stripe = stripe;
    this._options = options || {};
    this._elements = [];
    this._submitted = false;
  }

  ElementsGroup.prototype.create = function (type, options) {
    if (!ELEMENT_FIELDS[type]) {
      throw integrationError(NOT_EMULATED + "the '" + type + "' Element: it emulates card, cardNumber, cardExpiry, cardCvc, payment (cards and SEPA Direct Debit), iban, address, linkAuthentication, and expressCheckout and paymentRequestButton (no wallet available).");
    }
    if (type === 'address' && !(options && (options.mode === 'shipping' || options.mode === 'billing'))) {
      throw integrationError('Invalid value for create(\'address\'): mode should be one of the following strings: shipping, billing. You specified: ' + (options && options.mode) + '.');
    }
    if (this.getElement(type)) throw integrationError('Can only create one Element of type ' + type + '.');
    var el = new Element(this, type, options);
    this._elements.push(el);
    return el;
  };
  ElementsGroup.prototype.getElement = function (type) {
    return this._elements.filter(function (e) { return e._type === type; })[0] || null;
  };
  ElementsGroup.prototype._forget = function (el) {
    this._elements = this._elements.filter(function (e) { return e !== el; });
  };
  ElementsGroup.prototype.update = function (options) {
    Object.keys(options || {}).forEach(function (k) { this._options[k] = options[k]; }, this);
  };
  ElementsGroup.prototype.fetchUpdates = function () { return Promise.resolve({}); };
  // submit validates the Payment Element, as Stripe.js does before
  // confirmPayment in a deferred-intent integration.
  ElementsGroup.prototype.submit = function () {
    var el = this.getElement('payment');
    if (!el) return Promise.resolve({ error: { type: 'validation_error', message: 'elements.submit() needs a mounted Payment Element.' } });
    var d = paymentDetails(el);
    if (d.error) return Promise.resolve({ error: d.error });
    var extra = this._collected();
    if (extra.error) return Promise.resolve({ error: extra.error });
    this._submitted = true;
    return Promise.resolve({});
  };

  // _collected is what the group's Address and Link Authentication
  // Elements add to a payment: billing details or shipping, and the
  // email; or the validation error of one not filled in.
  ElementsGroup.prototype._collected = function () {
    var out = {};
    var address = this.getElement('address');
    if (address) {
      var s = address._state();
      if (s.error) return { error: s.error };
      if (!s.complete) return { error: validationError('incomplete_address', 'Your address is incomplete.') };
      out[address._options.mode] = addressValue(s.values);
    }
    var link = this.getElement('linkAuthentication');
    if (link) {
      var e = link._state();
      if (e.error) return { error: e.error };
      if (!e.complete) return { error: validationError('incomplete_email', 'Your email is incomplete.') };
    }
    return out;
  };

  // withCollected adds what an Elements group's Address Element collected
  // to payment_method_data (billing mode: the billing details, those the
  // page passes itself winning) and to the confirmation (shipping mode:
  // shipping, unless the page passes its own).
  function withCollected(elements, pmData, params, shippingToo) {
    pmData = Object.assign({}, pmData || {});
    if (!elements) return { pmData: pmData };
    var extra = elements._collected();
    if (extra.error) return { error: extra.error };
    if (extra.billing) {
      var bd = Object.assign({ name: extra.billing.name, address: extra.billing.address }, pmData.billing_details || {});
      pmData.billing_details = bd;
    }
    if (extra.shipping && shippingToo && params && params.shipping === undefined) params.shipping = extra.shipping;
    return { pmData: pmData };
  }

  // ---- Stripe ----------------------------------------------------------

  function StripeEmu(key, options) {
    if (typeof key !== 'string' || !key) throw integrationError('Invalid value for Stripe(): apiKey should be a string. You specified: ' + key + '.');
    if (/^sk_|^rk_/.test(key)) throw integrationError('You should not use your secret key with Stripe.js. Please pass a publishable key instead.');
    if (!/^pk_test_/.test(key)) throw integrationError('Invalid value for Stripe(): stripe-emu takes test publishable keys (pk_test_…) only. You specified: ' + key + '.');
    this._key = key;
    this._account = options && options.stripeAccount;
  }

  StripeEmu.prototype._request = function (method, path, params) {
    var headers = { Authorization: 'Bearer ' + this._key };
    if (this._account) headers['Stripe-Account'] = this._account;
    var url = ORIGIN + path, body;
    var form = encode(params || {});
    if (method === 'GET') {
      if (form) url += '?' + form;
    } else {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = form;
    }
    return fetch(url, { method: method, headers: headers, body: body }).then(function (resp) {
      return resp.json().then(function (json) {
        if (resp.ok) return { object: json };
        return { error: json.error || { type: 'api_error', message: 'The emulator answered ' + resp.status + '.' } };
      });
    }, function (e) {
      return { error: { type: 'api_connection_error', message: 'Could not reach stripe-emu at ' + ORIGIN + ': ' + e.message } };
    });
  };

  StripeEmu.prototype.elements = function (options) { return new ElementsGroup(this, options); };

  // _paymentMethodParams turns Stripe.js's payment_method argument (an id,
  // or {card: element, billing_details}) into the API's parameters, or an
  // error.
  StripeEmu.prototype._paymentMethodParams = function (pm, element) {
    if (typeof pm === 'string') return { payment_method: pm };
    pm = pm || {};
    var card = pm.card || element;
    if (card && !(card instanceof Element)) {
      if (card.token) return { payment_method_data: { type: 'card', card: { token: card.token }, billing_details: pm.billing_details } };
      return { error: { type: 'invalid_request_error', message: NOT_EMULATED + 'card details passed as data: pass a card Element.' } };
    }
    var d = paymentDetails(card);
    if (d.error) return { error: d.error };
    if (d.sepa) {
      // A SEPA debit's mandate is accepted online by the customer typing
      // it here: Stripe.js sends the acceptance for the API to complete.
      var holder = Object.assign({}, d.billing, pm.billing_details || {});
      return { payment_method_data: { type: 'sepa_debit', sepa_debit: d.sepa, billing_details: holder },
        mandate_data: { customer_acceptance: { type: 'online', online: { infer_from_client: true } } } };
    }
    var bd = JSON.parse(JSON.stringify(pm.billing_details || {}));
    if (d.postalCode) { bd.address = bd.address || {}; if (!bd.address.postal_code) bd.address.postal_code = d.postalCode; }
    var data = { type: 'card', card: d.card };
    if (Object.keys(bd).length) data.billing_details = bd;
    if (pm.metadata) data.metadata = pm.metadata;
    return { payment_method_data: data };
  };

  StripeEmu.prototype.createPaymentMethod = function (a, b, c) {
    var opts;
    if (typeof a === 'string') opts = Object.assign({ type: a, card: b }, c || {});
    else opts = a || {};
    if (opts.elements) {
      var params = opts.params || {};
      var collected = withCollected(opts.elements, params, null, false);
      if (collected.error) return Promise.resolve({ error: collected.error });
      var pe = opts.elements.getElement('payment');
      opts = Object.assign({ type: pe ? pe._methodType : 'card', card: pe }, collected.pmData);
    }
    if (opts.type === 'sepa_debit' && opts.card instanceof Element) {
      var sp = this._paymentMethodParams(opts);
      if (sp.error) return Promise.resolve({ error: sp.error });
      return this._request('POST', '/v1/payment_methods', sp.payment_method_data).then(function (r) {
        return r.error ? { error: r.error } : { paymentMethod: r.object };
      });
    }
    if (opts.type !== 'card') return Promise.resolve({ error: { type: 'invalid_request_error', message: NOT_EMULATED + "createPaymentMethod for type '" + opts.type + "': it creates cards only." } });
    var p = this._paymentMethodParams(opts);
    if (p.error) return Promise.resolve({ error: p.error });
    return this._request('POST', '/v1/payment_methods', p.payment_method_data).then(function (r) {
      return r.error ? { error: r.error } : { paymentMethod: r.object };
    });
  };

  StripeEmu.prototype.createToken = function (what, data) {
    var self = this;
    if (what instanceof Element) {
      var d = cardDetails(what);
      if (d.error) return Promise.resolve({ error: d.error });
      var card = Object.assign({}, d.card);
      data = data || {};
      ['name', 'address_line1', 'address_line2', 'address_city', 'address_state', 'address_zip', 'address_country', 'currency'].forEach(function (k) {
        if (data[k] !== undefined) card[k] = data[k];
      });
      if (d.postalCode && !card.address_zip) card.address_zip = d.postalCode;
      return self._request('POST', '/v1/tokens', { card: card }).then(function (r) {
        return r.error ? { error: r.error } : { token: r.object };
      });
    }
    if (what === 'bank_account' || what === 'pii' || what === 'account' || what === 'person' || what === 'cvc_update') {
      var params = {};
      params[what] = data;
      return self._request('POST', '/v1/tokens', params).then(function (r) {
        return r.error ? { error: r.error } : { token: r.object };
      });
    }
    return Promise.resolve({ error: { type: 'invalid_request_error', message: NOT_EMULATED + 'createToken(' + what + '): pass a card Element or a token type.' } });
  };

  StripeEmu.prototype._retrieve = function (clientSecret) {
    var ref = intentIdOf(clientSecret);
    var path = ref.setup ? '/v1/setup_intents/' : '/v1/payment_intents/';
    return this._request('GET', path + ref.id, { client_secret: clientSecret }).then(function (r) {
      if (r.error) return { error: r.error };
      return ref.setup ? { setupIntent: r.object } : { paymentIntent: r.object };
    });
  };
  StripeEmu.prototype.retrievePaymentIntent = function (clientSecret) { return this._retrieve(clientSecret); };
  StripeEmu.prototype.retrieveSetupIntent = function (clientSecret) { return this._retrieve(clientSecret); };

  // _confirm confirms the intent of clientSecret with params, then
  // handles what it asks next: a redirect leaves the page (the promise
  // never settles, as in Stripe.js); 3-D Secure opens the emulator's test
  // page in a modal frame. It resolves {paymentIntent} / {setupIntent} or
  // {error}.
  StripeEmu.prototype._confirm = function (clientSecret, params, handleActions) {
    var self = this;
    var ref = intentIdOf(clientSecret);
    var path = (ref.setup ? '/v1/setup_intents/' : '/v1/payment_intents/') + ref.id + '/confirm';
    params.client_secret = clientSecret;
    return this._request('POST', path, params).then(function (r) {
      if (r.error) return { error: r.error };
      if (handleActions === false || r.object.status !== 'requires_action') return wrap(ref, r.object);
      return self._handleAction(clientSecret, r.object);
    });
  };

  function wrap(ref, intent) { return ref.setup ? { setupIntent: intent } : { paymentIntent: intent }; }

  // _handleAction follows an intent's next_action.
  StripeEmu.prototype._handleAction = function (clientSecret, intent) {
    var self = this;
    var ref = intentIdOf(clientSecret);
    var next = intent.next_action || {};
    if (next.type === 'redirect_to_url') {
      window.location.assign(next.redirect_to_url.url);
      return new Promise(function () {});
    }
    if (/_handle_redirect$/.test(next.type) && next[next.type] && next[next.type].url) {
      // Alipay's: the provider's page, then back to return_url.
      window.location.assign(next[next.type].url);
      return new Promise(function () {});
    }
    if (next.type !== 'use_stripe_sdk') {
      return Promise.resolve({ error: { type: 'invalid_request_error', message: NOT_EMULATED + "next_action '" + next.type + "'." } });
    }
    return authenticateInFrame(next.use_stripe_sdk.stripe_js).then(function () {
      return self._retrieve(clientSecret);
    }).then(function (r) {
      if (r.error) return r;
      var got = r.paymentIntent || r.setupIntent;
      var failed = ref.setup ? got.last_setup_error : got.last_payment_error;
      if (got.status === 'requires_payment_method' && failed) {
        var e = Object.assign({}, failed);
        e[ref.setup ? 'setup_intent' : 'payment_intent'] = got;
        return { error: e };
      }
      return r;
    });
  };

  // authenticateInFrame shows the emulator's 3-D Secure test page in a
  // modal frame, as Stripe.js shows the issuer's challenge; it settles when
  // the page has been answered (the frame's second load).
  // A voucher's modal (closable) shows the voucher page the same way; the
  // customer closes it to pay later, at the store, as Stripe.js's voucher
  // modal is closed.
  function authenticateInFrame(url, closable) {
    return new Promise(function (resolve) {
      var overlay = document.createElement('div');
      overlay.className = '__stripe-emu-3ds';
      overlay.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.4);z-index:2147483647;display:flex;align-items:center;justify-content:center;flex-direction:column';
      var done = function () {
        overlay.parentNode && overlay.parentNode.removeChild(overlay);
        resolve();
      };
      var frame = document.createElement('iframe');
      frame.name = 'stripe-emu-3ds';
      frame.title = closable ? 'Voucher (stripe-emu)' : '3D Secure test page (stripe-emu)';
      frame.style.cssText = 'width:min(36rem,95vw);height:min(32rem,90vh);border:0;background:#fff;border-radius:8px';
      var loads = 0;
      frame.addEventListener('load', function () {
        if (++loads >= 2) done();
      });
      frame.src = url;
      overlay.appendChild(frame);
      if (closable) {
        var close = document.createElement('button');
        close.type = 'button';
        close.textContent = 'Close voucher';
        close.addEventListener('click', done);
        overlay.appendChild(close);
      }
      document.body.appendChild(overlay);
    });
  }

  function confirmOptions(data) {
    var out = {};
    ['return_url', 'setup_future_usage', 'receipt_email', 'shipping', 'save_payment_method', 'mandate_data', 'payment_method_options'].forEach(function (k) {
      if (data && data[k] !== undefined) out[k] = data[k];
    });
    return out;
  }

  StripeEmu.prototype.confirmCardPayment = function (clientSecret, data, options) {
    try { intentIdOf(clientSecret); } catch (e) { return Promise.reject(e); }
    data = data || {};
    var params = confirmOptions(data);
    if (data.payment_method !== undefined) {
      var p = this._paymentMethodParams(data.payment_method);
      if (p.error) return Promise.resolve({ error: p.error });
      Object.assign(params, p);
    }
    return this._confirm(clientSecret, params, !options || options.handleActions !== false);
  };
  StripeEmu.prototype.confirmCardSetup = StripeEmu.prototype.confirmCardPayment;

  // confirmSepaDebitPayment / confirmSepaDebitSetup: the IBAN Element's
  // account (payment_method.sepa_debit), with the billing details SEPA
  // needs (name, email) and the mandate the customer accepts on the page,
  // as Stripe.js sends it; or a saved PaymentMethod's id.
  StripeEmu.prototype.confirmSepaDebitPayment = function (clientSecret, data) {
    try { intentIdOf(clientSecret); } catch (e) { return Promise.reject(e); }
    data = data || {};
    var params = confirmOptions(data);
    var pm = data.payment_method;
    if (typeof pm === 'string') {
      params.payment_method = pm;
    } else if (pm) {
      var el = pm.sepa_debit;
      var iban = el instanceof Element ? el._state() : null;
      if (!iban) return Promise.resolve({ error: { type: 'invalid_request_error', message: NOT_EMULATED + 'SEPA details passed as data: pass an IBAN Element as payment_method.sepa_debit.' } });
      if (iban.error) return Promise.resolve({ error: iban.error });
      if (!iban.complete) return Promise.resolve({ error: validationError('incomplete_iban', 'Your IBAN is incomplete.') });
      params.payment_method_data = { type: 'sepa_debit', sepa_debit: { iban: cleanIban(iban.values.iban) }, billing_details: pm.billing_details };
    }
    if (!params.mandate_data && typeof pm !== 'string') {
      params.mandate_data = { customer_acceptance: { type: 'online', online: { infer_from_client: true } } };
    }
    return this._confirm(clientSecret, params, true);
  };
  StripeEmu.prototype.confirmSepaDebitSetup = StripeEmu.prototype.confirmSepaDebitPayment;

  // The redirect methods' confirm calls: the type's payment_method_data
  // (its details as plain data, its billing_details; just the type when
  // no payment_method is given, as Stripe.js does), return_url, then the
  // customer is sent to the test page standing in for the bank or
  // provider, and back to return_url. A setup accepts the SEPA mandate
  // iDEAL and Bancontact set up, online, as Stripe.js sends it.
  var REDIRECT_CONFIRMS = {
    Affirm: 'affirm', AfterpayClearpay: 'afterpay_clearpay', Alipay: 'alipay', Bancontact: 'bancontact',
    Eps: 'eps', GrabPay: 'grabpay', Ideal: 'ideal', Klarna: 'klarna', P24: 'p24', PayPal: 'paypal'
  };
  StripeEmu.prototype._confirmRedirect = function (type, clientSecret, data, options) {
    var ref;
    try { ref = intentIdOf(clientSecret); } catch (e) { return Promise.reject(e); }
    data = data || {};
    var details = data.payment_method && data.payment_method[type];
    if (details instanceof Element) {
      return Promise.resolve({ error: { type: 'invalid_request_error', code: 'not_emulated', message: NOT_EMULATED + 'bank Elements (' + details._type + '): pass the ' + type + ' details as data.' } });
    }
    var params = confirmOptions(data);
    typedMethod(type, data, params);
    if (ref.setup && !params.mandate_data) params.mandate_data = { customer_acceptance: { type: 'online', online: { infer_from_client: true } } };
    return this._confirm(clientSecret, params, !options || options.handleActions !== false);
  };
  // The vouchers' confirm calls: the voucher (its details as data,
  // billing_details), then, unless handleActions is false, the voucher
  // shown in a modal frame until the customer closes it (the intent still
  // requires_action, paid later at the store) or, as a test's shortcut,
  // pays or fails it on the test page inside.
  var VOUCHER_CONFIRMS = { Boleto: 'boleto', Konbini: 'konbini', Multibanco: 'multibanco', Oxxo: 'oxxo' };
  Object.keys(VOUCHER_CONFIRMS).forEach(function (name) {
    var type = VOUCHER_CONFIRMS[name];
    StripeEmu.prototype['confirm' + name + 'Payment'] = function (clientSecret, data, options) {
      var self = this;
      try { intentIdOf(clientSecret); } catch (e) { return Promise.reject(e); }
      data = data || {};
      var params = confirmOptions(data);
      typedMethod(type, data, params);
      return this._confirm(clientSecret, params, false).then(function (r) {
        var next = r.paymentIntent && r.paymentIntent.next_action;
        var shown = next && next[next.type];
        if (r.error || (options && options.handleActions === false) || !shown || !shown.hosted_voucher_url) return r;
        return authenticateInFrame(shown.hosted_voucher_url, true).then(function () { return self._retrieve(clientSecret); });
      });
    };
  });

  // typedMethod puts a confirm call's payment_method into params: a saved
  // method's id, or payment_method_data of type with its details (plain
  // data) and billing_details; just the type when none is given, as
  // Stripe.js sends it.
  function typedMethod(type, data, params) {
    var pm = data.payment_method;
    if (typeof pm === 'string') {
      params.payment_method = pm;
      return;
    }
    pm = pm || {};
    var pmd = { type: type };
    if (pm[type] && typeof pm[type] === 'object') pmd[type] = pm[type];
    if (pm.billing_details) pmd.billing_details = pm.billing_details;
    params.payment_method_data = pmd;
  }

  // confirmBlikPayment confirms with the customer's 6-digit code
  // (payment_method_options.blik.code), then, as Stripe.js does, waits for
  // the customer to approve or decline in their bank's app, asking the API
  // until the intent leaves requires_action (on the emulator's clock: a
  // test moves it, POST /_emu/clock, for the app's answer to come) or a
  // minute has passed.
  StripeEmu.prototype.confirmBlikPayment = function (clientSecret, data, options) {
    var self = this;
    try { intentIdOf(clientSecret); } catch (e) { return Promise.reject(e); }
    data = data || {};
    var params = confirmOptions(data);
    typedMethod('blik', data, params);
    return this._confirm(clientSecret, params, false).then(function (r) {
      var pi = r.paymentIntent;
      if (r.error || (options && options.handleActions === false) || !pi || pi.status !== 'requires_action') return r;
      var deadline = Date.now() + 60000;
      return new Promise(function (resolve) {
        (function poll() {
          self._retrieve(clientSecret).then(function (got) {
            var now = got.paymentIntent;
            if (got.error || (now && now.status !== 'requires_action') || Date.now() > deadline) {
              if (now && now.status === 'requires_payment_method' && now.last_payment_error) {
                resolve({ error: Object.assign({}, now.last_payment_error, { payment_intent: now }) });
                return;
              }
              resolve(got);
              return;
            }
            setTimeout(poll, 250);
          });
        })();
      });
    });
  };

  Object.keys(REDIRECT_CONFIRMS).forEach(function (name) {
    var type = REDIRECT_CONFIRMS[name];
    StripeEmu.prototype['confirm' + name + 'Payment'] = function (clientSecret, data, options) {
      return this._confirmRedirect(type, clientSecret, data, options);
    };
  });
  ['Bancontact', 'Ideal', 'PayPal'].forEach(function (name) {
    StripeEmu.prototype['confirm' + name + 'Setup'] = function (clientSecret, data, options) {
      return this._confirmRedirect(REDIRECT_CONFIRMS[name], clientSecret, data, options);
    };
  });

  // confirmPayment / confirmSetup: the Payment Element's card, then, as
  // Stripe.js does, the customer is sent to return_url unless
  // redirect: 'if_required' and nothing needs a redirect.
  StripeEmu.prototype._confirmWithElements = function (opts, setup) {
    var self = this;
    opts = opts || {};
    var elements = opts.elements;
    var clientSecret = opts.clientSecret || (elements && elements._options.clientSecret);
    var confirmParams = opts.confirmParams || {};
    if (!clientSecret) return Promise.reject(integrationError('Invalid value for ' + (setup ? 'confirmSetup' : 'confirmPayment') + '(): clientSecret should be a client secret, passed here or to stripe.elements().'));
    if (opts.redirect !== 'if_required' && !confirmParams.return_url) {
      return Promise.reject(integrationError('Invalid value for ' + (setup ? 'confirmSetup' : 'confirmPayment') + '(): confirmParams.return_url should be a URL. You specified: undefined.'));
    }
    if (elements && !elements._options.clientSecret && !elements._submitted) {
      return Promise.resolve({ error: { type: 'invalid_request_error', code: 'elements_submit_required', message: 'elements.submit() must be called before stripe.' + (setup ? 'confirmSetup' : 'confirmPayment') + '().' } });
    }
    var params = confirmOptions(confirmParams);
    var pm = confirmParams.payment_method;
    var collected = withCollected(elements, confirmParams.payment_method_data, params, !setup);
    if (collected.error) return Promise.resolve({ error: collected.error });
    var p = typeof pm === 'string' ? { payment_method: pm } :
      this._paymentMethodParams(collected.pmData, elements && elements.getElement('payment'));
    if (p.error) return Promise.resolve({ error: p.error });
    if (p.mandate_data && params.mandate_data) delete p.mandate_data;
    Object.assign(params, p);
    var ref;
    try { ref = intentIdOf(clientSecret); } catch (e) { return Promise.reject(e); }
    return this._confirm(clientSecret, params, true).then(function (r) {
      var intent = r.paymentIntent || r.setupIntent;
      if (r.error || opts.redirect === 'if_required' || !intent) return r;
      var back = new URL(confirmParams.return_url, window.location.href);
      var name = ref.setup ? 'setup_intent' : 'payment_intent';
      back.searchParams.set(name, intent.id);
      back.searchParams.set(name + '_client_secret', clientSecret);
      back.searchParams.set('redirect_status', intent.status === 'requires_payment_method' ? 'failed' : 'succeeded');
      window.location.assign(back.toString());
      return new Promise(function () {});
    });
  };
  StripeEmu.prototype.confirmPayment = function (opts) { return this._confirmWithElements(opts, false); };
  StripeEmu.prototype.confirmSetup = function (opts) { return this._confirmWithElements(opts, true); };

  StripeEmu.prototype.handleNextAction = function (opts) {
    var self = this;
    var clientSecret = opts && opts.clientSecret;
    return this._retrieve(clientSecret).then(function (r) {
      if (r.error) return r;
      var intent = r.paymentIntent || r.setupIntent;
      if (intent.status !== 'requires_action') return r;
      return self._handleAction(clientSecret, intent);
    });
  };
  StripeEmu.prototype.handleCardAction = function (clientSecret) { return this.handleNextAction({ clientSecret: clientSecret }); };
  StripeEmu.prototype.handleCardSetup = StripeEmu.prototype.confirmCardSetup;
  StripeEmu.prototype.handleCardPayment = StripeEmu.prototype.confirmCardPayment;

  StripeEmu.prototype.redirectToCheckout = function (opts) {
    if (!opts || !opts.sessionId) {
      return Promise.resolve({ error: { type: 'invalid_request_error', message: NOT_EMULATED + 'redirectToCheckout without a sessionId (client-only Checkout): create the session on your server.' } });
    }
    var url = ORIGIN + '/checkout/' + encodeURIComponent(opts.sessionId);
    if (this._account) url += '?account=' + encodeURIComponent(this._account);
    window.location.assign(url);
    return new Promise(function () {});
  };

  // createConfirmationToken sends what the Payment Element collected to
  // the API as a ConfirmationToken (ctoken_…), which the server confirms an
  // intent with: Stripe's "finalize payments on the server" flow. As in
  // Stripe.js, elements.submit() comes first, and the token takes the
  // Elements group's setupFutureUsage.
  StripeEmu.prototype.createConfirmationToken = function (opts) {
    opts = opts || {};
    var elements = opts.elements;
    if (!(elements instanceof ElementsGroup)) {
      return Promise.reject(integrationError('Invalid value for createConfirmationToken: elements should be an Elements group. You specified: ' + elements + '.'));
    }
    if (!elements._submitted) {
      return Promise.resolve({ error: { type: 'invalid_request_error', code: 'elements_submit_required', message: 'elements.submit() must be called before stripe.createConfirmationToken().' } });
    }
    var params = opts.params || {};
    var body = {};
    if (params.shipping !== undefined) body.shipping = params.shipping;
    var collected = withCollected(elements, params.payment_method_data, body, true);
    if (collected.error) return Promise.resolve({ error: collected.error });
    var p = this._paymentMethodParams(collected.pmData, elements.getElement('payment'));
    if (p.error) return Promise.resolve({ error: p.error });
    body.payment_method_data = p.payment_method_data;
    if (p.mandate_data) body.mandate_data = p.mandate_data;
    if (params.return_url !== undefined) body.return_url = params.return_url;
    if (elements._options.setupFutureUsage) body.setup_future_usage = elements._options.setupFutureUsage;
    return this._request('POST', '/v1/confirmation_tokens', body).then(function (r) {
      return r.error ? { error: r.error } : { confirmationToken: r.object };
    });
  };

  // ---- Embedded Checkout ----------------------------------------------

  // The page holds one Embedded Checkout at a time, as in Stripe.js.
  var liveCheckout = null;

  // initEmbeddedCheckout resolves to an Embedded Checkout whose mount()
  // frames the emulator's Checkout page of the session (an iframe named
  // stripe-emu-checkout, which a test finds with
  // page.frameLocator('iframe[name=stripe-emu-checkout]')). Once the
  // customer has paid, the page tells the stand-in, which sends the
  // customer to the session's return_url, or calls onComplete when the
  // session does not redirect (redirect_on_completion never or
  // if_required).
  StripeEmu.prototype.initEmbeddedCheckout = function (opts) {
    var self = this;
    opts = opts || {};
    if (typeof opts.fetchClientSecret !== 'function' && typeof opts.clientSecret !== 'string') {
      return Promise.reject(integrationError('Invalid value for initEmbeddedCheckout(): fetchClientSecret should be a function returning a Promise of the Checkout Session\'s client secret.'));
    }
    if (liveCheckout) return Promise.reject(integrationError('You cannot have multiple Embedded Checkout objects: destroy() the one on the page first.'));
    var pending = {};
    liveCheckout = pending;
    var secret = typeof opts.fetchClientSecret === 'function' ? Promise.resolve().then(opts.fetchClientSecret) : Promise.resolve(opts.clientSecret);
    return secret.then(function (cs) {
      var m = /^(cs_[A-Za-z0-9_]+?)_secret_/.exec(cs || '');
      if (!m) throw integrationError('Invalid value for initEmbeddedCheckout(): the client secret should be a Checkout Session\'s, of the form ${id}_secret_${secret}. You specified: ' + cs + '.');
      var ec = new EmbeddedCheckout(self, m[1], opts.onComplete);
      liveCheckout = ec;
      return ec;
    }).catch(function (e) {
      if (liveCheckout === pending) liveCheckout = null;
      throw e;
    });
  };

  function EmbeddedCheckout(stripe, sessionId, onComplete) {
    var self = this;
    this._stripe = stripe;
    this._session = sessionId;
    this._frame = null;
    this._destroyed = false;
    this._onMessage = function (e) {
      var d = e.data;
      if (e.origin !== ORIGIN || !d || d.stripeEmu !== 'checkout.complete' || d.session !== self._session) return;
      if (d.redirect && d.returnUrl) window.location.assign(d.returnUrl);
      else if (typeof onComplete === 'function') onComplete();
    };
  }

  EmbeddedCheckout.prototype.mount = function (target) {
    if (this._destroyed) throw integrationError('This Embedded Checkout has already been destroyed. Please create a new one.');
    var node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!node || !node.appendChild) throw integrationError('Invalid DOM element. Make sure to call mount() with a valid DOM element or selector.');
    if (this._frame) throw integrationError('This Embedded Checkout is already mounted.');
    var url = ORIGIN + '/checkout/' + encodeURIComponent(this._session);
    if (this._stripe._account) url += '?account=' + encodeURIComponent(this._stripe._account);
    var frame = document.createElement('iframe');
    frame.name = 'stripe-emu-checkout';
    frame.title = 'Checkout (stripe-emu)';
    frame.src = url;
    frame.style.cssText = 'width:100%;min-height:60rem;border:0';
    window.addEventListener('message', this._onMessage);
    node.appendChild(frame);
    this._frame = frame;
  };

  EmbeddedCheckout.prototype.unmount = function () {
    if (!this._frame) return;
    window.removeEventListener('message', this._onMessage);
    this._frame.parentNode && this._frame.parentNode.removeChild(this._frame);
    this._frame = null;
  };

  EmbeddedCheckout.prototype.destroy = function () {
    this.unmount();
    this._destroyed = true;
    if (liveCheckout === this) liveCheckout = null;
  };

  // ---- Payment Request (wallets) --------------------------------------

  // paymentRequest answers as Stripe.js does in a browser without Apple
  // Pay, Google Pay or Link: canMakePayment() resolves null, so a page
  // shows no wallet button and offers its card form instead.
  StripeEmu.prototype.paymentRequest = function (options) {
    ['country', 'currency', 'total'].forEach(function (k) {
      if (!options || options[k] === undefined) throw integrationError('Missing value for paymentRequest(): ' + k + ' should be ' + (k === 'total' ? 'an object' : 'a string') + '.');
    });
    return new PaymentRequest(options);
  };

  function PaymentRequest(options) {
    this._options = Object.assign({}, options);
    this._handlers = {};
  }
  PaymentRequest.prototype.canMakePayment = function () { return Promise.resolve(null); };
  PaymentRequest.prototype.on = function (event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return this;
  };
  PaymentRequest.prototype.off = function (event, handler) {
    var hs = this._handlers[event] || [];
    this._handlers[event] = handler ? hs.filter(function (h) { return h !== handler; }) : [];
    return this;
  };
  PaymentRequest.prototype.update = function (options) { Object.assign(this._options, options || {}); };
  PaymentRequest.prototype.isShowing = function () { return false; };
  PaymentRequest.prototype.abort = function () {};
  PaymentRequest.prototype.show = function () {
    throw integrationError('This PaymentRequest cannot be shown: no wallet is available in this browser (canMakePayment() resolved null), as in stripe-emu\'s Stripe.js always.');
  };

  // verifyIdentity shows an Identity VerificationSession's test-mode page
  // in a modal frame, as Stripe.js shows its verification modal; it
  // resolves {} once the user has submitted (the outcome reaches the
  // server in the session's events, as at Stripe).
  StripeEmu.prototype.verifyIdentity = function (clientSecret) {
    if (typeof clientSecret !== 'string' || !/^vs_[A-Za-z0-9]+_secret_/.test(clientSecret)) {
      return Promise.reject(integrationError('Invalid value for verifyIdentity: clientSecret should be a VerificationSession client secret. You specified: ' + clientSecret + '.'));
    }
    return authenticateInFrame(ORIGIN + '/verify.stripe.com/secret/' + encodeURIComponent(clientSecret)).then(function () { return {}; });
  };

  // What @stripe/stripe-js calls on the instance it loads.
  StripeEmu.prototype._registerWrapper = function () {};
  StripeEmu.prototype.registerAppInfo = function () {};

  // Stripe.js calls the emulator does not emulate: they answer {error}
  // (or throw, for those that answer at once) saying so.
  ['confirmAcssDebitPayment', 'confirmAuBecsDebitPayment',
    'confirmCashappPayment', 'confirmCustomerBalancePayment', 'confirmFpxPayment',
    'confirmGiropayPayment', 'confirmMobilepayPayment', 'confirmPayNowPayment', 'confirmPixPayment', 'confirmPromptPayPayment',
    'confirmSofortPayment', 'confirmUsBankAccountPayment', 'confirmWechatPayPayment',
    'confirmZipPayment', 'confirmAcssDebitSetup', 'confirmAuBecsDebitSetup', 'confirmBacsDebitSetup',
    'confirmCashappSetup', 'confirmSofortSetup', 'confirmUsBankAccountSetup', 'collectBankAccountForPayment',
    'collectBankAccountForSetup', 'collectBankAccountToken', 'collectFinancialConnectionsAccounts',
    'verifyMicrodepositsForPayment', 'verifyMicrodepositsForSetup', 'createSource',
    'retrieveSource', 'createRadarSession', 'initCheckout',
    'retrieveOrder', 'processOrder', 'createEphemeralKeyNonce'
  ].forEach(function (name) {
    StripeEmu.prototype[name] = function () {
      return Promise.resolve({ error: { type: 'invalid_request_error', code: 'not_emulated', message: NOT_EMULATED + 'stripe.' + name + '().' } });
    };
  });
  ['customCheckout', 'embeddedCheckout'].forEach(function (name) {
    StripeEmu.prototype[name] = function () { throw integrationError(NOT_EMULATED + 'stripe.' + name + '().'); };
  });

  if (window.Stripe && !window.Stripe.emulated) {
    console.warn("stripe-emu: Stripe.js from js.stripe.com was loaded before this stand-in, which now replaces it: Elements made with it before are Stripe's, not the emulator's.");
  }
  console.info("stripe-emu: Stripe.js stand-in loaded; its API calls go to " + ORIGIN + '.');

  function Stripe(key, options) {
    if (!(this instanceof Stripe)) return new Stripe(key, options);
    StripeEmu.call(this, key, options);
  }
  Stripe.prototype = StripeEmu.prototype;
  Stripe.version = 3;
  Stripe.emulated = true;
  window.Stripe = Stripe;
})();
