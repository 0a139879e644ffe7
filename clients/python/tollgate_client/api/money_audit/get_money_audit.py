from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.money_audit_run_detail import MoneyAuditRunDetail
from ...types import Response


def _get_kwargs(
    tenant_slug: str,
    run_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/t/{tenant_slug}/v1/admin/money-audits/{run_id}".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
            run_id=quote(str(run_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | MoneyAuditRunDetail | None:
    if response.status_code == 200:
        response_200 = MoneyAuditRunDetail.from_dict(response.json())

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
    run_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | MoneyAuditRunDetail]:
    """Read one money audit with its differences

     Callers: admin key.

    Args:
        tenant_slug (str):
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MoneyAuditRunDetail]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        run_id=run_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant_slug: str,
    run_id: str,
    *,
    client: AuthenticatedClient,
) -> Error | MoneyAuditRunDetail | None:
    """Read one money audit with its differences

     Callers: admin key.

    Args:
        tenant_slug (str):
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MoneyAuditRunDetail
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        run_id=run_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    run_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | MoneyAuditRunDetail]:
    """Read one money audit with its differences

     Callers: admin key.

    Args:
        tenant_slug (str):
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MoneyAuditRunDetail]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        run_id=run_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    run_id: str,
    *,
    client: AuthenticatedClient,
) -> Error | MoneyAuditRunDetail | None:
    """Read one money audit with its differences

     Callers: admin key.

    Args:
        tenant_slug (str):
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MoneyAuditRunDetail
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            run_id=run_id,
            client=client,
        )
    ).parsed
