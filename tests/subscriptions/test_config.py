"""The `subscriptions` block of a tenant is checked at start-up; a bad one names the tenant and the key."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import SettingsError
from tests.subscriptions.conftest import BASIC, FREE, IMAGEGEN, PREMIUM
from tests.support.tenants import tenant_block


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({**IMAGEGEN, "default_tier": "gold"}, "default_tier 'gold' is not one of the tiers"),
        ({**IMAGEGEN, "tiers": [FREE, BASIC, BASIC]}, "tier 'basic' is declared twice"),
        ({**IMAGEGEN, "tiers": [FREE, {**PREMIUM, "credits_per_month": 5}]}, "is unlimited and cannot also set"),
        ({**IMAGEGEN, "tiers": [{**FREE, "trial_days": 7}, BASIC]}, "is free and has no trial_days"),
        (
            {**IMAGEGEN, "tiers": [FREE, {**BASIC, "credits_per_month": "200"}]},
            r"Expected `int`, got `str` - at `\$.tiers\[1\].credits_per_month`",
        ),
        ({**IMAGEGEN, "tiers": [FREE, {**BASIC, "credits_per_month": -1}]}, "credits_per_month"),
        ({**IMAGEGEN, "tiers": [FREE, {**BASIC, "id": "Basic Plan"}]}, r"\$.tiers\[1\].id"),
        ({**IMAGEGEN, "tiers": []}, "tiers"),
        ({**IMAGEGEN, "grace_period_days": -1}, "grace_period_days"),
        ({**IMAGEGEN, "checkout_rate_limit": {"count": 0}}, "checkout_rate_limit.count"),
        ({**IMAGEGEN, "yearly_allowance": "weekly"}, "yearly_allowance"),
        ({**IMAGEGEN, "surprise": True}, "surprise"),
    ],
)
def test_a_bad_block_stops_start_up_naming_tenant_and_key(
    make_runtime: Any, block: dict[str, Any], message: str
) -> None:
    tenants = {"alpha": tenant_block("ImageGen", ["subscriptions"], subscriptions=block)}
    with pytest.raises(SettingsError, match=rf"tenants\.alpha\.subscriptions: .*{message}"):
        make_runtime(tenants=tenants)


def test_the_block_is_required(make_runtime: Any) -> None:
    with pytest.raises(SettingsError, match=r"tenants\.alpha\.subscriptions is required"):
        make_runtime(tenants={"alpha": tenant_block("ImageGen", ["subscriptions"])})


def test_a_good_block_reads_back_typed(make_runtime: Any) -> None:
    from plugins.subscriptions.config import config_of

    runtime = make_runtime(tenants={"alpha": tenant_block("ImageGen", ["subscriptions"], subscriptions=IMAGEGEN)})
    config = config_of(runtime.tenants.get("alpha"))
    assert [t.id for t in config.tiers] == ["free", "basic", "premium"]
    assert (config.default.id, config.grace_period_days, config.checkout_rate_limit.count) == ("free", 3, 5)
    assert config.tier("premium").monthly_limit is None  # type: ignore[union-attr]
    assert config.lowest_with_model("flux-dev").id == "basic"  # type: ignore[union-attr]
