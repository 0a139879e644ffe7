"""Rules for saved cards: save one (SetupIntent), list them, choose the default, detach one, charge one off-session.

Every card is read from the tenant's own Stripe account and must be attached to this customer's Stripe
customer: an id of another customer's (or another tenant's) card is a 404, and nothing is done to it.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from core.cursors import encode_cursor
from core.customers.models import Customer
from core.customers.services import CustomerService
from core.errors import NotFound, PaymentRequired, UpstreamError
from core.idempotency.keys import stripe_key
from core.lists import Page, PageRequest
from core.payment_methods import schemas
from tenants.registry import Tenant
from tenants.stripe import StripeClients, idempotency_key

logger = logging.getLogger("tollgate.payment_methods")

PAYMENT_METHOD_ID: Final = re.compile(r"pm_[A-Za-z0-9_]{1,200}")  # core/fields.PaymentMethodId
LIST_KIND: Final = "payment_methods"
# Stripe's decline code of an off-session charge the card's issuer wants the customer present for.
AUTHENTICATION_REQUIRED: Final = "authentication_required"


def _not_found(pm_id: str) -> NotFound:
    return NotFound(f"The customer has no saved payment method {pm_id!r}.", code="payment_method_not_found")


def _upstream(exc: stripe.StripeError) -> UpstreamError:
    logger.warning("Stripe refused a saved-card call: %s", exc)
    return UpstreamError("Stripe did not answer as expected; try again.", code="stripe_error")


def _position(text: str) -> str | None:
    return text if PAYMENT_METHOD_ID.fullmatch(text) else None


def to_schema(pm: Any, default: str | None) -> schemas.PaymentMethod:
    card = pm["card"]
    return schemas.PaymentMethod(
        id=pm["id"],
        type="card",
        brand=card["brand"],
        last4=card["last4"],
        exp_month=int(card["exp_month"]),
        exp_year=int(card["exp_year"]),
        default=pm["id"] == default,
    )


class SavedCards:
    """One tenant's customers' saved cards, in the caller's transaction."""

    def __init__(self, session: AsyncSession, tenant: Tenant, clients: StripeClients) -> None:
        self.session = session
        self.tenant = tenant
        self.clients = clients
        self.customers = CustomerService(session, tenant)

    async def start_setup(self, customer: str, key: str | None) -> schemas.SetupIntent:
        """A SetupIntent for saving a card on the customer for off-session use (created lazily on Stripe)."""
        row = await self.customers.payer(customer)
        stripe_customer = await self.customers.ensure_stripe_customer(row, self.clients)
        client = await self.clients.for_tenant(self.tenant)
        stripe_idempotency = (
            stripe_key("setup_intent", self.tenant.slug, customer, key)
            if key is not None
            else idempotency_key("setup_intent", uuid.uuid4())
        )
        try:
            intent = await client.v1.setup_intents.create_async(
                params={
                    "customer": stripe_customer,
                    "usage": "off_session",
                    # Cards only: a saved method is charged later with nobody there to follow a redirect.
                    "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
                    "metadata": {"tollgate_tenant": self.tenant.slug, "tollgate_customer": customer},
                },
                options={"idempotency_key": stripe_idempotency},
            )
        except stripe.StripeError as exc:
            raise _upstream(exc) from exc
        assert intent.client_secret is not None
        return schemas.SetupIntent(
            id=intent.id, client_secret=intent.client_secret, status=intent.status, customer=customer
        )

    async def list_cards(self, customer: str, page: PageRequest) -> Page[schemas.PaymentMethod]:
        """The customer's saved cards, newest first (Stripe's order), each saying whether it is the default."""
        row = await self.customers.get(customer)
        after = page.position(LIST_KIND, _position)
        if row.stripe_customer_id is None:
            return Page(data=[], has_more=False, next_cursor=None)
        client = await self.clients.for_tenant(self.tenant)
        params: stripe.params.CustomerPaymentMethodListParams = {"type": "card", "limit": min(page.fetch, 100)}
        if after is not None:
            params["starting_after"] = after
        try:
            cards = await client.v1.customers.payment_methods.list_async(row.stripe_customer_id, params=params)
            default = await self._default(client, row.stripe_customer_id)
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing":
                raise _not_found(after or "") from exc
            raise _upstream(exc) from exc
        except stripe.StripeError as exc:
            raise _upstream(exc) from exc
        shown = list(cards.data)[: page.limit]
        # Stripe's page holds at most 100: more follow when it had one more than shown, or says so itself.
        has_more = len(cards.data) > len(shown) or (bool(cards.has_more) and bool(shown))
        return Page(
            data=[to_schema(pm, default) for pm in shown],
            has_more=has_more,
            next_cursor=encode_cursor(LIST_KIND, shown[-1].id) if has_more else None,
        )

    async def set_default(self, customer: str, pm_id: str) -> schemas.PaymentMethod:
        """Make the card the one invoices (subscription renewals) are charged to.

        Stripe charges a subscription's own `default_payment_method` before the customer's, and a subscription
        paid in the app's form keeps the card that paid it (`save_default_payment_method=on_subscription`): the
        customer's subscriptions that keep a card of their own move to this one too.
        """
        row = await self.customers.get(customer)
        pm = await self.owned(row, pm_id)
        client = await self.clients.for_tenant(self.tenant)
        assert row.stripe_customer_id is not None
        change = f"default:{pm.id}:{uuid.uuid4()}"
        try:
            await client.v1.customers.update_async(
                row.stripe_customer_id,
                params={"invoice_settings": {"default_payment_method": pm.id}},
                options={"idempotency_key": idempotency_key("customer", row.id, change)},
            )
            # Stripe lists the subscriptions not yet ended; a customer holds a handful, never a hundred.
            live = await client.v1.subscriptions.list_async(params={"customer": row.stripe_customer_id, "limit": 100})
            for subscription in live.data:
                own = subscription.default_payment_method
                if own is None or (own if isinstance(own, str) else own.id) == pm.id:
                    continue
                await client.v1.subscriptions.update_async(
                    subscription.id,
                    params={"default_payment_method": pm.id},
                    options={"idempotency_key": idempotency_key("subscription", subscription.id, change)},
                )
        except stripe.StripeError as exc:
            raise _upstream(exc) from exc
        return to_schema(pm, pm.id)

    async def detach(self, customer: str, pm_id: str) -> schemas.PaymentMethod:
        """Remove the card from the customer (Stripe detaches it; it can never be charged again)."""
        row = await self.customers.get(customer)
        pm = await self.owned(row, pm_id)
        client = await self.clients.for_tenant(self.tenant)
        try:
            await client.v1.payment_methods.detach_async(
                pm.id, options={"idempotency_key": idempotency_key("payment_method", pm.id, "detach")}
            )
        except stripe.StripeError as exc:
            raise _upstream(exc) from exc
        return to_schema(pm, None)

    async def owned(self, row: Customer, pm_id: str) -> stripe.PaymentMethod:
        """The card `pm_id` if it is attached to this customer's Stripe customer; 404 for anyone else's."""
        if row.stripe_customer_id is None or not PAYMENT_METHOD_ID.fullmatch(pm_id):
            raise _not_found(pm_id)
        client = await self.clients.for_tenant(self.tenant)
        try:
            pm = await client.v1.payment_methods.retrieve_async(pm_id)
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing":
                raise _not_found(pm_id) from exc
            raise _upstream(exc) from exc
        except stripe.StripeError as exc:
            raise _upstream(exc) from exc
        owner = pm.customer if isinstance(pm.customer, str) or pm.customer is None else pm.customer.id
        if owner != row.stripe_customer_id or pm.type != "card":
            raise _not_found(pm_id)
        return pm

    async def charge(
        self,
        row: Customer,
        pm_id: str,
        *,
        amount: int,
        currency: str,
        description: str,
        metadata: Mapping[str, str],
        key: str,
    ) -> stripe.PaymentIntent:
        """Charge a saved card now, with the customer away (`off_session`, `confirm`).

        A refused card is a 402: `card_declined` with Stripe's `decline_code` in `detail`, or
        `requires_action` when the card's issuer wants the customer present for 3-D Secure (the app then
        takes the payment on-session). Nothing is kept of a refused charge on Tollgate's side.
        """
        pm = await self.owned(row, pm_id)
        stripe_customer = row.stripe_customer_id
        assert stripe_customer is not None  # owned() found the card on it
        client = await self.clients.for_tenant(self.tenant)
        try:
            intent = await client.v1.payment_intents.create_async(
                params={
                    "amount": amount,
                    "currency": currency,
                    "customer": stripe_customer,
                    "payment_method": pm.id,
                    "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
                    "off_session": True,
                    "confirm": True,
                    "description": description,
                    "metadata": dict(metadata),
                },
                options={"idempotency_key": key},
            )
        except stripe.CardError as exc:
            raise declined(exc, pm.id) from exc
        except stripe.StripeError as exc:
            raise _upstream(exc) from exc
        if intent.status == "requires_action":
            raise _requires_action(pm.id, intent.id)
        return intent

    @staticmethod
    async def _default(client: stripe.StripeClient, stripe_customer: str) -> str | None:
        found = await client.v1.customers.retrieve_async(stripe_customer)
        settings = found.invoice_settings
        default = settings.default_payment_method if settings is not None else None
        return default if isinstance(default, str) or default is None else default.id


def _requires_action(pm_id: str, intent_id: str | None) -> PaymentRequired:
    return PaymentRequired(
        "The card's issuer wants the customer to authenticate this payment (3-D Secure): take it on-session.",
        code="requires_action",
        detail={"decline_code": AUTHENTICATION_REQUIRED, "payment_method": pm_id, "payment_intent": intent_id},
    )


def declined(exc: stripe.CardError, pm_id: str) -> PaymentRequired:
    """The 402 for a card Stripe refused, carrying Stripe's decline code."""
    error = exc.error
    decline_code = (error.decline_code if error is not None else None) or exc.code or "card_declined"
    intent = error.payment_intent if error is not None else None
    intent_id = intent.id if intent is not None else None
    if AUTHENTICATION_REQUIRED in (decline_code, exc.code):
        return _requires_action(pm_id, intent_id)
    return PaymentRequired(
        exc.user_message or "The card was declined.",
        code="card_declined",
        detail={"decline_code": decline_code, "stripe_code": exc.code, "payment_method": pm_id},
    )
