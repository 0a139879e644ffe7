from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.catalog_listing import CatalogListing
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    *,
    include_inactive: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["include_inactive"] = include_inactive

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/t/{tenant_slug}/v1/catalog".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CatalogListing | Error | None:
    if response.status_code == 200:
        response_200 = CatalogListing.from_dict(response.json())

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
) -> Response[CatalogListing | Error]:
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
    include_inactive: bool | Unset = False,
) -> Response[CatalogListing | Error]:
    """The synced catalog (answered whole)

     Products and prices as synced from the tenant's Stripe account, with their credit terms and metadata
    problems. End-user tokens may read it (pricing pages).

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        include_inactive (bool | Unset): Also archived and deleted objects. Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CatalogListing | Error]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        include_inactive=include_inactive,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    include_inactive: bool | Unset = False,
) -> CatalogListing | Error | None:
    """The synced catalog (answered whole)

     Products and prices as synced from the tenant's Stripe account, with their credit terms and metadata
    problems. End-user tokens may read it (pricing pages).

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        include_inactive (bool | Unset): Also archived and deleted objects. Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CatalogListing | Error
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        client=client,
        include_inactive=include_inactive,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    include_inactive: bool | Unset = False,
) -> Response[CatalogListing | Error]:
    """The synced catalog (answered whole)

     Products and prices as synced from the tenant's Stripe account, with their credit terms and metadata
    problems. End-user tokens may read it (pricing pages).

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        include_inactive (bool | Unset): Also archived and deleted objects. Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CatalogListing | Error]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        include_inactive=include_inactive,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    include_inactive: bool | Unset = False,
) -> CatalogListing | Error | None:
    """The synced catalog (answered whole)

     Products and prices as synced from the tenant's Stripe account, with their credit terms and metadata
    problems. End-user tokens may read it (pricing pages).

    Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        include_inactive (bool | Unset): Also archived and deleted objects. Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CatalogListing | Error
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            client=client,
            include_inactive=include_inactive,
        )
    ).parsed
