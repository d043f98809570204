"""``chart --live``: a desktop window that redraws the person's window as
days reach the topics. One figure and its artists are reused for every
redraw, so watching for hours does not grow memory.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from datetime import date

from ourastream.chart.figure import WindowChart
from ourastream.dashboard.view import window_view
from ourastream.errors import SettingsError
from ourastream.reader import TopicReader
from ourastream.settings import Settings
from ourastream.window import Views

log = logging.getLogger(__name__)

FRAME_S = 0.1


class LiveChart:
    """A chart following the topics: each ``step`` reads what arrived and
    redraws when it concerns the person's window.

    Args:
        chart: the chart to redraw.
        settings: topics, window size and thresholds.
        person: whose window.
        end: the window's last day; None follows the person's newest day.
    """

    def __init__(
        self, chart: WindowChart, settings: Settings, person: str, end: date | None
    ) -> None:
        self.chart = chart
        self.settings = settings
        self.person = person
        self.end = end
        self.views = Views()
        self.reader = TopicReader(settings, self.views)
        self.reader.assign()

    def step(self, timeout_s: float = FRAME_S) -> bool:
        """Apply what arrives within ``timeout_s``; True when redrawn."""
        changes = self.reader.read(timeout_s)
        if not any(change.person == self.person for change in changes):
            return False
        self.redraw()
        return True

    def redraw(self) -> None:
        self.chart.draw(window_view(self.views, self.person, self.settings, self.end))
        self.chart.figure.canvas.draw_idle()

    def close(self) -> None:
        self.reader.close()


def desktop_pyplot():
    """pyplot with an interactive backend, or a one-line reason why not.

    Raises:
        SettingsError: no display, or no GUI toolkit for matplotlib.
    """
    on_linux = sys.platform.startswith("linux")
    if on_linux and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        raise SettingsError(
            "No display to open a window on (DISPLAY is not set). "
            "Write a file instead with --out chart.png."
        )
    import matplotlib.pyplot as pyplot

    if pyplot.get_backend().lower() in ("agg", "pdf", "svg", "ps", "cairo"):
        raise SettingsError(
            f"matplotlib has no window toolkit here (backend {pyplot.get_backend()}); "
            "install python3-tk, or write a file with --out chart.png."
        )
    return pyplot


def _interrupt(_signal: int, _frame) -> None:
    raise KeyboardInterrupt


def watch(settings: Settings, person: str, end: date | None) -> None:
    """Show the window on the desktop until it is closed, Ctrl-C or SIGTERM."""
    pyplot = desktop_pyplot()
    signal.signal(signal.SIGTERM, _interrupt)
    figure = pyplot.figure(figsize=(13, 6.2), num=f"ourastream: {person}")
    live = LiveChart(WindowChart(figure, settings), settings, person, end)
    try:
        live.reader.catch_up()
        live.redraw()
        pyplot.show(block=False)
        log.info("watching %s's window; close it or press Ctrl-C to stop", person)
        while pyplot.fignum_exists(figure.number):
            live.step(FRAME_S)
            figure.canvas.flush_events()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        live.close()
        pyplot.close(figure)
