"""What the processor remembers of one person, and how a revision of a day is
judged against it. Pure code: the person's values in Quix Streams' state store
are reached through a small ``DayStore``.

Every day the person ever had keeps an entry of its own (the fingerprint of
its newest revision, its calories when worn, the fingerprint of the anomalies
last written for it), so an identical copy of any day, however old, changes
nothing. Beside them, one small value, ``Recent``, holds the newest day and
the calories of the last worn days: what a new day's baseline needs. Both stay
on disk in RocksDB, so memory does not grow with the stream.

Only the revised day is judged again; the days after it keep the judgment
they got with the baseline they saw.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Protocol

import orjson

from ourastream.model import Anomaly, DailyRecord, DayAnomalies
from ourastream.rules import baseline, judge
from ourastream.settings import Settings

# A day's entry: [revision fingerprint, total kcal when worn else None,
# fingerprint of the anomalies last written (0: none)].
Entry = list[Any]
NO_ANOMALIES = 0
# Worn days kept in ``Recent`` beyond the baseline's own, so that a revision of
# one of the last days still finds its baseline there; trimmed in steps, not on
# every new day.
RECENT_SLACK_DAYS = 4


class DayStore(Protocol):
    """Where each day's entry lives: the person's state in the processor."""

    def entry(self, day: str) -> Entry | None: ...

    def keep(self, day: str, entry: Entry) -> None: ...


@dataclass
class Recent:
    """The person's newest day and the calories of their last worn days.

    Attributes:
        first: the person's oldest day, where a search for earlier days stops.
        newest: the person's newest day.
        worn: ``[day, kcal]`` of every worn day later than ``after``, in day
            order.
        after: the day before which ``worn`` is incomplete (None: ``worn``
            holds every worn day the person ever had).
    """

    first: str
    newest: str
    worn: list[list[Any]] = field(default_factory=list)
    after: str | None = None

    def to_json(self) -> bytes:
        return orjson.dumps([self.first, self.newest, self.worn, self.after])

    @classmethod
    def from_json(cls, stored: bytes) -> Recent:
        first, newest, worn, after = orjson.loads(stored)
        return cls(first, newest, worn, after)


@dataclass(frozen=True)
class Change:
    """What one revision changes in the output topics.

    Attributes:
        daily: the normalized day to write, or None for an identical copy.
        anomalies: the day's anomalies to write (an empty list withdraws
            earlier ones), or None when they stay as they are.
    """

    daily: bytes | None = None
    anomalies: bytes | None = None


UNCHANGED = Change()


class Ledger:
    """One person's days, as the processor remembers them.

    Args:
        recent: the person's ``Recent`` as stored, or None for a person seen
            for the first time. It is updated in place (see ``recent``).
        days: the person's day entries.
        settings: thresholds and baseline size.
    """

    def __init__(self, recent: Recent | None, days: DayStore, settings: Settings):
        self.recent = recent
        self._days = days
        self._settings = settings

    def apply(self, record: DailyRecord) -> Change:
        """Take one revision of a day into account.

        Args:
            record: the normalized day, as parsed from the raw topic.

        Returns:
            What to write to the daily and anomalies topics.
        """
        day = record.day.isoformat()
        body = record.to_json()
        revision = fingerprint(body)
        entry = self._known(day)
        if entry is not None and entry[0] == revision:
            return UNCHANGED

        kcal = record.total_calories if record.worn else None
        anomalies = judge(record, self._baseline_before(day), self._settings)
        current = _anomalies_fingerprint(anomalies)
        self._days.keep(day, [revision, kcal, current])
        self._remember(day, kcal)
        written = entry[2] if entry is not None else NO_ANOMALIES
        if current == written:
            return Change(daily=body)
        day_anomalies = DayAnomalies(
            person=record.person, day=record.day, anomalies=anomalies
        )
        return Change(daily=body, anomalies=day_anomalies.to_json())

    def _known(self, day: str) -> Entry | None:
        """The day's entry; a day after the newest is new without a look-up."""
        if self.recent is None or day > self.recent.newest:
            return None
        return self._days.entry(day)

    def _baseline_before(self, day: str) -> float | None:
        wanted = self._settings.baseline_days
        recent = self.recent
        if recent is None:
            return None
        if day > recent.newest:  # a new day, the usual case: all are earlier
            calories = [kcal for _, kcal in recent.worn[-wanted:]]
        else:
            calories = [kcal for earlier, kcal in recent.worn if earlier < day]
        if len(calories) < wanted and recent.after is not None:
            calories = self._earlier_calories(day, wanted)
        return baseline(calories[-wanted:], self._settings)

    def _earlier_calories(self, day: str, wanted: int) -> list[float]:
        """The calories of the last ``wanted`` worn days before ``day``, read
        day by day from the entries: only for a revision of an old day."""
        calories: list[float] = []
        earlier = _day_before(day)
        while earlier >= self.recent.first and len(calories) < wanted:
            entry = self._days.entry(earlier)
            if entry is not None and entry[1] is not None:
                calories.append(entry[1])
            earlier = _day_before(earlier)
        calories.reverse()
        return calories

    def _remember(self, day: str, kcal: float | None) -> None:
        recent = self.recent
        if recent is None:
            worn = [[day, kcal]] if kcal is not None else []
            self.recent = Recent(first=day, newest=day, worn=worn)
            return
        recent.first = min(recent.first, day)
        if recent.after is not None and day <= recent.after:
            return  # older than what ``worn`` holds: the entry alone says it
        if day > recent.newest:
            recent.newest = day
            if kcal is not None:
                recent.worn.append([day, kcal])
            self._trim()
            return
        worn = [pair for pair in recent.worn if pair[0] != day]
        if kcal is not None:
            worn.append([day, kcal])
            worn.sort()
        recent.worn = worn

    def _trim(self) -> None:
        """Keep ``worn`` bounded: drop its oldest days, past the baseline."""
        recent = self.recent
        keep = self._settings.baseline_days + RECENT_SLACK_DAYS
        if len(recent.worn) <= keep + RECENT_SLACK_DAYS:
            return
        dropped = recent.worn[: len(recent.worn) - keep]
        recent.after = dropped[-1][0]
        del recent.worn[: len(dropped)]


class MemoryDays:
    """Day entries held in a dict: for tests and tools, not for the stream."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}

    def entry(self, day: str) -> Entry | None:
        return self.entries.get(day)

    def keep(self, day: str, entry: Entry) -> None:
        self.entries[day] = entry


def fingerprint(body: bytes) -> int:
    """A stable 32-bit fingerprint, the same in every process and run. Two
    revisions of one day colliding (one chance in four billion) would make the
    later one count as an identical copy; a small state is worth that risk."""
    return zlib.crc32(body)


@lru_cache(maxsize=4096)
def _day_before(day: str) -> str:
    """The ISO day before ``day``; memoized, since revisions of old days
    search the same stretch of days."""
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def _anomalies_fingerprint(anomalies: list[Anomaly]) -> int:
    if not anomalies:
        return NO_ANOMALIES
    return fingerprint(orjson.dumps([a.model_dump() for a in anomalies]))
