"""Running the audit: read the period's money from Stripe, have every enabled plugin explain what it owns,
report what nobody explains, repair what a missing event explains, and record the run.

The audit never writes money itself. Its repair stores Stripe's own event through the inbox
(`store_fetched`, deduplicated on the event id) and lets the inbox apply it, so a repair is exactly the
delivery that went missing; anything else stays open for a person. Running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils import uuid7

from core import audit_trail, clock, metrics
from core.db import after_commit, session_scope
from core.errors import NotFound
from core.inbox.dispatch import metadata_owner
from core.inbox.models import PROCESSED
from core.inbox.services import store_fetched
from core.lists import Page, PageRequest
from core.money_audit import schemas
from core.money_audit.findings import GRANTED_WITHOUT_PAYMENT, KINDS, UNCLAIMED, AuditAnswer, Finding, StripeObjects
from core.money_audit.models import (
    CLEAN,
    DIFFERENCES,
    FAILED,
    OPEN,
    REPAIRED,
    MoneyAuditDifference,
    MoneyAuditRun,
)
from core.money_audit.repository import AuditReads, DifferenceRepository, RunRepository
from core.money_audit.stripe_lists import Progress, counts, list_all, money_in_period
from core.notifications import notify
from core.retries import parse_row_id
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel

logger = logging.getLogger("tollgate.money_audit")

KERNEL = "core"
# Stripe objects are listed from this long before the period: a grant made in the period may be for a
# Checkout Session opened a day earlier or an invoice drafted before a retried payment went through.
LISTING_LEAD = dt.timedelta(days=3)
NOTICE = "money_audit.differences"


@dataclass(frozen=True)
class Owned:
    """A finding and the plugin whose Stripe object it is about (`core` for the kernel's own)."""

    plugin: str
    finding: Finding


@dataclass
class Repair:
    """What the repair did for one finding."""

    note: str
    stripe_event_id: str | None = None
    stored: uuid.UUID | None = None


class MoneyAudit:
    """The audit of one tenant's money against its Stripe account."""

    def __init__(self, kernel: Kernel, tenant: Tenant) -> None:
        self.kernel = kernel
        self.tenant = tenant

    async def run(
        self,
        since: dt.datetime,
        until: dt.datetime,
        *,
        trigger: str,
        repair: bool = False,
        progress: Progress | None = None,
    ) -> uuid.UUID:
        """Audit `[since, until)`, repair when asked, record the run and its differences; returns the run's id.

        A run that fails (Stripe or the database) is recorded `failed` with the error, then the error raised.
        """
        run = MoneyAuditRun(
            # UUIDv7: the runs list pages by id, newest first.
            id=uuid.UUID(str(uuid7())),
            tenant_id=self.tenant.slug,
            since=since,
            until=until,
            trigger=trigger,
            repair=repair,
            created_at=clock.now(),
        )
        try:
            client = await self.kernel.stripe.for_tenant(self.tenant)
            objects = await money_in_period(client, since - LISTING_LEAD, until, progress)
            run.objects = counts(objects)
            found = await self.findings(objects, since, until)
            repairs: dict[tuple[str, str], Repair] = {}
            if repair and any(o.finding.repair_events for o in found):
                repairs = await self._repair(run.id, client, objects, found)
                found_after = await self.findings(objects, since, until)
            else:
                found_after = found
        except Exception as exc:
            await self._record_failure(run, exc)
            raise
        open_keys = {o.finding.key for o in found_after}
        repaired = [o for o in found if o.finding.key not in open_keys]
        await self._record(run, found_after, repaired, repairs)
        return run.id

    async def findings(self, objects: StripeObjects, since: dt.datetime, until: dt.datetime) -> list[Owned]:
        """Every difference: each enabled plugin's about its own objects, then what nobody explains."""
        async with session_scope(self.kernel.sessions) as session:
            answers: list[tuple[str, AuditAnswer]] = await self.kernel.ask(
                "tollgate_money_audit", self.tenant, session=session, stripe_objects=objects
            )
            found = [Owned(plugin, f) for plugin, answer in answers for f in answer.findings]
            found += self._unclaimed(objects, answers)
            found += await self._unexplained_grants(session, answers, since, until)
        return found

    def _unclaimed(self, objects: StripeObjects, answers: Sequence[tuple[str, AuditAnswer]]) -> list[Owned]:
        """Objects a Tollgate plugin stamped that no enabled plugin explains (its plugin is off, or lost them)."""
        explained = set().union(*(a.explained for _, a in answers)) if answers else set()
        owners = {str(o["id"]): metadata_owner(o) for o in [*objects.invoices, *objects.payment_intents]}
        owners |= {str(o["id"]): metadata_owner(o) for o in objects.checkout_sessions}
        # A refund or dispute belongs to whoever made the payment it takes back.
        for taken in [*objects.refunds, *objects.disputes]:
            owners[str(taken["id"])] = owners.get(str(taken.get("payment_intent") or ""))
        found = []
        for object_id, owner in sorted(owners.items()):
            if owner is not None and object_id not in explained:
                found.append(
                    Owned(
                        KERNEL,
                        Finding(
                            UNCLAIMED,
                            object_id,
                            f"Made by the {owner} plugin, but no plugin enabled for this tenant accounts for it.",
                            expected=owner,
                        ),
                    )
                )
        return found

    async def _unexplained_grants(
        self,
        session: AsyncSession,
        answers: Sequence[tuple[str, AuditAnswer]],
        since: dt.datetime,
        until: dt.datetime,
    ) -> list[Owned]:
        """Grants for Stripe payments made in the period that no Stripe object of the period explains."""
        sources = {source: plugin for plugin, a in answers for source in a.grant_sources}
        explained = set().union(*(a.explained_grants for _, a in answers)) if answers else set()
        reads = AuditReads(session=session, tenant_id=self.tenant.slug)
        found = []
        for source, ref, customer in await reads.grants_made(sorted(sources), since, until):
            if (source, ref) not in explained:
                finding = Finding(
                    GRANTED_WITHOUT_PAYMENT,
                    f"{source}:{ref}",
                    "A grant for a Stripe payment that no paid Stripe object of the period explains.",
                    customer=customer,
                )
                found.append(Owned(sources[source], finding))
        return found

    # ------------------------------------------------------------------------------------------
    # Repair
    # ------------------------------------------------------------------------------------------

    async def _repair(
        self, run_id: uuid.UUID, client: Any, objects: StripeObjects, found: Sequence[Owned]
    ) -> dict[tuple[str, str], Repair]:
        """Store, through the inbox, the Stripe event each repairable finding lacks, then apply them.

        An event the inbox already has is not stored again: applied, it explains nothing more (a
        person must look); failed or dead, it is the operator's to replay. Storing any writes one audit
        record (`money_audit.repair`, by whoever ran the audit) in the same transaction.
        """
        repairable = [o.finding for o in found if o.finding.repair_events and o.finding.event_object]
        types = sorted({t for f in repairable for t in f.repair_events})
        in_stripe: dict[str, list[dict[str, Any]]] = {}
        created = {"gte": int(objects.since.timestamp())}
        for event in reversed(await list_all(client.v1.events, {"types": types, "created": created}, "events")):
            in_stripe.setdefault(str(event["data"]["object"]["id"]), []).append(event)
        repairs: dict[tuple[str, str], Repair] = {}
        stored: list[uuid.UUID] = []
        events: list[str] = []  # Stripe's ids of the stored events
        async with session_scope(self.kernel.sessions) as session:
            reads = AuditReads(session=session, tenant_id=self.tenant.slug)
            for finding in repairable:
                assert finding.event_object is not None
                held = await reads.inbox_events(finding.event_object, finding.repair_events)
                if held:
                    repairs[finding.key] = _already_held(held[-1])
                    continue
                event = next(
                    (e for e in in_stripe.get(finding.event_object, []) if e["type"] in finding.repair_events), None
                )
                if event is None:
                    repairs[finding.key] = Repair("Stripe has no event that explains it (it keeps events 30 days).")
                    continue
                row_id = await store_fetched(self.kernel, session, self.tenant, event)
                repairs[finding.key] = Repair(
                    f"Stored Stripe's {event['type']} event through the inbox.", event["id"], row_id
                )
                if row_id is not None:
                    stored.append(row_id)
                    events.append(str(event["id"]))
            if stored:
                await audit_trail.record(
                    session,
                    self.tenant.slug,
                    "money_audit.repair",
                    f"money_audit_run:{run_id}",
                    after={"events": events},
                )
        await self._apply(stored)
        return repairs

    async def _apply(self, stored: Sequence[uuid.UUID]) -> None:
        """Process the stored events now, so the run reports their outcome (their task finds them settled)."""
        from core.inbox.tasks import processor_of

        for row_id in stored:
            await processor_of(self.kernel).process(self.tenant.slug, row_id)

    # ------------------------------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------------------------------

    async def _record(
        self,
        run: MoneyAuditRun,
        still_open: Sequence[Owned],
        repaired: Sequence[Owned],
        repairs: dict[tuple[str, str], Repair],
    ) -> None:
        run.status = DIFFERENCES if still_open else CLEAN
        run.open_differences = len(still_open)
        run.repaired_differences = len(repaired)
        run.finished_at = clock.now()
        by_kind = Counter(o.finding.kind for o in still_open)
        async with session_scope(self.kernel.sessions) as session:
            await RunRepository(session=session, tenant_id=self.tenant.slug).add(run)
            rows = [self._difference(run, o, OPEN, repairs.get(o.finding.key)) for o in still_open]
            rows += [self._difference(run, o, REPAIRED, repairs.get(o.finding.key)) for o in repaired]
            if rows:
                await DifferenceRepository(session=session, tenant_id=self.tenant.slug).add_many(rows)
            if still_open:
                await notify(
                    session,
                    self.tenant,
                    NOTICE,
                    {
                        "run": str(run.id),
                        "since": run.since,
                        "until": run.until,
                        "open_differences": run.open_differences,
                        "repaired_differences": run.repaired_differences,
                        "kinds": dict(sorted(by_kind.items())),
                    },
                    dedupe_key=f"{NOTICE}:{run.id}",
                )
            after_commit(
                session, metrics.money_audit_finished(self.tenant.slug, run.status, {k: by_kind[k] for k in KINDS})
            )

    def _difference(self, run: MoneyAuditRun, owned: Owned, status: str, repair: Repair | None) -> MoneyAuditDifference:
        f = owned.finding
        return MoneyAuditDifference(
            tenant_id=self.tenant.slug,
            run_id=run.id,
            kind=f.kind,
            plugin=owned.plugin,
            stripe_object=f.stripe_object,
            customer=f.customer,
            description=f.description[:1000],
            expected=f.expected,
            found=f.found,
            status=status,
            repair_note=repair.note[:1000] if repair else None,
            stripe_event_id=repair.stripe_event_id if repair else None,
        )

    async def _record_failure(self, run: MoneyAuditRun, exc: Exception) -> None:
        logger.error("money audit of %s failed: %s", self.tenant.slug, exc)
        run.status = FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:1000]
        run.finished_at = clock.now()
        async with session_scope(self.kernel.sessions) as session:
            await RunRepository(session=session, tenant_id=self.tenant.slug).add(run)
            after_commit(session, metrics.money_audit_finished(self.tenant.slug, FAILED, None))


def _already_held(event: Any) -> Repair:
    """Why an event the inbox holds is not stored again, and what to do instead."""
    if event.status == PROCESSED:
        note = (
            f"Stripe's {event.event_type} event {event.stripe_event_id} was applied, yet the records are missing: "
            "nothing to replay, a person must look."
        )
    elif event.status in ("failed", "dead"):
        note = (
            f"Stripe's {event.event_type} event {event.stripe_event_id} is {event.status} in the inbox: "
            f"replay it (POST /admin/webhook-events/{event.id}/replay)."
        )
    else:
        note = f"Stripe's {event.event_type} event {event.stripe_event_id} is {event.status} in the inbox."
    return Repair(note, event.stripe_event_id)


class AuditRuns:
    """Operators' view of one tenant's audit runs: list them, read one with its differences."""

    NOUN = "money_audit"

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.runs = RunRepository(session=session, tenant_id=tenant.slug)

    async def page(self, page: PageRequest) -> Page[schemas.MoneyAuditRun]:
        from core.cursors import uuid_position

        rows = await self.runs.page(page.position(self.NOUN, uuid_position), page.fetch)
        return page.page(rows, self.NOUN, lambda row: row.id, (run_schema(r) for r in rows[: page.limit]))

    async def get(self, ref: str) -> schemas.MoneyAuditRunDetail:
        run_id = parse_row_id(ref)
        run = await self.runs.by_id(run_id) if run_id else None
        if run is None:
            raise NotFound("No such money audit run for this tenant.", code="money_audit_run_not_found")
        rows = await DifferenceRepository(session=self.session, tenant_id=self.tenant.slug).of_run(run.id)
        return schemas.MoneyAuditRunDetail(**run_fields(run), differences=[difference_schema(r) for r in rows])


def run_fields(run: MoneyAuditRun) -> dict[str, Any]:
    return {
        "id": str(run.id),
        "since": run.since,
        "until": run.until,
        "trigger": run.trigger,
        "repair": run.repair,
        "status": run.status,
        "objects": dict(run.objects or {}),
        "open_differences": run.open_differences,
        "repaired_differences": run.repaired_differences,
        "error": run.error,
        "started_at": run.created_at,
        "finished_at": run.finished_at,
    }


def run_schema(run: MoneyAuditRun) -> schemas.MoneyAuditRun:
    return schemas.MoneyAuditRun(**run_fields(run))


def difference_schema(row: MoneyAuditDifference) -> schemas.MoneyAuditDifference:
    return schemas.MoneyAuditDifference(
        kind=row.kind,  # type: ignore[arg-type]
        status=row.status,  # type: ignore[arg-type]
        plugin=row.plugin,
        stripe_object=row.stripe_object,
        customer=row.customer,
        description=row.description,
        expected=row.expected,
        found=row.found,
        repair_note=row.repair_note,
        stripe_event_id=row.stripe_event_id,
    )
