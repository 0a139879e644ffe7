"""Erasing a customer (`DELETE /customers/{id}`): personal data removed, financial rows kept pseudonymous.

In one transaction: the plugins settle what they still run for the customer (`tollgate_customer_erasing`:
an active subscription is canceled, or the call is refused), every declared table
(`tollgate_customer_tables`) is rewritten with the app's id replaced by a random pseudonym, personal
fields and free text tombstoned and stored JSON documents scrubbed, one `customer.erase` audit record is
written, and the erasure is recorded with keyed digests of what it erased. Amounts, counters and
references stay as they were, so every ledger invariant and every figure holds afterwards.

The Stripe customer is deleted by a task sent once that transaction commits: Stripe answers the deletion
with a `customer.deleted` event carrying the email, and the inbox stores an event about an erased Stripe
customer scrubbed only once it can see the erasure (`scrub_erased`), so the erasure must be committed
before Stripe is asked. A repeated DELETE of the same app id answers the erasure's result again (and
sends the task again while the Stripe customer is not yet deleted).
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import msgspec
import stripe
from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from core import audit_trail, clock
from core.customers import schemas
from core.customers.models import Customer, CustomerErasure, PrivacySalt
from core.customers.repository import CustomerRepository
from core.customers.scrub import STRIPE_CUSTOMER, DigestedCustomer, KnownCustomer, digest, replacing_all, scrub
from core.customers.services import check_customer_id, customer_not_found
from core.customers.tables import TOMBSTONE, CustomerTable, Identity, strings_of
from core.db import insert_for, is_conflict, scoped, session_scope
from tenants.registry import Tenant
from tenants.stripe import idempotency_key

if TYPE_CHECKING:
    from core.kernel import Kernel

logger = logging.getLogger("tollgate.customers")

DELETE_STRIPE_CUSTOMER_TASK = "customers.delete_stripe_customer"
PSEUDONYM_PREFIX = "erased_"
# How often an erasure goes again after losing a deadlock (PostgreSQL; see `Erasures.erase`).
CONFLICT_RETRIES = 5


def new_pseudonym() -> str:
    """A random app id for an erased customer: unguessable, and valid as a customer id."""
    return PSEUDONYM_PREFIX + secrets.token_hex(12)


# The tenant's digest key, built once (the inbox reads it for every Stripe delivery naming a customer).
SALT = scoped(select(PrivacySalt.salt), PrivacySalt, cast(str, bindparam("scope_tenant")))


async def salt_of(session: AsyncSession, tenant: str) -> str | None:
    """The tenant's digest key; None before its first erasure. Once made it never changes (`ensured_salt`)."""
    return (await session.execute(SALT, {"scope_tenant": tenant})).scalar_one_or_none()


async def ensured_salt(session: AsyncSession, tenant: str) -> str:
    """The tenant's digest key, made on its first erasure (random: the digests cannot be looked up elsewhere)."""
    salt = await salt_of(session, tenant)
    if salt is not None:
        return salt
    statement = scoped(select(PrivacySalt.salt), PrivacySalt, tenant)
    now = clock.now()
    values = {"id": uuid7(), "tenant_id": tenant, "salt": secrets.token_hex(32), "created_at": now, "updated_at": now}
    await session.execute(
        insert_for(session, PrivacySalt).values(values).on_conflict_do_nothing(index_elements=["tenant_id"])
    )
    return (await session.execute(statement)).scalar_one()


def decoded_document(value: Any) -> Any:
    """A stored document as JSON (JSON columns are already; text and bytes are parsed), or None."""
    if isinstance(value, bytes | str):
        try:
            return msgspec.json.decode(value)
        except msgspec.DecodeError:
            return None
    return value


def _encoded_like(original: Any, document: Any) -> Any:
    """The scrubbed document stored the way the original was (JSON, text or bytes)."""
    if isinstance(original, bytes):
        return msgspec.json.encode(document)
    if isinstance(original, str):
        return msgspec.json.encode(document).decode()
    return document


async def rows_of(session: AsyncSession, tenant: str, table: CustomerTable, customer: Customer) -> list[Any]:
    """The table's rows of the customer (within the tenant), documents confirmed to mention it."""
    statement = scoped(select(table.model), table.model, tenant).where(table.rows(customer))
    found = list((await session.execute(statement)).scalars())
    if not table.documents:
        return found
    identity = Identity.of(customer)
    return [
        row for row in found if any(identity.mentioned_in(decoded_document(getattr(row, c))) for c in table.documents)
    ]


def pseudonymize(row: Any, table: CustomerTable, identity: Identity, pseudonym: str) -> None:
    """Rewrite one row as the table's declaration says; amounts and references to other rows stay."""
    embedded = identity.embedded()
    for column in table.customer_ids:
        if getattr(row, column) == identity.external_id:
            setattr(row, column, pseudonym)
    for column in table.embedded:
        value = getattr(row, column)
        if isinstance(value, str):
            setattr(row, column, embedded.sub(pseudonym, value))
    in_keys = identity.in_keys()
    for column in table.keys:
        value = getattr(row, column)
        if isinstance(value, str):
            setattr(row, column, in_keys.sub(pseudonym, value))
    for column in table.personal:
        setattr(row, column, None)
    for column in table.texts:
        if getattr(row, column) is not None:
            setattr(row, column, TOMBSTONE)
    for column in table.metadata:
        setattr(row, column, {})
    replace = KnownCustomer(identity, pseudonym)
    for column in table.documents:
        original = getattr(row, column)
        document = decoded_document(original)
        if document is not None:
            setattr(row, column, _encoded_like(original, scrub(document, replace)))


class Erasures:
    """One tenant's customer erasures, in the caller's transaction (it flushes; the request commits)."""

    def __init__(self, session: AsyncSession, tenant: Tenant, kernel: Kernel, tables: Sequence[CustomerTable]) -> None:
        self.session = session
        self.tenant = tenant
        self.kernel = kernel
        self.tables = tables
        self.customers = CustomerRepository(session=session, tenant_id=tenant.slug)

    async def erase(self, external_id: str, *, cancel: bool = False) -> schemas.CustomerErasure:
        """Erase the customer, or answer its earlier erasure again.

        On PostgreSQL the erasure runs in a savepoint, again when it loses a deadlock: with `cancel`, Stripe's
        events about the cancellation come back while the erasure holds the customer, and their processing
        locks the subscription and its stored event, which the erasure rewrites. Rolled back to the savepoint,
        the erasure lets them finish, and its next attempt (Stripe's cancel under the same idempotency key)
        scrubs them too.
        """
        check_customer_id(external_id)
        if self.session.get_bind().dialect.name != "postgresql":
            return await self._erase(external_id, cancel=cancel)
        for attempt in range(CONFLICT_RETRIES + 1):
            try:
                async with self.session.begin_nested():
                    return await self._erase(external_id, cancel=cancel)
            except Exception as exc:
                if not is_conflict(exc) or attempt == CONFLICT_RETRIES:
                    raise
                logger.info("customer erasure met a deadlock, again (%d of %d)", attempt + 1, CONFLICT_RETRIES)
                await asyncio.sleep(random.uniform(0, 0.05 * (attempt + 1)))  # noqa: S311 - jitter, not a secret
        raise AssertionError("unreachable")

    async def _erase(self, external_id: str, *, cancel: bool) -> schemas.CustomerErasure:
        salt = await ensured_salt(self.session, self.tenant.slug)
        customer = await self.customers.by_external_id(external_id, for_update=True)
        if customer is None:
            return await self._again(CustomerErasure.customer_digest == digest(salt, external_id), external_id)
        if await self._erasure_of(customer) is not None:  # named by its pseudonym: erased already
            return await self._again(CustomerErasure.customer_row_id == customer.id, external_id)
        settled = await self.kernel.ask(
            "tollgate_customer_erasing", self.tenant, session=self.session, customer=customer, cancel=cancel
        )
        identity = Identity.of(customer)
        pseudonym = new_pseudonym()
        # Every table's rows are found before any is rewritten: the where-clauses name the customer as it was.
        found = [(table, await rows_of(self.session, self.tenant.slug, table, customer)) for table in self.tables]
        counts: dict[str, int] = {}
        for table, rows in found:
            if table.erase == "keep" or not rows:
                continue
            for row in rows:
                if table.erase == "delete":
                    await self.session.delete(row)
                else:
                    pseudonymize(row, table, identity, pseudonym)
            counts[table.name] = len(rows)
        now = clock.now()
        await self.session.flush()
        result = schemas.CustomerErasure(
            customer=pseudonym,
            erased_at=now,
            rows=counts,
            settled={plugin: dict(answer) for plugin, answer in settled},
            stripe_customer_deletion="requested" if identity.stripe_customer_id else "none",
        )
        erasure = CustomerErasure(
            tenant_id=self.tenant.slug,
            customer_row_id=customer.id,
            customer_digest=digest(salt, identity.external_id),
            email_digest=digest(salt, identity.email) if identity.email else None,
            stripe_digest=digest(salt, identity.stripe_customer_id) if identity.stripe_customer_id else None,
            pseudonym=pseudonym,
            stripe_deleted=identity.stripe_customer_id is None,
            erased_at=now,
            result=msgspec.to_builtins(result),
        )
        self.session.add(erasure)
        await self.session.flush()
        await audit_trail.record(
            self.session,
            self.tenant.slug,
            "customer.erase",
            audit_trail.customer_target(customer.id),
            after={"pseudonym": pseudonym, "rows": counts, "settled": sorted(result.settled)},
        )
        if not erasure.stripe_deleted:
            self.kernel.jobs.enqueue(
                self.session, DELETE_STRIPE_CUSTOMER_TASK, tenant=self.tenant.slug, erasure_id=str(erasure.id)
            )
        return result

    async def _erasure_of(self, customer: Customer) -> uuid.UUID | None:
        statement = scoped(select(CustomerErasure.id), CustomerErasure, self.tenant.slug)
        found = await self.session.execute(statement.where(CustomerErasure.customer_row_id == customer.id))
        return found.scalars().first()

    async def _again(self, which: ColumnElement[bool], external_id: str) -> schemas.CustomerErasure:
        """The answer of the last such erasure; its Stripe deletion sent again while not done."""
        statement = (
            scoped(select(CustomerErasure), CustomerErasure, self.tenant.slug)
            .where(which)
            .order_by(CustomerErasure.erased_at.desc())
            .limit(1)
        )
        erasure = (await self.session.execute(statement)).scalar_one_or_none()
        if erasure is None:
            raise customer_not_found(external_id)
        if not erasure.stripe_deleted:
            self.kernel.jobs.enqueue(
                self.session, DELETE_STRIPE_CUSTOMER_TASK, tenant=self.tenant.slug, erasure_id=str(erasure.id)
            )
        return msgspec.convert(erasure.result, schemas.CustomerErasure)


async def delete_stripe_customer(kernel: Kernel, tenant_slug: str, erasure_id: uuid.UUID) -> bool:
    """Delete an erased customer's Stripe customer (once the erasure is committed); safe to run twice.

    Stripe keeps its own legal records of a deleted customer. A customer Stripe no longer has counts as
    deleted. Returns whether the Stripe customer is now gone.
    """
    tenant = kernel.tenants.get(tenant_slug)
    async with session_scope(kernel.sessions) as session:
        statement = scoped(select(CustomerErasure), CustomerErasure, tenant.slug).where(
            CustomerErasure.id == erasure_id
        )
        erasure = (await session.execute(statement.with_for_update())).scalar_one_or_none()
        if erasure is None or erasure.stripe_deleted:
            return erasure is not None
        customer = await session.get(Customer, erasure.customer_row_id)
        stripe_id = customer.stripe_customer_id if customer is not None else None
        if stripe_id:
            client = await kernel.stripe.for_tenant(tenant)
            try:
                await client.v1.customers.delete_async(
                    stripe_id, options={"idempotency_key": idempotency_key("customer_erasure", erasure.id)}
                )
            except stripe.InvalidRequestError as exc:
                if exc.code != "resource_missing":
                    raise
        erasure.stripe_deleted = True
        return True


async def scrub_erased(
    session: AsyncSession, tenant: str, event: Mapping[str, Any], salt: str | None = None
) -> Mapping[str, Any] | None:
    """A Stripe event about an erased Stripe customer, scrubbed as the erasure scrubbed the stored ones;
    None when it names no erased customer (the common case: one indexed read, none before a first erasure).
    `salt`: the tenant's digest key when the caller has it already."""
    stripe_ids = {m.group(0) for text in strings_of(event) for m in [STRIPE_CUSTOMER.fullmatch(text)] if m}
    if not stripe_ids:
        return None
    salt = salt or await salt_of(session, tenant)
    if salt is None:
        return None
    statement = scoped(select(CustomerErasure), CustomerErasure, tenant).where(
        CustomerErasure.stripe_digest.in_([digest(salt, s) for s in stripe_ids])
    )
    erasures = list((await session.execute(statement)).scalars())
    if not erasures:
        return None
    replace = replacing_all([DigestedCustomer(salt, e.customer_digest, e.email_digest, e.pseudonym) for e in erasures])
    scrubbed: Mapping[str, Any] = scrub(event, replace)
    return scrubbed


async def scrubbed_payload(session: AsyncSession, tenant: str, payload: str, salt: str | None = None) -> str:
    """A Stripe event's body as the inbox stores it: as signed, or scrubbed when it is about an erased customer."""
    if "cus_" not in payload:
        return payload
    scrubbed = await scrub_erased(session, tenant, msgspec.json.decode(payload), salt)
    return payload if scrubbed is None else msgspec.json.encode(scrubbed).decode()
