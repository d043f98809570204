"""The page in a real headless Chromium (Debian's, driven by Playwright):
the window ending 2022-09-06 of the real export, a day arriving while the
page is open, and an anomaly's sentence. Saves ``artifacts/dashboard.png``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ourastream.settings import Settings
from tests.dashboard.conftest import (
    WORKOUT,
    WORKOUT_DAY,
    Running,
    export_records,
    produce_days,
    start_dashboard,
    wait_for,
)

pytestmark = [pytest.mark.kafka, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
END = date(2022, 9, 6)
ARRIVING = date(2022, 9, 5)  # missing from the export

# What the drawn chart holds, read from the page's SVG.
FIGURE = """() => {
  const chart = document.getElementById("combo");
  const all = (selector) => [...chart.querySelectorAll(selector)];
  const points = new Map(all(".point").map((p) => [p.dataset.day, +p.dataset.minutes]));
  const ticks = all(".xtick").map((t) => t.dataset.day);
  return {
    ticks,
    barDays: all(".bar").map((b) => b.dataset.day).sort(),
    lineDays: ticks,
    minutes: ticks.map((day) => (points.has(day) ? points.get(day) : null)),
    noData: all(".day-note").filter((n) => n.textContent === "no data").length,
    gaps: all(".gap").length,
    unworn: all(".day-note").filter((n) => n.textContent === "not worn").length,
    minutesTitle: chart.querySelector(".y2title").textContent,
    caloriesTitle: chart.querySelector(".ytitle").textContent,
  };
}"""


def bar_shows(day: date, kcal: int | None = None) -> str:
    """A page function true once the bar of ``day`` is drawn (at ``kcal``)."""
    value = "" if kcal is None else f"[data-kcal='{kcal}']"
    return f"() => document.querySelector(\"#combo .bar[data-day='{day}']{value}\")"


@pytest.fixture
def page(running: Running) -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 680})
        try:
            yield page
        finally:
            browser.close()


def open_window(page, running: Running) -> dict:
    page.goto(f"{running.url}?person=me&end={END}")
    page.wait_for_function(
        "() => document.querySelectorAll('#combo .xtick').length > 0", timeout=15_000
    )
    return page.evaluate(FIGURE)


def test_the_window_shows_fifteen_days_with_gaps_in_minutes(
    page, running: Running
) -> None:
    days = {r.day.isoformat(): r for r in export_records()}

    figure = open_window(page, running)

    assert len(figure["ticks"]) == 15
    assert figure["ticks"][-1] == END.isoformat()
    present = [d for d in figure["ticks"] if d in days]
    assert figure["barDays"] == present
    assert figure["noData"] == figure["gaps"] == 15 - len(present) > 0
    for day, minutes in zip(figure["lineDays"], figure["minutes"], strict=True):
        expected = days[day].high_activity_minutes if day in days else None
        assert minutes == expected, day
    assert "minutes" in figure["minutesTitle"]
    assert "kcal" in figure["caloriesTitle"]
    assert page.locator(".xtick").count() == 15


def test_a_day_produced_while_open_appears_without_reload(
    page, running: Running, loaded: Settings
) -> None:
    before = open_window(page, running)
    page.evaluate("() => { window.sameDocument = true; }")
    newest = max(export_records(), key=lambda r: r.day)
    arriving = newest.model_copy(
        update={
            "day": ARRIVING,
            "total_calories": 2600,
            "wear_ratio": 0.4,
            "worn": False,
        }
    )

    produce_days(loaded, [arriving])
    page.wait_for_function(bar_shows(ARRIVING, 2600), timeout=10_000)
    after = page.evaluate(FIGURE)

    assert page.evaluate("() => window.sameDocument") is True
    assert ARRIVING.isoformat() in after["barDays"]
    assert after["noData"] == before["noData"] - 1
    assert "records/s" in page.inner_text("#status")
    assert "Kafka connected" in page.inner_text("#status")
    assert after["unworn"] == before["unworn"] + 1
    hover_anomaly(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "dashboard.png")
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000


def test_an_anomaly_is_listed_and_told_on_hover(page, running: Running) -> None:
    open_window(page, running)

    listed = page.locator("#anomalies li", has_text=WORKOUT.reason)
    assert listed.is_visible()
    assert WORKOUT_DAY.isoformat() in listed.inner_text()

    hover_anomaly(page)
    assert page.locator("#tip").get_by_text(WORKOUT.reason).is_visible()


def hover_anomaly(page) -> None:
    """Point at the anomaly's mark and wait for its sentence to show."""
    box = page.locator("#combo .anomaly-mark").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    hover = page.locator("#tip")
    hover.get_by_text("a workout recorded by mistake?").wait_for(timeout=5_000)


def test_the_page_reconnects_after_the_dashboard_restarts(
    page, running: Running, loaded: Settings, settings_env: dict[str, str]
) -> None:
    open_window(page, running)
    page.evaluate("() => { window.sameDocument = true; }")
    port = int(running.url.rsplit(":", 1)[1].strip("/"))
    running.process.terminate()
    running.process.communicate(timeout=15)
    page.wait_for_function(
        "() => document.getElementById('status').textContent.includes('reconnecting')"
    )

    again = start_dashboard(settings_env, port=port)
    try:
        wait_for(lambda: again.caught_up(len(export_records()) + 1))
        newest = max(export_records(), key=lambda r: r.day)
        produce_days(loaded, [newest.model_copy(update={"day": ARRIVING})])
        page.wait_for_function(bar_shows(ARRIVING), timeout=15_000)
        assert page.evaluate("() => window.sameDocument") is True
        assert page.evaluate(FIGURE)["ticks"][-1] == END.isoformat()
        assert "Kafka connected" in page.inner_text("#status")
    finally:
        again.process.terminate()
        again.process.communicate(timeout=15)
