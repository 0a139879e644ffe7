"""A token package refund writes one audit record (its clawback none of its own), a repeat none."""

from __future__ import annotations

from typing import Any

from tests.support.stripe_tenants import alpha_key, beta_key, settings_overrides  # noqa: F401 - fixtures
from tests.support.tenants import auth
from tests.token_packages.conftest import (  # noqa: F401 - the creditshop fixtures
    Shop,
    creditshop_config,
    shop,
    tenant_secrets,
    tenants_config,
)


async def trail(shop: Shop) -> list[dict[str, Any]]:
    r = await shop.http.get(shop.url("/admin/audit"), headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


async def test_a_refund_is_audited_once(shop: Shop) -> None:
    order = await shop.buy("standard")
    before = len(await trail(shop))
    r = await shop.refund(order["id"], {"reason": "Customer request"}, key="refund-1")
    assert r.status_code == 201, r.text
    again = await shop.refund(order["id"], {"reason": "Customer request"}, key="refund-1")
    assert again.status_code == 200, again.text
    shown = await trail(shop)
    assert len(shown) == before + 1
    assert (shown[0]["action"], shown[0]["principal"], shown[0]["target"]) == (
        "token_packages.refund",
        "alpha-admin",
        f"order:{order['id']}",
    )
    assert shown[0]["after"]["refund"] == r.json()["id"]
