"""The shapes of the dashboard's JSON API, as its OpenAPI document shows them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AnomalyOut(BaseModel):
    rule: str
    severity: str = Field(description="info, warning or critical")
    reason: str = Field(description="the sentence a person reads")
    values: dict[str, Any] = Field(description="the numbers behind it")


class DayAnomaly(AnomalyOut):
    day: str = Field(description="the day it concerns, YYYY-MM-DD")


class SlotOut(BaseModel):
    day: str = Field(description="calendar day, YYYY-MM-DD")
    total_calories: float | None = Field(description="kcal; null for a missing day")
    active_calories: float | None = Field(description="kcal")
    high_activity_minutes: float | None = Field(description="minutes")
    steps: float | None
    wear_ratio: float | None = Field(description="share of the day worn, 0..1")
    worn: bool | None = Field(description="worn enough to be judged")
    band: str | None = Field(description="red, orange or green by the calories")
    color: str | None = Field(description="the band's color, #rrggbb")
    anomalies: list[AnomalyOut]


class Band(BaseModel):
    band: str
    color: str
    label: str


class WindowOut(BaseModel):
    person: str
    start: str | None = Field(description="first day of the window")
    end: str | None = Field(description="last day of the window")
    newest_day: str | None = Field(description="the person's newest day seen")
    bands: list[Band]
    palette: dict[str, str] = Field(description="minutes, anomaly, unworn colors")
    thresholds: dict[str, int] = Field(description="kcal: red_below, orange_below")
    slots: list[SlotOut] = Field(description="one per calendar day, oldest first")


class PeopleOut(BaseModel):
    people: list[str]
    default: str = Field(description="the person shown first")


class AnomaliesOut(BaseModel):
    person: str
    anomalies: list[DayAnomaly] = Field(description="newest day first")


class HealthOut(BaseModel):
    connected: bool = Field(description="the Kafka cluster answers")
    bootstrap_servers: str
    newest_day: str | None = Field(description="newest day of anyone")
    newest_days: dict[str, str] = Field(description="newest day of each person")
    people: list[str]
    records: int = Field(description="messages applied since start")
    records_per_second: float = Field(description="over the last ten seconds")
    lag: int | None = Field(description="messages in the topics not yet applied")
    problem: str | None = Field(description="why the view may be stale")
    clients: int = Field(description="open event streams")
