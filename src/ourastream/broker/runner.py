"""Running the local single-node Kafka broker in the background: format its
storage once, start the JVM, wait until it answers, stop it gracefully."""

from __future__ import annotations

import base64
import logging
import os
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from ourastream import kafka
from ourastream.broker import config, install
from ourastream.console import last_lines
from ourastream.errors import (
    BrokerError,
    NotReadyError,
    PortInUseError,
    UnreachableError,
)
from ourastream.settings import LOCAL_HOST, Settings

log = logging.getLogger(__name__)

MAIN_CLASS = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"
STOP_GRACE_S = 30.0


@dataclass(frozen=True)
class BrokerStatus:
    """What ``ourastream broker status`` reports."""

    running: bool
    address: str
    pid: int | None
    kafka_version: str
    data_dir: Path


class LocalBroker:
    """The broker ``ourastream broker start`` runs, with its files in
    ``<data_dir>/broker``: configuration, KRaft storage, pid file and log."""

    def __init__(self, settings: Settings) -> None:
        if not settings.uses_local_broker:
            raise BrokerError(
                f"OURASTREAM_BOOTSTRAP_SERVERS names a cluster "
                f"({settings.bootstrap_servers}), so no local broker is used. "
                "Unset it to run the local one."
            )
        self.settings = settings
        self.home = settings.data_dir / "broker"
        self.storage = self.home / "kraft"
        self.properties = self.home / "server.properties"
        self.log4j = self.home / "log4j2.properties"
        self.pid_file = self.home / "broker.pid"
        self.log_file = self.home / "broker.log"

    @property
    def address(self) -> str:
        return f"{LOCAL_HOST}:{self.settings.broker_port}"

    def pid(self) -> int | None:
        """The pid of our running broker, or None (a stale pid file is removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        if _is_broker_process(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def status(self) -> BrokerStatus:
        pid = self.pid()
        libs = self._known_libs()
        return BrokerStatus(
            running=pid is not None,
            address=self.address,
            pid=pid,
            kafka_version=install.kafka_version_of(libs) if libs else "not installed",
            data_dir=self.home,
        )

    def start(self) -> bool:
        """Start the broker and wait until it answers a metadata request.

        Returns:
            False if it was already running, True if this call started it.

        Raises:
            BrokerError: with what to do (see the subclasses).
        """
        if self.pid() is not None:
            return False
        java = install.java_executable()
        self._prepare_home()
        self._check_ports_free()
        libs = install.kafka_libs(self.settings)
        classpath = str(libs / "*")
        self.properties.write_text(
            config.server_properties(self.settings, self.storage)
        )
        self.log4j.write_text(config.log4j2_properties())
        self._format_once(java, classpath)
        process = self._launch(java, classpath)
        self._wait_ready(process)
        return True

    def stop(self) -> bool:
        """Stop the broker gracefully (SIGTERM, then SIGKILL after a grace
        period); data stays on disk for the next start.

        Returns:
            False if it was not running.
        """
        pid = self.pid()
        if pid is None:
            return False
        log.info("stopping the local broker (pid %d)", pid)
        os.kill(pid, signal.SIGTERM)
        if not _wait_exit(pid, STOP_GRACE_S):
            log.warning("broker did not stop in %.0f s; killing it", STOP_GRACE_S)
            os.kill(pid, signal.SIGKILL)
            _wait_exit(pid, 5)
        self.pid_file.unlink(missing_ok=True)
        return True

    def _known_libs(self) -> Path | None:
        if self.settings.kafka_home:
            return self.settings.kafka_home / "libs"
        libs = install.installed_libs(self.settings)
        return libs if libs.exists() else None

    def _prepare_home(self) -> None:
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            probe = self.home / ".writable"
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            raise BrokerError(
                f"Cannot write to the data directory {self.home}: {exc.strerror}. "
                "Set OURASTREAM_DATA_DIR to a writable folder."
            ) from exc

    def _check_ports_free(self) -> None:
        ports = {
            "OURASTREAM_BROKER_PORT": self.settings.broker_port,
            "OURASTREAM_CONTROLLER_PORT": self.settings.controller_port,
        }
        for variable, port in ports.items():
            if not _port_free(port):
                raise PortInUseError(
                    f"Port {port} on {LOCAL_HOST} is taken by another program, so "
                    f"the broker cannot listen there. Stop that program or set "
                    f"{variable} to a free port."
                )

    def _format_once(self, java: str, classpath: str) -> None:
        """Format the KRaft storage the first time; later starts keep the data."""
        if (self.storage / "meta.properties").exists():
            return
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        command = [
            java, "-cp", classpath, f"-Dlog4j2.configurationFile={self.log4j}",
            # One argument, "--cluster-id=...": an id may begin with "-", which
            # a separate argument would pass off as an option.
            STORAGE_TOOL, "format", f"--cluster-id={cluster_id}",
            "--config", str(self.properties),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BrokerError(
                f"Formatting the broker storage in {self.storage} failed:\n"
                f"{result.stdout}{result.stderr}".rstrip()
            )
        log.info("formatted KRaft storage in %s (cluster %s)", self.storage, cluster_id)

    def _launch(self, java: str, classpath: str) -> subprocess.Popen:
        heap = f"{self.settings.broker_heap_mb}m"
        command = [
            java, f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.log4j}",
            "-cp", classpath, MAIN_CLASS, str(self.properties),
        ]  # fmt: skip
        with self.log_file.open("ab") as log_out:
            # A session of its own: the broker outlives this command and does
            # not receive the Ctrl-C meant for it.
            process = subprocess.Popen(
                command,
                stdout=log_out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{process.pid}\n")
        log.info(
            "started the local broker (pid %d), log in %s", process.pid, self.log_file
        )
        return process

    def _wait_ready(self, process: subprocess.Popen) -> None:
        deadline = time.monotonic() + self.settings.broker_start_timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise NotReadyError(
                    f"The broker exited with code {process.returncode} while "
                    f"starting. Last lines of {self.log_file}:\n{self.log_tail()}"
                )
            # Probe the port first: a metadata request to a closed port makes
            # the client log a connection error on each try.
            if _port_free(self.settings.broker_port):
                time.sleep(0.2)
                continue
            try:
                kafka.check_reachable(self.settings, timeout_s=2.0)
                return
            except UnreachableError:
                time.sleep(0.2)
        process.kill()
        process.wait()
        self.pid_file.unlink(missing_ok=True)
        waited_s = self.settings.broker_start_timeout_s
        raise NotReadyError(
            f"The broker did not answer within {waited_s:.0f} s; raise "
            f"OURASTREAM_BROKER_START_TIMEOUT_S if the machine is slow. "
            f"Last lines of {self.log_file}:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 15) -> str:
        tail = last_lines(self.log_file, lines)
        return "(no log)" if tail is None else tail


def ensure_broker(settings: Settings) -> LocalBroker | None:
    """Make sure a broker answers: the configured cluster must; for the local
    one, a broker already answering is used, else ours is started.

    Returns:
        The local broker this call started (the caller stops it), or None.

    Raises:
        UnreachableError: a configured cluster does not answer.
        BrokerError: the local broker cannot be started.
    """
    if not settings.uses_local_broker:
        kafka.check_reachable(settings)
        return None
    if not _port_free(settings.broker_port):
        try:
            kafka.check_reachable(settings, timeout_s=2.0)
            log.info("using the broker already running at %s", settings.bootstrap)
            return None
        except UnreachableError:
            pass  # not Kafka: start() reports the port as taken
    broker = LocalBroker(settings)
    return broker if broker.start() else None


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOCAL_HOST, port))
        except OSError:
            return False
    return True


def _is_broker_process(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return MAIN_CLASS.encode() in cmdline.split(b"\0")


def _wait_exit(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _is_broker_process(pid):
            return True
        time.sleep(0.1)
    return False
