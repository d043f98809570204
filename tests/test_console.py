"""The last lines of a log, as error messages show them."""

from __future__ import annotations

from pathlib import Path

from ourastream.console import TAIL_BYTES, last_lines


def test_the_last_lines_of_a_log_larger_than_what_is_read(tmp_path: Path) -> None:
    log = tmp_path / "part.log"
    log.write_text("".join(f"line {n}\n" for n in range(3 * TAIL_BYTES // 8)))

    assert (
        last_lines(log, 2)
        == f"line {3 * TAIL_BYTES // 8 - 2}\nline {3 * TAIL_BYTES // 8 - 1}"
    )


def test_a_short_log_is_shown_whole(tmp_path: Path) -> None:
    log = tmp_path / "part.log"
    log.write_bytes(b"started\n\xff failed\n")

    assert last_lines(log, 10) == "started\n\ufffd failed"


def test_a_missing_log_gives_none(tmp_path: Path) -> None:
    assert last_lines(tmp_path / "none.log", 5) is None
