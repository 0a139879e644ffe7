"""Each hook spec, exercised through the example third-party plugin that is installed by entry point.

The meta-test at the bottom fails when a hook spec has no `test_hook_<name>` here or no section in
docs/plugins.md, so a new hook cannot land undocumented or untested.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from core import hookspecs
from core.catalog import CatalogRead
from core.db import metadata
from core.plugins import ENTRY_POINT_GROUP, load_plugins
from tests.support.tenants import auth, default_tenants, tenant_block

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    tenants = default_tenants()
    tenants["alpha"] = tenant_block(
        "Alpha App", ["example"], example={"feature": True}, notifications={"url": "http://127.0.0.1:9/notices"}
    )
    return tenants


def test_example_plugin_is_loaded_from_its_entry_point() -> None:
    from importlib.metadata import entry_points

    assert "example" in [ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)]
    assert "example" in load_plugins().names()


def test_disabled_plugins_do_not_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOLLGATE_DISABLE_PLUGINS", "example")
    assert "example" not in load_plugins().names()


async def test_hook_tollgate_route_handlers(client: Any) -> None:
    r = await client.get("/t/alpha/v1/example/hello", headers=auth("alpha"))
    assert r.status_code == 200
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/t/{tenant_slug}/v1/example/hello" in schema["paths"]


async def test_hook_tollgate_error_codes(client: Any, runtime: Any) -> None:
    """A plugin's code is in the runtime's registry and answers its status; the document lists it."""
    assert runtime.error_codes["purchase_not_found"].status == 404
    assert runtime.error_codes.owners("purchase_not_found") == {"payg"}
    assert runtime.error_codes.owners("unsupported_currency") == {"payg", "token_packages"}
    assert runtime.error_codes.owners("insufficient_credits") == {"core"}
    schema = (await client.get("/schema/openapi.json")).json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]


def test_hook_tollgate_webhook_handlers(runtime: Any) -> None:
    assert [plugin for plugin, _ in runtime.event_handlers["customer.updated"]] == ["example"]


def test_hook_tollgate_event_claims(runtime: Any) -> None:
    from core.inbox.dispatch import claimed

    assert [plugin for plugin, _ in runtime.event_claims["customer.created"]] == ["example"]
    assert {plugin for plugin, _ in runtime.event_claims["invoice.paid"]} == {"subscriptions", "token_packages"}

    class EnablesAll:
        @staticmethod
        def enabled(plugin: str) -> bool:
            return True

    handlers = runtime.event_handlers["invoice.paid"]
    stamped = {"tollgate_plugin": "token_packages"}
    order_invoice = {
        "type": "invoice.paid",
        "data": {"object": {"metadata": {}, "parent": {"subscription_details": {"metadata": stamped}}}},
    }
    left = [plugin for plugin, _ in claimed(runtime, EnablesAll, order_invoice, handlers)]  # type: ignore[arg-type]
    assert "token_packages" in left and "subscriptions" not in left
    assert set(left) == {p for p, _ in handlers} - {"subscriptions"}, "plugins that claim nothing still get it"
    unstamped = {"type": "invoice.paid", "data": {"object": {"metadata": {}}}}
    assert claimed(runtime, EnablesAll, unstamped, handlers) == handlers  # type: ignore[arg-type]


def test_hook_tollgate_tasks(runtime: Any) -> None:
    assert "example.touch_customer" in runtime.jobs.tasks


def test_hook_tollgate_schedules(runtime: Any) -> None:
    assert any(s.task_name == "example.touch_customer" and s.cron for s in runtime.jobs.schedules)


async def test_hook_tollgate_entitlements(client: Any) -> None:
    for tenant in ("alpha", "beta"):
        r = await client.put(f"/t/{tenant}/v1/customers/c1", json={}, headers=auth(tenant))
        assert r.status_code == 201
    alpha = (await client.get("/t/alpha/v1/customers/c1/entitlements", headers=auth("alpha"))).json()
    assert alpha["features"] == {"example": True, "referrer": False}
    assert alpha["models"] == ["example-model"]
    assert alpha["limits"] == {"examples": 3}
    beta = (await client.get("/t/beta/v1/customers/c1/entitlements", headers=auth("beta"))).json()
    assert beta["features"] == {} and beta["sources"] == {}, "not enabled for beta"


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_hook_tollgate_entitlements_read(client: Any, runtime: Any) -> None:
    """On PostgreSQL the plugin's part of the one-statement read answers; on SQLite its hook does. The same
    answer both ways, each tenant's referrals counted apart."""
    from tollgate_example_plugin.models import Referral

    for tenant in ("alpha", "beta"):
        for customer in ("c0", "c1"):
            r = await client.put(f"/t/{tenant}/v1/customers/{customer}", json={}, headers=auth(tenant))
            assert r.status_code == 201
    async with runtime.sessions() as session:
        session.add(Referral(tenant_id="alpha", code="WELCOME-C1", customer="c1", referred_by="c0"))
        session.add(Referral(tenant_id="beta", code="WELCOME-C2", customer="c2", referred_by="c1"))
        await session.commit()
    part = runtime.plugins.call_one("tollgate_entitlements_read", "example", catalog=CatalogRead())
    assert part is not None and len(part.columns) == 1
    answers = {}
    for customer in ("c0", "c1"):
        r = await client.get(f"/t/alpha/v1/customers/{customer}/entitlements", headers=auth("alpha"))
        assert r.status_code == 200
        answers[customer] = r.json()["features"]
    assert answers == {"c0": {"example": True, "referrer": True}, "c1": {"example": True, "referrer": False}}
    missing = await client.get("/t/alpha/v1/customers/nobody/entitlements", headers=auth("alpha"))
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "customer_not_found")


async def test_hook_tollgate_customer_tables(client: Any, runtime: Any) -> None:
    from sqlalchemy import select
    from tollgate_example_plugin.models import Referral

    assert (await client.put("/t/alpha/v1/customers/c1", json={}, headers=auth("alpha"))).status_code == 201
    async with runtime.sessions() as session:
        session.add(Referral(tenant_id="alpha", code="WELCOME-C1", customer="c1", referred_by="c0"))
        await session.commit()
    admin = auth("alpha", "admin")
    export = (await client.get("/t/alpha/v1/customers/c1/export", headers=admin)).json()
    assert [r["code"] for r in export["tables"]["example_referrals"]] == ["WELCOME-C1"]
    erased = (await client.delete("/t/alpha/v1/customers/c1", headers=admin)).json()
    assert erased["rows"]["example_referrals"] == 1
    async with runtime.sessions() as session:
        row = (await session.execute(select(Referral))).scalar_one()
    assert (row.customer, row.referred_by) == (erased["customer"], "c0"), "the plugin's table is pseudonymous"


async def test_hook_tollgate_customer_payments(client: Any, runtime: Any) -> None:
    from tollgate_example_plugin.models import Referral

    for tenant in ("alpha", "beta"):
        assert (await client.put(f"/t/{tenant}/v1/customers/c0", json={}, headers=auth(tenant))).status_code == 201
    async with runtime.sessions() as session:
        session.add(Referral(tenant_id="alpha", code="WELCOME-C1", customer="c1", referred_by="c0"))
        session.add(Referral(tenant_id="beta", code="WELCOME-C2", customer="c2", referred_by="c0"))
        await session.commit()
    alpha = (await client.get("/t/alpha/v1/customers/c0/payments", headers=auth("alpha"))).json()
    [fee] = alpha["data"]
    assert (fee["id"], fee["kind"], fee["source"], fee["amount"], fee["reference"]) == (
        "WELCOME-C1",
        "refund",
        "example",
        100,
        "c1",
    )
    beta = (await client.get("/t/beta/v1/customers/c0/payments", headers=auth("beta"))).json()
    assert beta["data"] == [], "not enabled for beta"


async def test_hook_tollgate_customer_erasing(client: Any, runtime: Any) -> None:
    from sqlalchemy import select

    from core.customers.models import Customer

    assert (await client.put("/t/alpha/v1/customers/c2", json={}, headers=auth("alpha"))).status_code == 201
    async with runtime.sessions() as session:
        row_id = (await session.execute(select(Customer.id).where(Customer.external_id == "c2"))).scalar_one()
    r = await client.delete("/t/alpha/v1/customers/c2", headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    assert r.json()["settled"] == {"example": {"said_goodbye_to": str(row_id)}}, "asked before the erasure"


async def test_hook_tollgate_admin_figures(client: Any) -> None:
    r = await client.get("/t/alpha/v1/admin/figures?since=2026-01-01T00:00:00Z", headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    figures = r.json()["figures"]
    assert figures["example"]["examples_sold"] == 7
    assert figures["example"]["window"][0].startswith("2026-01-01")
    assert figures["core.ledger"]["outstanding"] == {"balance": 0, "held": 0, "debt": 0, "accounts": 0}
    beta = (await client.get("/t/beta/v1/admin/figures", headers=auth("beta", "admin"))).json()["figures"]
    assert "example" not in beta, "not enabled for beta"
    r = await client.get("/t/alpha/v1/admin/figures", headers=auth("alpha"))
    assert r.status_code == 403
    r = await client.get("/t/alpha/v1/admin/figures?since=2026-01-01T00:00:00", headers=auth("alpha", "admin"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "validation_error")
    assert r.json()["error"]["detail"][0]["key"] == "since"


async def test_hook_tollgate_notification_types(client: Any, runtime: Any) -> None:
    """The example plugin's own type, sent from its own Stripe event handler with a ledger grant."""
    from sqlalchemy import func, select

    from core.db import session_scope
    from core.notifications import notify
    from core.notifications.models import Notification
    from tests.inbox.stripe_events import deliver, event, stripe_object
    from tests.support.jobs import drain

    assert runtime.notification_types["example.welcome_granted"].meaning.startswith("A new customer")
    assert {"credits.granted", "subscription.updated", "order.paid"} <= set(runtime.notification_types)
    assert (await client.put("/t/alpha/v1/customers/c1", json={}, headers=auth("alpha"))).status_code == 201
    created = event("customer.created", stripe_object("customer", metadata={"tollgate_customer": "c1"}))
    for _ in range(2):  # a redelivery grants nothing more
        assert (await deliver(client, created)).status_code == 200
    await drain(runtime)
    balance = (await client.get("/t/alpha/v1/customers/c1/balance", headers=auth("alpha"))).json()
    assert balance["balance"] == 5
    assert [g["source"] for g in balance["grants"]] == ["example.welcome"]
    async with session_scope(runtime.sessions) as session:
        sent = (
            select(func.count()).select_from(Notification).where(Notification.event_type == "example.welcome_granted")
        )
        assert await session.scalar(sent) == 1
        with pytest.raises(ValueError, match="register it with tollgate_notification_types"):
            await notify(session, runtime.tenants.get("alpha"), "example.not_registered", {})
        with pytest.raises(ValueError, match="does not match .*WelcomeGranted"):
            await notify(session, runtime.tenants.get("alpha"), "example.welcome_granted", {"customer": "c1"})


async def test_hook_tollgate_catalog_prices(runtime: Any) -> None:
    from core.catalog import CatalogQuery, catalog_prices
    from core.db import session_scope

    async with session_scope(runtime.sessions) as session:
        found = await catalog_prices(
            runtime, runtime.tenants.get("alpha"), session, CatalogQuery(price_id="price_example_referral")
        )
        assert [(p.id, p.credit_amount) for p in found] == [("price_example_referral", 5)]
        assert (
            await catalog_prices(runtime, runtime.tenants.get("beta"), session, CatalogQuery(price_id=found[0].id))
            == []
        ), "not enabled for beta"


async def test_hook_tollgate_catalog_read(runtime: Any) -> None:
    from sqlalchemy import literal

    from core.catalog import CatalogPart
    from core.entitlements import catalog_read

    alpha, beta = runtime.tenants.get("alpha"), runtime.tenants.get("beta")
    # The example plugin keeps a catalog with no part of its own: parts that read prices answer in a session.
    assert runtime.plugins.answering("tollgate_catalog_prices", alpha) == ["example"]
    read = catalog_read(runtime, ["example"])
    assert (read.parts, read.readable) == ((), False)
    assert (read.plan_tiers(alpha), read.plan_tiers(beta)) == (frozenset({"example-tier"}), None)
    # product_sync hands its part: a lateral for the price by id (the whole path: subscriptions/test_catalog.py).
    part = runtime.plugins.call_one("tollgate_catalog_read", "product_sync")
    assert isinstance(part, CatalogPart)
    read = catalog_read(runtime, ["product_sync"])
    assert read.readable and len(read.parts) == 1
    prices = read.by_id(literal("price_nowhere"))
    assert len(prices.joins) == 1 and prices.columns
    assert prices.prices([None] * len(prices.columns), alpha) == [], "a price the catalog does not hold"


async def test_hook_tollgate_plan_tiers(runtime: Any) -> None:
    assert await runtime.ask("tollgate_plan_tiers", runtime.tenants.get("alpha")) == [("example", ["example-tier"])]
    assert await runtime.ask("tollgate_plan_tiers", runtime.tenants.get("beta")) == []


def test_hook_tollgate_tenant_template() -> None:
    import msgspec

    from plugins.subscriptions.config import SubscriptionsConfig
    from plugins.token_packages.config import TokenPackagesConfig

    plugins = load_plugins()
    starter = plugins.call_one("tollgate_tenant_template", "subscriptions", tenant="newapp")
    assert msgspec.convert(starter, SubscriptionsConfig, strict=True).default_tier == "free"
    packs = plugins.call_one("tollgate_tenant_template", "token_packages", tenant="newapp")
    assert msgspec.convert(packs, TokenPackagesConfig, strict=True).packages
    assert plugins.call_one("tollgate_tenant_template", "payg", tenant="newapp") is None, "an empty block is valid"


async def test_hook_tollgate_stripe_prices(make_runtime: Any, stripe_emulator: Any) -> None:
    from core.stripe_prices import stripe_prices
    from tests.support.tenants import secrets_document

    tiers = [
        {"id": "free", "name": "Free"},
        {"id": "gold", "name": "Gold", "prices": [{"interval": "month", "unit_amount": 700, "currency": "eur"}]},
    ]
    key = stripe_emulator.new_account()
    runtime = make_runtime(
        tenants={
            "alpha": tenant_block("Alpha App", ["subscriptions"], subscriptions={"tiers": tiers}),
            "beta": tenant_block("Beta App"),
        },
        tenant_secrets={"alpha": secrets_document("alpha", stripe_key=key)},
        stripe={"api_base": stripe_emulator.url, "max_network_retries": 0},
    )
    alpha = runtime.tenants.get("alpha")
    client = await runtime.stripe.for_tenant(alpha)
    [made] = await stripe_prices(runtime, alpha, client)
    assert (made.key, made.lookup_key, made.outcome) == ("gold/month/eur", "tollgate_alpha_gold_month_eur", "created")
    assert (made.unit_amount, made.currency, made.interval) == (700, "eur", "month")
    [again] = await stripe_prices(runtime, alpha, client)
    assert (again.id, again.outcome) == (made.id, "found")
    assert await stripe_prices(runtime, runtime.tenants.get("beta"), client) == [], "not enabled for beta"
    await runtime.engine.dispose()


def test_hook_tollgate_settings_validators(make_runtime: Any) -> None:
    from core.errors import SettingsError

    tenants = {"alpha": tenant_block("Alpha App", ["example"], example={"feature": "yes"})}
    with pytest.raises(SettingsError, match=r"tenants\.alpha\.example: Expected `bool`"):
        make_runtime(tenants=tenants)


async def test_hook_tollgate_models(runtime: Any) -> None:
    from sqlalchemy import inspect, select
    from tollgate_example_plugin.models import Referral

    declared = {name: {model.__table__.name for model in models} for name, models in _models(runtime)}
    assert declared["example"] == {"example_referrals"}
    assert "customers" in declared["core"]
    assert {"customers", "example_referrals"} <= set(metadata.tables)
    async with runtime.engine.connect() as connection:
        migrated = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert "example_referrals" in migrated, "the example plugin's own migration created its table"
    async with runtime.sessions() as session:
        session.add(Referral(tenant_id="alpha", code="FRIEND10", customer="c1", referred_by="c0"))
        await session.commit()
        row = (await session.execute(select(Referral))).scalar_one()
    assert (row.code, row.customer, row.referred_by, row.tenant_id) == ("FRIEND10", "c1", "c0", "alpha")
    assert row.created_at is not None


def _models(runtime: Any) -> list[tuple[str, Any]]:
    return list(runtime.plugins.results_by_plugin("tollgate_models"))


def test_hook_tollgate_migrations(pg_url: str) -> None:
    import tollgate_example_plugin

    from core import migrate
    from tests.support import services

    plugins = load_plugins()
    found = migrate.locations(plugins)
    shipped = Path(tollgate_example_plugin.__file__).parent / "migrations" / "versions"
    assert found["example"] == shipped, "the directory inside the installed package"
    assert [p.name for p in shipped.glob("*.py")] == ["example_0001_referrals.py"]
    branches = {b.name: b for b in services.run_blocking(lambda: migrate.branches(pg_url, plugins))}
    assert branches["example"].applied == branches["example"].head == "example_0001"
    assert branches["core"].applied == branches["core"].head


def test_hook_tollgate_cli_commands() -> None:
    from core.cli import main

    result = CliRunner().invoke(main, ["example-hello"])
    assert result.exit_code == 0, result.output
    assert "hello from the example plugin" in result.output


def test_hook_tollgate_grant_sources(runtime: Any) -> None:
    from core.ledger.sources import grant_sources

    sources = grant_sources(runtime.plugins)
    assert {
        name: source.kind for name, source in sources.items() if name in ("admin", "payg", "subscriptions.free")
    } == {
        "admin": "admin",
        "payg": "stripe",
        "subscriptions.free": "plan",
    }
    assert {"adjustment", "stripe.invoice", "token_packages.order", "token_packages.dispute"} <= set(sources)
    assert sources["payg"].accepts("pi_3MtwBwLkdIwHu7ix28a3tqPa")
    assert not sources["payg"].accepts("cs_test_a1")


async def test_hook_tollgate_money_audit(runtime: Any) -> None:
    import datetime as dt

    from core.money_audit.findings import StripeObjects

    intent = {
        "id": "pi_lost",
        "object": "payment_intent",
        "status": "succeeded",
        "amount_received": 100,
        "currency": "usd",
        "metadata": {"tollgate_plugin": "payg"},
    }
    now = dt.datetime.now(dt.UTC)
    objects = StripeObjects(now, now, payment_intents=[intent])
    async with runtime.sessions() as session:
        answer = await runtime.plugins.call_one(
            "tollgate_money_audit", "payg", tenant=runtime.tenants.get("alpha"), session=session, stripe_objects=objects
        )
    assert "pi_lost" in answer.explained
    assert [f.kind for f in answer.findings] == ["paid_not_granted"], "no purchase is on record for it"


def test_every_hook_is_documented_and_tested() -> None:
    specs = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("tollgate_")]
    assert specs, "no hook specs found"
    tree = ast.parse(Path(__file__).read_text())
    tests = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    docs = (ROOT / "docs" / "plugins.md").read_text()
    missing_tests = [s for s in specs if f"test_hook_{s}" not in tests]
    missing_docs = [s for s in specs if f"### `{s}" not in docs]
    undocumented_specs = [s for s in specs if not (getattr(hookspecs, s).__doc__ or "").strip()]
    assert not missing_tests, f"hook specs without a test_hook_<name>: {missing_tests}"
    assert not missing_docs, f"hook specs without a section in docs/plugins.md: {missing_docs}"
    assert not undocumented_specs, f"hook specs without a docstring: {undocumented_specs}"
