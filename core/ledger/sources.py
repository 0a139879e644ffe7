"""Where grants come from: each `source` a plugin (or the kernel) grants under, and what its `source_ref` looks like.

Plugins declare their sources through `tollgate_grant_sources`; `tollgate ledger verify` reports a
grant whose source nobody declared, or whose reference does not look like what its source names.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

SourceKind = Literal["stripe", "plan", "admin"]
KINDS: tuple[SourceKind, ...] = ("stripe", "plan", "admin")


@dataclasses.dataclass(frozen=True)
class GrantSource:
    """One grant source: what kind of act grants under it, and the pattern its `source_ref` matches.

    `stripe`: money paid in Stripe; the reference is (or leads to) the Stripe object, so a pattern is
    required. `plan`: a plan's own allowance (a free tier's month, a prorated upgrade). `admin`: an
    operator's grant (admin API, CLI), traced by its ledger entry and the operator's `reason` on it.
    `ref_pattern` is a regular expression the whole reference must match; None accepts any.
    """

    kind: SourceKind
    description: str
    ref_pattern: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"grant source kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.kind == "stripe" and not self.ref_pattern:
            raise ValueError("a `stripe` grant source says what its references look like (`ref_pattern`)")
        if self.ref_pattern is not None:
            re.compile(self.ref_pattern)

    def accepts(self, source_ref: str) -> bool:
        return self.ref_pattern is None or re.fullmatch(self.ref_pattern, source_ref) is not None


def stripe_id(*prefixes: str) -> str:
    """A pattern for a Stripe object id starting with one of `prefixes` (`"in_"`, `"pi_"`), then letters and digits."""
    return "(?:" + "|".join(re.escape(p) for p in prefixes) + ")[A-Za-z0-9]+"


# The kernel's own: `POST .../grants` and `tollgate credits grant` (admin), `POST .../adjustments` (adjustment).
KERNEL_SOURCES: Mapping[str, GrantSource] = {
    "admin": GrantSource("admin", "an operator's grant (admin API or `tollgate credits grant`)"),
    "adjustment": GrantSource("admin", "an operator's positive adjustment (`POST .../adjustments`)"),
}


def collect_sources(declared: Iterable[tuple[str, Mapping[str, GrantSource] | None]]) -> dict[str, GrantSource]:
    """Every plugin's declared sources in one map; one source declared twice differently is an error."""
    sources: dict[str, GrantSource] = {}
    for plugin, given in declared:
        for name, source in (given or {}).items():
            if not isinstance(source, GrantSource):
                raise TypeError(f"plugin {plugin!r} declares grant source {name!r} as {source!r}, not a GrantSource")
            known = sources.setdefault(name, source)
            if known != source:
                raise ValueError(f"grant source {name!r} is declared twice, differently (plugin {plugin!r})")
    return sources


def grant_sources(plugins: Any) -> dict[str, GrantSource]:
    """The sources every loaded plugin declares (`tollgate_grant_sources`), the kernel's among them."""
    return collect_sources(plugins.results_by_plugin("tollgate_grant_sources"))
