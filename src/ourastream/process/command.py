"""``ourastream process`` (run the stream processor) and ``ourastream window``
(print a person's rolling window from the topics it writes)."""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime

import click
import orjson

from ourastream import kafka
from ourastream.console import quiet_option, settings_from
from ourastream.errors import OurastreamError
from ourastream.window import SLOT_FIELDS, Slot

log = logging.getLogger(__name__)

FORMATS = ("table", "json", "csv")
TABLE_COLUMNS = (
    ("day", 10),
    ("kcal", 6),
    ("active", 6),
    ("high min", 8),
    ("steps", 7),
    ("wear", 5),
)


@click.command()
@click.option(
    "--idle-exit",
    type=click.FloatRange(min=0),
    default=0,
    metavar="SECONDS",
    help="Stop cleanly after this long without a new record (0: never).",
)
@quiet_option
@click.pass_context
def process(ctx: click.Context, idle_exit: float) -> None:
    """Turn raw records into the newest revision of each day and its anomalies.

    \b
    Example:
        ourastream process                  # until Ctrl-C or SIGTERM
        ourastream process --idle-exit 10   # a backfill: stop when caught up

    Reads the raw topic in the consumer group OURASTREAM_CONSUMER_GROUP and
    writes the daily, anomalies and dead-letter topics. Several instances in
    one group share the partitions. State lives under OURASTREAM_DATA_DIR.
    """
    from ourastream.process.app import Processor

    settings = settings_from(ctx)
    kafka.check_reachable(settings)
    kafka.ensure_topics(settings)
    logging.getLogger("quixstreams").setLevel(
        logging.getLogger("ourastream").getEffectiveLevel()
    )
    tally = Processor(settings).run(idle_exit_s=idle_exit)
    if not ctx.find_root().obj.get("quiet"):
        click.echo(f"processed {tally.summary()}", err=True)


@click.command()
@click.option("--person", "-p", help="Whose days (default OURASTREAM_PERSON).")
@click.option(
    "--end",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Last day of the window, YYYY-MM-DD (default: the newest day).",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    help="Calendar days in the window (default OURASTREAM_WINDOW_DAYS, 15).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="How to print the window.",
)
@quiet_option
@click.pass_context
def window(
    ctx: click.Context,
    person: str | None,
    end: datetime | None,
    days: int | None,
    output_format: str,
) -> None:
    """Print a person's rolling window: one row per calendar day, gaps as nulls.

    \b
    Example:
        ourastream window --person me
        ourastream window --person me --end 2022-11-17 --format json

    Reads the daily and anomalies topics to their end. A day with no record
    is printed as a gap (nulls, never zeros).
    """
    from ourastream.reader import read_views

    settings = settings_from(ctx)
    person = person or settings.person
    views = read_views(settings)
    slots = views.person(person).window(
        end.date() if end else None, days or settings.window_days
    )
    if not slots:
        known = ", ".join(views.people()) or "nobody yet"
        raise OurastreamError(
            f"No days of {person!r} in {settings.topic_daily} (it holds: {known}). "
            "Check --person, or run `ourastream produce` and `ourastream process`."
        )
    click.echo(RENDERERS[output_format](slots), nl=False)


def render_json(slots: list[Slot]) -> str:
    """A JSON list of slots, oldest first, each with its ``day``."""
    rows = [slot.as_dict() for slot in slots]
    return orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n"


def render_csv(slots: list[Slot]) -> str:
    """One CSV row per day; a gap has empty cells; anomalies joined by ``; ``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", *SLOT_FIELDS, "anomalies"])
    for slot in slots:
        row = slot.as_dict()
        cells = ["" if row[f] is None else row[f] for f in SLOT_FIELDS]
        reasons = "; ".join(a["reason"] for a in row["anomalies"])
        writer.writerow([row["day"], *cells, reasons])
    return out.getvalue()


def render_table(slots: list[Slot]) -> str:
    """Aligned columns for a terminal; a gap reads ``no data``."""
    header = "  ".join(name.rjust(width) for name, width in TABLE_COLUMNS)
    lines = [header + "  anomalies"]
    lines += [_table_row(slot) for slot in slots]
    return "\n".join(lines) + "\n"


def _table_row(slot: Slot) -> str:
    day = slot.day.isoformat()
    record = slot.record
    if record is None:
        return f"{day}  {'no data':>6}"
    cells = (
        _number(record.total_calories),
        _number(record.active_calories),
        _number(record.high_activity_minutes),
        _number(record.steps),
        f"{record.wear_ratio:.0%}" + ("" if record.worn else "!"),
    )
    widths = [width for _, width in TABLE_COLUMNS[1:]]
    row = "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
    reasons = "; ".join(a.reason for a in slot.anomalies)
    return f"{day}  {row}  {reasons}".rstrip()


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


RENDERERS = {"table": render_table, "json": render_json, "csv": render_csv}
