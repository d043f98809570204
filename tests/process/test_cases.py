"""Each input case and the real export through the raw topic, ``process`` and
``window``, on a real broker: what the cases' README says must happen."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from ourastream.cli import main
from ourastream.model import parse_record

from ..conftest import CASES, REAL_EXPORT
from .conftest import count_messages, outputs, process_here

pytestmark = pytest.mark.kafka


def window_json(env: dict[str, str], *args: str) -> list[dict]:
    result = CliRunner().invoke(
        main, ["-q", "window", "--format", "json", *args], env=env
    )
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def days_of(daily: dict[bytes, bytes | None]) -> dict[str, dict]:
    return {key.decode(): orjson.loads(value) for key, value in daily.items()}


def test_real_export(settings, settings_env, feed) -> None:
    feed(REAL_EXPORT)
    tally = process_here(settings)

    daily, anomalies = outputs(settings)
    days = days_of(daily)
    lines = REAL_EXPORT.read_bytes().splitlines()
    assert tally.records == len(lines) == 228
    assert len(days) == 225
    # 2022-01-28 comes twice; the later line is the newer revision.
    later = [line for line in lines if b'"day": "2022-01-28"' in line][-1]
    assert days["me/2022-01-28"] == orjson.loads(parse_record(later, "me").to_json())
    assert days["me/2022-01-28"]["total_calories"] == 3032
    # 2,760 s of high activity on 2022-06-09: minutes, not seconds.
    assert days["me/2022-06-09"]["high_activity_minutes"] == 46
    assert set(anomalies) <= set(daily)


def test_real_export_window_has_gaps(settings, settings_env, feed) -> None:
    feed(REAL_EXPORT)
    process_here(settings)

    slots = window_json(settings_env, "--person", "me", "--end", "2022-06-20")
    newest = window_json(settings_env, "--person", "me", "--days", "3")

    assert [s["day"] for s in slots][:2] == ["2022-06-06", "2022-06-07"]
    assert len(slots) == 15 and slots[-1]["day"] == "2022-06-20"
    gap = {s["day"]: s for s in slots}["2022-06-17"]
    assert gap["total_calories"] is None and gap["steps"] is None
    assert gap["anomalies"] == []
    assert {s["day"]: s for s in slots}["2022-06-16"]["anomalies"][0]["rule"] == (
        "steps_distance_mismatch"
    )
    assert [s["day"] for s in newest] == ["2022-11-15", "2022-11-16", "2022-11-17"]


def test_resent_days_are_each_written_once(settings, settings_env, feed) -> None:
    sent = feed(CASES / "resent-days.jsonl")
    tally = process_here(settings)

    slots = window_json(settings_env, "--person", "me", "--days", "8")
    assert sent == 42
    assert tally.copies_ignored == sent - 8
    assert count_messages(settings, settings.topic_daily) == 8
    assert [s["day"] for s in slots] == [f"2024-07-{d}" for d in range(18, 26)]
    assert all(s["total_calories"] is not None for s in slots)
    anomalies = count_messages(settings, settings.topic_anomalies)
    assert anomalies == len(outputs(settings)[1])


def test_a_revised_day_wins_everywhere(settings, feed) -> None:
    feed(CASES / "revised-day.jsonl")
    process_here(settings)

    daily, anomalies = outputs(settings)
    day = days_of(daily)["me/2023-03-11"]
    assert (day["total_calories"], day["high_activity_minutes"]) == (3180, 45)
    reasons = [
        anomaly
        for value in anomalies.values()
        for anomaly in orjson.loads(value)["anomalies"]
    ]
    assert not [a for a in reasons if "2,410" in a["reason"]]
    assert "workout_low_calories" not in {a["rule"] for a in reasons}


def test_a_non_wear_day_is_shown_and_judged_by_no_rule(
    settings, settings_env, feed
) -> None:
    feed(CASES / "non-wear-day.jsonl")
    process_here(settings)

    slots = window_json(settings_env, "--person", "me", "--end", "2023-05-20")
    unworn = {s["day"]: s for s in slots}["2023-05-13"]
    assert unworn["worn"] is False and unworn["wear_ratio"] < 0.6
    assert unworn["anomalies"] == []
    assert unworn["total_calories"] == 2055


@pytest.mark.parametrize(
    ("case", "records"), [("api-pages.jsonl", 5), ("api-page.json", 4)]
)
def test_api_pages_give_each_record_once(settings, feed, case, records) -> None:
    sent = feed(CASES / case)
    tally = process_here(settings)

    assert sent == records
    assert tally.dead_letters == 0
    assert len(outputs(settings)[0]) == records


def test_bad_lines_become_dead_letters_and_good_ones_flow(
    settings, feed, read_topic
) -> None:
    feed(CASES / "bad-lines.jsonl")
    tally = process_here(settings)

    raw = {(m.partition, m.offset): m for m in read_topic(settings.topic_raw)}
    letters = read_topic(settings.topic_deadletter)
    good = len(outputs(settings)[0])
    assert good == 6
    assert len(letters) == tally.dead_letters == len(raw) - good
    for letter in letters:
        headers = {k: v.decode() for k, v in letter.headers.items()}
        origin = raw[(int(headers["partition"]), int(headers["offset"]))]
        assert headers["topic"] == settings.topic_raw
        assert headers["stage"] == "process"
        assert headers["reason"]
        assert letter.value == origin.value
        assert headers["position"] == origin.headers["position"].decode()
    reasons = " | ".join(m.headers["reason"].decode() for m in letters)
    assert "NaN" in reasons and "not UTF-8" in reasons and "day" in reasons
