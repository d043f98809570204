"""Benchmark of ``ourastream produce`` (issue 3): one million sample records
sent with ``--max-rate`` through the command line, beside Kafka's own
``org.apache.kafka.tools.ProducerPerformance`` with the same record size,
``acks=all``, idempotence and broker, in one run. Also the speed of
``ourastream sample`` writing the load.

    .venv/bin/python bench/produce_bench.py [--records 1000000] [--json OUT]

Uses OURASTREAM_BOOTSTRAP_SERVERS when set, else the local broker (started
if needed). Topics are this benchmark's own and are deleted at the end.
Prints a table and writes bench/results/produce.json. Goal: at least half
of the Kafka tool's records/s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from itertools import islice
from pathlib import Path

from confluent_kafka.admin import AdminClient

from ourastream import kafka
from ourastream.broker import ensure_broker
from ourastream.broker.install import java_executable, kafka_libs
from ourastream.produce.sample import sample_records
from ourastream.settings import Settings, load_settings

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "produce.json"
PEOPLE = 1_000
TOOL_LINE = re.compile(r"([\d.]+) records/sec \(([\d.]+) MB/sec\)")


def bench_settings(base: Settings) -> Settings:
    unique = f"bench-produce-{uuid.uuid4().hex[:8]}"
    return Settings(
        **{
            **base.model_dump(),
            "bootstrap_servers": base.bootstrap,
            "topic_raw": f"{unique}.raw",
            "topic_daily": f"{unique}.daily",
            "topic_anomalies": f"{unique}.anomalies",
            "topic_deadletter": f"{unique}.deadletter",
        }
    )


def write_load(path: Path, records: int) -> tuple[float, int]:
    """The first ``records`` of a 1,000-person sample; seconds and bytes."""
    days = records // PEOPLE + 1
    began = time.perf_counter()
    with path.open("wb") as out:
        for record in islice(sample_records(PEOPLE, days, seed=1), records):
            out.write(record + b"\n")
    return time.perf_counter() - began, path.stat().st_size - records


def env_for(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OURASTREAM_")}
    for name in ("bootstrap_servers", *(f"topic_{r}" for r in settings.topics)):
        env[f"OURASTREAM_{name.upper()}"] = str(getattr(settings, name))
    return env


def run_ourastream(settings: Settings, load: Path) -> tuple[float, str]:
    command = [sys.executable, "-m", "ourastream", "-q", "produce", str(load)]
    began = time.perf_counter()
    result = subprocess.run(
        [*command, "--max-rate"], env=env_for(settings), capture_output=True, text=True
    )
    seconds = time.perf_counter() - began
    if result.returncode != 0:
        sys.exit(f"ourastream produce failed: {result.stdout}{result.stderr}")
    return seconds, result.stdout.splitlines()[0]


def run_kafka_tool(settings: Settings, records: int, size: int) -> tuple[float, float]:
    topic = settings.topic_raw + ".tool"
    kafka.ensure_topics(Settings(**{**settings.model_dump(), "topic_raw": topic}))
    libs = kafka_libs(settings)
    result = subprocess.run(
        [java_executable(), "-cp", f"{libs}/*"]
        + ["org.apache.kafka.tools.ProducerPerformance", "--topic", topic]
        + ["--num-records", str(records), "--record-size", str(size)]
        + ["--throughput", "-1", "--producer-props"]
        + [f"bootstrap.servers={settings.bootstrap}", "acks=all"]
        + ["enable.idempotence=true"],
        capture_output=True,
        text=True,
    )
    final = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    match = TOOL_LINE.search(final)
    if result.returncode != 0 or match is None:
        sys.exit(f"ProducerPerformance failed: {result.stdout}{result.stderr}")
    return float(match.group(1)), float(match.group(2))


def delete_topics(settings: Settings) -> None:
    names = [*settings.topics.values(), settings.topic_raw + ".tool"]
    client = AdminClient(kafka.client_config(settings))
    for future in client.delete_topics(names, request_timeout=30).values():
        with contextlib.suppress(Exception):  # a topic the run never created
            future.result()


def measure(records: int, work: Path) -> list[dict]:
    settings = bench_settings(load_settings())
    load = work / "sample.jsonl"
    sample_s, value_bytes = write_load(load, records)
    size = round(value_bytes / records)
    kafka.ensure_topics(settings)
    try:
        ours_s, summary = run_ourastream(settings, load)
        tool_rate, tool_mb = run_kafka_tool(settings, records, size)
    finally:
        delete_topics(settings)
    ours_rate = records / ours_s
    print(f"ourastream: {summary}", file=sys.stderr)
    return [
        {
            "figure": "sample: records written (1,000 people)",
            "value": records / sample_s,
            "unit": "records/s",
        },
        {
            "figure": f"produce --max-rate, {records:,} records of {size} B",
            "value": ours_rate,
            "unit": "records/s",
            "reference": "ProducerPerformance",
            "reference_value": tool_rate,
            "ratio": ours_rate / tool_rate,
            "goal": ">= 0.5",
        },
        {
            "figure": "produce --max-rate, throughput",
            "value": value_bytes / ours_s / 1e6,
            "unit": "MB/s",
            "reference": "ProducerPerformance",
            "reference_value": tool_mb,
            "ratio": value_bytes / ours_s / 1e6 / tool_mb,
        },
    ]


def print_table(rows: list[dict]) -> None:
    print(f"{'figure':48} {'ourastream':>16} {'Kafka tool':>16} {'ratio':>6}")
    for row in rows:
        unit = row["unit"]
        reference = row.get("reference_value")
        print(
            f"{row['figure']:48} {row['value']:>10,.0f} {unit:5}"
            + (f" {reference:>10,.0f} {unit:5}" if reference else " " * 17)
            + (f" {row['ratio']:6.2f}" if "ratio" in row else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    broker = ensure_broker(load_settings())
    try:
        with tempfile.TemporaryDirectory(prefix="produce-bench-") as work:
            rows = measure(args.records, Path(work))
    finally:
        if broker is not None:
            broker.stop()
    print_table(rows)
    document = json.dumps({"rows": rows}, indent=2)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(document + "\n")
    if args.json:
        args.json.write_text(document)


if __name__ == "__main__":
    main()
