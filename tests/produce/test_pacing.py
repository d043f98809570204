"""Pacing, the tally, the exit code and the progress line, without Kafka."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ourastream.produce.command import exit_code
from ourastream.produce.producer import Pace, Tally
from ourastream.produce.progress import Progress
from ourastream.produce.sources import Record


def test_a_fixed_interval_waits_between_records_not_before_the_first() -> None:
    pace = Pace(interval_s=5)

    assert pace.wait_s("2024-01-01", None) == 0
    assert pace.wait_s("2024-01-01", "2024-01-01") == 5


def test_speed_follows_the_records_calendar() -> None:
    pace = Pace(days_per_s=2)

    assert pace.wait_s("2024-01-04", "2024-01-01") == 1.5
    assert pace.wait_s("2024-01-04", "2024-01-04") == 0
    assert pace.wait_s("2023-12-01", "2024-01-04") == 0  # a loop starts over


def test_at_max_rate_nothing_waits() -> None:
    assert Pace().wait_s("2024-01-09", "2024-01-01") == 0


@pytest.mark.parametrize(
    ("tally", "code"),
    [
        (Tally(handed=5, dead_handed=2), 0),
        (Tally(handed=5, failed_raw=1), 1),
        (Tally(handed=5, dead_handed=1, failed_dead=1), 1),
        (Tally(handed=5, unconfirmed=1), 1),
        (Tally(handed=5, stopped_by="SIGTERM"), 143),
        (Tally(handed=5, stopped_by="SIGINT"), 130),
        (Tally(handed=5, failed_raw=1, stopped_by="SIGTERM"), 1),
    ],
)
def test_exit_code(tally: Tally, code: int) -> None:
    assert exit_code(tally) == code


def test_summary_says_how_far_it_got() -> None:
    tally = Tally(
        handed=1201,
        handed_bytes=2_500_900,
        failed_raw=1,
        failed_raw_bytes=900,
        dead_handed=3,
        blank=1,
        stopped_by="SIGTERM",
        last=Record(b"{}", "export.jsonl", "line 1204"),
    )

    text = tally.summary("raw", "dead", seconds=2.0)

    assert text.splitlines() == [
        "sent 1,200 records to raw (2.5 MB, 2.0 s, 600 records/s)",
        "dead letters 3 to dead",
        "failed 1",
        "blank lines skipped 1",
        "stopped by SIGTERM after export.jsonl line 1204",
    ]


@dataclass
class FakeInput:
    size: int | None
    bytes_read: int


def test_progress_line_with_share_and_time_left() -> None:
    inputs = [FakeInput(1000, 1000), FakeInput(3000, 1000)]
    progress = Progress(inputs, shown=False, loop=False)
    progress.records = 5000

    line = progress.line(progress.began + 10)

    assert line == "5,000 records  500 records/s   50%  ETA 0:00:10"


def test_no_share_for_standard_input_or_loops() -> None:
    assert Progress([FakeInput(None, 0)], False, loop=False).total_bytes is None
    assert Progress([FakeInput(10, 0)], False, loop=True).total_bytes is None
