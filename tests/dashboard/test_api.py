"""The dashboard's JSON API over topics holding the real export: the window
with its gaps and units, anomalies, health, OpenAPI, and bad parameters
answered with a 4xx and a message, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from ourastream.dashboard.app import create_app
from ourastream.settings import Settings
from tests.dashboard.conftest import (
    PERSON,
    WORKOUT,
    WORKOUT_DAY,
    export_records,
    wait_for,
)

pytestmark = pytest.mark.kafka

END = date(2022, 9, 6)


@pytest.fixture
def client(loaded: Settings) -> Iterator[TestClient]:
    """The app in this process, its feed caught up with the topics."""
    with TestClient(create_app(loaded)) as client:

        def caught_up() -> bool:
            health = client.get("/api/health").json()
            done = health["records"] >= len(export_records()) + 1
            return done and health["lag"] == 0

        wait_for(caught_up)
        yield client


def newest_revisions() -> dict[date, object]:
    """The export's days, the later line of a repeated day winning."""
    return {record.day: record for record in export_records()}


def test_the_window_has_fifteen_calendar_days_with_gaps(client: TestClient) -> None:
    days = newest_revisions()

    window = client.get("/api/window", params={"person": PERSON, "end": END}).json()

    slots = window["slots"]
    assert [s["day"] for s in slots] == [
        (END - timedelta(days=14 - i)).isoformat() for i in range(15)
    ]
    missing = {date.fromisoformat(s["day"]) for s in slots} - set(days)
    assert missing  # the export has holes in this window
    for slot in slots:
        record = days.get(date.fromisoformat(slot["day"]))
        if record is None:
            assert slot["total_calories"] is None
            assert slot["high_activity_minutes"] is None
            assert slot["band"] is None
        else:
            assert slot["total_calories"] == record.total_calories
            assert slot["high_activity_minutes"] == record.high_activity_minutes


def test_high_activity_is_in_minutes(client: TestClient) -> None:
    window = client.get("/api/window", params={"end": END}).json()

    slot = next(s for s in window["slots"] if s["day"] == WORKOUT_DAY.isoformat())
    assert slot["high_activity_minutes"] == 14  # the export says 840 seconds


def test_bars_take_the_color_of_their_threshold(client: TestClient) -> None:
    window = client.get("/api/window", params={"end": END}).json()

    colors = {band["band"]: band["color"] for band in window["bands"]}
    for slot in window["slots"]:
        calories = slot["total_calories"]
        if calories is None:
            continue
        expected = (
            "red" if calories < 2750 else "orange" if calories < 3000 else "green"
        )
        assert (slot["band"], slot["color"]) == (expected, colors[expected])


def test_the_window_ends_at_the_newest_day_by_default(client: TestClient) -> None:
    newest = max(newest_revisions())

    window = client.get("/api/window").json()

    assert window["end"] == window["newest_day"] == newest.isoformat()
    assert len(window["slots"]) == 15


def test_a_repeated_day_shows_its_last_revision(client: TestClient) -> None:
    lines = export_records()
    repeated = next(
        r.day for i, r in enumerate(lines) if r.day in {x.day for x in lines[:i]}
    )
    last = [r for r in lines if r.day == repeated][-1]

    window = client.get("/api/window", params={"end": repeated}).json()

    assert window["slots"][-1]["total_calories"] == last.total_calories


def test_anomalies_carry_their_sentence(client: TestClient) -> None:
    listed = client.get("/api/anomalies", params={"person": PERSON}).json()
    window = client.get("/api/window", params={"end": END}).json()

    assert listed["anomalies"] == [
        {"day": WORKOUT_DAY.isoformat(), **WORKOUT.model_dump(mode="json")}
    ]
    marked = [s for s in window["slots"] if s["anomalies"]]
    assert [s["day"] for s in marked] == [WORKOUT_DAY.isoformat()]
    assert marked[0]["anomalies"][0]["reason"] == WORKOUT.reason


def test_anomalies_outside_the_asked_days_are_left_out(client: TestClient) -> None:
    after = WORKOUT_DAY + timedelta(days=1)

    listed = client.get("/api/anomalies", params={"start": after}).json()

    assert listed["anomalies"] == []


def test_health_reports_kafka_and_the_newest_day(client: TestClient) -> None:
    health = client.get("/api/health").json()

    assert health["connected"] is True
    assert health["newest_day"] == max(newest_revisions()).isoformat()
    assert health["people"] == [PERSON]
    assert health["lag"] == 0
    assert health["records"] == len(export_records()) + 1


def test_people_lists_everyone(client: TestClient) -> None:
    assert client.get("/api/people").json() == {"people": [PERSON], "default": "me"}


def test_openapi_describes_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    for path in ("/api/people", "/api/window", "/api/anomalies", "/api/health"):
        assert "get" in paths[path], path
    assert "/api/events" in paths


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("/api/window", {"end": "2022-13-06"}, 422, "end='2022-13-06'"),
        ("/api/window", {"end": "yesterday"}, 422, "end='yesterday'"),
        ("/api/window", {"end": "0001-01-01"}, 400, "too early"),
        ("/api/window", {"person": ""}, 422, "person=''"),
        ("/api/window", {"person": "nobody"}, 404, "'nobody'"),
        ("/api/anomalies", {"person": "nobody"}, 404, "'nobody'"),
        ("/api/anomalies", {"start": "2022-09-06", "end": "2022-09-01"}, 400, "after"),
        ("/api/anomalies", {"start": "x"}, 422, "start='x'"),
        ("/api/nothing", {}, 404, "Not Found"),
    ],
)
def test_bad_parameters_get_a_4xx_with_a_message(
    client: TestClient, path: str, params: dict, status: int, words: str
) -> None:
    response = client.get(path, params=params)

    assert response.status_code == status
    assert words in response.json()["detail"]
