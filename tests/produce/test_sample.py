"""The sample: the same seed gives the same bytes, and the records look and
validate like real Oura daily activity."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import orjson
import pytest

from ourastream.model import parse_record
from ourastream.produce.sample import person_name, sample_records, write_sample
from ourastream.produce.validate import examine
from tests.conftest import REAL_EXPORT

PEOPLE, DAYS = 12, 365


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [orjson.loads(r) for r in sample_records(PEOPLE, DAYS, seed=3)]


def test_the_command_twice_with_one_seed_writes_identical_files(tmp_path: Path) -> None:
    outputs = []
    for name in ("one.jsonl", "two.jsonl"):
        out = tmp_path / name
        subprocess.run(
            [sys.executable, "-m", "ourastream", "-q", "sample", "--people", "3"]
            + ["--days", "60", "--seed", "11", "--out", str(out)],
            check=True,
        )
        outputs.append(out.read_bytes())

    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") > 150


def test_another_seed_gives_other_days() -> None:
    first = io.BytesIO()
    second = io.BytesIO()
    write_sample(first, 2, 30, seed=1)
    write_sample(second, 2, 30, seed=2)

    assert first.getvalue() != second.getvalue()


def test_records_have_every_field_of_the_real_export(records: list[dict]) -> None:
    real_fields = set(orjson.loads(REAL_EXPORT.read_bytes().splitlines()[0]))

    for record in records[:500]:
        assert set(record) == real_fields | {"person"}
        assert set(record["contributors"]) == set(
            orjson.loads(REAL_EXPORT.read_bytes().splitlines()[0])["contributors"]
        )


def test_every_record_passes_the_same_validation_as_real_data(
    records: list[dict],
) -> None:
    for value in sample_records(PEOPLE, 60, seed=3):
        person = examine(value, "nobody").person

        assert parse_record(value, person).day
        assert person != "nobody"


def test_people_and_days(records: list[dict]) -> None:
    people = Counter(r["person"] for r in records)

    assert set(people) == {person_name(i) for i in range(PEOPLE)}
    assert records[0]["day"] == "2024-01-01"
    assert max(r["day"] for r in records) == "2024-12-30"
    assert person_name(0) == "ada" and person_name(24) == "ada-2"


def test_timestamps_follow_daylight_saving(records: list[dict]) -> None:
    ada = {r["day"]: r["timestamp"] for r in records if r["person"] == "ada"}
    offsets = {day: stamp[-6:] for day, stamp in ada.items()}

    # ada lives in Chicago: CST in winter, CDT from 10 March to 3 November 2024.
    assert offsets.get("2024-01-15", "-06:00") == "-06:00"
    assert offsets.get("2024-07-15", "-05:00") == "-05:00"
    assert set(offsets.values()) == {"-06:00", "-05:00"}
    assert all(stamp.startswith(day + "T04:00:00") for day, stamp in ada.items())


def test_numbers_go_together(records: list[dict]) -> None:
    for r in records:
        times = (
            r["high_activity_time"]
            + r["medium_activity_time"]
            + r["low_activity_time"]
            + r["sedentary_time"]
            + r["resting_time"]
            + r["non_wear_time"]
        )
        assert times <= 86_400
        assert r["total_calories"] >= r["active_calories"] >= 0
        if r["steps"] > 1000:
            stride_m = r["equivalent_walking_distance"] / r["steps"]
            assert 0.6 <= stride_m <= 2.5


def test_weekends_differ_from_weekdays(records: list[dict]) -> None:
    steps_by_weekday = Counter()
    days_by_weekday = Counter()
    for r in records:
        weekday = date.fromisoformat(r["day"]).weekday()
        steps_by_weekday[weekday] += r["steps"]
        days_by_weekday[weekday] += 1
    mean = {d: steps_by_weekday[d] / days_by_weekday[d] for d in range(7)}

    assert mean[5] > mean[0] * 1.1 > mean[6] * 1.1


def test_missing_revised_repeated_and_barely_worn_days(records: list[dict]) -> None:
    copies = Counter((r["person"], r["day"]) for r in records)
    by_day: dict[tuple, list[dict]] = {}
    for r in records:
        by_day.setdefault((r["person"], r["day"]), []).append(r)
    revised = [v for v in by_day.values() if len(v) == 2 and v[0] != v[1]]
    repeated = [v for v in by_day.values() if len(v) == 2 and v[0] == v[1]]
    barely_worn = [r for r in records if r["non_wear_time"] >= 14 * 3600]

    assert PEOPLE * DAYS * 0.95 < len(copies) < PEOPLE * DAYS
    assert len(revised) > PEOPLE * DAYS * 0.03
    assert all(v[0]["steps"] < v[1]["steps"] for v in revised)
    assert len(repeated) > PEOPLE * DAYS * 0.01
    assert len(barely_worn) > PEOPLE * DAYS * 0.01
    assert not parse_record(barely_worn[0], "x").worn


def test_a_few_long_workouts_with_little_burn(records: list[dict]) -> None:
    usual_total = {}
    for person in {r["person"] for r in records}:
        totals = sorted(r["total_calories"] for r in records if r["person"] == person)
        usual_total[person] = totals[len(totals) // 2]
    odd = [
        r
        for r in records
        if r["high_activity_time"] >= 45 * 60
        and r["total_calories"] < usual_total[r["person"]] * 0.9
    ]

    assert PEOPLE * DAYS * 0.005 < len(odd) < PEOPLE * DAYS * 0.04
