"""End to end: ``ourastream up`` with the real export, from a broker it starts
itself to a dashboard that shows the newest day, then one SIGINT; a part that
fails; and a second SIGINT that stops everything at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REAL_EXPORT, free_port
from tests.dashboard.test_page import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

NEWEST_DAY = "2022-11-17"


def start_up(env: dict[str, str], *options: str) -> subprocess.Popen:
    """``ourastream up`` on the real export, its output captured."""
    command = [sys.executable, "-m", "ourastream", "up", "--input", str(REAL_EXPORT)]
    return subprocess.Popen(
        [*command, *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def children_of(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def newest_day(port: int) -> str | None:
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
    except httpx.HTTPError:
        return None
    return answer.json().get("newest_day") if answer.status_code == 200 else None


def screenshot_newest_window(port: int) -> int:
    """Open the dashboard in headless Chromium, save what it shows, and return
    the number of day slots drawn."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 680})
            page.goto(f"http://127.0.0.1:{port}/?person=me")
            page.wait_for_function(
                "() => document.querySelectorAll('#combo .xtick').length > 0",
                timeout=15_000,
            )
            page.screenshot(path=str(ARTIFACTS / "up-dashboard.png"))
            return page.locator("#combo .xtick").count()
        finally:
            browser.close()


@pytest.mark.kafka
@pytest.mark.browser
def test_up_streams_the_real_export_and_stops_on_sigint(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OURASTREAM_")}
    dashboard_port = free_port()
    env.update(
        OURASTREAM_DATA_DIR=str(tmp_path / "data"),
        OURASTREAM_BROKER_PORT=str(free_port()),
        OURASTREAM_CONTROLLER_PORT=str(free_port()),
        OURASTREAM_DASHBOARD_PORT=str(dashboard_port),
        OURASTREAM_PARTITIONS="1",
    )
    up = start_up(env, "--speed", "200")
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and up.poll() is None:
            started |= children_of(up.pid)
            if newest_day(dashboard_port) == NEWEST_DAY:
                break
            time.sleep(0.5)
        assert up.poll() is None, up.stdout.read()
        assert newest_day(dashboard_port) == NEWEST_DAY
        assert screenshot_newest_window(dashboard_port) == 15
        started |= children_of(up.pid)

        up.send_signal(signal.SIGINT)
        output, _ = up.communicate(timeout=120)
    finally:
        if up.poll() is None:
            up.kill()

    assert up.returncode == 0, output
    assert f"Dashboard: http://127.0.0.1:{dashboard_port}/" in output
    names = {"process", "dashboard", "produce", "broker"}
    assert len(started) >= len(names) - 1, "up ran its parts as child processes"
    assert [pid for pid in started if alive(pid)] == []


@pytest.mark.kafka
def test_a_failing_part_stops_the_others_and_names_its_log(
    settings_env: dict[str, str],
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env = settings_env | {"OURASTREAM_DASHBOARD_PORT": str(port)}
        up = start_up(env)
        started: set[int] = set()
        while up.poll() is None:
            started |= children_of(up.pid)
            time.sleep(0.2)
        output = up.stdout.read()

    assert up.returncode == 1
    error = output[output.index("Error:") :]
    assert error.startswith("Error: dashboard stopped with exit code")
    assert (
        str(Path(settings_env["OURASTREAM_DATA_DIR"]) / "logs" / "dashboard.log")
        in error
    )
    assert "Traceback" not in error
    assert started, "up had started its parts"
    assert [pid for pid in started if alive(pid)] == []


@pytest.mark.kafka
def test_a_second_sigint_kills_every_part_at_once(
    settings_env: dict[str, str],
) -> None:
    env = settings_env | {"OURASTREAM_DASHBOARD_PORT": str(free_port())}
    up = start_up(env, "--speed", "1")
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        port = int(env["OURASTREAM_DASHBOARD_PORT"])
        while time.monotonic() < deadline and up.poll() is None:
            started |= children_of(up.pid)
            if len(started) >= 3 and newest_day(port) is not None:
                break
            time.sleep(0.2)
        assert up.poll() is None, up.stdout.read()

        up.send_signal(signal.SIGINT)
        time.sleep(0.3)
        up.send_signal(signal.SIGINT)
        stopping = time.monotonic()
        output, _ = up.communicate(timeout=30)
    finally:
        if up.poll() is None:
            up.kill()

    assert up.returncode == 128 + signal.SIGINT, output
    assert time.monotonic() - stopping < 10
    assert [pid for pid in started if alive(pid)] == []
