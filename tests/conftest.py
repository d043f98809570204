"""Fixtures shared by the whole suite.

Integration tests (marker ``kafka``) talk to a real Apache Kafka broker: the
one named by ``OURASTREAM_BOOTSTRAP_SERVERS`` when set (CI starts it through
``ourastream broker start``), else one this fixture starts itself, through the
project's own broker code, on free ports in a temporary folder. Each test gets
topics and a consumer group of its own, so tests never see each other's data.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from ourastream import kafka
from ourastream.broker import LocalBroker
from ourastream.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared"
CASES = SHARED / "cases"
REAL_EXPORT = SHARED / "data" / "oura-daily-activity.jsonl"


def free_port() -> int:
    """A port the OS says is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No OURASTREAM_* variables, no KAFKA_HOME, and no .env in the way."""
    for name in list(os.environ):
        if name.startswith("OURASTREAM_") or name == "KAFKA_HOME":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def local_broker_settings(data_dir: Path, **extra) -> Settings:
    """Settings for a local broker of a test's own, on free ports."""
    return Settings(
        bootstrap_servers=None,
        data_dir=data_dir,
        broker_port=free_port(),
        controller_port=free_port(),
        **extra,
    )


@pytest.fixture(scope="session")
def bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a running broker: reused when the environment names one."""
    existing = os.environ.get("OURASTREAM_BOOTSTRAP_SERVERS")
    if existing:
        yield existing
        return
    runner = LocalBroker(local_broker_settings(tmp_path_factory.mktemp("broker")))
    runner.start()
    try:
        yield runner.address
    finally:
        runner.stop()


@pytest.fixture
def settings(bootstrap: str, tmp_path: Path) -> Settings:
    """Settings for one test: the shared broker, unique topics and group."""
    unique = uuid.uuid4().hex[:10]
    return Settings(
        bootstrap_servers=bootstrap,
        data_dir=tmp_path / "data",
        topic_raw=f"test-{unique}.raw",
        topic_daily=f"test-{unique}.daily",
        topic_anomalies=f"test-{unique}.anomalies",
        topic_deadletter=f"test-{unique}.deadletter",
        consumer_group=f"test-{unique}",
        log_level="INFO",
    )


@pytest.fixture
def settings_env(settings: Settings) -> dict[str, str]:
    """The environment a subprocess needs to use the same ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OURASTREAM_")}
    for name, value in settings.model_dump(exclude_none=True).items():
        if name == "kafka_home":
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        env[f"OURASTREAM_{name.upper()}"] = str(value)
    return env


@dataclass(frozen=True)
class Message:
    """One message read back from a topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]


@pytest.fixture
def read_topic(settings: Settings) -> Callable[[str], list[Message]]:
    """A function reading every message of a topic, from the beginning to the
    end offsets as they are when it is called."""

    def read(topic: str, timeout_s: float = 30.0) -> list[Message]:
        return read_all(settings, topic, timeout_s)

    return read


def read_all(settings: Settings, topic: str, timeout_s: float = 30.0) -> list[Message]:
    consumer = Consumer(
        kafka.client_config(
            settings,
            **{
                "group.id": f"reader-{uuid.uuid4().hex[:8]}",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
            },
        )
    )
    try:
        metadata = consumer.list_topics(topic, timeout=10)
        partitions = [
            TopicPartition(topic, p) for p in metadata.topics[topic].partitions
        ]
        ends = {}
        for tp in partitions:
            low, high = watermarks(consumer, tp)
            if high > low:
                ends[tp.partition] = high
        consumer.assign([TopicPartition(topic, p, 0) for p in ends] or partitions)
        return _read_until(consumer, ends, timeout_s)
    finally:
        consumer.close()


_NO_LEADER_YET = (
    KafkaError.NOT_LEADER_FOR_PARTITION,
    KafkaError.LEADER_NOT_AVAILABLE,
    KafkaError.UNKNOWN_TOPIC_OR_PART,
)


def watermarks(consumer: Consumer, tp: TopicPartition) -> tuple[int, int]:
    """The partition's offsets, waiting out a leader not yet elected (a topic
    created a moment ago)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return consumer.get_watermark_offsets(tp, timeout=10)
        except KafkaException as exc:
            if exc.args[0].code() not in _NO_LEADER_YET or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _read_until(consumer: Consumer, ends: dict[int, int], timeout_s: float):
    messages: list[Message] = []
    deadline = time.monotonic() + timeout_s
    done = {p for p, end in ends.items() if end == 0}
    while len(done) < len(ends) and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        messages.append(
            Message(
                topic=msg.topic(),
                partition=msg.partition(),
                offset=msg.offset(),
                key=msg.key(),
                value=msg.value(),
                headers=dict(msg.headers() or []),
            )
        )
        if msg.offset() + 1 >= ends[msg.partition()]:
            done.add(msg.partition())
    messages.sort(key=lambda m: (m.partition, m.offset))
    return messages
