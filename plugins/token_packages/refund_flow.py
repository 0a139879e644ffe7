"""A refund over its three steps, each in its own transaction: our row, Stripe's refund, the clawback."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import stripe

from core import audit_trail
from core.db import session_scope
from core.errors import Conflict, UpstreamError
from plugins.token_packages import schemas
from plugins.token_packages.config import PLUGIN
from plugins.token_packages.models import PENDING
from plugins.token_packages.refunds import RefundRequest, RefundService
from tenants.registry import Tenant
from tenants.stripe import idempotency_key

if TYPE_CHECKING:
    from core.kernel import Kernel

logger = logging.getLogger("tollgate.token_packages")


class RefundFlow:
    """A refund over its three steps, each in its own transaction: our row, Stripe's refund, the clawback.

    Stripe is asked under `idempotency_key("refund", row.id)`. A repeat of the request,
    `charge.refunded` and the resume task all finish a pending row the same way, so no refund is ever
    made or counted twice.
    """

    def __init__(self, runtime: Kernel, tenant: Tenant) -> None:
        self.runtime = runtime
        self.tenant = tenant

    async def refund(self, order_id: str, data: schemas.RefundCreate, key: str | None) -> tuple[schemas.Refund, bool]:
        """Refund an order (all that is left, or `amount`); returns (refund, created)."""
        async with session_scope(self.runtime.sessions) as session:
            opened = await RefundService(session, self.tenant).open(order_id, data, key)
            if opened.created:
                refund = opened.refund
                await audit_trail.record(
                    session,
                    self.tenant.slug,
                    "token_packages.refund",
                    f"order:{refund.order_id}",
                    after={
                        "refund": refund.id,
                        "amount": refund.amount,
                        "currency": refund.currency,
                        "credits_clawed_back": refund.credits_clawed_back,
                    },
                )
        if opened.send is None:
            return opened.refund, False
        return await self.send(opened.send), opened.created

    async def resume(self, refund_id: str) -> schemas.Refund | None:
        """Finish a refund left pending (its request died); None when it is already settled."""
        async with session_scope(self.runtime.sessions) as session:
            request = await RefundService(session, self.tenant).pending_request(refund_id)
        return await self.send(request) if request is not None else None

    async def send(self, request: RefundRequest) -> schemas.Refund:
        """Ask Stripe (safe to repeat: the idempotency key is the row's), then settle the row either way."""
        client = await self.runtime.stripe.for_tenant(self.tenant)
        metadata = {
            "tollgate_tenant": self.tenant.slug,
            "tollgate_plugin": PLUGIN,
            "tollgate_order": request.order_id,
            "tollgate_refund": request.id,
        }
        if request.reason:
            metadata["reason"] = request.reason
        try:
            refund = await client.v1.refunds.create_async(
                params={"payment_intent": request.payment_intent, "amount": request.amount, "metadata": metadata},
                options={"idempotency_key": idempotency_key("refund", request.id)},
            )
        except stripe.InvalidRequestError as exc:
            async with session_scope(self.runtime.sessions) as session:
                await RefundService(session, self.tenant).fail(
                    request.id, exc.code or "invalid_request", exc.user_message or str(exc)
                )
            raise Conflict(
                f"Stripe refused the refund: {exc.user_message}",
                code="refund_rejected",
                detail={"refund": request.id, "stripe_code": exc.code},
            ) from exc
        except stripe.StripeError as exc:
            # Stripe may or may not have made it: the row stays pending, and the same request, the
            # `charge.refunded` event or the resume task finishes it under the same idempotency key.
            logger.warning("refund %s of %s: Stripe did not answer: %s", request.id, self.tenant.slug, exc)
            raise UpstreamError(
                "Stripe did not answer; the refund is pending. Send the same request again to finish it.",
                code="stripe_error",
                detail={"refund": request.id, "status": PENDING},
            ) from exc
        async with session_scope(self.runtime.sessions) as session:
            return await RefundService(session, self.tenant).complete(request.id, refund.to_dict())
