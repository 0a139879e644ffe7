"""HTTP routes of subscriptions: tiers, a customer's plan, checkout, portal, changes, and the admin reconcile."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core import audit_trail
from core.access import ADMIN, END_USER, SERVICE, access
from core.deps import CurrentTenant, CustomerPath, DbSession, IdempotencyKey, RuntimeDep
from core.errors import NotFound
from core.idempotency.answers import Answers
from plugins.subscriptions import schemas
from plugins.subscriptions.config import Interval, TierId
from plugins.subscriptions.elements import InAppSubscriptions
from plugins.subscriptions.previews import ChangePreviews
from plugins.subscriptions.reconcile import request_reconcile
from plugins.subscriptions.services import SubscriptionService

AtPeriodEnd = Annotated[
    bool,
    QueryParameter(
        name="at_period_end",
        description="true: the plan runs until the period ends; false: it ends now. Either way the customer "
        "falls back to the free tier.",
    ),
]

PreviewTier = Annotated[
    TierId,
    QueryParameter(name="tier", description="The tier to move to (the current one: change the interval only)."),
]
PreviewInterval = Annotated[
    Interval | None, QueryParameter(name="interval", description="The billing period to move to; absent: the same one.")
]


@get(
    "/tiers",
    tags=["subscriptions"],
    operation_id="list_tiers",
    summary="The plans on offer, with their prices",
    **access(SERVICE, ADMIN, END_USER),
)
async def list_tiers(tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep) -> schemas.TierList:
    return await SubscriptionService(db_session, tenant, runtime).tiers()


# The fields of a subscription a change or cancellation moves, as the audit trail shows them.
AUDITED_FIELDS = ("tier", "status", "interval", "cancel_at_period_end", "current_period_end")


async def audited(
    service: SubscriptionService,
    action: str,
    customer: str,
    effect: Callable[[], Awaitable[schemas.Subscription]],
) -> schemas.Subscription:
    """Run a change or cancellation and write its audit record: the subscription's fields before and after.

    Called inside the idempotent answer, so a repeated Idempotency-Key replays without a second record.
    """
    try:
        before = _audited_fields(await service.read(customer))
    except NotFound:
        before = None  # the effect answers the 404 its own way
    answer = await effect()
    await audit_trail.record(
        service.session,
        service.tenant.slug,
        action,
        f"customer:{customer}",
        before=before,
        after=_audited_fields(answer),
    )
    return answer


def _audited_fields(subscription: schemas.Subscription) -> dict[str, Any]:
    shown = msgspec.to_builtins(subscription)
    return {field: shown[field] for field in AUDITED_FIELDS}


class SubscriptionController(Controller):
    path = "/customers/{customer_id:str}"
    tags = ["subscriptions"]

    @get(
        "/subscription",
        operation_id="get_subscription",
        summary="The customer's plan: tier, status, credits, period and features",
        **access(SERVICE, ADMIN, END_USER),
    )
    async def read(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep, customer_id: CustomerPath
    ) -> schemas.Subscription:
        return await SubscriptionService(db_session, tenant, runtime).read(customer_id)

    @get(
        "/subscription/usage",
        operation_id="get_subscription_usage",
        summary="Credits of this period's allowance used and left",
        **access(SERVICE, ADMIN, END_USER),
    )
    async def usage(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep, customer_id: CustomerPath
    ) -> schemas.Usage:
        return await SubscriptionService(db_session, tenant, runtime).usage(customer_id)

    @get(
        "/subscription/models/{model_id:str}",
        operation_id="get_model_access",
        summary="Whether the customer's plan offers a model, and which plan does",
        **access(SERVICE, ADMIN, END_USER),
    )
    async def model_access(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        customer_id: CustomerPath,
        model_id: FromPath[str],
    ) -> schemas.ModelAccess:
        return await SubscriptionService(db_session, tenant, runtime).model_access(customer_id, model_id)

    @post(
        "/subscription",
        operation_id="create_subscription",
        summary="Start a subscription paid in the app's own form (Stripe Elements): the secret to confirm",
        **access(
            SERVICE,
            ADMIN,
            END_USER,
            errors=(
                "unknown_tier",
                "tier_not_for_sale",
                "price_not_configured",
                "subscription_exists",
                "trial_not_available",
                "invalid_promotion_code",
                "promotion_code_not_applicable",
                "stripe_error",
            ),
        ),
    )
    async def create(
        self,
        *,
        request: Request[Any, Any, Any],
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        customer_id: CustomerPath,
        data: JSONBody[schemas.SubscriptionCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.SubscriptionStart]:
        in_app = InAppSubscriptions(SubscriptionService(db_session, tenant, runtime))
        return await Answers(db_session, tenant).once(
            request,
            idempotency_key,
            lambda: in_app.create(customer_id, data, idempotency_key=idempotency_key),
            status_code=201,
        )

    @get(
        "/subscription/preview",
        operation_id="preview_subscription_change",
        summary="What a change of tier or interval would cost now and grant, without making it",
        **access(
            SERVICE,
            ADMIN,
            END_USER,
            errors=(
                "subscription_not_found",
                "unknown_tier",
                "tier_not_for_sale",
                "price_not_configured",
                "subscription_not_changeable",
                "plan_unchanged",
                "stripe_error",
            ),
        ),
    )
    async def preview(
        self,
        *,
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        customer_id: CustomerPath,
        tier: PreviewTier,
        interval: PreviewInterval = None,
    ) -> schemas.SubscriptionPreview:
        previews = ChangePreviews(SubscriptionService(db_session, tenant, runtime))
        return await previews.preview(customer_id, tier, interval)

    @patch(
        "/subscription",
        operation_id="change_subscription",
        summary="Change tier or interval (prorated by Stripe), or resume a cancellation",
        **access(
            SERVICE,
            ADMIN,
            errors=(
                "subscription_not_found",
                "unknown_tier",
                "tier_not_for_sale",
                "price_not_configured",
                "subscription_not_changeable",
                "one_change_at_a_time",
                "payment_pending",
                "stripe_error",
            ),
        ),
    )
    async def change(
        self,
        *,
        request: Request[Any, Any, Any],
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        customer_id: CustomerPath,
        data: JSONBody[schemas.SubscriptionUpdate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.Subscription]:
        service = SubscriptionService(db_session, tenant, runtime)
        return await Answers(db_session, tenant).once(
            request,
            idempotency_key,
            lambda: audited(
                service,
                "subscription.change",
                customer_id,
                lambda: service.change(customer_id, data, idempotency_key=idempotency_key),
            ),
        )

    @delete(
        "/subscription",
        operation_id="cancel_subscription",
        summary="Cancel at the period's end or now",
        status_code=200,
        **access(SERVICE, ADMIN, errors=("subscription_not_found", "stripe_error")),
    )
    async def cancel(
        self,
        *,
        request: Request[Any, Any, Any],
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        customer_id: CustomerPath,
        at_period_end: AtPeriodEnd = True,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.Subscription]:
        service = SubscriptionService(db_session, tenant, runtime)
        return await Answers(db_session, tenant).once(
            request,
            idempotency_key,
            lambda: audited(
                service,
                "subscription.cancel",
                customer_id,
                lambda: service.cancel(customer_id, at_period_end=at_period_end, idempotency_key=idempotency_key),
            ),
        )

    @post(
        "/checkout/subscription",
        operation_id="create_checkout_session",
        summary="Start a subscription: a Stripe Checkout Session",
        **access(
            SERVICE,
            ADMIN,
            END_USER,
            errors=(
                "unknown_tier",
                "tier_not_for_sale",
                "price_not_configured",
                "subscription_exists",
                "invalid_promotion_code",
                "promotion_code_not_applicable",
                "stripe_error",
            ),
        ),
    )
    async def checkout(
        self,
        *,
        request: Request[Any, Any, Any],
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        customer_id: CustomerPath,
        data: JSONBody[schemas.CheckoutCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.Checkout]:
        service = SubscriptionService(db_session, tenant, runtime)
        return await Answers(db_session, tenant).once(
            request,
            idempotency_key,
            lambda: service.checkout(customer_id, data, idempotency_key=idempotency_key),
            status_code=201,
        )

    @post(
        "/portal",
        operation_id="create_portal_session",
        summary="A Stripe Billing Portal session for the customer",
        status_code=201,
        **access(SERVICE, ADMIN, END_USER, errors=("stripe_error",)),
    )
    async def portal(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        customer_id: CustomerPath,
        data: JSONBody[schemas.PortalCreate],
    ) -> schemas.Portal:
        return await SubscriptionService(db_session, tenant, runtime).portal(customer_id, data)


@post(
    "/admin/subscriptions/reconcile",
    tags=["subscriptions"],
    operation_id="reconcile_subscriptions",
    summary="Compare this tenant's subscriptions with Stripe and repair drift (queued)",
    status_code=202,
    **access(ADMIN),
)
async def reconcile(tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep) -> schemas.ReconcileRequest:
    answer = await request_reconcile(db_session, tenant, runtime)
    await audit_trail.record(
        db_session, tenant.slug, "subscriptions.reconcile", f"tenant:{tenant.slug}", after={"queued": answer.queued}
    )
    return answer
