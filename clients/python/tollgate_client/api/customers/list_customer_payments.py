from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.page_customer_payment import PageCustomerPayment
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    customer_id: str,
    *,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/t/{tenant_slug}/v1/customers/{customer_id}/payments".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
            customer_id=quote(str(customer_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | PageCustomerPayment | None:
    if response.status_code == 200:
        response_200 = PageCustomerPayment.from_dict(response.json())

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

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Error.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | PageCustomerPayment]:
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
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Error | PageCustomerPayment]:
    """Everything the customer paid or got back through Tollgate, newest first

     Subscription invoices paid, token package orders, credit purchases, and their refunds and disputes,
    from Tollgate's own records (kept by Stripe's events and the reconciles; no call to Stripe).

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageCustomerPayment]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        limit=limit,
        cursor=cursor,
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
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Error | PageCustomerPayment | None:
    """Everything the customer paid or got back through Tollgate, newest first

     Subscription invoices paid, token package orders, credit purchases, and their refunds and disputes,
    from Tollgate's own records (kept by Stripe's events and the reconciles; no call to Stripe).

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageCustomerPayment
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        client=client,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Error | PageCustomerPayment]:
    """Everything the customer paid or got back through Tollgate, newest first

     Subscription invoices paid, token package orders, credit purchases, and their refunds and disputes,
    from Tollgate's own records (kept by Stripe's events and the reconciles; no call to Stripe).

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageCustomerPayment]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Error | PageCustomerPayment | None:
    """Everything the customer paid or got back through Tollgate, newest first

     Subscription invoices paid, token package orders, credit purchases, and their refunds and disputes,
    from Tollgate's own records (kept by Stripe's events and the reconciles; no call to Stripe).

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageCustomerPayment
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            customer_id=customer_id,
            client=client,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
