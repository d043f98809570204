"""The dashboard's view of the topics, kept current by a background thread:
it reads the daily and anomalies topics from the beginning into a ``Views``,
then follows them, and publishes each change and the feed's health to the
page's event streams.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from datetime import date
from typing import Any

from ourastream.dashboard.hub import Hub
from ourastream.dashboard.view import slot_view, window_view
from ourastream.errors import OurastreamError
from ourastream.reader import Change, Probe, TopicReader
from ourastream.settings import Settings
from ourastream.window import Views

log = logging.getLogger(__name__)

POLL_S = 0.05
HEALTH_EVERY_S = 1.0
RETRY_S = 2.0
RATE_SPAN_S = 10.0


class Feed:
    """The views, the thread that fills them, and what it knows of Kafka.

    Readers of ``views`` hold ``lock``; the feed thread holds it while it
    applies a batch of messages.
    """

    def __init__(self, settings: Settings, hub: Hub) -> None:
        self.settings = settings
        self.hub = hub
        self.views = Views()
        self.lock = threading.Lock()
        self.connected = False
        self.lag: int | None = None
        self.records = 0
        self.problem: str | None = None
        self._arrivals: deque[tuple[float, int]] = deque()
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, name="feed", daemon=True),
            threading.Thread(target=self._probe, name="probe", daemon=True),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop following the topics and close the consumer."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout_s)

    def _run(self) -> None:
        reader = self._assigned_reader()
        if reader is None:
            return
        try:
            self._follow(reader)
        finally:
            reader.close()

    def _assigned_reader(self) -> TopicReader | None:
        """A reader assigned to the topics, retrying until they exist and the
        cluster answers (or the dashboard stops)."""
        while not self._stopping.is_set():
            reader = TopicReader(self.settings, self.views)
            try:
                reader.assign()
                self.problem = None
                return reader
            except OurastreamError as exc:
                reader.close()
                self._degraded(exc)
            self._stopping.wait(RETRY_S)
        return None

    def _degraded(self, exc: OurastreamError) -> None:
        if str(exc) != self.problem:
            log.warning("%s The dashboard retries every %.0f s.", exc, RETRY_S)
        self.problem = str(exc)
        self.hub.publish("health", self.health())

    def _follow(self, reader: TopicReader) -> None:
        next_health = 0.0
        while not self._stopping.is_set():
            changes = reader.read(POLL_S)
            if changes:
                self._publish_changes(changes)
            if time.monotonic() >= next_health:
                self._check(reader)
                next_health = time.monotonic() + HEALTH_EVERY_S

    def _check(self, reader: TopicReader) -> None:
        """The lag from the watermarks of the last fetches: asking the broker
        would stall the feed for a round trip per partition."""
        self.lag = reader.lag(reader.watermarks(cached=True))
        self.hub.publish("health", self.health())

    def _probe(self) -> None:
        """Ask the cluster every second whether it answers, in a thread of its
        own so that a broker gone away never delays the feed."""
        probe = Probe(self.settings)
        while not self._stopping.is_set():
            answers = probe.answers()
            if answers and not self.connected:
                log.info("connected to Kafka at %s", self.settings.bootstrap)
            elif self.connected and not answers:
                log.warning(
                    "No Kafka broker answers at %s; the view stays as it is "
                    "until one does.",
                    self.settings.bootstrap,
                )
            self.connected = answers
            self._stopping.wait(HEALTH_EVERY_S)

    def _publish_changes(self, changes: list[Change]) -> None:
        self._count(len(changes))
        by_person: dict[str, set[date]] = {}
        for change in changes:
            by_person.setdefault(change.person, set()).add(change.day)
        with self.lock:
            events = [self._days_event(p, days) for p, days in by_person.items()]
        for event in events:
            self.hub.publish("days", event)

    def _days_event(self, person: str, days: set[date]) -> dict[str, Any]:
        """The days that changed and the person's window ending at their
        newest day, so a page following the newest day needs no request."""
        person_days = self.views.person(person)
        changed = [person_days.window(day, 1)[0] for day in sorted(days)]
        return {
            "person": person,
            "days": [slot_view(slot, self.settings) for slot in changed],
            "window": window_view(self.views, person, self.settings),
        }

    def _count(self, records: int) -> None:
        now = time.monotonic()
        self.records += records
        self._arrivals.append((now, records))
        while self._arrivals and self._arrivals[0][0] < now - RATE_SPAN_S:
            self._arrivals.popleft()

    def records_per_second(self) -> float:
        """Messages applied per second over the last ten seconds."""
        now = time.monotonic()
        recent = sum(n for at, n in self._arrivals if at >= now - RATE_SPAN_S)
        return round(recent / RATE_SPAN_S, 2)

    def _unreachable(self) -> str | None:
        if self.connected:
            return None
        return f"No Kafka broker answers at {self.settings.bootstrap}."

    def health(self) -> dict[str, Any]:
        """What the status line shows."""
        with self.lock:
            people = self.views.people()
            newest = {p: self.views.person(p).newest_day for p in people}
        known = [d for d in newest.values() if d]
        return {
            "connected": self.connected,
            "bootstrap_servers": self.settings.bootstrap,
            "newest_day": max(known).isoformat() if known else None,
            "newest_days": {p: d.isoformat() for p, d in newest.items() if d},
            "people": people,
            "records": self.records,
            "records_per_second": self.records_per_second(),
            "lag": self.lag,
            "problem": self.problem or self._unreachable(),
            "clients": self.hub.clients,
        }
