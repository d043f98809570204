"""The files a single-node KRaft broker needs: its server.properties and its
log4j2 configuration. Pure: builds text, writes nothing."""

from __future__ import annotations

from pathlib import Path

from ourastream.settings import LOCAL_HOST, Settings

NODE_ID = 1


def server_properties(settings: Settings, log_dir: Path) -> str:
    """The broker's configuration: one node that is broker and controller.

    Internal topics get a replication factor of 1, because there is one node.
    """
    broker = f"{LOCAL_HOST}:{settings.broker_port}"
    controller = f"{LOCAL_HOST}:{settings.controller_port}"
    lines = {
        "process.roles": "broker,controller",
        "node.id": NODE_ID,
        "controller.quorum.voters": f"{NODE_ID}@{controller}",
        "listeners": f"PLAINTEXT://{broker},CONTROLLER://{controller}",
        "advertised.listeners": f"PLAINTEXT://{broker}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": log_dir,
        "num.partitions": settings.partitions,
        "offsets.topic.replication.factor": 1,
        "transaction.state.log.replication.factor": 1,
        "transaction.state.log.min.isr": 1,
        "share.coordinator.state.topic.replication.factor": 1,
        "share.coordinator.state.topic.min.isr": 1,
        # One node, no one to wait for: consumers join their group at once.
        "group.initial.rebalance.delay.ms": 0,
        "auto.create.topics.enable": "false",
    }
    body = "\n".join(f"{key}={value}" for key, value in lines.items())
    return (
        "# Written by ourastream at each start; edits are overwritten.\n" + body + "\n"
    )


def log4j2_properties() -> str:
    """Broker logging to standard output, which the runner sends to its log."""
    return "\n".join(
        [
            "rootLogger.level=INFO",
            "rootLogger.appenderRef.stdout.ref=STDOUT",
            "appender.stdout.type=Console",
            "appender.stdout.name=STDOUT",
            "appender.stdout.layout.type=PatternLayout",
            "appender.stdout.layout.pattern=[%d] %p %m (%c)%n",
            # The state change and request loggers are chatty at INFO.
            "logger.state.name=state.change.logger",
            "logger.state.level=WARN",
            "",
        ]
    )
