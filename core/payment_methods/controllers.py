"""HTTP routes for saved cards: `POST /customers/{customer_id}/setup-intents` and `.../payment-methods`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import FromPath

from core.access import ADMIN, END_USER, SERVICE, access
from core.deps import CurrentTenant, CustomerPath, DbSession, IdempotencyKey, KernelDep
from core.idempotency.answers import Answers
from core.lists import Page, PageQuery
from core.payment_methods import schemas
from core.payment_methods.services import SavedCards

PaymentMethodPath = FromPath[str]


class PaymentMethodController(Controller):
    path = "/customers/{customer_id:str}"
    tags = ["payment_methods"]

    @post(
        "/setup-intents",
        operation_id="create_setup_intent",
        summary="Start saving a card: a SetupIntent whose client_secret the app's payment form confirms",
        description="The card is saved on the customer for off-session use once Stripe.js confirms the "
        "SetupIntent (with 3-D Secure when the card asks). A saved card can then pay credit purchases and "
        "orders (`payment_method`) and, as the default, invoices.",
        **access(SERVICE, ADMIN, END_USER, errors=("stripe_error",)),
    )
    async def create_setup_intent(
        self,
        *,
        request: Request[Any, Any, Any],
        tenant: CurrentTenant,
        db_session: DbSession,
        kernel: KernelDep,
        customer_id: CustomerPath,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.SetupIntent]:
        cards = SavedCards(db_session, tenant, kernel.stripe)
        return await Answers(db_session, tenant).once(
            request, idempotency_key, lambda: cards.start_setup(customer_id, idempotency_key), status_code=201
        )

    @get(
        "/payment-methods",
        operation_id="list_payment_methods",
        summary="The customer's saved cards, newest first, and which one is the default",
        **access(SERVICE, ADMIN, END_USER, errors=("stripe_error",)),
    )
    async def list_payment_methods(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        kernel: KernelDep,
        customer_id: CustomerPath,
        page: PageQuery,
    ) -> Page[schemas.PaymentMethod]:
        return await SavedCards(db_session, tenant, kernel.stripe).list_cards(customer_id, page)

    @post(
        "/payment-methods/{payment_method_id:str}/default",
        operation_id="set_default_payment_method",
        summary="Make a saved card the one invoices are charged to",
        status_code=200,
        **access(SERVICE, ADMIN, END_USER, errors=("payment_method_not_found", "stripe_error")),
    )
    async def set_default(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        kernel: KernelDep,
        customer_id: CustomerPath,
        payment_method_id: PaymentMethodPath,
    ) -> schemas.PaymentMethod:
        return await SavedCards(db_session, tenant, kernel.stripe).set_default(customer_id, payment_method_id)

    @delete(
        "/payment-methods/{payment_method_id:str}",
        operation_id="detach_payment_method",
        summary="Remove a saved card from the customer",
        description="Stripe detaches the card: it can no longer be charged. Answers the card as it was.",
        status_code=200,
        **access(SERVICE, ADMIN, END_USER, errors=("payment_method_not_found", "stripe_error")),
    )
    async def detach(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        kernel: KernelDep,
        customer_id: CustomerPath,
        payment_method_id: PaymentMethodPath,
    ) -> schemas.PaymentMethod:
        return await SavedCards(db_session, tenant, kernel.stripe).detach(customer_id, payment_method_id)
