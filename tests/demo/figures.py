"""The figures the five reference tenants' walks end with (demo/scenarios.py), checked the same way
whether the walk ran on the embedded defaults (`make demo`) or on a deployment (docs/deploy.md)."""

from __future__ import annotations

from typing import Any


def customer(summary: dict[str, Any], tenant: str, name: str) -> dict[str, Any]:
    return dict(summary["tenants"][tenant]["customers"][name])


def plan(entry: dict[str, Any]) -> tuple[str, str, str | None]:
    sub = entry["subscription"]
    return sub["tier"], sub["status"], sub["interval"]


def history(entry: dict[str, Any]) -> list[tuple[str, str, int]]:
    """The customer's billing history as (kind, plugin, amount), every item succeeded in USD; sorted, since two
    steps paid in the same second may be listed in either order."""
    assert {(item["currency"], item["status"]) for item in entry["payments"]} <= {("usd", "succeeded")}, entry
    return sorted((item["kind"], item["source"], item["amount"]) for item in entry["payments"])


def check_globex(summary: dict[str, Any]) -> None:
    """Automate's in-app walk: Starter paid in the app's form (3-D Secure), an upgrade to Pro charged to the
    saved default card, 1,500 credits bought off-session with it; the declined card left nothing."""
    globex = customer(summary, "automate", "globex")
    figures = summary["tenants"]["automate"]["figures"]
    amount, granted = figures["globex_upgrade_amount"], figures["globex_upgrade_credits"]
    # Stripe prorates the 30.00 USD difference to the cent, Tollgate the 4,000 credits' down to the credit,
    # for the same part of the period.
    assert 0 < amount <= 3000 and 0 < granted <= 4000
    assert abs(amount * 4000 - granted * 3000) <= 5000, (amount, granted)
    assert (plan(globex), globex["balance"], globex["debt"]) == (("pro", "active", "month"), 2500 + granted, 0)
    assert history(globex) == sorted(
        [("payment", "subscriptions", 1900), ("payment", "subscriptions", amount), ("payment", "payg", 1500)]
    )


def check_the_five_walks(summary: dict[str, Any]) -> None:
    """Each tenant's customers, orders, Stripe events and notices, as the walk left them."""
    ana, tia = customer(summary, "imagegen", "ana"), customer(summary, "imagegen", "tia")
    assert (plan(ana), ana["balance"], ana["unlimited"]) == (("free", "free", None), 10, False)
    assert (plan(tia), tia["unlimited"]) == (("basic", "active", "month"), False)
    assert 0 < tia["balance"] < 200, "Basic's allowance prorated for the rest of the period"

    acme = customer(summary, "automate", "acme")
    assert (plan(acme), acme["balance"], acme["debt"]) == (("starter", "active", "month"), 5020, 0)
    # Credits by amount and by pack, Starter through Checkout and its renewal.
    assert history(acme) == [
        ("payment", "payg", 1800),
        ("payment", "payg", 2000),
        ("payment", "subscriptions", 1900),
        ("payment", "subscriptions", 1900),
    ]
    check_globex(summary)

    maria, joao = customer(summary, "fiko", "maria"), customer(summary, "fiko", "joao")
    assert (plan(maria), maria["balance"]) == (("full", "active", "year"), 111_000)
    assert [(o["package"], o["status"], o["currency"], o["amount"]) for o in maria["orders"]] == [
        ("tokens-1k", "succeeded", "eur", 450),
        ("tokens-100k", "succeeded", "eur", 1800),
    ]
    assert (plan(joao), joao["balance"]) == (("full", "active", "month"), 10_000)
    # The two packs were paid together: their order in the timeline is the order Stripe's events came in.
    assert sorted((item["source"], item["amount"], item["currency"]) for item in maria["payments"]) == [
        ("subscriptions", 3600, "eur"),
        ("token_packages", 450, "eur"),
        ("token_packages", 1800, "eur"),
    ]
    assert [(item["source"], item["amount"], item["currency"]) for item in joao["payments"]] == [
        ("subscriptions", 500, "usd")
    ]

    dev = customer(summary, "quickscale", "dev-1")
    assert (plan(dev), dev["balance"]) == (("pro", "active", "month"), 1400)
    assert dev["next_expiry"]["credits"] == 1000, "Pro's credits expire at the period end"

    li = customer(summary, "creditshop", "li")
    assert li["balance"] == 250
    assert [
        (o["package"], o["status"], o["amount"], o["amount_refunded"], o["credits_granted"], o["credits_clawed_back"])
        for o in li["orders"]
    ] == [("standard", "partially_refunded", 10000, 5000, 1100, 550), ("trial", "refunded", 5000, 5000, 500, 500)]
    # Both packs paid, then half of one refunded and all of the other (the timeline in CNY, oldest first). The
    # two packs were paid together: which comes first is the order Stripe's events came in.
    timeline = [(item["kind"], item["amount"], item["currency"], item["status"]) for item in li["payments"]]
    assert [kind for kind, *_ in timeline] == ["payment", "payment", "refund", "refund"], timeline
    assert sorted(timeline) == [
        ("payment", 5000, "cny", "succeeded"),
        ("payment", 10000, "cny", "succeeded"),
        ("refund", 5000, "cny", "succeeded"),
        ("refund", 5000, "cny", "succeeded"),
    ]

    for slug, tenant in summary["tenants"].items():
        assert set(tenant["events"]) <= {"processed", "ignored"}, (slug, tenant["events"])
        assert tenant["events"]["processed"] > 0, slug
        notices = tenant["notifications"]
        assert set(notices["outbox"]) == {"delivered"}, (slug, notices)
        assert notices["refused"] == 0, slug
        assert sum(notices["received"].values()) == notices["outbox"]["delivered"], (slug, notices)
    imagegen_notices = summary["tenants"]["imagegen"]["notifications"]["received"]
    assert {"subscription.trial_will_end", "subscription.past_due", "payment.failed"} <= set(imagegen_notices)
    assert summary["tenants"]["creditshop"]["notifications"]["received"]["order.refunded"] == 2
