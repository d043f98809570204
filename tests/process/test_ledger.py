"""The per-person ledger: revisions, identical copies of any day however old,
judgment, withdrawal, and a recent value that stays bounded however many days
go through it."""

from __future__ import annotations

from datetime import date, timedelta

import orjson

from ourastream.model import DailyRecord
from ourastream.process.ledger import Change, Ledger, MemoryDays, Recent
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


def empty() -> Ledger:
    return Ledger(None, MemoryDays(), SETTINGS)


def filled(days: int) -> Ledger:
    ledger = empty()
    for offset in range(days):
        ledger.apply(a_day(offset))
    return ledger


def test_a_new_day_is_written_without_anomalies() -> None:
    change = empty().apply(a_day(0))

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
    ledger = empty()
    for offset in range(6):
        ledger.apply(a_day(offset))
    ledger.apply(a_day(6, worn=False, wear_ratio=0.3, total_calories=100.0))

    change = ledger.apply(a_day(7, high_activity_minutes=45.0, total_calories=1000.0))

    assert change.anomalies is None  # six worn days: still too early


def test_the_recent_value_stays_bounded() -> None:
    ledger = filled(2000)

    assert len(ledger.recent.worn) <= SETTINGS.baseline_days + 16
    assert ledger.recent.newest == (FIRST + timedelta(days=1999)).isoformat()
    assert ledger.recent.first == FIRST.isoformat()


def test_an_identical_copy_of_an_old_day_changes_nothing() -> None:
    ledger = filled(400)

    change = ledger.apply(a_day(5))

    assert change == Change()


def test_an_old_day_revised_is_judged_against_the_days_before_it() -> None:
    ledger = filled(400)
    mistaken = a_day(100, high_activity_minutes=45.0, total_calories=2410.0)

    raised = orjson.loads(ledger.apply(mistaken).anomalies)
    withdrawn = orjson.loads(ledger.apply(a_day(100)).anomalies)

    [anomaly] = raised["anomalies"]
    assert anomaly["rule"] == "workout_low_calories"
    assert anomaly["values"]["baseline_calories"] == 2903.0
    assert withdrawn["anomalies"] == []


def test_an_old_revision_gives_what_a_ledger_kept_whole_gives() -> None:
    trimmed, whole = filled(300), filled(300)
    whole.recent.worn = [[d, kcal] for d, (_, kcal, _) in sorted(_entries(whole))]
    whole.recent.after = None
    revisions = [
        a_day(offset, high_activity_minutes=45.0, total_calories=2000.0 + offset)
        for offset in (3, 40, 150, 299, 150)
    ]

    for revision in revisions:
        assert trimmed.apply(revision) == whole.apply(revision)


def test_a_late_new_day_older_than_all_is_written_and_kept() -> None:
    ledger = filled(100)

    change = ledger.apply(a_day(-30))

    assert change.daily is not None
    assert ledger.recent.first == (FIRST - timedelta(days=30)).isoformat()
    assert ledger.apply(a_day(-30)) == Change()


def test_a_stored_recent_value_round_trips_through_json() -> None:
    ledger = filled(40)
    stored = Recent.from_json(ledger.recent.to_json())

    change = Ledger(stored, ledger._days, SETTINGS).apply(a_day(39))

    assert change.daily is None
    assert stored == ledger.recent


def test_a_late_day_keeps_the_recent_days_in_order() -> None:
    ledger = empty()
    for offset in (0, 1, 3, 4):
        ledger.apply(a_day(offset))

    ledger.apply(a_day(2))

    days = [day for day, _ in ledger.recent.worn]
    assert days == sorted(days) and len(days) == 5


def test_a_revision_to_unworn_leaves_the_recent_days() -> None:
    ledger = filled(5)

    ledger.apply(a_day(3, worn=False, wear_ratio=0.2))

    assert "2024-01-04" not in [day for day, _ in ledger.recent.worn]


def _entries(ledger: Ledger) -> list:
    return list(ledger._days.entries.items())
