"""`tollgate tenants add` and `tollgate stripe connect`: a tenant onboarded by commands, not by edits.

Against a real OpenBao dev server and the Stripe emulator over HTTP: the settings block that is written
loads, the printed keys authenticate, nothing is written when the command refuses; the webhook endpoint
posts exactly the tenant's event types, is kept, updated or made again as its secret requires, and the
tier prices are found again instead of created twice.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hvac.exceptions
import msgspec
import pytest
from click.testing import CliRunner, Result

from core.app import create_app
from core.cli import main
from core.plugins import is_kernel
from core.runtime import Runtime
from tenants.secrets import TenantSecrets
from tests.support.app import asgi_client
from tests.support.services import OpenBao, start_openbao, unique_name

pytestmark = pytest.mark.vault

PUBLIC_URL = "https://billing.example.com"
SHOP = """
[default.tenants.shop]
name = "Shop"
plugins = ["payg", "subscriptions"]

[default.tenants.shop.payg]

[default.tenants.shop.subscriptions]
default_tier = "free"

[[default.tenants.shop.subscriptions.tiers]]
id = "free"
name = "Free"

[[default.tenants.shop.subscriptions.tiers]]
id = "pro"
name = "Pro"
credits_per_month = 500
prices = [{ interval = "month", unit_amount = 1500 }, { interval = "year", unit_amount = 14000, currency = "eur" }]
"""


@pytest.fixture(scope="module")
def openbao() -> Iterator[OpenBao]:
    bao = start_openbao()
    yield bao
    bao.stop()


class Deployment:
    """A settings file in the current directory, its tenants' documents in OpenBao under a fresh prefix."""

    def __init__(self, directory: Path, openbao: OpenBao, emulator: Any) -> None:
        self.directory = directory
        self.openbao = openbao
        self.emulator = emulator
        self.prefix = unique_name("tenants")
        self.settings = directory / "settings.toml"
        self.settings.write_text(
            f'[default.database]\nurl = "sqlite+aiosqlite:///{directory / "tollgate.db"}"\n'
            f'[default.server]\npublic_url = "{PUBLIC_URL}"\n'
            f'[default.secrets]\nbackend = "vault"\n'
            f'[default.vault]\nurl = "{openbao.url}"\npath_prefix = "{self.prefix}"\n'
            f'[default.stripe]\napi_base = "{emulator.url}"\nmax_network_retries = 0\n' + SHOP
        )

    def tollgate(self, *args: str, **env: str) -> Result:
        return CliRunner().invoke(main, list(args), env={"VAULT_TOKEN": self.openbao.root_token, **env})

    def document(self, slug: str) -> dict[str, Any] | None:
        try:
            read = self.openbao.client().secrets.kv.v2.read_secret_version(
                path=f"{self.prefix}/{slug}", mount_point="secret", raise_on_deleted_version=True
            )
        except hvac.exceptions.InvalidPath:
            return None
        return dict(read["data"]["data"])

    def put(self, slug: str, document: dict[str, Any]) -> None:
        self.openbao.put_tenant(slug, document, prefix=self.prefix)

    def runtime(self, **overrides: Any) -> Runtime:
        return Runtime.build(overrides=overrides or None)


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, openbao: OpenBao, stripe_emulator: Any) -> Deployment:
    for name in [name for name in os.environ if name.startswith(("TOLLGATE_", "VAULT_"))]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    # `tenants add --settings` names the file through TOLLGATE_SETTINGS; monkeypatch puts it back.
    monkeypatch.setenv("TOLLGATE_SETTINGS", str(tmp_path / "settings.toml"))
    return Deployment(tmp_path, openbao, stripe_emulator)


def printed(result: Result, what: str) -> str:
    found = re.search(rf"{what}:\s+(\S+)", result.output)
    assert found, result.output
    return found.group(1)


# ---------------------------------------------------------------------------------------------
# tenants add
# ---------------------------------------------------------------------------------------------


async def test_add_writes_a_block_that_loads_and_keys_that_authenticate(deployment: Deployment) -> None:
    stripe_key = deployment.emulator.new_account()
    result = deployment.tollgate(
        "tenants",
        "add",
        "newapp",
        "--name",
        "New App",
        "--plugins",
        "payg,subscriptions",
        "--notifications-url",
        "https://new.example/billing",
        "--token",
        deployment.openbao.root_token,
        TOLLGATE_NEW_STRIPE_SECRET_KEY=stripe_key,
    )
    assert result.exit_code == 0, result.output
    assert f"[default.tenants.newapp] appended to {deployment.settings}" in result.output
    assert f"secret/{deployment.prefix}/newapp" in result.output
    assert "shown this once" in result.output

    runtime = deployment.runtime()
    tenant = runtime.tenants.get("newapp")
    assert (tenant.name, tenant.plugins) == ("New App", ("payg", "subscriptions"))
    assert tenant.core.notifications.url == "https://new.example/billing"
    assert tenant.plugin_blocks["subscriptions"]["default_tier"] == "free", "the plugin's starter block"

    document = deployment.document("newapp")
    assert document is not None
    secrets = msgspec.convert(document, TenantSecrets)
    service, admin = printed(result, "service API key"), printed(result, "admin API key")
    assert service not in str(document) and admin not in str(document), "keys are stored hashed only"
    assert re.fullmatch(r"tg_newapp_service_\w+", service) and re.fullmatch(r"tg_newapp_admin_\w+", admin), "one word"
    assert (secrets.find_api_key(service) or pytest.fail("no hash")).scopes == ["service"]
    assert (secrets.find_api_key(admin) or pytest.fail("no hash")).scopes == ["service", "admin"]
    assert secrets.stripe_secret_key == stripe_key
    assert secrets.jwt_secret == printed(result, "JWT secret")
    assert secrets.notification_secret == printed(result, "notification secret")

    vault = {"url": deployment.openbao.url, "token": deployment.openbao.root_token, "path_prefix": deployment.prefix}
    served = deployment.runtime(vault=vault)
    async with asgi_client(create_app(served)) as http:
        answer = await http.get("/t/newapp/v1/", headers={"Authorization": f"Bearer {service}"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["plugins"] == ["payg", "subscriptions"]
        refused = await http.get("/t/newapp/v1/", headers={"Authorization": "Bearer tg_newapp_service_guess"})
        assert refused.status_code == 401
    await served.stop()


@pytest.mark.parametrize(
    ("slug", "plugins", "refusal"),
    [
        ("shop", "payg", "tenant shop is already declared in"),
        ("New App", "payg", "'New App' is not a tenant slug"),
        ("9lives", "payg", "is not a tenant slug"),
        ("newapp", "payg,billing", "no plugin billing (installed:"),
    ],
)
def test_add_refuses_with_one_line_and_writes_nothing(
    deployment: Deployment, slug: str, plugins: str, refusal: str
) -> None:
    before = deployment.settings.read_text()
    result = deployment.tollgate("tenants", "add", slug, "--name", "X", "--plugins", plugins)
    assert result.exit_code == 1, result.output
    assert refusal in result.output
    assert "nothing written" in result.output
    assert "Traceback" not in result.output
    assert deployment.settings.read_text() == before
    assert deployment.document(slug) is None


def test_add_leaves_a_vault_document_alone_unless_forced(deployment: Deployment) -> None:
    earlier = {"stripe_secret_key": "sk_test_kept", "stripe_webhook_secrets": ["whsec_kept"], "jwt_secret": "old"}
    deployment.put("later", earlier)
    before = deployment.settings.read_text()
    refused = deployment.tollgate("tenants", "add", "later", "--name", "Later", "--plugins", "payg")
    assert refused.exit_code == 1
    assert f"already in Vault at secret/{deployment.prefix}/later: nothing written" in refused.output
    assert deployment.settings.read_text() == before
    assert deployment.document("later") == earlier

    forced = deployment.tollgate("tenants", "add", "later", "--name", "Later", "--plugins", "payg", "--force")
    assert forced.exit_code == 0, forced.output
    document = deployment.document("later") or {}
    assert document["stripe_secret_key"] == "sk_test_kept", "Stripe's side is kept"
    assert document["stripe_webhook_secrets"] == ["whsec_kept"]
    assert document["jwt_secret"] == printed(forced, "JWT secret") != "old", "Tollgate's credentials are new"


def test_add_print_shows_the_block_and_leaves_the_file(deployment: Deployment) -> None:
    before = deployment.settings.read_text()
    result = deployment.tollgate("tenants", "add", "shown", "--name", "Shown", "--plugins", "token_packages", "--print")
    assert result.exit_code == 0, result.output
    assert "[default.tenants.shown]" in result.output
    assert "[default.tenants.shown.token_packages.packages.credits-1000]" in result.output
    assert deployment.settings.read_text() == before
    assert deployment.document("shown") is not None
    assert "no Stripe secret key yet" in result.output


def test_add_restores_the_file_when_it_no_longer_loads(deployment: Deployment) -> None:
    """The tenants are an inline table: a `[default.tenants.<slug>]` appended after it is not TOML."""
    deployment.settings.write_text(
        deployment.settings.read_text().split("[default.tenants.shop]")[0]
        + '[default]\ntenants = { shop = { name = "Shop", plugins = ["payg"], payg = {} } }\n'
    )
    before = deployment.settings.read_text()
    result = deployment.tollgate("tenants", "add", "newapp", "--name", "New", "--plugins", "payg")
    assert result.exit_code == 1, result.output
    assert "with tenant newapp the settings do not load: nothing written" in result.output
    assert deployment.settings.read_text() == before
    assert deployment.document("newapp") is None


# ---------------------------------------------------------------------------------------------
# stripe connect
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def shop_key(deployment: Deployment) -> str:
    key: str = deployment.emulator.new_account()
    deployment.put("shop", {"stripe_secret_key": key, "prices": {"other/month": "price_kept"}})
    return key


def endpoints(deployment: Deployment, key: str) -> list[dict[str, Any]]:
    return list(deployment.emulator.control.webhook_endpoints(key)["data"])


def test_connect_creates_keeps_updates_and_recreates_the_endpoint(deployment: Deployment, shop_key: str) -> None:
    runtime = deployment.runtime()
    shop = runtime.tenants.get("shop")
    handled = {
        kind
        for kind, handlers in runtime.event_handlers.items()
        for plugin, _ in handlers
        if is_kernel(plugin) or shop.enabled(plugin)
    }
    assert "customer.subscription.updated" in handled and "payment_intent.succeeded" in handled
    url = f"{PUBLIC_URL}/t/shop/webhooks/stripe"

    created = deployment.tollgate("stripe", "connect", "shop")
    assert created.exit_code == 0, created.output
    [endpoint] = endpoints(deployment, shop_key)
    assert endpoint["url"] == url
    assert endpoint["enabled_events"] == sorted(handled), "exactly the tenant's event types"
    assert f"webhook endpoint {endpoint['id']} created: {url}, {len(handled)} event types" in created.output
    document = deployment.document("shop") or {}
    assert document["stripe_webhook_secrets"] == [endpoint["secret"]]
    assert document["stripe_webhook_endpoint_id"] == endpoint["id"]
    assert document["prices"] == {"other/month": "price_kept"}
    msgspec.convert(document, TenantSecrets)  # what Tollgate reads accepts the new keys

    again = deployment.tollgate("stripe", "connect", "shop")
    assert again.exit_code == 0, again.output
    assert f"{endpoint['id']} unchanged" in again.output
    assert endpoints(deployment, shop_key) == [endpoint]
    assert deployment.document("shop") == document

    client = deployment.emulator.stripe_client(shop_key)
    client.v1.webhook_endpoints.update(endpoint["id"], {"enabled_events": ["*"]})
    updated = deployment.tollgate("stripe", "connect", "shop")
    assert f"{endpoint['id']} updated" in updated.output, updated.output
    [kept] = endpoints(deployment, shop_key)
    assert (kept["id"], kept["secret"], kept["enabled_events"]) == (endpoint["id"], endpoint["secret"], sorted(handled))
    assert deployment.document("shop") == document, "the secret is kept"

    deployment.put("shop", {**document, "stripe_webhook_secrets": []})
    recreated = deployment.tollgate("stripe", "connect", "shop")
    assert recreated.exit_code == 0, recreated.output
    [fresh] = endpoints(deployment, shop_key)
    assert fresh["id"] != endpoint["id"]
    assert f"{fresh['id']} recreated" in recreated.output
    assert (deployment.document("shop") or {})["stripe_webhook_secrets"] == [fresh["secret"]]

    # A document that holds secrets but names another endpoint: the unknown one is replaced, old secrets kept.
    deployment.put("shop", {**document, "stripe_webhook_secrets": ["whsec_old"], "stripe_webhook_endpoint_id": "we_x"})
    rotated = deployment.tollgate("stripe", "connect", "shop")
    [newest] = endpoints(deployment, shop_key)
    assert f"{newest['id']} recreated" in rotated.output, rotated.output
    assert (deployment.document("shop") or {})["stripe_webhook_secrets"] == [newest["secret"], "whsec_old"]


def test_connect_prices_are_created_once_and_found_again(deployment: Deployment, shop_key: str) -> None:
    first = deployment.tollgate("stripe", "connect", "shop", "--prices")
    assert first.exit_code == 0, first.output
    prices = (deployment.document("shop") or {})["prices"]
    assert set(prices) == {"pro/month", "pro/year/eur", "other/month"}
    assert "price pro/month created" in first.output and "1500 usd/month" in first.output
    assert "price pro/year/eur created" in first.output and "tollgate_shop_pro_year_eur" in first.output

    second = deployment.tollgate("stripe", "connect", "shop", "--prices")
    assert second.exit_code == 0, second.output
    assert "price pro/month found" in second.output and "price pro/year/eur found" in second.output
    assert (deployment.document("shop") or {})["prices"] == prices
    client = deployment.emulator.stripe_client(shop_key)
    listed = client.v1.prices.list({"limit": 100}).data
    assert sorted(p.lookup_key for p in listed) == ["tollgate_shop_pro_month", "tollgate_shop_pro_year_eur"]
    by_key = {p.lookup_key: p for p in listed}
    year = by_key["tollgate_shop_pro_year_eur"]
    assert (year.id, year.unit_amount, year.currency, year.recurring.interval) == (
        prices["pro/year/eur"],
        14000,
        "eur",
        "year",
    )
    assert by_key["tollgate_shop_pro_month"].product == year.product, "one product per tier"


def test_connect_without_a_document_or_tenant_says_so(deployment: Deployment) -> None:
    missing = deployment.tollgate("stripe", "connect", "shop")
    assert missing.exit_code == 1
    assert f"no secrets document for shop at secret/{deployment.prefix}/shop" in missing.output
    unknown = deployment.tollgate("stripe", "connect", "nobody")
    assert unknown.exit_code == 2
    assert "no tenant nobody" in unknown.output


# ---------------------------------------------------------------------------------------------
# From the installed wheel, as docs/deploy.md runs them
# ---------------------------------------------------------------------------------------------


def test_the_installed_commands_onboard_a_tenant(installed_tollgate: Path, deployment: Deployment) -> None:
    import subprocess

    from tests.core.test_installed import operator_env

    key = deployment.emulator.new_account()
    (deployment.directory / "stripe.key").write_text(key + "\n")
    token = deployment.openbao.root_token

    def tollgate(*args: str) -> subprocess.CompletedProcess[str]:
        script = str(installed_tollgate / "bin" / "tollgate")
        done = subprocess.run(
            [script, *args],
            cwd=deployment.directory,
            env=operator_env(installed_tollgate),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    tollgate(
        "tenants",
        "add",
        "kiosk",
        "--name",
        "Kiosk",
        "--plugins",
        "payg",
        "--stripe-secret-key-file",
        "stripe.key",
        "--token",
        token,
    )
    connected = tollgate("stripe", "connect", "kiosk", "--prices", "--token", token)
    assert f"{PUBLIC_URL}/t/kiosk/webhooks/stripe" in connected.stdout
    document = deployment.document("kiosk") or {}
    assert document["stripe_secret_key"] == key
    assert document["stripe_webhook_secrets"] == [endpoints(deployment, key)[0]["secret"]]
