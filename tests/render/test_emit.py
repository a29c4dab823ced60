"""The YAML emitter: whatever it writes, every reader reads back as the same tree."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkhead.render.emit import document, documents, scalar
from bulkhead.sources.yamldoc import load_documents

TRICKY = [
    "",
    " ",
    " leading",
    "trailing ",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "Y",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "0",
    "010",
    "0o17",
    "0x1F",
    "1_000",
    "1e3",
    "1.0",
    ".5",
    "-1",
    "+1",
    ".inf",
    "-.inf",
    ".nan",
    "1:20",
    "2025-01-01",
    "2025-01-01 10:00:00",
    "=",
    "<<",
    "-",
    "--",
    "---",
    "...",
    "- x",
    "? x",
    ": x",
    "a: b",
    "a:b",
    "a #b",
    "a#b",
    "#comment",
    "&anchor",
    "*alias",
    "!tag",
    "%directive",
    "@at",
    "`tick",
    "|",
    ">",
    "'quoted'",
    '"double"',
    "[list]",
    "{map}",
    "a,b",
    "tab\there",
    "line\nbreak",
    "ends with newline\n",
    "two newlines\n\n",
    "\nleading newline",
    "  indented\nblock\n",
    "Host(`a.example`) && PathPrefix(`/web/database`)",
    "0 */4 * * *",
    "hostnossl all all all reject",
    "--config=/etc/odoo/odoo.conf",
    "registry.example.com/odoo@sha256:" + "a" * 64,
    "unicode: caf\u00e9 \u2013 \u65e5\u672c",
    "control \x07 char",
    "nel \x85 line",
    "bom \ufeff",
    "crlf\r\nline",
]


def _both_loaders(text: str) -> list[Any]:
    fast = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
    ours, diagnostics = load_documents(text, "test.yaml")
    assert not diagnostics, diagnostics
    assert [d.data for d in ours] == fast
    return fast


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_round_trip_as_values_keys_and_items(text: str) -> None:
    tree = {"value": text, text or "empty": [text, {"nested": text}], "after": 1}
    if text:
        tree[text] = "as a key"
    assert _both_loaders(document(tree)) == [tree]


def test_plain_only_when_unambiguous() -> None:
    assert scalar("odoo-web") == "odoo-web"
    assert scalar("250m") == "250m"
    assert scalar("https://git.example.com/x.git") == "https://git.example.com/x.git"
    for text in ("yes", "y", "on", "1:20", "1e3", "null", "", "a: b"):
        assert scalar(text).startswith('"'), text


def test_block_styles_keep_trailing_newlines() -> None:
    for text in ("a\nb\n", "a\nb", "a\n\n", "[options]\nlist_db = False\n"):
        tree = {"data": {"file": text}}
        emitted = document(tree)
        assert "|" in emitted
        assert _both_loaders(emitted) == [tree]


def test_empty_collections_and_scalars() -> None:
    tree: dict[str, Any] = {
        "a": {},
        "b": [],
        "c": None,
        "d": True,
        "e": False,
        "f": 0,
        "g": [[], {}, [1, [2]]],
    }
    assert _both_loaders(document(tree)) == [tree]
    assert document({}) == "{}\n"


def test_documents_stream_with_header() -> None:
    text = documents([{"a": 1}, {"b": 2}], "# header\n")
    assert text == "# header\n---\na: 1\n---\nb: 2\n"
    assert _both_loaders(text) == [{"a": 1}, {"b": 2}]


def test_refuses_what_it_cannot_write() -> None:
    with pytest.raises(TypeError):
        document({"a": object()})


_KEYS = st.text(min_size=1, max_size=12)
_SCALARS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(TRICKY),
    st.integers(-(2**40), 2**40),
    st.booleans(),
    st.none(),
)
_TREES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(_KEYS, children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _TREES, max_size=5))
def test_random_trees_round_trip(tree: dict[str, Any]) -> None:
    assert _both_loaders(document(tree)) == [tree or {}]
