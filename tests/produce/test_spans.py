"""Finding the exact bytes of JSON members without re-serializing them."""

from __future__ import annotations

import orjson
import pytest

from ourastream.produce.spans import array_elements, top_level_spans, without_members
from tests.conftest import CASES


def test_elements_of_a_pretty_page_are_its_own_bytes() -> None:
    page = (CASES / "api-page.json").read_bytes()

    records = array_elements(page, "data")

    assert [orjson.loads(r) for r in records] == orjson.loads(page)["data"]
    for record in records:
        assert record in page
        assert record.startswith(b"{") and record.endswith(b"}")


def test_brackets_and_commas_inside_strings_do_not_split() -> None:
    document = b'{"data": [ {"a": "x,]}{[\\"y"} , [1, [2]] ,3 ], "next": null}'

    assert array_elements(document, "data") == [
        b'{"a": "x,]}{[\\"y"}',
        b"[1, [2]]",
        b"3",
    ]


def test_only_the_top_level_key_counts() -> None:
    document = b'{"meta": {"data": [9]}, "data": [1, 2]}'

    assert array_elements(document, "data") == [b"1", b"2"]


@pytest.mark.parametrize("empty", [b"[]", b"{}", b"[ \n ]"])
def test_empty_containers_have_no_parts(empty: bytes) -> None:
    assert top_level_spans(empty) == []


def test_a_missing_key_is_an_error() -> None:
    with pytest.raises(ValueError, match="data"):
        array_elements(b'{"items": []}', "data")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (b'{"a": 1, "met": {"x": [1]}, "b": 2}', b'{"a": 1, "b": 2}'),
        (b'{"met": 1, "a": 1, "b": 2}', b'{"a": 1, "b": 2}'),
        (b'{"a": 1,"b": 2, "met": 3}', b'{"a": 1,"b": 2}'),
        (b'{\n  "a": 1,\n  "met": 2,\n  "b": 3\n}', b'{\n  "a": 1,\n  "b": 3\n}'),
        (b'{"met": 1}', b"{}"),
        (b'{"a": "met"}', b'{"a": "met"}'),
    ],
)
def test_without_members_keeps_every_other_byte(document, expected) -> None:
    assert without_members(document, {"met", "class_5_min"}) == expected


def test_without_intraday_fields_of_real_pages() -> None:
    for line in (CASES / "api-pages.jsonl").read_bytes().splitlines():
        for record in array_elements(line, "data"):
            smaller = without_members(record, {"met", "class_5_min"})
            expected = orjson.loads(record)
            del expected["met"], expected["class_5_min"]

            assert orjson.loads(smaller) == expected
            assert len(smaller) < len(record) / 2
