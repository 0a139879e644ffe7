"""Each reference tenant's main scenario, walked as that app's backend would walk it: through the generated client.

One function per tenant (DESIGN.md §1). The tenant app calls Tollgate with its API keys; customers pay
on Stripe's pages (the emulator's control client plays them); Stripe's clock moves for renewals; every
step waits until Stripe's events are processed and the app's notices delivered, then checks the
figures the app would show. A step that goes wrong raises `StepFailed` and the demo exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tollgate_client.api.catalog import get_sync_run, sync_catalog
from tollgate_client.api.customers import get_entitlements, list_customer_payments
from tollgate_client.api.ledger import capture_hold, create_hold, grant_credits, spend_credits
from tollgate_client.api.payg import create_credit_purchase, get_credit_prices
from tollgate_client.api.payment_methods import (
    create_setup_intent,
    detach_payment_method,
    list_payment_methods,
    set_default_payment_method,
)
from tollgate_client.api.subscriptions import (
    cancel_subscription,
    change_subscription,
    create_checkout_session,
    create_portal_session,
    create_subscription,
    get_model_access,
    get_subscription,
    get_subscription_usage,
    list_customer_invoices,
    list_tiers,
    preview_subscription_change,
    reconcile_subscriptions,
)
from tollgate_client.api.token_packages import create_order, list_orders, list_packages, refund_order
from tollgate_client.models import (
    CheckoutCreate,
    CheckoutCreateCurrencyType1,
    CheckoutCreateInterval,
    CreditPurchase,
    CreditPurchaseCreate,
    CreditPurchaseCreateCurrencyType1,
    GrantCreate,
    HoldCapture,
    HoldCreate,
    ListPackagesCurrencyType1,
    OrderCreate,
    OrderCreateCurrencyType1,
    PendingPayment,
    PortalCreate,
    RefundCreate,
    SpendCreate,
    SubscriptionCreate,
    SubscriptionPreview,
    SubscriptionUpdate,
)

from core.money import exponent
from demo.catalog import (
    QUICKSCALE_PRODUCTS,
    dashboard_catalog,
    ensure_plan_prices,
    ensure_promotion_code,
)
from demo.world import StepFailed, World, expect


@dataclass
class Walk:
    """One tenant's walk: the customers it made and what it showed, for the summary."""

    slug: str
    customers: list[str]
    notes: list[str] = field(default_factory=list)
    # Figures the walk measured that depend on when it ran (a proration to the second), for the checks after it.
    figures: dict[str, int] = field(default_factory=dict)


def ok_url(slug: str) -> str:
    return f"https://{slug}.example.com/billing/done?session={{CHECKOUT_SESSION_ID}}"


def money(amount: int, currency: str) -> str:
    """Minor units in the currency's own exponent: `10000, "cny"` as `100.00 CNY`, `500, "jpy"` as `500 JPY`."""
    places = exponent(currency)
    major, minor = divmod(amount, 10**places)
    return f"{major:,}.{minor:0{places}d} {currency.upper()}" if places else f"{major:,} {currency.upper()}"


def day(moment: dt.datetime | None) -> str:
    """The date of a moment Tollgate answered, as the app shows it: `2026-01-31`, or `-` for none."""
    return moment.date().isoformat() if moment else "-"


async def latest_invoice(world: World, slug: str, subscription_id: str) -> dict[str, Any]:
    """The subscription's newest invoice, read from the tenant's Stripe account as its operator would."""
    client = await world.stripe(slug)
    page = await client.v1.invoices.list_async({"subscription": subscription_id, "limit": 1})
    expect(bool(page.data), f"{slug}: no invoice for {subscription_id}")
    invoice = page.data[0]
    return {"billing_reason": invoice.billing_reason, "amount_paid": invoice.amount_paid, "currency": invoice.currency}


class Narrator:
    """Prints each step as it happens and keeps the notable ones for the summary."""

    def __init__(self, world: World, walk: Walk) -> None:
        self.world, self.walk = world, walk

    def __call__(self, text: str, *, keep: bool = False) -> None:
        self.world.say(self.walk.slug, text)
        if keep:
            self.walk.notes.append(text)


async def imagegen(world: World) -> Walk:
    """Free (hold and capture) → Basic through Checkout → upgrade to Premium (prorated, unlimited) →
    renewal → cancel at period end → back to Free; a Premium trial that ends, fails its first charge
    (past_due, in grace), is paid, then downgrades to Basic."""
    slug = "imagegen"
    walk = Walk(slug, ["ana", "tia"])
    say = Narrator(world, walk)
    await world.catch_up(slug)
    await ensure_plan_prices(world, slug)
    tiers = (await world.app(slug).call(list_tiers.asyncio_detailed)).data
    allowances = {t.id: "unlimited" if t.is_unlimited else t.credits_per_month for t in tiers}
    say("tiers: " + ", ".join(f"{tier} ({allowance})" for tier, allowance in allowances.items()))
    await _ana_upgrades_then_leaves(world, say)
    await _tia_trial_and_dunning(world, say)
    return walk


async def _ana_upgrades_then_leaves(world: World, say: Narrator) -> None:
    slug, side, app = "imagegen", world.stripe_side, world.app("imagegen")
    await app.customer("ana", "ana@imagegen.example")
    free = await app.call(get_subscription.asyncio_detailed, "ana")
    expect((free.tier, free.credits_remaining) == ("free", 10), f"ana starts on free with 10 credits: {free}")
    hold = await app.call(
        create_hold.asyncio_detailed, "ana", body=HoldCreate(credits_=2, reason="generation flux-schnell")
    )
    held = await app.call(capture_hold.asyncio_detailed, "ana", hold.id, body=HoldCapture(credits_=1))
    expect((held.status, held.captured, held.balance) == ("captured", 1, 9), f"hold captured: {held}")
    say("ana on Free: held 2 credits for a generation, captured 1 (the rest released) → 9 left", keep=True)

    checkout = await app.call(
        create_checkout_session.asyncio_detailed,
        "ana",
        body=CheckoutCreate(tier="basic", interval=CheckoutCreateInterval.MONTH, success_url=ok_url(slug)),
    )
    await side.pay_checkout(slug, checkout)
    await world.settle(slug)
    basic = await app.call(get_subscription.asyncio_detailed, "ana")
    expect(
        (basic.tier, basic.status, basic.credits_remaining) == ("basic", "active", 209),
        f"ana on basic: {basic}",
    )
    say("ana paid Basic in Checkout → active, 200 credits for the period (209 with Free's)", keep=True)
    access = await app.call(get_model_access.asyncio_detailed, "ana", "flux-1.1-pro")
    expect((access.allowed, access.available_in) == (False, "premium"), f"model check: {access}")
    await app.call(spend_credits.asyncio_detailed, "ana", body=SpendCreate(credits_=50, reason="50 generations"))

    await side.days_pass(slug, 15)
    await world.settle(slug)
    premium = await app.call(change_subscription.asyncio_detailed, "ana", body=SubscriptionUpdate(tier="premium"))
    await world.settle(slug)
    expect((premium.tier, premium.is_unlimited) == ("premium", True), f"upgrade: {premium}")
    expect(premium.subscription_id is not None, f"a Stripe subscription: {premium}")
    subscription_id = str(premium.subscription_id)
    proration = await latest_invoice(world, slug, subscription_id)
    expect(proration["billing_reason"] == "subscription_update", f"the upgrade's invoice: {proration}")
    spent = await app.call(spend_credits.asyncio_detailed, "ana", body=SpendCreate(credits_=1000, reason="a busy week"))
    expect((spent.charged, spent.unlimited) == (0, True), f"unlimited spend: {spent}")
    usage = await app.call(get_subscription_usage.asyncio_detailed, "ana")
    say(
        f"15 days later ana upgrades to Premium: Stripe prorated {money(proration['amount_paid'], 'usd')}; "
        f"unlimited: 1,000 generations cost no credits; usage this period {usage.used:,}",
        keep=True,
    )

    await side.renew(slug, subscription_id)
    await world.settle(slug)
    renewed = await app.call(get_subscription.asyncio_detailed, "ana")
    expect(renewed.current_period_start != premium.current_period_start, "the period moved on renewal")
    say(f"Premium renewed: {day(renewed.current_period_start)} → {day(renewed.current_period_end)}")
    portal = await app.call(
        create_portal_session.asyncio_detailed,
        "ana",
        body=PortalCreate(return_url="https://imagegen.example.com/account"),
    )
    say(f"billing portal for ana: {portal.portal_url}")
    ending = await app.call(cancel_subscription.asyncio_detailed, "ana", at_period_end=True)
    expect(ending.cancel_at_period_end is True, f"cancel at period end: {ending}")
    await side.renew(slug, subscription_id)
    await world.settle(slug)
    back = await app.call(get_subscription.asyncio_detailed, "ana")
    expect((back.tier, back.status) == ("free", "free"), f"back to free: {back}")
    say(f"ana cancelled at period end; when it came, back on Free with {back.credits_remaining} credits", keep=True)


async def _tia_trial_and_dunning(world: World, say: Narrator) -> None:
    slug, side, app = "imagegen", world.stripe_side, world.app("imagegen")
    await app.customer("tia", "tia@imagegen.example")
    checkout = await app.call(
        create_checkout_session.asyncio_detailed, "tia", body=CheckoutCreate(tier="premium", success_url=ok_url(slug))
    )
    await side.pay_checkout(slug, checkout)
    await world.settle(slug)
    trial = await app.call(get_subscription.asyncio_detailed, "tia")
    expect((trial.status, trial.is_unlimited) == ("trialing", True), f"tia's trial: {trial}")
    subscription_id = str(trial.subscription_id)
    await side.trial_will_end(slug, subscription_id)
    await world.settle(slug)
    charged = await side.renew(slug, subscription_id, "pm_card_chargeCustomerFail")
    await world.settle(slug)
    due = await app.call(get_subscription.asyncio_detailed, "tia")
    expect((due.status, due.restricted) == ("past_due", False), f"tia past_due in grace: {due}")
    say(f"tia's 7-day Premium trial ended, the first charge failed: past_due, grace until {day(due.grace_ends_at)}")
    await side.pay_invoice(slug, charged["invoice"]["id"])
    await world.settle(slug)
    paid = await app.call(get_subscription.asyncio_detailed, "tia")
    expect((paid.status, paid.tier) == ("active", "premium"), f"tia recovered: {paid}")
    say("tia trialled Premium, failed her first charge (past_due, in grace), then paid: active", keep=True)

    await side.days_pass(slug, 10)
    await world.settle(slug)
    basic = await app.call(change_subscription.asyncio_detailed, "tia", body=SubscriptionUpdate(tier="basic"))
    await world.settle(slug)
    expect((basic.tier, basic.is_unlimited) == ("basic", False), f"tia's downgrade: {basic}")
    expect(0 < basic.credits_remaining < 200, f"Basic's allowance for the rest of the period: {basic}")
    say(
        f"10 days later tia downgrades to Basic: unlimited ends, {basic.credits_remaining} credits for the "
        "rest of the period; Stripe credits the unused Premium time on the next invoice",
        keep=True,
    )


async def automate(world: World) -> Walk:
    """An admin grant, pay-as-you-go credits by amount and by pack, idempotent spends, no negative
    balance, a hold for a workflow run, a Starter subscription and its renewal."""
    slug, side = "automate", world.stripe_side
    app, walk = world.app(slug), Walk(slug, ["acme"])
    say = Narrator(world, walk)
    await world.catch_up(slug)
    await ensure_plan_prices(world, slug)
    stripe_client = await world.stripe(slug)
    await app.customer("acme", "ops@acme.example")

    welcome = GrantCreate(credits_=500, reference="welcome-acme", reason="welcome bonus")
    first = await app.call(grant_credits.asyncio_detailed, "acme", body=welcome, admin=True, expect=201)
    again = await app.call(grant_credits.asyncio_detailed, "acme", body=welcome, admin=True, expect=200)
    expect(first.id == again.id, "a repeated grant reference returns the first grant")
    say("admin granted a 500-credit welcome bonus (sent twice, granted once)", keep=True)

    purchase = await app.call(
        create_credit_purchase.asyncio_detailed,
        "acme",
        body=CreditPurchaseCreate(credits_=2000, currency=CreditPurchaseCreateCurrencyType1.USD),
    )
    expect(purchase.amount == 2000, f"2,000 credits cost 20.00 USD: {purchase}")
    await side.confirm_payment(slug, stripe_client, purchase)
    pack = await app.call(
        create_credit_purchase.asyncio_detailed, "acme", body=CreditPurchaseCreate(price="boost-1000", quantity=2)
    )
    expect((pack.amount, pack.credits_) == (1800, 2000), f"2 Boost packs: {pack}")
    await side.confirm_payment(slug, stripe_client, pack)
    await world.settle(slug)
    balance = await app.balance("acme")
    expect(balance.balance == 4500, f"500 + 2,000 + 2,000 credits: {balance}")
    say("bought 2,000 credits (20.00 USD) and 2 Boost packs (18.00 USD) by PaymentIntent → 4,500", keep=True)

    key = "workflow-run-42"
    run = SpendCreate(credits_=300, reason="workflow run 42")
    spend = await app.call(spend_credits.asyncio_detailed, "acme", body=run, idempotency_key=key)
    replay = await app.call(spend_credits.asyncio_detailed, "acme", body=run, idempotency_key=key)
    expect(replay.entry_id == spend.entry_id, "the replayed spend answers the first one")
    clash = await app.refused(
        spend_credits.asyncio_detailed, "acme", expect=409, body=SpendCreate(credits_=999), idempotency_key=key
    )
    short = await app.refused(spend_credits.asyncio_detailed, "acme", expect=402, body=SpendCreate(credits_=100_000))
    expect(short.error.code == "insufficient_credits", f"no negative balance: {short}")
    say(
        f"spent 300 (replayed with the same Idempotency-Key: one spend; another body: 409 "
        f"{clash.error.code}); 100,000 refused: 402 insufficient_credits",
        keep=True,
    )
    hold = await app.call(create_hold.asyncio_detailed, "acme", body=HoldCreate(credits_=250, reason="workflow run 43"))
    captured = await app.call(capture_hold.asyncio_detailed, "acme", hold.id, body=HoldCapture(credits_=180))
    expect(captured.balance == 4020, f"hold 250, capture 180: {captured}")
    say("held 250 for a workflow run, captured 180 → 4,020")

    checkout = await app.call(
        create_checkout_session.asyncio_detailed, "acme", body=CheckoutCreate(tier="starter", success_url=ok_url(slug))
    )
    await side.pay_checkout(slug, checkout)
    await world.settle(slug)
    plan = await app.call(get_subscription.asyncio_detailed, "acme")
    expect((plan.tier, plan.credits_remaining) == ("starter", 5020), f"starter: {plan}")
    await app.call(spend_credits.asyncio_detailed, "acme", body=SpendCreate(credits_=600, reason="nightly sync"))
    await side.renew(slug, str(plan.subscription_id))
    await world.settle(slug)
    renewed = await app.balance("acme")
    say(
        f"subscribed to Starter (+1,000 a month), spent 600; at renewal 400 unspent expired and 1,000 "
        f"came → {renewed.balance:,}",
        keep=True,
    )
    await in_app_subscription(world, walk, say)
    return walk


async def in_app_subscription(world: World, walk: Walk, say: Narrator) -> None:
    """Automate's own payment forms (Stripe Elements), for a new customer: Starter paid with a card that asks
    for 3-D Secure, a second card saved and made the default, a previewed upgrade to Pro, credits bought
    off-session with the saved card, a declined card refused, and the billing history of every step."""
    walk.customers.append("globex")
    await world.app(walk.slug).customer("globex", "billing@globex.example")
    await _globex_subscribes_with_3d_secure(world, say)
    card = await _globex_saves_a_default_card(world, say)
    upgrade = await _globex_upgrades_as_previewed(world, say)
    walk.figures |= {"globex_upgrade_amount": upgrade.amount_due_now, "globex_upgrade_credits": upgrade.credits_}
    bought = await _globex_buys_with_saved_cards(world, say, card)
    await _globex_billing_history(world, say, upgrade, bought)


async def _globex_subscribes_with_3d_secure(world: World, say: Narrator) -> None:
    slug, side, app = "automate", world.stripe_side, world.app("automate")
    started = await app.call(create_subscription.asyncio_detailed, "globex", body=SubscriptionCreate(tier="starter"))
    expect(
        (started.status, started.secret_type, started.amount_due) == ("incomplete", "payment", 1900),
        f"in-app start: {started}",
    )
    confirmed = await side.confirm_in_app(
        slug, str(started.client_secret), "pm_card_threeDSecure2Required", three_d_secure="leave"
    )
    expect(confirmed["status"] == "requires_action", f"the bank asks for 3-D Secure: {confirmed}")
    await world.settle(slug)
    waiting = await app.call(get_subscription.asyncio_detailed, "globex")
    pending = waiting.pending_payment
    expect(
        waiting.tier == "free" and isinstance(pending, PendingPayment) and pending.payment_status == "requires_action",
        f"3-D Secure shows as needing action: {waiting}",
    )
    await side.authenticate(slug, confirmed["payment_intent"]["id"])
    await world.settle(slug)
    plan = await app.call(get_subscription.asyncio_detailed, "globex")
    expect((plan.tier, plan.status, plan.credits_remaining) == ("starter", "active", 1000), f"starter: {plan}")
    say(
        "globex paid Starter (19.00 USD) in the app's own form (Elements); the card asked for 3-D Secure "
        "(requires_action until done), then active with 1,000 credits, granted once",
        keep=True,
    )


async def _save_card(world: World, customer: str, card: str) -> str:
    """The customer saves `card` in the app's form: a SetupIntent its browser confirms; the saved card's id."""
    app = world.app("automate")
    setup = await app.call(create_setup_intent.asyncio_detailed, customer)
    saved = await world.stripe_side.confirm_in_app("automate", setup.client_secret, card)
    expect(saved["status"] == "succeeded", f"{card} saved: {saved}")
    return str(saved["setup_intent"]["payment_method"])


async def _globex_saves_a_default_card(world: World, say: Narrator) -> str:
    app = world.app("automate")
    card = await _save_card(world, "globex", "pm_card_mastercard")
    chosen = await app.call(set_default_payment_method.asyncio_detailed, "globex", card)
    expect((chosen.id, chosen.default) == (card, True), f"the default card: {chosen}")
    cards = (await app.call(list_payment_methods.asyncio_detailed, "globex")).data
    expect(
        [(c.brand, c.last4, c.default) for c in cards] == [("mastercard", "4444", True), ("visa", "3220", False)],
        f"globex's cards: {cards}",
    )
    say("globex saved a Mastercard •••• 4444 (SetupIntent) and made it the default; the Visa •••• 3220 stays saved")
    return card


async def _globex_upgrades_as_previewed(world: World, say: Narrator) -> SubscriptionPreview:
    app = world.app("automate")
    before = await app.balance("globex")
    preview = await app.call(preview_subscription_change.asyncio_detailed, "globex", tier="pro")
    expect(
        (preview.change, preview.currency, preview.next_invoice_amount) == ("upgrade", "usd", 4900)
        and 0 < preview.amount_due_now <= 3000
        and 0 < preview.credits_ <= 4000,
        f"upgrade preview: {preview}",
    )
    await app.call(change_subscription.asyncio_detailed, "globex", body=SubscriptionUpdate(tier="pro"))
    await world.settle("automate")
    pro = await app.call(get_subscription.asyncio_detailed, "globex")
    upgraded = await app.balance("globex")
    expect((pro.tier, pro.status) == ("pro", "active"), f"globex on pro: {pro}")
    expect(upgraded.balance == before.balance + preview.credits_, f"credits as previewed ({preview}): {upgraded}")
    say(
        f"globex previewed Pro: {money(preview.amount_due_now, 'usd')} now, +{preview.credits_:,} credits, next "
        f"invoice {money(preview.next_invoice_amount, 'usd')}; upgraded, charged to the default card → "
        f"{upgraded.balance:,} credits, as previewed",
        keep=True,
    )
    return preview


async def _globex_buys_with_saved_cards(world: World, say: Narrator, card: str) -> CreditPurchase:
    """1,500 credits charged off-session to the saved card; a card that is declined changes nothing."""
    app = world.app("automate")
    usd = CreditPurchaseCreateCurrencyType1.USD
    before = await app.balance("globex")
    bought = await app.call(
        create_credit_purchase.asyncio_detailed,
        "globex",
        body=CreditPurchaseCreate(credits_=1500, currency=usd, payment_method=card),
    )
    expect((bought.status, bought.amount, bought.credits_) == ("succeeded", 1500, 1500), f"off-session: {bought}")
    await world.settle("automate")
    paid = await app.balance("globex")
    expect(paid.balance == before.balance + 1500, f"1,500 credits granted once: {paid}")

    declining = await _save_card(world, "globex", "pm_card_chargeDeclinedInsufficientFunds")
    refused = await app.refused(
        create_credit_purchase.asyncio_detailed,
        "globex",
        expect=402,
        body=CreditPurchaseCreate(credits_=1500, currency=usd, payment_method=declining),
    )
    detail = refused.error.detail
    expect(
        refused.error.code == "card_declined" and detail["decline_code"] == "insufficient_funds",
        f"declined: {refused}",
    )
    await app.call(detach_payment_method.asyncio_detailed, "globex", declining)
    await world.settle("automate")
    expect((await app.balance("globex")).balance == paid.balance, "a declined card grants nothing")
    say(
        f"globex bought 1,500 credits (15.00 USD) off-session with the saved Mastercard → {paid.balance:,}; "
        "a card with insufficient funds: 402 card_declined (insufficient_funds), nothing bought; the app removed it",
        keep=True,
    )
    return bought


async def _globex_billing_history(
    world: World, say: Narrator, upgrade: SubscriptionPreview, bought: CreditPurchase
) -> None:
    """The settings page: the subscription invoices and one timeline of the payments, each step at its amount."""
    app = world.app("automate")
    invoices = (await app.call(list_customer_invoices.asyncio_detailed, "globex")).data
    expect(
        [(i.status, i.amount_due, i.amount_paid, i.currency) for i in invoices]
        == [("paid", upgrade.amount_due_now, upgrade.amount_due_now, "usd"), ("paid", 1900, 1900, "usd")]
        and all(i.number and i.hosted_invoice_url and i.invoice_pdf for i in invoices),
        f"globex's invoices, newest first: {invoices}",
    )
    payments = (await app.call(list_customer_payments.asyncio_detailed, "globex")).data
    steps = [(p.kind, p.source, p.amount, p.currency, p.status) for p in payments]
    expect(
        sorted(steps)
        == sorted(
            [
                ("payment", "payg", bought.amount, "usd", "succeeded"),
                ("payment", "subscriptions", upgrade.amount_due_now, "usd", "succeeded"),
                ("payment", "subscriptions", 1900, "usd", "succeeded"),
            ]
        )
        and [p.occurred_at for p in payments] == sorted((p.occurred_at for p in payments), reverse=True)
        and {p.id for p in payments if p.source == "subscriptions"} == {i.id for i in invoices},
        f"globex's payments, newest first: {payments}",
    )
    say(
        f"globex's billing history: invoices {', '.join(money(i.amount_paid, i.currency) for i in invoices)} "
        f"(hosted page and PDF each); payments {', '.join(money(p.amount, p.currency) for p in payments)} — "
        "the declined card is in neither",
        keep=True,
    )


async def fiko(world: World) -> Walk:
    """A yearly plan in euros with a promotion code, a monthly plan in dollars, a one-time and a
    recurring token pack, and the subscription status check (reconcile)."""
    slug, side = "fiko", world.stripe_side
    app, walk = world.app(slug), Walk(slug, ["maria", "joao"])
    say = Narrator(world, walk)
    await world.catch_up(slug)
    await ensure_plan_prices(world, slug)
    await ensure_promotion_code(world, slug, "WELCOME20", 20)

    await app.customer("maria", "maria@fiko.example")
    checkout = await app.call(
        create_checkout_session.asyncio_detailed,
        "maria",
        body=CheckoutCreate(
            tier="full",
            interval=CheckoutCreateInterval.YEAR,
            currency=CheckoutCreateCurrencyType1.EUR,
            promotion_code="WELCOME20",
            success_url=ok_url(slug),
        ),
    )
    await side.pay_checkout(slug, checkout)
    await world.settle(slug)
    yearly = await app.call(get_subscription.asyncio_detailed, "maria")
    expect((yearly.tier, yearly.interval) == ("full", "year"), f"maria's yearly plan: {yearly}")
    expect(yearly.credits_remaining == 10_000, f"this month's 10,000 tokens: {yearly}")
    invoice = await latest_invoice(world, slug, str(yearly.subscription_id))
    expect((invoice["amount_paid"], invoice["currency"]) == (3600, "eur"), f"45.00 EUR less 20%: {invoice}")
    say("maria: Full plan yearly in EUR with WELCOME20 (45.00 → 36.00 EUR); 10,000 tokens this month", keep=True)

    for package in ("tokens-1k", "tokens-100k"):
        order = await app.call(
            create_order.asyncio_detailed,
            "maria",
            body=OrderCreate(package=package, currency=OrderCreateCurrencyType1.EUR, success_url=ok_url(slug)),
        )
        await side.pay_checkout(slug, order)
    await world.settle(slug)
    orders = {o.package: o for o in (await app.call(list_orders.asyncio_detailed, "maria")).data}
    expect(
        [orders[p].status for p in ("tokens-1k", "tokens-100k")] == ["succeeded", "succeeded"],
        f"maria's orders: {orders}",
    )
    expect((await app.balance("maria")).balance == 111_000, "10,000 + 1,000 + 100,000 tokens")
    say("maria bought 1K tokens (4.50 EUR) and 100K tokens every month (18.00 EUR) → 111,000", keep=True)

    await app.customer("joao", "joao@fiko.example")
    checkout = await app.call(
        create_checkout_session.asyncio_detailed,
        "joao",
        body=CheckoutCreate(tier="full", interval=CheckoutCreateInterval.MONTH, success_url=ok_url(slug)),
    )
    await side.pay_checkout(slug, checkout)
    await world.settle(slug)
    joao = await app.call(get_subscription.asyncio_detailed, "joao")
    expect((joao.tier, joao.interval, joao.status) == ("full", "month", "active"), f"joao: {joao}")
    say("joao: Full plan monthly in USD (5.00 USD), 10,000 tokens", keep=True)

    queued = await app.call(reconcile_subscriptions.asyncio_detailed, admin=True, expect=202)
    await world.settle(slug)
    say(f"subscription status check: reconcile queued={queued.queued}, nothing drifted", keep=True)
    return walk


async def quickscale(world: World) -> Walk:
    """Products made in Stripe's dashboard with credit metadata, a full catalog sync, PAYG by quantity
    priced from the synced metadata, a Pro subscription whose credits expire at the period end, and a
    price change in the dashboard that reaches the catalog through Stripe's events."""
    slug, side = "quickscale", world.stripe_side
    app, walk = world.app(slug), Walk(slug, ["dev-1"])
    say = Narrator(world, walk)
    await world.catch_up(slug)
    made = await dashboard_catalog(
        functools.partial(world.stripe_side.dashboard_product, slug, "create"), QUICKSCALE_PRODUCTS
    )
    started = await app.call(sync_catalog.asyncio_detailed, admin=True, expect=202)
    # The run is a job for the worker, not a webhook: `settle` does not wait for it, its record says when it ends.
    run = await world.finished(
        slug,
        f"catalog sync run {started.id}",
        lambda: app.call(get_sync_run.asyncio_detailed, started.id, admin=True),
        lambda run: run.status not in ("queued", "running"),
    )
    await world.settle(slug)
    expect((run.status, run.products, run.prices) == ("succeeded", 4, 4), f"catalog sync: {run}")
    say(f"catalog sync from Stripe: {run.products} products, {run.prices} prices, no problems", keep=True)

    packs = {p.name: p for p in (await app.call(get_credit_prices.asyncio_detailed)).packs}
    starter = packs["AI Credits - Starter Pack"]
    expect((starter.unit_amount, starter.credits_) == (1000, 100), f"priced by metadata: {starter}")
    await app.customer("dev-1", "dev@quickscale.example")
    purchase = await app.call(
        create_credit_purchase.asyncio_detailed, "dev-1", body=CreditPurchaseCreate(price=starter.price, quantity=3)
    )
    expect((purchase.amount, purchase.credits_) == (3000, 300), f"3 x Starter: {purchase}")
    await side.confirm_payment(slug, await world.stripe(slug), purchase)
    await world.settle(slug)
    say("dev-1 bought 3 x Starter Pack by PaymentIntent: 30.00 USD → 300 credits (credit_amount 100)", keep=True)

    checkout = await app.call(
        create_checkout_session.asyncio_detailed, "dev-1", body=CheckoutCreate(tier="pro", success_url=ok_url(slug))
    )
    await side.pay_checkout(slug, checkout)
    await world.settle(slug)
    pro = await app.call(get_subscription.asyncio_detailed, "dev-1")
    expect((pro.tier, pro.credits_remaining) == ("pro", 1300), f"pro: {pro}")
    entitlements = await app.call(get_entitlements.asyncio_detailed, "dev-1")
    flags = sorted(flag for flag, on in entitlements.features.additional_properties.items() if on)
    say(f"dev-1 subscribed to Pro: 1,000 credits until {day(pro.current_period_end)}; flags {', '.join(flags)}")
    await app.call(spend_credits.asyncio_detailed, "dev-1", body=SpendCreate(credits_=400, reason="upscales"))
    await side.renew(slug, str(pro.subscription_id))
    await world.settle(slug)
    balance = await app.balance("dev-1")
    expect(balance.balance == 1300, f"600 expired at the period end, 1,000 granted: {balance}")
    say("spent 400 of Pro's 1,000; at the period end the other 600 expired and 1,000 came → 1,300", keep=True)

    old = made["AI Credits - Starter Pack"]
    dearer = await side.dashboard_price(slug, "create", product=old["id"], currency="usd", unit_amount=1200)
    await side.dashboard_product(slug, "update", old["id"], default_price=dearer["id"])
    await side.dashboard_price(slug, "archive", old["default_price"])
    await world.settle(slug)
    packs = {p.name: p for p in (await app.call(get_credit_prices.asyncio_detailed)).packs}
    expect(packs["AI Credits - Starter Pack"].unit_amount == 1200, f"new price via events: {packs}")
    again = await app.call(
        create_credit_purchase.asyncio_detailed, "dev-1", body=CreditPurchaseCreate(price=dearer["id"], quantity=1)
    )
    await side.confirm_payment(slug, await world.stripe(slug), again)
    await world.settle(slug)
    say("the Starter Pack went to 12.00 USD in the dashboard; Stripe's events updated the catalog", keep=True)
    return walk


async def creditshop(world: World) -> Walk:
    """CNY packs bought through Checkout as payment orders, a spend, a partial and a full refund that
    claw credits back, and a refund refused because its credits were spent."""
    slug, side = "creditshop", world.stripe_side
    app, walk = world.app(slug), Walk(slug, ["li"])
    say = Narrator(world, walk)
    await world.catch_up(slug)
    listing = await app.call(list_packages.asyncio_detailed, currency=ListPackagesCurrencyType1.CNY)
    say("packs: " + ", ".join(f"{p.name} {p.total_credits} for {p.prices[0].display_amount}" for p in listing.data))
    await app.customer("li", "li@creditshop.example")
    standard = await app.call(
        create_order.asyncio_detailed, "li", body=OrderCreate(package="standard", success_url=ok_url(slug))
    )
    expect((standard.status, standard.amount, standard.currency) == ("pending", 10000, "cny"), str(standard))
    await side.pay_checkout(slug, standard)
    # The spend below takes the grant that lapses first: 标准包's only if its payment was applied first
    # (with two workers, two payments' events may be applied in either order).
    await world.settle(slug)
    trial = await app.call(
        create_order.asyncio_detailed, "li", body=OrderCreate(package="trial", success_url=ok_url(slug))
    )
    await side.pay_checkout(slug, trial)
    await world.settle(slug)
    expect((await app.balance("li")).balance == 1600, "1,100 + 500 credits")
    say("li paid 标准包 (100.00 CNY → 1,100 credits) and 体验包 (50.00 CNY → 500) in Checkout", keep=True)

    await app.call(spend_credits.asyncio_detailed, "li", body=SpendCreate(credits_=300, reason="300 generations"))
    partial = await app.call(
        refund_order.asyncio_detailed,
        standard.id,
        body=RefundCreate(amount=5000, reason="部分退款"),
        admin=True,
        expect=201,
    )
    expect(partial.credits_clawed_back == 550, f"half the money, half the credits: {partial}")
    full = await app.call(
        refund_order.asyncio_detailed, trial.id, body=RefundCreate(reason="未使用"), admin=True, expect=201
    )
    expect(full.credits_clawed_back == 500, f"the whole trial pack: {full}")
    await world.settle(slug)
    refused = await app.refused(refund_order.asyncio_detailed, standard.id, body=RefundCreate(), admin=True, expect=409)
    expect(refused.error.code == "credits_already_spent", f"the rest was spent: {refused}")
    balance = await app.balance("li")
    expect(balance.balance == 250, f"1,600 - 300 - 550 - 500: {balance}")
    say(
        "spent 300; refunded 50.00 CNY of 标准包 (550 credits clawed back) and all of 体验包 (500); "
        "refunding the rest of 标准包 refused: its credits were spent (409 credits_already_spent)",
        keep=True,
    )
    expiry = balance.next_expiry
    if expiry is None:
        raise StepFailed(f"li's credits should expire six months after payment: {balance}")
    say(f"li's 250 credits expire six months after payment: {expiry.credits_} on {day(expiry.at)}", keep=True)
    return walk


Scenario = Callable[[World], Awaitable[Walk]]
SCENARIOS: tuple[tuple[str, Scenario], ...] = (
    ("imagegen", imagegen),
    ("automate", automate),
    ("fiko", fiko),
    ("quickscale", quickscale),
    ("creditshop", creditshop),
)
