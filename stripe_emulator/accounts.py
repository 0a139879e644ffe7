"""The emulator's accounts: one isolated Stripe account per API key.

Accounts are created explicitly (`POST /_emulator/accounts`, or `--account` at start-up),
or on first use for keys matching `--auto-accounts REGEX`; any other key gets 401.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .delivery import DeliveryQueue
from .faults import FaultPlan
from .store import Account, DunningSettings, JsonObj, new_id


@dataclass
class Emulator:
    """Everything the server holds: the accounts, and how unknown keys are treated."""

    auto_key_pattern: re.Pattern[str] | None = None
    accounts: dict[str, Account] = field(default_factory=dict)

    def create_account(
        self,
        api_key: str | None = None,
        *,
        name: str | None = None,
        dunning: dict[str, Any] | None = None,
    ) -> tuple[Account, bool]:
        """The account for `api_key` (generated when omitted), and whether it is new."""
        key = api_key or new_id("sk_test_emu_", 24)
        existing = self.accounts.get(key)
        if existing is not None:
            return existing, False
        account = Account(api_key=key)
        if name:
            account.name = name
        if dunning:
            account.dunning = DunningSettings(**dunning)
        account.faults = FaultPlan()
        queue = DeliveryQueue(account)
        account.deliveries = queue
        account.event_sink = queue.enqueue_event
        self.accounts[key] = account
        return account, True

    def account_for_key(self, api_key: str | None) -> Account | None:
        if not api_key:
            return None
        account = self.accounts.get(api_key)
        pattern = self.auto_key_pattern
        if account is None and pattern is not None and pattern.fullmatch(api_key):
            account, _ = self.create_account(api_key)
        return account

    def locate(self, object_id: str) -> tuple[Account, JsonObj] | None:
        """Find an object in any account (for the hosted pages, which carry no key)."""
        for account in self.accounts.values():
            obj = account.find(object_id)
            if obj is not None:
                return account, obj
        return None

    async def close(self) -> None:
        for account in self.accounts.values():
            if account.deliveries is not None:
                await account.deliveries.close()


def describe(account: Account) -> JsonObj:
    return {
        "id": account.id,
        "object": "emulator.account",
        "api_key": account.api_key,
        "name": account.name,
        "created": account.created,
        "now": account.now(),
        "clock_offset": account.clock_offset,
        "dunning": {
            "max_attempts": account.dunning.max_attempts,
            "retry_days": account.dunning.retry_days,
            "final_action": account.dunning.final_action,
        },
    }
