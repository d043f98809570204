"""A broker that has just started may not list a topic Quix Streams created a
moment before (the state store's changelog): the processor builds its
application again instead of failing, and says plainly when it gives up."""

from __future__ import annotations

import pytest
from quixstreams.models.topics.exceptions import TopicNotFoundError

from ourastream import kafka
from ourastream.errors import KafkaError
from ourastream.process import app
from ourastream.process.app import Processor
from ourastream.settings import Settings

pytestmark = pytest.mark.kafka


def failing_first(times: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the dataframe's first ``times`` builds fail as on a new broker."""
    builds: list[int] = []
    original = Processor._build_dataframe

    def build(self: Processor) -> None:
        builds.append(1)
        if len(builds) <= times:
            raise TopicNotFoundError('Topic "changelog__x" not found on the broker')
        original(self)

    monkeypatch.setattr(Processor, "_build_dataframe", build)
    monkeypatch.setattr(app.time, "sleep", lambda _s: None)
    return builds


def test_a_changelog_topic_not_listed_yet_is_waited_for(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    kafka.ensure_topics(settings)
    builds = failing_first(2, monkeypatch)

    processor = Processor(settings)

    assert len(builds) == 3
    assert processor.raw.name == settings.topic_raw


def test_a_topic_never_listed_is_a_clear_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    kafka.ensure_topics(settings)
    failing_first(1000, monkeypatch)
    monkeypatch.setattr(app, "NEW_TOPIC_WAIT_S", 0)

    with pytest.raises(KafkaError, match="does not list a topic it created"):
        Processor(settings)
