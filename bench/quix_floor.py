"""The processor's shape with none of its work: what Quix Streams itself costs
per record on this machine, the floor under ``ourastream process``.

For each raw record it does what the processor does around its own code: one
read and one write of a person's value as large as ``Recent`` in the state
store, and one message written through the application's producer; no
parsing, no ledger, no rules. It is the processor's own application (same
Quix Streams settings, consumer group, state store), so the difference
between the two rates is ourastream's own work.

    OURASTREAM_... .venv/bin/python bench/quix_floor.py --idle-exit 15

``bench/process_bench.py`` runs it over the same raw topic and reports its
records/s beside the processor's.
"""

from __future__ import annotations

import argparse
from typing import Any

from quixstreams import State

from ourastream import kafka
from ourastream.process.app import RECENT, Output, Processor
from ourastream.settings import load_settings

# About the size of a person's ``Recent`` in the processor: 32 to 64 days of
# four doubles each.
RECENT_BYTES = 48 * 4 * 8


class Floor(Processor):
    """The processor with its own work taken out."""

    def outputs_of(
        self, value: bytes, key: bytes | None, headers: Any, state: State
    ) -> list[Output]:
        self.tally.records += 1
        state.get_bytes(RECENT)
        state.set_bytes(RECENT, value[:RECENT_BYTES].ljust(RECENT_BYTES))
        return [Output(self.daily, key or b"", value, [])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle-exit", type=float, default=15)
    args = parser.parse_args()
    settings = load_settings()
    kafka.ensure_topics(settings)
    Floor(settings).run(idle_exit_s=args.idle_exit)


if __name__ == "__main__":
    main()
