"""What a Stripe event handler receives: the tenant, the verified event, a session, the runtime, and helpers.

Events arrive duplicated and out of order. `mark_applied()` refuses an update older than the last one
applied to the same object; `refetch()` re-reads the object from the tenant's Stripe account when a
handler needs the truth rather than the event's snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from tenants.registry import Tenant

if TYPE_CHECKING:
    import stripe
    from stripe import StripeObject

    from core.kernel import Kernel

# Stripe object names whose API path is not simply the plural (`subscription` -> `subscriptions`).
_RESOURCE_PATHS = {"invoiceitem": "invoice_items"}


@dataclass
class EventContext:
    """One Stripe event being applied for one tenant, inside the processing transaction.

    Handlers flush through `session`; the worker commits once every handler has run, so a
    failing handler rolls back the others' writes for this event and the event is retried.
    """

    tenant: Tenant
    event: Mapping[str, Any]
    session: AsyncSession
    runtime: Kernel

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

    @property
    def object_id(self) -> str:
        return str(self.object["id"])

    async def stripe(self) -> stripe.StripeClient:
        """This tenant's Stripe client (to re-read an object instead of trusting a stale payload)."""
        return await self.runtime.stripe.for_tenant(self.tenant)

    async def is_stale(self, object_id: str | None = None) -> bool:
        """True when an event created after this one was already applied to the object (default: `data.object`)."""
        from core.inbox.repository import ObjectVersionRepository

        repo = ObjectVersionRepository(session=self.session, tenant_id=self.tenant.slug)
        latest = await repo.latest(object_id or self.object_id)
        return latest is not None and latest.event_created > self.created

    async def mark_applied(self, object_id: str | None = None) -> bool:
        """Record this event as the newest applied to the object; False when a newer one already was.

        Call it before changing state and return when it is False (`if not await ctx.mark_applied():
        return`). It locks the object's watermark until the transaction ends, so two workers never
        apply updates to one object at once, and it rolls back with the handler's writes. Stripe's
        `created` has one-second resolution: two events of the same second both apply, in arrival
        order; where that matters, `refetch()` the object instead of trusting either snapshot.
        """
        from core.inbox.repository import ObjectVersionRepository

        repo = ObjectVersionRepository(session=self.session, tenant_id=self.tenant.slug)
        return await repo.advance(object_id or self.object_id, self.created, self.id, clock.now())

    async def refetch(self, *, expand: Sequence[str] = ()) -> StripeObject:
        """`data.object` as it is now in the tenant's Stripe account (the latest state, whatever the event said)."""
        kind = str(self.object.get("object", ""))
        service: Any = (await self.stripe()).v1
        for part in _RESOURCE_PATHS.get(kind, f"{kind}s").split("."):
            service = getattr(service, part, None)
        if service is None or not hasattr(service, "retrieve_async"):
            raise ValueError(f"cannot re-read a Stripe object of type {kind!r}")
        params = {"expand": list(expand)} if expand else None
        obj: StripeObject = await service.retrieve_async(self.object_id, params=params)
        return obj
