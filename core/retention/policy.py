"""Each tenant's retention policy: the deployment's `[retention]` with the tenant's own periods over it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from core.settings import RetentionConfig
from tenants.registry import Tenant

# What retention prunes, in the order a run takes them (docs/privacy.md#retention).
WEBHOOK_PAYLOADS: Final = "webhook_payloads"
NOTIFICATIONS: Final = "notifications"
AUDIT_RECORDS: Final = "audit_records"
CLOSED_HOLDS: Final = "closed_holds"
KINDS: Final = (WEBHOOK_PAYLOADS, NOTIFICATIONS, AUDIT_RECORDS, CLOSED_HOLDS)


@dataclass(frozen=True)
class RetentionPolicy:
    """How many days each kind is kept for one tenant, and whether its retention runs at all."""

    enabled: bool
    webhook_payload_days: int
    notification_days: int
    audit_days: int
    ledger_days: int

    def cutoffs(self, now: dt.datetime) -> dict[str, dt.datetime]:
        """For each kind, the time before which its rows are pruned."""
        days = {
            WEBHOOK_PAYLOADS: self.webhook_payload_days,
            NOTIFICATIONS: self.notification_days,
            AUDIT_RECORDS: self.audit_days,
            CLOSED_HOLDS: self.ledger_days,
        }
        return {kind: now - dt.timedelta(days=days[kind]) for kind in KINDS}


def policy_for(config: RetentionConfig, tenant: Tenant) -> RetentionPolicy:
    """The tenant's `retention` block over the deployment's `[retention]`, key by key."""
    own = tenant.core.retention

    def pick(value: int | None, fallback: int) -> int:
        return fallback if value is None else value

    return RetentionPolicy(
        enabled=config.enabled if own.enabled is None else own.enabled,
        webhook_payload_days=pick(own.webhook_payload_days, config.webhook_payload_days),
        notification_days=pick(own.notification_days, config.notification_days),
        audit_days=pick(own.audit_days, config.audit_days),
        ledger_days=pick(own.ledger_days, config.ledger_days),
    )
