from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.list_webhook_events_source_type_1 import ListWebhookEventsSourceType1
from ...models.list_webhook_events_source_type_2_type_1 import ListWebhookEventsSourceType2Type1
from ...models.list_webhook_events_source_type_3_type_1 import ListWebhookEventsSourceType3Type1
from ...models.list_webhook_events_status_type_1 import ListWebhookEventsStatusType1
from ...models.list_webhook_events_status_type_2_type_1 import ListWebhookEventsStatusType2Type1
from ...models.list_webhook_events_status_type_3_type_1 import ListWebhookEventsStatusType3Type1
from ...models.page_webhook_event import PageWebhookEvent
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    *,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    status: ListWebhookEventsStatusType1
    | ListWebhookEventsStatusType2Type1
    | ListWebhookEventsStatusType3Type1
    | None
    | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    source: ListWebhookEventsSourceType1
    | ListWebhookEventsSourceType2Type1
    | ListWebhookEventsSourceType3Type1
    | None
    | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, ListWebhookEventsStatusType1):
        json_status = status.value
    elif isinstance(status, ListWebhookEventsStatusType2Type1):
        json_status = status.value
    elif isinstance(status, ListWebhookEventsStatusType3Type1):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_type_: None | str | Unset
    if isinstance(type_, Unset):
        json_type_ = UNSET
    else:
        json_type_ = type_
    params["type"] = json_type_

    json_source: None | str | Unset
    if isinstance(source, Unset):
        json_source = UNSET
    elif isinstance(source, ListWebhookEventsSourceType1):
        json_source = source.value
    elif isinstance(source, ListWebhookEventsSourceType2Type1):
        json_source = source.value
    elif isinstance(source, ListWebhookEventsSourceType3Type1):
        json_source = source.value
    else:
        json_source = source
    params["source"] = json_source

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/t/{tenant_slug}/v1/admin/webhook-events".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | PageWebhookEvent | None:
    if response.status_code == 200:
        response_200 = PageWebhookEvent.from_dict(response.json())

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
) -> Response[Error | PageWebhookEvent]:
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
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    status: ListWebhookEventsStatusType1
    | ListWebhookEventsStatusType2Type1
    | ListWebhookEventsStatusType3Type1
    | None
    | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    source: ListWebhookEventsSourceType1
    | ListWebhookEventsSourceType2Type1
    | ListWebhookEventsSourceType3Type1
    | None
    | Unset = UNSET,
) -> Response[Error | PageWebhookEvent]:
    """List this tenant's Stripe events, newest first

     Callers: admin key.

    Args:
        tenant_slug (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.
        status (ListWebhookEventsStatusType1 | ListWebhookEventsStatusType2Type1 |
            ListWebhookEventsStatusType3Type1 | None | Unset): Only the events in this status; none:
            every event.
        type_ (None | str | Unset): Only the events of this Stripe type (`invoice.paid`).
        source (ListWebhookEventsSourceType1 | ListWebhookEventsSourceType2Type1 |
            ListWebhookEventsSourceType3Type1 | None | Unset): Only the events that came this way:
            `delivery` (posted by Stripe) or `backfill`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageWebhookEvent]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        limit=limit,
        cursor=cursor,
        status=status,
        type_=type_,
        source=source,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    status: ListWebhookEventsStatusType1
    | ListWebhookEventsStatusType2Type1
    | ListWebhookEventsStatusType3Type1
    | None
    | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    source: ListWebhookEventsSourceType1
    | ListWebhookEventsSourceType2Type1
    | ListWebhookEventsSourceType3Type1
    | None
    | Unset = UNSET,
) -> Error | PageWebhookEvent | None:
    """List this tenant's Stripe events, newest first

     Callers: admin key.

    Args:
        tenant_slug (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.
        status (ListWebhookEventsStatusType1 | ListWebhookEventsStatusType2Type1 |
            ListWebhookEventsStatusType3Type1 | None | Unset): Only the events in this status; none:
            every event.
        type_ (None | str | Unset): Only the events of this Stripe type (`invoice.paid`).
        source (ListWebhookEventsSourceType1 | ListWebhookEventsSourceType2Type1 |
            ListWebhookEventsSourceType3Type1 | None | Unset): Only the events that came this way:
            `delivery` (posted by Stripe) or `backfill`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageWebhookEvent
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        client=client,
        limit=limit,
        cursor=cursor,
        status=status,
        type_=type_,
        source=source,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    status: ListWebhookEventsStatusType1
    | ListWebhookEventsStatusType2Type1
    | ListWebhookEventsStatusType3Type1
    | None
    | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    source: ListWebhookEventsSourceType1
    | ListWebhookEventsSourceType2Type1
    | ListWebhookEventsSourceType3Type1
    | None
    | Unset = UNSET,
) -> Response[Error | PageWebhookEvent]:
    """List this tenant's Stripe events, newest first

     Callers: admin key.

    Args:
        tenant_slug (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.
        status (ListWebhookEventsStatusType1 | ListWebhookEventsStatusType2Type1 |
            ListWebhookEventsStatusType3Type1 | None | Unset): Only the events in this status; none:
            every event.
        type_ (None | str | Unset): Only the events of this Stripe type (`invoice.paid`).
        source (ListWebhookEventsSourceType1 | ListWebhookEventsSourceType2Type1 |
            ListWebhookEventsSourceType3Type1 | None | Unset): Only the events that came this way:
            `delivery` (posted by Stripe) or `backfill`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageWebhookEvent]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        limit=limit,
        cursor=cursor,
        status=status,
        type_=type_,
        source=source,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    status: ListWebhookEventsStatusType1
    | ListWebhookEventsStatusType2Type1
    | ListWebhookEventsStatusType3Type1
    | None
    | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    source: ListWebhookEventsSourceType1
    | ListWebhookEventsSourceType2Type1
    | ListWebhookEventsSourceType3Type1
    | None
    | Unset = UNSET,
) -> Error | PageWebhookEvent | None:
    """List this tenant's Stripe events, newest first

     Callers: admin key.

    Args:
        tenant_slug (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.
        status (ListWebhookEventsStatusType1 | ListWebhookEventsStatusType2Type1 |
            ListWebhookEventsStatusType3Type1 | None | Unset): Only the events in this status; none:
            every event.
        type_ (None | str | Unset): Only the events of this Stripe type (`invoice.paid`).
        source (ListWebhookEventsSourceType1 | ListWebhookEventsSourceType2Type1 |
            ListWebhookEventsSourceType3Type1 | None | Unset): Only the events that came this way:
            `delivery` (posted by Stripe) or `backfill`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageWebhookEvent
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            client=client,
            limit=limit,
            cursor=cursor,
            status=status,
            type_=type_,
            source=source,
        )
    ).parsed
