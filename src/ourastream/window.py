"""A person's days and the rolling window over them. Pure code: the
processor's ``window`` command, the dashboard and the chart all build their
view with it from the daily and anomalies topics.

The window is the calendar days ``[end - size + 1, end]``, ending at the
newest day seen for the person unless another end is asked for. A missing
day is a slot without a record: a gap, never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import orjson

from ourastream.model import Anomaly, DailyRecord, DayAnomalies

WINDOW_DAYS = 15
SLOT_FIELDS = (
    "total_calories",
    "active_calories",
    "high_activity_minutes",
    "steps",
    "wear_ratio",
    "worn",
)


@dataclass(frozen=True)
class Slot:
    """One calendar day of a window: its record, or None for a gap."""

    day: date
    record: DailyRecord | None
    anomalies: tuple[Anomaly, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The slot as JSON-ready values; a gap has nulls, never zeros."""
        row: dict[str, Any] = {"day": self.day.isoformat()}
        for name in SLOT_FIELDS:
            row[name] = getattr(self.record, name) if self.record else None
        row["anomalies"] = [a.model_dump(mode="json") for a in self.anomalies]
        return row


@dataclass
class PersonDays:
    """The newest revision of each of one person's days, and their anomalies."""

    days: dict[date, DailyRecord] = field(default_factory=dict)
    anomalies: dict[date, tuple[Anomaly, ...]] = field(default_factory=dict)

    @property
    def newest_day(self) -> date | None:
        return max(self.days) if self.days else None

    def window(self, end: date | None = None, size: int = WINDOW_DAYS) -> list[Slot]:
        """The ``size`` calendar days ending at ``end``, oldest first.

        Args:
            end: the last day; defaults to the newest day seen.
            size: how many calendar days.

        Returns:
            One slot per calendar day; empty when no day was seen and no end
            was given.
        """
        end = end or self.newest_day
        if end is None:
            return []
        first = end - timedelta(days=size - 1)
        return [self._slot(first + timedelta(days=i)) for i in range(size)]

    def _slot(self, day: date) -> Slot:
        return Slot(day, self.days.get(day), self.anomalies.get(day, ()))


class Views:
    """Every person's days, built by applying the messages of the daily and
    anomalies topics in order (later messages replace earlier ones, as
    compaction would)."""

    def __init__(self) -> None:
        self._people: dict[str, PersonDays] = {}

    def people(self) -> list[str]:
        return sorted(self._people)

    def person(self, person: str) -> PersonDays:
        return self._people.get(person) or PersonDays()

    def apply_daily(self, key: bytes | str, value: bytes | None) -> tuple[str, date]:
        """Apply one message of the daily topic; a null value deletes the day.

        Returns:
            The person and day that changed.
        """
        person, day = split_key(key)
        days = self._people.setdefault(person, PersonDays()).days
        if value is None:
            days.pop(day, None)
        else:
            days[day] = DailyRecord.model_validate(orjson.loads(value))
        return person, day

    def apply_anomalies(
        self, key: bytes | str, value: bytes | None
    ) -> tuple[str, date]:
        """Apply one message of the anomalies topic; an empty list or a null
        value withdraws the day's anomalies."""
        person, day = split_key(key)
        anomalies = self._people.setdefault(person, PersonDays()).anomalies
        parsed = DayAnomalies.model_validate(orjson.loads(value)) if value else None
        if parsed and parsed.anomalies:
            anomalies[day] = tuple(parsed.anomalies)
        else:
            anomalies.pop(day, None)
        return person, day


def split_key(key: bytes | str) -> tuple[str, date]:
    """``person/day`` back into its parts (a person's name may hold ``/``)."""
    text = key.decode() if isinstance(key, bytes) else key
    person, _, day = text.rpartition("/")
    return person, date.fromisoformat(day)
