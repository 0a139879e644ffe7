"""Each tenant's retention policy: its own keys over the deployment's `[retention]`, validated at start-up."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import SettingsError
from core.retention.policy import RetentionPolicy, policy_for
from core.retention.tasks import DAILY_TASK
from core.runtime import Runtime
from tests.support.tenants import secrets_document, tenant_block


def build(tenants: dict[str, Any], retention: dict[str, Any] | None = None) -> Runtime:
    overrides: dict[str, Any] = {
        "database": {"url": "sqlite+aiosqlite:///:memory:"},
        "tenants": tenants,
        "tenant_secrets": {"alpha": secrets_document("alpha")},
    }
    if retention is not None:
        overrides["retention"] = retention
    return Runtime.build(env="testing", overrides=overrides)


def test_a_tenant_sets_its_own_periods_over_the_deployments() -> None:
    runtime = build(
        {
            "alpha": tenant_block("Alpha", retention={"webhook_payload_days": 30, "enabled": False}),
            "beta": tenant_block("Beta"),
        },
        retention={"audit_days": 3650, "enabled": True},
    )
    config = runtime.config.retention
    alpha = policy_for(config, runtime.tenants.get("alpha"))
    beta = policy_for(config, runtime.tenants.get("beta"))
    assert alpha == RetentionPolicy(
        enabled=False, webhook_payload_days=30, notification_days=365, audit_days=3650, ledger_days=2555
    )
    assert beta == RetentionPolicy(
        enabled=True, webhook_payload_days=365, notification_days=365, audit_days=3650, ledger_days=2555
    )
    assert [s.task_name for s in runtime.jobs.schedules if s.task_name == DAILY_TASK] == [DAILY_TASK]


def test_the_schedule_runs_while_any_tenant_enables_retention() -> None:
    only_alpha = build(
        {"alpha": tenant_block("Alpha", retention={"enabled": True}), "beta": tenant_block("Beta")},
        retention={"enabled": False},
    )
    assert any(s.task_name == DAILY_TASK for s in only_alpha.jobs.schedules)
    nobody = build({"alpha": tenant_block("Alpha")}, retention={"enabled": False})
    assert not any(s.task_name == DAILY_TASK for s in nobody.jobs.schedules)


@pytest.mark.parametrize(
    ("tenant", "expected"),
    [
        ({"retention": {"audit_days": 0}}, "`$.retention.audit_days`"),
        ({"retention": {"keep_forever": True}}, "unknown field `keep_forever`"),
    ],
)
def test_a_bad_tenant_retention_block_stops_start_up(tenant: dict[str, Any], expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        build({"alpha": {"name": "A", **tenant}})
    assert expected in str(caught.value) and "tenants.alpha" in str(caught.value)


def test_a_bad_deployment_retention_stops_start_up() -> None:
    with pytest.raises(SettingsError) as caught:
        build({"alpha": tenant_block("Alpha")}, retention={"batch_size": 0})
    assert "batch_size" in str(caught.value)
