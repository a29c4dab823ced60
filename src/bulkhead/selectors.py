"""Kubernetes label selectors, with the API server's semantics.

`matchLabels` and `matchExpressions` are ANDed; an empty selector (`{}`) selects everything; a
missing selector selects nothing where the API says so (the caller decides which applies).
Operators: In, NotIn, Exists, DoesNotExist. A malformed selector selects nothing and says why,
because the API server would reject the object: guessing a broader match would hide findings,
guessing a narrower one would invent them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: str
    values: frozenset[str]

    def matches(self, labels: Mapping[str, Any]) -> bool:
        present = self.key in labels
        if self.operator == "Exists":
            return present
        if self.operator == "DoesNotExist":
            return not present
        value = str(labels[self.key]) if present else None
        if self.operator == "In":
            return value in self.values
        return value not in self.values  # NotIn: also true when the label is absent


@dataclass(frozen=True, slots=True)
class Selector:
    requirements: tuple[Requirement, ...]
    error: str | None = None

    @property
    def selects_everything(self) -> bool:
        return self.error is None and not self.requirements

    def matches(self, labels: Mapping[str, Any]) -> bool:
        if self.error is not None:
            return False
        return all(requirement.matches(labels) for requirement in self.requirements)

    def equalities(self) -> dict[str, str]:
        """The `key=value` requirements: what an index of labels can look up directly."""
        return {
            r.key: next(iter(r.values))
            for r in self.requirements
            if r.operator == "In" and len(r.values) == 1
        }


NOTHING = Selector((), error="no selector")


def parse_selector(raw: Any) -> Selector:
    """A LabelSelector (`matchLabels`/`matchExpressions`) as a Selector."""
    if not isinstance(raw, Mapping):
        return Selector((), error="selector is not a mapping")
    requirements: list[Requirement] = []
    match_labels = raw.get("matchLabels") or {}
    if not isinstance(match_labels, Mapping):
        return Selector((), error="matchLabels is not a mapping")
    for key, value in match_labels.items():
        requirements.append(Requirement(str(key), "In", frozenset({_text(value)})))
    expressions = raw.get("matchExpressions") or []
    if not isinstance(expressions, list):
        return Selector((), error="matchExpressions is not a list")
    for expression in expressions:
        if not isinstance(expression, Mapping):
            return Selector((), error="matchExpressions item is not a mapping")
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") or []
        if not isinstance(key, str) or operator not in _OPERATORS or not isinstance(values, list):
            return Selector((), error=f"invalid matchExpressions item {dict(expression)!r}")
        if operator in ("In", "NotIn") and not values:
            return Selector((), error=f"{operator} needs values")
        requirements.append(Requirement(key, str(operator), frozenset(_text(v) for v in values)))
    return Selector(tuple(requirements))


def parse_map_selector(raw: Any) -> Selector:
    """A plain `key: value` selector (Service, ReplicationController)."""
    if not isinstance(raw, Mapping):
        return Selector((), error="selector is not a mapping")
    return Selector(tuple(Requirement(str(k), "In", frozenset({_text(v)})) for k, v in raw.items()))


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)
