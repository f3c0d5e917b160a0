"""Who may use the dashboard: a token gate (as Jupyter's) and a Host-header check.

Bound to loopback without a token, only requests whose Host names this machine are served, so
a web page elsewhere cannot reach the API through DNS rebinding. With a token (required off
loopback) every page, asset and API call needs it: ``?token=`` once (it is then kept in a
cookie), the cookie, or ``Authorization: Bearer``. Written as plain ASGI middleware so it adds
no measurable latency to the status polls.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sidedoor.web.settings import is_loopback

COOKIE = "sidedoor_token"
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

NEEDS_TOKEN = (
    "this dashboard needs a token: open the address printed by `sidedoor serve` "
    "(ending in ?token=...), or send the header 'Authorization: Bearer <token>'")


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _host_name(host_header: str) -> str:
    """The host part of a Host header (``[::1]:8000`` -> ``::1``, ``a:80`` -> ``a``)."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class AccessGate:
    """ASGI middleware enforcing the token (if any) and the Host check (if no token)."""

    def __init__(self, app: ASGIApp, *, token: str | None, allowed_hosts: tuple[str, ...] = ()):
        self.app = app
        self.token = token
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if not self.token:
            host = _host_name(headers.get("host", "")).lower()
            if not (is_loopback(host) or host in self.allowed_hosts):
                await _refuse(send, 403, f"host {host!r} is not this machine; open the "
                              "dashboard at http://127.0.0.1:<port>/", headers)
                return
            await self.app(scope, receive, send)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        from_query = query.get("token")
        if from_query is not None and secrets.compare_digest(from_query, self.token):
            await self.app(_without_token(scope, query), receive, _setting_cookie(send, self.token))
            return
        if self._presented(headers):
            await self.app(scope, receive, send)
            return
        await _refuse(send, 401, NEEDS_TOKEN, headers)

    def _presented(self, headers: dict[str, str]) -> bool:
        """True when the bearer header or the cookie carries the right token."""
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and secrets.compare_digest(auth[7:].strip(), self.token):
            return True
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is simply no token
            return False
        morsel = cookie.get(COOKIE)
        return morsel is not None and secrets.compare_digest(morsel.value, self.token)


def _without_token(scope: Scope, query: dict[str, str]) -> Scope:
    """The request as the app should see it: the token is not a query parameter of any route."""
    rest = {k: v for k, v in query.items() if k != "token"}
    return {**scope, "query_string": urlencode(rest).encode("latin-1")}


def _setting_cookie(send: Send, token: str) -> Send:
    """Wrap ``send`` so the response stores the token in an HttpOnly, same-site cookie."""
    async def wrapped(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
            message = {**message, "headers": [*message.get("headers", []),
                                              (b"set-cookie", cookie.encode("latin-1"))]}
        await send(message)
    return wrapped


async def _refuse(send: Send, status: int, message: str, headers: dict[str, str]) -> None:
    """A 401/403 the reader understands: an HTML page for browsers, JSON for the API."""
    if "text/html" in headers.get("accept", ""):
        body = (f"<!doctype html><meta charset='utf-8'><title>sidedoor: access</title>"
                f"<h1>Access refused</h1><p>{_escape(message)}</p>").encode()
        kind = b"text/html; charset=utf-8"
    else:
        body = json.dumps({"detail": message}).encode()
        kind = b"application/json"
    extra = [(b"www-authenticate", b"Bearer")] if status == 401 else []
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": body})


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
