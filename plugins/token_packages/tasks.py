"""Worker task: finish API refunds left pending when their request died between our row and Stripe's answer.

Stripe is asked again under the row's own idempotency key, so a refund it already made is answered,
not made twice; the clawback is keyed by the row too. Safe to run twice or beside a live request.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from taskiq import TaskiqDepends

from core.db import session_scope
from core.errors import TollgateError
from core.kernel import Kernel
from plugins.token_packages.config import PLUGIN
from plugins.token_packages.refund_flow import RefundFlow
from plugins.token_packages.refunds import RefundService

logger = logging.getLogger("tollgate.token_packages")

RESUME_TASK = "token_packages.resume_refunds"
# Longer than a request's Stripe call with its retries, so a live request is left to finish its own.
STALE_AFTER = dt.timedelta(minutes=5)
BATCH_SIZE = 100


async def resume_refunds(kernel: Annotated[Kernel, TaskiqDepends()], batch_size: int = BATCH_SIZE) -> int:
    """Settle each tenant's stale pending refunds; returns how many were settled."""
    runtime = kernel
    settled = 0
    for tenant in runtime.tenants:
        if not tenant.enabled(PLUGIN):
            continue
        async with session_scope(runtime.sessions) as session:
            stale = await RefundService(session, tenant).stale(STALE_AFTER, batch_size)
        for refund_id in stale:
            try:
                if await RefundFlow(runtime, tenant).resume(refund_id) is not None:
                    settled += 1
            except TollgateError as exc:
                # Refused (now failed) or Stripe still unreachable (still pending): the next run sees.
                logger.warning("refund %s of %s not resumed: %s", refund_id, tenant.slug, exc.message)
    return settled
