"""Reading the daily and anomalies topics into a ``Views``: every partition
from its first offset, with no consumer group offsets, so the ``window``
command, the chart and a restarted dashboard all rebuild the same view from
the compacted topics.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition
from pydantic import ValidationError

from ourastream import kafka
from ourastream.errors import KafkaError, UnreachableError
from ourastream.settings import Settings
from ourastream.window import Views

log = logging.getLogger(__name__)

# One fetch returns at most this many messages; a batch becomes one update.
BATCH_MAX = 500


@dataclass(frozen=True)
class Change:
    """A person's day that a message changed."""

    person: str
    day: date


class TopicReader:
    """A consumer assigned to every partition of the daily and anomalies
    topics, applying what it reads to ``views``.

    It never joins a group nor commits: where it stands lives only in memory,
    and a new reader always starts from the beginning.
    """

    def __init__(self, settings: Settings, views: Views) -> None:
        self.settings = settings
        self.views = views
        self._appliers = {
            settings.topic_daily: views.apply_daily,
            settings.topic_anomalies: views.apply_anomalies,
        }
        self._consumer = Consumer(
            kafka.client_config(
                settings,
                **{
                    "group.id": f"ourastream-view-{uuid.uuid4().hex[:8]}",
                    "enable.auto.commit": False,
                    "enable.auto.offset.store": False,
                    "fetch.wait.max.ms": 100,
                },
            )
        )
        self._assigned: list[TopicPartition] = []
        self._floors: dict[TopicPartition, int] = {}
        self._closed = False

    def assign(self, timeout_s: float = 5.0) -> list[TopicPartition]:
        """Assign every partition of both topics at its first offset.

        Raises:
            UnreachableError: the cluster does not answer.
            KafkaError: a topic does not exist.
        """
        partitions = []
        for topic in self._appliers:
            partitions += self._partitions(topic, timeout_s)
        self._consumer.assign(partitions)
        self._assigned = [TopicPartition(tp.topic, tp.partition) for tp in partitions]
        # Where each partition starts now: a partition whose messages were all
        # compacted away is read to its end without any message to show it.
        self._floors = {tp: low for tp, (low, _) in self.watermarks(timeout_s).items()}
        log.info("reading %d partitions from the beginning", len(partitions))
        return partitions

    def _partitions(self, topic: str, timeout_s: float) -> list[TopicPartition]:
        try:
            metadata = self._consumer.list_topics(topic, timeout=timeout_s)
        except KafkaException as exc:
            raise UnreachableError(
                f"No Kafka broker answers at {self.settings.bootstrap}. "
                + kafka.unreachable_hint(self.settings)
            ) from exc
        found = metadata.topics.get(topic)
        if found is None or found.error is not None or not found.partitions:
            raise KafkaError(
                f"Topic {topic} does not exist yet. Run `ourastream process`, "
                "or set OURASTREAM_TOPIC_DAILY / OURASTREAM_TOPIC_ANOMALIES."
            )
        return [TopicPartition(topic, p, OFFSET_BEGINNING) for p in found.partitions]

    def read(self, timeout_s: float) -> list[Change]:
        """Wait up to ``timeout_s`` for messages and apply them all.

        Returns:
            The person/days they changed, in the order read (may repeat).
        """
        # consume() waits for a full batch or the timeout, whichever is first:
        # wait for one message with poll(), then take only what has arrived.
        first = self._consumer.poll(timeout_s)
        if first is None:
            return []
        changes = []
        for message in [first, *self._consumer.consume(BATCH_MAX, 0)]:
            if message.error():
                log.debug("consumer: %s", message.error().str())
                continue
            change = self._apply(message)
            if change:
                changes.append(change)
        return changes

    def _apply(self, message) -> Change | None:
        topic, partition = message.topic(), message.partition()
        try:
            person, day = self._appliers[topic](message.key(), message.value())
        except (ValueError, ValidationError) as exc:
            # The topics are written by `process`; a value it did not write is
            # skipped here rather than stopping every view.
            log.warning(
                "skipped %s[%d]@%d: %s", topic, partition, message.offset(), exc
            )
            return None
        return Change(person, day)

    def catch_up(self, timeout_s: float = 30.0) -> int:
        """Read until every partition reaches the end offset it had when
        called (or ``timeout_s`` passes).

        Returns:
            The number of messages still unread (0 when caught up).
        """
        ends = self.watermarks()
        for _ in range(max(1, int(timeout_s / 0.2))):
            if self.lag(ends) == 0:
                return 0
            self.read(0.2)
        return self.lag(ends) or 0

    def watermarks(
        self, timeout_s: float = 5.0, cached: bool = False
    ) -> dict[TopicPartition, tuple]:
        """Each assigned partition's low and high watermarks.

        Args:
            timeout_s: how long to wait for the broker's answer.
            cached: use the watermarks of the last fetch instead of asking
                (instant; asking costs a round trip per partition).

        Raises:
            UnreachableError: the cluster does not answer.
        """
        marks = {}
        try:
            for tp in self._assigned:
                marks[tp] = self._consumer.get_watermark_offsets(
                    tp, timeout_s, cached=cached
                ) or (-1, -1)
        except KafkaException as exc:
            raise UnreachableError(
                f"No Kafka broker answers at {self.settings.bootstrap}: "
                + kafka.describe_error(exc)
            ) from exc
        return marks

    def lag(self, marks: dict[TopicPartition, tuple]) -> int | None:
        """Messages between where this reader stands and the high watermarks
        in ``marks`` (transaction markers count as read once passed); None
        while a partition's high watermark is not known yet."""
        behind = 0
        for tp in self._consumer.position(list(marks)):
            key = TopicPartition(tp.topic, tp.partition)
            high = marks[key][1]
            if high < 0:
                return None
            start = tp.offset if tp.offset >= 0 else self._floors.get(key, 0)
            behind += max(0, high - start)
        return behind

    def close(self) -> None:
        """Leave the cluster; nothing is committed because nothing needs to be."""
        if not self._closed:
            self._closed = True
            self._consumer.close()


class Probe:
    """Asks the cluster for its metadata, to tell whether it answers."""

    def __init__(self, settings: Settings) -> None:
        self._admin = kafka.admin(settings)

    def answers(self, timeout_s: float = 2.0) -> bool:
        try:
            self._admin.list_topics(timeout=timeout_s)
        except KafkaException:
            return False
        return True


def read_views(settings: Settings, timeout_s: float = 30.0) -> Views:
    """Everything in the daily and anomalies topics now, as a ``Views``.

    Raises:
        UnreachableError: the cluster does not answer.
        KafkaError: a topic does not exist, or it could not be read to its
            end within ``timeout_s``.
    """
    views = Views()
    reader = TopicReader(settings, views)
    try:
        reader.assign()
        unread = reader.catch_up(timeout_s)
    finally:
        reader.close()
    if unread:
        raise KafkaError(
            f"{unread} messages still unread after {timeout_s:.0f} s; "
            "is the cluster overloaded? Try again."
        )
    return views
