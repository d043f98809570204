"""Baselines and anomaly rules: how one person's day is judged against the
numbers of the same day and against that person's own recent normal. Pure
code: no I/O, no Kafka; thresholds come from the settings.

A day the ring was mostly not worn is judged by no rule and is left out of
baselines, because its calories are the ring's guess, not a measurement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from statistics import median

from ourastream.model import MINUTES_PER_DAY, Anomaly, DailyRecord
from ourastream.settings import Settings

WORKOUT_LOW_CALORIES = "workout_low_calories"
CALORIES_WITHOUT_ACTIVITY = "calories_without_activity"
STRIDE_MISMATCH = "steps_distance_mismatch"
IMPOSSIBLE_VALUES = "impossible_values"

DURATION_FIELDS = (
    "high_activity_minutes",
    "medium_activity_minutes",
    "low_activity_minutes",
    "sedentary_minutes",
    "resting_minutes",
    "non_wear_minutes",
)

Rule = Callable[[DailyRecord, "float | None", Settings], "Anomaly | None"]


def baseline(calories: Sequence[float], settings: Settings) -> float | None:
    """A person's normal total calories from the worn days before a day.

    Args:
        calories: total calories (kcal) of the earlier worn days, oldest first.
        settings: ``baseline_days`` and ``baseline_min_days`` are read.

    Returns:
        The median of the last ``baseline_days`` values, or None when fewer
        than ``baseline_min_days`` are known (too early to judge).
    """
    recent = calories[-settings.baseline_days :]
    if len(recent) < settings.baseline_min_days:
        return None
    return float(median(recent))


def judge(
    day: DailyRecord, baseline_kcal: float | None, settings: Settings
) -> list[Anomaly]:
    """Every anomaly of one day, in a fixed order.

    Args:
        day: the newest revision of the day.
        baseline_kcal: the person's baseline before this day, or None when it
            is too early for one (then only the rules that need no baseline
            run).
        settings: the thresholds.

    Returns:
        The anomalies; empty for a day that was not worn.
    """
    anomalies: list[Anomaly] = []
    if not day.worn:
        return anomalies
    for rule in RULES:
        anomaly = rule(day, baseline_kcal, settings)
        if anomaly is not None:
            anomalies.append(anomaly)
    return anomalies


def impossible_values(
    day: DailyRecord, _baseline_kcal: float | None, settings: Settings
) -> Anomaly | None:
    """A single duration over 24 hours, or durations adding up to far more
    than a day (``max_day_minutes`` leaves room for a 25-hour DST day)."""
    fields = day.__dict__
    total = sum([fields[f] or 0 for f in DURATION_FIELDS])
    if total <= min(MINUTES_PER_DAY, settings.max_day_minutes):
        return None  # the usual day: neither a part nor the whole is too long
    durations = {f: getattr(day, f) for f in DURATION_FIELDS}
    known = {f: m for f, m in durations.items() if m is not None}
    longest = max(known, key=known.__getitem__, default=None)
    total = sum(known.values())
    if longest is not None and known[longest] > MINUTES_PER_DAY:
        reason = (
            f"{_name(longest)} of {_hours(known[longest])} in one day: "
            "longer than the day itself"
        )
    elif total > settings.max_day_minutes:
        reason = f"activity times add up to {_hours(total)} in one day: impossible"
    else:
        return None
    values = {**known, "total_minutes": round(total, 2)}
    return Anomaly(
        rule=IMPOSSIBLE_VALUES, severity="critical", reason=reason, values=values
    )


def workout_low_calories(
    day: DailyRecord, baseline_kcal: float | None, settings: Settings
) -> Anomaly | None:
    """Long high-activity time, yet calories under the baseline: the
    activity was probably recorded by mistake (a bumpy ride, a shaken ring)."""
    high = day.high_activity_minutes
    kcal = day.total_calories
    if baseline_kcal is None or high is None or kcal is None:
        return None
    if high < settings.workout_min_high_activity_minutes:
        return None
    if kcal >= baseline_kcal * settings.workout_max_calories_ratio:
        return None
    under = 1 - kcal / baseline_kcal
    reason = (
        f"{high:,.0f} min of high activity but {kcal:,.0f} kcal, {under:.0%} under "
        f"your baseline of {baseline_kcal:,.0f} kcal: a workout recorded by mistake?"
    )
    values = {
        "high_activity_minutes": high,
        "total_calories": kcal,
        "baseline_calories": baseline_kcal,
    }
    return Anomaly(
        rule=WORKOUT_LOW_CALORIES, severity="warning", reason=reason, values=values
    )


def calories_without_activity(
    day: DailyRecord, baseline_kcal: float | None, settings: Settings
) -> Anomaly | None:
    """Calories far above the baseline on a day with little activity: the
    calories (or the missing activity) are probably wrong."""
    kcal = day.total_calories
    if baseline_kcal is None or kcal is None:
        return None
    if kcal <= baseline_kcal * settings.surplus_min_calories_ratio:
        return None
    active = (day.high_activity_minutes or 0) + (day.medium_activity_minutes or 0)
    if active > settings.surplus_max_active_minutes:
        return None
    over = kcal / baseline_kcal - 1
    reason = (
        f"{kcal:,.0f} kcal, {over:.0%} over your baseline of {baseline_kcal:,.0f} "
        f"kcal, with only {active:,.0f} min of medium or high activity: "
        "calories without the activity to explain them?"
    )
    values = {
        "total_calories": kcal,
        "baseline_calories": baseline_kcal,
        "active_minutes": round(active, 2),
    }
    return Anomaly(
        rule=CALORIES_WITHOUT_ACTIVITY, severity="warning", reason=reason, values=values
    )


def stride_mismatch(
    day: DailyRecord, _baseline_kcal: float | None, settings: Settings
) -> Anomaly | None:
    """Steps and walking distance that imply a stride no person walks with.

    Days under ``stride_min_steps`` are not judged: a few steps make any
    stride look odd.
    """
    steps = day.steps
    distance_m = day.walking_distance_m
    if steps is None or distance_m is None or steps < settings.stride_min_steps:
        return None
    stride_m = distance_m / steps
    if settings.stride_min_m <= stride_m <= settings.stride_max_m:
        return None
    reason = (
        f"{steps:,.0f} steps but {distance_m / 1000:,.1f} km of walking: a stride of "
        f"{stride_m:.2f} m, outside {settings.stride_min_m:g} to "
        f"{settings.stride_max_m:g} m. Steps and distance disagree"
    )
    values = {
        "steps": steps,
        "walking_distance_m": distance_m,
        "stride_m": round(stride_m, 3),
    }
    return Anomaly(rule=STRIDE_MISMATCH, severity="info", reason=reason, values=values)


RULES: tuple[Rule, ...] = (
    impossible_values,
    workout_low_calories,
    calories_without_activity,
    stride_mismatch,
)


def _name(field: str) -> str:
    return field.removesuffix("_minutes").replace("_", " ")


def _hours(minutes: float) -> str:
    return f"{minutes / 60:,.1f} h"
