"""The per-tenant summary: customers' balances, plans, orders and billing history, Stripe events by status,
and the notices each tenant app received. Read through the generated client right after the tenant's walk;
printed with rich, kept as JSON.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from tollgate_client.api.customers import list_customer_payments
from tollgate_client.api.notifications import list_notifications
from tollgate_client.api.subscriptions import get_subscription
from tollgate_client.api.token_packages import list_orders
from tollgate_client.api.webhooks import list_webhook_events

from demo.scenarios import Walk, money
from demo.world import World

ORDER_FIELDS = (
    "package",
    "status",
    "amount",
    "currency",
    "amount_refunded",
    "credits_granted",
    "credits_clawed_back",
    "interval",
)
PLAN_FIELDS = ("tier", "status", "interval", "current_period_end", "cancel_at_period_end", "credits_per_month")
PAYMENT_FIELDS = ("kind", "source", "amount", "currency", "status")


async def snapshot(world: World, walk: Walk) -> dict[str, Any]:
    """What the tenant's app and its operator would see now."""
    app, tenant = world.app(walk.slug), world.runtime.tenants.get(walk.slug)
    customers: dict[str, Any] = {}
    for customer in walk.customers:
        entry: dict[str, Any] = {}
        if tenant.enabled("subscriptions"):
            # Read first, as an app would: it also grants the free tier's allowance of a new month.
            plan = (await app.call(get_subscription.asyncio_detailed, customer)).to_dict()
            entry["subscription"] = {key: plan[key] for key in PLAN_FIELDS}
        balance = (await app.balance(customer)).to_dict()
        entry |= {
            key: balance[key] for key in ("balance", "held", "debt", "unlimited", "unlimited_until", "next_expiry")
        }
        if tenant.enabled("token_packages"):
            orders = [order.to_dict() for order in await app.pages(list_orders.asyncio_detailed, customer)]
            entry["orders"] = [{key: order[key] for key in ORDER_FIELDS} for order in reversed(orders)]
        # The billing history, oldest first: what the customer paid or got back through Tollgate.
        payments = [item.to_dict() for item in await app.pages(list_customer_payments.asyncio_detailed, customer)]
        entry["payments"] = [{key: item[key] for key in PAYMENT_FIELDS} for item in reversed(payments)]
        customers[customer] = entry
    events = Counter(str(item.status) for item in await app.pages(list_webhook_events.asyncio_detailed))
    outbox = Counter(str(item.status) for item in await app.pages(list_notifications.asyncio_detailed))
    inbox = world.receiver.inboxes[walk.slug]
    return {
        "name": tenant.name,
        "plugins": list(tenant.plugins),
        "customers": customers,
        "events": dict(events),
        "notifications": {
            "outbox": dict(outbox),
            "received": dict(sorted(inbox.by_type.items())),
            "retries_dropped": inbox.retries,
            "refused": inbox.refused,
        },
        "notes": walk.notes,
        "figures": walk.figures,
    }


def _plan(entry: dict[str, Any]) -> str:
    plan = entry.get("subscription")
    if not plan:
        return "-"
    text = f"{plan['tier']} · {plan['status']}"
    if plan["interval"]:
        text += f" · {plan['interval']}ly until {plan['current_period_end'][:10]}"
    if plan["cancel_at_period_end"]:
        text += " (cancels)"
    return text


def _credits(entry: dict[str, Any]) -> str:
    if entry["unlimited"]:
        return f"unlimited (+{entry['balance']:,})"
    text = f"{entry['balance']:,}"
    if entry["held"]:
        text += f" ({entry['held']:,} held)"
    if entry["next_expiry"]:
        text += f"\n{entry['next_expiry']['credits']:,} expire {entry['next_expiry']['at'][:10]}"
    return text


def _orders(entry: dict[str, Any]) -> str:
    lines = []
    for order in entry.get("orders", []):
        line = f"{order['package']}: {order['status']}, {money(order['amount'], order['currency'])}"
        if order["amount_refunded"]:
            line += f", refunded {money(order['amount_refunded'], order['currency'])}"
        line += f", +{order['credits_granted']:,}"
        if order["credits_clawed_back"]:
            line += f" -{order['credits_clawed_back']:,}"
        lines.append(line)
    return "\n".join(lines) or "-"


def _payments(entry: dict[str, Any]) -> str:
    lines = []
    for item in entry["payments"]:
        sign = "" if item["kind"] == "payment" else f"{item['kind']} "
        lines.append(f"{sign}{money(item['amount'], item['currency'])} ({item['source']})")
    return "\n".join(lines) or "-"


def render(console: Console, slug: str, tenant: dict[str, Any]) -> None:
    table = Table("customer", "plan", "credits", "orders", "billing history", expand=True)
    for customer, entry in tenant["customers"].items():
        table.add_row(customer, _plan(entry), _credits(entry), _orders(entry), _payments(entry))
    events = ", ".join(f"{count} {status}" for status, count in sorted(tenant["events"].items())) or "none"
    notices = tenant["notifications"]
    received = ", ".join(f"{t} x{n}" for t, n in notices["received"].items()) or "none"
    lines = [
        f"[bold]Stripe events[/]: {events}",
        f"[bold]Notices the app received[/] (signature verified): {received}"
        + (f"; {notices['refused']} refused" if notices["refused"] else ""),
        *(f"• {note}" for note in tenant["notes"]),
    ]
    title = f"{tenant['name']} ({slug}) — {', '.join(tenant['plugins'])}"
    console.print(Panel(Group(table, *lines), title=title, title_align="left"))
