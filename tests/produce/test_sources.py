"""Reading every input shape, with each record's exact bytes and position."""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import orjson
import pytest

from ourastream.errors import SourceError
from ourastream.produce.sources import Input, expand
from tests.conftest import CASES, REAL_EXPORT


def read(path: Path | str, forced: str = "auto") -> list:
    return [r for source in expand([str(path)]) for r in source.records(forced)]


def test_records_one_a_line_keep_their_bytes() -> None:
    records = read(REAL_EXPORT)
    lines = REAL_EXPORT.read_bytes().splitlines()

    assert [r.value for r in records] == lines
    assert records[0].position == "line 1"
    assert records[-1].position == f"line {len(lines)}"
    assert {r.source for r in records} == {str(REAL_EXPORT)}


def test_bad_lines_come_through_as_they_are() -> None:
    records = read(CASES / "bad-lines.jsonl")

    assert [r.value for r in records] == (
        (CASES / "bad-lines.jsonl").read_bytes().split(b"\n")[:-1]
    )
    assert records[13].value == b""
    assert all(r.problem is None for r in records)


def test_pages_one_a_line_give_each_record() -> None:
    records = read(CASES / "api-pages.jsonl")
    pages = [
        orjson.loads(p) for p in (CASES / "api-pages.jsonl").read_bytes().splitlines()
    ]

    assert [orjson.loads(r.value) for r in records] == [
        record for page in pages for record in page["data"]
    ]
    assert [r.position for r in records] == [
        "page 1 record 1",
        "page 1 record 2",
        "page 1 record 3",
        "page 2 record 1",
        "page 2 record 2",
    ]
    assert all(r.value in (CASES / "api-pages.jsonl").read_bytes() for r in records)


def test_one_pretty_printed_page() -> None:
    records = read(CASES / "api-page.json")
    page = (CASES / "api-page.json").read_bytes()

    assert len(records) == 4
    assert [orjson.loads(r.value) for r in records] == orjson.loads(page)["data"]
    assert all(r.value in page for r in records)
    assert records[3].position == "record 4"


def test_gzip_and_folders(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    (folder / "deeper").mkdir(parents=True)
    (folder / "a.jsonl.gz").write_bytes(gzip.compress(REAL_EXPORT.read_bytes()))
    (folder / "deeper" / "b.json").write_bytes((CASES / "api-page.json").read_bytes())
    (folder / "README.md").write_text("not an export")
    (folder / ".hidden.jsonl").write_text("{}")

    records = read(folder)

    assert len(records) == 228 + 4
    assert records[0].source == str(folder / "a.jsonl.gz")
    assert records[0].value == REAL_EXPORT.read_bytes().splitlines()[0]
    assert records[-1].source == str(folder / "deeper" / "b.json")


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress((CASES / "api-pages.jsonl").read_bytes())
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)))
    monkeypatch.setattr(sys, "stdin", stdin)

    records = read("-")

    assert len(records) == 5
    assert {r.source for r in records} == {"-"}
    assert not stdin.closed


def test_crlf_line_endings_are_not_part_of_the_record(tmp_path: Path) -> None:
    path = tmp_path / "windows.jsonl"
    path.write_bytes(b'{"day": "2024-01-01"}\r\n\r\n{"day": "2024-01-02"}\r\n')

    assert [r.value for r in read(path)] == [
        b'{"day": "2024-01-01"}',
        b"",
        b'{"day": "2024-01-02"}',
    ]


def test_a_first_line_that_is_no_json_starts_a_records_file(tmp_path: Path) -> None:
    path = tmp_path / "broken-start.jsonl"
    path.write_bytes(b'{"day": "2024-01\n{"day": "2024-01-02"}\n')

    records = read(path)

    assert [r.value for r in records] == [b'{"day": "2024-01', b'{"day": "2024-01-02"}']
    assert [r.position for r in records] == ["line 1", "line 2"]


def test_a_bad_page_becomes_one_record_with_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    good = (CASES / "api-pages.jsonl").read_bytes().splitlines()[1]
    path.write_bytes(good + b'\n{"data": [1, \n{"items": []}\n')

    records = read(path, forced="pages")

    assert [r.problem for r in records] == [
        None,
        None,
        "not an Oura API page: not valid JSON (unexpected end of data)",
        'not an Oura API page: no "data" list',
    ]
    assert records[2].position == "line 2"
    assert records[3].value == b'{"items": []}'


def test_forcing_records_reads_pages_as_single_records() -> None:
    records = read(CASES / "api-pages.jsonl", forced="records")

    assert len(records) == 3
    assert records[2].value == (CASES / "api-pages.jsonl").read_bytes().splitlines()[-1]


def test_an_empty_file_has_no_records(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")

    assert read(tmp_path / "empty.jsonl") == []


def test_a_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"Cannot read .*nope.jsonl: No such file"):
        expand([str(tmp_path / "nope.jsonl")])


def test_a_folder_without_exports(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")

    with pytest.raises(SourceError, match="holds no"):
        expand([str(tmp_path)])


def test_a_broken_gzip_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(REAL_EXPORT.read_bytes())[:2000])

    with pytest.raises(SourceError, match="Cannot read .*cut.jsonl.gz"):
        read(path)


def test_progress_knows_how_far_a_file_was_read() -> None:
    source = Input(str(REAL_EXPORT))
    records = source.records()

    next(records)
    assert 0 < source.bytes_read <= source.size
    list(records)
    assert source.bytes_read == source.size
