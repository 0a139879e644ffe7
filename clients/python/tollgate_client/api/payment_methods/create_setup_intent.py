from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.setup_intent import SetupIntent
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    customer_id: str,
    *,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/t/{tenant_slug}/v1/customers/{customer_id}/setup-intents".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
            customer_id=quote(str(customer_id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | SetupIntent | None:
    if response.status_code == 201:
        response_201 = SetupIntent.from_dict(response.json())

        return response_201

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | SetupIntent]:
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
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Error | SetupIntent]:
    """Start saving a card: a SetupIntent whose client_secret the app's payment form confirms

     The card is saved on the customer for off-session use once Stripe.js confirms the SetupIntent (with
    3-D Secure when the card asks). A saved card can then pay credit purchases and orders
    (`payment_method`) and, as the default, invoices.

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

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SetupIntent]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
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
    idempotency_key: None | str | Unset = UNSET,
) -> Error | SetupIntent | None:
    """Start saving a card: a SetupIntent whose client_secret the app's payment form confirms

     The card is saved on the customer for off-session use once Stripe.js confirms the SetupIntent (with
    3-D Secure when the card asks). A saved card can then pay credit purchases and orders
    (`payment_method`) and, as the default, invoices.

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

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SetupIntent
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        client=client,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Error | SetupIntent]:
    """Start saving a card: a SetupIntent whose client_secret the app's payment form confirms

     The card is saved on the customer for off-session use once Stripe.js confirms the SetupIntent (with
    3-D Secure when the card asks). A saved card can then pay credit purchases and orders
    (`payment_method`) and, as the default, invoices.

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

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SetupIntent]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> Error | SetupIntent | None:
    """Start saving a card: a SetupIntent whose client_secret the app's payment form confirms

     The card is saved on the customer for off-session use once Stripe.js confirms the SetupIntent (with
    3-D Secure when the card asks). A saved card can then pay credit purchases and orders
    (`payment_method`) and, as the default, invoices.

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

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SetupIntent
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            customer_id=customer_id,
            client=client,
            idempotency_key=idempotency_key,
        )
    ).parsed
