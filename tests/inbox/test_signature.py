"""The inbox's signature check (Stripe's own `WebhookSignature.verify_header`, per secret): which deliveries pass."""

from __future__ import annotations

import time

import pytest

from core.inbox.signature import signature_matches
from tests.stripe_emulator.delivery import signature_header

BODY = (
    b'{"id":"evt_1","object":"event","type":"invoice.paid","data":{"object":{"id":"in_1"}},"note":"\xc3\xa9t\xc3\xa9"}'
)
SECRET = "whsec_current"
OLD = "whsec_previous"
NOW = int(time.time())


CASES = {
    "valid": (BODY, signature_header(BODY, [SECRET], NOW), [SECRET]),
    "stale": (BODY, signature_header(BODY, [SECRET], NOW - 301), [SECRET]),
    "just in tolerance": (BODY, signature_header(BODY, [SECRET], NOW - 200), [SECRET]),
    "in the future": (BODY, signature_header(BODY, [SECRET], NOW + 600), [SECRET]),
    "altered body": (BODY.replace(b"in_1", b"in_2"), signature_header(BODY, [SECRET], NOW), [SECRET]),
    "wrong secret": (BODY, signature_header(BODY, ["whsec_other"], NOW), [SECRET]),
    "multi-signature, the second matches": (BODY, signature_header(BODY, ["whsec_other", SECRET], NOW), [SECRET]),
    "rotated: old secret still listed": (BODY, signature_header(BODY, [OLD], NOW), [SECRET, OLD]),
    "rotated: old secret dropped": (BODY, signature_header(BODY, [OLD], NOW), [SECRET]),
    "blank secret skipped": (BODY, signature_header(BODY, [SECRET], NOW), ["  ", SECRET]),
    "no v1": (BODY, f"t={NOW}", [SECRET]),
    "no timestamp": (BODY, signature_header(BODY, [SECRET], NOW).split(",", 1)[1], [SECRET]),
    "garbage": (BODY, "v1=deadbeef", [SECRET]),
    "timestamp not a number": (BODY, signature_header(BODY, [SECRET], NOW).replace(f"t={NOW}", "t=soon"), [SECRET]),
    "a v0 beside v1": (BODY, signature_header(BODY, [SECRET], NOW) + ",v0=abc", [SECRET]),
    "a second t": (BODY, signature_header(BODY, [SECRET], NOW) + ",t=1", [SECRET]),
    "a bare t": (BODY, signature_header(BODY, [SECRET], NOW) + ",t", [SECRET]),
    "a bare v1": (BODY, signature_header(BODY, [SECRET], NOW) + ",v1", [SECRET]),
    "a v1 with a second =": (BODY, signature_header(BODY, [SECRET], NOW) + "=x", [SECRET]),
    "leading zeros in t": (BODY, signature_header(BODY, [SECRET], NOW).replace(f"t={NOW}", f"t=00{NOW}"), [SECRET]),
}


# Accepted at a 300 s tolerance; a tolerance of 0 also accepts the stale one (no age check).
ACCEPTED = {
    "valid",
    "just in tolerance",
    "in the future",
    "multi-signature, the second matches",
    "rotated: old secret still listed",
    "blank secret skipped",
    "a v0 beside v1",
    "a second t",
    "a v1 with a second =",
    "leading zeros in t",
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("tolerance", [300, 0])
def test_which_deliveries_pass(case: str, tolerance: int) -> None:
    body, header, secrets = CASES[case]
    expected = case in ACCEPTED or (tolerance == 0 and case == "stale")
    assert signature_matches(body.decode(), header, secrets, tolerance) is expected


def test_a_non_ascii_signature_is_no_match() -> None:
    header = signature_header(BODY, [SECRET], NOW) + ",v1=\u00e9"
    assert signature_matches(BODY.decode(), f"t={NOW},v1=\u00e9", [SECRET], 300) is False
    assert signature_matches(BODY.decode(), header, [SECRET], 300) is True
