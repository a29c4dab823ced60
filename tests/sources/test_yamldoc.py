from __future__ import annotations

import pytest

from bulkhead.sources.yamldoc import MAX_DEPTH, YamlMap, YamlSeq, line_of, load_documents


def _one(text: str) -> object:
    documents, diagnostics = load_documents(text, "f.yaml")
    assert diagnostics == []
    assert len(documents) == 1
    return documents[0].data


def test_lines_of_every_mapping_and_key() -> None:
    data = _one("a: 1\nb:\n  c:\n    - x\n    - d: 2\n")
    assert isinstance(data, YamlMap)
    assert data.line == 1
    assert data.key_lines == {"a": 1, "b": 2}
    inner = data["b"]["c"]
    assert isinstance(inner, YamlSeq)
    assert inner.item_lines == [4, 5]
    assert line_of(data, ("b", "c", 1, "d")) == 5
    # a missing field resolves to the deepest existing ancestor
    assert line_of(data, ("b", "c", 1, "missing", "deeper")) == 5
    assert line_of(data, ("b", "c", 7)) == 3


def test_yaml_11_booleans_as_kubernetes_reads_them() -> None:
    data = _one("a: yes\nb: On\nc: y\nd: N\ne: 'yes'\nf: off\ng: True\nh: \"y\"\n")
    assert data == {
        "a": True,
        "b": True,
        "c": True,
        "d": False,
        "e": "yes",
        "f": False,
        "g": True,
        "h": "y",
    }


def test_numbers_and_nulls() -> None:
    data = _one("a: 010\nb: 0x1F\nc: 1_000\nd: 1.5\ne: ~\nf: null\ng: .inf\nh: 2001-12-14\n")
    assert data == {
        "a": 8,
        "b": 31,
        "c": 1000,
        "d": 1.5,
        "e": None,
        "f": None,
        "g": ".inf",
        "h": "2001-12-14",
    }


def test_multi_document_stream_with_comments_end_markers_and_empty_documents() -> None:
    text = "--- # first\na: 1\n...\n---\n---\n# only a comment\n---\nb: 2\n"
    documents, diagnostics = load_documents(text, "f.yaml")
    assert diagnostics == []
    assert [d.data for d in documents] == [{"a": 1}, {"b": 2}]
    assert [d.line for d in documents] == [2, 8]


def test_crlf_line_ends() -> None:
    documents, _ = load_documents("a: 1\r\n---\r\nb: 2\r\n", "f.yaml")
    assert [d.data for d in documents] == [{"a": 1}, {"b": 2}]
    assert documents[1].line == 3


def test_duplicate_key_reported_with_both_lines_and_last_value_wins() -> None:
    documents, diagnostics = load_documents("spec:\n  x: 1\n  x: 2\n", "f.yaml")
    assert documents[0].data == {"spec": {"x": 2}}
    assert len(diagnostics) == 1
    assert diagnostics[0].code == "duplicate-key"
    assert diagnostics[0].location.line == 3
    assert diagnostics[0].path == ("spec", "x")
    assert "first at line 2" in diagnostics[0].message


def test_merge_keys_explicit_keys_win() -> None:
    data = _one("base: &b {a: 1, c: 1}\nm:\n  c: 2\n  <<: *b\n")
    assert data["m"] == {"c": 2, "a": 1}  # type: ignore[index]


def test_unknown_tags_are_refused_not_constructed() -> None:
    for tag in (
        "!!python/object/apply:os.system ['id']",
        "!!python/name:os.system",
        "!Ref x",
        "!!set {a}",
    ):
        documents, diagnostics = load_documents(f"a: {tag}\n", "f.yaml")
        assert documents == []
        assert diagnostics[0].code == "unparseable"
        assert "unsupported YAML tag" in diagnostics[0].message


def test_syntax_error_keeps_earlier_documents() -> None:
    documents, diagnostics = load_documents("a: 1\n---\nb: [\n", "f.yaml")
    assert [d.data for d in documents] == [{"a": 1}]
    assert diagnostics[0].code == "unparseable"
    assert diagnostics[0].location.line >= 3


def test_depth_limit_block_and_flow() -> None:
    flow = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    block = (
        "".join("  " * i + "k:\n" for i in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "v\n"
    )
    for text in (flow, block):
        documents, diagnostics = load_documents(text, "f.yaml")
        assert documents == []
        assert (
            "nesting deeper" in diagnostics[0].message or "nesting depth" in diagnostics[0].message
        )


def test_moderate_depth_is_fine() -> None:
    depth = 60
    text = "".join("  " * i + "k:\n" for i in range(depth)) + "  " * depth + "v\n"
    documents, diagnostics = load_documents(text, "f.yaml")
    assert diagnostics == []
    assert len(documents) == 1


def test_depth_precheck_protects_an_unbounded_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml < 0.2.6 lets the recursive composer overflow the C stack: measure first."""
    from bulkhead.sources import yamldoc

    monkeypatch.setattr(yamldoc, "_NESTING_BOUNDED", False)
    flow = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    documents, diagnostics = yamldoc.load_documents(flow, "f.yaml")
    assert documents == []
    assert diagnostics[0].code == "unparseable"
    shallow = "a: [[1], {b: [2]}]\n" * 300  # many brackets, little depth
    assert yamldoc._might_be_deep(shallow)
    documents, diagnostics = yamldoc.load_documents("x: [[1], {b: [2]}]\n", "f.yaml")
    assert diagnostics == []


def test_yaml12_mode_for_ci_files_keeps_on_and_yes_as_strings() -> None:
    documents, diagnostics = load_documents(
        "on: push\nx: yes\ny: n\nz: true\nw: False\n", "ci.yml", yaml12=True
    )
    assert diagnostics == []
    assert documents[0].data == {"on": "push", "x": "yes", "y": "n", "z": True, "w": False}


def test_gitlab_reference_tag_is_data_in_ci_mode_only() -> None:
    text = "job:\n  script:\n    - !reference [.setup, script]\n    - make\n"
    documents, diagnostics = load_documents(text, ".gitlab-ci.yml", yaml12=True)
    assert diagnostics == []
    assert documents[0].data == {"job": {"script": [[".setup", "script"], "make"]}}
    _, diagnostics = load_documents(text, "manifest.yaml")
    assert "unsupported YAML tag '!reference'" in diagnostics[0].message
