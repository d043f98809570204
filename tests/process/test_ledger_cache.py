"""The processor's decoded ledgers: used only while the state store still holds
the exact bytes they came from, so a rollback or a recovery is never hidden."""

from __future__ import annotations

import orjson

from ourastream.process import app
from ourastream.process.app import LEDGER, Processor


class FakeState:
    """Just the byte access the processor uses of Quix's ``State``."""

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}

    def get_bytes(self, key: str) -> bytes | None:
        return self.values.get(key)

    def set_bytes(self, key: str, value: bytes) -> None:
        self.values[key] = value


def bare_processor() -> Processor:
    processor = Processor.__new__(Processor)
    processor._ledgers = {}
    return processor


def test_the_decoded_ledger_is_reused_while_the_store_is_unchanged() -> None:
    processor, state = bare_processor(), FakeState()
    entries = {"2024-01-01": [1, 2900.0]}

    processor._store_ledger(b"ann", entries, state)

    assert processor._ledger_entries(b"ann", state) is entries
    assert orjson.loads(state.values[LEDGER]) == entries


def test_a_store_rolled_back_wins_over_the_decoded_ledger() -> None:
    processor, state = bare_processor(), FakeState()
    processor._store_ledger(b"ann", {"2024-01-01": [1, 2900.0]}, state)
    older = state.values[LEDGER]
    processor._store_ledger(b"ann", {"2024-01-01": [1, 2900.0], "x": [2, None]}, state)

    state.values[LEDGER] = older

    assert processor._ledger_entries(b"ann", state) == {"2024-01-01": [1, 2900.0]}


def test_an_empty_store_means_a_new_person_whatever_was_decoded() -> None:
    processor, state = bare_processor(), FakeState()
    processor._store_ledger(b"ann", {"2024-01-01": [1, 2900.0]}, state)

    assert processor._ledger_entries(b"ann", FakeState()) is None


def test_the_decoded_ledgers_stay_bounded(monkeypatch) -> None:
    monkeypatch.setattr(app, "LEDGER_CACHE_PEOPLE", 3)
    processor, state = bare_processor(), FakeState()

    for person in range(10):
        processor._store_ledger(str(person).encode(), {}, state)

    assert list(processor._ledgers) == [b"7", b"8", b"9"]
