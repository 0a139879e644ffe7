"""The customers' task: delete an erased customer's Stripe customer once the erasure is committed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, TaskiqDepends

from core.customers.erasure import DELETE_STRIPE_CUSTOMER_TASK, delete_stripe_customer
from core.kernel import Kernel


async def delete_erased_stripe_customer(
    kernel: Annotated[Kernel, TaskiqDepends()], tenant: str, erasure_id: str
) -> bool:
    """Delete the Stripe customer of one erasure; safe to run twice (a deleted one is left alone)."""
    return await delete_stripe_customer(kernel, tenant, uuid.UUID(erasure_id))


def register(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    return [broker.register_task(delete_erased_stripe_customer, task_name=DELETE_STRIPE_CUSTOMER_TASK)]
