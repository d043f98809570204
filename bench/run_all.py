"""Run every benchmark in bench/ and print one table: each figure beside its
reference (most often Kafka's own tools) and the ratio, with the machine's
cores and memory.

    make bench                      # or: .venv/bin/python bench/run_all.py
    .venv/bin/python bench/run_all.py broker produce   # only some

Each ``bench/<name>_bench.py`` accepts ``--json PATH`` and writes
``{"rows": [{"figure", "value", "unit", "reference", "reference_value",
"ratio", "goal"}]}`` there (reference, ratio and goal only where they apply).
Benchmarks that need Kafka use OURASTREAM_BOOTSTRAP_SERVERS when it is set
and otherwise start the local broker through the project's own code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ourastream.broker import ensure_broker
from ourastream.errors import OurastreamError
from ourastream.settings import load_settings

HERE = Path(__file__).resolve().parent
ORDER = ["broker", "produce", "process", "dashboard"]


def machine() -> str:
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return f"{os.cpu_count()} cores, {mem_kib / 1024 / 1024:.1f} GiB memory"


def benchmarks(chosen: list[str]) -> list[Path]:
    found = {p.name.removesuffix("_bench.py"): p for p in HERE.glob("*_bench.py")}
    names = chosen or sorted(found, key=lambda n: (ORDER + [n]).index(n))
    missing = [n for n in names if n not in found]
    if missing:
        sys.exit(f"No benchmark named {', '.join(missing)}; have {', '.join(found)}")
    return [found[n] for n in names]


def run(script: Path, out: Path) -> list[dict]:
    print(f"== {script.name}", file=sys.stderr, flush=True)
    result = subprocess.run([sys.executable, str(script), "--json", str(out)])
    if result.returncode != 0 or not out.exists():
        return [{"figure": f"{script.stem}: FAILED (exit {result.returncode})"}]
    return json.loads(out.read_text())["rows"]


def cell(value, unit: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"
    return f"{value} {unit}".strip()


def print_table(rows: list[dict]) -> None:
    header = ("figure", "ourastream", "reference", "ratio", "goal")
    lines = [
        (
            row["figure"],
            cell(row.get("value"), row.get("unit", "")),
            " ".join(
                filter(
                    None,
                    [
                        row.get("reference", ""),
                        cell(row.get("reference_value"), row.get("unit", "")),
                    ],
                )
            ),
            cell(row.get("ratio")),
            row.get("goal", ""),
        )
        for row in rows
    ]
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(5)]
    for line in [header, tuple("-" * w for w in widths), *lines]:
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)))


def main() -> None:
    scripts = benchmarks(sys.argv[1:])
    try:
        started = ensure_broker(load_settings())
    except OurastreamError as exc:
        sys.exit(f"Error: {exc}")
    rows: list[dict] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for script in scripts:
                rows += run(script, Path(tmp) / f"{script.stem}.json")
    finally:
        if started:
            started.stop()
    print(f"\nourastream benchmarks on {machine()}\n")
    print_table(rows)


if __name__ == "__main__":
    main()
