"""Migrations: the kernel and each plugin own a branch, shipped in their packages and found through the
`tollgate_migrations` hook; `tollgate db upgrade` migrates them all, or one plugin's; a database migrated
by the linear history of before (commit 5f34ad0, one chain 0001 → 0009) moves onto the branches
without a table created, dropped or rewritten.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from core import migrate
from core.customers.models import Customer
from core.db import metadata
from core.plugins import load_plugins
from plugins.payg.models import CreditPurchase
from tests.support import services

ROOT = Path(__file__).resolve().parents[2]
LINEAR_COMMIT = "5f34ad0"  # the last commit whose migrations/ held the one linear history
BUILT_IN = ("core", "payg", "product_sync", "subscriptions", "token_packages")


# ---------------------------------------------------------------------------------------------
# Databases and what they hold
# ---------------------------------------------------------------------------------------------


@pytest.fixture(params=["postgres", "sqlite"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, on PostgreSQL or SQLite."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'tollgate.db'}"
        return
    admin = request.getfixturevalue("pg_admin_url")
    name = services.unique_name("tollgate_migrations")
    services.run_blocking(lambda: services.create_database(admin, name))
    yield services.database_url(admin, name)
    services.run_blocking(lambda: services.drop_database(admin, name))


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'tollgate.db'}"


def on(url: str, fn: Any) -> Any:
    """Run `fn(connection)` on the database at `url` in a fresh thread and loop; commit."""

    async def run() -> Any:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                return await connection.run_sync(fn)
        finally:
            await engine.dispose()

    return services.run_blocking(run)


def version_rows(url: str) -> set[str]:
    return set(on(url, lambda c: MigrationContext.configure(c).get_current_heads()))


def table_identities(connection: Connection) -> dict[str, Any]:
    """Each table with what a drop and re-create would change: PostgreSQL's oid, SQLite's root page."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text("SELECT relname, oid FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")
        )
    else:
        rows = connection.execute(text("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'"))
    return {str(name): ident for name, ident in rows}


def rewritten_after_adoption(url: str) -> set[str]:
    """Tables a revision after the linear history alters by re-creating them (their rows are checked instead).

    SQLite drops a column that a unique constraint names by copying the table (payg's 0011 and
    token_packages' 0012); PostgreSQL alters it in place.
    """
    return {"payg_credit_purchases", "token_package_orders"} if url.startswith("sqlite") else set()


def upgrade(url: str, revision: str = "heads", plugins: Any = None) -> list[str]:
    return services.run_blocking(lambda: migrate.upgrade(url, revision, plugins))  # type: ignore[no-any-return]


def at_every_head(url: str) -> None:
    plugins = load_plugins()
    script = ScriptDirectory.from_config(migrate.alembic_config(url, plugins))
    # A head that another branch depends on (the kernel's, under example_0001) has no row of its own.
    assert version_rows(url) <= set(script.get_heads())
    states = services.run_blocking(lambda: migrate.branches(url, plugins))
    assert {b.name for b in states} >= set(BUILT_IN)
    assert all(b.applied == b.head for b in states), states


def schema_tables() -> set[str]:
    list(load_plugins().results_by_plugin("tollgate_models"))
    return set(metadata.tables) | {"alembic_version"}


# ---------------------------------------------------------------------------------------------
# The branches
# ---------------------------------------------------------------------------------------------


def test_every_plugin_ships_one_branch_named_after_it() -> None:
    plugins = load_plugins()
    found = migrate.locations(plugins)
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://", plugins))
    assert set(BUILT_IN) <= set(found)
    assert migrate.branch_names(script) == ["core", *sorted(set(found) - {"core"})]
    assert len(script.get_heads()) == len(found), "one head per branch"
    for name, directory in found.items():
        revisions = [rev for rev in script.walk_revisions() if name in rev.branch_labels]
        assert revisions, name
        assert all(Path(rev.path).parent == directory for rev in revisions), f"{name}'s revisions live in its package"
        (base,) = [rev for rev in revisions if rev.down_revision is None]
        if name == "core":
            assert not base.dependencies, "the kernel depends on no plugin"
        else:
            assert base.dependencies, f"{name} depends on the kernel revision it needs"
            for needed in [base.dependencies] if isinstance(base.dependencies, str) else base.dependencies:
                assert "core" in script.get_revision(needed).branch_labels, f"{name} depends on {needed}"
    core_chain = [rev.revision for rev in script.walk_revisions() if "core" in rev.branch_labels]
    assert core_chain == [
        "0027",
        "0026",
        "0025",
        "0021",
        "0020",
        "0018",
        "0017",
        "0016",
        "0015",
        "0014",
        "0013",
        "0010",
        "0009",
        "0008",
        "0003",
        "0002",
        "0001",
    ]


def test_a_fresh_sqlite_database_migrates_every_branch(empty_sqlite: str) -> None:
    assert upgrade(empty_sqlite) == []
    at_every_head(empty_sqlite)
    assert set(on(empty_sqlite, table_identities)) == schema_tables()
    before = on(empty_sqlite, table_identities)
    assert upgrade(empty_sqlite) == []
    assert on(empty_sqlite, table_identities) == before, "a second upgrade changes nothing"


def test_a_plugin_branch_migrates_alone_then_the_rest(empty_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.cli import main

    monkeypatch.setenv("TOLLGATE_DATABASE__URL", empty_sqlite)
    result = services.run_blocking(lambda: CliRunner().invoke(main, ["db", "upgrade", "--plugin", "payg"]))
    assert result.exit_code == 0, result.output
    assert "to payg@head" in result.output
    assert set(on(empty_sqlite, table_identities)) == {"alembic_version", "customers", "payg_credit_purchases"}
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[2:-1]}
    assert lines["payg"] == ["-", "0024", "0024"]
    assert lines["core"][:2] == ["-", "0001"], "the kernel revision payg depends on, no further"

    result = services.run_blocking(lambda: CliRunner().invoke(main, ["db", "upgrade"]))
    assert result.exit_code == 0, result.output
    at_every_head(empty_sqlite)
    current = services.run_blocking(lambda: CliRunner().invoke(main, ["db", "current"]))
    assert current.exit_code == 0, current.output
    assert "behind" not in current.output
    for name in BUILT_IN:
        assert name in current.output

    unknown = services.run_blocking(lambda: CliRunner().invoke(main, ["db", "upgrade", "--plugin", "nope"]))
    assert unknown.exit_code != 0
    assert "plugin 'nope' has no migrations" in unknown.output


def test_a_database_missing_a_plugin_that_migrated_it_is_refused(
    empty_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(empty_sqlite)
    assert "example_0001" in version_rows(empty_sqlite), "the example plugin (installed) migrated it"
    monkeypatch.setenv("TOLLGATE_DISABLE_PLUGINS", "example")
    with pytest.raises(migrate.MigrationError, match="example_0001 that no loaded plugin ships"):
        upgrade(empty_sqlite)


def test_a_database_on_the_branches_without_plugins_is_not_taken_for_the_linear_history(
    empty_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOLLGATE_DISABLE_PLUGINS", "payg,product_sync,subscriptions,token_packages,example")
    assert upgrade(empty_sqlite, plugins=load_plugins()) == []
    assert version_rows(empty_sqlite) == {"0027"}, "the kernel alone: one row, at its head"
    monkeypatch.delenv("TOLLGATE_DISABLE_PLUGINS")
    assert upgrade(empty_sqlite) == [], "its plugin tables do not exist: nothing to adopt, they are created"
    at_every_head(empty_sqlite)
    assert set(on(empty_sqlite, table_identities)) == schema_tables()


def test_db_revision_starts_a_plugin_branch_then_continues_it(tmp_path: Path, empty_sqlite: str) -> None:
    from core.hookspecs import hookimpl

    versions = tmp_path / "versions"
    versions.mkdir()

    class Extra:
        @staticmethod
        @hookimpl
        def tollgate_migrations() -> Path:
            return versions

    plugins = load_plugins({"extra": Extra})
    upgrade(empty_sqlite, plugins=plugins)
    first = services.run_blocking(
        lambda: migrate.revision(
            empty_sqlite, "extra", "start", autogenerate=True, rev_id="extra_0001", plugins=plugins
        )
    )
    second = services.run_blocking(lambda: migrate.revision(empty_sqlite, "extra", "more", plugins=plugins))
    assert first.parent == second.parent == versions
    script = ScriptDirectory.from_config(migrate.alembic_config(empty_sqlite, plugins))
    base = script.get_revision("extra_0001")
    assert base.branch_labels == {"extra"}
    assert base.dependencies == "0027", "a new branch depends on the kernel's head"
    assert "op.create_table" not in first.read_text(), "autogenerate writes only the plugin's own tables (none)"
    assert script.get_revision("extra@head").down_revision == "extra_0001"
    upgrade(empty_sqlite, plugins=plugins)
    assert script.get_revision("extra@head").revision in version_rows(empty_sqlite)


# ---------------------------------------------------------------------------------------------
# A database migrated by the linear history
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def linear_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """migrations/ as of commit 5f34ad0: env.py, the template, 0001 → 0009 in one chain."""
    where = tmp_path_factory.mktemp("linear_history")
    (where / "versions").mkdir()
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", LINEAR_COMMIT, "migrations/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in listed:
        content = subprocess.run(["git", "show", f"{LINEAR_COMMIT}:{name}"], cwd=ROOT, capture_output=True, check=True)
        (where / Path(name).relative_to("migrations")).write_bytes(content.stdout)
    assert len(list((where / "versions").glob("*.py"))) == 9
    return where


def migrate_linear(url: str, where: Path, revision: str = "head") -> None:
    config = Config()
    config.set_main_option("script_location", str(where))
    config.attributes.update(url=url, configure_logging=False)
    migrate.ensure_sqlite_dir(url)
    services.run_blocking(lambda: command.upgrade(config, revision))


async def seed(url: str) -> None:
    """A customer (kernel table) and a credit purchase (payg's), written through today's models: the purchase
    with the columns the linear history had (later revisions add nullable ones, such as payg's receipt)."""
    engine = create_async_engine(url)
    async with AsyncSession(engine) as session:
        customer = Customer(tenant_id="alpha", external_id="ana", email="ana@example.com")
        session.add(customer)
        await session.flush()
        await session.execute(
            insert(CreditPurchase).values(
                tenant_id="alpha", customer_id=customer.id, customer="ana", credits=500, amount=1000, currency="usd"
            )
        )
        await session.commit()
    await engine.dispose()


async def seeded(url: str) -> tuple[list[tuple[str, str | None]], list[tuple[str, int, int]]]:
    engine = create_async_engine(url)
    async with AsyncSession(engine) as session:
        customers = (await session.execute(select(Customer.external_id, Customer.email))).all()
        purchases = (
            await session.execute(select(CreditPurchase.customer, CreditPurchase.credits, CreditPurchase.amount))
        ).all()
    await engine.dispose()
    return [tuple(row) for row in customers], [tuple(row) for row in purchases]  # type: ignore[misc]


def test_a_database_on_the_linear_history_moves_onto_the_branches_with_its_rows(
    empty_db: str, linear_history: Path
) -> None:
    migrate_linear(empty_db, linear_history)
    assert version_rows(empty_db) == {"0009"}
    services.run_blocking(lambda: seed(empty_db))
    before = on(empty_db, table_identities)
    assert {"customers", "payg_credit_purchases", "subscriptions", "token_package_orders"} <= set(before)

    adopted = upgrade(empty_db)

    assert adopted == ["0009", "0004", "0005", "0006", "0007"]
    after = on(empty_db, table_identities)
    kept = set(before) - rewritten_after_adoption(empty_db)
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}, "no table dropped"
    assert set(after) == schema_tables(), "every table once, the example plugin's added"
    assert services.run_blocking(lambda: seeded(empty_db)) == ([("ana", "ana@example.com")], [("ana", 500, 1000)])
    at_every_head(empty_db)
    assert upgrade(empty_db) == [], "adopted once"
    assert on(empty_db, table_identities) == after


def test_a_database_part_way_along_the_linear_history_adopts_what_it_ran(
    empty_sqlite: str, linear_history: Path
) -> None:
    migrate_linear(empty_sqlite, linear_history, "0005")
    services.run_blocking(lambda: seed(empty_sqlite))
    before = on(empty_sqlite, table_identities)
    assert "subscriptions" not in before

    assert upgrade(empty_sqlite) == ["0003", "0004", "0005"]

    after = on(empty_sqlite, table_identities)
    kept = set(before) - rewritten_after_adoption(empty_sqlite)
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}
    assert set(after) == schema_tables(), "0006-0009 ran: subscriptions, token packages, the spend function"
    assert services.run_blocking(lambda: seeded(empty_sqlite)) == ([("ana", "ana@example.com")], [("ana", 500, 1000)])
    at_every_head(empty_sqlite)


# ---------------------------------------------------------------------------------------------
# From the wheel, without the repository
# ---------------------------------------------------------------------------------------------


def test_tollgate_db_upgrade_runs_from_the_installed_wheel(installed_tollgate: Path, tmp_path: Path) -> None:
    site = installed_tollgate
    for shipped in (
        "core/migrations/env.py",
        "core/migrations/script.py.mako",
        "core/migrations/versions/0001_customers.py",
    ):
        assert (site / shipped).is_file(), shipped
    for plugin in BUILT_IN[1:]:
        assert list((site / "plugins" / plugin / "migrations" / "versions").glob("*.py")), plugin

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = elsewhere / "tollgate.db"
    (elsewhere / "settings.toml").write_text(f'[default.database]\nurl = "sqlite+aiosqlite:///{database}"\n')
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TOLLGATE_")},
        "PYTHONPATH": str(site),
        "COLUMNS": "120",
    }
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import core, sys; from core.cli import main; print(core.__file__); main()",
            "db",
            "upgrade",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0].startswith(str(site)), "the installed package, not the checkout"
    assert "done" in run.stdout
    for name in BUILT_IN:
        assert name in run.stdout
    tables = on(f"sqlite+aiosqlite:///{database}", lambda c: set(inspect(c).get_table_names()))
    assert {"customers", "credit_grants", "webhook_events", "payg_credit_purchases", "token_package_orders"} <= tables
