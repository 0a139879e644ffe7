"""Databases migrated by the single linear history of before plugins had branches, put onto the branches.

Until then one chain held every table: 0001 → 0009, the built-in plugins' tables at 0004-0007. Those
revisions kept their ids and moved to the plugins' branches, and the kernel's chain became
0001 → 0002 → 0003 → 0008 → 0009, so such a database's one version row (say `0009`) no longer says
that the plugins' tables exist. Before upgrading, its version table is rewritten to the revisions
it had applied, one row per branch: nothing is created, dropped or rewritten.
"""

from __future__ import annotations

from collections.abc import Collection

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import column, inspect, table

from core.errors import MigrationError

LINEAR = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009")
KERNEL = frozenset({"0001", "0002", "0003", "0008", "0009"})
# A table each revision of the chain created: how a database shows that it really ran it (a database
# on the branches whose version row is 0004-0009 lacks some, say only payg's branch, or no plugins').
CREATED = {
    "0001": "customers",
    "0002": "credit_accounts",
    "0003": "webhook_events",
    "0004": "payg_credit_purchases",
    "0005": "product_sync_products",
    "0006": "subscriptions",
    "0007": "token_package_orders",
}


def applied(rows: Collection[str], tables: Collection[str]) -> tuple[str, ...] | None:
    """The revisions that the linear history applied, when `rows` is its version table; None otherwise.

    Only a single row after the kernel's first three revisions can be the linear history's, and only
    when every table its revisions created is there.
    """
    if len(rows) != 1:
        return None
    (row,) = rows
    if row not in LINEAR[3:]:
        return None
    chain = LINEAR[: LINEAR.index(row) + 1]
    if any(CREATED[rev] not in tables for rev in chain if rev in CREATED):
        return None
    return chain


def adopt(migration: MigrationContext, script: ScriptDirectory) -> list[str]:
    """Rewrite a linear-history version table to one row per branch; return the revisions stamped (or [])."""
    connection = migration.connection
    if connection is None:  # offline (--sql): there is no database to read
        return []
    rows = migration.get_current_heads()
    chain = applied(rows, inspect(connection).get_table_names())
    if chain is None:
        return []
    known = {rev.revision for rev in script.walk_revisions()}
    missing = [rev for rev in chain if rev not in known]
    if missing:
        raise MigrationError(
            f"this database was migrated before plugins had their own migrations and holds the tables of "
            f"revision(s) {', '.join(missing)}, whose plugin is not loaded: enable it for this upgrade"
        )
    stamps = [[rev for rev in chain if rev in KERNEL][-1], *(rev for rev in chain if rev not in KERNEL)]
    version = table(migration.version_table, column("version_num"), schema=migration.version_table_schema)
    connection.execute(version.delete())
    for revision in stamps:
        migration.stamp(script, revision)
    return stamps
