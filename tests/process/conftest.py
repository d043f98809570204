"""What the processor's integration tests share: feeding the raw topic as the
producer does (key: person, value: the record's bytes, headers ``source`` and
``position``), running ``process`` in this interpreter or as a subprocess, and
reading the final latest value of every key."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import orjson
import pytest
from confluent_kafka import Consumer, Producer

from ourastream import kafka
from ourastream.model import MAX_RECORD_BYTES
from ourastream.process.app import Processor, Tally
from ourastream.settings import Settings
from tests.process.topic_reading import read_to_end, reader_config

OURASTREAM = Path(sys.executable).with_name("ourastream")

Record = tuple[str, bytes]  # (position, the record's bytes)


def records_of(path: Path) -> list[Record]:
    """The records a producer sends from a file: one per line, API pages split
    into their records; empty lines and lines too large for a message are left
    to the producer's own dead letters."""
    # TODO: feed through `ourastream produce` (until issue 3 lands)
    text = path.read_bytes()
    if path.suffix == ".json":
        return _page_records(orjson.loads(text), "page 1")
    records: list[Record] = []
    for number, line in enumerate(text.split(b"\n"), 1):
        if not line.strip() or len(line) > MAX_RECORD_BYTES:
            continue
        records += _line_records(line, f"line {number}")
    return records


def _line_records(line: bytes, position: str) -> list[Record]:
    try:
        page = orjson.loads(line)
    except orjson.JSONDecodeError:
        return [(position, line)]
    if isinstance(page, dict) and isinstance(page.get("data"), list):
        return _page_records(page, position)
    return [(position, line)]


def _page_records(page: dict, position: str) -> list[Record]:
    return [
        (f"{position} record {i}", orjson.dumps(record))
        for i, record in enumerate(page["data"], 1)
    ]


def send(
    settings: Settings, people: Iterable[str], records: list[Record], source: str
) -> int:
    """Write each person's copy of ``records`` to the raw topic, in order.

    Returns:
        How many messages were written.
    """
    kafka.ensure_topics(settings)
    producer = Producer(kafka.client_config(settings, **{"linger.ms": 20}))
    sent = 0
    for person in people:
        for position, value in records:
            headers = [("source", source.encode()), ("position", position.encode())]
            producer.produce(
                settings.topic_raw, key=person.encode(), value=value, headers=headers
            )
            producer.poll(0)
            sent += 1
    assert producer.flush(30) == 0
    return sent


@pytest.fixture
def feed(settings: Settings) -> Callable[..., int]:
    """Send a case file (or the real export) for one or more people."""

    def feed_file(path: Path, people: Iterable[str] = ("me",)) -> int:
        return send(settings, people, records_of(path), path.name)

    return feed_file


def process_here(settings: Settings, idle_exit_s: float = 2.0) -> Tally:
    """Run ``process`` in this interpreter until it is idle, then put the
    signal handlers back (Quix Streams installs its own)."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return Processor(settings).run(idle_exit_s=idle_exit_s)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def start_process(env: dict[str, str], *args: str) -> subprocess.Popen:
    """``ourastream process`` as a subprocess, its stderr kept for the test."""
    return subprocess.Popen(
        [str(OURASTREAM), "process", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def latest(settings: Settings, topic: str) -> dict[bytes, bytes | None]:
    """The latest value of every key, as compaction will leave the topic."""
    consumer = Consumer(kafka.client_config(settings, **reader_config()))
    try:
        return dict(read_to_end(consumer, topic, timeout_s=60))
    finally:
        consumer.close()


def count_messages(settings: Settings, topic: str) -> int:
    consumer = Consumer(kafka.client_config(settings, **reader_config()))
    try:
        return sum(1 for _ in read_to_end(consumer, topic, timeout_s=60))
    finally:
        consumer.close()


def outputs(settings: Settings) -> tuple[dict, dict]:
    """The final daily and anomalies views: latest value of each key."""
    return latest(settings, settings.topic_daily), latest(
        settings, settings.topic_anomalies
    )


def other_outputs(settings: Settings, tag: str) -> Settings:
    """The same raw topic read by another group into topics of its own: a
    reference run to compare against."""
    values = {
        name: value
        for name, value in settings.model_dump().items()
        if value is not None and name != "kafka_home"
    }
    values.update(
        topic_daily=f"{settings.topic_daily}-{tag}",
        topic_anomalies=f"{settings.topic_anomalies}-{tag}",
        topic_deadletter=f"{settings.topic_deadletter}-{tag}",
        consumer_group=f"{settings.consumer_group}-{tag}",
        data_dir=settings.data_dir.with_name(f"data-{tag}"),
    )
    return Settings(**values)
