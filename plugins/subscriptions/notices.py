"""The `data` of the subscriptions plugin's notices to tenant apps, as `notify` checks and the document shows it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

import msgspec

from core.fields import Examples

_STATE: dict[str, Any] = {
    "customer": "acme",
    "subscription": "sub_1Q2w3E4r5T6y7U8i",
    "tier": "pro",
    "interval": "month",
    "status": "active",
    "current_period_end": "2026-04-02T00:00:00Z",
    "cancel_at_period_end": False,
}


class SubscriptionState(msgspec.Struct, forbid_unknown_fields=True):
    """The plan's state, which every subscription notice carries."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer.")]
    subscription: Annotated[str, msgspec.Meta(description="The Stripe subscription.")]
    tier: Annotated[str, msgspec.Meta(description="The plan tier.")]
    interval: Annotated[str, msgspec.Meta(description="`month` or `year`.")]
    status: Annotated[str, msgspec.Meta(description="The Stripe status (`active`, `past_due`, ...).")]
    current_period_end: Annotated[dt.datetime, msgspec.Meta(description="When the current period ends.")]
    cancel_at_period_end: Annotated[bool, msgspec.Meta(description="Whether it ends with the period.")]


class SubscriptionUpdated(SubscriptionState):
    """`subscription.updated`: a customer's plan, status or period changed."""

    previous: Annotated[
        dict[str, str], msgspec.Meta(description="The changed fields' former values, as text; empty: a new one.")
    ]

    schema_examples: ClassVar[Examples] = ({**_STATE, "previous": {"tier": "basic"}},)


class SubscriptionPastDue(SubscriptionState):
    """`subscription.past_due`: a renewal payment failed; the grace period has started."""

    past_due_since: Annotated[dt.datetime, msgspec.Meta(description="When the renewal first failed.")]
    grace_ends_at: Annotated[dt.datetime, msgspec.Meta(description="When the grace period ends.")]

    schema_examples: ClassVar[Examples] = (
        {
            **_STATE,
            "status": "past_due",
            "past_due_since": "2026-03-02T00:00:00Z",
            "grace_ends_at": "2026-03-09T00:00:00Z",
        },
    )


class SubscriptionTrialWillEnd(SubscriptionState):
    """`subscription.trial_will_end`: a trial ends in three days (Stripe's notice)."""

    trial_end: Annotated[dt.datetime, msgspec.Meta(description="When the trial ends.")]

    schema_examples: ClassVar[Examples] = ({**_STATE, "status": "trialing", "trial_end": "2026-03-05T00:00:00Z"},)
