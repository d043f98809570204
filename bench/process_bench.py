"""Benchmark of ``ourastream process``: sample records of many people through
one processor, its records/s beside Kafka's own ConsumerPerformance tool
reading the same raw topic in the same run, and its resident memory after the
first million records and at the end.

    .venv/bin/python bench/process_bench.py                   # 1M, memory to 5M
    .venv/bin/python bench/process_bench.py --records 200000 --memory-records 400000

Goals: at least 20,000 records/s per process; resident memory at the end
within 10% of the memory after the first million. The raw topic is filled
first (``ourastream sample`` piped into a plain producer, several passes over
later calendar years), then ConsumerPerformance reads it, then one
``ourastream process`` runs over it while its committed offsets and resident
memory are sampled. Last, ``bench/quix_floor.py`` (the processor's Quix
Streams application with none of ourastream's work) reads the same first
records, to show what Quix Streams itself costs per record on this machine.
Needs OURASTREAM_BOOTSTRAP_SERVERS or the local broker.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import orjson
from confluent_kafka import Consumer, Producer, TopicPartition

from ourastream import kafka
from ourastream.broker.install import java_executable, kafka_libs
from ourastream.settings import Settings, load_settings

BIN = Path(sys.executable).parent
FIRST_DAY = date(2000, 1, 1)
SAMPLE_S = 1.0


@dataclass
class Run:
    """What was sampled while the processor ran."""

    started: float
    seconds_to_target: float | None = None
    rss_at_target_mib: float | None = None
    rss_at_end_mib: float | None = None
    committed: int = 0
    samples: list[tuple[float, int, float]] = field(default_factory=list)


def bench_settings(people: int) -> Settings:
    unique = uuid.uuid4().hex[:8]
    base = load_settings()
    return load_settings(
        bootstrap_servers=base.bootstrap,
        data_dir=Path(tempfile.mkdtemp(prefix="process-bench-")),
        topic_raw=f"bench-{unique}.raw",
        topic_daily=f"bench-{unique}.daily",
        topic_anomalies=f"bench-{unique}.anomalies",
        topic_deadletter=f"bench-{unique}.deadletter",
        consumer_group=f"bench-{unique}",
        partitions=3,
    )


def fill(settings: Settings, total: int, people: int) -> int:
    """Write ``total`` sample records to the raw topic, keyed by person, in
    passes over successive calendar spans (each pass new days, not copies)."""
    kafka.ensure_topics(settings)
    producer = Producer(kafka.client_config(settings, **{"linger.ms": 50}))
    days = max(1, total // people)
    sent, start = 0, FIRST_DAY
    while sent < total:
        sent = _one_pass(settings, producer, people, days, start, sent, total)
        start += timedelta(days=days + 30)
    producer.flush(120)
    return sent


def _one_pass(settings, producer, people, days, start, sent, total) -> int:
    command = [str(BIN / "ourastream"), "sample", "--people", str(people)]
    command += ["--days", str(days), "--start", start.isoformat()]
    command += ["--seed", str(sent), "--out", "-"]
    sample = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    for line in sample.stdout:
        if sent >= total:
            break
        value = line.rstrip(b"\n")
        person = orjson.loads(value)["person"].encode()
        _produce(producer, settings.topic_raw, person, value, sent)
        sent += 1
    sample.kill()
    sample.wait()
    return sent


def _produce(producer: Producer, topic: str, person: bytes, value: bytes, n: int):
    headers = [("source", b"sample"), ("position", f"line {n + 1}".encode())]
    while True:
        try:
            producer.produce(topic, key=person, value=value, headers=headers)
            break
        except BufferError:
            producer.poll(0.1)  # the local queue is full: let it drain
    producer.poll(0)


def consumer_performance(settings: Settings, records: int) -> float:
    """Kafka's ConsumerPerformance over the raw topic: messages/s."""
    classpath = str(kafka_libs(settings) / "*")
    command = [java_executable(), "-cp", classpath]
    command += ["org.apache.kafka.tools.ConsumerPerformance"]
    command += ["--bootstrap-server", settings.bootstrap, "--topic", settings.topic_raw]
    command += ["--messages", str(records), "--group", f"perf-{uuid.uuid4().hex[:8]}"]
    command += ["--timeout", "120000"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    header, values = [line for line in out.splitlines() if "," in line][-2:]
    row = dict(
        zip([h.strip() for h in header.split(",")], values.split(","), strict=False)
    )
    return float(row["nMsg.sec"])


def run_process(settings: Settings, target: int, total: int, idle_s: float) -> Run:
    """One ``ourastream process`` over the raw topic, sampled every second."""
    command = [str(BIN / "ourastream"), "-q", "process", "--idle-exit", str(idle_s)]
    return _run(command, settings, target, total)


def run_floor(settings: Settings, target: int, total: int, idle_s: float) -> Run:
    """``bench/quix_floor.py`` over the same raw topic, in its own consumer
    group, state folder and output topic: what Quix Streams itself costs."""
    unique = uuid.uuid4().hex[:8]
    floor = settings.model_copy(
        update={
            "consumer_group": f"floor-{unique}",
            "topic_daily": f"floor-{unique}.daily",
            "data_dir": Path(tempfile.mkdtemp(prefix="quix-floor-")),
        }
    )
    script = Path(__file__).with_name("quix_floor.py")
    command = [sys.executable, str(script), "--idle-exit", str(idle_s)]
    return _run(command, floor, target, total, stop_at_target=True)


def _run(
    command: list[str],
    settings: Settings,
    target: int,
    total: int,
    stop_at_target: bool = False,
) -> Run:
    env = _environment(settings)
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    run = Run(started=time.monotonic())
    consumer = Consumer(
        kafka.client_config(settings, **{"group.id": settings.consumer_group})
    )
    try:
        while process.poll() is None:
            time.sleep(SAMPLE_S)
            _sample(run, consumer, settings, process.pid, target)
            rss = run.samples[-1][2]
            if run.committed >= total and rss == rss:  # nan once it has exited
                run.rss_at_end_mib = rss
            if stop_at_target and run.seconds_to_target is not None:
                process.terminate()
                process.wait()
    finally:
        consumer.close()
    return run


def _sample(run: Run, consumer: Consumer, settings: Settings, pid: int, target: int):
    partitions = [
        TopicPartition(settings.topic_raw, p) for p in range(settings.partitions)
    ]
    committed = consumer.committed(partitions, timeout=10)
    run.committed = sum(max(tp.offset, 0) for tp in committed)
    elapsed = time.monotonic() - run.started
    rss = _rss_mib(pid)
    run.samples.append((elapsed, run.committed, rss))
    if run.seconds_to_target is None and run.committed >= target:
        run.seconds_to_target = elapsed
        run.rss_at_target_mib = rss


def _rss_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")  # exited, not yet reaped


def _environment(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OURASTREAM_")}
    for name, value in settings.model_dump(exclude_none=True).items():
        if name != "kafka_home" and not hasattr(value, "get_secret_value"):
            env[f"OURASTREAM_{name.upper()}"] = str(value)
    return env


def _rate(records: int, run: Run) -> float:
    """Records/s from the start of the process to the checkpoint that covers
    ``records``: startup, group join and the last checkpoint's wait included."""
    return records / run.seconds_to_target if run.seconds_to_target else 0.0


def _steady_rate(run: Run) -> float:
    """Records/s between the first checkpoint and the one that reached the
    target: the processing rate, without the startup."""
    moments = [(t, done) for t, done, _ in run.samples if done > 0]
    if run.seconds_to_target is None or not moments:
        return 0.0
    first_t, first_done = moments[0]
    last_t, last_done = next(m for m in moments if m[0] >= run.seconds_to_target)
    return (last_done - first_done) / (last_t - first_t) if last_t > first_t else 0.0


def report(
    records: int, total: int, perf: float, run: Run, floor: Run | None
) -> list[dict]:
    steady = _steady_rate(run)
    growth = (
        run.rss_at_end_mib / run.rss_at_target_mib - 1 if run.rss_at_end_mib else None
    )
    rows = [
        {
            "figure": f"process, records/s over the first {records:,} "
            "(first to last checkpoint)",
            "value": round(steady),
            "unit": "records/s",
            "reference": "Kafka ConsumerPerformance, same topic",
            "reference_value": round(perf),
            "ratio": round(steady / perf, 3) if perf else None,
            "goal": ">= 20,000 records/s",
        },
        {
            "figure": f"process, records/s over the first {records:,}, "
            "startup included",
            "value": round(_rate(records, run)),
            "unit": "records/s",
        },
    ]
    if floor is not None:
        floor_steady = _steady_rate(floor)
        rows.append(
            {
                "figure": "Quix Streams floor: the processor's shape, none of "
                "its work (bench/quix_floor.py, first to last checkpoint)",
                "value": round(floor_steady),
                "unit": "records/s",
                "reference": "ourastream process, same topic",
                "reference_value": round(steady),
                "ratio": round(steady / floor_steady, 3) if floor_steady else None,
            }
        )
    rows += [
        {
            "figure": f"process, resident memory after {records:,}",
            "value": round(run.rss_at_target_mib or 0, 1),
            "unit": "MiB",
        },
        {
            "figure": f"process, resident memory after {total:,}",
            "value": round(run.rss_at_end_mib or 0, 1),
            "unit": "MiB",
            "ratio": round(1 + growth, 3) if growth is not None else None,
            "goal": "within 10%",
        },
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--memory-records", type=int, default=5_000_000)
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the Quix Streams floor run"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    total = max(args.records, args.memory_records)

    settings = bench_settings(args.people)
    began = time.monotonic()
    sent = fill(settings, total, args.people)
    print(
        f"raw topic filled: {sent:,} records in {time.monotonic() - began:.0f} s",
        file=sys.stderr,
    )
    perf = consumer_performance(settings, args.records)
    print(f"ConsumerPerformance: {perf:,.0f} messages/s", file=sys.stderr)
    run = run_process(settings, args.records, sent, idle_s=15)
    floor = None
    if not args.no_floor:
        floor = run_floor(settings, args.records, args.records, idle_s=15)
    rows = report(args.records, sent, perf, run, floor)
    for row in rows:
        print(
            f"{row['figure']}: {row['value']:,} {row['unit']}"
            + (
                f" (reference {row['reference_value']:,})"
                if row.get("reference_value")
                else ""
            )
            + (f" ratio {row['ratio']}" if row.get("ratio") else "")
        )
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "samples": run.samples}, indent=2)
        )


if __name__ == "__main__":
    main()
