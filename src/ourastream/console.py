"""What every command shares: loading the settings once, logging set up by
the entry point only, and turning ourastream's errors into one-line messages
instead of tracebacks."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from ourastream import __version__
from ourastream.errors import OurastreamError
from ourastream.settings import Settings, load_settings, unknown_env_names

log = logging.getLogger("ourastream")


def configure_logging(level: str) -> None:
    """Log to standard error; data a command prints goes to standard output."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("ourastream").setLevel(level)
    # librdkafka reports every refused connection; show them only when asked.
    client_level = logging.DEBUG if level == "DEBUG" else logging.CRITICAL
    logging.getLogger("ourastream.kafka.client").setLevel(client_level)


def settings_from(ctx: click.Context, **overrides: Any) -> Settings:
    """Load the settings (environment, ``.env``, then the command's flags),
    set up logging, and log the effective settings once, secrets masked."""
    root = ctx.find_root()
    root.ensure_object(dict)
    if "settings" not in root.obj:
        settings = load_settings(**overrides)
        level = "WARNING" if root.obj.get("quiet") else settings.log_level
        configure_logging(level)
        log.info("ourastream %s, settings: %s", __version__, _compact(settings))
        _warn_unknown_names()
        root.obj["settings"] = settings
    return root.obj["settings"]


def _warn_unknown_names() -> None:
    for name, close in unknown_env_names().items():
        hint = f"; did you mean {close}?" if close else ""
        log.warning("%s is not an ourastream setting and is ignored%s", name, hint)


def _compact(settings: Settings) -> str:
    shown = settings.masked()
    return ", ".join(f"{k}={v}" for k, v in shown.items() if v not in (None, ""))


class Group(click.Group):
    """A command group that prints ourastream's errors as one line, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OurastreamError as exc:
            raise click.ClickException(str(exc)) from exc


def quiet_option(function):
    """``--quiet``: no progress and only warnings on standard error."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        if value:
            ctx.find_root().ensure_object(dict)["quiet"] = True
        return value

    return click.option(
        "--quiet",
        "-q",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=remember,
        help="No progress bar; only warnings and errors on stderr.",
    )(function)


# How much of the end of a log ``last_lines`` reads: plenty for a few lines.
TAIL_BYTES = 64 * 1024


def last_lines(path: Path, count: int) -> str | None:
    """The last ``count`` lines of a log, for an error message; None when it
    cannot be read. Reads only the end of the file, however large it grew."""
    try:
        with path.open("rb") as log:
            size = log.seek(0, os.SEEK_END)
            log.seek(max(0, size - TAIL_BYTES))
            text = log.read().decode("utf-8", "replace")
    except OSError:
        return None
    return "\n".join(text.splitlines()[-count:])
