from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.customer_export import CustomerExport
from ...models.error import Error
from ...models.export_customer_format import ExportCustomerFormat
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    customer_id: str,
    *,
    format_: ExportCustomerFormat | Unset = ExportCustomerFormat.AUTO,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/t/{tenant_slug}/v1/customers/{customer_id}/export".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
            customer_id=quote(str(customer_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CustomerExport | Error | None:
    if response.status_code == 200:
        response_200 = CustomerExport.from_dict(response.json())

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
) -> Response[CustomerExport | Error]:
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
    format_: ExportCustomerFormat | Unset = ExportCustomerFormat.AUTO,
) -> Response[CustomerExport | Error]:
    """Export everything held on a customer (admin)

     Every table's rows of the customer (GDPR articles 15 and 20): profile, Stripe ids, subscriptions,
    grants, ledger entries, holds, orders, payments, refunds, purchases, allowances, notices, Stripe
    events and audit records about them. `format=zip` streams one JSON file per table.

    Callers: admin key.

    Args:
        tenant_slug (str):
        customer_id (str):
        format_ (ExportCustomerFormat | Unset): `json`: one document; `zip`: one JSON file per
            table, streamed; `auto`: `json`, or `zip` when the customer has more than 10000 rows.
            Default: ExportCustomerFormat.AUTO.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerExport | Error]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        format_=format_,
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
    format_: ExportCustomerFormat | Unset = ExportCustomerFormat.AUTO,
) -> CustomerExport | Error | None:
    """Export everything held on a customer (admin)

     Every table's rows of the customer (GDPR articles 15 and 20): profile, Stripe ids, subscriptions,
    grants, ledger entries, holds, orders, payments, refunds, purchases, allowances, notices, Stripe
    events and audit records about them. `format=zip` streams one JSON file per table.

    Callers: admin key.

    Args:
        tenant_slug (str):
        customer_id (str):
        format_ (ExportCustomerFormat | Unset): `json`: one document; `zip`: one JSON file per
            table, streamed; `auto`: `json`, or `zip` when the customer has more than 10000 rows.
            Default: ExportCustomerFormat.AUTO.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerExport | Error
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        client=client,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    format_: ExportCustomerFormat | Unset = ExportCustomerFormat.AUTO,
) -> Response[CustomerExport | Error]:
    """Export everything held on a customer (admin)

     Every table's rows of the customer (GDPR articles 15 and 20): profile, Stripe ids, subscriptions,
    grants, ledger entries, holds, orders, payments, refunds, purchases, allowances, notices, Stripe
    events and audit records about them. `format=zip` streams one JSON file per table.

    Callers: admin key.

    Args:
        tenant_slug (str):
        customer_id (str):
        format_ (ExportCustomerFormat | Unset): `json`: one document; `zip`: one JSON file per
            table, streamed; `auto`: `json`, or `zip` when the customer has more than 10000 rows.
            Default: ExportCustomerFormat.AUTO.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerExport | Error]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    format_: ExportCustomerFormat | Unset = ExportCustomerFormat.AUTO,
) -> CustomerExport | Error | None:
    """Export everything held on a customer (admin)

     Every table's rows of the customer (GDPR articles 15 and 20): profile, Stripe ids, subscriptions,
    grants, ledger entries, holds, orders, payments, refunds, purchases, allowances, notices, Stripe
    events and audit records about them. `format=zip` streams one JSON file per table.

    Callers: admin key.

    Args:
        tenant_slug (str):
        customer_id (str):
        format_ (ExportCustomerFormat | Unset): `json`: one document; `zip`: one JSON file per
            table, streamed; `auto`: `json`, or `zip` when the customer has more than 10000 rows.
            Default: ExportCustomerFormat.AUTO.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerExport | Error
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            customer_id=customer_id,
            client=client,
            format_=format_,
        )
    ).parsed
