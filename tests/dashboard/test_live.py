"""The dashboard as a person runs it: ``ourastream dashboard`` in its own
process pushes each new day to open event streams, and stops cleanly on
SIGTERM even while pages are connected."""

from __future__ import annotations

import signal
from datetime import timedelta

import httpx
import orjson
import pytest

from ourastream.settings import Settings
from tests.dashboard.conftest import (
    PERSON,
    Running,
    export_records,
    produce_days,
    start_dashboard,
    wait_for,
)

pytestmark = pytest.mark.kafka


def next_day_record():
    """A copy of the export's newest day, one day later."""
    newest = max(export_records(), key=lambda r: r.day)
    return newest.model_copy(update={"day": newest.day + timedelta(days=1)})


def read_events(lines, wanted: str):
    """Server-sent events of type ``wanted`` from a stream of lines."""
    event = None
    for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == wanted:
            yield orjson.loads(line.removeprefix("data: "))


def test_a_new_day_is_pushed_to_the_event_stream(
    running: Running, loaded: Settings
) -> None:
    record = next_day_record()

    with httpx.stream("GET", running.url + "api/events", timeout=30) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        next(read_events(lines, "health"))
        produce_days(loaded, [record])
        change = next(read_events(lines, "days"))

    assert change["person"] == PERSON
    assert [d["day"] for d in change["days"]] == [record.day.isoformat()]
    assert change["days"][0]["total_calories"] == record.total_calories
    assert change["window"]["end"] == record.day.isoformat()
    assert len(change["window"]["slots"]) == 15


def test_sigterm_stops_it_cleanly_with_a_page_connected(running: Running) -> None:
    with httpx.stream("GET", running.url + "api/events", timeout=30) as stream:
        next(read_events(stream.iter_lines(), "health"))
        running.process.send_signal(signal.SIGTERM)
        _, stderr = running.process.communicate(timeout=15)

    assert running.process.returncode == 0, stderr
    assert "dashboard stopped" in stderr
    assert "Traceback" not in stderr


def test_a_restarted_dashboard_shows_the_same_window(
    running: Running, settings_env: dict[str, str]
) -> None:
    before = httpx.get(running.url + "api/window", timeout=5).json()
    running.process.terminate()
    running.process.communicate(timeout=15)

    again = start_dashboard(settings_env)
    try:
        wait_for(lambda: again.caught_up(len(export_records()) + 1))
        after = httpx.get(again.url + "api/window", timeout=5).json()
    finally:
        again.process.terminate()
        again.process.communicate(timeout=15)

    assert after == before
