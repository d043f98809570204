"""Benchmark of the local broker (issue 2): the first install of Kafka's jars
from Maven Central, start-up time to ready with the jars cached (median of
5 runs), and the broker's resident memory when idle.

    .venv/bin/python bench/broker_bench.py [--runs 5] [--json OUT]

The install is measured cold: an empty jar cache and an empty Maven local
repository, so every jar comes from Maven Central.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import tempfile
import time
from pathlib import Path

from ourastream.broker import LocalBroker, install
from ourastream.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cold_install(work: Path) -> float:
    os.environ["MAVEN_OPTS"] = f"-Dmaven.repo.local={work / 'm2'}"
    try:
        began = time.monotonic()
        install.install(Settings(cache_dir=work / "cache"))
        return time.monotonic() - began
    finally:
        del os.environ["MAVEN_OPTS"]


def start_times(work: Path, runs: int, idle_s: float) -> tuple[list[float], float]:
    settings = Settings(
        bootstrap_servers=None,
        data_dir=work / "data",
        broker_port=free_port(),
        controller_port=free_port(),
    )
    broker = LocalBroker(settings)
    broker.start()  # formats the storage once; not counted
    broker.stop()
    times = []
    for _ in range(runs):
        began = time.monotonic()
        broker.start()
        times.append(time.monotonic() - began)
        broker.stop()
    broker.start()
    time.sleep(idle_s)
    idle_rss = rss_mib(broker.pid())
    broker.stop()
    return times, idle_rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle-s", type=float, default=15.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        install_s = cold_install(work)
        times, idle_rss = start_times(work, args.runs, args.idle_s)
    rows = [
        {
            "figure": "broker: first install of the jars",
            "value": install_s,
            "unit": "s",
        },
        {
            "figure": f"broker: start to ready, jars cached (median of {args.runs})",
            "value": statistics.median(times),
            "unit": "s",
        },
        {
            "figure": "broker: resident memory when idle",
            "value": idle_rss,
            "unit": "MiB",
        },
    ]
    for row in rows:
        print(f"{row['figure']:<58} {row['value']:>8.1f} {row['unit']}")
    print("start times (s):", ", ".join(f"{t:.2f}" for t in times))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "start_times_s": times}))


if __name__ == "__main__":
    main()
