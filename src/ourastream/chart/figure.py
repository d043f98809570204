"""The rolling window drawn with matplotlib, to match the dashboard's page:
calories as bars in their band's color, high-activity minutes as a line on a
second axis, missing days outlined as gaps, mostly unworn days shaded, and
anomalies marked on their day and listed under the chart.

A ``WindowChart`` creates its artists once and only updates them, so a
window redrawn for hours (``chart --live``) does not grow memory.
"""

from __future__ import annotations

import math
import textwrap
from datetime import date
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ourastream.dashboard.view import (
    ANOMALY_COLOR,
    BAND_COLORS,
    MINUTES_COLOR,
    UNWORN_COLOR,
    band_legend,
)
from ourastream.settings import Settings

GAP_COLOR = "#9aa5b1"
INK = "#1f2933"
MUTED = "#616e7c"
ANOMALY_LINES = 4
WRAP_CHARS = 140


class WindowChart:
    """One figure showing one window at a time; ``draw`` replaces the window.

    Args:
        figure: where to draw (an Agg figure for files, a pyplot figure for a
            desktop window).
        settings: window size and calorie thresholds.
    """

    def __init__(self, figure: Figure, settings: Settings) -> None:
        self.figure = figure
        self.settings = settings
        self.size = settings.window_days
        self._days: list[date] = []
        self._build_axes()
        self._build_day_artists()
        self._build_marks()
        self._build_legend()

    def _build_axes(self) -> None:
        self.figure.subplots_adjust(left=0.07, right=0.93, top=0.8, bottom=0.22)
        self.axes = self.figure.add_subplot()
        self.minutes_axes = self.axes.twinx()
        self.axes.set_xlim(-0.5, self.size - 0.5)
        self.axes.set_xticks(range(self.size))
        self.axes.xaxis.set_major_formatter(FuncFormatter(self._day_label))
        self.axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        self.axes.set_ylabel("Total calories burned (kcal)", color=INK)
        self.minutes_axes.set_ylabel(
            "High-activity time (minutes)", color=MINUTES_COLOR
        )
        self.minutes_axes.tick_params(axis="y", colors=MINUTES_COLOR)
        self.minutes_axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        self.axes.grid(axis="y", color="#eef2f6", zorder=0)
        self.axes.set_axisbelow(True)
        for spine in ("top",):
            self.axes.spines[spine].set_visible(False)
            self.minutes_axes.spines[spine].set_visible(False)
        self.title = self.figure.text(
            0.07, 0.965, "", fontsize=13, color=INK, va="top", weight="bold"
        )

    def _build_day_artists(self) -> None:
        """Per slot: a bar, an unworn shade, a gap outline and their notes."""
        positions = range(self.size)
        self.bars = self.axes.bar(positions, [0] * self.size, width=0.7, zorder=2)
        transform = self.axes.get_xaxis_transform()
        self.shades, self.gaps, self.notes = [], [], []
        for i in positions:
            self.shades.append(self._day_box(i, transform, UNWORN_COLOR, 0.3, None))
            self.gaps.append(self._day_box(i, transform, "none", 1.0, ":"))
            note = self.axes.text(
                i, 0.03, "", transform=transform, rotation=90, ha="center",
                va="bottom", fontsize=9, color=MUTED, visible=False, clip_on=False,
            )  # fmt: skip
            self.notes.append(note)

    def _day_box(self, i, transform, color, alpha, linestyle) -> Rectangle:
        box = Rectangle(
            (i - 0.5, 0), 1, 1, transform=transform, facecolor=color, alpha=alpha,
            edgecolor=GAP_COLOR if linestyle else "none", linestyle=linestyle or "-",
            zorder=1, visible=False,
        )  # fmt: skip
        self.axes.add_patch(box)
        return box

    def _build_marks(self) -> None:
        (self.minutes_line,) = self.minutes_axes.plot(
            range(self.size), [math.nan] * self.size, color=MINUTES_COLOR,
            linewidth=2.5, marker="o", markersize=6, zorder=4,
        )  # fmt: skip
        (self.anomaly_marks,) = self.axes.plot(
            [], [], linestyle="none", marker="D", markersize=11, zorder=5,
            color=ANOMALY_COLOR, markeredgecolor="white", markeredgewidth=1.2,
        )  # fmt: skip
        for kcal in (
            self.settings.calories_red_below,
            self.settings.calories_orange_below,
        ):
            self.axes.axhline(kcal, color=GAP_COLOR, linewidth=1, linestyle="--")
        self.anomaly_text = self.figure.text(
            0.07, 0.125, "", fontsize=9.5, color=INK, va="top", linespacing=1.5
        )

    def _build_legend(self) -> None:
        handles = [
            Patch(color=band["color"], label=f"Calories {band['label']}")
            for band in band_legend(self.settings)
        ]
        handles += [
            Line2D([], [], color=MINUTES_COLOR, linewidth=2.5, marker="o",
                   label="High activity (minutes)"),
            Line2D([], [], color=ANOMALY_COLOR, marker="D", linestyle="none",
                   markersize=9, label="Anomaly"),
            Patch(facecolor=UNWORN_COLOR, alpha=0.3, label="Mostly not worn"),
            Patch(facecolor="none", edgecolor=GAP_COLOR, linestyle=":",
                  label="No data"),
        ]  # fmt: skip
        self.figure.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(0.065, 0.93),
            ncol=4, frameon=False, fontsize=9.5,
        )  # fmt: skip

    def _day_label(self, position: float, _tick: int) -> str:
        i = int(round(position))
        if not 0 <= i < len(self._days):
            return ""
        return self._days[i].strftime("%a\n%b %d")

    def draw(self, window: dict[str, Any]) -> None:
        """Show ``window`` (as ``dashboard.view.window_view`` makes it).

        Args:
            window: the person, first and last day, and one slot per day.
        """
        slots = window["slots"]
        self._days = [date.fromisoformat(s["day"]) for s in slots]
        for i, slot in enumerate(slots[: self.size]):
            self._draw_day(i, slot)
        self._draw_minutes(slots)
        self._draw_anomalies(slots)
        self._scale(slots)
        self.title.set_text(
            f"{window['person']}: calories burned and high-activity minutes, "
            f"{window['start']} to {window['end']}"
        )

    def _draw_day(self, i: int, slot: dict[str, Any]) -> None:
        calories = slot["total_calories"]
        missing = calories is None and slot["worn"] is None
        bar = self.bars[i]
        bar.set_height(calories or 0)
        bar.set_visible(calories is not None)
        bar.set_facecolor(BAND_COLORS.get(slot["band"] or "", GAP_COLOR))
        self.gaps[i].set_visible(missing)
        self.shades[i].set_visible(slot["worn"] is False)
        note = self.notes[i]
        note.set_visible(missing or slot["worn"] is False)
        note.set_text("no data" if missing else "not worn")
        # "no data" stands upright in its empty slot; "not worn" sits above
        # the plot, where the day's own bar cannot hide it.
        note.set_rotation(90 if missing else 0)
        note.set_y(0.03 if missing else 1.01)
        note.set_va("bottom")

    def _draw_minutes(self, slots: list[dict[str, Any]]) -> None:
        minutes = [
            math.nan
            if s["high_activity_minutes"] is None
            else s["high_activity_minutes"]
            for s in slots
        ]
        self.minutes_line.set_data(range(len(minutes)), minutes)

    def _draw_anomalies(self, slots: list[dict[str, Any]]) -> None:
        top = self._calories_top(slots)
        marked = [(i, s) for i, s in enumerate(slots) if s["anomalies"]]
        self.anomaly_marks.set_data(
            [i for i, _ in marked],
            [(s["total_calories"] or top * 0.5) + top * 0.05 for _, s in marked],
        )
        lines = [
            f"◆ {s['day']}: {a['reason']}" for _, s in reversed(marked)
            for a in s["anomalies"]
        ]  # fmt: skip
        if len(lines) > ANOMALY_LINES:
            lines = lines[: ANOMALY_LINES - 1] + [f"and {len(lines) - 3} more"]
        wrapped = [textwrap.shorten(line, WRAP_CHARS) for line in lines]
        self.anomaly_text.set_text("\n".join(wrapped))

    def _calories_top(self, slots: list[dict[str, Any]]) -> float:
        highest = max((s["total_calories"] or 0 for s in slots), default=0)
        return max(highest, self.settings.calories_orange_below) * 1.15

    def _scale(self, slots: list[dict[str, Any]]) -> None:
        self.axes.set_ylim(0, self._calories_top(slots))
        highest = max((s["high_activity_minutes"] or 0 for s in slots), default=0)
        self.minutes_axes.set_ylim(0, max(highest * 1.25, 60))


def new_figure(settings: Settings) -> WindowChart:
    """A chart on a figure of its own, not known to pyplot (for files)."""
    figure = Figure(figsize=(13, 6.2), dpi=110, facecolor="white")
    return WindowChart(figure, settings)
