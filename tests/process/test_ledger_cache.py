"""The processor's decoded ``Recent`` values: used only while the state store
still holds the exact bytes they came from, so a rollback or a recovery is
never hidden; and the filed days, one state key per month."""

from __future__ import annotations

from datetime import date

from ourastream.process import app
from ourastream.process.app import MONTH_PREFIX, RECENT, Processor, StateDays
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
    rows = [(date.fromisoformat(day), [7, kcal, 0]) for day, kcal in worn]
    return Recent.of_rows(date(2024, 1, 1), None, rows)


def test_the_decoded_value_is_reused_while_the_store_is_unchanged() -> None:
    processor, state = bare_processor(), FakeState()
    recent = a_recent(("2024-01-01", 2900.0))

    processor._store_recent(b"ann", recent, state)

    assert processor._recent_of(b"ann", state) is recent
    assert Recent.from_bytes(state.values[RECENT]) == recent


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


def test_each_month_of_filed_days_has_a_state_key_of_its_own() -> None:
    state = FakeState()
    days = StateDays(state)

    days.keep_month("2024-01", {"2024-01-01": [7, 2900.0, 0]})
    days.keep_month("2024-02", {"2024-02-01": [8, None, 0]})

    assert days.month("2024-01") == {"2024-01-01": [7, 2900.0, 0]}
    assert days.month("2023-12") == {}
    assert set(state.values) == {MONTH_PREFIX + b"2024-01", MONTH_PREFIX + b"2024-02"}
