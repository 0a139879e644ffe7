"""The ASGI application: Stripe's HTTP conventions around the resource modules.

For `/v1` calls: API-key auth (401), injected faults, Idempotency-Key replay and
conflicts, params decoding and checking, Stripe's error JSON, `Request-Id` headers and
one log line per request. `/_emulator` routes are the test helpers and hosted pages.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from . import (
    cards,
    catalog,
    checkout,
    control_api,
    customers,
    disputes,
    events,
    invoices,
    pages,
    payments,
    portal,
    promotions,
    setup_intents,
    subscriptions,
    webhooks,
)
from .accounts import Emulator
from .encoding import Params, check_known, decode_form, decode_json, parse_pairs
from .errors import StripeError, api_error, authentication, idempotency_mismatch
from .faults import FaultRule
from .routing import ApiRequest, ControlRequest, Response, Router
from .store import API_VERSION, CURRENT_REQUEST, Account, RequestRef, new_request_id

log = logging.getLogger("stripe_emulator")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

API_MODULES = (
    customers, catalog, cards, payments, setup_intents, disputes, promotions, checkout, portal,
    subscriptions, invoices, events, webhooks,
)


@dataclass
class _Stored:
    """An idempotent result: replayed for the same key and the same request."""

    fingerprint: tuple[str, str, tuple[tuple[str, str], ...]]
    status: int
    body: bytes
    request_id: str


@dataclass
class _Http:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    base_url: str
    client: str


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, indent=2).encode()
    return Response(status, body, "application/json", dict(headers or {}))


def _bearer(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            user = base64.b64decode(value).decode().partition(":")[0]
        except (ValueError, UnicodeDecodeError):
            return None
        return user or None
    return None


class EmulatorApp:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.api = Router([route for module in API_MODULES for route in module.ROUTES])
        self.control = Router([*control_api.ROUTES, *pages.ROUTES])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        http = await self._read(scope, receive)
        started = time.monotonic()
        note: list[str] = []
        if http.path.startswith("/_emulator"):
            response = await self._control(http)
        elif http.path == "/":
            response = _json(200, {"object": "emulator", "api_version": API_VERSION,
                                   "helpers": "/_emulator", "ok": True})
        else:
            response = await self._api(http, note)
        elapsed = (time.monotonic() - started) * 1000
        log.info(
            "%s %s %s -> %d (%.1f ms)%s",
            http.client, http.method, http.path, response.status, elapsed,
            "".join(f" {n}" for n in note),
        )
        await self._send(send, response)

    # ------------------------------------------------------------ plumbing

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.emulator.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _read(self, scope: Scope, receive: Receive) -> _Http:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host") or "{}:{}".format(*scope.get("server") or ("localhost", 80))
        client = scope.get("client") or ("-", 0)
        return _Http(
            method=scope["method"].upper(),
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=b"".join(chunks),
            base_url=f"{scope.get('scheme', 'http')}://{host}",
            client=str(client[0]),
        )

    async def _send(self, send: Send, response: Response) -> None:
        headers = [
            (b"content-type", response.content_type.encode()),
            (b"content-length", str(len(response.body)).encode()),
        ]
        headers += [(k.lower().encode(), v.encode()) for k, v in response.headers.items()]
        await send({"type": "http.response.start", "status": response.status,
                    "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    # ------------------------------------------------------------ /v1

    def _error(self, err: StripeError, request_id: str, headers: dict[str, str]) -> Response:
        return _json(err.status, err.body(request_id), {**headers, **err.headers})

    async def _api(self, http: _Http, note: list[str]) -> Response:
        request_id = new_request_id()
        headers = {
            "Request-Id": request_id,
            "Stripe-Version": http.headers.get("stripe-version", API_VERSION),
            "Access-Control-Allow-Origin": "*",
        }
        api_key = _bearer(http.headers)
        account = self.emulator.account_for_key(api_key)
        if account is None:
            return self._error(authentication(api_key), request_id, headers)
        account.base_url = http.base_url
        note.append(account.id)
        route, path_params = self.api.match(http.method, http.path)
        if route is None:
            return self._error(
                StripeError(
                    404,
                    "invalid_request_error",
                    f"Unrecognized request URL ({http.method}: {http.path}). Please see "
                    "https://stripe.com/docs or we can help at https://support.stripe.com/.",
                ),
                request_id,
                headers,
            )
        try:
            pairs = parse_pairs(http.query)
            if http.method == "POST":
                pairs += parse_pairs(http.body.decode())
            raw = decode_form(pairs)
        except StripeError as err:
            return self._error(err, request_id, headers)
        assert account.faults is not None
        fault = account.faults.pick(http.method, http.path)
        if fault is not None:
            note.append(f"fault={fault.kind}:{fault.status}:{fault.when}")
            if fault.when == "before":
                if fault.kind == "hang":
                    await asyncio.sleep(fault.seconds)
                else:
                    return self._error(fault.error(), request_id, headers)
        key = http.headers.get("idempotency-key") if http.method == "POST" else None
        if key:
            headers["Idempotency-Key"] = key
            note.append(f"idem={key[:12]}")
        fingerprint = (http.method, http.path, tuple(sorted(pairs)))
        stored: _Stored | None = account.idempotency.get(key) if key else None
        if stored is not None:
            if stored.fingerprint != fingerprint:
                return self._error(idempotency_mismatch(key or ""), request_id, headers)
            note.append("replayed")
            response = Response(stored.status, stored.body, "application/json",
                                {**headers, "Idempotent-Replayed": "true",
                                 "Original-Request": stored.request_id})
            return await self._after(fault, response, request_id, headers)
        response, save = self._run(account, route.handler, route.sdk_params, raw,
                                   path_params, http, request_id, key, headers)
        if key and save:
            account.idempotency[key] = _Stored(fingerprint, response.status, response.body,
                                               request_id)
        return await self._after(fault, response, request_id, headers)

    def _run(
        self,
        account: Account,
        handler: Callable[[ApiRequest], Any],
        sdk_params: str | None,
        raw: dict[str, Any],
        path_params: dict[str, str],
        http: _Http,
        request_id: str,
        key: str | None,
        headers: dict[str, str],
    ) -> tuple[Response, bool]:
        """Run one handler; (response, whether Stripe would save it for replays)."""
        token = CURRENT_REQUEST.set(RequestRef(request_id, key))
        try:
            check_known(raw, sdk_params)
            body = handler(
                ApiRequest(
                    account=account,
                    params=Params(raw),
                    path_params=path_params,
                    method=http.method,
                    path=http.path,
                    base_url=http.base_url,
                    request_id=request_id,
                    idempotency_key=key,
                )
            )
            return _json(200, body, headers), True
        except StripeError as err:
            return self._error(err, request_id, headers), err.replayable
        except Exception:  # noqa: BLE001 - an emulator bug must still answer like Stripe
            log.error("unhandled error in %s %s\n%s", http.method, http.path,
                      traceback.format_exc())
            return self._error(api_error(), request_id, headers), False
        finally:
            CURRENT_REQUEST.reset(token)

    async def _after(
        self, fault: FaultRule | None, response: Response, request_id: str,
        headers: dict[str, str],
    ) -> Response:
        if fault is None or fault.when != "after":
            return response
        if fault.kind == "hang":
            await asyncio.sleep(fault.seconds)
            return response
        return self._error(fault.error(), request_id, headers)

    # ------------------------------------------------------------ /_emulator

    async def _control(self, http: _Http) -> Response:
        request_id = new_request_id()
        route, path_params = self.control.match(http.method, http.path)
        if route is None:
            return _json(404, {"error": {"type": "invalid_request_error",
                                         "message": f"No helper at {http.method} {http.path}"}})
        try:
            content_type = http.headers.get("content-type", "")
            if "application/x-www-form-urlencoded" in content_type:
                body = decode_form(parse_pairs(http.body.decode()))
            else:
                body = decode_json(http.body)
            account = None
            if not route.public:
                api_key = _bearer(http.headers) or body.pop("api_key", None)
                account = self.emulator.account_for_key(api_key) if api_key else None
                if api_key and account is None:
                    raise authentication(api_key)
                if account is not None:
                    account.base_url = http.base_url
            req = ControlRequest(
                emulator=self.emulator,
                account=account,
                body=body,
                query=decode_form(parse_pairs(http.query)),
                path_params=path_params,
                method=http.method,
                path=http.path,
                base_url=http.base_url,
                request_id=request_id,
            )
            result = await route.handler(req)
        except StripeError as err:
            return _json(err.status, err.body(request_id), err.headers)
        except Exception:  # noqa: BLE001 - report emulator bugs to the caller, keep serving
            log.error("unhandled error in %s %s\n%s", http.method, http.path,
                      traceback.format_exc())
            return _json(500, api_error().body(request_id))
        if isinstance(result, Response):
            return result
        return _json(200, result)


def create_app(emulator: Emulator | None = None) -> EmulatorApp:
    return EmulatorApp(emulator or Emulator())
