"""The hosted pages a person sees in the offline demo: Checkout, the billing portal, hosted
invoices, 3-D Secure challenges and receipts. Plain HTML forms, no JavaScript.

Pages carry no API key; the object id in the URL finds its account, as Stripe's hosted
pages do.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import quote

from . import checkout, invoices, payments, setup_intents, subscriptions
from .cards import TEST_CARDS, resolve
from .errors import StripeError
from .periods import fmt_date
from .routing import ControlRequest, Response, Route
from .store import Account, JsonObj
from .subscriptions import money

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1a1f36}
h1{font-size:1.4rem} table{border-collapse:collapse;width:100%} td,th{padding:.4rem;text-align:left;
border-bottom:1px solid #e3e8ee} .total{font-weight:600} .error{color:#b42318;padding:.5rem;
border:1px solid #b42318;border-radius:4px} button{margin:.2rem;padding:.5rem .8rem}
.note{color:#697386;font-size:.85rem}
"""


def _page(title: str, body: str, status: int = 200) -> Response:
    doc = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}"
        "<p class='note'>Stripe emulator (test mode): no real money moves.</p></body></html>"
    )
    return Response(status, doc.encode(), "text/html; charset=utf-8")


def _redirect(url: str) -> Response:
    return Response(303, b"", "text/plain", {"Location": url})


def _locate(req: ControlRequest, object_type: str) -> tuple[Account, JsonObj]:
    found = req.emulator.locate(req.arg("id"))
    if found is None or found[1]["object"] != object_type:
        raise StripeError(404, "invalid_request_error", "This page does not exist.")
    return found


def _card_buttons(cards: Iterable[str]) -> str:
    return "".join(
        f"<button name='payment_method' value='{name}'>"
        f"{TEST_CARDS[name].brand.title()} •••• {TEST_CARDS[name].last4} "
        f"<span class='note'>({TEST_CARDS[name].behavior})</span></button>"
        for name in cards
    )


_PAGE_CARDS = (
    "pm_card_visa", "pm_card_mastercard", "pm_card_chargeDeclined",
    "pm_card_chargeDeclinedInsufficientFunds", "pm_card_authenticationRequired",
)


# ---------------------------------------------------------------- checkout


def _checkout_page(account: Account, session: JsonObj, error: str | None = None) -> Response:
    rows = "".join(
        f"<tr><td>{html.escape(str(item['description']))} × {item['quantity']}</td>"
        f"<td>{money(item['amount_total'], item['currency'])}</td></tr>"
        for item in checkout.line_items(account, session)["data"]
    )
    total = money(session["amount_total"], session["currency"])
    parts = [f"<table>{rows}<tr class='total'><td>Total due today</td><td>{total}</td></tr>"
             "</table>"]
    if error:
        parts.append(f"<p class='error'>{html.escape(error)}</p>")
    if session["status"] != "open":
        parts.append(f"<p>This checkout session is {session['status']}.</p>")
        return _page("Checkout", "".join(parts))
    form = [f"<form method='post' action='/_emulator/pay/{session['id']}'>"]
    if not session["customer"] and not session["customer_email"]:
        form.append("<p><label>Email <input name='email' type='email' "
                    "value='customer@example.com'></label></p>")
    if session["allow_promotion_codes"]:
        form.append("<p><label>Promotion code <input name='promotion_code'></label></p>")
    form.append(f"<p>Pay with a test card:</p>{_card_buttons(_PAGE_CARDS)}</form>")
    if session["cancel_url"]:
        form.append(f"<p><a href='{html.escape(session['cancel_url'])}'>Cancel</a></p>")
    parts.extend(form)
    return _page("Checkout", "".join(parts))


async def show_checkout(req: ControlRequest) -> Response:
    account, session = _locate(req, "checkout.session")
    return _checkout_page(account, session)


async def submit_checkout(req: ControlRequest) -> Response:
    account, session = _locate(req, "checkout.session")
    try:
        checkout.complete(
            account,
            session,
            payment_method=str(req.body.get("payment_method") or "pm_card_visa"),
            promotion_code=req.body.get("promotion_code") or None,
            email=req.body.get("email") or None,
        )
    except StripeError as exc:
        page = _checkout_page(account, session, exc.message)
        page.status = exc.status
        return page
    target = checkout.success_url_for(session)
    if target:
        return _redirect(target)
    return _page("Payment complete", "<p>Thank you.</p>")


# ---------------------------------------------------------------- billing portal


async def show_portal(req: ControlRequest) -> Response:
    account, session = _locate(req, "billing_portal.session")
    subs = [
        s for s in account.all("subscription")
        if s["customer"] == session["customer"] and s["status"] in subscriptions.LIVE
    ]
    rows = []
    for sub in subs:
        items = subscriptions.items_of(account, sub)
        names = ", ".join(
            html.escape(str((account.find(i["price"]["product"]) or {}).get("name", "?")))
            for i in items
        )
        _, end = subscriptions.period_of(account, sub)
        action = "resume" if sub["cancel_at_period_end"] else "cancel_at_period_end"
        label = "Renew" if sub["cancel_at_period_end"] else "Cancel at period end"
        rows.append(
            f"<tr><td>{names}</td><td>{sub['status']}</td><td>{fmt_date(end)}</td><td>"
            f"<form method='post'><input type='hidden' name='subscription' value='{sub['id']}'>"
            f"<button name='action' value='{action}'>{label}</button>"
            "<button name='action' value='cancel_now'>Cancel now</button></form></td></tr>"
        )
    body = ("<table><tr><th>Plan</th><th>Status</th><th>Period end</th><th></th></tr>"
            + "".join(rows) + "</table>")
    if session["return_url"]:
        body += f"<p><a href='{html.escape(session['return_url'])}'>Return</a></p>"
    return _page("Billing portal", body)


async def submit_portal(req: ControlRequest) -> Response:
    account, session = _locate(req, "billing_portal.session")
    sub = account.get("subscription", str(req.body.get("subscription")))
    if sub["customer"] != session["customer"]:
        raise StripeError(403, "invalid_request_error", "Not this customer's subscription.")
    action = req.body.get("action")
    if action == "cancel_now":
        subscriptions.cancel_now(account, sub, reason="cancellation_requested")
    elif action in ("cancel_at_period_end", "resume"):
        before = account.snapshot(sub)
        subscriptions.set_cancel_at_period_end(account, sub, action == "cancel_at_period_end")
        account.emit_updated("customer.subscription.updated", sub, before)
    return _redirect(f"/_emulator/portal/{session['id']}")


# ---------------------------------------------------------------- invoices, 3DS, receipts


async def show_invoice(req: ControlRequest) -> Response:
    account, invoice = _locate(req, "invoice")
    rows = "".join(
        f"<tr><td>{html.escape(line['description'])}</td>"
        f"<td>{money(line['amount'], line['currency'])}</td></tr>"
        for line in invoice["lines"]["data"]
    )
    body = (f"<p>Invoice {html.escape(str(invoice['number']))}: {invoice['status']}</p>"
            f"<table>{rows}<tr class='total'><td>Amount due</td>"
            f"<td>{money(invoice['amount_remaining'], invoice['currency'])}</td></tr></table>")
    error = req.query.get("error")
    if error:
        body += f"<p class='error'>{html.escape(str(error))}</p>"
    if invoice["status"] == "open":
        body += (f"<form method='post'>{_card_buttons(_PAGE_CARDS)}</form>")
    return _page("Invoice", body)


async def submit_invoice(req: ControlRequest) -> Response:
    account, invoice = _locate(req, "invoice")
    pm = resolve(account, str(req.body.get("payment_method") or "pm_card_visa"))
    error = invoices.attempt_payment(account, invoice, pm)
    suffix = f"?error={quote(error.message)}" if error else ""
    return _redirect(f"/_emulator/invoices/{invoice['id']}{suffix}")


async def show_authentication(req: ControlRequest) -> Response:
    if req.arg("id").startswith("seti_"):
        _locate(req, "setup_intent")
        what = "saving your card"
    else:
        _, intent = _locate(req, "payment_intent")
        what = f"a payment of {money(intent['amount'], intent['currency'])}"
    body = (f"<p>Authenticate {what}.</p>"
            "<form method='post'><button name='outcome' value='succeeded'>Complete</button>"
            "<button name='outcome' value='failed'>Fail</button></form>")
    return _page("3-D Secure", body)


async def submit_authentication(req: ControlRequest) -> Response:
    succeeded = req.body.get("outcome") == "succeeded"
    if req.arg("id").startswith("seti_"):
        account, intent = _locate(req, "setup_intent")
        setup_intents.authenticate_setup(account, intent, succeeded)
        return _page("3-D Secure", f"<p>Card setup {html.escape(intent['status'])}.</p>")
    account, intent = _locate(req, "payment_intent")
    payments.authenticate(account, intent, succeeded)
    return _page("3-D Secure", f"<p>Payment {html.escape(intent['status'])}.</p>")


async def show_receipt(req: ControlRequest) -> Response:
    _, charge = _locate(req, "charge")
    body = (f"<p>{money(charge['amount'], charge['currency'])} paid, "
            f"{money(charge['amount_refunded'], charge['currency'])} refunded.</p>")
    return _page("Receipt", body)


async def show_invoice_pdf(req: ControlRequest) -> Response:
    """A one-page PDF naming the invoice: enough for a link to resolve to a PDF."""
    _, invoice = _locate(req, "invoice")
    text = f"Invoice {invoice['number']} {money(invoice['amount_due'], invoice['currency'])}"
    text = text.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return Response(200, pdf, "application/pdf")


ROUTES = [
    Route("GET", "/_emulator/pay/{id}", show_checkout, public=True),
    Route("POST", "/_emulator/pay/{id}", submit_checkout, public=True),
    Route("GET", "/_emulator/portal/{id}", show_portal, public=True),
    Route("POST", "/_emulator/portal/{id}", submit_portal, public=True),
    Route("GET", "/_emulator/invoices/{id}", show_invoice, public=True),
    Route("GET", "/_emulator/invoices/{id}/pdf", show_invoice_pdf, public=True),
    Route("POST", "/_emulator/invoices/{id}", submit_invoice, public=True),
    Route("GET", "/_emulator/authenticate/{id}", show_authentication, public=True),
    Route("POST", "/_emulator/authenticate/{id}", submit_authentication, public=True),
    Route("GET", "/_emulator/receipts/{id}", show_receipt, public=True),
]
