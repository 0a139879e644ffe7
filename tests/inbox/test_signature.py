"""The inbox's signature check (Stripe's own `WebhookSignature.verify_header`, per secret): which deliveries pass."""

from __future__ import annotations

import time

import pytest

from core.inbox.signature import signature_matches
from stripe_emulator.delivery import signature_header

BODY = (
    b'{"id":"evt_1","object":"event","type":"invoice.paid","data":{"object":{"id":"in_1"}},"note":"\xc3\xa9t\xc3\xa9"}'
)
SECRET = "whsec_current"
OLD = "whsec_previous"


def cases(now: int) -> dict[str, tuple[bytes, str, list[str]]]:
    """Each case's (body, header, the tenant's secrets), signed relative to `now`: built when a test
    runs, so that a slow test session cannot age "just in tolerance" past the tolerance."""
    return {
        "valid": (BODY, signature_header(BODY, [SECRET], now), [SECRET]),
        "stale": (BODY, signature_header(BODY, [SECRET], now - 301), [SECRET]),
        "just in tolerance": (BODY, signature_header(BODY, [SECRET], now - 200), [SECRET]),
        "just in tolerance, ahead": (BODY, signature_header(BODY, [SECRET], now + 200), [SECRET]),
        "in the future": (BODY, signature_header(BODY, [SECRET], now + 301), [SECRET]),
        "altered body": (BODY.replace(b"in_1", b"in_2"), signature_header(BODY, [SECRET], now), [SECRET]),
        "wrong secret": (BODY, signature_header(BODY, ["whsec_other"], now), [SECRET]),
        "multi-signature, the second matches": (BODY, signature_header(BODY, ["whsec_other", SECRET], now), [SECRET]),
        "rotated: old secret still listed": (BODY, signature_header(BODY, [OLD], now), [SECRET, OLD]),
        "rotated: old secret dropped": (BODY, signature_header(BODY, [OLD], now), [SECRET]),
        "blank secret skipped": (BODY, signature_header(BODY, [SECRET], now), ["  ", SECRET]),
        "no v1": (BODY, f"t={now}", [SECRET]),
        "no timestamp": (BODY, signature_header(BODY, [SECRET], now).split(",", 1)[1], [SECRET]),
        "garbage": (BODY, "v1=deadbeef", [SECRET]),
        "timestamp not a number": (BODY, signature_header(BODY, [SECRET], now).replace(f"t={now}", "t=soon"), [SECRET]),
        "a v0 beside v1": (BODY, signature_header(BODY, [SECRET], now) + ",v0=abc", [SECRET]),
        "a second t": (BODY, signature_header(BODY, [SECRET], now) + ",t=1", [SECRET]),
        "a bare t": (BODY, signature_header(BODY, [SECRET], now) + ",t", [SECRET]),
        "a bare v1": (BODY, signature_header(BODY, [SECRET], now) + ",v1", [SECRET]),
        "a v1 with a second =": (BODY, signature_header(BODY, [SECRET], now) + "=x", [SECRET]),
        "leading zeros in t": (BODY, signature_header(BODY, [SECRET], now).replace(f"t={now}", f"t=00{now}"), [SECRET]),
    }


# Accepted at a 300 s tolerance; a tolerance of 0 also accepts the stale one and the future one (no time check).
ACCEPTED = {
    "valid",
    "just in tolerance",
    "just in tolerance, ahead",
    "multi-signature, the second matches",
    "rotated: old secret still listed",
    "blank secret skipped",
    "a v0 beside v1",
    "a second t",
    "a v1 with a second =",
    "leading zeros in t",
}


@pytest.mark.parametrize("case", list(cases(0)))
@pytest.mark.parametrize("tolerance", [300, 0])
def test_which_deliveries_pass(case: str, tolerance: int) -> None:
    body, header, secrets = cases(int(time.time()))[case]
    expected = case in ACCEPTED or (tolerance == 0 and case in {"stale", "in the future"})
    assert signature_matches(body.decode(), header, secrets, tolerance) is expected


def test_a_non_ascii_signature_is_no_match() -> None:
    now = int(time.time())
    header = signature_header(BODY, [SECRET], now) + ",v1=\u00e9"
    assert signature_matches(BODY.decode(), f"t={now},v1=\u00e9", [SECRET], 300) is False
    assert signature_matches(BODY.decode(), header, [SECRET], 300) is True
