"""Dead letters: inputs that could not be used, kept in the dead-letter topic
with the reason and where they came from, so that nothing is lost silently.

A dead letter's value is the original bytes (cut to fit when too large); its
headers say why and from where:

    reason     why it could not be used, in words
    stage      produce or process
    source     the file, ``-`` or API it came from (when known)
    position   line N, or page N record M, in that source (when known)
    topic, partition, offset   where the processor read it (stage process)
    truncated  ``true`` when the payload was cut to fit, with original_bytes
"""

from __future__ import annotations

from dataclasses import dataclass

from ourastream.model import MAX_RECORD_BYTES

# Room left for the key and headers inside Kafka's default message limit.
MAX_PAYLOAD_BYTES = MAX_RECORD_BYTES - 16_384


@dataclass(frozen=True)
class DeadLetter:
    """One input that could not be used."""

    payload: bytes
    reason: str
    stage: str
    source: str | None = None
    position: str | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None

    def value(self) -> bytes:
        """The original bytes, cut to fit into one message when too large."""
        return self.payload[:MAX_PAYLOAD_BYTES]

    def headers(self) -> list[tuple[str, bytes]]:
        """The reason and origin as Kafka headers."""
        fields = {
            "reason": self.reason,
            "stage": self.stage,
            "source": self.source,
            "position": self.position,
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
        }
        headers = [(k, str(v).encode()) for k, v in fields.items() if v is not None]
        if len(self.payload) > MAX_PAYLOAD_BYTES:
            headers.append(("truncated", b"true"))
            headers.append(("original_bytes", str(len(self.payload)).encode()))
        return headers
