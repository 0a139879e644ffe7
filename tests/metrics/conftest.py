"""A tenant selling subscriptions (usd), token packages (cny) and PAYG (usd), and the pieces that script
its history at fixed times: Stripe subscription objects applied through the subscriptions plugin's
lifecycle, ledger moves through the ledger service, payment rows as the plugins store them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core import clock
from tests.payg.conftest import PAYG
from tests.support.tenants import secrets_document, tenant_block
from tests.token_packages.conftest import CREDITSHOP

TIERS = {
    "tiers": [
        {"id": "free", "name": "Free", "credits_per_month": 0},
        {"id": "basic", "name": "Basic", "credits_per_month": 0},
        {"id": "pro", "name": "Pro", "credits_per_month": 0},
    ],
    "default_tier": "free",
}
PRICES = {"basic/month": "price_basic_month", "pro/month": "price_pro_month", "basic/year": "price_basic_year"}
# Minor units per price (usd): what the Stripe objects below carry.
AMOUNTS = {"price_basic_month": 1000, "price_pro_month": 3000, "price_basic_year": 10000}


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        "alpha": tenant_block(
            "Everything",
            ["subscriptions", "token_packages", "payg"],
            subscriptions=TIERS,
            token_packages=CREDITSHOP,
            payg=PAYG,
        ),
        "beta": tenant_block("Beta App"),
    }


@pytest.fixture
def tenant_secrets() -> dict[str, Any]:
    return {"alpha": secrets_document("alpha", prices=PRICES), "beta": secrets_document("beta")}


def at(day: str, hour: int = 12) -> dt.datetime:
    """Noon UTC of an ISO day: far from every bucket's edge."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


def move_clock(to: dt.datetime) -> None:
    clock.advance(to - clock.now())


def stripe_subscription(
    sub_id: str,
    customer: str,
    price: str,
    status: str = "active",
    *,
    start: dt.datetime,
    quantity: int = 1,
    cancel_at_period_end: bool = False,
) -> dict[str, Any]:
    """A Stripe subscription in today's shape (periods on the items), as `subscriptions.retrieve` answers."""
    interval = "year" if price.endswith("year") else "month"
    end = start + dt.timedelta(days=365 if interval == "year" else 30)
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": f"cus_{customer}",
        "status": status,
        "currency": "usd",
        "cancel_at_period_end": cancel_at_period_end,
        "trial_end": None,
        "ended_at": None,
        "metadata": {"tollgate_tenant": "alpha", "tollgate_customer": customer},
        "items": {
            "data": [
                {
                    "id": f"si_{sub_id}",
                    "quantity": quantity,
                    "current_period_start": int(start.timestamp()),
                    "current_period_end": int(end.timestamp()),
                    "price": {
                        "id": price,
                        "currency": "usd",
                        "unit_amount": AMOUNTS[price],
                        "recurring": {"interval": interval, "interval_count": 1},
                    },
                }
            ]
        },
    }


def paid_invoice(invoice_id: str, amount: int, paid: dt.datetime) -> dict[str, Any]:
    return {
        "id": invoice_id,
        "status": "paid",
        "amount_paid": amount,
        "currency": "usd",
        "status_transitions": {"paid_at": int(paid.timestamp())},
        "lines": {"data": []},
    }
