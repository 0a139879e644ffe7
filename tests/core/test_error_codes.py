"""One registry of error codes: every code raised is registered with its status, and every registered one is raised.

The codes raised are found in the source, not by running it: an AST scan of core/, tenants/ and
plugins/ for the error classes' own `code`s, the `code=` of every construction of a `TollgateError`
class (each string a conditional or an f-string over a `noun` can make), and the codes the error
handlers write for the framework's errors (core/errors.py). The kernel's codes are raised in core/
or tenants/; a plugin's, in its own folder.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core import errors
from core.error_codes import KERNEL, KERNEL_ERROR_CODES, ErrorCode, ErrorCodes
from core.input import UnsupportedMediaType
from core.plugins import load_plugins

ROOT = Path(__file__).resolve().parents[2]


def error_classes() -> dict[str, type[errors.TollgateError]]:
    found: dict[str, type[errors.TollgateError]] = {}
    stack: list[type[errors.TollgateError]] = [errors.TollgateError]
    while stack:
        cls = stack.pop()
        found[cls.__name__] = cls
        stack.extend(cls.__subclasses__())
    return found


def owner_of(path: Path) -> str:
    """`core` for the kernel (core/, tenants/), else the plugin's folder name."""
    parts = path.relative_to(ROOT).parts
    return parts[1] if parts[0] == "plugins" else KERNEL


def strings(node: ast.AST, nouns: set[str]) -> Iterator[str]:
    """Every code a `code=` expression can be: its string constants, and `f"{self.noun}_x"` for each noun."""
    if isinstance(node, ast.JoinedStr):
        parts = node.values
        tail = "".join(p.value for p in parts[1:] if isinstance(p, ast.Constant) and isinstance(p.value, str))
        if isinstance(parts[0], ast.FormattedValue) and ast.unparse(parts[0].value) == "self.noun":
            yield from (noun + tail for noun in nouns)
            return
        raise AssertionError(f"a code this test cannot read: {ast.unparse(node)}")
    if isinstance(node, ast.IfExp):
        yield from strings(node.body, nouns)
        yield from strings(node.orelse, nouns)
        return
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        raise AssertionError(f"a code this test cannot read: {ast.unparse(node)}")
    yield node.value


def raised_codes() -> dict[str, dict[str, list[str]]]:
    """{owner: {code: [where, ...]}} for every code raised in core/, tenants/ and plugins/."""
    classes = error_classes()
    trees = [
        (path, ast.parse(path.read_text())) for d in ("core", "tenants", "plugins") for path in (ROOT / d).rglob("*.py")
    ]
    nouns = {
        node.value.value
        for _, tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and [ast.unparse(t) for t in node.targets] == ["noun"]
        and isinstance(node.value, ast.Constant)
    }
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path, tree in trees:
        owner = owner_of(path)
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ClassDef) and node.name in classes:
                found[owner][classes[node.name].code].append(where)
            elif isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in classes:
                    for keyword in node.keywords:
                        if keyword.arg == "code":
                            for code in strings(keyword.value, nouns):
                                found[owner][code].append(f"{where} {name}")
                elif name == "error_body" and node.args and isinstance(node.args[0], ast.Constant):
                    found[owner][node.args[0].value].append(where)
    for code in errors._HTTP_CODES.values():
        found[KERNEL][code].append("core/errors.py _HTTP_CODES")
    found[KERNEL]["http_error"].append("core/errors.py handle_http_exception")
    return found


@pytest.fixture(scope="module")
def registry() -> ErrorCodes:
    codes = ErrorCodes()
    for plugin, answer in load_plugins().results_by_plugin("tollgate_error_codes"):
        codes.register(plugin, answer or {})
    return codes


@pytest.fixture(scope="module")
def raised() -> dict[str, dict[str, list[str]]]:
    return raised_codes()


def test_the_scan_sees_what_is_raised(raised: dict[str, dict[str, list[str]]]) -> None:
    """The scan finds codes of every kind: keyword, class default, conditional, f-string, handler."""
    assert {"insufficient_credits", "unsupported_media_type", "hold_already_released"} <= set(raised[KERNEL])
    assert {"notification_not_found", "webhook_event_in_progress", "internal_error"} <= set(raised[KERNEL])
    assert "purchase_not_found" in raised["payg"]


def test_every_code_raised_is_registered_by_its_owner(
    registry: ErrorCodes, raised: dict[str, dict[str, list[str]]]
) -> None:
    unregistered = [
        f"{code} ({owner}: {places[0]})"
        for owner, codes in raised.items()
        for code, places in codes.items()
        if code not in registry or not registry.owners(code) & {owner, KERNEL}
    ]
    assert not unregistered, f"raised, not registered (core/error_codes.py, tollgate_error_codes): {unregistered}"


def test_no_registered_code_is_dead(registry: ErrorCodes, raised: dict[str, dict[str, list[str]]]) -> None:
    dead = [
        f"{code} ({owner})" for code in registry for owner in registry.owners(code) if code not in raised.get(owner, {})
    ]
    assert not dead, f"registered codes their owner never raises: {dead}"


def test_a_code_given_to_an_error_class_answers_the_class_status(registry: ErrorCodes) -> None:
    """`NotFound(code="x")` with an `x` registered as 409 would answer 409 under a 404's name."""
    classes = error_classes()
    wrong = []
    for owner_codes in raised_codes().values():
        for code, places in owner_codes.items():
            for place in places:
                name = place.rsplit(" ", 1)[-1]
                if name in classes and code in registry:
                    family = registry[classes[name].code].status
                    if registry[code].status != family:
                        wrong.append(f"{place}: {code} answers {registry[code].status}, {name} is {family}")
    assert not wrong, wrong


def test_the_framework_codes_answer_their_status() -> None:
    for status, code in errors._HTTP_CODES.items():
        assert KERNEL_ERROR_CODES[code].status == status, code


def test_the_kernel_lists_no_plugin_only_code(raised: dict[str, dict[str, list[str]]]) -> None:
    plugin_only = [code for code in KERNEL_ERROR_CODES if code not in raised[KERNEL]]
    assert not plugin_only, f"kernel codes raised only by plugins (register them in the plugin): {plugin_only}"


def test_one_code_has_one_status() -> None:
    codes = ErrorCodes()
    codes.register("a", {"sold_out": ErrorCode(409, "Gone.")})
    codes.register("b", {"sold_out": ErrorCode(409, "Also gone.")})
    assert codes.owners("sold_out") == {"a", "b"}
    with pytest.raises(ValueError, match="sold_out"):
        codes.register("c", {"sold_out": ErrorCode(400, "Not this way.")})
    with pytest.raises(ValueError, match="insufficient_credits"):
        codes.register("c", {"insufficient_credits": ErrorCode(409, "Redefined.")})


def test_an_error_answers_its_codes_status() -> None:
    codes = ErrorCodes()
    codes.register("payg", {"purchase_not_found": ErrorCode(404, "No such purchase.")})
    assert codes.status("purchase_not_found", errors.NotFound.code) == 404
    assert codes.status("insufficient_credits", errors.PaymentRequired.code) == 402
    assert codes.status(UnsupportedMediaType.code, UnsupportedMediaType.code) == 415
    # An unregistered code (a bug the tests above catch) answers its class's status, and is logged.
    assert codes.status("never_registered", errors.Conflict.code) == 409


async def test_a_raised_code_answers_with_the_registry_status(client: Any) -> None:
    from tests.support.tenants import auth

    r = await client.get("/t/alpha/v1/customers/nobody", headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")
