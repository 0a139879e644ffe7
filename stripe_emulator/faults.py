"""Injected API failures: 429s, 500s and hangs, before or after the call is processed.

"before" fails without touching state (a proxy refusing the call); "after" processes the
call and stores its idempotent result, then answers the failure (the connection dropped
on the way back) -- the case that proves a client's retry with the same Idempotency-Key
gets the stored result instead of a second object.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from .errors import StripeError, api_error, invalid_request, rate_limited

_rule_ids = itertools.count(1)


@dataclass
class FaultRule:
    kind: str  # "error" or "hang"
    status: int = 500
    code: str | None = None
    when: str = "before"
    count: int | None = 1
    probability: float | None = None
    method: str | None = None
    path_prefix: str | None = None
    seconds: float = 0.0
    should_retry: bool | None = None
    seed: int | None = None
    id: int = field(default_factory=lambda: next(_rule_ids))
    hits: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def matches(self, method: str, path: str) -> bool:
        if self.count is not None and self.count <= 0:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path_prefix and not path.startswith(self.path_prefix):
            return False
        return self.probability is None or self._rng.random() < self.probability

    def error(self) -> StripeError:
        if self.status == 429:
            err = rate_limited(self.code or "rate_limit")
            if self.code == "lock_timeout" and self.should_retry is None:
                err.headers["Stripe-Should-Retry"] = "true"
        else:
            err = api_error(self.status)
        if self.should_retry is not None:
            err.headers["Stripe-Should-Retry"] = "true" if self.should_retry else "false"
        return err

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "code": self.code,
            "when": self.when,
            "remaining": self.count,
            "probability": self.probability,
            "method": self.method,
            "path_prefix": self.path_prefix,
            "seconds": self.seconds,
            "should_retry": self.should_retry,
            "hits": self.hits,
        }


@dataclass
class FaultPlan:
    rules: list[FaultRule] = field(default_factory=list)

    def add(self, spec: dict[str, Any]) -> FaultRule:
        kind = str(spec.get("kind") or ("hang" if spec.get("seconds") else "error"))
        if kind not in ("error", "hang"):
            raise invalid_request("kind must be 'error' or 'hang'", param="kind")
        when = str(spec.get("when", "before"))
        if when not in ("before", "after"):
            raise invalid_request("when must be 'before' or 'after'", param="when")
        status = int(spec.get("status", 500))
        if kind == "error" and status != 429 and status < 500:
            raise invalid_request("status must be 429 or 5xx", param="status")
        probability = spec.get("probability")
        count = spec.get("count", None if probability is not None else 1)
        rule = FaultRule(
            kind=kind,
            status=status,
            code=spec.get("code"),
            when=when,
            count=None if count is None else int(count),
            probability=None if probability is None else float(probability),
            method=spec.get("method"),
            path_prefix=spec.get("path_prefix"),
            seconds=float(spec.get("seconds", 0.0)),
            should_retry=spec.get("should_retry"),
            seed=spec.get("seed"),
        )
        self.rules.append(rule)
        return rule

    def pick(self, method: str, path: str) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method, path):
                rule.hits += 1
                if rule.count is not None:
                    rule.count -= 1
                return rule
        return None

    def clear(self) -> None:
        self.rules.clear()
