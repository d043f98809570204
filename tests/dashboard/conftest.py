"""Fixtures of the dashboard tests: topics filled with the real export, and a
dashboard running as its own process, the way a person starts it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from confluent_kafka import Producer

from ourastream import kafka
from ourastream.model import Anomaly, DailyRecord, DayAnomalies, parse_record
from ourastream.settings import Settings
from tests.conftest import REAL_EXPORT, free_port

PERSON = "me"
WORKOUT = Anomaly(
    rule="workout_low_calories",
    severity="warning",
    reason="14 min of high activity but 3,250 kcal, 18% under your baseline: "
    "a workout recorded by mistake?",
    values={"high_activity_minutes": 14, "total_calories": 3250},
)
WORKOUT_DAY = date(2022, 8, 26)


def export_records(person: str = PERSON) -> list[DailyRecord]:
    """Every line of the real export, normalized, in file order."""
    with REAL_EXPORT.open("rb") as lines:
        return [parse_record(line, person) for line in lines if line.strip()]


def produce_days(settings: Settings, records: list[DailyRecord]) -> None:
    producer = Producer(kafka.client_config(settings))
    for record in records:
        producer.produce(settings.topic_daily, record.to_json(), record.key)
    assert producer.flush(30) == 0


def produce_anomalies(settings: Settings, found: DayAnomalies) -> None:
    producer = Producer(kafka.client_config(settings))
    producer.produce(settings.topic_anomalies, found.to_json(), found.key)
    assert producer.flush(30) == 0


@pytest.fixture
def loaded(settings: Settings) -> Settings:
    """Topics holding the real export and one anomaly on 2022-08-26."""
    kafka.ensure_topics(settings)
    produce_days(settings, export_records())
    produce_anomalies(
        settings, DayAnomalies(person=PERSON, day=WORKOUT_DAY, anomalies=[WORKOUT])
    )
    return settings


def wait_for(check, timeout_s: float = 30.0, every_s: float = 0.1):
    """Call ``check`` until it returns something truthy, and return that."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every_s)
    raise AssertionError(f"not true within {timeout_s} s: {check.__doc__ or check}")


@dataclass
class Running:
    """A dashboard process and its address."""

    process: subprocess.Popen
    url: str

    def health(self) -> dict:
        return httpx.get(self.url + "api/health", timeout=5).json()

    def caught_up(self, records: int) -> dict | None:
        """The health once the view holds ``records`` messages and no lag."""
        try:
            health = self.health()
        except httpx.HTTPError:
            return None
        done = health["records"] >= records and health["lag"] == 0
        return health if done else None


def start_dashboard(env: dict[str, str], *args: str, port: int = 0) -> Running:
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ourastream", "dashboard", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Running(process, f"http://127.0.0.1:{port}/")


@pytest.fixture
def running(loaded: Settings, settings_env: dict[str, str]) -> Iterator[Running]:
    """``ourastream dashboard`` over the loaded topics, caught up."""
    dashboard = start_dashboard(settings_env)
    try:
        wait_for(lambda: dashboard.caught_up(len(export_records()) + 1))
        yield dashboard
    finally:
        dashboard.process.terminate()
        dashboard.process.communicate(timeout=10)
