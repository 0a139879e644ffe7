import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.stripe_backfill_run import StripeBackfillRun
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    *,
    since: datetime.datetime | None | Unset = UNSET,
    max_pages: int | Unset = 20,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    params["max_pages"] = max_pages

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/t/{tenant_slug}/v1/admin/stripe/backfill".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | StripeBackfillRun | None:
    if response.status_code == 200:
        response_200 = StripeBackfillRun.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | StripeBackfillRun]:
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
    since: datetime.datetime | None | Unset = UNSET,
    max_pages: int | Unset = 20,
) -> Response[Error | StripeBackfillRun]:
    """Read this tenant's Stripe events back now and store what the inbox lacks

     Runs while the request waits, up to `max_pages` pages of Stripe's events (100 each): a run that
    stops there is `partial` and leaves the watermark (the schedule goes on from it). A run that fails
    is answered too, `failed` with its `error`.

    Callers: admin key.

    Args:
        tenant_slug (str):
        since (datetime.datetime | None | Unset): Read the events created from then (RFC 3339)
            instead of from the watermark; Stripe keeps 30 days.
        max_pages (int | Unset): Pages of Stripe's events to read at most. Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | StripeBackfillRun]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        since=since,
        max_pages=max_pages,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    max_pages: int | Unset = 20,
) -> Error | StripeBackfillRun | None:
    """Read this tenant's Stripe events back now and store what the inbox lacks

     Runs while the request waits, up to `max_pages` pages of Stripe's events (100 each): a run that
    stops there is `partial` and leaves the watermark (the schedule goes on from it). A run that fails
    is answered too, `failed` with its `error`.

    Callers: admin key.

    Args:
        tenant_slug (str):
        since (datetime.datetime | None | Unset): Read the events created from then (RFC 3339)
            instead of from the watermark; Stripe keeps 30 days.
        max_pages (int | Unset): Pages of Stripe's events to read at most. Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | StripeBackfillRun
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        client=client,
        since=since,
        max_pages=max_pages,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    max_pages: int | Unset = 20,
) -> Response[Error | StripeBackfillRun]:
    """Read this tenant's Stripe events back now and store what the inbox lacks

     Runs while the request waits, up to `max_pages` pages of Stripe's events (100 each): a run that
    stops there is `partial` and leaves the watermark (the schedule goes on from it). A run that fails
    is answered too, `failed` with its `error`.

    Callers: admin key.

    Args:
        tenant_slug (str):
        since (datetime.datetime | None | Unset): Read the events created from then (RFC 3339)
            instead of from the watermark; Stripe keeps 30 days.
        max_pages (int | Unset): Pages of Stripe's events to read at most. Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | StripeBackfillRun]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        since=since,
        max_pages=max_pages,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    max_pages: int | Unset = 20,
) -> Error | StripeBackfillRun | None:
    """Read this tenant's Stripe events back now and store what the inbox lacks

     Runs while the request waits, up to `max_pages` pages of Stripe's events (100 each): a run that
    stops there is `partial` and leaves the watermark (the schedule goes on from it). A run that fails
    is answered too, `failed` with its `error`.

    Callers: admin key.

    Args:
        tenant_slug (str):
        since (datetime.datetime | None | Unset): Read the events created from then (RFC 3339)
            instead of from the watermark; Stripe keeps 30 days.
        max_pages (int | Unset): Pages of Stripe's events to read at most. Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | StripeBackfillRun
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            client=client,
            since=since,
            max_pages=max_pages,
        )
    ).parsed
