"""Benchmark of ourastream's own per-record work, without Kafka: parsing a raw
record, then the ledger (revision, baseline, rules) as the processor runs
them, over sample records of many people.

    .venv/bin/python bench/domain_bench.py
    .venv/bin/python bench/domain_bench.py --people 1000 --days 120

Beside ``bench/process_bench.py`` it tells how much of the processor's time
per record is our code and how much is Kafka and Quix Streams. The figures are
the best of three passes, in microseconds per record.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import orjson

from ourastream.model import parse_record
from ourastream.process.ledger import Ledger, MemoryDays, Recent
from ourastream.produce.sample import sample_records
from ourastream.settings import load_settings

PASSES = 3


def records_of(people: int, days: int) -> list[tuple[bytes, str]]:
    values = sample_records(people, days, seed=7)
    return [(value, orjson.loads(value)["person"]) for value in values]


def parse_only(records: list[tuple[bytes, str]], min_wear: float) -> None:
    for value, person in records:
        parse_record(value, person, min_wear)


def parse_and_ledger(records: list[tuple[bytes, str]], min_wear: float) -> None:
    settings = load_settings()
    people: dict[str, tuple[list[Recent | None], MemoryDays]] = {}
    for value, person in records:
        record = parse_record(value, person, min_wear)
        recent, days = people.setdefault(person, ([None], MemoryDays()))
        ledger = Ledger(recent[0], days, settings)
        if ledger.apply(record).daily is not None:
            recent[0] = ledger.recent
            ledger.recent.to_bytes()  # what the processor stores


def best_us_per_record(work, records, min_wear: float) -> float:
    times = []
    for _ in range(PASSES):
        started = time.perf_counter()
        work(records, min_wear)
        times.append(time.perf_counter() - started)
    return min(times) / len(records) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    min_wear = load_settings().min_wear_ratio

    records = records_of(args.people, args.days)
    parse_us = best_us_per_record(parse_only, records, min_wear)
    total_us = best_us_per_record(parse_and_ledger, records, min_wear)
    rows = [
        {
            "figure": f"our work per record, no Kafka: parse ({len(records):,})",
            "value": round(parse_us, 1),
            "unit": "µs",
        },
        {
            "figure": "our work per record, no Kafka: parse, ledger and rules",
            "value": round(total_us, 1),
            "unit": "µs",
        },
    ]
    for row in rows:
        print(f"{row['figure']}: {row['value']} {row['unit']}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=2))


if __name__ == "__main__":
    main()
