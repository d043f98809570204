"""Benchmark of ``ourastream dashboard``: how soon a day produced into the
daily topic shows in the browser, and whether 100 event streams all receive
every update, with the dashboard's memory before and after.

    .venv/bin/python bench/dashboard_bench.py            # 520 records, 100 clients
    .venv/bin/python bench/dashboard_bench.py --records 100 --clients 20 --json out.json

Latency: a real headless Chromium (Debian's) has the page open on a person;
days are produced at 10 records/s (the producer lingers 0 ms), and the time
from just before ``produce()`` to the page's ``ourastream:drawn`` event
(sent once the frame with the new day is painted) is measured on the same
machine's clock. The first 20 records warm the path and are not counted.

Fan-out: 100 asyncio HTTP clients hold ``/api/events`` open while days are
produced; each must receive every produced day. Memory is the dashboard
process's resident set (VmRSS) before the clients connect and after.

Uses OURASTREAM_BOOTSTRAP_SERVERS when set, else the local broker; topics
are new for each run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
from confluent_kafka import Producer

from ourastream import kafka
from ourastream.broker import ensure_broker
from ourastream.model import DailyRecord
from ourastream.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
WARM_UP = 20
FIRST_DAY = date(2030, 1, 1)
COLLECT_DRAWN = """
window.drawn = [];
document.addEventListener("ourastream:drawn", (e) => window.drawn.push(e.detail));
"""


def bench_settings() -> Settings:
    run = uuid.uuid4().hex[:8]
    roles = ("raw", "daily", "anomalies", "deadletter")
    return load_settings(**{f"topic_{role}": f"bench-{run}.{role}" for role in roles})


def day_record(person: str, i: int) -> DailyRecord:
    """A plausible day, different every time."""
    return DailyRecord(
        person=person,
        day=FIRST_DAY + timedelta(days=i),
        total_calories=2500 + (i * 37) % 900,
        active_calories=300 + (i * 11) % 400,
        high_activity_minutes=float((i * 7) % 50),
        steps=6000 + (i * 131) % 8000,
        wear_ratio=1.0,
        worn=True,
    )


def paced(settings: Settings, person: str, count: int, rate: float, first: int = 0):
    """Produce ``count`` days at ``rate`` per second; yields (day, sent_ms)."""
    producer = Producer(kafka.client_config(settings, **{"linger.ms": 0}))
    started = time.monotonic()
    for i in range(count):
        time.sleep(max(0.0, started + i / rate - time.monotonic()))
        record = day_record(person, first + i)
        sent_ms = time.time() * 1000
        producer.produce(settings.topic_daily, record.to_json(), record.key)
        producer.poll(0)
        yield record.day.isoformat(), sent_ms
    producer.flush(10)


# ---- the dashboard process -------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_dashboard(settings: Settings) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ)
    env.update(
        OURASTREAM_BOOTSTRAP_SERVERS=settings.bootstrap,
        OURASTREAM_TOPIC_DAILY=settings.topic_daily,
        OURASTREAM_TOPIC_ANOMALIES=settings.topic_anomalies,
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ourastream", "-q", "dashboard", "--port", str(port)],
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "api/health", timeout=2).json()["lag"] == 0:
                return process, url
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("the dashboard did not become ready within 30 s")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---- latency to the browser -------------------------------------------------


def browser_latency(settings: Settings, url: str, count: int, rate: float) -> dict:
    from playwright.sync_api import sync_playwright

    person = "bench-browser"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 700})
        page.add_init_script(COLLECT_DRAWN)
        page.goto(f"{url}?person={person}")
        page.wait_for_function(
            "() => document.getElementById('status').textContent.includes('live')"
        )
        sent = dict(paced(settings, person, count, rate))
        page.wait_for_timeout(2000)
        drawn = page.evaluate("() => window.drawn")
        browser.close()
    return latencies(sent, drawn)


def latencies(sent: dict[str, float], drawn: list[dict]) -> dict:
    """Per day: first redraw whose window reaches that day, minus its send."""
    shown = sorted((d["end"], d["at"]) for d in drawn if d.get("end"))
    measured, missed = [], 0
    for day, sent_ms in list(sent.items())[WARM_UP:]:
        at = next((at for end, at in shown if end >= day and at >= sent_ms), None)
        if at is None:
            missed += 1
        else:
            measured.append(at - sent_ms)
    drawing = [d["at"] - d["started"] for d in drawn if d.get("started")]
    return summary(measured) | {"missed": missed, "redraw": summary(drawing)}


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    if not ordered:
        return {"count": 0}
    return {
        "count": len(ordered),
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max_ms": ordered[-1],
    }


# ---- fan-out to event streams ------------------------------------------------


async def client(
    url: str, person: str, received: dict, ready: asyncio.Event, ready_count: list
):
    days: dict[str, float] = {}
    received[id(days)] = days
    event = None
    async with (
        httpx.AsyncClient(timeout=None) as http,
        http.stream("GET", url + "api/events") as stream,
    ):
        ready_count[0] += 1
        if ready_count[0] >= ready_count[1]:
            ready.set()
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "days":
                change = json.loads(line[6:])
                if change["person"] == person:
                    now = time.time() * 1000
                    for slot in change["days"]:
                        days.setdefault(slot["day"], now)


async def fan_out(
    settings: Settings, url: str, pid: int, clients: int, count: int, rate: float
) -> dict:
    person = "bench-fanout"
    received: dict[int, dict[str, float]] = {}
    ready = asyncio.Event()
    ready_count = [0, clients]
    tasks = [
        asyncio.create_task(client(url, person, received, ready, ready_count))
        for _ in range(clients)
    ]
    await asyncio.wait_for(ready.wait(), 30)
    await asyncio.sleep(1)
    rss_connected = rss_mib(pid)

    sent: dict[str, float] = {}

    def produce() -> None:
        sent.update(paced(settings, person, count, rate))

    producing = threading.Thread(target=produce)
    producing.start()
    while producing.is_alive():
        await asyncio.sleep(0.1)
    await asyncio.sleep(3)
    rss_after = rss_mib(pid)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    complete = sum(1 for days in received.values() if set(sent) <= set(days))
    delays = [
        days[d] - sent[d] for days in received.values() for d in sent if d in days
    ]
    return {
        "clients": clients,
        "updates": count,
        "clients_with_every_update": complete,
        "deliveries": sum(len(set(sent) & set(days)) for days in received.values()),
        "rss_connected_mib": rss_connected,
        "rss_after_mib": rss_after,
        "delivery": summary(delays),
    }


# ---- report -------------------------------------------------------------------


def row(figure: str, value, unit: str = "", goal: str | None = None) -> dict:
    shown = {"figure": f"dashboard: {figure}", "value": value, "unit": unit}
    return shown | ({"goal": goal} if goal else {})


def rows(latency: dict, fan: dict, rss_before: float, rate: float) -> list[dict]:
    drawn = f"produce -> browser redraw ({latency['count']} days at {rate:g}/s)"
    streams = fan["clients"]
    return [
        row(f"{drawn} p50", latency.get("p50_ms"), "ms"),
        row(f"{drawn} p99", latency.get("p99_ms"), "ms", "p99 <= 100 ms"),
        row("of which event -> painted p50", latency["redraw"].get("p50_ms"), "ms"),
        row("days never drawn", latency["missed"], "", "0"),
        row(
            f"event streams with every update ({fan['updates']} days)",
            f"{fan['clients_with_every_update']}/{streams}",
            "",
            "all",
        ),
        row(f"produce -> {streams} streams p99", fan["delivery"].get("p99_ms"), "ms"),
        row("RSS before streams", rss_before, "MiB"),
        row(f"RSS with {streams} streams, after", fan["rss_after_mib"], "MiB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=520, help="days for latency")
    parser.add_argument("--rate", type=float, default=10.0, help="records per second")
    parser.add_argument("--clients", type=int, default=100, help="event streams")
    parser.add_argument("--fan-records", type=int, default=200, help="days for fan-out")
    parser.add_argument("--json", type=Path, help="write the rows here")
    args = parser.parse_args()

    settings = bench_settings()
    broker = ensure_broker(settings)
    kafka.ensure_topics(settings)
    process, url = start_dashboard(settings)
    try:
        latency = browser_latency(settings, url, args.records, args.rate)
        rss_before = rss_mib(process.pid)
        fan = asyncio.run(
            fan_out(
                settings, url, process.pid, args.clients, args.fan_records, args.rate
            )
        )
    finally:
        process.terminate()
        process.wait(15)
        if broker:
            broker.stop()
    report = rows(latency, fan, rss_before, args.rate)
    print(
        json.dumps(
            {"latency": latency, "fan_out": fan, "rss_before_mib": rss_before}, indent=2
        )
    )
    out = args.json or ROOT / "artifacts" / "dashboard_bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"rows": report}, indent=2))


if __name__ == "__main__":
    main()
