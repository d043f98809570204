"""``ourastream chart``: the rolling window as a picture file, or live in a
desktop window."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from ourastream.console import settings_from
from ourastream.settings import Settings

FORMATS = (".png", ".svg", ".pdf")


@click.command()
@click.option("--person", help="Whose days [default: OURASTREAM_PERSON].")
@click.option(
    "--end",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="DAY",
    help="Last day of the window, YYYY-MM-DD [default: the newest day].",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write: .png, .svg or .pdf.",
)
@click.option("--live", is_flag=True, help="Redraw in a desktop window as days arrive.")
@click.pass_context
def chart(
    ctx: click.Context,
    person: str | None,
    end: datetime | None,
    out: Path | None,
    live: bool,
) -> None:
    """Draw a person's rolling 15-day window, as the dashboard shows it.

    \b
    Example:
        ourastream chart --person me --end 2022-09-06 --out chart.png

    Bars are total calories (red, orange or green by the thresholds), the line
    is high-activity minutes, dotted outlines are missing days, grey shading
    marks days mostly not worn, and diamonds mark anomalies (listed below).
    With --live, a window follows the topics until it is closed.
    """
    if not out and not live:
        raise click.UsageError("Give --out chart.png to write a file, or --live.")
    if out and out.suffix.lower() not in FORMATS:
        raise click.BadParameter(
            f"{out} should end in .png, .svg or .pdf", param_hint="--out"
        )
    settings = settings_from(ctx, person=person)
    day = end.date() if end else None
    if out:
        _write(settings, settings.person, day, out)
    if live:
        from ourastream.chart.live import watch

        watch(settings, settings.person, day)


def _write(settings: Settings, person: str, end: date | None, out: Path) -> None:
    from ourastream.chart.figure import new_figure
    from ourastream.dashboard.view import window_view
    from ourastream.reader import read_views

    views = read_views(settings)
    if person not in views.people():
        known = ", ".join(views.people()) or "nobody yet"
        raise click.ClickException(
            f"No days for person {person!r} in {settings.topic_daily}; known: "
            f"{known}. Choose one with --person."
        )
    drawn = new_figure(settings)
    drawn.draw(window_view(views, person, settings, end))
    drawn.figure.savefig(out)
    click.echo(f"Wrote {out}.", err=True)
