"""The real export sent twice: the second copy of every day, however old,
changes nothing, and the daily topic holds each revision of a day once."""

from __future__ import annotations

from collections import Counter

import pytest

from ..conftest import REAL_EXPORT
from .conftest import outputs, process_here

pytestmark = pytest.mark.kafka

# 2022-01-28 comes twice in the export with different values (lines 1 and 2);
# 2022-03-21 and 2022-06-20 come twice as identical copies.
REVISED_DAY = b"me/2022-01-28"


def test_the_real_export_sent_twice_is_written_once(settings, feed, read_topic) -> None:
    feed(REAL_EXPORT)
    first = process_here(settings)
    after_first = outputs(settings)

    feed(REAL_EXPORT)
    second = process_here(settings)

    daily = read_topic(settings.topic_daily)
    written = Counter(m.key for m in daily)
    assert (first.days_written, first.copies_ignored) == (226, 2)
    assert len(written) == 225
    assert {key: n for key, n in written.items() if n > 1} == {REVISED_DAY: 4}
    # Sent again, the older revision of 2022-01-28 is a later message that
    # differs from the newest one: it replaces it, then the newer one returns.
    # Every other day of the second copy is an identical copy.
    assert (second.days_written, second.copies_ignored) == (2, 226)
    assert outputs(settings) == after_first
    anomalies = Counter(m.key for m in read_topic(settings.topic_anomalies))
    assert {key for key, n in anomalies.items() if n > 1} <= {REVISED_DAY}
    assert second.anomalies_written == anomalies[REVISED_DAY] // 2
    assert {m.headers["source"] for m in daily} == {REAL_EXPORT.name.encode()}
    assert all(m.headers["position"].startswith(b"line ") for m in daily)
