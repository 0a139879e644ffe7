from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.order import Order
from ...models.order_create import OrderCreate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    customer_id: str,
    *,
    body: OrderCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/t/{tenant_slug}/v1/customers/{customer_id}/orders".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
            customer_id=quote(str(customer_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Order | None:
    if response.status_code == 201:
        response_201 = Order.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = Error.from_dict(response.json())

        return response_402

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Order]:
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
    body: OrderCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Error | Order]:
    """Order a package: a pending payment order and its Checkout `payment_url`

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        idempotency_key (None | str | Unset): Makes the request safe to retry: 1-255 printable
            ASCII characters without spaces, chosen by the caller (a UUID, or the id of the job that
            pays). Keys are the tenant's, per operation, and bound to the request: its path, query and
            body. The first answer is kept with its status and given again, byte for byte, to every
            repeat of the same request, which does nothing more; the same key with another request is
            409 `idempotency_key_reused`. A repeat sent while the first is still running waits for its
            answer. A refused request (any 4xx or 5xx) keeps nothing: the key stays unused and a retry
            runs afresh. Keys are kept as long as what they made: never reuse one for another request.
        body (OrderCreate): An order of one pack, paid in Stripe Checkout; the credits are granted
            when the payment succeeds.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Order]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        body=body,
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
    body: OrderCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Error | Order | None:
    """Order a package: a pending payment order and its Checkout `payment_url`

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        idempotency_key (None | str | Unset): Makes the request safe to retry: 1-255 printable
            ASCII characters without spaces, chosen by the caller (a UUID, or the id of the job that
            pays). Keys are the tenant's, per operation, and bound to the request: its path, query and
            body. The first answer is kept with its status and given again, byte for byte, to every
            repeat of the same request, which does nothing more; the same key with another request is
            409 `idempotency_key_reused`. A repeat sent while the first is still running waits for its
            answer. A refused request (any 4xx or 5xx) keeps nothing: the key stays unused and a retry
            runs afresh. Keys are kept as long as what they made: never reuse one for another request.
        body (OrderCreate): An order of one pack, paid in Stripe Checkout; the credits are granted
            when the payment succeeds.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Order
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    body: OrderCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Error | Order]:
    """Order a package: a pending payment order and its Checkout `payment_url`

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        idempotency_key (None | str | Unset): Makes the request safe to retry: 1-255 printable
            ASCII characters without spaces, chosen by the caller (a UUID, or the id of the job that
            pays). Keys are the tenant's, per operation, and bound to the request: its path, query and
            body. The first answer is kept with its status and given again, byte for byte, to every
            repeat of the same request, which does nothing more; the same key with another request is
            409 `idempotency_key_reused`. A repeat sent while the first is still running waits for its
            answer. A refused request (any 4xx or 5xx) keeps nothing: the key stays unused and a retry
            runs afresh. Keys are kept as long as what they made: never reuse one for another request.
        body (OrderCreate): An order of one pack, paid in Stripe Checkout; the credits are granted
            when the payment succeeds.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Order]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    body: OrderCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Error | Order | None:
    """Order a package: a pending payment order and its Checkout `payment_url`

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        idempotency_key (None | str | Unset): Makes the request safe to retry: 1-255 printable
            ASCII characters without spaces, chosen by the caller (a UUID, or the id of the job that
            pays). Keys are the tenant's, per operation, and bound to the request: its path, query and
            body. The first answer is kept with its status and given again, byte for byte, to every
            repeat of the same request, which does nothing more; the same key with another request is
            409 `idempotency_key_reused`. A repeat sent while the first is still running waits for its
            answer. A refused request (any 4xx or 5xx) keeps nothing: the key stays unused and a retry
            runs afresh. Keys are kept as long as what they made: never reuse one for another request.
        body (OrderCreate): An order of one pack, paid in Stripe Checkout; the credits are granted
            when the payment succeeds.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Order
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            customer_id=customer_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
