"""The audit's queries: its runs and differences, the period's grants from Stripe sources, and what the
inbox holds about a Stripe object."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select

from core.db import TenantRepository, scoped
from core.inbox.models import WebhookEvent
from core.ledger.models import CreditAccount, CreditGrant
from core.money_audit.models import MoneyAuditDifference, MoneyAuditRun


class RunRepository(TenantRepository[MoneyAuditRun]):
    model_type = MoneyAuditRun

    async def page(self, before: uuid.UUID | None, limit: int) -> list[MoneyAuditRun]:
        """Newest first (ids are UUIDv7); `before` is the last id of the previous page."""
        statement = self.select()
        if before is not None:
            statement = statement.where(MoneyAuditRun.id < before)
        statement = statement.order_by(MoneyAuditRun.id.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def by_id(self, run_id: uuid.UUID) -> MoneyAuditRun | None:
        return (await self.session.execute(self.select().where(MoneyAuditRun.id == run_id))).scalar_one_or_none()


class DifferenceRepository(TenantRepository[MoneyAuditDifference]):
    model_type = MoneyAuditDifference

    async def of_run(self, run_id: uuid.UUID) -> list[MoneyAuditDifference]:
        statement = (
            self.select()
            .where(MoneyAuditDifference.run_id == run_id)
            .order_by(MoneyAuditDifference.kind, MoneyAuditDifference.stripe_object)
        )
        return list((await self.session.execute(statement)).scalars())


class AuditReads(TenantRepository[CreditGrant]):
    """Ledger and inbox rows the audit reads (never writes)."""

    model_type = CreditGrant

    async def grants_made(
        self, sources: Sequence[str], since: dt.datetime, until: dt.datetime
    ) -> list[tuple[str, str, str]]:
        """(source, source_ref, customer) of the grants of these sources made in `[since, until)`."""
        if not sources:
            return []
        statement = scoped(
            select(CreditGrant.source, CreditGrant.source_ref, CreditAccount.customer).join(
                CreditAccount, CreditAccount.id == CreditGrant.account_id
            ),
            CreditGrant,
            self.tenant_id,
        ).where(
            CreditGrant.source.in_(sorted(sources)), CreditGrant.created_at >= since, CreditGrant.created_at < until
        )
        return [(row[0], row[1], row[2]) for row in await self.session.execute(statement)]

    async def inbox_events(self, object_id: str, event_types: Sequence[str]) -> list[WebhookEvent]:
        """The stored events of these types about one Stripe object, oldest first."""
        statement = (
            scoped(select(WebhookEvent), WebhookEvent, self.tenant_id)
            .where(WebhookEvent.object_id == object_id, WebhookEvent.event_type.in_(list(event_types)))
            .order_by(WebhookEvent.event_created)
        )
        return list((await self.session.execute(statement)).scalars())
