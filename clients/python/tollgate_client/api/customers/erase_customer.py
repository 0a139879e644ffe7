from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.customer_erasure import CustomerErasure
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    customer_id: str,
    *,
    cancel: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    params["cancel"] = cancel

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/t/{tenant_slug}/v1/customers/{customer_id}".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
            customer_id=quote(str(customer_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CustomerErasure | Error | None:
    if response.status_code == 200:
        response_200 = CustomerErasure.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Error.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        response_502 = Error.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CustomerErasure | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    cancel: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[CustomerErasure | Error]:
    """Erase a customer's personal data (admin)

     GDPR article 17. The app's id is replaced by a pseudonym in every table; email, name, metadata and
    free text are removed; stored Stripe events and notices about the customer are scrubbed; the Stripe
    customer is deleted on the tenant's account. Ledger amounts, orders, refunds and payments stay,
    pseudonymous, so every balance and figure still holds. A repeat answers the same; the id can then be
    registered again as a new customer.

    Callers: admin key.

    Args:
        tenant_slug (str):
        customer_id (str):
        cancel (bool | Unset): true: end what still runs for the customer first (an active
            subscription is canceled now); false: answer 409 `subscription_active` while one runs.
            Default: False.
        idempotency_key (None | str | Unset): Makes the request safe to retry: 1-255 printable
            ASCII characters without spaces, chosen by the caller (a UUID, or the id of the job that
            pays). Keys are the tenant's, per operation, and bound to the request: its path, query and
            body. The first answer is kept with its status and given again, byte for byte, to every
            repeat of the same request, which does nothing more; the same key with another request is
            409 `idempotency_key_reused`. A repeat sent while the first is still running waits for its
            answer. A refused request (any 4xx or 5xx) keeps nothing: the key stays unused and a retry
            runs afresh. Keys are kept as long as what they made: never reuse one for another request.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerErasure | Error]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        cancel=cancel,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    cancel: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,
) -> CustomerErasure | Error | None:
    """Erase a customer's personal data (admin)

     GDPR article 17. The app's id is replaced by a pseudonym in every table; email, name, metadata and
    free text are removed; stored Stripe events and notices about the customer are scrubbed; the Stripe
    customer is deleted on the tenant's account. Ledger amounts, orders, refunds and payments stay,
    pseudonymous, so every balance and figure still holds. A repeat answers the same; the id can then be
    registered again as a new customer.

    Callers: admin key.

    Args:
        tenant_slug (str):
        customer_id (str):
        cancel (bool | Unset): true: end what still runs for the customer first (an active
            subscription is canceled now); false: answer 409 `subscription_active` while one runs.
            Default: False.
        idempotency_key (None | str | Unset): Makes the request safe to retry: 1-255 printable
            ASCII characters without spaces, chosen by the caller (a UUID, or the id of the job that
            pays). Keys are the tenant's, per operation, and bound to the request: its path, query and
            body. The first answer is kept with its status and given again, byte for byte, to every
            repeat of the same request, which does nothing more; the same key with another request is
            409 `idempotency_key_reused`. A repeat sent while the first is still running waits for its
            answer. A refused request (any 4xx or 5xx) keeps nothing: the key stays unused and a retry
            runs afresh. Keys are kept as long as what they made: never reuse one for another request.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerErasure | Error
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        client=client,
        cancel=cancel,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    cancel: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[CustomerErasure | Error]:
    """Erase a customer's personal data (admin)

     GDPR article 17. The app's id is replaced by a pseudonym in every table; email, name, metadata and
    free text are removed; stored Stripe events and notices about the customer are scrubbed; the Stripe
    customer is deleted on the tenant's account. Ledger amounts, orders, refunds and payments stay,
    pseudonymous, so every balance and figure still holds. A repeat answers the same; the id can then be
    registered again as a new customer.

    Callers: admin key.

    Args:
        tenant_slug (str):
        customer_id (str):
        cancel (bool | Unset): true: end what still runs for the customer first (an active
            subscription is canceled now); false: answer 409 `subscription_active` while one runs.
            Default: False.
        idempotency_key (None | str | Unset): Makes the request safe to retry: 1-255 printable
            ASCII characters without spaces, chosen by the caller (a UUID, or the id of the job that
            pays). Keys are the tenant's, per operation, and bound to the request: its path, query and
            body. The first answer is kept with its status and given again, byte for byte, to every
            repeat of the same request, which does nothing more; the same key with another request is
            409 `idempotency_key_reused`. A repeat sent while the first is still running waits for its
            answer. A refused request (any 4xx or 5xx) keeps nothing: the key stays unused and a retry
            runs afresh. Keys are kept as long as what they made: never reuse one for another request.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerErasure | Error]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        cancel=cancel,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    cancel: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,
) -> CustomerErasure | Error | None:
    """Erase a customer's personal data (admin)

     GDPR article 17. The app's id is replaced by a pseudonym in every table; email, name, metadata and
    free text are removed; stored Stripe events and notices about the customer are scrubbed; the Stripe
    customer is deleted on the tenant's account. Ledger amounts, orders, refunds and payments stay,
    pseudonymous, so every balance and figure still holds. A repeat answers the same; the id can then be
    registered again as a new customer.

    Callers: admin key.

    Args:
        tenant_slug (str):
        customer_id (str):
        cancel (bool | Unset): true: end what still runs for the customer first (an active
            subscription is canceled now); false: answer 409 `subscription_active` while one runs.
            Default: False.
        idempotency_key (None | str | Unset): Makes the request safe to retry: 1-255 printable
            ASCII characters without spaces, chosen by the caller (a UUID, or the id of the job that
            pays). Keys are the tenant's, per operation, and bound to the request: its path, query and
            body. The first answer is kept with its status and given again, byte for byte, to every
            repeat of the same request, which does nothing more; the same key with another request is
            409 `idempotency_key_reused`. A repeat sent while the first is still running waits for its
            answer. A refused request (any 4xx or 5xx) keeps nothing: the key stays unused and a retry
            runs afresh. Keys are kept as long as what they made: never reuse one for another request.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerErasure | Error
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            customer_id=customer_id,
            client=client,
            cancel=cancel,
            idempotency_key=idempotency_key,
        )
    ).parsed
