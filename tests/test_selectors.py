from __future__ import annotations

from bulkhead.selectors import parse_map_selector, parse_selector

ODOO = {"app": "odoo", "tier": "web", "tenant": "acme"}


def test_empty_selector_selects_everything() -> None:
    selector = parse_selector({})
    assert selector.selects_everything
    assert selector.matches({}) and selector.matches(ODOO)


def test_match_labels_and_expressions_are_anded() -> None:
    selector = parse_selector(
        {
            "matchLabels": {"app": "odoo"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["web", "cron"]},
                {"key": "tenant", "operator": "NotIn", "values": ["globex"]},
                {"key": "tenant", "operator": "Exists"},
                {"key": "debug", "operator": "DoesNotExist"},
            ],
        }
    )
    assert selector.matches(ODOO)
    assert not selector.matches({**ODOO, "tier": "worker"})
    assert not selector.matches({**ODOO, "tenant": "globex"})
    assert not selector.matches({**ODOO, "debug": "1"})
    assert not selector.matches({"tier": "web", "tenant": "acme"})
    assert selector.equalities() == {"app": "odoo"}


def test_not_in_matches_an_absent_label() -> None:
    selector = parse_selector(
        {"matchExpressions": [{"key": "tenant", "operator": "NotIn", "values": ["acme"]}]}
    )
    assert selector.matches({"app": "x"})
    assert not selector.matches({"tenant": "acme"})


def test_yaml_booleans_and_numbers_compare_as_label_text() -> None:
    assert parse_selector({"matchLabels": {"canary": True, "v": 2}}).matches(
        {"canary": "true", "v": "2"}
    )


def test_malformed_selectors_select_nothing_and_say_why() -> None:
    for raw in (
        "app=odoo",
        {"matchLabels": ["app"]},
        {"matchExpressions": {"key": "a"}},
        {"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]},
        {"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
    ):
        selector = parse_selector(raw)
        assert selector.error
        assert not selector.matches(ODOO)
        assert not selector.selects_everything


def test_map_selector() -> None:
    selector = parse_map_selector({"app": "odoo", "tier": "web"})
    assert selector.matches(ODOO)
    assert not selector.matches({"app": "odoo"})
    assert parse_map_selector(None).error
