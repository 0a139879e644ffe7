import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.get_admin_metrics_currency_type_1 import GetAdminMetricsCurrencyType1
from ...models.get_admin_metrics_currency_type_2_type_1 import GetAdminMetricsCurrencyType2Type1
from ...models.get_admin_metrics_currency_type_3_type_1 import GetAdminMetricsCurrencyType3Type1
from ...models.get_admin_metrics_interval import GetAdminMetricsInterval
from ...models.metrics import Metrics
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    *,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    interval: GetAdminMetricsInterval | Unset = GetAdminMetricsInterval.MONTH,
    currency: GetAdminMetricsCurrencyType1
    | GetAdminMetricsCurrencyType2Type1
    | GetAdminMetricsCurrencyType3Type1
    | None
    | Unset = UNSET,
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

    json_until: None | str | Unset
    if isinstance(until, Unset):
        json_until = UNSET
    elif isinstance(until, datetime.datetime):
        json_until = until.isoformat()
    else:
        json_until = until
    params["until"] = json_until

    json_interval: str | Unset = UNSET
    if not isinstance(interval, Unset):
        json_interval = interval.value

    params["interval"] = json_interval

    json_currency: None | str | Unset
    if isinstance(currency, Unset):
        json_currency = UNSET
    elif isinstance(currency, GetAdminMetricsCurrencyType1):
        json_currency = currency.value
    elif isinstance(currency, GetAdminMetricsCurrencyType2Type1):
        json_currency = currency.value
    elif isinstance(currency, GetAdminMetricsCurrencyType3Type1):
        json_currency = currency.value
    else:
        json_currency = currency
    params["currency"] = json_currency

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/t/{tenant_slug}/v1/admin/metrics".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Metrics | None:
    if response.status_code == 200:
        response_200 = Metrics.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Metrics]:
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
    until: datetime.datetime | None | Unset = UNSET,
    interval: GetAdminMetricsInterval | Unset = GetAdminMetricsInterval.MONTH,
    currency: GetAdminMetricsCurrencyType1
    | GetAdminMetricsCurrencyType2Type1
    | GetAdminMetricsCurrencyType3Type1
    | None
    | Unset = UNSET,
) -> Response[Error | Metrics]:
    """Revenue analytics of this tenant: MRR, revenue, credits, operations per bucket (admin)

     Time series and window totals per currency, without conversion; every figure is defined in
    docs/metrics.md. A window holds at most 400 buckets.

    Callers: admin key.

    Args:
        tenant_slug (str):
        since (datetime.datetime | None | Unset): The window's start, included (RFC 3339); none:
            12 buckets before `until`.
        until (datetime.datetime | None | Unset): The window's end, excluded (RFC 3339); none:
            now.
        interval (GetAdminMetricsInterval | Unset): Bucket size: a UTC day, an ISO week (from
            Monday), a calendar month. Default: GetAdminMetricsInterval.MONTH.
        currency (GetAdminMetricsCurrencyType1 | GetAdminMetricsCurrencyType2Type1 |
            GetAdminMetricsCurrencyType3Type1 | None | Unset): Only this currency's figures (`usd`);
            none: every currency.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Metrics]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        since=since,
        until=until,
        interval=interval,
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
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    interval: GetAdminMetricsInterval | Unset = GetAdminMetricsInterval.MONTH,
    currency: GetAdminMetricsCurrencyType1
    | GetAdminMetricsCurrencyType2Type1
    | GetAdminMetricsCurrencyType3Type1
    | None
    | Unset = UNSET,
) -> Error | Metrics | None:
    """Revenue analytics of this tenant: MRR, revenue, credits, operations per bucket (admin)

     Time series and window totals per currency, without conversion; every figure is defined in
    docs/metrics.md. A window holds at most 400 buckets.

    Callers: admin key.

    Args:
        tenant_slug (str):
        since (datetime.datetime | None | Unset): The window's start, included (RFC 3339); none:
            12 buckets before `until`.
        until (datetime.datetime | None | Unset): The window's end, excluded (RFC 3339); none:
            now.
        interval (GetAdminMetricsInterval | Unset): Bucket size: a UTC day, an ISO week (from
            Monday), a calendar month. Default: GetAdminMetricsInterval.MONTH.
        currency (GetAdminMetricsCurrencyType1 | GetAdminMetricsCurrencyType2Type1 |
            GetAdminMetricsCurrencyType3Type1 | None | Unset): Only this currency's figures (`usd`);
            none: every currency.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Metrics
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        client=client,
        since=since,
        until=until,
        interval=interval,
        currency=currency,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    interval: GetAdminMetricsInterval | Unset = GetAdminMetricsInterval.MONTH,
    currency: GetAdminMetricsCurrencyType1
    | GetAdminMetricsCurrencyType2Type1
    | GetAdminMetricsCurrencyType3Type1
    | None
    | Unset = UNSET,
) -> Response[Error | Metrics]:
    """Revenue analytics of this tenant: MRR, revenue, credits, operations per bucket (admin)

     Time series and window totals per currency, without conversion; every figure is defined in
    docs/metrics.md. A window holds at most 400 buckets.

    Callers: admin key.

    Args:
        tenant_slug (str):
        since (datetime.datetime | None | Unset): The window's start, included (RFC 3339); none:
            12 buckets before `until`.
        until (datetime.datetime | None | Unset): The window's end, excluded (RFC 3339); none:
            now.
        interval (GetAdminMetricsInterval | Unset): Bucket size: a UTC day, an ISO week (from
            Monday), a calendar month. Default: GetAdminMetricsInterval.MONTH.
        currency (GetAdminMetricsCurrencyType1 | GetAdminMetricsCurrencyType2Type1 |
            GetAdminMetricsCurrencyType3Type1 | None | Unset): Only this currency's figures (`usd`);
            none: every currency.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Metrics]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        since=since,
        until=until,
        interval=interval,
        currency=currency,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    interval: GetAdminMetricsInterval | Unset = GetAdminMetricsInterval.MONTH,
    currency: GetAdminMetricsCurrencyType1
    | GetAdminMetricsCurrencyType2Type1
    | GetAdminMetricsCurrencyType3Type1
    | None
    | Unset = UNSET,
) -> Error | Metrics | None:
    """Revenue analytics of this tenant: MRR, revenue, credits, operations per bucket (admin)

     Time series and window totals per currency, without conversion; every figure is defined in
    docs/metrics.md. A window holds at most 400 buckets.

    Callers: admin key.

    Args:
        tenant_slug (str):
        since (datetime.datetime | None | Unset): The window's start, included (RFC 3339); none:
            12 buckets before `until`.
        until (datetime.datetime | None | Unset): The window's end, excluded (RFC 3339); none:
            now.
        interval (GetAdminMetricsInterval | Unset): Bucket size: a UTC day, an ISO week (from
            Monday), a calendar month. Default: GetAdminMetricsInterval.MONTH.
        currency (GetAdminMetricsCurrencyType1 | GetAdminMetricsCurrencyType2Type1 |
            GetAdminMetricsCurrencyType3Type1 | None | Unset): Only this currency's figures (`usd`);
            none: every currency.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Metrics
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            client=client,
            since=since,
            until=until,
            interval=interval,
            currency=currency,
        )
    ).parsed
