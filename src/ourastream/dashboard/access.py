"""Who may see the dashboard: anyone on this machine by default; beyond it,
only those who present the access token (``OURASTREAM_DASHBOARD_TOKEN``).

The token is accepted as a bearer header (for scripts), a ``token`` query
parameter, or the cookie the page sets after one visit to ``/?token=...``.
"""

from __future__ import annotations

import secrets

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ourastream.errors import SettingsError
from ourastream.settings import Settings

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TOKEN_COOKIE = "ourastream_token"


def check_binding(settings: Settings) -> None:
    """Refuse to serve beyond this machine without an access token.

    Raises:
        SettingsError: naming the two ways out.
    """
    host = settings.dashboard_host
    if host in LOCAL_HOSTS or access_token(settings):
        return
    raise SettingsError(
        f"Refusing to serve the dashboard on {host!r} without an access token: "
        "anyone who reaches that address would see the data. Set "
        "OURASTREAM_DASHBOARD_TOKEN, or serve on 127.0.0.1 (--host 127.0.0.1)."
    )


def access_token(settings: Settings) -> str | None:
    """The configured token, or None when the dashboard is open."""
    token = settings.dashboard_token
    value = token.get_secret_value() if token else ""
    return value or None


def presented_token(connection: HTTPConnection) -> str | None:
    """The token a request carries, from the header, query or cookie."""
    scheme, _, credentials = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials:
        return credentials.strip()
    return connection.query_params.get("token") or connection.cookies.get(TOKEN_COOKIE)


class TokenGate:
    """ASGI middleware answering 401 to every request without the token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._allowed(HTTPConnection(scope)):
            await self.app(scope, receive, send)
            return
        refusal = JSONResponse(
            {
                "detail": "This dashboard needs its access token: send "
                "'Authorization: Bearer <token>', or open /?token=<token> once "
                "(the token is OURASTREAM_DASHBOARD_TOKEN where it runs)."
            },
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
        await refusal(scope, receive, send)

    def _allowed(self, connection: HTTPConnection) -> bool:
        presented = presented_token(connection)
        return bool(presented) and secrets.compare_digest(
            presented.encode(), self.token
        )
