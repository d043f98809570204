"""The broker configuration written for a single KRaft node."""

from pathlib import Path

from ourastream.broker import config
from ourastream.settings import Settings


def parse(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {key: value for key, value in pairs if not key.startswith("#")}


def test_one_node_is_broker_and_controller(tmp_path: Path) -> None:
    settings = Settings(broker_port=19092, controller_port=19093, partitions=4)

    props = parse(config.server_properties(settings, tmp_path / "kraft"))

    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["listeners"] == (
        "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    )
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["log.dirs"] == str(tmp_path / "kraft")
    assert props["num.partitions"] == "4"


def test_internal_topics_fit_one_node(tmp_path: Path) -> None:
    props = parse(config.server_properties(Settings(), tmp_path))

    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
    ):
        assert props[key] == "1", key
    assert props["auto.create.topics.enable"] == "false"


def test_log4j_writes_to_stdout() -> None:
    props = parse(config.log4j2_properties())

    assert props["appender.stdout.type"] == "Console"
    assert props["rootLogger.level"] == "INFO"
