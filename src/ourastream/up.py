"""``ourastream up``: the whole pipeline from one command.

It uses the configured cluster, or the local broker (started if nothing
answers), creates the topics, then runs ``process``, ``dashboard`` and
``produce`` as child processes, each logging to its own file in the data
directory. One Ctrl-C (or SIGTERM) stops them in order: the producer flushes,
the processor commits, the dashboard stops, and the broker too if ``up``
started it. A second Ctrl-C kills everything at once.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import webbrowser
from dataclasses import dataclass, field
from pathlib import Path

import click
import httpx

from ourastream import kafka
from ourastream.broker import LocalBroker, ensure_broker
from ourastream.console import last_lines, settings_from
from ourastream.errors import OurastreamError
from ourastream.produce.sample import person_name
from ourastream.settings import Settings

log = logging.getLogger(__name__)

PART_STOP_GRACE_S = 20.0
DASHBOARD_READY_S = 60.0
SAMPLE_PEOPLE = 3
SAMPLE_DAYS = 365
SAMPLE_SEED = 7


class PartFailedError(OurastreamError):
    """One part of the pipeline stopped on its own with an error."""


@dataclass
class Part:
    """One child process of the pipeline and its log file."""

    name: str
    args: list[str]
    log_file: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as out:
            # A session of its own, so a terminal's Ctrl-C reaches only `up`,
            # which then stops the parts in order.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ourastream", *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        log.info(
            "started %s (pid %d), log: %s", self.name, self.process.pid, self.log_file
        )

    def exit_code(self) -> int | None:
        return self.process.poll() if self.process else None

    def stop(self, grace_s: float = PART_STOP_GRACE_S) -> None:
        """Ask the part to stop (SIGINT, as a Ctrl-C would), then kill it."""
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(grace_s)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop in %.0f s; killing it", self.name, grace_s)
            self.kill()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 10) -> str:
        return last_lines(self.log_file, lines) or ""


class Pipeline:
    """The parts ``up`` runs, started and stopped in order."""

    def __init__(self, settings: Settings, inputs: list[Path], speed: float) -> None:
        self.settings = settings
        self.logs = settings.data_dir / "logs"
        self.broker: LocalBroker | None = None
        self.inputs = inputs
        self.speed = speed
        self.parts: list[Part] = []

    @property
    def dashboard_url(self) -> str:
        return f"http://{self.settings.dashboard_host}:{self.settings.dashboard_port}/"

    def start(self) -> None:
        self._ensure_broker()
        kafka.ensure_topics(self.settings)
        self._start_part("process", ["process"])
        self._start_part("dashboard", ["dashboard", *self._dashboard_args()])
        self._wait_dashboard()
        self._start_part("produce", ["produce", *self._produce_args()])

    def _ensure_broker(self) -> None:
        if self.settings.uses_local_broker:
            click.echo("Checking the local Kafka broker...", err=True)
        self.broker = ensure_broker(self.settings)

    def _start_part(self, name: str, args: list[str]) -> None:
        part = Part(name, args, self.logs / f"{name}.log")
        part.start()
        self.parts.append(part)

    def _dashboard_args(self) -> list[str]:
        # The sample's people have names of their own; show the first of them.
        person = self.settings.person if self.inputs else person_name(0)
        return ["--person", person]

    def _produce_args(self) -> list[str]:
        inputs = [str(p) for p in self.inputs] or [str(self._sample_file())]
        person = ["--person", self.settings.person]
        return [*inputs, *person, "--speed", str(self.speed), "--quiet"]

    def _sample_file(self) -> Path:
        """The built-in sample: a few people over some months, made once."""
        path = self.settings.data_dir / "sample.jsonl"
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        args = [
            sys.executable, "-m", "ourastream", "sample",
            "--people", str(SAMPLE_PEOPLE), "--days", str(SAMPLE_DAYS),
            "--seed", str(SAMPLE_SEED), "--out", str(path),
        ]  # fmt: skip
        subprocess.run(args, check=True, capture_output=True)
        return path

    def _wait_dashboard(self) -> None:
        dashboard = self.parts[-1]
        health = self.dashboard_url + "api/health"
        deadline = time.monotonic() + DASHBOARD_READY_S
        while time.monotonic() < deadline:
            self.check_parts()
            try:
                if httpx.get(health, timeout=1.0).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise PartFailedError(
            f"The dashboard did not answer at {health} within "
            f"{DASHBOARD_READY_S:.0f} s. See its log: {dashboard.log_file}"
        )

    def check_parts(self) -> None:
        """Raise if a part stopped on its own, except a producer that finished.

        Raises:
            PartFailedError: naming the part, its exit code and its log.
        """
        for part in self.parts:
            code = part.exit_code()
            if code is None or (part.name == "produce" and code == 0):
                continue
            raise PartFailedError(
                f"{part.name} stopped with exit code {code}. Its log, "
                f"{part.log_file}, ends with:\n{part.log_tail()}"
            )

    def stop(self) -> None:
        """Stop the parts in order: producer, processor, dashboard, broker."""
        for name in ("produce", "process", "dashboard"):
            for part in self.parts:
                if part.name == name:
                    part.stop()
        if self.broker:
            self.broker.stop()

    def kill(self) -> None:
        """Stop at once: kill every part; the broker gets SIGTERM, no wait."""
        for part in self.parts:
            part.kill()
        pid = self.broker.pid() if self.broker else None
        if pid:
            os.kill(pid, signal.SIGTERM)


@click.command()
@click.option(
    "--input",
    "inputs",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Your own export (file or folder; repeatable). Default: a built-in sample.",
)
@click.option(
    "--speed",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="Days of data replayed per second.",
)
@click.option(
    "--person",
    help="Whose export --input is (records without a 'person' field). "
    "[default: OURASTREAM_PERSON]",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the dashboard.")
@click.pass_context
def up(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    speed: float,
    person: str | None,
    open_browser: bool,
) -> None:
    """Run the whole pipeline: broker, processor, dashboard and producer.

    \b
    Example:
        ourastream up --input ~/oura/daily_activity.jsonl --open

    Uses OURASTREAM_BOOTSTRAP_SERVERS when set, else the local broker (started
    if it is not running, and stopped again on the way out). Press Ctrl-C
    once to stop everything in order; twice to stop at once.
    """
    settings = settings_from(ctx, person=person)
    pipeline = Pipeline(settings, list(inputs), speed)
    stopping = _install_signal_handlers(pipeline)
    try:
        pipeline.start()
        click.echo(f"Dashboard: {pipeline.dashboard_url}")
        click.echo(f"Logs: {pipeline.logs}. Press Ctrl-C to stop.")
        if open_browser:
            webbrowser.open(pipeline.dashboard_url)
        while not stopping:
            pipeline.check_parts()
            time.sleep(0.2)
    except OurastreamError:
        pipeline.stop()
        raise
    except BaseException:
        pipeline.kill()
        raise
    parts = "producer, processor, dashboard" + (", broker" if pipeline.broker else "")
    click.echo(f"Stopping: {parts}...", err=True)
    pipeline.stop()
    click.echo("Stopped.", err=True)


def _install_signal_handlers(pipeline: Pipeline) -> list[int]:
    """The first SIGINT or SIGTERM asks for an orderly stop; a second one
    kills every part and exits at once."""
    stopping: list[int] = []

    def handle(signum: int, _frame) -> None:
        if stopping:
            pipeline.kill()
            os._exit(128 + signum)
        stopping.append(signum)

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stopping
