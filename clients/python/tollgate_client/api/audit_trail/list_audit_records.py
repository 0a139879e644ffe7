import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.page_audit_record import PageAuditRecord
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    *,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    principal: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_action: None | str | Unset
    if isinstance(action, Unset):
        json_action = UNSET
    else:
        json_action = action
    params["action"] = json_action

    json_principal: None | str | Unset
    if isinstance(principal, Unset):
        json_principal = UNSET
    else:
        json_principal = principal
    params["principal"] = json_principal

    json_target: None | str | Unset
    if isinstance(target, Unset):
        json_target = UNSET
    else:
        json_target = target
    params["target"] = json_target

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

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/t/{tenant_slug}/v1/admin/audit".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | PageAuditRecord | None:
    if response.status_code == 200:
        response_200 = PageAuditRecord.from_dict(response.json())

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
) -> Response[Error | PageAuditRecord]:
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
    action: None | str | Unset = UNSET,
    principal: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
) -> Response[Error | PageAuditRecord]:
    """List this tenant's audit records, newest first

     Every state-changing call by an operator or the tenant's backend (spends excepted), with who made
    it, from where, and what changed. `since` is inclusive, `until` exclusive.

    Callers: admin key.

    Args:
        tenant_slug (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.
        action (None | str | Unset): Only this action (`ledger.grant`, `customer.update`, ...).
        principal (None | str | Unset): Only this principal (an API key's name, `jwt:<customer>`,
            ...).
        target (None | str | Unset): Only this target (`customer:<id>`, ...).
        since (datetime.datetime | None | Unset): From this time (inclusive).
        until (datetime.datetime | None | Unset): Before this time (exclusive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageAuditRecord]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        limit=limit,
        cursor=cursor,
        action=action,
        principal=principal,
        target=target,
        since=since,
        until=until,
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
    action: None | str | Unset = UNSET,
    principal: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
) -> Error | PageAuditRecord | None:
    """List this tenant's audit records, newest first

     Every state-changing call by an operator or the tenant's backend (spends excepted), with who made
    it, from where, and what changed. `since` is inclusive, `until` exclusive.

    Callers: admin key.

    Args:
        tenant_slug (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.
        action (None | str | Unset): Only this action (`ledger.grant`, `customer.update`, ...).
        principal (None | str | Unset): Only this principal (an API key's name, `jwt:<customer>`,
            ...).
        target (None | str | Unset): Only this target (`customer:<id>`, ...).
        since (datetime.datetime | None | Unset): From this time (inclusive).
        until (datetime.datetime | None | Unset): Before this time (exclusive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageAuditRecord
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        client=client,
        limit=limit,
        cursor=cursor,
        action=action,
        principal=principal,
        target=target,
        since=since,
        until=until,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    principal: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
) -> Response[Error | PageAuditRecord]:
    """List this tenant's audit records, newest first

     Every state-changing call by an operator or the tenant's backend (spends excepted), with who made
    it, from where, and what changed. `since` is inclusive, `until` exclusive.

    Callers: admin key.

    Args:
        tenant_slug (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.
        action (None | str | Unset): Only this action (`ledger.grant`, `customer.update`, ...).
        principal (None | str | Unset): Only this principal (an API key's name, `jwt:<customer>`,
            ...).
        target (None | str | Unset): Only this target (`customer:<id>`, ...).
        since (datetime.datetime | None | Unset): From this time (inclusive).
        until (datetime.datetime | None | Unset): Before this time (exclusive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageAuditRecord]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        limit=limit,
        cursor=cursor,
        action=action,
        principal=principal,
        target=target,
        since=since,
        until=until,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    principal: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
) -> Error | PageAuditRecord | None:
    """List this tenant's audit records, newest first

     Every state-changing call by an operator or the tenant's backend (spends excepted), with who made
    it, from where, and what changed. `since` is inclusive, `until` exclusive.

    Callers: admin key.

    Args:
        tenant_slug (str):
        limit (int | Unset): Items per page, 1 to 200. Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page, unchanged; none for the
            first page.
        action (None | str | Unset): Only this action (`ledger.grant`, `customer.update`, ...).
        principal (None | str | Unset): Only this principal (an API key's name, `jwt:<customer>`,
            ...).
        target (None | str | Unset): Only this target (`customer:<id>`, ...).
        since (datetime.datetime | None | Unset): From this time (inclusive).
        until (datetime.datetime | None | Unset): Before this time (exclusive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageAuditRecord
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            client=client,
            limit=limit,
            cursor=cursor,
            action=action,
            principal=principal,
            target=target,
            since=since,
            until=until,
        )
    ).parsed
