from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.list_packages_currency_type_1 import ListPackagesCurrencyType1
from ...models.list_packages_currency_type_2_type_1 import ListPackagesCurrencyType2Type1
from ...models.list_packages_currency_type_3_type_1 import ListPackagesCurrencyType3Type1
from ...models.package_list import PackageList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    *,
    currency: ListPackagesCurrencyType1
    | ListPackagesCurrencyType2Type1
    | ListPackagesCurrencyType3Type1
    | None
    | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_currency: None | str | Unset
    if isinstance(currency, Unset):
        json_currency = UNSET
    elif isinstance(currency, ListPackagesCurrencyType1):
        json_currency = currency.value
    elif isinstance(currency, ListPackagesCurrencyType2Type1):
        json_currency = currency.value
    elif isinstance(currency, ListPackagesCurrencyType3Type1):
        json_currency = currency.value
    else:
        json_currency = currency
    params["currency"] = json_currency

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/t/{tenant_slug}/v1/packages".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | PackageList | None:
    if response.status_code == 200:
        response_200 = PackageList.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | PackageList]:
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
    currency: ListPackagesCurrencyType1
    | ListPackagesCurrencyType2Type1
    | ListPackagesCurrencyType3Type1
    | None
    | Unset = UNSET,
) -> Response[Error | PackageList]:
    """The credit packages on sale, with their prices per currency (answered whole)

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        currency (ListPackagesCurrencyType1 | ListPackagesCurrencyType2Type1 |
            ListPackagesCurrencyType3Type1 | None | Unset): Only the packs sold in this currency
            (`cny`); none: every pack.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PackageList]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        currency=currency,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    currency: ListPackagesCurrencyType1
    | ListPackagesCurrencyType2Type1
    | ListPackagesCurrencyType3Type1
    | None
    | Unset = UNSET,
) -> Error | PackageList | None:
    """The credit packages on sale, with their prices per currency (answered whole)

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        currency (ListPackagesCurrencyType1 | ListPackagesCurrencyType2Type1 |
            ListPackagesCurrencyType3Type1 | None | Unset): Only the packs sold in this currency
            (`cny`); none: every pack.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PackageList
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        client=client,
        currency=currency,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    currency: ListPackagesCurrencyType1
    | ListPackagesCurrencyType2Type1
    | ListPackagesCurrencyType3Type1
    | None
    | Unset = UNSET,
) -> Response[Error | PackageList]:
    """The credit packages on sale, with their prices per currency (answered whole)

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        currency (ListPackagesCurrencyType1 | ListPackagesCurrencyType2Type1 |
            ListPackagesCurrencyType3Type1 | None | Unset): Only the packs sold in this currency
            (`cny`); none: every pack.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PackageList]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        currency=currency,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    currency: ListPackagesCurrencyType1
    | ListPackagesCurrencyType2Type1
    | ListPackagesCurrencyType3Type1
    | None
    | Unset = UNSET,
) -> Error | PackageList | None:
    """The credit packages on sale, with their prices per currency (answered whole)

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        currency (ListPackagesCurrencyType1 | ListPackagesCurrencyType2Type1 |
            ListPackagesCurrencyType3Type1 | None | Unset): Only the packs sold in this currency
            (`cny`); none: every pack.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PackageList
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            client=client,
            currency=currency,
        )
    ).parsed
