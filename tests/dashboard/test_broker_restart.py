"""The dashboard rides out a broker restart: it reports the broker gone, then
follows the topics again by itself once the broker is back."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from ourastream import kafka
from ourastream.broker import LocalBroker
from tests.conftest import local_broker_settings
from tests.dashboard.conftest import (
    export_records,
    produce_days,
    start_dashboard,
    wait_for,
)


def disconnected(dashboard) -> bool:
    try:
        return not dashboard.health()["connected"]
    except httpx.HTTPError:
        return False


@pytest.mark.kafka
def test_the_dashboard_follows_a_broker_restart(tmp_path: Path) -> None:
    settings = local_broker_settings(tmp_path / "data", partitions=1)
    broker = LocalBroker(settings)
    broker.start()
    records = export_records()[:30]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OURASTREAM_")}
    env.update(
        OURASTREAM_DATA_DIR=str(settings.data_dir),
        OURASTREAM_BROKER_PORT=str(settings.broker_port),
        OURASTREAM_CONTROLLER_PORT=str(settings.controller_port),
    )
    try:
        kafka.ensure_topics(settings)
        produce_days(settings, records[:20])
        dashboard = start_dashboard(env)
        try:
            wait_for(lambda: dashboard.caught_up(20))

            broker.stop()
            wait_for(lambda: disconnected(dashboard))
            broker.start()
            produce_days(settings, records[20:])

            health = wait_for(lambda: dashboard.caught_up(30), timeout_s=60)
        finally:
            dashboard.process.terminate()
            dashboard.process.communicate(timeout=15)
    finally:
        broker.stop()

    assert health["connected"]
    assert health["newest_day"] == max(r.day for r in records).isoformat()
