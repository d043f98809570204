"""``ourastream produce`` (records into the raw topic) and ``ourastream
sample`` (a realistic, seeded sample to produce)."""

from __future__ import annotations

import logging
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from typing import BinaryIO

import click

from ourastream import kafka
from ourastream.console import quiet_option, settings_from
from ourastream.errors import OurastreamError
from ourastream.produce.oura_api import OuraApi
from ourastream.produce.producer import Options, Pace, RawProducer, Tally, chain_inputs
from ourastream.produce.progress import Progress
from ourastream.produce.sample import DEFAULT_START, write_sample
from ourastream.produce.sources import FORMATS, expand
from ourastream.produce.validate import PERSON_FIELD
from ourastream.settings import Settings

log = logging.getLogger(__name__)

DAY = click.DateTime(["%Y-%m-%d"])


@click.command()
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option(
    "--oura-api",
    is_flag=True,
    help="Also read daily activity from the Oura API v2 (OURASTREAM_OURA_TOKEN), "
    "over --from-day..--to-day.",
)
@click.option(
    "--format",
    "forced",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="records: one JSON record a line; pages: Oura API pages. auto detects.",
)
@click.option(
    "--person",
    help="Key of records without a 'person' field. [default: OURASTREAM_PERSON]",
)
@click.option(
    "--interval", type=click.FloatRange(min=0), help="Seconds between records."
)
@click.option(
    "--speed",
    type=click.FloatRange(min=0, min_open=True),
    help="Replay the records' calendar at this many days a second.",
)
@click.option("--max-rate", is_flag=True, help="As fast as possible (the default).")
@click.option("--loop", is_flag=True, help="Replay the inputs again and again.")
@click.option("--from-day", type=DAY, help="Skip records of days before this one.")
@click.option("--to-day", type=DAY, help="Skip records of days after this one.")
@click.option(
    "--drop-intraday",
    is_flag=True,
    help="Leave out the raw class_5_min and met fields (smaller messages).",
)
@quiet_option
@click.pass_context
def produce(ctx: click.Context, paths: tuple[str, ...], **flags) -> None:
    """Send Oura daily activity records into the raw topic, losing none.

    \b
    Example:
        ourastream produce export.jsonl --interval 5

    PATH is a file of JSON records one a line, of Oura API v2 pages
    ({"data": [...], "next_token": ...}, one a line or one pretty-printed
    page), a folder of such files, a .gz of any of them, or - for standard
    input. Each record is sent as the exact bytes received, keyed by its
    person: the record's "person" field when it has one (a file holding
    several people), else --person. Headers say the source and the position
    in it (line 12, page 2 record 3).

    Records that cannot be used go to the dead-letter topic with the reason
    and position; blank lines are skipped. Ctrl-C or SIGTERM stops reading,
    flushes what was sent and prints the summary. Exits 0 only when every
    usable record was delivered.
    """
    settings = settings_from(ctx, person=flags.pop("person"))
    inputs = _inputs(settings, paths, flags)
    kafka.check_reachable(settings)
    kafka.ensure_topics(settings)
    producer = RawProducer(settings, _options(settings, flags))
    shown = not ctx.find_root().obj.get("quiet")
    progress = Progress(inputs, shown=shown, loop=flags["loop"])
    log.info("producing %d inputs into %s", len(inputs), settings.topic_raw)
    records = chain_inputs(inputs, flags["forced"], flags["loop"])
    with _summary_at_exit(producer.tally, settings, progress):
        tally = producer.run(records, progress.tick)
    ctx.exit(exit_code(tally))


def _inputs(settings: Settings, paths: tuple[str, ...], flags: dict) -> list:
    if not paths and not flags["oura_api"]:
        raise click.UsageError(
            "Give a file, a folder, - for standard input, or --oura-api."
        )
    inputs: list = expand(paths)
    if flags["oura_api"]:
        inputs.append(OuraApi(settings, _day(flags["from_day"]), _day(flags["to_day"])))
    return inputs


def _options(settings: Settings, flags: dict) -> Options:
    chosen = [name for name in ("interval", "speed", "max_rate") if flags[name]]
    if flags["interval"] == 0:
        chosen.remove("interval")
    if len(chosen) > 1:
        shown = ", ".join("--" + name.replace("_", "-") for name in chosen)
        raise click.UsageError(f"Choose one pace, not {shown}.")
    return Options(
        person=settings.person,
        pace=Pace(interval_s=flags["interval"] or None, days_per_s=flags["speed"]),
        from_day=_day(flags["from_day"]),
        to_day=_day(flags["to_day"]),
        drop_intraday=flags["drop_intraday"],
    )


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


@contextmanager
def _summary_at_exit(tally: Tally, settings: Settings, progress: Progress):
    """Print the summary however the run ends, also when an input breaks."""
    try:
        yield
    except OurastreamError:
        progress.close()
        click.echo(_summary(tally, settings, progress), err=True)
        raise
    progress.close()
    click.echo(_summary(tally, settings, progress))


def _summary(tally: Tally, settings: Settings, progress: Progress) -> str:
    seconds = time.monotonic() - progress.began
    return tally.summary(settings.topic_raw, settings.topic_deadletter, seconds)


def exit_code(tally: Tally) -> int:
    """0 when every usable record was delivered; 128 + the signal when stopped
    by one (the usual shell convention); 1 when a record failed delivery."""
    if tally.failed or tally.unconfirmed:
        return 1
    if tally.stopped_by == "SIGINT":
        return 130
    if tally.stopped_by == "SIGTERM":
        return 143
    return 0


@click.command()
@click.option("--people", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--days", type=click.IntRange(min=1), default=90, show_default=True)
@click.option(
    "--start",
    type=DAY,
    default=DEFAULT_START.isoformat(),
    show_default=True,
    help="The first day.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Same seed, same file."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="File to write; - is standard output.",
)
@quiet_option
@click.pass_context
def sample(
    ctx: click.Context, people: int, days: int, start: datetime, seed: int, out: str
) -> None:
    """Write realistic daily activity for PEOPLE over DAYS, as JSON lines.

    \b
    Example:
        ourastream sample --people 3 --days 120 --out sample.jsonl

    Records have the Oura API v2 daily_activity shape (durations in seconds,
    timestamps with each person's UTC offset and its daylight-saving changes)
    plus a "person" field, so `ourastream produce` keys them by person. Days
    follow a weekly rhythm; some are missing, barely worn, revised by a later
    sync or sent twice, and a few are anomalies (a long workout with little
    burn). The same seed always writes the same bytes.
    """
    settings_from(ctx)
    began = time.monotonic()
    with _output(out) as stream:
        count = write_sample(stream, people, days, start.date(), seed)
    log.info(
        "wrote %d records of %d people (%s field) in %.1f s",
        count,
        people,
        PERSON_FIELD,
        time.monotonic() - began,
    )


@contextmanager
def _output(out: str):
    if out == "-":
        try:
            yield sys.stdout.buffer
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader (head, less) has had enough; nothing left to flush.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(0) from None
        return
    try:
        stream: BinaryIO = open(out, "wb")  # noqa: SIM115
    except OSError as exc:
        raise OurastreamError(
            f"Cannot write {out}: {exc.strerror}. Choose another --out."
        ) from exc
    with stream:
        yield stream
