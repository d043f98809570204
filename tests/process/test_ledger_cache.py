"""The processor's decoded ``Recent`` values: used only while the state store
still holds the exact bytes they came from, so a rollback or a recovery is
never hidden; and the day entries, one state key per day."""

from __future__ import annotations

from ourastream.process import app
from ourastream.process.app import DAY_PREFIX, RECENT, Processor, StateDays
from ourastream.process.ledger import Recent


class FakeState:
    """Just the byte access the processor uses of Quix's ``State``."""

    def __init__(self) -> None:
        self.values: dict[bytes, bytes] = {}

    def get_bytes(self, key: bytes) -> bytes | None:
        return self.values.get(key)

    def set_bytes(self, key: bytes, value: bytes) -> None:
        self.values[key] = value


def bare_processor() -> Processor:
    processor = Processor.__new__(Processor)
    processor._recent = {}
    return processor


def a_recent(*worn: tuple[str, float]) -> Recent:
    return Recent("2024-01-01", "2024-01-09", [list(pair) for pair in worn])


def test_the_decoded_value_is_reused_while_the_store_is_unchanged() -> None:
    processor, state = bare_processor(), FakeState()
    recent = a_recent(("2024-01-01", 2900.0))

    processor._store_recent(b"ann", recent, state)

    assert processor._recent_of(b"ann", state) is recent
    assert Recent.from_json(state.values[RECENT]) == recent


def test_a_store_rolled_back_wins_over_the_decoded_value() -> None:
    processor, state = bare_processor(), FakeState()
    processor._store_recent(b"ann", a_recent(("2024-01-01", 2900.0)), state)
    older = state.values[RECENT]
    processor._store_recent(
        b"ann", a_recent(("2024-01-01", 2900.0), ("2024-01-02", 3000.0)), state
    )

    state.values[RECENT] = older

    assert processor._recent_of(b"ann", state) == a_recent(("2024-01-01", 2900.0))


def test_an_empty_store_means_a_new_person_whatever_was_decoded() -> None:
    processor, state = bare_processor(), FakeState()
    processor._store_recent(b"ann", a_recent(("2024-01-01", 2900.0)), state)

    assert processor._recent_of(b"ann", FakeState()) is None


def test_the_decoded_values_stay_bounded(monkeypatch) -> None:
    monkeypatch.setattr(app, "RECENT_CACHE_PEOPLE", 3)
    processor, state = bare_processor(), FakeState()

    for person in range(10):
        processor._store_recent(str(person).encode(), a_recent(), state)

    assert list(processor._recent) == [b"7", b"8", b"9"]


def test_each_day_has_a_state_key_of_its_own() -> None:
    state = FakeState()
    days = StateDays(state)

    days.keep("2024-01-01", [7, 2900.0, 0])
    days.keep("2024-01-02", [8, None, 0])

    assert days.entry("2024-01-01") == [7, 2900.0, 0]
    assert days.entry("2023-12-31") is None
    assert set(state.values) == {DAY_PREFIX + b"2024-01-01", DAY_PREFIX + b"2024-01-02"}
