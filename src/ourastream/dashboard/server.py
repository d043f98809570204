"""Serving the dashboard with uvicorn until SIGINT or SIGTERM: the first
signal ends the open event streams and stops the feed, a second one exits at
once.
"""

from __future__ import annotations

import logging
import socket

import uvicorn

from ourastream.dashboard.access import access_token, check_binding
from ourastream.dashboard.app import create_app
from ourastream.dashboard.hub import Hub
from ourastream.errors import SettingsError
from ourastream.settings import Settings

log = logging.getLogger(__name__)

# Backstop for a request that does not end when asked (a stuck client).
GRACE_S = 3


class _Server(uvicorn.Server):
    """uvicorn, ending the event streams as soon as a stop is asked: pages
    never hang up by themselves, so uvicorn would wait for them."""

    def __init__(self, config: uvicorn.Config, hub: Hub) -> None:
        super().__init__(config)
        self.hub = hub

    def handle_exit(self, sig, frame) -> None:
        # Not uvicorn's own: it raises the signal again once stopped, which
        # turns a designed stop into "Aborted!" and a failing exit status.
        self.hub.close()
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True


def serve(settings: Settings) -> None:
    """Serve the dashboard in the foreground until a stop signal.

    Raises:
        SettingsError: beyond 127.0.0.1 without a token, or the port is taken.
    """
    check_binding(settings)
    listening = _listen(settings.dashboard_host, settings.dashboard_port)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACE_S,
    )
    locked = " (access token required)" if access_token(settings) else ""
    log.info("dashboard at %s%s", url(settings), locked)
    _Server(config, app.state.hub).run(sockets=[listening])
    log.info("dashboard stopped")


def url(settings: Settings) -> str:
    host = settings.dashboard_host
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{settings.dashboard_port}/"


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        raise SettingsError(
            f"Cannot serve the dashboard on {host}:{port}: {exc.strerror}. "
            "Choose another with --port / --host (OURASTREAM_DASHBOARD_PORT)."
        ) from exc
    listening.listen(128)
    listening.set_inheritable(True)
    return listening
