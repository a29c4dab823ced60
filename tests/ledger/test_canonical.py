from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulkhead.ledger.canonical import MAX_SAFE_INTEGER, CanonicalJSONError, canonical_json


def test_sorted_keys_no_whitespace_utf8() -> None:
    value = {"b": [1, True, None], "a": {"z": "é", "y": False}, "c": ""}
    assert canonical_json(value) == '{"a":{"y":false,"z":"é"},"b":[1,true,null],"c":""}'.encode()


def test_key_order_does_not_matter() -> None:
    a = OrderedDict([("x", 1), ("y", 2)])
    b = OrderedDict([("y", 2), ("x", 1)])
    assert canonical_json(a) == canonical_json(b) == b'{"x":1,"y":2}'


def test_rfc8785_sorting_example() -> None:
    # RFC 8785 section 3.2.3: keys sort by UTF-16 code units, so the emoji (a surrogate
    # pair starting 0xD83D) comes before U+FB33, unlike Python's code-point order.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    out = canonical_json(value)
    keys = list(json.loads(out))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    assert sorted(value) != keys  # Python's own order would be wrong here
    assert out.startswith(b'{"\\r":"Carriage Return","1":"One","\xc2\x80":"Control"')


def test_rfc8785_string_escaping_example() -> None:
    # RFC 8785 section 3.2.2.2: only quote, backslash and C0 controls are escaped, using
    # the short forms where JSON has them and lowercase \u00xx otherwise.
    parsed = json.loads(r'"\u20ac$\u000F\u000aA\u0027\u0042\u0022\u005c\\\"\/"')
    assert canonical_json(parsed) == '"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"'.encode()


def test_escapes_every_control_character_and_nothing_else() -> None:
    assert canonical_json("\b\t\n\f\r") == b'"\\b\\t\\n\\f\\r"'
    assert canonical_json("\x00\x1f") == b'"\\u0000\\u001f"'
    assert canonical_json("\x7f\u2028/<>&") == '"\x7f\u2028/<>&"'.encode()


def test_integers_within_safe_range() -> None:
    assert canonical_json([MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 0, -0]) == (
        b"[9007199254740991,-9007199254740991,0,0]"
    )
    for bad in (MAX_SAFE_INTEGER + 1, -MAX_SAFE_INTEGER - 1, 2**64):
        with pytest.raises(CanonicalJSONError, match="integer"):
            canonical_json({"n": bad})


@pytest.mark.parametrize("bad", [1.0, 0.5, -0.0, math.nan, math.inf, -math.inf])
def test_floats_are_refused(bad: float) -> None:
    with pytest.raises(CanonicalJSONError, match="float"):
        canonical_json({"x": [bad]})


def test_error_names_the_path() -> None:
    with pytest.raises(CanonicalJSONError, match=r"\$\['a'\]\[1\]\['b'\]"):
        canonical_json({"a": [0, {"b": math.nan}]})


@pytest.mark.parametrize("key", [1, None, True, (1, 2), b"bytes"])
def test_non_string_keys_are_refused(key: Any) -> None:
    with pytest.raises(CanonicalJSONError, match="key"):
        canonical_json({key: 1})


@pytest.mark.parametrize("value", [b"bytes", {1, 2}, object(), 1 + 2j])
def test_unsupported_types_are_refused(value: object) -> None:
    with pytest.raises(CanonicalJSONError, match="no JSON encoding"):
        canonical_json([value])


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(CanonicalJSONError, match="surrogate"):
        canonical_json("\ud800")
    with pytest.raises(CanonicalJSONError, match="surrogate"):
        canonical_json({"\udfff": 1})


def test_bool_is_not_an_integer() -> None:
    assert canonical_json([True, False, 1, 0]) == b"[true,false,1,0]"


def test_tuples_encode_as_arrays() -> None:
    assert canonical_json((1, ("a",))) == b'[1,["a"]]'


def test_cycles_and_deep_nesting_are_refused() -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(CanonicalJSONError, match="deeper"):
        canonical_json(loop)
    deep: object = 0
    for _ in range(200):
        deep = [deep]
    with pytest.raises(CanonicalJSONError, match="deeper"):
        canonical_json(deep)


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text(st.characters(exclude_categories=["Cs"])), children, max_size=5)
    ),
    max_leaves=30,
)


@given(_json)
def test_round_trip_is_stable(value: object) -> None:
    encoded = canonical_json(value)
    assert json.loads(encoded) == value
    assert canonical_json(json.loads(encoded)) == encoded
    text = encoded.decode("utf-8")
    if all(ord(ch) <= 0xFFFF for ch in text):
        # Without astral characters UTF-16 order is code-point order, so the stdlib agrees.
        assert text == json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
