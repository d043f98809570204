"""The per-person ledger: revisions, identical copies of any day however old,
judgment, withdrawal, and a recent value that stays bounded however many days
go through it, its older days filed away a month to a value."""

from __future__ import annotations

from datetime import date, timedelta

import orjson

from ourastream.model import DailyRecord
from ourastream.process.ledger import (
    FILE_BATCH_DAYS,
    Change,
    Ledger,
    MemoryDays,
    Recent,
)
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

    kept = SETTINGS.baseline_days + 4
    assert kept <= len(ledger.recent.rows()) < kept + FILE_BATCH_DAYS
    assert ledger.recent.newest == FIRST + timedelta(days=1999)
    assert ledger.recent.first == FIRST


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
    trimmed, whole = filled(300), unfiled(filled(300))
    revisions = [
        a_day(offset, high_activity_minutes=45.0, total_calories=2000.0 + offset)
        for offset in (3, 40, 150, 299, 150)
    ]

    for revision in revisions:
        assert trimmed.apply(revision) == whole.apply(revision)


def test_a_person_who_rarely_wears_the_ring_is_judged_as_if_kept_whole() -> None:
    def sparse(offset: int, **values) -> DailyRecord:
        worn = offset % 5 == 0
        return a_day(offset, worn=worn, wear_ratio=1.0 if worn else 0.2, **values)

    trimmed = empty()
    for offset in range(400):
        trimmed.apply(sparse(offset))
    whole = unfiled(trimmed)
    trimmed = Ledger(
        Recent.from_bytes(trimmed.recent.to_bytes()), trimmed._days, SETTINGS
    )

    assert trimmed.recent.filed is not None
    for offset in (5, 150, 395, 400, 405):
        revision = sparse(offset, high_activity_minutes=45.0, total_calories=2100.0)
        assert trimmed.apply(revision) == whole.apply(revision)


def test_days_are_filed_a_month_to_a_value_in_batches() -> None:
    days = CountingDays()
    ledger = Ledger(None, days, SETTINGS)

    for offset in range(366):
        ledger.apply(a_day(offset))

    filed = sorted(day for entries in days.months.values() for day in entries)
    recent = [day.isoformat() for day, _ in ledger.recent.rows()]
    assert filed + recent == [a_day(offset).day.isoformat() for offset in range(366)]
    assert filed[-1] == ledger.recent.filed.isoformat()
    assert all(day[:7] == month for month in days.months for day in days.months[month])
    assert days.writes <= 2 * 366 // FILE_BATCH_DAYS


def test_a_late_new_day_older_than_all_is_written_and_kept() -> None:
    ledger = filled(100)

    change = ledger.apply(a_day(-30))

    assert change.daily is not None
    assert ledger.recent.first == FIRST - timedelta(days=30)
    assert ledger.apply(a_day(-30)) == Change()


def test_a_stored_recent_value_round_trips_through_bytes() -> None:
    ledger = filled(40)
    ledger.apply(a_day(40, worn=False, wear_ratio=0.2))
    stored = Recent.from_bytes(ledger.recent.to_bytes())

    change = Ledger(stored, ledger._days, SETTINGS).apply(a_day(39))

    assert change.daily is None
    assert stored == ledger.recent


def test_a_late_day_keeps_the_recent_days_in_order() -> None:
    ledger = empty()
    for offset in (0, 1, 3, 4):
        ledger.apply(a_day(offset))

    ledger.apply(a_day(2))

    days = [day for day, _ in ledger.recent.rows()]
    assert days == sorted(days) and len(days) == 5


def test_a_revision_to_unworn_leaves_the_recent_days() -> None:
    ledger = filled(5)

    ledger.apply(a_day(3, worn=False, wear_ratio=0.2))

    [entry] = [entry for day, entry in ledger.recent.rows() if day == date(2024, 1, 4)]
    assert entry[1] is None  # no calories: left out of baselines


def unfiled(ledger: Ledger) -> Ledger:
    """A copy of the ledger with every day in ``Recent`` and none filed."""
    rows = [
        (date.fromisoformat(day), entry)
        for entries in ledger._days.months.values()
        for day, entry in entries.items()
    ]
    rows = sorted(rows + ledger.recent.rows())
    recent = Recent.of_rows(ledger.recent.first, None, rows)
    return Ledger(recent, MemoryDays(), SETTINGS)


class CountingDays(MemoryDays):
    """Filed days that count the writes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def keep_month(self, month: str, entries: dict) -> None:
        self.writes += 1
        super().keep_month(month, entries)
