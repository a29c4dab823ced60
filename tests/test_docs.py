"""docs/controls is generated from the catalog; this fails when it is stale."""

from __future__ import annotations

from pathlib import Path

from bulkhead.controls import catalog
from bulkhead.formatters.catalog import docs_pages

DOCS = Path(__file__).resolve().parent.parent / "docs" / "controls"


def test_generated_control_docs_are_current() -> None:
    expected = docs_pages(catalog())
    actual = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(
        name for name in expected.keys() | actual.keys() if expected.get(name) != actual.get(name)
    )
    assert stale == [], f"docs/controls is stale ({', '.join(stale[:5])}): run `make docs`"
