"""The local broker through the project's own code and CLI: start, use, stop,
start again with the data kept, and the one-line errors a user meets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Producer

from ourastream import kafka
from ourastream.broker import LocalBroker, install
from ourastream.errors import BrokerError, InstallError, JavaError
from ourastream.settings import Settings
from tests.conftest import free_port, local_broker_settings, read_all


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ourastream", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )


def cli_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OURASTREAM_")}
    env.update(
        OURASTREAM_DATA_DIR=str(settings.data_dir),
        OURASTREAM_BROKER_PORT=str(settings.broker_port),
        OURASTREAM_CONTROLLER_PORT=str(settings.controller_port),
        OURASTREAM_LOG_LEVEL="WARNING",
    )
    return env


@pytest.fixture
def own_broker(tmp_path: Path):
    """Settings for a broker of this test's own, stopped afterwards."""
    settings = local_broker_settings(tmp_path / "data")
    yield settings
    LocalBroker(settings).stop()


@pytest.mark.kafka
def test_messages_survive_stop_and_start(own_broker: Settings) -> None:
    runner = LocalBroker(own_broker)
    assert runner.start() is True
    kafka.ensure_topics(own_broker)

    producer = Producer(kafka.client_config(own_broker))
    producer.produce(own_broker.topic_raw, key=b"ada", value=b'{"day": "2024-01-01"}')
    assert producer.flush(10) == 0

    assert runner.stop() is True
    assert runner.status().running is False
    assert runner.start() is True

    messages = read_all(own_broker, own_broker.topic_raw)
    assert [(m.key, m.value) for m in messages] == [(b"ada", b'{"day": "2024-01-01"}')]
    state = runner.status()
    assert state.running and state.pid and state.kafka_version == install.KAFKA_VERSION


@pytest.mark.kafka
def test_start_twice_says_so_and_succeeds(own_broker: Settings) -> None:
    env = cli_env(own_broker)

    first = run_cli("broker", "start", env=env)
    second = run_cli("broker", "start", env=env)
    status = run_cli("broker", "status", env=env)
    stop = run_cli("broker", "stop", env=env)
    after = run_cli("broker", "status", env=env)

    assert first.returncode == 0, first.stderr
    assert f"Kafka is ready at 127.0.0.1:{own_broker.broker_port}" in first.stdout
    assert second.returncode == 0
    assert "already running" in second.stdout
    assert status.returncode == 0 and status.stdout.startswith("running")
    assert install.KAFKA_VERSION in status.stdout
    assert stop.returncode == 0 and "stopped" in stop.stdout
    assert after.returncode == 1 and after.stdout.startswith("stopped")


@pytest.mark.kafka
def test_port_taken_by_another_program(own_broker: Settings) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", own_broker.broker_port))
        squatter.listen()

        result = run_cli("broker", "start", env=cli_env(own_broker))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert f"Port {own_broker.broker_port}" in error
    assert "OURASTREAM_BROKER_PORT" in error


@pytest.mark.kafka
def test_not_ready_in_time_shows_the_log(tmp_path: Path) -> None:
    settings = local_broker_settings(tmp_path, broker_start_timeout_s=0.5)
    runner = LocalBroker(settings)

    with pytest.raises(BrokerError) as caught:
        runner.start()

    assert "did not answer within" in str(caught.value)
    assert "OURASTREAM_BROKER_START_TIMEOUT_S" in str(caught.value)
    assert str(runner.log_file) in str(caught.value)
    assert runner.pid() is None, "a broker that timed out is not left running"


def test_data_dir_not_writable(clean_env: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    settings = Settings(data_dir=blocker, broker_port=free_port())

    with pytest.raises(BrokerError) as caught:
        LocalBroker(settings).start()

    assert "OURASTREAM_DATA_DIR" in str(caught.value)


def test_no_local_broker_for_another_cluster(clean_env: Path) -> None:
    settings = Settings(bootstrap_servers="kafka.example:9092")

    with pytest.raises(BrokerError) as caught:
        LocalBroker(settings)

    assert "OURASTREAM_BOOTSTRAP_SERVERS" in str(caught.value)


def test_status_of_an_unreachable_cluster_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OURASTREAM_")}
    env["OURASTREAM_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{free_port()}"

    result = run_cli("broker", "status", env=env)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "No Kafka broker answers at" in result.stderr


def test_missing_java(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))

    with pytest.raises(JavaError, match="JAVA_HOME"):
        install.java_executable()


def test_java_too_old(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.21\" 2023-10-17' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))

    with pytest.raises(JavaError, match="Java 11"):
        install.java_executable()


def test_neither_maven_nor_kafka_home(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    settings = Settings(cache_dir=tmp_path / "cache")

    with pytest.raises(InstallError, match="KAFKA_HOME"):
        install.kafka_libs(settings)


def test_kafka_home_without_jars(clean_env: Path, tmp_path: Path) -> None:
    settings = Settings(kafka_home=tmp_path)

    with pytest.raises(InstallError, match="KAFKA_HOME"):
        install.kafka_libs(settings)


def test_kafka_home_is_used_as_is(clean_env: Path, tmp_path: Path) -> None:
    (tmp_path / "libs").mkdir()
    (tmp_path / "libs" / "kafka_2.13-4.1.1.jar").write_bytes(b"")
    (tmp_path / "libs" / "kafka-clients-4.1.1.jar").write_bytes(b"")
    settings = Settings(kafka_home=tmp_path, cache_dir=tmp_path / "cache")

    libs = install.kafka_libs(settings)

    assert libs == tmp_path / "libs"
    assert install.kafka_version_of(libs) == "4.1.1"
    assert not (tmp_path / "cache").exists(), "nothing is downloaded"


@pytest.mark.kafka
def test_a_cluster_id_that_begins_with_a_dash(
    own_broker: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # base64 of a first byte 0xf8 begins with "-", which argparse took for a flag.
    dashed = uuid.UUID(bytes=b"\xf8" + bytes(15))
    monkeypatch.setattr("ourastream.broker.runner.uuid.uuid4", lambda: dashed)

    assert LocalBroker(own_broker).start() is True
    assert (
        "cluster.id=-"
        in (own_broker.data_dir / "broker/kraft/meta.properties").read_text()
    )
