"""What the page and the chart show of a person's window: its slots, each
with the color band its calories fall in. The thresholds live here only, so
the web page (through the API) and the matplotlib chart always agree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ourastream.settings import Settings
from ourastream.window import Slot, Views

BAND_COLORS = {"red": "#d1495b", "orange": "#f39237", "green": "#3f9c5a"}
MINUTES_COLOR = "#2b59c3"
ANOMALY_COLOR = "#6a0dad"
UNWORN_COLOR = "#9aa5b1"
PALETTE = {"minutes": MINUTES_COLOR, "anomaly": ANOMALY_COLOR, "unworn": UNWORN_COLOR}


def calories_band(total_calories: float | None, settings: Settings) -> str | None:
    """``red``, ``orange`` or ``green`` by the settings' thresholds; None for
    a day without calories."""
    if total_calories is None:
        return None
    if total_calories < settings.calories_red_below:
        return "red"
    if total_calories < settings.calories_orange_below:
        return "orange"
    return "green"


def band_legend(settings: Settings) -> list[dict[str, str]]:
    """Each band's name, color and the words that explain it."""
    red, orange = settings.calories_red_below, settings.calories_orange_below
    labels = {
        "red": f"under {red:,} kcal",
        "orange": f"{red:,} to {orange - 1:,} kcal",
        "green": f"{orange:,} kcal or more",
    }
    return [
        {"band": band, "color": color, "label": labels[band]}
        for band, color in BAND_COLORS.items()
    ]


def slot_view(slot: Slot, settings: Settings) -> dict[str, Any]:
    """One day as JSON: the slot's values plus its band and color."""
    row = slot.as_dict()
    band = calories_band(row["total_calories"], settings)
    row["band"] = band
    row["color"] = BAND_COLORS.get(band) if band else None
    return row


def window_view(
    views: Views, person: str, settings: Settings, end: date | None = None
) -> dict[str, Any]:
    """A person's window ending at ``end`` (default: their newest day).

    Returns:
        The person, first and last day, newest day seen, the legend of the
        bands and one JSON slot per calendar day (gaps have null values).
    """
    days = views.person(person)
    slots = days.window(end, settings.window_days)
    return {
        "person": person,
        "start": slots[0].day.isoformat() if slots else None,
        "end": slots[-1].day.isoformat() if slots else None,
        "newest_day": _iso(days.newest_day),
        "bands": band_legend(settings),
        "palette": PALETTE,
        "thresholds": {
            "red_below": settings.calories_red_below,
            "orange_below": settings.calories_orange_below,
        },
        "slots": [slot_view(slot, settings) for slot in slots],
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
