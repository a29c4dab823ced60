"""NetworkPolicy semantics: which pods a policy selects and which traffic it isolates.

Built once per inventory, indexed by namespace, so a control asks "which policies select this
pod" without scanning every policy of the cluster: matching is namespace-scoped, as the API
server scopes it (one peer ignores namespaces and lets one permissive policy pass every pod).
"""

from __future__ import annotations

import ipaddress
import json
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
        policies = self.policies.get(pod.resource.namespace, ())
        return [p for p in policies if p.pods.matches(pod.labels)]


# Pod IPs come from a private range the manifests do not name: an ipBlock overlapping one may
# admit pods of any tenant (Calico and Cilium apply ipBlocks to pod traffic).
POD_NETWORK_CANDIDATES = tuple(
    ipaddress.ip_network(cidr)
    for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True, slots=True)
class Source:
    """Pods of one workload that may send traffic."""

    tenant: str
    workload: str


@dataclass(frozen=True, slots=True)
class Sources:
    """Who a peer admits: every pod (`everyone`), or these tenants' workloads."""

    everyone: bool
    by_tenant: Mapping[str, tuple[Source, ...]]
    reason: str = ""

    def foreign(self, tenant: str) -> list[str]:
        return [t for t in self.by_tenant if t != tenant]


def _workload(pod: PodTemplate) -> str:
    return f"{pod.resource.kind} {pod.resource.namespace}/{pod.resource.name}"


def ip_block_may_hold_pods(block: Mapping[str, Any]) -> bool:
    cidr = block.get("cidr")
    if not isinstance(cidr, str):
        return False
    try:
        network = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return False
    return any(
        network.version == candidate.version and network.overlaps(candidate)
        for candidate in POD_NETWORK_CANDIDATES
    )


class Reachability:
    """Which tenants' pods a NetworkPolicy peer admits, computed once per distinct peer.

    Namespaces are found through a label index (equality requirements first), and results are
    cached by the peer's selectors, so the many tenants that share a policy shape cost one
    evaluation, not one per pair of tenants.
    """

    def __init__(self, inventory: Inventory, view: NetworkView) -> None:
        self.view = view
        self.namespace_labels: dict[str, dict[str, str]] = {}
        self.tenant_of: dict[str, str | None] = {}
        for namespace, pods in view.pods.items():
            if namespace is not None:
                self.namespace_labels[namespace] = {NAMESPACE_NAME_LABEL: namespace}
                self.tenant_of[namespace] = pods[0].resource.context.tenant
        for resource in inventory.of_kind("Namespace"):
            labels = {str(k): str(v) for k, v in resource.labels.items()}
            self.namespace_labels[resource.name] = {**labels, NAMESPACE_NAME_LABEL: resource.name}
            self.tenant_of.setdefault(resource.name, resource.context.tenant)
        self.label_index: dict[tuple[str, str], set[str]] = defaultdict(set)
        for namespace, labels in self.namespace_labels.items():
            for key, value in labels.items():
                self.label_index[(key, value)].add(namespace)
        self._cache: dict[str, Sources] = {}

    def tenant(self, namespace: str | None) -> str | None:
        return self.tenant_of.get(namespace or "")

    def everyone(self, reason: str) -> Sources:
        return Sources(True, {}, reason)

    def peer(self, policy_namespace: str | None, peer: Mapping[str, Any]) -> Sources:
        block = peer.get("ipBlock")
        if isinstance(block, Mapping):
            if ip_block_may_hold_pods(block):
                return self.everyone(f"ipBlock {block.get('cidr')} may hold pod addresses")
            return Sources(False, {})
        key = repr(
            (policy_namespace if "namespaceSelector" not in peer else None, _canonical(peer))
        )
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._pods_admitted(policy_namespace, peer)
        return cached

    def _pods_admitted(self, policy_namespace: str | None, peer: Mapping[str, Any]) -> Sources:
        if "namespaceSelector" in peer:
            namespaces = self._namespaces(parse_selector(peer.get("namespaceSelector")))
        else:
            namespaces = [policy_namespace or ""]
        raw_pods = peer.get("podSelector")
        pods = parse_selector(raw_pods if raw_pods is not None else {})
        by_tenant: dict[str, list[Source]] = defaultdict(list)
        for namespace in namespaces:
            tenant = self.tenant_of.get(namespace)
            if tenant is None:
                continue  # platform namespaces (ingress controller, monitoring) are no tenant
            for pod in self.view.pods.get(namespace, ()):
                if pods.matches(pod.labels):
                    by_tenant[tenant].append(Source(tenant, _workload(pod)))
        return Sources(False, {t: tuple(s) for t, s in by_tenant.items()})

    def _namespaces(self, selector: Selector) -> list[str]:
        equalities = selector.equalities()
        if equalities:
            sets = [self.label_index.get(item, set()) for item in equalities.items()]
            candidates: set[str] | list[str] = set.intersection(*sets)
        else:
            candidates = list(self.namespace_labels)
        return sorted(n for n in candidates if selector.matches(self.namespace_labels[n]))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def network_view(inventory: Inventory) -> NetworkView:
    """The inventory's NetworkView, built once per scan and shared by the network controls."""
    return inventory.derived(NetworkView)


def reachability(inventory: Inventory) -> Reachability:
    """The inventory's Reachability (with its per-peer cache), built once per scan."""
    return inventory.derived(_build_reachability)


def _build_reachability(inventory: Inventory) -> Reachability:
    return Reachability(inventory, network_view(inventory))
