"""``ourastream produce`` against a real broker: every case and the real
export read back byte for byte, with keys, headers and dead letters."""

from __future__ import annotations

import gzip
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from ourastream.cli import main
from ourastream.deadletter import MAX_PAYLOAD_BYTES
from ourastream.errors import RecordError
from ourastream.model import parse_record
from ourastream.produce.producer import Options, RawProducer
from ourastream.produce.sources import expand
from ourastream.settings import Settings
from tests.conftest import CASES, REAL_EXPORT, read_all

pytestmark = pytest.mark.kafka


def produce(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["-q", "produce", *args], env=env)


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:-1]


@pytest.mark.parametrize(
    "case", ["resent-days.jsonl", "revised-day.jsonl", "non-wear-day.jsonl"]
)
def test_line_cases_arrive_byte_for_byte_in_order(
    case: str, settings_env, settings: Settings, read_topic
) -> None:
    result = produce(settings_env, str(CASES / case))

    messages = read_topic(settings.topic_raw)
    lines = lines_of(CASES / case)
    assert result.exit_code == 0, result.output
    assert [m.value for m in messages] == lines
    assert {m.key for m in messages} == {b"me"}
    assert [m.headers["position"] for m in messages] == [
        f"line {n}".encode() for n in range(1, len(lines) + 1)
    ]
    assert {m.headers["source"] for m in messages} == {str(CASES / case).encode()}
    assert f"sent {len(lines)} records" in result.output
    assert read_topic(settings.topic_deadletter) == []


def test_the_real_export(settings_env, settings: Settings, read_topic) -> None:
    result = produce(settings_env, str(REAL_EXPORT), "--person", "aaron")

    messages = read_topic(settings.topic_raw)
    assert result.exit_code == 0, result.output
    assert len(messages) == 228
    assert [m.value for m in messages] == lines_of(REAL_EXPORT)
    assert {m.key for m in messages} == {b"aaron"}
    assert "dead letters 0" in result.output


def test_api_pages_one_record_a_message(settings_env, settings, read_topic) -> None:
    result = produce(settings_env, str(CASES / "api-pages.jsonl"))

    messages = read_topic(settings.topic_raw)
    pages = [orjson.loads(line) for line in lines_of(CASES / "api-pages.jsonl")]
    file_bytes = (CASES / "api-pages.jsonl").read_bytes()
    assert result.exit_code == 0, result.output
    assert [orjson.loads(m.value) for m in messages] == [
        record for page in pages for record in page["data"]
    ]
    # Cut out of the page, not re-serialized: the file's own bytes.
    assert all(m.value in file_bytes for m in messages)
    assert all(b'"class_5_min"' in m.value and b'"met"' in m.value for m in messages)
    assert messages[4].headers["position"] == b"page 2 record 2"


def test_a_pretty_page_with_drop_intraday(settings_env, settings, read_topic) -> None:
    result = produce(settings_env, str(CASES / "api-page.json"), "--drop-intraday")

    messages = read_topic(settings.topic_raw)
    expected = orjson.loads((CASES / "api-page.json").read_bytes())["data"]
    for record in expected:
        del record["class_5_min"], record["met"]
    assert result.exit_code == 0, result.output
    assert [orjson.loads(m.value) for m in messages] == expected
    assert all(b"\n" in m.value for m in messages)  # the page's own layout


def test_bad_lines_become_dead_letters_with_reasons(
    settings_env, settings: Settings, read_topic
) -> None:
    result = produce(settings_env, str(CASES / "bad-lines.jsonl"))

    raw = read_topic(settings.topic_raw)
    dead = read_topic(settings.topic_deadletter)
    lines = lines_of(CASES / "bad-lines.jsonl")
    verdicts = {n: judge(line) for n, line in enumerate(lines, 1) if line.strip()}
    good = [n for n, reason in verdicts.items() if reason is None]
    bad = {n: reason for n, reason in verdicts.items() if reason is not None}
    assert result.exit_code == 0, result.output
    assert len(good) == 6 and len(bad) == 11
    assert [m.value for m in raw] == [lines[n - 1] for n in good]
    assert {
        m.headers["position"].decode(): m.headers["reason"].decode() for m in dead
    } == {f"line {n}": reason for n, reason in bad.items()}
    assert {m.headers["stage"] for m in dead} == {b"produce"}
    assert "dead letters 11" in result.output
    assert "blank lines skipped 1" in result.output


def test_an_oversized_line_is_cut_and_marked(
    settings_env, settings, read_topic
) -> None:
    produce(settings_env, str(CASES / "bad-lines.jsonl"))

    dead = read_topic(settings.topic_deadletter)
    big = lines_of(CASES / "bad-lines.jsonl")[17]
    [letter] = [m for m in dead if m.headers["position"] == b"line 18"]
    assert letter.headers["truncated"] == b"true"
    assert letter.headers["original_bytes"] == str(len(big)).encode()
    assert letter.value == big[:MAX_PAYLOAD_BYTES]
    assert b"larger than" in letter.headers["reason"]


def judge(line: bytes) -> str | None:
    try:
        parse_record(line, "me")
    except RecordError as exc:
        return str(exc)
    return None


def test_several_people_keyed_by_their_field(
    settings_env, settings: Settings, read_topic, tmp_path: Path
) -> None:
    sample = tmp_path / "sample.jsonl.gz"
    out = CliRunner().invoke(
        main, ["-q", "sample", "--people", "4", "--days", "30", "--seed", "5"]
    )
    sample.write_bytes(gzip.compress(out.stdout_bytes))

    result = produce(settings_env, str(tmp_path))

    messages = read_topic(settings.topic_raw)
    assert result.exit_code == 0, result.output
    assert sorted(m.value for m in messages) == sorted(out.stdout_bytes.splitlines())
    for m in messages:
        assert m.key == orjson.loads(m.value)["person"].encode()
    partitions = {}
    for m in messages:
        partitions.setdefault(m.key, set()).add(m.partition)
    assert all(len(p) == 1 for p in partitions.values())


def test_days_outside_the_range_are_skipped(settings_env, settings, read_topic) -> None:
    result = produce(
        settings_env,
        str(REAL_EXPORT),
        "--from-day",
        "2022-03-01",
        "--to-day",
        "2022-03-31",
    )

    days = [orjson.loads(m.value)["day"] for m in read_topic(settings.topic_raw)]
    assert result.exit_code == 0, result.output
    assert days and all("2022-03-01" <= d <= "2022-03-31" for d in days)
    assert sorted(set(days)) == sorted(
        {orjson.loads(x)["day"] for x in lines_of(REAL_EXPORT)} & set(days)
    )
    assert f"outside --from-day/--to-day {228 - len(days)}" in result.output


def test_standard_input(settings_env, settings: Settings, read_topic) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ourastream", "-q", "produce", "-"],
        input=(CASES / "api-pages.jsonl").read_bytes(),
        env=settings_env,
        capture_output=True,
        timeout=60,
    )

    messages = read_topic(settings.topic_raw)
    assert result.returncode == 0, result.stderr
    assert len(messages) == 5
    assert {m.headers["source"] for m in messages} == {b"-"}


def test_a_record_that_finally_fails_is_reported(settings: Settings) -> None:
    # A raw topic that was never created: the broker refuses every record
    # until the delivery timeout, and the tally says where each one came from.
    lost = settings.model_copy(update={"topic_raw": settings.topic_raw + ".missing"})
    producer = RawProducer(lost, Options(person="me"), delivery_timeout_s=1.5)
    [source] = expand([str(CASES / "revised-day.jsonl")])

    tally = producer.run(source.records())

    assert tally.failed == 13
    assert tally.sent == 0
    assert not tally.complete
    assert tally.failures[0].startswith(f"{CASES / 'revised-day.jsonl'} line ")


def test_sigterm_loses_nothing_acknowledged(
    settings_env, settings: Settings, tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ourastream", "-q", "produce", str(REAL_EXPORT)]
        + ["--interval", "0.01", "--loop"],
        env=settings_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for_messages(settings, 30)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)

    summary = out.decode()
    sent = int(summary.split("sent ")[1].split(" records")[0].replace(",", ""))
    messages = read_all(settings, settings.topic_raw)
    lines = lines_of(REAL_EXPORT)
    assert process.returncode == 143, err.decode()
    assert "stopped by SIGTERM after" in summary
    assert len(messages) == sent >= 30
    assert [m.value for m in messages] == [lines[i % 228] for i in range(sent)]


def wait_for_messages(settings: Settings, count: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if len(read_all(settings, settings.topic_raw, timeout_s=2)) >= count:
                return
        except KeyError:
            pass  # the topic is not created yet
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} messages after {timeout_s} s")


def test_a_missing_file_is_one_line(settings_env) -> None:
    result = produce(settings_env, "/no/such/export.jsonl")

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: Cannot read /no/such/export.jsonl: No such file or directory. "
        "Check the path and its permissions."
    ]


def test_an_unreachable_broker_is_one_line(settings_env) -> None:
    env = {**settings_env, "OURASTREAM_BOOTSTRAP_SERVERS": "127.0.0.1:1"}

    result = produce(env, str(REAL_EXPORT))

    assert result.exit_code == 1
    assert "No Kafka broker answers at 127.0.0.1:1" in result.output
    assert "OURASTREAM_BOOTSTRAP_SERVERS" in result.output
    assert "Traceback" not in result.output
