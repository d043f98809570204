"""``ourastream chart``: the window ending 2022-09-06 of the real export as a
PNG (saved as ``artifacts/chart.png``), redraws that reuse the figure, the
live chart following the topics, and one-line errors."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.colors import to_rgb
from matplotlib.image import imread

from ourastream.chart.figure import new_figure
from ourastream.chart.live import LiveChart
from ourastream.cli import main
from ourastream.dashboard.view import BAND_COLORS, MINUTES_COLOR, window_view
from ourastream.settings import Settings
from ourastream.window import Views
from tests.dashboard.conftest import (  # noqa: F401 (fixtures)
    PERSON,
    export_records,
    loaded,
    produce_days,
    wait_for,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
END = date(2022, 9, 6)


def export_views() -> Views:
    views = Views()
    for record in export_records():
        views.apply_daily(record.key, record.to_json())
    return views


def share_of(image: np.ndarray, color: str) -> float:
    """The share of pixels within a small distance of ``color``."""
    distance = np.abs(image[..., :3] - np.array(to_rgb(color))).sum(axis=-1)
    return float((distance < 0.06).mean())


@pytest.mark.kafka
def test_chart_writes_a_png_of_the_window(
    loaded: Settings,  # noqa: F811
    settings_env: dict[str, str],
    tmp_path: Path,
) -> None:
    out = tmp_path / "chart.png"

    result = CliRunner().invoke(
        main,
        ["chart", "--person", PERSON, "--end", str(END), "--out", str(out)],
        env=settings_env,
    )

    assert result.exit_code == 0, result.output
    image = imread(out)
    height, width = image.shape[:2]
    assert width >= 1200 and height >= 600
    assert len(np.unique(image.reshape(-1, image.shape[-1]), axis=0)) > 50
    assert share_of(image, BAND_COLORS["green"]) > 0.01
    assert share_of(image, BAND_COLORS["orange"]) > 0.01
    assert share_of(image, MINUTES_COLOR) > 0.001
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "chart.png").write_bytes(out.read_bytes())


def test_the_chart_shows_gaps_and_minutes() -> None:
    views = export_views()
    days = {r.day: r for r in export_records()}
    chart = new_figure(Settings())

    chart.draw(window_view(views, PERSON, Settings(), END))

    shown = [END - timedelta(days=14 - i) for i in range(15)]
    missing = [i for i, day in enumerate(shown) if day not in days]
    assert missing
    assert [i for i, gap in enumerate(chart.gaps) if gap.get_visible()] == missing
    assert [i for i, bar in enumerate(chart.bars) if not bar.get_visible()] == missing
    minutes = chart.minutes_line.get_ydata()
    for i, day in enumerate(shown):
        if day in days:
            assert minutes[i] == days[day].high_activity_minutes
        else:
            assert np.isnan(minutes[i])
    labels = [chart._day_label(i, i) for i in range(15)]
    assert labels[-1] == "Tue\nSep 06"


def test_redrawing_for_hours_reuses_the_same_artists() -> None:
    views = export_views()
    settings = Settings()
    chart = new_figure(settings)
    chart.draw(window_view(views, PERSON, settings, END))
    chart.figure.canvas.draw()
    artists = len(chart.figure.findobj())

    for shift in range(200):
        end = END + timedelta(days=shift % 60)
        chart.draw(window_view(views, PERSON, settings, end))
        chart.figure.canvas.draw()

    assert len(chart.figure.findobj()) == artists


@pytest.mark.kafka
def test_the_live_chart_redraws_when_a_day_arrives(loaded: Settings) -> None:  # noqa: F811
    newest = max(export_records(), key=lambda r: r.day)
    arriving = newest.model_copy(update={"day": newest.day + timedelta(days=1)})
    live = LiveChart(new_figure(loaded), loaded, PERSON, None)
    try:
        live.reader.catch_up()
        live.redraw()
        assert live.chart._days[-1] == newest.day

        produce_days(loaded, [arriving])
        wait_for(live.step, every_s=0)
    finally:
        live.close()

    assert live.chart._days[-1] == arriving.day
    assert live.chart.bars[-1].get_height() == arriving.total_calories


def test_live_without_a_display_is_one_clear_line(clean_env) -> None:
    result = CliRunner().invoke(
        main, ["chart", "--live"], env={"DISPLAY": None, "WAYLAND_DISPLAY": None}
    )

    assert result.exit_code == 1
    assert "No display" in result.output and "--out chart.png" in result.output
    assert "Traceback" not in result.output


def test_nothing_to_do_is_a_usage_error(clean_env) -> None:
    result = CliRunner().invoke(main, ["chart"])

    assert result.exit_code == 2
    assert "--out" in result.output


@pytest.mark.kafka
def test_an_unknown_person_is_one_line(
    loaded: Settings,  # noqa: F811
    settings_env: dict[str, str],
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(
        main,
        ["chart", "--person", "nobody", "--out", str(tmp_path / "x.png")],
        env=settings_env,
    )

    assert result.exit_code == 1
    assert "No days for person 'nobody'" in result.output
    assert "--person" in result.output
