"""A one-line progress display on standard error while ``produce`` reads its
inputs: records, records per second, and for files the share done and the
time left. Nothing is drawn when standard error is not a terminal or
``--quiet`` was given."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Protocol

import click

REDRAW_S = 0.5
# Look at the clock only every this many records: ticks are on the hot path.
CHECK_EVERY = 512


class Measurable(Protocol):
    size: int | None
    bytes_read: int


class Progress:
    """Counts records and redraws the line at most twice a second."""

    def __init__(self, inputs: Sequence[Measurable], shown: bool, loop: bool) -> None:
        self.inputs = inputs
        self.shown = shown and sys.stderr.isatty()
        sizes = [source.size for source in inputs]
        self.total_bytes = None if loop or None in sizes else sum(sizes)
        self.records = 0
        self.began = time.monotonic()
        self._drawn_at = self.began

    def tick(self) -> None:
        """One more record handed to the producer."""
        self.records += 1
        if self.shown and self.records % CHECK_EVERY == 0:
            now = time.monotonic()
            if now - self._drawn_at >= REDRAW_S:
                self._drawn_at = now
                click.echo("\r" + self.line(now), err=True, nl=False)

    def close(self) -> None:
        """End the line so that what follows starts on a fresh one."""
        if self.shown and self.records >= CHECK_EVERY:
            click.echo("\r" + self.line(time.monotonic()), err=True)

    def line(self, now: float) -> str:
        """The progress line as it would be drawn at ``now``."""
        elapsed_s = max(now - self.began, 1e-9)
        rate = self.records / elapsed_s
        text = f"{self.records:,} records  {rate:,.0f} records/s"
        if self.total_bytes:
            done = sum(source.bytes_read for source in self.inputs) / self.total_bytes
            text += f"  {done:4.0%}"
            if 0 < done < 1:
                text += f"  ETA {_clock(elapsed_s * (1 - done) / done)}"
        return text


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
