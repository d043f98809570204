"""The Quix Streams application behind ``ourastream process``: raw records in,
the newest revision of each day, its anomalies and the dead letters out.

Each raw message (key: person) is parsed into a normalized day, checked
against the person's ledger in the state store, and turned into zero to two
messages written to their topics: the day (when it changed), its anomalies
(when they changed) or a dead letter. They go through the application's own
producer, the one each checkpoint flushes (and, with exactly-once, the one
whose transaction it commits), so the outputs, the state store's changelog
and the committed offsets move together: a restart, even after ``kill -9``,
replays from the last checkpoint with the state of that checkpoint and ends
with the same latest value for every key.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson
from quixstreams import Application, State, message_context
from quixstreams.kafka.configuration import ConnectionConfig
from quixstreams.models import Topic
from quixstreams.models.topics.exceptions import TopicNotFoundError
from quixstreams.state.rocksdb import RocksDBOptions

from ourastream import kafka
from ourastream.deadletter import DeadLetter
from ourastream.errors import KafkaError, RecordError
from ourastream.model import parse_record
from ourastream.process.ledger import Change, Entry, Ledger, Recent
from ourastream.settings import Settings

log = logging.getLogger(__name__)

# The person's state: one small value with their recent days (``Recent``), and
# one value per month of older days under MONTH_PREFIX. (Earlier builds kept
# one value per day under other names; state left by them is not read, so
# their days are written once more, with the same values.)
RECENT = b"recent-days"
MONTH_PREFIX = b"month/"
# Bounded RocksDB memory: reads are mostly of the recent values, so a small
# block cache and write buffer hold them while the filed months stay on disk;
# Quix's defaults (1 GiB cache, 64 MiB buffers) would let resident memory creep
# up for no gain.
STATE_BLOCK_CACHE_BYTES = 32 * 1024 * 1024
STATE_WRITE_BUFFER_BYTES = 8 * 1024 * 1024
# An instance that dies without leaving the group (kill -9, a lost machine)
# holds its partitions until its session times out; 10 s instead of Kafka's
# 45 s lets a restart or the other instances take over sooner. The records
# fetched ahead are bounded to 16 MiB (librdkafka's default is 64 MiB): that
# is still a second or more of work, and during a backfill the full 64 MiB
# buffer was most of the difference between the processor's memory while it
# catches up and once it has caught up.
CONSUMER_CONFIG = {
    "session.timeout.ms": 10_000,
    "heartbeat.interval.ms": 2_000,
    "queued.max.messages.kbytes": 16_384,
}
# How long a topic just created may stay missing from the broker's listing.
NEW_TOPIC_WAIT_S = 30
# Fewer, larger produce requests: librdkafka's 5 ms linger sends a request per
# few hundred messages, and on a small machine the broker's work per request
# costs the processor CPU. Delivery is still confirmed before each checkpoint
# commits, so the guarantees are unchanged; a day reaches its topic up to
# 100 ms later.
PRODUCER_CONFIG = {"linger.ms": 100, "batch.size": 1_000_000}
# People whose ``Recent`` is kept decoded between their records. Each is checked
# against the bytes in the state store before use, so the store stays the truth
# (after a rebalance, a recovery or an aborted checkpoint the bytes differ and
# it is decoded again); the bound only limits memory.
RECENT_CACHE_PEOPLE = 20_000


class Output(NamedTuple):
    """One message to write: where, under which key, and with which headers."""

    topic: Topic
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass
class Tally:
    """What one run did, for the closing summary."""

    records: int = 0
    days_written: int = 0
    copies_ignored: int = 0
    anomalies_written: int = 0
    dead_letters: int = 0

    def summary(self) -> str:
        return (
            f"{self.records:,} records: {self.days_written:,} days written, "
            f"{self.copies_ignored:,} identical copies ignored, "
            f"{self.anomalies_written:,} anomaly updates, "
            f"{self.dead_letters:,} dead letters"
        )


class Processor:
    """The stream processor: builds the Quix Streams application and judges
    each raw record.

    Args:
        settings: topics, consumer group, guarantee, state folder, thresholds.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.tally = Tally()
        self._recent: dict[bytes, tuple[bytes, Recent]] = {}
        deadline = time.monotonic() + NEW_TOPIC_WAIT_S
        while True:
            try:
                self._build()
                break
            except TopicNotFoundError as exc:
                # Quix Streams creates the state store's changelog topic and
                # reads it back at once; a broker that has just started may
                # not list a new topic yet. Built again, it finds it.
                if time.monotonic() > deadline:
                    raise KafkaError(
                        f"{exc}: the broker does not list a topic it created "
                        f"{NEW_TOPIC_WAIT_S:.0f} s ago. Is it overloaded?"
                    ) from None
                log.info("%s yet; trying again", exc)
                time.sleep(1)

    def _build(self) -> None:
        """The application, its topics and its dataframe."""
        settings = self.settings
        self.app = self._application()
        self.raw = self._topic(settings.topic_raw)
        self.daily = self._topic(settings.topic_daily)
        self.anomalies = self._topic(settings.topic_anomalies)
        self.deadletter = self._topic(settings.topic_deadletter)
        self._build_dataframe()

    def run(self, idle_exit_s: float = 0.0) -> Tally:
        """Process until stopped (SIGINT, SIGTERM) or idle for ``idle_exit_s``.

        Args:
            idle_exit_s: stop after this many seconds without a new record;
                0 runs until stopped.

        Returns:
            What this run did.
        """
        log.info(
            "processing %s into %s, %s and %s (group %s, %s)",
            self.settings.topic_raw,
            self.settings.topic_daily,
            self.settings.topic_anomalies,
            self.settings.topic_deadletter,
            self.settings.consumer_group,
            self.settings.processing_guarantee,
        )
        self.app.run(timeout=idle_exit_s, collect=False)
        log.info("stopped after %s", self.tally.summary())
        return self.tally

    def stop(self) -> None:
        """Ask the processing loop to stop after the current message."""
        self.app.stop()

    def on_raw(
        self, value: bytes, key: bytes | None, ts: int, headers: Any, state: State
    ) -> None:
        """Judge one raw message and write what it changes.

        Args:
            value: the record's bytes as received.
            key: the person (raw topic key).
            ts: the raw message's timestamp (ms), which the outputs keep.
            headers: the raw message's headers (``source``, ``position``).
            state: this person's state.
        """
        for output in self.outputs_of(value, key, headers, state):
            self._producer.produce(
                topic=output.topic.name,
                key=output.key,
                value=output.value,
                headers=output.headers,
                timestamp=ts,
            )

    def outputs_of(
        self, value: bytes, key: bytes | None, headers: Any, state: State
    ) -> list[Output]:
        """The messages one raw message makes: zero to two outputs, or one
        dead letter."""
        self.tally.records += 1
        origin = _origin(headers)
        try:
            person = _person(key)
            record = parse_record(value, person, self.settings.min_wear_ratio)
        except RecordError as exc:
            return [self._dead_letter(value, key, str(exc), origin)]

        ledger = Ledger(self._recent_of(key, state), StateDays(state), self.settings)
        change = ledger.apply(record)
        if change.daily is None:
            self.tally.copies_ignored += 1
            return []
        self._store_recent(key, ledger.recent, state)
        return self._outputs(record.key.encode(), change, origin)

    def _recent_of(self, key: bytes, state: State) -> Recent | None:
        """The person's ``Recent`` as stored: the decoded copy kept from the
        last record when the store still holds exactly the bytes it came from."""
        stored = state.get_bytes(RECENT)
        if stored is None:
            return None
        cached = self._recent.get(key)
        if cached is not None and cached[0] == stored:
            return cached[1]
        return Recent.from_bytes(stored)

    def _store_recent(self, key: bytes, recent: Recent, state: State) -> None:
        stored = recent.to_bytes()
        state.set_bytes(RECENT, stored)
        if key not in self._recent and len(self._recent) >= RECENT_CACHE_PEOPLE:
            del self._recent[next(iter(self._recent))]
        self._recent[key] = (stored, recent)

    def _outputs(
        self, day_key: bytes, change: Change, origin: list[tuple[str, bytes]]
    ) -> list[Output]:
        self.tally.days_written += 1
        outputs = [Output(self.daily, day_key, change.daily, origin)]
        if change.anomalies is not None:
            self.tally.anomalies_written += 1
            outputs.append(Output(self.anomalies, day_key, change.anomalies, origin))
        return outputs

    def _dead_letter(
        self,
        value: bytes,
        key: bytes | None,
        reason: str,
        origin: list[tuple[str, bytes]],
    ) -> Output:
        self.tally.dead_letters += 1
        context = message_context()
        headers = dict(origin)
        letter = DeadLetter(
            payload=value or b"",
            reason=reason,
            stage="process",
            source=_text(headers.get("source")),
            position=_text(headers.get("position")),
            topic=context.topic,
            partition=context.partition,
            offset=context.offset,
        )
        log.debug("dead letter at %s: %s", letter.position, reason)
        return Output(self.deadletter, key or b"", letter.value(), letter.headers())

    def _application(self) -> Application:
        settings = self.settings
        config = kafka.client_config(settings)
        config.pop("logger", None)
        return Application(
            broker_address=ConnectionConfig.from_librdkafka_dict(config),
            consumer_group=settings.consumer_group,
            auto_offset_reset="earliest",
            processing_guarantee=settings.processing_guarantee,
            state_dir=settings.data_dir / "state",
            rocksdb_options=RocksDBOptions(
                block_cache_size=STATE_BLOCK_CACHE_BYTES,
                write_buffer_size=STATE_WRITE_BUFFER_BYTES,
            ),
            consumer_extra_config=CONSUMER_CONFIG,
            producer_extra_config=PRODUCER_CONFIG,
            loglevel=None,
        )

    def _topic(self, name: str) -> Topic:
        return self.app.topic(
            name,
            key_deserializer="bytes",
            value_deserializer="bytes",
            key_serializer="bytes",
            value_serializer="bytes",
        )

    def _build_dataframe(self) -> None:
        # Writing from the function, not through expand, set_headers and
        # to_topic, spares Quix's per-output rows (about a tenth of the time in
        # py-spy); it is the same producer, flushed (or, with exactly-once,
        # committed) by each checkpoint before the offsets.
        self._producer = self.app._producer  # noqa: SLF001
        sdf = self.app.dataframe(self.raw)
        sdf.update(self.on_raw, stateful=True, metadata=True)


class StateDays:
    """A person's months of filed days in the state store."""

    def __init__(self, state: State):
        self._state = state

    def month(self, month: str) -> dict[str, Entry]:
        stored = self._state.get_bytes(MONTH_PREFIX + month.encode())
        return orjson.loads(stored) if stored is not None else {}

    def keep_month(self, month: str, entries: dict[str, Entry]) -> None:
        self._state.set_bytes(MONTH_PREFIX + month.encode(), orjson.dumps(entries))


def _person(key: bytes | None) -> str:
    if not key:
        raise RecordError("no person: the raw message has no key")
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordError(f"the person (message key) is not UTF-8: {key!r}") from None


def _origin(headers: Any) -> list[tuple[str, bytes]]:
    """The raw message's ``source`` and ``position`` headers, carried along."""
    if not headers:
        return []
    return [(k, v) for k, v in headers if k in ("source", "position")]


def _text(value: bytes | None) -> str | None:
    return value.decode("utf-8", "replace") if value is not None else None
