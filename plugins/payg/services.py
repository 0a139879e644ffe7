"""Pay-as-you-go rules: what credits cost, the purchase and its PaymentIntent, and applying the payment's outcome."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import stripe
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.catalog import CatalogQuery, catalog_prices
from core.customers.models import Customer
from core.customers.services import CustomerService
from core.db import scoped
from core.errors import BadRequest, NotFound, UpstreamError
from core.idempotency.keys import stripe_key
from core.kernel import Kernel
from core.ledger.services import Ledger
from core.payment_methods.services import SavedCards
from core.payments.receipts import receipt_of
from plugins.payg import schemas
from plugins.payg.models import CreditPurchase
from tenants.registry import Tenant
from tenants.stripe import StripeClients, idempotency_key

logger = logging.getLogger("tollgate.payg")

PLUGIN = "payg"
GRANT_SOURCE = "payg"


def config_of(tenant: Tenant) -> schemas.PaygConfig:
    return tenant.plugin_config(PLUGIN, schemas.PaygConfig)


def amount_for(count: int, price: schemas.CreditPrice) -> int:
    """What `count` credits cost in minor units, rounded up so a purchase is never undercharged."""
    return -(-count * price.unit_amount // price.credits)


class PurchaseService:
    def __init__(self, session: AsyncSession, tenant: Tenant, kernel: Kernel) -> None:
        self.session = session
        self.tenant = tenant
        self.kernel = kernel
        self.config = config_of(tenant)

    async def prices(self) -> schemas.CreditPrices:
        packs = [
            schemas.CreditPackOption(name, pack.name, pack.currency, pack.unit_amount, pack.credits, "settings")
            for name, pack in sorted(self.config.packs.items())
        ]
        synced = await catalog_prices(self.kernel, self.tenant, self.session, CatalogQuery(credit_type="payg"))
        packs += [
            schemas.CreditPackOption(
                p.id, p.product_name, p.currency, p.unit_amount or 0, p.credit_amount or 0, "catalog"
            )
            for p in synced
        ]
        return schemas.CreditPrices(
            prices=[
                schemas.CreditPriceOption(currency, price.unit_amount, price.credits)
                for currency, price in sorted(self.config.prices.items())
            ],
            packs=packs,
            min_credits=self.config.min_credits,
            max_credits=self.config.max_credits,
            max_quantity=self.config.max_quantity,
            expires_in_days=self.config.expires_in_days,
        )

    # ------------------------------------------------------------------------------------------
    # Purchases
    # ------------------------------------------------------------------------------------------

    async def create(
        self, customer: str, data: schemas.CreditPurchaseCreate, key: str | None, clients: StripeClients
    ) -> schemas.CreditPurchase:
        """Price the purchase, store it and create its PaymentIntent (or charge the saved `payment_method` now).

        The PaymentIntent's idempotency key derives from our row's id, and under a client's
        Idempotency-Key the row's id derives from that key (`Answers.once` keeps the answer): a retry
        whose first attempt reached Stripe but never committed asks with the same key and the same
        parameters, and gets Stripe's first PaymentIntent back.
        """
        customers = CustomerService(self.session, self.tenant)
        row = await customers.payer(customer)
        count, amount, currency = await self._quote(data)
        purchase = CreditPurchase(
            tenant_id=self.tenant.slug,
            customer_id=row.id,
            customer=customer,
            credits=count,
            amount=amount,
            currency=currency,
            price=data.price,
            quantity=data.quantity if data.price else None,
            status="pending",
            created_at=clock.now(),
        )
        if key is not None:
            purchase.id = uuid.uuid5(uuid.NAMESPACE_URL, stripe_key("credit_purchase", self.tenant.slug, customer, key))
        self.session.add(purchase)
        await self.session.flush()
        stripe_customer = await customers.ensure_stripe_customer(row, clients)
        metadata = {
            "tollgate_tenant": self.tenant.slug,
            "tollgate_customer": customer,
            "tollgate_plugin": PLUGIN,
            "tollgate_purchase": str(purchase.id),
            "credits": str(count),
        }
        if data.payment_method is not None:
            return await self._charge_saved_card(purchase, row, data.payment_method, metadata, clients)
        client = await clients.for_tenant(self.tenant)
        try:
            intent = await client.v1.payment_intents.create_async(
                params={
                    "amount": amount,
                    "currency": currency,
                    "customer": stripe_customer,
                    "automatic_payment_methods": {"enabled": True},
                    "description": f"{count} credits",
                    "metadata": metadata,
                },
                options={"idempotency_key": idempotency_key("credit_purchase", purchase.id)},
            )
        except stripe.StripeError as exc:
            logger.warning("PaymentIntent for %s/%s failed: %s", self.tenant.slug, purchase.id, exc)
            raise UpstreamError("Stripe did not accept the payment; try again.", code="stripe_error") from exc
        purchase.payment_intent_id = intent.id
        await self.session.flush()
        return to_schema(purchase, intent.client_secret)

    async def _charge_saved_card(
        self,
        purchase: CreditPurchase,
        payer: Customer,
        payment_method: str,
        metadata: dict[str, str],
        clients: StripeClients,
    ) -> schemas.CreditPurchase:
        """Charge a saved card off-session; a refused card is a 402 and the purchase is not kept."""
        intent = await SavedCards(self.session, self.tenant, clients).charge(
            payer,
            payment_method,
            amount=purchase.amount,
            currency=purchase.currency,
            description=f"{purchase.credits} credits",
            metadata=metadata,
            key=idempotency_key("credit_purchase", purchase.id),
        )
        purchase.payment_intent_id = intent.id
        await self.session.flush()
        if intent.status == "succeeded":
            # What `payment_intent.succeeded` does, done now: that event can be handled before this request
            # commits, and would not find the purchase. The grant is unique on the PaymentIntent, so whichever
            # of the two comes second grants nothing.
            await self.payment_succeeded(intent.to_dict(), intent.created)
        return to_schema(purchase)

    async def get(self, customer: str, purchase_id: str) -> schemas.CreditPurchase:
        return to_schema(await self._get(customer, purchase_id))

    async def _quote(self, data: schemas.CreditPurchaseCreate) -> tuple[int, int, str]:
        """(credits, amount in minor units, currency) for a purchase request, or a 400."""
        if (data.credits is None) == (data.price is None):
            raise BadRequest("Send either `credits` or `price` (with `quantity`).", code="invalid_purchase")
        if data.credits is not None:
            if data.quantity is not None:
                raise BadRequest("`quantity` goes with `price`, not with `credits`.", code="invalid_purchase")
            currency = data.currency or (next(iter(self.config.prices)) if len(self.config.prices) == 1 else None)
            if currency is None:
                raise BadRequest("Say which `currency` to pay in.", code="currency_required")
            price = self.config.prices.get(currency)
            if price is None:
                raise BadRequest(
                    f"Credits are not sold in {currency!r}.",
                    code="unsupported_currency",
                    detail={"currencies": sorted(self.config.prices)},
                )
            count = data.credits
            amount = amount_for(count, price)
        else:
            assert data.price is not None
            quantity = data.quantity or 1
            if quantity > self.config.max_quantity:
                raise BadRequest(f"`quantity` is at most {self.config.max_quantity}.", code="quantity_out_of_range")
            per_unit, unit_amount, currency = await self._pack(data.price)
            if data.currency is not None and data.currency != currency:
                raise BadRequest(f"This price is in {currency!r}.", code="currency_mismatch")
            count, amount = per_unit * quantity, unit_amount * quantity
        if not self.config.min_credits <= count <= self.config.max_credits:
            raise BadRequest(
                f"A purchase is between {self.config.min_credits} and {self.config.max_credits} credits.",
                code="credits_out_of_range",
                detail={"min": self.config.min_credits, "max": self.config.max_credits, "requested": count},
            )
        return count, amount, currency

    async def _pack(self, name: str) -> tuple[int, int, str]:
        """(credits per unit, unit amount, currency) of a settings pack or a synced one-time Stripe price."""
        pack = self.config.packs.get(name)
        if pack is not None:
            return pack.credits, pack.unit_amount, pack.currency
        for synced in await catalog_prices(self.kernel, self.tenant, self.session, CatalogQuery(price_id=name)):
            if synced.active and synced.type == "one_time" and synced.unit_amount:
                if not synced.credit_amount:
                    raise BadRequest("This price has no `credit_amount` metadata.", code="price_without_credits")
                return synced.credit_amount, synced.unit_amount, synced.currency
        raise BadRequest(f"No credit price {name!r} is on sale.", code="unknown_price")

    async def _get(self, customer: str, purchase_id: str) -> CreditPurchase:
        try:
            key = UUID(purchase_id)
        except ValueError:
            key = None
        row = None
        if key is not None:
            statement = scoped(select(CreditPurchase), CreditPurchase, self.tenant.slug).where(
                CreditPurchase.id == key, CreditPurchase.customer == customer
            )
            row = (await self.session.execute(statement)).scalar_one_or_none()
        if row is None:
            raise NotFound("No such credit purchase for this customer.", code="purchase_not_found")
        return row

    # ------------------------------------------------------------------------------------------
    # The payment's outcome (Stripe events)
    # ------------------------------------------------------------------------------------------

    async def payment_succeeded(self, intent: Mapping[str, Any], event_created: int) -> None:
        """Grant the purchase's credits, exactly once (the grant is unique on the PaymentIntent id), and keep the
        charge's receipt (asking Stripe once)."""
        purchase = await self._for_intent(intent)
        if purchase is None:
            return
        if intent.get("currency") != purchase.currency or int(intent.get("amount") or 0) != purchase.amount:
            logger.error(
                "PaymentIntent %s paid %s %s for purchase %s of %s %s; not granting",
                intent.get("id"),
                intent.get("amount"),
                intent.get("currency"),
                purchase.id,
                purchase.amount,
                purchase.currency,
            )
            return
        paid_at = dt.datetime.fromtimestamp(event_created, dt.UTC)
        days = self.config.expires_in_days
        grant = await Ledger(self.session, self.tenant).grant(
            purchase.customer,
            purchase.credits,
            source=GRANT_SOURCE,
            source_ref=str(intent["id"]),
            expires_at=paid_at + dt.timedelta(days=days) if days else None,
            priority=self.config.priority,
            reason="credit purchase",
            metadata={"purchase": str(purchase.id)},
        )
        if purchase.charge_id is None:
            receipt = await receipt_of(await self.kernel.stripe.for_tenant(self.tenant), intent)
            if receipt is not None:
                purchase.charge_id, purchase.receipt_url = receipt
        purchase.status = "succeeded"
        purchase.grant_id = grant.id
        purchase.paid_at = purchase.paid_at or paid_at
        purchase.failure_code = purchase.failure_message = None
        purchase.last_event_at = max(purchase.last_event_at, event_created)
        await self.session.flush()

    async def payment_failed(self, intent: Mapping[str, Any], event_created: int) -> None:
        """Mark the purchase failed with Stripe's reason; never after it succeeded, never from an older event."""
        purchase = await self._for_intent(intent)
        if purchase is None or purchase.status == "succeeded" or event_created < purchase.last_event_at:
            return
        error = intent.get("last_payment_error") or {}
        purchase.status = "failed"
        purchase.failure_code = error.get("decline_code") or error.get("code") or "payment_failed"
        purchase.failure_message = (error.get("message") or "")[:1000] or None
        purchase.last_event_at = event_created
        await self.session.flush()

    async def _for_intent(self, intent: Mapping[str, Any]) -> CreditPurchase | None:
        """Our purchase for this PaymentIntent, or None when another plugin or app made it."""
        metadata = intent.get("metadata") or {}
        if metadata.get("tollgate_plugin") != PLUGIN:
            return None
        statement = scoped(select(CreditPurchase), CreditPurchase, self.tenant.slug).where(
            CreditPurchase.payment_intent_id == str(intent["id"])
        )
        purchase = (await self.session.execute(statement.with_for_update())).scalar_one_or_none()
        if purchase is None:
            logger.warning("no payg purchase for PaymentIntent %s of %s", intent.get("id"), self.tenant.slug)
        return purchase


def to_schema(row: CreditPurchase, client_secret: str | None = None) -> schemas.CreditPurchase:
    return schemas.CreditPurchase(
        id=str(row.id),
        customer=row.customer,
        status=row.status,  # type: ignore[arg-type]
        credits=row.credits,
        amount=row.amount,
        currency=row.currency,
        price=row.price,
        quantity=row.quantity,
        payment_intent_id=row.payment_intent_id,
        client_secret=client_secret,
        grant_id=row.grant_id,
        failure_code=row.failure_code,
        failure_message=row.failure_message,
        created_at=row.created_at,
        paid_at=row.paid_at,
    )
