from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.money_audit_create import MoneyAuditCreate
from ...models.money_audit_run_detail import MoneyAuditRunDetail
from ...types import Response


def _get_kwargs(
    tenant_slug: str,
    *,
    body: MoneyAuditCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/t/{tenant_slug}/v1/admin/money-audits".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | MoneyAuditRunDetail | None:
    if response.status_code == 201:
        response_201 = MoneyAuditRunDetail.from_dict(response.json())

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | MoneyAuditRunDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    body: MoneyAuditCreate,
) -> Response[Error | MoneyAuditRunDetail]:
    """Audit a period of this tenant's money against Stripe now

     Reads the period's paid invoices, PaymentIntents, Checkout Sessions, refunds and disputes from the
    tenant's Stripe account and matches them to grants and clawbacks. With `repair`, a difference that a
    missing Stripe event explains is repaired by storing that event through the inbox; nothing else is.

    Callers: admin key.

    Args:
        tenant_slug (str):
        body (MoneyAuditCreate): Run an audit now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MoneyAuditRunDetail]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    body: MoneyAuditCreate,
) -> Error | MoneyAuditRunDetail | None:
    """Audit a period of this tenant's money against Stripe now

     Reads the period's paid invoices, PaymentIntents, Checkout Sessions, refunds and disputes from the
    tenant's Stripe account and matches them to grants and clawbacks. With `repair`, a difference that a
    missing Stripe event explains is repaired by storing that event through the inbox; nothing else is.

    Callers: admin key.

    Args:
        tenant_slug (str):
        body (MoneyAuditCreate): Run an audit now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MoneyAuditRunDetail
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    body: MoneyAuditCreate,
) -> Response[Error | MoneyAuditRunDetail]:
    """Audit a period of this tenant's money against Stripe now

     Reads the period's paid invoices, PaymentIntents, Checkout Sessions, refunds and disputes from the
    tenant's Stripe account and matches them to grants and clawbacks. With `repair`, a difference that a
    missing Stripe event explains is repaired by storing that event through the inbox; nothing else is.

    Callers: admin key.

    Args:
        tenant_slug (str):
        body (MoneyAuditCreate): Run an audit now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MoneyAuditRunDetail]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    body: MoneyAuditCreate,
) -> Error | MoneyAuditRunDetail | None:
    """Audit a period of this tenant's money against Stripe now

     Reads the period's paid invoices, PaymentIntents, Checkout Sessions, refunds and disputes from the
    tenant's Stripe account and matches them to grants and clawbacks. With `repair`, a difference that a
    missing Stripe event explains is repaired by storing that event through the inbox; nothing else is.

    Callers: admin key.

    Args:
        tenant_slug (str):
        body (MoneyAuditCreate): Run an audit now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MoneyAuditRunDetail
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            client=client,
            body=body,
        )
    ).parsed
