"""The anomaly rules and the baseline, on hand-made days and on the real
export (where a good rule flags a few days, not half of them)."""

from __future__ import annotations

from datetime import date

import pytest

from ourastream import rules
from ourastream.model import DailyRecord, parse_record
from ourastream.settings import Settings

from .conftest import REAL_EXPORT

SETTINGS = Settings(_env_file=None)


def a_day(**values) -> DailyRecord:
    """An ordinary worn day; keyword arguments change its values."""
    ordinary = {
        "person": "ann",
        "day": date(2024, 3, 1),
        "total_calories": 2900.0,
        "active_calories": 500.0,
        "steps": 8000.0,
        "walking_distance_m": 6000.0,
        "high_activity_minutes": 10.0,
        "medium_activity_minutes": 40.0,
        "low_activity_minutes": 300.0,
        "sedentary_minutes": 600.0,
        "resting_minutes": 480.0,
        "non_wear_minutes": 10.0,
        "wear_ratio": 0.99,
        "worn": True,
    }
    return DailyRecord(**{**ordinary, **values})


def rules_of(day: DailyRecord, baseline_kcal: float | None = 2950.0) -> list[str]:
    return [a.rule for a in rules.judge(day, baseline_kcal, SETTINGS)]


def test_baseline_is_the_median_of_the_last_baseline_days() -> None:
    older = [9999.0] * 5
    recent = [2000.0 + 10 * i for i in range(28)]

    assert rules.baseline(older + recent, SETTINGS) == 2135.0


def test_no_baseline_before_the_minimum_of_worn_days() -> None:
    assert rules.baseline([2900.0] * 6, SETTINGS) is None
    assert rules.baseline([2900.0] * 7, SETTINGS) == 2900.0


def test_an_ordinary_day_has_no_anomaly() -> None:
    assert rules_of(a_day()) == []


def test_a_workout_under_the_baseline_reads_with_its_numbers() -> None:
    day = a_day(high_activity_minutes=45.0, total_calories=2410.0)

    [anomaly] = rules.judge(day, 2950.0, SETTINGS)

    assert anomaly.rule == rules.WORKOUT_LOW_CALORIES
    assert anomaly.reason == (
        "45 min of high activity but 2,410 kcal, 18% under your baseline of "
        "2,950 kcal: a workout recorded by mistake?"
    )
    assert anomaly.values == {
        "high_activity_minutes": 45.0,
        "total_calories": 2410.0,
        "baseline_calories": 2950.0,
    }


def test_a_workout_over_the_baseline_is_fine() -> None:
    assert rules_of(a_day(high_activity_minutes=45.0, total_calories=3180.0)) == []


def test_calories_far_above_baseline_with_little_activity() -> None:
    day = a_day(
        total_calories=4000.0, high_activity_minutes=0.0, medium_activity_minutes=10.0
    )

    [anomaly] = rules.judge(day, 2950.0, SETTINGS)

    assert anomaly.rule == rules.CALORIES_WITHOUT_ACTIVITY
    assert "4,000 kcal, 36% over your baseline of 2,950 kcal" in anomaly.reason
    assert anomaly.values["active_minutes"] == 10.0


def test_calories_far_above_baseline_with_a_workout_are_fine() -> None:
    day = a_day(total_calories=4000.0, high_activity_minutes=60.0)

    assert rules_of(day) == []


def test_no_baseline_rule_runs_without_a_baseline() -> None:
    day = a_day(high_activity_minutes=45.0, total_calories=1000.0)

    assert rules_of(day, baseline_kcal=None) == []


@pytest.mark.parametrize(
    ("steps", "distance_m", "flagged"),
    [
        (12850.0, 2418.0, True),  # 0.19 m a step
        (3213.0, 8893.0, True),  # 2.77 m a step
        (8000.0, 6000.0, False),
        (35.0, 4.0, False),  # too few steps to judge a stride
    ],
)
def test_steps_and_distance_that_disagree(
    steps: float, distance_m: float, flagged: bool
) -> None:
    day = a_day(steps=steps, walking_distance_m=distance_m)

    assert (rules.STRIDE_MISMATCH in rules_of(day, None)) is flagged


def test_a_duration_over_a_day_is_impossible() -> None:
    day = a_day(sedentary_minutes=1500.0)

    [anomaly] = rules.judge(day, None, SETTINGS)

    assert anomaly.rule == rules.IMPOSSIBLE_VALUES
    assert anomaly.severity == "critical"
    assert anomaly.reason.startswith("sedentary of 25.0 h in one day")


def test_durations_summing_far_over_a_day_are_impossible() -> None:
    day = a_day(sedentary_minutes=900.0, resting_minutes=700.0)

    [anomaly] = rules.judge(day, None, SETTINGS)

    assert anomaly.rule == rules.IMPOSSIBLE_VALUES
    assert anomaly.values["total_minutes"] == 1960.0


def test_a_25_hour_daylight_saving_day_is_possible() -> None:
    day = a_day(sedentary_minutes=650.0)  # 1,490 minutes in all

    assert rules_of(day) == []


def test_an_unworn_day_is_judged_by_no_rule() -> None:
    day = a_day(
        worn=False,
        wear_ratio=0.38,
        sedentary_minutes=1500.0,
        high_activity_minutes=45.0,
        total_calories=2000.0,
    )

    assert rules.judge(day, 2950.0, SETTINGS) == []


def test_the_real_export_flags_few_days() -> None:
    days = {}
    for line in REAL_EXPORT.read_bytes().splitlines():
        record = parse_record(line, "me")
        days[record.day] = record
    flagged, worn_calories = {}, []
    for day in sorted(days):
        record = days[day]
        found = rules.judge(record, rules.baseline(worn_calories, SETTINGS), SETTINGS)
        if found:
            flagged[day] = [a.rule for a in found]
        if record.worn and record.total_calories is not None:
            worn_calories.append(record.total_calories)

    assert len(days) == 225
    assert len(flagged) <= len(days) // 20
    # 3,213 steps for 8.9 km: the one day of this export whose numbers disagree.
    assert flagged[date(2022, 6, 16)] == [rules.STRIDE_MISMATCH]
