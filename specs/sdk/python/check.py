"""Drives the emulator at STRIPE_EMU_URL with the official stripe-python SDK.

The SDK is Debian's python3-stripe (5.0.0: PyPI is out of reach of the
project's machines). It predates basil, so it is pinned to the emulator's
version by hand, as an app upgrading its API version would, and the
resources it has no class for (InvoicePayments, Stripe Tax, payment
method configurations) are reached through its own requestor. What it checks is what a Python app depends on: the SDK's
form encoding of nested dicts and lists, its error classes built from the
emulator's error bodies, Stripe-Account and Idempotency-Key headers,
auto-pagination, and Webhook.construct_event on a real delivery.

Prints "all checks passed" and exits 0, or names the first check that
failed and exits 1.
"""

import datetime
import decimal
import http.server
import io
import json
import os
import sys
import threading
import time
import traceback
import urllib.request

import stripe
from stripe import util
from stripe.api_requestor import APIRequestor

stripe.api_base = os.environ.get("STRIPE_EMU_URL", "http://127.0.0.1:12111")
stripe.api_key = "sk_test_python_check"
stripe.api_version = "2025-08-27.basil"
stripe.max_network_retries = 0

passed = 0


def check(name):
    def run(fn):
        global passed
        try:
            fn()
        except Exception:  # any failure names its check
            print("FAIL " + name + ":\n" + traceback.format_exc(), file=sys.stderr)
            sys.exit(1)
        passed += 1
        return fn

    return run


def refused(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except stripe.error.StripeError as e:
        return e
    raise AssertionError("the call was not refused")


def raw(method, path, params=None, **headers):
    """A call the 5.0 SDK has no resource class for, through its requestor."""
    resp, key = APIRequestor().request(method, path, params or {}, headers or None)
    return util.convert_to_stripe_object(resp, key, None, None)


state = {}


@check("customers with metadata, and search in Stripe's quoting")
def _():
    cus = stripe.Customer.create(email="py@example.com", name="Py", metadata={"plan": "pro"})
    assert cus.id.startswith("cus_"), cus.id
    found = stripe.Customer.search(query="email:'py@example.com' AND metadata['plan']:'pro'")
    assert [c.id for c in found.data] == [cus.id]
    cleared = stripe.Customer.modify(cus.id, metadata={"plan": ""})
    assert "plan" not in cleared.metadata, "an empty value unsets a metadata key"
    state["customer"] = cus


@check("story 3: the default price cannot be archived until the product points elsewhere")
def _():
    prod = stripe.Product.create(
        name="Pro",
        default_price_data={"currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"}},
        expand=["default_price"],
    )
    e = refused(stripe.Price.modify, prod.default_price.id, active=False)
    assert isinstance(e, stripe.error.InvalidRequestError), type(e)
    assert e.user_message is None or isinstance(e.user_message, str)
    assert str(e.error.message) == "This price cannot be archived because it is the default price of its product.", e
    assert e.http_status == 400
    other = stripe.Price.create(product=prod.id, currency="usd", unit_amount=1500, recurring={"interval": "month"})
    stripe.Product.modify(prod.id, default_price=other.id)
    assert stripe.Price.modify(prod.default_price.id, active=False).active is False
    state["price"] = other


@check("python values on the wire: floats, booleans in queries, lists of strings")
def _():
    rate = stripe.TaxRate.create(display_name="VAT", percentage=7.25, inclusive=False, country="DE")
    assert rate.percentage == 7.25 and rate.inclusive is False
    assert state["price"].id in [p.id for p in stripe.Price.list(active=True, limit=100).data]
    assert all(p.active for p in stripe.Price.list(active=True).data)
    assert not [p for p in stripe.Price.list(active=False).data if p.active]
    cus = stripe.Customer.modify(state["customer"].id, preferred_locales=["fr", "en"])
    assert cus.preferred_locales == ["fr", "en"]


@check("payments: a card succeeds; a decline is a CardError carrying the intent")
def _():
    pi = stripe.PaymentIntent.create(
        amount=2000, currency="usd", customer=state["customer"].id, payment_method="pm_card_visa", confirm=True,
        automatic_payment_methods={"enabled": True, "allow_redirects": "never"},
    )
    assert pi.status == "succeeded", pi.status
    e = refused(
        stripe.PaymentIntent.create,
        amount=2000, currency="usd", payment_method="pm_card_chargeDeclinedInsufficientFunds", confirm=True,
        automatic_payment_methods={"enabled": True, "allow_redirects": "never"},
    )
    assert isinstance(e, stripe.error.CardError), type(e)
    assert e.code == "card_declined", e.code
    assert e.error.decline_code == "insufficient_funds"
    assert e.error.payment_intent.status == "requires_payment_method"
    refund = stripe.Refund.create(payment_intent=pi.id, amount=500)
    assert refund.status == "succeeded"
    assert stripe.PaymentIntent.retrieve(pi.id, expand=["latest_charge"]).latest_charge.amount_refunded == 500


@check("story 1: a basil subscription paid by the client, linked both ways through InvoicePayments")
def _():
    sub = stripe.Subscription.create(
        customer=state["customer"].id,
        items=[{"price": state["price"].id}],
        payment_behavior="default_incomplete",
        payment_settings={"save_default_payment_method": "on_subscription"},
        expand=["latest_invoice.confirmation_secret"],
    )
    assert sub.status == "incomplete", sub.status
    pi_id = sub.latest_invoice.confirmation_secret.client_secret.split("_secret_")[0]
    assert stripe.PaymentIntent.confirm(pi_id, payment_method="pm_card_visa").status == "succeeded"
    sub = stripe.Subscription.retrieve(sub.id)
    assert sub.status == "active", sub.status
    pays = raw("get", "/v1/invoice_payments", {"payment": {"type": "payment_intent", "payment_intent": pi_id}})
    assert len(pays.data) == 1 and pays.data[0].invoice == sub.latest_invoice
    inv = stripe.Invoice.retrieve(sub.latest_invoice, expand=["payments"])
    assert inv.status == "paid"
    assert inv.payments.data[0].payment.payment_intent == pi_id
    assert "payment_intent" not in inv and "charge" not in inv, "basil has no one-to-one fields"
    state["subscription"] = sub


@check("story 2: customers live in their connected account")
def _():
    acct = stripe.Account.create(type="express", capabilities={"transfers": {"requested": True}})
    there = stripe.Customer.create(email="py@example.com", stripe_account=acct.id)
    assert there.id != state["customer"].id
    assert stripe.Customer.list(stripe_account=acct.id).data[0].id == there.id
    e = refused(stripe.Customer.retrieve, state["customer"].id, stripe_account=acct.id)
    assert isinstance(e, stripe.error.InvalidRequestError), type(e)
    assert e.code == "resource_missing" and e.http_status == 404


@check("wire: idempotent replay, unknown parameters, auto-pagination")
def _():
    a = stripe.Customer.create(email="idem@example.com", idempotency_key="py-check-1")
    b = stripe.Customer.create(email="idem@example.com", idempotency_key="py-check-1")
    assert a.id == b.id
    assert b.last_response.headers.get("Idempotent-Replayed") == "true"
    e = refused(stripe.Customer.create, bogus=1)
    assert e.param == "bogus", e.param
    ids = [c.id for c in stripe.Customer.list(limit=1).auto_paging_iter()]
    assert len(ids) == 2 and len(set(ids)) == 2, ids  # the platform's customers, a page of one at a time


@check("test clocks: a renewal driven by advancing the customer's clock")
def _():
    clock = stripe.test_helpers.TestClock.create(frozen_time=1735689600)  # 2025-01-01
    cus = stripe.Customer.create(email="clock@example.com", test_clock=clock.id, payment_method="pm_card_visa",
                                 invoice_settings={"default_payment_method": "pm_card_visa"})
    sub = stripe.Subscription.create(customer=cus.id, items=[{"price": state["price"].id}])
    assert sub.status == "active"
    clock = stripe.test_helpers.TestClock.advance(clock.id, frozen_time=1735689600 + 32 * 86400)
    assert clock.status in ("advancing", "ready"), clock.status
    invoices = stripe.Invoice.list(subscription=sub.id)
    assert [i.status for i in invoices.data] == ["paid", "paid"], [i.status for i in invoices.data]


@check("checkout: a session completed by the test helper")
def _():
    session = stripe.checkout.Session.create(
        mode="payment",
        success_url="https://example.com/ok",
        line_items=[{"price_data": {"currency": "usd", "unit_amount": 700, "product_data": {"name": "Ticket"}},
                     "quantity": 2}],
    )
    assert session.payment_status == "unpaid" and session.amount_total == 1400
    done = raw("post", "/v1/test_helpers/checkout/sessions/%s/complete" % session.id, {"payment_method": "pm_card_visa"})
    assert done.status == "complete" and done.payment_status == "paid"
    items = stripe.checkout.Session.list_line_items(session.id)
    assert items.data[0].quantity == 2


@check("story 4: a webhook delivery Webhook.construct_event accepts")
def _():
    got = {}
    arrived = threading.Event()

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                got["event"] = stripe.Webhook.construct_event(body, self.headers["Stripe-Signature"], got["secret"])
                self.send_response(200)
            except Exception as e:  # a bad signature is the app's 400
                got["error"] = e
                self.send_response(400)
            self.end_headers()
            arrived.set()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = stripe.WebhookEndpoint.create(
            url="http://127.0.0.1:%d/hook" % server.server_address[1], enabled_events=["customer.created"]
        )
        got["secret"] = endpoint.secret
        assert endpoint.secret.startswith("whsec_")
        cus = stripe.Customer.create(email="hooked@example.com")
        assert arrived.wait(10), "no delivery within 10 s"
        assert "error" not in got, got.get("error")
        event = got["event"]
        assert event.type == "customer.created" and event.data.object.id == cus.id
        assert event.api_version == "2025-08-27.basil"
        try:
            stripe.Webhook.construct_event(b"{}", "t=1,v1=00", endpoint.secret)
            raise AssertionError("a forged signature was accepted")
        except stripe.error.SignatureVerificationError:
            pass
    finally:
        server.shutdown()


@check("Stripe Tax: settings activated by a head office, a registration, a calculation recorded and reversed")
def _():
    # python3-stripe 5.0.0 predates the Stripe Tax API: its requestor reaches it.
    settings = raw("get", "/v1/tax/settings")
    assert settings.status == "pending" and settings.status_details.pending.missing_fields == ["head_office"]
    settings = raw("post", "/v1/tax/settings", {
        "defaults": {"tax_behavior": "exclusive", "tax_code": "txcd_10000000"},
        "head_office": {"address": {"line1": "500 Howard St", "city": "San Francisco", "state": "CA",
                                    "postal_code": "94105", "country": "US"}},
    })
    assert settings.status == "active" and settings.defaults.tax_behavior == "exclusive", settings
    reg = raw("post", "/v1/tax/registrations", {
        "country": "US", "country_options": {"us": {"type": "state_sales_tax", "state": "CA"}}, "active_from": "now",
    })
    assert reg.id.startswith("taxreg_") and reg.status == "active", reg
    assert reg.country_options.us.state == "CA"
    assert [r.id for r in raw("get", "/v1/tax/registrations", {"status": "active"}).data] == [reg.id]

    # 2 × 49.99 shipped to Los Angeles, at California's 7.25%; an inclusive
    # line of 10.75 holds its tax inside.
    calc = raw("post", "/v1/tax/calculations", {
        "currency": "usd",
        "line_items": [
            {"amount": 9998, "quantity": 2, "reference": "tent", "tax_code": "txcd_99999999"},
            {"amount": 1075, "reference": "stakes", "tax_behavior": "inclusive"},
        ],
        "customer_details": {"address": {"line1": "200 N Spring St", "city": "Los Angeles", "state": "CA",
                                         "postal_code": "90012", "country": "US"}, "address_source": "shipping"},
        "expand": ["line_items"],
    })
    assert calc.id.startswith("taxcalc_"), calc.id
    assert [(li.reference, li.amount, li.amount_tax) for li in calc.line_items.data] == [("tent", 9998, 725), ("stakes", 1075, 73)], \
        [(li.reference, li.amount, li.amount_tax) for li in calc.line_items.data]
    assert calc.tax_amount_exclusive == 725 and calc.tax_amount_inclusive == 73, calc
    assert calc.amount_total == 9998 + 725 + 1075, calc.amount_total
    assert {(b.inclusive, b.tax_rate_details.percentage_decimal, b.tax_rate_details.state) for b in calc.tax_breakdown} == \
        {(False, "7.25", "CA"), (True, "7.25", "CA")}, calc.tax_breakdown
    e = refused(raw, "post", "/v1/tax/calculations", {
        "currency": "usd", "line_items": [{"amount": 100, "reference": "a"}, {"amount": 100, "reference": "a"}],
        "customer_details": {"address": {"country": "US", "postal_code": "90012"}, "address_source": "shipping"},
    })
    assert isinstance(e, stripe.error.InvalidRequestError) and e.http_status == 400, e

    tx = raw("post", "/v1/tax/transactions/create_from_calculation", {"calculation": calc.id, "reference": "py-order-1"})
    assert tx.id.startswith("tax_") and tx.type == "transaction" and tx.reference == "py-order-1", tx
    lines = raw("get", "/v1/tax/transactions/%s/line_items" % tx.id)
    assert [(li.reference, li.amount_tax) for li in lines.data] == [("tent", 725), ("stakes", 73)]
    reversal = raw("post", "/v1/tax/transactions/create_reversal", {
        "original_transaction": tx.id, "reference": "py-order-1-return", "mode": "partial",
        "line_items": [{"original_line_item": lines.data[0].id, "reference": "tent-return",
                        "amount": -4999, "amount_tax": -363, "quantity": 1}],
    })
    assert reversal.type == "reversal" and reversal.reversal.original_transaction == tx.id, reversal
    back = raw("get", "/v1/tax/transactions/%s/line_items" % reversal.id)
    assert [(li.amount, li.amount_tax, li.reversal.original_line_item) for li in back.data] == [(-4999, -363, lines.data[0].id)]
    e = refused(raw, "post", "/v1/tax/transactions/create_from_calculation", {"calculation": calc.id, "reference": "py-order-1"})
    assert e.code == "resource_already_exists", e.code
    state["tax_price"] = stripe.Price.create(
        product_data={"name": "Club membership"}, currency="usd", unit_amount=2000, tax_behavior="exclusive",
        recurring={"interval": "month"},
    )


@check("automatic tax on a subscription: California sales tax, nothing where the account is not registered")
def _():
    ca = stripe.Customer.create(
        email="ca@example.com", address={"line1": "1 Market St", "city": "San Francisco", "state": "CA",
                                         "postal_code": "94105", "country": "US"},
        payment_method="pm_card_visa", invoice_settings={"default_payment_method": "pm_card_visa"}, expand=["tax"],
    )
    assert ca.tax.automatic_tax == "supported" and ca.tax.location.state == "CA", ca.tax
    sub = stripe.Subscription.create(customer=ca.id, items=[{"price": state["tax_price"].id}],
                                     automatic_tax={"enabled": True}, expand=["latest_invoice.payments"])
    assert sub.automatic_tax.enabled is True
    inv = sub.latest_invoice
    assert inv.status == "paid" and inv.automatic_tax.status == "complete", inv.automatic_tax
    assert (inv.subtotal, inv.total, inv.amount_paid) == (2000, 2145, 2145), (inv.subtotal, inv.total, inv.amount_paid)
    assert inv.total_taxes[0].amount == 145 and inv.total_taxes[0].taxability_reason == "standard_rated"
    rate = stripe.TaxRate.retrieve(inv.total_taxes[0].tax_rate_details.tax_rate)
    assert (rate.percentage, rate.state, rate.jurisdiction, rate.tax_type) == (7.25, "CA", "CA", "sales_tax"), rate
    assert stripe.PaymentIntent.retrieve(inv.payments.data[0].payment.payment_intent).amount == 2145

    ny = stripe.Customer.create(
        email="ny@example.com", address={"line1": "1 Broadway", "city": "New York", "state": "NY",
                                         "postal_code": "10004", "country": "US"},
        payment_method="pm_card_visa", invoice_settings={"default_payment_method": "pm_card_visa"},
    )
    other = stripe.Subscription.create(customer=ny.id, items=[{"price": state["tax_price"].id}],
                                       automatic_tax={"enabled": True}, expand=["latest_invoice"])
    assert other.latest_invoice.total == 2000
    assert other.latest_invoice.total_taxes[0].taxability_reason == "not_collecting", other.latest_invoice.total_taxes
    nowhere = stripe.Customer.create(email="nowhere@example.com")
    e = refused(stripe.Subscription.create, customer=nowhere.id, items=[{"price": state["tax_price"].id}],
                automatic_tax={"enabled": True})
    assert e.code == "customer_tax_location_invalid", e.code


@check("payment method configurations: one without Klarna decides a PaymentIntent's types")
def _():
    # python3-stripe 5.0.0 has no PaymentMethodConfiguration class.
    configs = raw("get", "/v1/payment_method_configurations")
    default = [c for c in configs.data if c.is_default]
    assert len(default) == 1 and default[0].name == "Default", configs
    pmc = raw("post", "/v1/payment_method_configurations",
              {"name": "Cards only", "klarna": {"display_preference": {"preference": "off"}},
               "ideal": {"display_preference": {"preference": "off"}}, "bancontact": {"display_preference": {"preference": "off"}},
               "eps": {"display_preference": {"preference": "off"}}, "sepa_debit": {"display_preference": {"preference": "off"}},
               "us_bank_account": {"display_preference": {"preference": "off"}}})
    assert pmc.id.startswith("pmc_") and pmc.active is True and pmc.is_default is False, pmc
    assert pmc.klarna.available is False and pmc.klarna.display_preference.value == "off"
    assert pmc.card.available is True and pmc.card.display_preference.preference == "none"
    pi = stripe.PaymentIntent.create(amount=1500, currency="eur", payment_method_configuration=pmc.id)
    assert pi.payment_method_types == ["card"], pi.payment_method_types
    assert pi.payment_method_configuration_details.id == pmc.id
    assert stripe.PaymentIntent.confirm(pi.id, payment_method="pm_card_visa").status == "succeeded"
    plain = stripe.PaymentIntent.create(amount=1500, currency="eur")
    assert plain.payment_method_configuration_details.id == default[0].id
    assert "klarna" in plain.payment_method_types and "sepa_debit" in plain.payment_method_types, plain.payment_method_types
    e = refused(raw, "post", "/v1/payment_method_configurations/%s" % default[0].id, {"active": False})
    assert isinstance(e, stripe.error.InvalidRequestError) and e.http_status == 400, e
    renamed = raw("post", "/v1/payment_method_configurations/%s" % pmc.id, {"name": "Card"})
    assert raw("get", "/v1/payment_method_configurations/%s" % pmc.id).name == renamed.name == "Card"


class Watching(stripe.http_client.RequestsClient):
    """The SDK's own HTTP client, keeping the headers of each request and
    calling on_answer with each answer before the SDK sees it."""

    def __init__(self):
        super().__init__()
        self.sent = []
        self.on_answer = None

    def request(self, method, url, headers, post_data=None):
        self.sent.append(dict(headers))
        answer = super().request(method, url, headers, post_data)
        if self.on_answer:
            self.on_answer(answer)
        return answer


def control(method, path, body=None):
    """The emulator's control surface (faults), beside the API."""
    req = urllib.request.Request(stripe.api_base + path, method=method, data=json.dumps(body).encode() if body else None)
    with urllib.request.urlopen(req) as res:
        return json.loads(res.read() or b"null")


@check("pagination as the SDK walks it: backwards from ending_before, search by next_page, expand through a list")
def _():
    made = [stripe.Customer.create(email="walk-py-%d@example.com" % i, metadata={"tag": "walk-py"}).id for i in range(5)]
    back = [c.id for c in stripe.Customer.list(limit=2, ending_before=made[0]).auto_paging_iter()]
    assert back == made[1:], (back, made)
    first = stripe.Customer.search(query="metadata['tag']:'walk-py'", limit=2)
    assert first.object == "search_result" and first.has_more and isinstance(first.next_page, str), first
    found = [c.id for c in first.auto_paging_iter()]
    assert sorted(found) == sorted(made), found
    pi = stripe.PaymentIntent.create(amount=1200, currency="usd", customer=made[4], payment_method="pm_card_visa", confirm=True,
                                     automatic_payment_methods={"enabled": True, "allow_redirects": "never"})
    page = stripe.PaymentIntent.list(customer=made[4], expand=["data.customer", "data.latest_charge.balance_transaction"])
    assert page.data[0].id == pi.id and page.data[0].customer.email == "walk-py-4@example.com"
    assert page.data[0].latest_charge.balance_transaction.amount == 1200
    prices = [stripe.Price.create(product=state["price"].product, currency="usd", unit_amount=n, recurring={"interval": "month"})
              for n in (100, 200, 300)]
    sub = stripe.Subscription.create(customer=made[4], items=[{"price": p.id} for p in prices], payment_behavior="default_incomplete")
    items = [i.id for i in stripe.SubscriptionItem.list(subscription=sub.id, limit=1).auto_paging_iter()]
    assert items == [i.id for i in sub["items"].data], items  # a page of one at a time


@check("errors: a decline is a CardError with Stripe's fields, headers and request log")
def _():
    e = refused(stripe.PaymentIntent.create, amount=2000, currency="usd", payment_method="pm_card_chargeDeclinedExpiredCard",
                confirm=True, automatic_payment_methods={"enabled": True, "allow_redirects": "never"})
    assert isinstance(e, stripe.error.CardError), type(e)
    assert (e.http_status, e.code, getattr(e.error, "decline_code", None)) == (402, "expired_card", None), e  # its code says it
    assert e.param == "exp_month", e.param  # the card field an expired card blames
    assert e.request_id.startswith("req_") and e.headers["request-id"] == e.request_id
    assert e.error.request_log_url.startswith("https://dashboard.stripe.com/test/logs/%s?t=" % e.request_id), e.error.request_log_url
    assert e.error.doc_url == "https://stripe.com/docs/error-codes/expired-card"
    assert e.error.payment_intent.status == "requires_payment_method" and e.error.charge.startswith("ch_")
    assert e.user_message == "Your card has expired.", e.user_message
    missing = refused(stripe.Customer.retrieve, "cus_missing")
    assert isinstance(missing, stripe.error.InvalidRequestError) and (missing.http_status, missing.code, missing.param) == (404, "resource_missing", "id")


@check("headers: the SDK unpinned gets the default version; the account and key come back; telemetry accepted")
def _():
    watching = Watching()
    stripe.default_http_client, stripe.api_version = watching, None
    try:
        acct = stripe.Account.create(type="express")
        cus = stripe.Customer.create(email="echo-py@example.com", stripe_account=acct.id, idempotency_key="py-echo-1")
        stripe.Customer.list(limit=1)
    finally:
        stripe.default_http_client, stripe.api_version = None, "2025-08-27.basil"
    # python3-stripe 5.0.0 as it comes sends no Stripe-Version: the
    # account's default answers, which is the emulator's version.
    assert all("Stripe-Version" not in h for h in watching.sent), watching.sent
    got = cus.last_response.headers
    assert got["Stripe-Version"] == "2025-08-27.basil" and "Stripe-Emu-Warning" not in got, dict(got)
    assert got["Idempotency-Key"] == "py-echo-1"
    asked = stripe.Customer.retrieve(cus.id, stripe_account=acct.id, stripe_version="2025-03-31.basil")
    assert asked.last_response.headers["Stripe-Version"] == "2025-03-31.basil", "a version asked for per call"
    assert got.get("Stripe-Account") == acct.id, "Stripe-Account comes back on the answer"
    assert json.loads(watching.sent[0]["X-Stripe-Client-User-Agent"])["bindings_version"] == "5.0.0"
    telemetry = [json.loads(h["X-Stripe-Client-Telemetry"]) for h in watching.sent if "X-Stripe-Client-Telemetry" in h]
    assert telemetry and telemetry[0]["last_request_metrics"]["request_id"].startswith("req_"), watching.sent


@check("retries the SDK makes on its own: a lost connection, a lost answer, a lock timeout, a key still in flight")
def _():
    watching = Watching()
    stripe.default_http_client, stripe.max_network_retries = watching, 2
    try:
        control("POST", "/_emu/faults", {"method": "POST", "path": "/v1/customers", "kind": "drop", "times": 1})
        dropped = stripe.Customer.create(email="retry-drop-py@example.com")
        keys = [h.get("Idempotency-Key") for h in watching.sent]
        assert len(keys) == 2 and keys[0] and keys[0] == keys[1], keys
        assert dropped.last_response.headers["Idempotency-Key"] == keys[0]

        # An answer lost after the request ran: the retry under the same key
        # is answered with the first attempt's result.
        watching.sent.clear()
        control("POST", "/_emu/faults", {"method": "POST", "path": "/v1/customers", "kind": "drop_answer", "times": 1})
        lost = stripe.Customer.create(email="retry-lost-py@example.com")
        keys = [h.get("Idempotency-Key") for h in watching.sent]
        assert len(keys) == 2 and keys[0] == keys[1], keys
        assert lost.last_response.headers["Idempotent-Replayed"] == "true"

        # Stripe advises a retry of a lock timeout (Stripe-Should-Retry: true).
        watching.sent.clear()
        control("POST", "/_emu/faults", {"method": "POST", "path": "/v1/customers", "kind": "lock_timeout", "times": 1})
        stripe.Customer.create(email="retry-lock-py@example.com")
        assert len(watching.sent) == 2, watching.sent

        # A request whose key is still running is answered 409, which the
        # SDK retries: the first request, held, is let go when the 409 comes.
        held = control("POST", "/_emu/faults", {"method": "POST", "path": "/v1/customers", "kind": "hold", "times": 1})["id"]
        first = {}

        def send_first():
            req = urllib.request.Request(stripe.api_base + "/v1/customers", data=b"email=retry-held-py%40example.com", headers={
                "Authorization": "Bearer " + stripe.api_key, "Idempotency-Key": "py-held-1"})
            with urllib.request.urlopen(req) as res:
                first["status"] = res.status

        sender = threading.Thread(target=send_first)
        sender.start()
        while [f for f in control("GET", "/_emu/faults") if f["id"] == held][0].get("waiting", 0) < 1:
            time.sleep(0)  # until the emulator holds it, its key in flight
        conflicts = []

        def release_on_conflict(answer):
            _, status, headers = answer
            if status == 409:
                conflicts.append(headers.get("Stripe-Should-Retry"))
                control("DELETE", "/_emu/faults/" + held)
                sender.join()

        watching.on_answer = release_on_conflict
        stripe.max_network_retries = 1
        replayed = stripe.Customer.create(email="retry-held-py@example.com", idempotency_key="py-held-1")
        assert conflicts == [None], conflicts  # a 409 is not final
        assert first["status"] == 200 and replayed.last_response.headers["Idempotent-Replayed"] == "true"
    finally:
        stripe.default_http_client, stripe.max_network_retries = None, 0
    for email in ("retry-drop-py@example.com", "retry-lost-py@example.com", "retry-lock-py@example.com", "retry-held-py@example.com"):
        assert len(stripe.Customer.list(email=email).data) == 1, email
    control("POST", "/_emu/faults", {"method": "POST", "path": "/v1/customers", "kind": "lock_timeout", "times": 1})
    once = refused(stripe.Customer.create, email="no-retry-py@example.com")
    # 5.0.0 builds a RateLimitError without its code; the error object has it.
    assert isinstance(once, stripe.error.RateLimitError) and once.error.code == "lock_timeout", once
    assert once.headers["Stripe-Should-Retry"] == "true"


@check("files: a multipart upload to upload_api_base, pointed at the emulator")
def _():
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    stripe.upload_api_base = stripe.api_base  # the SDK sends uploads to files.stripe.com otherwise
    f = stripe.File.create(purpose="dispute_evidence", file=io.BytesIO(pdf), file_link_data={"create": True})
    assert f.id.startswith("file_") and (f.type, f.size, f.purpose) == ("pdf", len(pdf), "dispute_evidence"), f
    assert stripe.File.retrieve(f.id, expand=["links"]).links.data[0].file == f.id
    e = refused(stripe.File.create, purpose="dispute_evidence", file=io.BytesIO(b"just text"))
    assert isinstance(e, stripe.error.InvalidRequestError) and e.param == "file", e


@check("python values on the wire: Decimal, datetime, None left out, '' unsets, a list emptied by ''")
def _():
    price = stripe.Price.create(product=state["price"].product, currency="usd", unit_amount_decimal=decimal.Decimal("12.345"),
                                recurring={"interval": "month"})
    assert price.unit_amount_decimal == "12.345" and price.unit_amount is None, price
    cus = stripe.Customer.create(email="wire-py@example.com", description="first", name=None, phone="+15555550100")
    assert cus.name is None and cus.phone == "+15555550100"
    since = datetime.datetime.fromtimestamp(cus.created, tz=datetime.timezone.utc)
    assert [c.id for c in stripe.Customer.list(email="wire-py@example.com", created={"gte": since}).data] == [cus.id]
    cus = stripe.Customer.modify(cus.id, description="", phone=None)
    assert cus.description is None and cus.phone == "+15555550100", "None is not sent; '' unsets"
    rate = stripe.TaxRate.create(display_name="GST", percentage=5, inclusive=False)
    sub = stripe.Subscription.create(customer=state["customer"].id, items=[{"price": state["price"].id}],
                                     default_tax_rates=[rate.id], collection_method="send_invoice", days_until_due=30)
    assert [r.id for r in sub.default_tax_rates] == [rate.id]
    assert stripe.Subscription.modify(sub.id, default_tax_rates="").default_tax_rates == []


@check("instances: save sends what changed, delete and a deleted object's shape")
def _():
    cus = stripe.Customer.create(email="inst-py@example.com", metadata={"keep": "1"})
    cus.name = "Instance"
    cus.metadata["added"] = "2"
    cus.save()
    again = stripe.Customer.retrieve(cus.id)
    assert again.name == "Instance" and dict(again.metadata) == {"keep": "1", "added": "2"}, again
    gone = again.delete()
    assert gone.deleted is True and gone.id == cus.id
    assert stripe.Customer.retrieve(cus.id).deleted is True
    e = refused(stripe.Customer.modify, cus.id, name="x")
    assert isinstance(e, stripe.error.InvalidRequestError) and (e.http_status, e.code) == (404, "resource_missing"), e
    assert stripe.Coupon.delete(stripe.Coupon.create(percent_off=10, duration="once").id).deleted is True


@check("error classes: idempotency, permission, authentication")
def _():
    stripe.Customer.create(email="k-py@example.com", idempotency_key="py-idem-classes")
    e = refused(stripe.Customer.create, email="other-py@example.com", idempotency_key="py-idem-classes")
    assert isinstance(e, stripe.error.IdempotencyError) and e.http_status == 400, type(e)
    e = refused(stripe.Customer.list, stripe_account="acct_1NoSuchAccount")
    # 5.0.0 builds a PermissionError without its code; the error object has it.
    assert isinstance(e, stripe.error.PermissionError) and (e.http_status, e.error.code) == (403, "account_invalid"), e
    for key in ("sk_test_", "sk_live_python", "pk_test_python"):
        e = refused(stripe.Customer.list, api_key=key)
        assert isinstance(e, stripe.error.AuthenticationError) and e.http_status == 401, (key, e)


@check("retries on a 500: the SDK sends the POST again under the same key")
def _():
    watching = Watching()
    stripe.default_http_client, stripe.max_network_retries = watching, 1
    try:
        control("POST", "/_emu/faults", {"method": "POST", "path": "/v1/customers", "kind": "server_error", "times": 1})
        cus = stripe.Customer.create(email="retry-500-py@example.com")
    finally:
        stripe.default_http_client, stripe.max_network_retries = None, 0
    keys = [h.get("Idempotency-Key") for h in watching.sent]
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1], keys
    assert [c.id for c in stripe.Customer.list(email="retry-500-py@example.com").data] == [cus.id]


@check("DELETE with parameters: a subscription canceled with its cancellation details, an item removed without proration")
def _():
    cus = stripe.Customer.create(payment_method="pm_card_visa", invoice_settings={"default_payment_method": "pm_card_visa"})
    s = stripe.Subscription.create(customer=cus.id, items=[{"price": state["price"].id}, {"price": state["tax_price"].id}])
    assert s.status == "active", s.status
    gone = stripe.SubscriptionItem.delete(s["items"].data[1].id, proration_behavior="none")
    assert gone.deleted is True and gone.object == "subscription_item", gone
    assert [i.id for i in stripe.SubscriptionItem.list(subscription=s.id).data] == [s["items"].data[0].id]
    canceled = stripe.Subscription.delete(s.id, prorate=True, cancellation_details={"comment": "moving on"})
    assert isinstance(canceled, stripe.Subscription) and canceled.status == "canceled", canceled
    assert canceled.cancellation_details.comment == "moving on"


@check("a 500 without retries is an APIError")
def _():
    control("POST", "/_emu/faults", {"method": "POST", "path": "/v1/customers", "kind": "server_error", "times": 1})
    e = refused(stripe.Customer.create, email="no-retry-500-py@example.com")
    assert isinstance(e, stripe.error.APIError) and e.http_status == 500, e
    assert stripe.Customer.list(email="no-retry-500-py@example.com").data == []


@check("auto_paging_iter on lists embedded in an object: an invoice's lines, a charge's refunds, past their first 10")
def _():
    inv = stripe.Invoice.create(customer=state["customer"].id, collection_method="send_invoice", days_until_due=30)
    made = [stripe.InvoiceItem.create(customer=state["customer"].id, invoice=inv.id, amount=100 + n, currency="usd").id for n in range(12)]
    inv = stripe.Invoice.retrieve(inv.id)
    assert inv.lines.url == "/v1/invoices/%s/lines" % inv.id and inv.lines.has_more and len(inv.lines.data) == 10, inv.lines.url
    items = [line.parent.invoice_item_details.invoice_item for line in inv.lines.auto_paging_iter()]
    assert sorted(items) == sorted(made), items
    pi = stripe.PaymentIntent.create(amount=5000, currency="usd", payment_method="pm_card_visa", confirm=True, payment_method_types=["card"])
    refunds = [stripe.Refund.create(payment_intent=pi.id, amount=100).id for _ in range(11)]
    charge = stripe.Charge.retrieve(pi.latest_charge, expand=["refunds"])
    assert charge.refunds.has_more and len(charge.refunds.data) == 10
    assert sorted(r.id for r in charge.refunds.auto_paging_iter()) == sorted(refunds)


@check("Connect OAuth: the authorize page, a code for keys of the connected account, deauthorize")
def _():
    import urllib.parse

    from stripe import oauth, oauth_error

    # stripe-python 5.0.0's oauth module copied connect_api_base when it
    # was imported, so setting stripe.connect_api_base later changes nothing.
    oauth.connect_api_base = stripe.api_base
    client_id = control("GET", "/_emu/health")["connect_application"]
    url = stripe.OAuth.authorize_url(client_id=client_id, scope="read_only", state="py", redirect_uri="https://platform.example/cb")
    assert url.startswith(stripe.api_base + "/oauth/authorize?"), url

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(url, data=b"decision=connect")
        raise AssertionError("no redirect")
    except urllib.error.HTTPError as e:
        assert e.code == 302, e.code
        back = urllib.parse.parse_qs(urllib.parse.urlparse(e.headers["Location"]).query)
    assert back["state"] == ["py"] and back["scope"] == ["read_only"], back
    tok = stripe.OAuth.token(grant_type="authorization_code", code=back["code"][0])
    assert tok["token_type"] == "bearer" and tok["stripe_user_id"].startswith("acct_"), tok
    e = refused(stripe.OAuth.token, grant_type="authorization_code", code=back["code"][0])
    assert isinstance(e, oauth_error.InvalidGrantError), type(e)
    gone = stripe.OAuth.deauthorize(client_id=client_id, stripe_user_id=tok["stripe_user_id"])
    assert gone["stripe_user_id"] == tok["stripe_user_id"]


print("all checks passed (%d)" % passed)
