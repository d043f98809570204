"""Pacing records into the raw topic and accounting for every one of them.

An idempotent producer with ``acks=all``: a record counts as sent only when
its delivery report says the broker stored it. Unusable records go to the
dead-letter topic with their reason. SIGINT and SIGTERM stop the reading;
what was handed to the client is still flushed, and the summary says how far
the run got. A second signal exits at once.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from confluent_kafka import Producer

from ourastream import kafka
from ourastream.deadletter import DeadLetter
from ourastream.errors import KafkaError, RecordError
from ourastream.produce.sources import Record
from ourastream.produce.spans import without_members
from ourastream.produce.validate import examine
from ourastream.settings import Settings

log = logging.getLogger(__name__)

INTRADAY_FIELDS = ("class_5_min", "met")
# Serving delivery reports while waiting keeps the client's queue moving.
POLL_SLICE_S = 0.1
FLUSH_SLICE_S = 0.5
# Serve delivery reports every this many records (a full queue serves them too).
POLL_EVERY = 64


@dataclass(frozen=True)
class Pace:
    """How fast records go out: a fixed ``interval_s`` between records, or
    ``days_per_s`` of the records' own calendar, or (neither) at once."""

    interval_s: float | None = None
    days_per_s: float | None = None

    def wait_s(self, day: str, previous_day: str | None) -> float:
        """Seconds to wait before sending a record of ``day``."""
        if self.interval_s is not None:
            return self.interval_s if previous_day is not None else 0.0
        if self.days_per_s is None or previous_day is None or day <= previous_day:
            return 0.0
        elapsed = date.fromisoformat(day) - date.fromisoformat(previous_day)
        return elapsed.days / self.days_per_s


@dataclass(frozen=True)
class Options:
    """What ``produce`` was asked to do besides reading its inputs."""

    person: str
    pace: Pace = field(default_factory=Pace)
    from_day: str | None = None
    to_day: str | None = None
    drop_intraday: bool = False


@dataclass
class Tally:
    """What happened to the records of one run.

    The client reports only failed deliveries: once it has flushed, every
    record handed to it and not reported failed was acknowledged by the
    brokers (``acks=all``).
    """

    handed: int = 0
    handed_bytes: int = 0
    dead_handed: int = 0
    failed_raw: int = 0
    failed_raw_bytes: int = 0
    failed_dead: int = 0
    unconfirmed: int = 0
    blank: int = 0
    outside_days: int = 0
    last: Record | None = None
    stopped_by: str | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def sent(self) -> int:
        """Records the raw topic acknowledged (once flushed)."""
        return self.handed - self.failed_raw - self.unconfirmed

    @property
    def bytes_sent(self) -> int:
        """Bytes of the values the raw topic acknowledged."""
        return self.handed_bytes - self.failed_raw_bytes

    @property
    def dead_letters(self) -> int:
        """Dead letters the dead-letter topic acknowledged."""
        return self.dead_handed - self.failed_dead

    @property
    def failed(self) -> int:
        """Records and dead letters that finally failed delivery."""
        return self.failed_raw + self.failed_dead

    @property
    def complete(self) -> bool:
        """Every usable record (and every dead letter) was delivered."""
        return not (self.failed or self.unconfirmed or self.stopped_by)

    @property
    def last_position(self) -> str:
        """Where the last record read came from, e.g. ``export.jsonl line 12``."""
        if self.last is None:
            return "the start"
        return f"{self.last.source} {self.last.position}"

    def summary(self, raw_topic: str, deadletter_topic: str, seconds: float) -> str:
        """One paragraph for the person who ran ``produce``."""
        rate = self.sent / seconds if seconds > 0 else 0.0
        lines = [
            f"sent {self.sent:,} records to {raw_topic} ({self.bytes_sent / 1e6:,.1f}"
            f" MB, {seconds:.1f} s, {rate:,.0f} records/s)",
            f"dead letters {self.dead_letters:,} to {deadletter_topic}",
            f"failed {self.failed:,}",
        ]
        if self.blank:
            lines.append(f"blank lines skipped {self.blank:,}")
        if self.outside_days:
            lines.append(f"outside --from-day/--to-day {self.outside_days:,}")
        if self.stopped_by:
            lines.append(f"stopped by {self.stopped_by} after {self.last_position}")
        lines.extend(f"not delivered: {failure}" for failure in self.failures[:10])
        return "\n".join(lines)


class RawProducer:
    """Sends records to the raw topic and dead letters to theirs."""

    def __init__(
        self, settings: Settings, options: Options, delivery_timeout_s: float = 120
    ) -> None:
        self.settings = settings
        self.options = options
        self.tally = Tally()
        self._client = Producer(
            kafka.client_config(
                settings,
                **{
                    "enable.idempotence": True,
                    "acks": "all",
                    "linger.ms": 5,
                    "delivery.timeout.ms": int(delivery_timeout_s * 1000),
                    "delivery.report.only.error": True,
                },
            )
        )
        self._default_key = options.person.encode()
        self._previous_day: str | None = None
        self._signals = 0
        self._source_headers: dict[str, bytes] = {}
        self._bounded = options.from_day is not None or options.to_day is not None
        pace = options.pace
        self._paced = pace.interval_s is not None or pace.days_per_s is not None

    def run(
        self, records: Iterable[Record], on_record: Callable[[], None] | None = None
    ) -> Tally:
        """Send every record, then flush; stops early on SIGINT or SIGTERM.

        Args:
            records: the inputs, in order.
            on_record: called after each record is handed over (progress).

        Returns:
            The tally; ``complete`` says whether the run may exit 0.
        """
        restore = self._catch_signals()
        try:
            for record in records:
                if self.tally.stopped_by:
                    break
                self._send(record)
                if on_record is not None:
                    on_record()
        finally:
            self.flush()
            restore()
        return self.tally

    def flush(self) -> None:
        """Wait for every delivery (a second signal cuts it short)."""
        while len(self._client) > 0:
            self._client.flush(FLUSH_SLICE_S)
        self.tally.unconfirmed = len(self._client)

    def _send(self, record: Record) -> None:
        self.tally.last = record
        if record.problem is not None:
            self._dead_letter(record, record.problem)
            return
        try:
            person, day = examine(record.value, self.options.person)
        except RecordError as exc:
            self._unusable(record, exc)
            return
        if self._bounded and not self._in_days(day):
            self.tally.outside_days += 1
            return
        if self._paced:
            self._wait(self.options.pace.wait_s(day, self._previous_day))
            self._previous_day = day
        self._produce(record, person)

    def _unusable(self, record: Record, exc: RecordError) -> None:
        if record.value.strip():
            self._dead_letter(record, str(exc))
        else:
            self.tally.blank += 1  # nothing was lost: no dead letter needed

    def _in_days(self, day: str) -> bool:
        first, last = self.options.from_day, self.options.to_day
        return (first is None or day >= first) and (last is None or day <= last)

    def _produce(self, record: Record, person: str) -> None:
        value = record.value
        if self.options.drop_intraday and (b'"met"' in value or b"class_5" in value):
            value = without_members(value, INTRADAY_FIELDS)
        key = self._default_key if person == self.options.person else person.encode()
        source = self._source_headers.get(record.source)
        if source is None:
            source = self._source_headers[record.source] = record.source.encode()
        headers = [("source", source), ("position", record.position.encode())]
        self._hand_over(
            self.settings.topic_raw, key, value, headers, record, dead=False
        )

    def _dead_letter(self, record: Record, reason: str) -> None:
        log.debug("dead letter at %s %s: %s", record.source, record.position, reason)
        letter = DeadLetter(
            payload=record.value,
            reason=reason,
            stage="produce",
            source=record.source,
            position=record.position,
        )
        self._hand_over(
            self.settings.topic_deadletter,
            self._default_key,
            letter.value(),
            letter.headers(),
            record,
            dead=True,
        )

    def _hand_over(self, topic, key, value, headers, record, dead: bool) -> None:
        # Called only when delivery finally fails (delivery.report.only.error).
        report = partial(self._failed, record, dead)
        while True:
            try:
                self._client.produce(
                    topic, value, key, headers=headers, on_delivery=report
                )
                break
            except BufferError:
                # The client's queue is full: serve reports until it drains.
                self._client.poll(POLL_SLICE_S)
            except Exception as exc:  # the client's own errors, translated here
                raise KafkaError(
                    f"Cannot send {record.source} {record.position} to {topic}: {exc}"
                ) from exc
        if dead:
            self.tally.dead_handed += 1
            return
        self.tally.handed += 1
        self.tally.handed_bytes += len(value)
        if self.tally.handed % POLL_EVERY == 0:
            self._client.poll(0)

    def _failed(self, record: Record, dead: bool, error, message) -> None:
        if error is None:
            return
        if dead:
            self.tally.failed_dead += 1
        else:
            self.tally.failed_raw += 1
            self.tally.failed_raw_bytes += len(message)
        where = f"{record.source} {record.position}"
        self.tally.failures.append(f"{where}: {error.str()}")
        log.error("not delivered: %s: %s", where, error.str())

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.tally.stopped_by:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._client.poll(min(left, POLL_SLICE_S))

    def _catch_signals(self) -> Callable[[], None]:
        previous = {
            sig: signal.signal(sig, self._on_signal)
            for sig in (signal.SIGINT, signal.SIGTERM)
        }

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        return restore

    def _on_signal(self, signum: int, _frame) -> None:
        self._signals += 1
        if self._signals > 1:
            raise SystemExit(128 + signum)
        self.tally.stopped_by = signal.Signals(signum).name
        log.warning(
            "%s: stopping after %s; flushing what was sent",
            self.tally.stopped_by,
            self.tally.last_position,
        )


def chain_inputs(inputs: Iterable, forced: str, loop: bool) -> Iterator[Record]:
    """Every record of every input, once or (``loop``) again and again."""
    while True:
        for source in inputs:
            yield from source.records(forced)
        if not loop:
            return
