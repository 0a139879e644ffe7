"""Rules for customers: upsert by the app's own id, and the lazily created Stripe customer."""

from __future__ import annotations

import re

from advanced_alchemy.exceptions import DuplicateKeyError
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit_trail
from core.customers import schemas
from core.customers.models import Customer
from core.customers.repository import CustomerRepository
from core.errors import BadRequest, NotFound
from core.fields import METADATA_MAX_KEYS
from tenants.registry import Tenant
from tenants.stripe import StripeClients, idempotency_key

REDACTED = "[set]"  # an audited personal field that has a value (which the record leaves out)
CUSTOMER_ID = re.compile(r"[A-Za-z0-9_.:@|+\-]{1,255}")


def check_customer_id(external_id: str) -> str:
    if not CUSTOMER_ID.fullmatch(external_id):
        raise BadRequest("A customer id is 1-255 characters of letters, digits and _.:@|+-", code="invalid_customer_id")
    return external_id


def merge_metadata(current: dict[str, str], update: dict[str, str]) -> dict[str, str]:
    """Stripe's rule: an update merges into what is there, and an empty value removes its key.

    The result keeps Stripe's limit of 50 keys, so a customer's record cannot grow without bound.
    """
    merged = {k: v for k, v in {**current, **update}.items() if v != ""}
    if len(merged) > METADATA_MAX_KEYS:
        raise BadRequest(
            f"A customer keeps at most {METADATA_MAX_KEYS} metadata keys; this update would leave {len(merged)}. "
            "Remove keys by sending them with an empty value.",
            code="validation_error",
            detail=[{"message": "Too many metadata keys", "key": "metadata", "source": "body"}],
        )
    return merged


def _audited_fields(customer: Customer) -> dict[str, object]:
    """What a PUT may change: compared before and after to find what it changed."""
    return {"email": customer.email, "name": customer.name, "metadata": dict(customer.metadata_ or {})}


def _audited_values(fields: dict[str, object], changed: list[str]) -> dict[str, object]:
    """The changed fields as an audit record keeps them: whether each is set, and metadata's keys.

    Never the values: they are personal data an erasure must remove, and a record cannot change.
    """
    shown: dict[str, object] = {}
    for field in changed:
        value = fields[field]
        shown[field] = sorted(value) if isinstance(value, dict) else (REDACTED if value else None)
    return shown


def customer_not_found(external_id: str) -> NotFound:
    """The 404 for a customer id this tenant does not know."""
    return NotFound(f"No customer {external_id!r}; create it with PUT first.", code="customer_not_found")


class CustomerService:
    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.repo = CustomerRepository(session=session, tenant_id=tenant.slug)

    async def upsert(self, external_id: str, data: schemas.CustomerUpsert) -> tuple[Customer, bool]:
        """Create or update the customer; returns (customer, created)."""
        check_customer_id(external_id)
        customer = await self.repo.by_external_id(external_id, for_update=True)
        if customer is None:
            try:
                async with self.session.begin_nested():
                    customer = await self.repo.add(
                        Customer(
                            external_id=external_id,
                            email=data.email,
                            name=data.name,
                            metadata_=merge_metadata({}, data.metadata),
                        )
                    )
                await audit_trail.record(
                    self.session,
                    self.tenant.slug,
                    "customer.create",
                    f"customer:{external_id}",
                    after=_audited_values(_audited_fields(customer), ["email", "name", "metadata"]),
                )
                return customer, True
            except DuplicateKeyError:
                # A concurrent request created it first; update that row instead.
                customer = await self.repo.by_external_id(external_id, for_update=True)
                if customer is None:
                    raise
        before = _audited_fields(customer)
        customer.email = data.email if data.email is not None else customer.email
        customer.name = data.name if data.name is not None else customer.name
        customer.metadata_ = merge_metadata(customer.metadata_, data.metadata)
        await self.session.flush()
        after = _audited_fields(customer)
        changed = [field for field in after if after[field] != before[field]]
        await audit_trail.record(
            self.session,
            self.tenant.slug,
            "customer.update",
            f"customer:{external_id}",
            before=_audited_values(before, changed),
            after=_audited_values(after, changed),
        )
        return customer, False

    async def get(self, external_id: str, *, for_update: bool = False) -> Customer:
        customer = await self.repo.by_external_id(external_id, for_update=for_update)
        if customer is None:
            raise customer_not_found(external_id)
        return customer

    async def in_turn(self, external_id: str) -> Customer:
        """The customer, its row locked so that its own checkouts take turns (across API processes).

        Once it has a Stripe customer the lock is FOR NO KEY UPDATE: a foreign key's check elsewhere
        takes a key-share lock on the row, which that lets through. With FOR UPDATE a webhook writing
        rows of this customer (invoices, credits) while holding its subscription's row waited for this
        request, and this request then waited for that subscription's row (superseding an unpaid
        attempt): PostgreSQL's deadlock, a 500. Without a Stripe customer, FOR UPDATE as `payer`:
        creating one writes the uniquely indexed `stripe_customer_id`.
        """
        customer = await self.get(external_id)
        found = await self.repo.by_external_id(
            external_id, for_update=True, key_share=customer.stripe_customer_id is not None
        )
        if found is None:
            raise customer_not_found(external_id)
        return found

    async def payer(self, external_id: str) -> Customer:
        """The customer about to pay, locked when its Stripe customer may have to be created.

        Creating it writes the uniquely indexed `stripe_customer_id`, which needs the row's strongest
        lock. A purchase's insert holds a key-share lock on the row through its foreign key, so two
        first purchases that lock only then wait for each other: PostgreSQL's deadlock. Locking first
        queues them instead. A customer who has a Stripe customer is not locked: their purchases
        write nothing to the row and still run side by side.
        """
        customer = await self.get(external_id)
        if customer.stripe_customer_id is None:
            customer = await self.get(external_id, for_update=True)
        return customer

    async def ensure_stripe_customer(self, customer: Customer, clients: StripeClients) -> str:
        """The customer's Stripe id, creating the Stripe customer on first need.

        `customer` comes from `payer()` (or another locked read), taken before anything refers to it.
        """
        if customer.stripe_customer_id:
            return customer.stripe_customer_id
        client = await clients.for_tenant(self.tenant)
        params: dict[str, object] = {
            "metadata": {"tollgate_tenant": self.tenant.slug, "tollgate_customer": customer.external_id}
        }
        if customer.email:
            params["email"] = customer.email
        if customer.name:
            params["name"] = customer.name
        created = await client.v1.customers.create_async(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key("customer", customer.id)},
        )
        customer.stripe_customer_id = created.id
        await self.session.flush()
        return created.id


def to_schema(customer: Customer) -> schemas.Customer:
    return schemas.Customer(
        id=customer.external_id,
        email=customer.email,
        name=customer.name,
        metadata=dict(customer.metadata_ or {}),
        stripe_customer_id=customer.stripe_customer_id,
        created_at=customer.created_at,
    )
