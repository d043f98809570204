"""The Oura API v2 client against a local server that answers like the real
``/v2/usercollection/daily_activity`` (the real API cannot be reached here)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import orjson
import pytest

from ourastream.errors import SourceError
from ourastream.produce.oura_api import DAILY_ACTIVITY_PATH, OuraApi
from ourastream.settings import Settings
from tests.conftest import CASES

TOKEN = "test-token-123"
PAGES = (CASES / "api-pages.jsonl").read_bytes().splitlines()


class FakeOura:
    """What the fake API serves and what it was asked."""

    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []
        self.fail_first: list[int] = []
        self.pages = PAGES


def handler_for(fake: FakeOura) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            url = urlparse(self.path)
            query = parse_qs(url.query)
            fake.requests.append(query)
            if fake.fail_first:
                self.answer(fake.fail_first.pop(0), b'{"detail": "busy"}')
            elif self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self.answer(401, b'{"detail": "invalid token"}')
            elif url.path != DAILY_ACTIVITY_PATH:
                self.answer(404, b'{"detail": "not found"}')
            else:
                self.answer(200, self.page(query))

        def page(self, query: dict[str, list[str]]) -> bytes:
            # The first page names the second through its next_token; the
            # second names none in the case file, so paging ends there.
            index = 1 if query.get("next_token") == ["b2theS1uZXh0"] else 0
            return fake.pages[index]

        def answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    return Handler


@pytest.fixture
def fake() -> Iterator[FakeOura]:
    state = FakeOura()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def api(fake: FakeOura, token: str | None = TOKEN, **days) -> OuraApi:
    return OuraApi(Settings(oura_api_url=fake.url, oura_token=token), **days)


def test_every_record_of_every_page_as_sent(fake: FakeOura) -> None:
    records = list(api(fake, start_day="2023-07-01", end_day="2023-07-31").records())

    expected = [r for p in PAGES[:2] for r in orjson.loads(p)["data"]]
    assert [orjson.loads(r.value) for r in records] == expected
    assert all(r.value in PAGES[0] + PAGES[1] for r in records)
    assert [r.position for r in records][-2:] == ["page 2 record 1", "page 2 record 2"]
    assert {r.source for r in records} == {"oura-api"}
    assert fake.requests[0] == {
        "start_date": ["2023-07-01"],
        "end_date": ["2023-07-31"],
    }
    assert fake.requests[1]["next_token"] == ["b2theS1uZXh0"]


def test_an_empty_page_gives_no_records(fake: FakeOura) -> None:
    fake.pages = [PAGES[2]]

    assert list(api(fake).records()) == []


def test_busy_answers_are_asked_again(fake: FakeOura) -> None:
    fake.fail_first = [503, 429]

    records = list(api(fake).records())

    assert len(records) == 5
    assert len(fake.requests) == 4


def test_a_refused_token_names_the_setting(fake: FakeOura) -> None:
    with pytest.raises(SourceError, match="refused the token.*OURASTREAM_OURA_TOKEN"):
        list(api(fake, token="wrong").records())


def test_no_token_names_the_setting(fake: FakeOura) -> None:
    with pytest.raises(SourceError, match="OURASTREAM_OURA_TOKEN"):
        api(fake, token=None)


def test_an_unreachable_api_names_the_address(fake: FakeOura) -> None:
    settings = Settings(oura_api_url="http://127.0.0.1:1", oura_token=TOKEN)

    with pytest.raises(SourceError, match="Cannot reach the Oura API at .*:1"):
        list(OuraApi(settings).records())


def test_a_page_that_is_not_json_becomes_a_dead_letter(fake: FakeOura) -> None:
    fake.pages = [b"<html>maintenance</html>"]

    records = list(api(fake).records())

    assert len(records) == 1
    assert records[0].problem.startswith("not an Oura API page")
    assert records[0].position == "page 1"
