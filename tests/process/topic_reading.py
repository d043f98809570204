"""Reading a topic back in the process tests: every partition from its first
offset to the end offset it had when reading began, past the transaction
markers exactly-once leaves at the end, so the read always finishes."""

from __future__ import annotations

import logging
import time
import uuid

from confluent_kafka import Consumer, TopicPartition

from ourastream.errors import KafkaError
from tests.conftest import watermarks

log = logging.getLogger(__name__)

POLL_S = 0.5


def reader_config() -> dict[str, object]:
    # A throwaway group that never commits: reading never moves anyone's offsets.
    return {
        "group.id": f"ourastream-window-{uuid.uuid4().hex[:8]}",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    }


def read_to_end(consumer: Consumer, topic: str, timeout_s: float):
    """Yield ``(key, value)`` of every message up to the current end offsets."""
    ends = _end_offsets(consumer, topic)
    if not ends:
        return
    consumer.assign([TopicPartition(topic, p, low) for p, (low, _) in ends.items()])
    pending = {p for p, (low, high) in ends.items() if high > low}
    deadline = time.monotonic() + timeout_s
    while pending:
        if time.monotonic() > deadline:
            raise KafkaError(
                f"Reading {topic} did not reach its end within {timeout_s:.0f} s; "
                "the cluster may be overloaded. Try again."
            )
        message = consumer.poll(POLL_S)
        if message is None or message.error():
            # The last offsets may be transaction markers (exactly-once), which
            # are never delivered: the position tells that the end was passed.
            pending -= _passed_end(consumer, topic, pending, ends)
            continue
        partition = message.partition()
        if message.offset() + 1 >= ends[partition][1]:
            pending.discard(partition)
        yield message.key(), message.value()
    consumer.unassign()


def _passed_end(
    consumer: Consumer,
    topic: str,
    pending: set[int],
    ends: dict[int, tuple[int, int]],
) -> set[int]:
    positions = consumer.position([TopicPartition(topic, p) for p in pending])
    return {tp.partition for tp in positions if tp.offset >= ends[tp.partition][1]}


def _end_offsets(consumer: Consumer, topic: str) -> dict[int, tuple[int, int]]:
    metadata = consumer.list_topics(topic, timeout=10)
    described = metadata.topics.get(topic)
    if described is None or described.error is not None:
        raise KafkaError(
            f"Topic {topic} does not exist yet. Run `ourastream process` first, "
            "or check OURASTREAM_TOPIC_DAILY and OURASTREAM_TOPIC_ANOMALIES."
        )
    offsets = {}
    for partition in described.partitions:
        tp = TopicPartition(topic, partition)
        offsets[partition] = watermarks(consumer, tp)
    return offsets
