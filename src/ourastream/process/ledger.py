"""What the processor remembers of one person: for each recent day, a
fingerprint of its newest revision, its calories when worn, and a fingerprint
of the anomalies last written for it. Pure code, kept as plain JSON values so
that it lives in Quix Streams' state store (and its changelog) as one value
per person.

The ledger stays bounded however long the stream: it keeps the days within
``revision_horizon_days`` of the person's newest day, plus the last
``baseline_days`` worn days before them (what the oldest of those days needs
for its baseline). A revision of a day older than that is still written to the
daily topic, but is not judged again.

Only the revised day is judged again; the days after it keep the judgment
they got with the baseline they saw.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import orjson

from ourastream.model import Anomaly, DailyRecord, DayAnomalies
from ourastream.rules import baseline, judge
from ourastream.settings import Settings

# An entry is [revision fingerprint, total kcal when worn else None], followed
# by the fingerprint of the anomalies last written when there are any. Entries
# are kept in day order, so the baseline is read from the end without sorting.
Entry = list[Any]
NO_ANOMALIES = 0
# Prune a little past the bound, not on every new day: sorting is the cost.
PRUNE_SLACK_DAYS = 8


@dataclass(frozen=True)
class Change:
    """What one revision changes in the output topics.

    Attributes:
        daily: the normalized day to write, or None for an identical copy.
        anomalies: the day's anomalies to write (an empty list withdraws
            earlier ones), or None when they stay as they are.
        beyond_horizon: the day is older than the revision horizon, so it was
            written without being deduplicated or judged again.
    """

    daily: bytes | None = None
    anomalies: bytes | None = None
    beyond_horizon: bool = False


UNCHANGED = Change()


class Ledger:
    """One person's recent days, as the processor remembers them.

    Args:
        entries: the ledger as stored (day ISO string to entry), or None for
            a person seen for the first time. It is updated in place.
        settings: thresholds, baseline size and revision horizon.
    """

    def __init__(self, entries: dict[str, Entry] | None, settings: Settings):
        self.entries: dict[str, Entry] = entries if entries is not None else {}
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
        entry = self.entries.get(day)
        if entry is not None and entry[0] == revision:
            return UNCHANGED

        kcal = _baseline_calories(record)
        newest = max(day, next(reversed(self.entries), day))
        if day < self._cutoff(newest):
            if entry is not None:
                entry[0], entry[1] = revision, kcal
            return Change(daily=body, beyond_horizon=True)

        anomalies = judge(record, self._baseline_before(day), self._settings)
        written = entry[2] if entry is not None and len(entry) > 2 else NO_ANOMALIES
        current = _anomalies_fingerprint(anomalies)
        self._store(day, [revision, kcal, current] if current else [revision, kcal])
        self._prune(newest)
        if current == written:
            return Change(daily=body)
        day_anomalies = DayAnomalies(
            person=record.person, day=record.day, anomalies=anomalies
        )
        return Change(daily=body, anomalies=day_anomalies.to_json())

    def _store(self, day: str, entry: Entry) -> None:
        """Keep the entries in day order: a new newest day goes at the end;
        a day that arrives late (rare) puts them in order again."""
        late = day not in self.entries and day < next(reversed(self.entries), day)
        self.entries[day] = entry
        if late:
            self.entries = dict(sorted(self.entries.items()))

    def _cutoff(self, newest: str) -> str:
        """The oldest day still within the revision horizon."""
        return _days_before(newest, self._settings.revision_horizon_days)

    def _baseline_before(self, day: str) -> float | None:
        wanted = self._settings.baseline_days
        calories = []
        for earlier in reversed(self.entries):
            kcal = self.entries[earlier][1]
            if earlier < day and kcal is not None:
                calories.append(kcal)
                if len(calories) == wanted:
                    break
        calories.reverse()
        return baseline(calories, self._settings)

    def _prune(self, newest: str) -> None:
        """Forget days the ledger no longer needs, keeping it bounded."""
        settings = self._settings
        bound = settings.revision_horizon_days + 1 + settings.baseline_days
        if len(self.entries) <= bound + PRUNE_SLACK_DAYS:
            return
        cutoff = self._cutoff(newest)
        older = [d for d in self.entries if d < cutoff]
        worn = [d for d in older if self.entries[d][1] is not None]
        keep = set(worn[-settings.baseline_days :])
        for day in older:
            if day not in keep:
                del self.entries[day]


def fingerprint(body: bytes) -> int:
    """A stable 32-bit fingerprint, the same in every process and run. Two
    revisions of one day colliding (one chance in four billion) would make the
    later one count as an identical copy; a small state is worth that risk."""
    return zlib.crc32(body)


@lru_cache(maxsize=4096)
def _days_before(day: str, days: int) -> str:
    """The ISO day ``days`` before ``day``; memoized, since the people of one
    stream share a handful of newest days at any time."""
    return (date.fromisoformat(day) - timedelta(days=days)).isoformat()


def _baseline_calories(record: DailyRecord) -> float | None:
    """The day's calories as a baseline value: None when not worn or unknown."""
    return record.total_calories if record.worn else None


def _anomalies_fingerprint(anomalies: list[Anomaly]) -> int:
    if not anomalies:
        return NO_ANOMALIES
    return fingerprint(orjson.dumps([a.model_dump() for a in anomalies]))
