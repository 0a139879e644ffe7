"""docs/privacy.md's data map names every table Tollgate keeps, so a new table cannot skip saying what
personal data it holds, for how long, and what an erasure does to it."""

from __future__ import annotations

import re
from pathlib import Path

from core.db import metadata
from core.plugins import load_plugins

PRIVACY = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def built_in_tables() -> set[str]:
    """The tables of the kernel and the built-in plugins (not of the tests' example plugin)."""
    list(load_plugins().results_by_plugin("tollgate_models"))
    return {
        mapper.local_table.name
        for mapper in metadata_mappers()
        if mapper.class_.__module__.startswith(("core.", "plugins."))
    }


def metadata_mappers() -> list:  # type: ignore[type-arg]
    from advanced_alchemy.base import orm_registry

    return [m for m in orm_registry.mappers if m.local_table is not None and m.local_table.name in metadata.tables]


def test_the_data_map_names_every_table() -> None:
    section = PRIVACY.read_text(encoding="utf-8").split("## Data map", 1)[1].split("\n## ", 1)[0]
    mapped = {
        name
        for row in section.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`(\w+)`", row.split("|")[1])
    }
    tables = built_in_tables()
    assert tables - mapped == set(), "tables missing from docs/privacy.md's data map"
    assert mapped - tables == set(), "docs/privacy.md's data map names tables that do not exist"
