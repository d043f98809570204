"""The per-person ledger: revisions, identical copies, judgment, withdrawal,
and a size that stays bounded however many days go through it."""

from __future__ import annotations

from datetime import date, timedelta

import orjson

from ourastream.model import DailyRecord
from ourastream.process.ledger import Ledger
from ourastream.settings import Settings

SETTINGS = Settings(_env_file=None)
FIRST = date(2024, 1, 1)


def a_day(offset: int, **values) -> DailyRecord:
    ordinary = {
        "person": "ann",
        "day": FIRST + timedelta(days=offset),
        "total_calories": 2900.0 + offset % 7,
        "steps": 8000.0,
        "walking_distance_m": 6000.0,
        "high_activity_minutes": 5.0,
        "medium_activity_minutes": 40.0,
        "wear_ratio": 1.0,
        "worn": True,
    }
    return DailyRecord(**{**ordinary, **values})


def filled(days: int) -> Ledger:
    ledger = Ledger(None, SETTINGS)
    for offset in range(days):
        ledger.apply(a_day(offset))
    return ledger


def test_a_new_day_is_written_without_anomalies() -> None:
    change = Ledger(None, SETTINGS).apply(a_day(0))

    assert orjson.loads(change.daily)["day"] == "2024-01-01"
    assert change.anomalies is None


def test_an_identical_copy_changes_nothing() -> None:
    ledger = filled(3)

    change = ledger.apply(a_day(1))

    assert change.daily is None and change.anomalies is None


def test_a_revision_is_written_again() -> None:
    ledger = filled(3)

    change = ledger.apply(a_day(1, steps=9000.0))

    assert orjson.loads(change.daily)["steps"] == 9000.0


def test_an_anomaly_is_raised_then_withdrawn_by_a_revision() -> None:
    ledger = filled(10)
    mistaken = a_day(10, high_activity_minutes=45.0, total_calories=2410.0)

    raised = orjson.loads(ledger.apply(mistaken).anomalies)
    withdrawn = orjson.loads(ledger.apply(a_day(10)).anomalies)

    assert [a["rule"] for a in raised["anomalies"]] == ["workout_low_calories"]
    assert withdrawn == {"person": "ann", "day": "2024-01-11", "anomalies": []}


def test_no_judgment_before_the_minimum_of_worn_days() -> None:
    ledger = filled(6)

    change = ledger.apply(a_day(6, high_activity_minutes=45.0, total_calories=1000.0))

    assert change.anomalies is None


def test_unworn_days_are_left_out_of_the_baseline() -> None:
    ledger = Ledger(None, SETTINGS)
    for offset in range(6):
        ledger.apply(a_day(offset))
    ledger.apply(a_day(6, worn=False, wear_ratio=0.3, total_calories=100.0))

    change = ledger.apply(a_day(7, high_activity_minutes=45.0, total_calories=1000.0))

    assert change.anomalies is None  # six worn days: still too early


def test_the_ledger_stays_bounded() -> None:
    ledger = filled(2000)

    bound = SETTINGS.revision_horizon_days + 1 + SETTINGS.baseline_days
    assert len(ledger.entries) <= bound + 8
    assert max(ledger.entries) == (FIRST + timedelta(days=1999)).isoformat()


def test_a_day_beyond_the_horizon_is_written_but_not_judged() -> None:
    ledger = filled(400)

    change = ledger.apply(a_day(5, high_activity_minutes=45.0, total_calories=1.0))

    assert change.beyond_horizon
    assert change.daily is not None and change.anomalies is None


def test_a_stored_ledger_round_trips_through_json() -> None:
    ledger = filled(40)
    stored = orjson.loads(orjson.dumps(ledger.entries))

    change = Ledger(stored, SETTINGS).apply(a_day(39))

    assert change.daily is None


def test_a_late_day_keeps_the_ledger_in_day_order() -> None:
    ledger = Ledger(None, SETTINGS)
    for offset in (0, 1, 3, 4):
        ledger.apply(a_day(offset))

    ledger.apply(a_day(2))

    assert list(ledger.entries) == sorted(ledger.entries)
    assert len(ledger.entries) == 5
