from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.receipt import Receipt
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant_slug: str,
    *,
    stripe_signature: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(stripe_signature, Unset):
        headers["stripe-signature"] = stripe_signature

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/t/{tenant_slug}/webhooks/stripe".format(
            tenant_slug=quote(str(tenant_slug), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Receipt | None:
    if response.status_code == 200:
        response_200 = Receipt.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Receipt]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant_slug: str,
    *,
    client: AuthenticatedClient | Client,
    stripe_signature: None | str | Unset = UNSET,
) -> Response[Error | Receipt]:
    """Receive a Stripe event for this tenant

     Verified with the tenant's webhook secrets, stored once, processed by a worker after the answer.

    Args:
        tenant_slug (str):
        stripe_signature (None | str | Unset): Stripe's signature of the body (`t=...,v1=...`)
            with one of the tenant's webhook secrets.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Receipt]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        stripe_signature=stripe_signature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant_slug: str,
    *,
    client: AuthenticatedClient | Client,
    stripe_signature: None | str | Unset = UNSET,
) -> Error | Receipt | None:
    """Receive a Stripe event for this tenant

     Verified with the tenant's webhook secrets, stored once, processed by a worker after the answer.

    Args:
        tenant_slug (str):
        stripe_signature (None | str | Unset): Stripe's signature of the body (`t=...,v1=...`)
            with one of the tenant's webhook secrets.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Receipt
    """

    return sync_detailed(
        tenant_slug=tenant_slug,
        client=client,
        stripe_signature=stripe_signature,
    ).parsed


async def asyncio_detailed(
    tenant_slug: str,
    *,
    client: AuthenticatedClient | Client,
    stripe_signature: None | str | Unset = UNSET,
) -> Response[Error | Receipt]:
    """Receive a Stripe event for this tenant

     Verified with the tenant's webhook secrets, stored once, processed by a worker after the answer.

    Args:
        tenant_slug (str):
        stripe_signature (None | str | Unset): Stripe's signature of the body (`t=...,v1=...`)
            with one of the tenant's webhook secrets.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Receipt]
    """

    kwargs = _get_kwargs(
        tenant_slug=tenant_slug,
        stripe_signature=stripe_signature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant_slug: str,
    *,
    client: AuthenticatedClient | Client,
    stripe_signature: None | str | Unset = UNSET,
) -> Error | Receipt | None:
    """Receive a Stripe event for this tenant

     Verified with the tenant's webhook secrets, stored once, processed by a worker after the answer.

    Args:
        tenant_slug (str):
        stripe_signature (None | str | Unset): Stripe's signature of the body (`t=...,v1=...`)
            with one of the tenant's webhook secrets.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Receipt
    """

    return (
        await asyncio_detailed(
            tenant_slug=tenant_slug,
            client=client,
            stripe_signature=stripe_signature,
        )
    ).parsed
