"""The dashboard's web application: the page and its own scripts (nothing
loaded from the internet), the JSON API, and the event stream that pushes
every change to open pages.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response, StreamingResponse

from ourastream import __version__
from ourastream.dashboard import schema
from ourastream.dashboard.access import TOKEN_COOKIE, TokenGate, access_token
from ourastream.dashboard.feed import Feed
from ourastream.dashboard.hub import Hub, sse_frame
from ourastream.dashboard.view import window_view
from ourastream.settings import Settings

STATIC = Path(__file__).parent / "static"
# A comment line now and then keeps proxies from closing an idle stream.
KEEPALIVE_S = 15.0

Person = Annotated[
    str | None, Query(min_length=1, max_length=200, description="whose days")
]
Day = Annotated[date | None, Query(description="a day, YYYY-MM-DD")]


def create_app(settings: Settings) -> FastAPI:
    """The dashboard for ``settings``; its feed runs while the app is served.

    Args:
        settings: topics, person, window size, thresholds and access token.
    """
    hub = Hub()
    feed = Feed(settings, hub)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        feed.start()
        yield
        hub.close()
        await asyncio.to_thread(feed.stop)

    app = FastAPI(
        title="ourastream dashboard",
        version=__version__,
        description="The rolling window of daily activity, live from Kafka.",
        lifespan=lifespan,
        # FastAPI's interactive docs load their scripts from a CDN; the
        # dashboard works offline, so it serves only /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.feed, app.state.hub, app.state.settings = feed, hub, settings
    app.add_exception_handler(RequestValidationError, _bad_parameters)
    _add_page(app, settings)
    _add_api(app, feed, settings)
    _add_events(app, feed, hub)
    token = access_token(settings)
    if token:
        app.add_middleware(TokenGate, token=token)
    return app


def _add_page(app: FastAPI, settings: Settings) -> None:
    @app.get("/", include_in_schema=False)
    def page(request: Request) -> Response:
        if "token" in request.query_params:
            return _remember_token(request)
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def _remember_token(request: Request) -> Response:
    """Keep the (already checked) token in a cookie and drop it from the
    address, so it stays out of the browser's history and screenshots."""
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
    query = urlencode(rest)
    response = RedirectResponse("/" + (f"?{query}" if query else ""), 303)
    response.set_cookie(
        TOKEN_COOKIE, request.query_params["token"], httponly=True, samesite="strict"
    )
    return response


def _add_api(app: FastAPI, feed: Feed, settings: Settings) -> None:
    @app.get("/api/people", response_model=schema.PeopleOut)
    def people() -> dict[str, Any]:
        """Everyone with days in the topics."""
        with feed.lock:
            return {"people": feed.views.people(), "default": settings.person}

    @app.get("/api/window", response_model=schema.WindowOut)
    def window(person: Person = None, end: Day = None) -> dict[str, Any]:
        """A person's window of calendar days ending at ``end`` (default:
        their newest day); a missing day has null values."""
        person = person or settings.person
        with feed.lock:
            _known(feed, person)
            try:
                return window_view(feed.views, person, settings, end)
            except OverflowError:
                raise HTTPException(400, f"end={end} is too early") from None

    @app.get("/api/anomalies", response_model=schema.AnomaliesOut)
    def anomalies(
        person: Person = None, start: Day = None, end: Day = None
    ) -> dict[str, Any]:
        """A person's anomalies between ``start`` and ``end``, newest first."""
        person = person or settings.person
        if start and end and start > end:
            raise HTTPException(400, f"start={start} is after end={end}")
        with feed.lock:
            _known(feed, person)
            days = dict(feed.views.person(person).anomalies)
        listed = [
            {"day": day.isoformat(), **anomaly.model_dump(mode="json")}
            for day, found in sorted(days.items(), reverse=True)
            if (not start or day >= start) and (not end or day <= end)
            for anomaly in found
        ]
        return {"person": person, "anomalies": listed}

    @app.get("/api/health", response_model=schema.HealthOut)
    def health() -> dict[str, Any]:
        """Whether Kafka answers, the newest day, records/s and the lag."""
        return feed.health()


def _known(feed: Feed, person: str) -> None:
    if person not in feed.views.people():
        known = ", ".join(feed.views.people()) or "nobody yet"
        raise HTTPException(404, f"No days for person {person!r}; known: {known}.")


def _add_events(app: FastAPI, feed: Feed, hub: Hub) -> None:
    @app.get(
        "/api/events",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def events() -> StreamingResponse:
        """Server-sent events: ``health`` every second, and ``days`` with the
        changed days and the person's newest window whenever days arrive."""
        stream = hub.subscribe()
        return StreamingResponse(
            _stream(hub, stream, feed.health()),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )


async def _stream(hub: Hub, stream: asyncio.Queue, health: dict) -> AsyncIterator:
    try:
        yield await stream.get()
        yield sse_frame("health", health)
        while True:
            try:
                frame = await asyncio.wait_for(stream.get(), KEEPALIVE_S)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if frame is None:
                return
            yield frame
    finally:
        hub.unsubscribe(stream)


async def _bad_parameters(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    """A 422 whose ``detail`` is one sentence per bad parameter."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"][1:]) or "request"
        problems.append(f"{where}={error.get('input')!r}: {error['msg']}")
    return JSONResponse({"detail": "; ".join(problems)}, status_code=422)
