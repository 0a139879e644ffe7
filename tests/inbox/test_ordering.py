"""The ordering helper: handlers refuse an update older than the last one applied to the same object."""

from __future__ import annotations

from typing import Any

import pytest

from core.inbox.context import EventContext
from core.runtime import Runtime
from tests.inbox.conftest import subscription_states
from tests.inbox.stripe_events import deliver, subscription_updated
from tests.support.jobs import drain


def context(runtime: Runtime, session: Any, created: int, tenant: str = "alpha", obj: str = "sub_1") -> EventContext:
    evt = subscription_updated(obj, "active", created)
    return EventContext(tenant=runtime.tenants.get(tenant), event=evt, session=session, runtime=runtime)


async def test_late_events_do_not_regress_the_state(runtime: Runtime, client: Any) -> None:
    arrivals = [
        subscription_updated("sub_a", "past_due", created=1_700_000_300),
        subscription_updated("sub_a", "incomplete", created=1_700_000_100),
        subscription_updated("sub_a", "active", created=1_700_000_200),
    ]
    for evt in arrivals:
        assert (await deliver(client, evt)).status_code == 200
        await drain(runtime)
    assert await subscription_states(runtime) == {"sub_a": "past_due"}


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_mark_applied_and_is_stale(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        assert await context(runtime, session, 200).is_stale() is False, "nothing applied yet"
        assert await context(runtime, session, 200).mark_applied() is True
        older = context(runtime, session, 100)
        assert await older.is_stale() is True
        assert await older.mark_applied() is False, "an older event is refused"
        assert await context(runtime, session, 200).mark_applied() is True, "same second: both apply"
        assert await context(runtime, session, 300).mark_applied() is True
        assert await context(runtime, session, 250).is_stale() is True
        assert await context(runtime, session, 250, obj="sub_2").is_stale() is False, "per object"
        assert await context(runtime, session, 100, tenant="beta").mark_applied() is True, "per tenant"
        await session.rollback()
    async with runtime.sessions() as session:
        assert await context(runtime, session, 100).mark_applied() is True, "a rolled-back handler is forgotten"
