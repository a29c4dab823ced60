"""NetworkPolicy semantics: which pods a policy selects and which traffic it isolates.

Built once per inventory, indexed by namespace, so a control asks "which policies select this
pod" without scanning every policy of the cluster: matching is namespace-scoped, as the API
server scopes it (one peer ignores namespaces and lets one permissive policy pass every pod).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bulkhead.inventory import Inventory, PodTemplate
from bulkhead.model import Resource
from bulkhead.selectors import Selector, parse_selector


@dataclass(frozen=True, slots=True)
class Policy:
    resource: Resource
    pods: Selector
    isolates_ingress: bool
    isolates_egress: bool
    ingress_rules: tuple[Mapping[str, Any], ...]
    egress_rules: tuple[Mapping[str, Any], ...]

    @property
    def denies_all_ingress(self) -> bool:
        """Selects every pod and allows no ingress: a default-deny for ingress."""
        return self.pods.selects_everything and self.isolates_ingress and not self.ingress_rules

    @property
    def denies_all_egress(self) -> bool:
        return self.pods.selects_everything and self.isolates_egress and not self.egress_rules


def _rules(value: Any) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(value, list):
        return ()
    # An empty rule `{}` is a rule (it allows everything), so keep it: only drop non-mappings.
    return tuple(rule for rule in value if isinstance(rule, Mapping))


def parse_policy(resource: Resource) -> Policy:
    spec = resource.doc.get("spec")
    spec = spec if isinstance(spec, Mapping) else {}
    ingress = _rules(spec.get("ingress"))
    egress = _rules(spec.get("egress"))
    types = spec.get("policyTypes")
    if isinstance(types, list) and types:
        names = {str(t) for t in types}
        isolates_ingress, isolates_egress = "Ingress" in names, "Egress" in names
    else:
        # The API server's default: Ingress always, Egress when egress rules are given.
        isolates_ingress, isolates_egress = True, "egress" in spec
    selector = spec.get("podSelector")
    return Policy(
        resource=resource,
        pods=parse_selector(selector if selector is not None else {}),
        isolates_ingress=isolates_ingress,
        isolates_egress=isolates_egress,
        ingress_rules=ingress,
        egress_rules=egress,
    )


class NetworkView:
    """Policies and pods of an inventory, grouped by namespace."""

    def __init__(self, inventory: Inventory) -> None:
        self.policies: dict[str | None, list[Policy]] = defaultdict(list)
        for resource in inventory.of_kind("NetworkPolicy"):
            self.policies[resource.namespace].append(parse_policy(resource))
        self.pods: dict[str | None, list[PodTemplate]] = defaultdict(list)
        for template in inventory.pod_templates:
            self.pods[template.resource.namespace].append(template)

    def selecting(self, pod: PodTemplate) -> Sequence[Policy]:
        labels = pod.metadata.get("labels")
        labels = labels if isinstance(labels, Mapping) else {}
        return [p for p in self.policies.get(pod.resource.namespace, ()) if p.pods.matches(labels)]
