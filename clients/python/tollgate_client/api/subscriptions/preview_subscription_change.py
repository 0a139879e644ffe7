from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.preview_subscription_change_interval_type_1 import PreviewSubscriptionChangeIntervalType1
from ...models.preview_subscription_change_interval_type_2_type_1 import PreviewSubscriptionChangeIntervalType2Type1
from ...models.preview_subscription_change_interval_type_3_type_1 import PreviewSubscriptionChangeIntervalType3Type1
from ...models.subscription_preview import SubscriptionPreview
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    customer_id: str,
    *,
    tier: str,
    interval: None
    | PreviewSubscriptionChangeIntervalType1
    | PreviewSubscriptionChangeIntervalType2Type1
    | PreviewSubscriptionChangeIntervalType3Type1
    | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["tier"] = tier

    json_interval: None | str | Unset
    if isinstance(interval, Unset):
        json_interval = UNSET
    elif isinstance(interval, PreviewSubscriptionChangeIntervalType1):
        json_interval = interval.value
    elif isinstance(interval, PreviewSubscriptionChangeIntervalType2Type1):
        json_interval = interval.value
    elif isinstance(interval, PreviewSubscriptionChangeIntervalType3Type1):
        json_interval = interval.value
    else:
        json_interval = interval
    params["interval"] = json_interval

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/t/{tenant_slug}/v1/customers/{customer_id}/subscription/preview".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
            customer_id=quote(str(customer_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | SubscriptionPreview | None:
    if response.status_code == 200:
        response_200 = SubscriptionPreview.from_dict(response.json())

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
) -> Response[Error | SubscriptionPreview]:
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
    tier: str,
    interval: None
    | PreviewSubscriptionChangeIntervalType1
    | PreviewSubscriptionChangeIntervalType2Type1
    | PreviewSubscriptionChangeIntervalType3Type1
    | Unset = UNSET,
) -> Response[Error | SubscriptionPreview]:
    """What a change of tier or interval would cost now and grant, without making it

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        tier (str): The tier to move to (the current one: change the interval only).
        interval (None | PreviewSubscriptionChangeIntervalType1 |
            PreviewSubscriptionChangeIntervalType2Type1 | PreviewSubscriptionChangeIntervalType3Type1
            | Unset): The billing period to move to; absent: the same one.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SubscriptionPreview]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        tier=tier,
        interval=interval,
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
    tier: str,
    interval: None
    | PreviewSubscriptionChangeIntervalType1
    | PreviewSubscriptionChangeIntervalType2Type1
    | PreviewSubscriptionChangeIntervalType3Type1
    | Unset = UNSET,
) -> Error | SubscriptionPreview | None:
    """What a change of tier or interval would cost now and grant, without making it

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        tier (str): The tier to move to (the current one: change the interval only).
        interval (None | PreviewSubscriptionChangeIntervalType1 |
            PreviewSubscriptionChangeIntervalType2Type1 | PreviewSubscriptionChangeIntervalType3Type1
            | Unset): The billing period to move to; absent: the same one.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SubscriptionPreview
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        client=client,
        tier=tier,
        interval=interval,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    tier: str,
    interval: None
    | PreviewSubscriptionChangeIntervalType1
    | PreviewSubscriptionChangeIntervalType2Type1
    | PreviewSubscriptionChangeIntervalType3Type1
    | Unset = UNSET,
) -> Response[Error | SubscriptionPreview]:
    """What a change of tier or interval would cost now and grant, without making it

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        tier (str): The tier to move to (the current one: change the interval only).
        interval (None | PreviewSubscriptionChangeIntervalType1 |
            PreviewSubscriptionChangeIntervalType2Type1 | PreviewSubscriptionChangeIntervalType3Type1
            | Unset): The billing period to move to; absent: the same one.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SubscriptionPreview]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        customer_id=customer_id,
        tier=tier,
        interval=interval,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    customer_id: str,
    *,
    client: AuthenticatedClient,
    tier: str,
    interval: None
    | PreviewSubscriptionChangeIntervalType1
    | PreviewSubscriptionChangeIntervalType2Type1
    | PreviewSubscriptionChangeIntervalType3Type1
    | Unset = UNSET,
) -> Error | SubscriptionPreview | None:
    """What a change of tier or interval would cost now and grant, without making it

     Callers: service key, admin key, end-user token (own customer only).

    Args:
        tenant_slug (str):
        customer_id (str):
        tier (str): The tier to move to (the current one: change the interval only).
        interval (None | PreviewSubscriptionChangeIntervalType1 |
            PreviewSubscriptionChangeIntervalType2Type1 | PreviewSubscriptionChangeIntervalType3Type1
            | Unset): The billing period to move to; absent: the same one.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SubscriptionPreview
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            customer_id=customer_id,
            client=client,
            tier=tier,
            interval=interval,
        )
    ).parsed
