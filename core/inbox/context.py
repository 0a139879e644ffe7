"""What a Stripe event handler receives: the tenant, the verified event, a session, the runtime."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenants.registry import Tenant

if TYPE_CHECKING:
    import stripe

    from core.runtime import Runtime


@dataclass
class EventContext:
    """One Stripe event being applied for one tenant, inside the processing transaction.

    Handlers flush through `session`; the worker commits once every handler has run, so a
    failing handler rolls back the others' writes for this event and the event is retried.
    """

    tenant: Tenant
    event: Mapping[str, Any]
    session: AsyncSession
    runtime: Runtime

    @property
    def id(self) -> str:
        return str(self.event["id"])

    @property
    def type(self) -> str:
        return str(self.event["type"])

    @property
    def created(self) -> int:
        return int(self.event["created"])

    @property
    def object(self) -> Mapping[str, Any]:
        """`data.object`: the Stripe object the event is about, as it was when the event was made."""
        obj: Mapping[str, Any] = self.event["data"]["object"]
        return obj

    async def stripe(self) -> stripe.StripeClient:
        """This tenant's Stripe client (to re-read an object instead of trusting a stale payload)."""
        return await self.runtime.stripe.for_tenant(self.tenant)
