"""What the processor remembers of one person, and how a revision of a day is
judged against it. Pure code: the person's values in Quix Streams' state store
are reached through a small ``DayStore``.

Every day the person ever had keeps an entry (the fingerprint of its newest
revision, its calories when worn, the fingerprint of the anomalies last
written for it), so an identical copy of any day, however old, changes
nothing. The entries of the recent days live in one small value, ``Recent``,
which is also what a new day's baseline needs; older ones are filed away in
batches, one value per month. So the usual record (a new day) reads and
writes that one value, and the state store's changelog carries one message
per person per checkpoint instead of one per day. Everything stays in
RocksDB, so memory does not grow with the stream.

Only the revised day is judged again; the days after it keep the judgment
they got with the baseline they saw.
"""

from __future__ import annotations

import math
import sys
import zlib
from array import array
from bisect import bisect_left
from datetime import date
from typing import Any, NamedTuple, Protocol

import orjson

from ourastream.model import Anomaly, DailyRecord, DayAnomalies
from ourastream.rules import baseline, judge
from ourastream.settings import Settings

# A day's entry: [revision fingerprint, total kcal when worn else None,
# fingerprint of the anomalies last written (0: none)].
Entry = list[Any]
NO_ANOMALIES = 0
# Worn days kept in ``Recent`` beyond the baseline's own, so that a revision of
# one of the last days still finds its baseline there.
RECENT_SLACK_DAYS = 4
# Days filed away at once, when ``Recent`` holds that many more than it keeps:
# one write per month touched, every few weeks of a person's days.
FILE_BATCH_DAYS = 32
# ``Recent`` never holds more days than this, even when few of them were worn.
MAX_RECENT_DAYS = 180


class DayStore(Protocol):
    """Where the entries of days filed away live: one value per person and
    month (``YYYY-MM``), a dict of ISO day to entry."""

    def month(self, month: str) -> dict[str, Entry]: ...

    def keep_month(self, month: str, entries: dict[str, Entry]) -> None: ...


class Recent:
    """The person's recent days with their entries, packed in one array of
    doubles, so that storing it after every record costs next to nothing:

        [first, filed, day, revision, kcal, anomalies, day, revision, ...]

    Days are ordinals (``date.toordinal()``) and the rows are in day order.
    ``first`` is the person's oldest day, where a search for earlier days
    stops. ``filed`` is the newest day filed away in its month (0: none):
    every day up to it has its entry there, every later day a row here. kcal
    is NaN for a day not worn. Each value is a whole number under 2**53 or a
    calorie count, which a double holds exactly.
    """

    HEAD = 2
    WIDTH = 4
    __slots__ = ("values",)

    def __init__(self, values: array):
        self.values = values

    @classmethod
    def starting(cls, day: int, entry: Entry) -> Recent:
        """The value of a person's first day."""
        return cls(array("d", [day, 0, day, *_packed(entry)]))

    @classmethod
    def of_rows(
        cls, first: date, filed: date | None, rows: list[tuple[date, Entry]]
    ) -> Recent:
        """A value from readable rows (for tests and tools)."""
        values = array("d", [first.toordinal(), filed.toordinal() if filed else 0])
        for day, entry in rows:
            values.extend([day.toordinal(), *_packed(entry)])
        return cls(values)

    def rows(self) -> list[tuple[date, Entry]]:
        """The rows as days and entries (for tests and tools)."""
        return [
            (date.fromordinal(int(self.values[at])), self.entry(at))
            for at in range(self.HEAD, len(self.values), self.WIDTH)
        ]

    @property
    def first(self) -> date:
        return date.fromordinal(int(self.values[0]))

    @property
    def filed(self) -> date | None:
        return date.fromordinal(int(self.values[1])) if self.values[1] else None

    @property
    def newest(self) -> date:
        return date.fromordinal(int(self.values[-self.WIDTH]))

    def position(self, day: int) -> tuple[int, bool]:
        """Where ``day``'s row is (True) or would go (False): an index into
        ``values``."""
        days = self.values[self.HEAD :: self.WIDTH]
        at = bisect_left(days, day)
        found = at < len(days) and days[at] == day
        return self.HEAD + self.WIDTH * at, found

    def entry(self, at: int) -> Entry:
        """The entry of the row at index ``at`` of ``values``."""
        revision, kcal, anomalies = self.values[at + 1 : at + self.WIDTH]
        return [int(revision), None if kcal != kcal else kcal, int(anomalies)]

    def to_bytes(self) -> bytes:
        if sys.byteorder == "little":
            return self.values.tobytes()
        swapped = array("d", self.values)
        swapped.byteswap()
        return swapped.tobytes()

    @classmethod
    def from_bytes(cls, stored: bytes) -> Recent:
        values = array("d")
        values.frombytes(stored)
        if sys.byteorder != "little":
            values.byteswap()
        return cls(values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Recent) and _same(self.values, other.values)

    def __repr__(self) -> str:
        return f"Recent(first={self.first}, filed={self.filed}, rows={self.rows()})"


class Change(NamedTuple):
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
        days: the person's months of filed days.
        settings: thresholds and baseline size.
    """

    def __init__(self, recent: Recent | None, days: DayStore, settings: Settings):
        self.recent = recent
        self._days = days
        self._settings = settings
        self._months: dict[str, dict[str, Entry]] = {}

    def apply(self, record: DailyRecord) -> Change:
        """Take one revision of a day into account.

        Args:
            record: the normalized day, as parsed from the raw topic.

        Returns:
            What to write to the daily and anomalies topics.
        """
        day = record.day.toordinal()
        body = record.to_json()
        revision = fingerprint(body)
        entry = self._known(day)
        if entry is not None and entry[0] == revision:
            return UNCHANGED

        kcal = record.total_calories if record.worn else None
        anomalies = judge(record, self._baseline_before(day), self._settings)
        current = _anomalies_fingerprint(anomalies)
        self._keep(day, [revision, kcal, current])
        written = entry[2] if entry is not None else NO_ANOMALIES
        if current == written:
            return Change(daily=body)
        day_anomalies = DayAnomalies(
            person=record.person, day=record.day, anomalies=anomalies
        )
        return Change(daily=body, anomalies=day_anomalies.to_json())

    def _known(self, day: int) -> Entry | None:
        """The day's entry; a day after the newest is new without a look-up."""
        recent = self.recent
        if recent is None or day > recent.values[-Recent.WIDTH]:
            return None
        if day <= recent.values[1]:
            iso = _iso(day)
            return self._month(iso[:7]).get(iso)
        at, found = recent.position(day)
        return recent.entry(at) if found else None

    def _baseline_before(self, day: int) -> float | None:
        recent = self.recent
        if recent is None:
            return None
        values, wanted = recent.values, self._settings.baseline_days
        first_kcal = Recent.HEAD + 2
        if day > values[-Recent.WIDTH]:  # a new day, the usual case: the last rows
            end = len(values)
            start = max(first_kcal, end + 2 - Recent.WIDTH * self._kept_worn)
        else:  # a revision or a late day: only the days before it count
            end, start = recent.position(day)[0], first_kcal
        calories = [kcal for kcal in values[start : end : Recent.WIDTH] if kcal == kcal]
        if len(calories) < wanted and start > first_kcal:
            every = values[first_kcal : end : Recent.WIDTH]
            calories = [kcal for kcal in every if kcal == kcal]
        return self._baseline(calories, day, wanted)

    def _baseline(self, calories: list[float], day: int, wanted: int) -> float | None:
        filed = int(self.recent.values[1])
        if len(calories) < wanted and filed:
            start = min(filed, day - 1)
            calories = self._filed_calories(start, wanted - len(calories)) + calories
        return baseline(calories[-wanted:], self._settings)

    def _filed_calories(self, start: int, wanted: int) -> list[float]:
        """The calories of the last ``wanted`` worn days up to ``start``, read
        month by month from the filed days: for a person with many unworn
        days, or a revision of an old day."""
        calories: list[float] = []
        last = _iso(start)
        month, first_month = last[:7], _iso(int(self.recent.values[0]))[:7]
        while month >= first_month and len(calories) < wanted:
            entries = self._month(month)
            for day in sorted(entries, reverse=True):
                if day <= last and entries[day][1] is not None:
                    calories.append(entries[day][1])
            month = _month_before(month)
        calories = calories[:wanted]
        calories.reverse()
        return calories

    def _keep(self, day: int, entry: Entry) -> None:
        recent = self.recent
        if recent is None:
            self.recent = Recent.starting(day, entry)
            return
        values = recent.values
        if day < values[0]:
            values[0] = day
        if day <= values[1]:
            iso = _iso(day)
            entries = self._month(iso[:7])
            entries[iso] = entry
            self._days.keep_month(iso[:7], entries)
        elif day > values[-Recent.WIDTH]:
            values.extend([day, *_packed(entry)])
            if len(values) >= Recent.HEAD + Recent.WIDTH * (
                self._kept_worn + FILE_BATCH_DAYS
            ):
                self._file_away()
        else:
            at, found = recent.position(day)
            row = array("d", [day, *_packed(entry)])
            values[at : at + Recent.WIDTH if found else at] = row

    @property
    def _kept_worn(self) -> int:
        """The worn days ``Recent`` keeps back from its newest: a new day's
        baseline and some slack."""
        return self._settings.baseline_days + RECENT_SLACK_DAYS

    def _file_away(self) -> None:
        """Move the oldest rows of ``Recent`` into their months, keeping the
        rows back to the last ``_kept_worn`` worn days
        (a new day's baseline) and at most ``MAX_RECENT_DAYS`` rows."""
        recent = self.recent
        values = recent.values
        calories = values[Recent.HEAD + 2 :: Recent.WIDTH]
        keep, worn, cut = self._kept_worn, 0, 0
        for at in range(len(calories) - 1, -1, -1):
            if calories[at] == calories[at]:
                worn += 1
                if worn == keep:
                    cut = at
                    break
        cut = max(cut, len(calories) - MAX_RECENT_DAYS)
        if cut < FILE_BATCH_DAYS:
            return  # few worn days lately: wait for a larger batch
        months: dict[str, dict[str, Entry]] = {}
        end = Recent.HEAD + Recent.WIDTH * cut
        for at in range(Recent.HEAD, end, Recent.WIDTH):
            iso = _iso(int(values[at]))
            if iso[:7] not in months:
                months[iso[:7]] = self._month(iso[:7])
            months[iso[:7]][iso] = recent.entry(at)
        for month, entries in months.items():
            self._days.keep_month(month, entries)
        values[1] = values[end - Recent.WIDTH]
        del values[Recent.HEAD : end]

    def _month(self, month: str) -> dict[str, Entry]:
        """A month of filed days, read once per record."""
        entries = self._months.get(month)
        if entries is None:
            entries = self._months[month] = self._days.month(month)
        return entries


class MemoryDays:
    """Months of filed days held in a dict: for tests and tools, not for the
    stream."""

    def __init__(self) -> None:
        self.months: dict[str, dict[str, Entry]] = {}

    def month(self, month: str) -> dict[str, Entry]:
        return dict(self.months.get(month, {}))

    def keep_month(self, month: str, entries: dict[str, Entry]) -> None:
        self.months[month] = dict(entries)


def fingerprint(body: bytes) -> int:
    """A stable 32-bit fingerprint, the same in every process and run. Two
    revisions of one day colliding (one chance in four billion) would make the
    later one count as an identical copy; a small state is worth that risk."""
    return zlib.crc32(body)


def _iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


def _packed(entry: Entry) -> list[float]:
    revision, kcal, anomalies = entry
    return [revision, math.nan if kcal is None else kcal, anomalies]


def _same(a: array, b: array) -> bool:
    """Equal arrays, where NaN (a day not worn) equals NaN."""
    return len(a) == len(b) and all(
        x == y or x != x and y != y for x, y in zip(a, b, strict=True)
    )


def _month_before(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def _anomalies_fingerprint(anomalies: list[Anomaly]) -> int:
    if not anomalies:
        return NO_ANOMALIES
    return fingerprint(orjson.dumps([a.model_dump() for a in anomalies]))
