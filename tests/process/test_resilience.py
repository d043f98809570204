"""``process`` under the conditions of real operation: ``kill -9`` in the
middle of a replay, two instances in one group, SIGTERM, exactly-once. Each
ends with the same latest value for every key as one uninterrupted run."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Callable

import pytest
from confluent_kafka import Consumer, TopicPartition

from ourastream import kafka
from ourastream.settings import Settings
from tests.process.topic_reading import reader_config

from ..conftest import REAL_EXPORT
from .conftest import other_outputs, outputs, process_here, start_process

pytestmark = pytest.mark.kafka

PEOPLE = [f"person-{number:02d}" for number in range(60)]


def written(settings: Settings, topic: str) -> int:
    """Messages in a topic so far (sum of its partitions' end offsets)."""
    consumer = Consumer(kafka.client_config(settings, **reader_config()))
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return sum(
            consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in partitions
        )
    finally:
        consumer.close()


def wait_for(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def settled(read: Callable[[], object], expected: object, timeout_s: float = 30.0):
    """What ``read()`` gives once it equals ``expected``, or at the deadline."""
    deadline = time.monotonic() + timeout_s
    while (seen := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    return seen


def finished(process: subprocess.Popen, timeout_s: float = 120.0) -> str:
    """Wait for a clean exit; return what it wrote on stderr."""
    _, stderr = process.communicate(timeout=timeout_s)
    assert process.returncode == 0, stderr
    return stderr


def records_processed(stderr: str) -> int:
    return int(re.search(r"processed ([\d,]+) records", stderr)[1].replace(",", ""))


def members(settings: Settings) -> int:
    admin = kafka.admin(settings)  # kept alive until the answer arrives
    futures = admin.describe_consumer_groups([settings.consumer_group])
    group = futures[settings.consumer_group].result(timeout=10)
    return sum(1 for m in group.members if m.assignment.topic_partitions)


def test_kill_9_then_restart_ends_as_an_uninterrupted_run(
    settings, settings_env, feed
) -> None:
    sent = feed(REAL_EXPORT, PEOPLE)
    reference = other_outputs(settings, "reference")
    process_here(reference)

    victim = start_process(settings_env)
    wait_for(lambda: written(settings, settings.topic_daily) >= 500)
    victim.kill()  # SIGKILL: no checkpoint, no commit, no goodbye
    victim.communicate()
    at_kill = written(settings, settings.topic_daily)
    finished(start_process(settings_env, "--idle-exit", "3"))

    assert victim.returncode == -signal.SIGKILL
    assert at_kill < sent
    assert outputs(settings) == outputs(reference)
    assert len(outputs(settings)[0]) == 225 * len(PEOPLE)


def test_two_instances_in_one_group_equal_one(settings, settings_env, feed) -> None:
    first = start_process(settings_env, "--idle-exit", "8")
    second_env = {**settings_env, "OURASTREAM_DATA_DIR": f"{settings.data_dir}-2"}
    second = start_process(second_env, "--idle-exit", "8")
    kafka.ensure_topics(settings)
    wait_for(lambda: members(settings) == 2, timeout_s=90)

    feed(REAL_EXPORT, PEOPLE[:30])
    shares = [records_processed(finished(p)) for p in (first, second)]
    reference = other_outputs(settings, "reference")
    process_here(reference)

    assert all(share > 0 for share in shares)
    assert outputs(settings) == outputs(reference)


def test_sigterm_stops_cleanly_and_commits(settings, settings_env, feed) -> None:
    sent = feed(REAL_EXPORT, PEOPLE[:3])
    running = start_process(settings_env)
    wait_for(lambda: written(settings, settings.topic_daily) >= 3 * 225)

    running.send_signal(signal.SIGTERM)
    stderr = finished(running, timeout_s=60)

    assert records_processed(stderr) == sent
    consumer = Consumer(
        kafka.client_config(settings, **{"group.id": settings.consumer_group})
    )
    try:
        partitions = [TopicPartition(settings.topic_raw, p) for p in range(3)]
        committed = consumer.committed(partitions, timeout=10)
    finally:
        consumer.close()
    assert sum(tp.offset for tp in committed if tp.offset > 0) == sent


def test_exactly_once_gives_the_same_topics(settings, feed) -> None:
    feed(REAL_EXPORT, PEOPLE[:3])
    process_here(settings)
    exactly_once = other_outputs(settings, "eos")
    exactly_once = Settings(
        **{
            **{k: v for k, v in exactly_once.model_dump().items() if v is not None},
            "processing_guarantee": "exactly-once",
        }
    )

    process_here(exactly_once)

    # The coordinator writes a committed transaction's markers after the
    # commit returns; until then a read_committed reader sees the partitions
    # end before the last transaction. Wait for them, then compare.
    expected = outputs(settings)
    assert len(expected[0]) == 3 * 225
    assert settled(lambda: outputs(exactly_once), expected) == expected
