from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.payment_method import PaymentMethod
from ...types import Response


def _get_kwargs(
    tenant_slug: str,
    customer_id: str,
    payment_method_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/t/{tenant_slug}/v1/customers/{customer_id}/payment-methods/{payment_method_id}".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
            customer_id=quote(str(customer_id), safe=""),
            payment_method_id=quote(str(payment_method_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | PaymentMethod | None:
    if response.status_code == 200:
        response_200 = PaymentMethod.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

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
) -> Response[Error | PaymentMethod]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant_slug: str,
    customer_id: str,
    payment_method_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | PaymentMethod]:
    """Remove a saved card from the customer

     Stripe detaches the card: it can no longer be charged. Answers the card as it was.

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        payment_method_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PaymentMethod]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        payment_method_id=payment_method_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant_slug: str,
    customer_id: str,
    payment_method_id: str,
    *,
    client: AuthenticatedClient,
) -> Error | PaymentMethod | None:
    """Remove a saved card from the customer

     Stripe detaches the card: it can no longer be charged. Answers the card as it was.

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        payment_method_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PaymentMethod
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        payment_method_id=payment_method_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    customer_id: str,
    payment_method_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | PaymentMethod]:
    """Remove a saved card from the customer

     Stripe detaches the card: it can no longer be charged. Answers the card as it was.

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        payment_method_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PaymentMethod]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        payment_method_id=payment_method_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    customer_id: str,
    payment_method_id: str,
    *,
    client: AuthenticatedClient,
) -> Error | PaymentMethod | None:
    """Remove a saved card from the customer

     Stripe detaches the card: it can no longer be charged. Answers the card as it was.

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        payment_method_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PaymentMethod
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            customer_id=customer_id,
            payment_method_id=payment_method_id,
            client=client,
        )
    ).parsed
