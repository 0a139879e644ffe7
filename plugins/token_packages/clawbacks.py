"""How many credits returned money claws back: the running share of what a payment granted, for refunds
and disputes alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from plugins.token_packages.models import PENDING, SUCCEEDED, Payment, Refund


def credits_owed(paid: int, granted: int, refunded_before: int, owed_before: int, amount: int) -> int:
    """Credits a refund of `amount` owes back: the running share of the `granted` credits, less what is owed already.

    Of a payment of `P` that granted `C` credits, with earlier refunds of `R` money owing `K` credits,
    a refund of `r` owes `floor(C * (R + r) / P) - K`: the floor is on the running total, so partial
    refunds add up to exactly what one refund of their sum would owe and a full refund owes every credit.
    """
    if paid <= 0:
        return 0
    return max(0, granted * (refunded_before + amount) // paid - owed_before)


def worth_of(paid: int, granted: int, refunded_before: int, owed_before: int, owed: int) -> int:
    """The money `owed` more credits are worth, rounded down to the minor unit (what `unspent_only` refunds)."""
    return max(0, paid * (owed_before + owed) // granted - refunded_before)


@dataclass(frozen=True)
class Returned:
    """What the refunds of one payment return so far (pending ones included): money, and credits owed back."""

    money: int
    credits: int

    @classmethod
    def of(cls, refunds: Sequence[Refund]) -> Returned:
        counted = [r for r in refunds if r.status in (PENDING, SUCCEEDED)]
        return cls(sum(r.amount for r in counted), sum(r.credits for r in counted))

    def owed_for(self, payment: Payment, amount: int) -> int:
        return credits_owed(payment.amount, payment.credits, self.money, self.credits, amount)

    def worth(self, payment: Payment, owed: int) -> int:
        return worth_of(payment.amount, payment.credits, self.money, self.credits, owed)
