"""PostgreSQL or Redis is reachable from outside its tenant's Odoo pods, or published.

## What it does
Finds the datastores: CloudNativePG Clusters (pods labelled `cnpg.io/cluster: <name>`,
`cnpg.io/podRole: instance`, `cnpg.io/instanceRole`) and workloads with a container whose image
repository ends in `postgres`/`postgresql`/`redis`/`valkey` or that declares port 5432 or 6379.
Reports each path once, naming both ends (a datastore of no tenant: (b) and (c) only):

- (a) another tenant's pods connect: no ingress NetworkPolicy selects the datastore, or a rule
  of one that does has no `from`, a foreign `namespaceSelector` or a pod-range `ipBlock` (NP004);
- (b) a NodePort/LoadBalancer Service selects it (CNPG managed services and Poolers included);
- (c) an Ingress, IngressRoute or IngressRouteTCP routes to a Service selecting it, or to CNPG's
  `<cluster>-rw`/`-ro`/`-r` or a Pooler's Service;
- (d) a policy selecting it admits `podSelector: {}`: any pod of the namespace, not only Odoo.

## Why is this bad
PostgreSQL holds every record of the tenant's Odoo and Redis its sessions: whoever connects
bypasses Odoo's access rules, and a session read is an account takeover. Only the tenant's Odoo
pods (and the CNPG operator) need them; a published port invites brute force and exploits.

## Example (must fail)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: acme-pg, namespace: acme-prod}
spec: {instances: 3, storage: {size: 50Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: acme-pg-public, namespace: acme-prod}
spec:
  type: LoadBalancer
  selector: {cnpg.io/cluster: acme-pg, cnpg.io/instanceRole: primary}
  ports: [{port: 5432, targetPort: 5432}]
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Namespace
metadata: {name: acme-prod, labels: {bulkhead.io/tenant: acme, bulkhead.io/environment: prod}}
---
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: acme-pg, namespace: acme-prod}
spec: {instances: 3, storage: {size: 50Gi}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: postgres, namespace: acme-prod}
spec:
  podSelector: {matchLabels: {cnpg.io/cluster: acme-pg}}
  ingress:
    - from:
        - podSelector: {matchLabels: {app.kubernetes.io/name: odoo}}
        - podSelector: {matchLabels: {cnpg.io/cluster: acme-pg}}
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: cnpg-system}}
      ports: [{port: 5432}, {port: 8000}]
```

## Remediation
Keep datastore Services `ClusterIP`, never route to them from Traefik, and give each datastore
an ingress policy admitting only the tenant's Odoo pods by label, CNPG's own instances and the
operator's namespace (`kubernetes.io/metadata.name`). Reporting tools use a replica via a VPN.

## References
NSA/CISA Kubernetes Hardening Guide (network separation); CIS Kubernetes Benchmark 5.3.2.
Peers: Kubescape C-0256 reports any workload exposed by a Service or Ingress, not knowing which
is a database; Checkov's policy edges ignore namespaces (checkov#7474); none models CNPG.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_int, as_list, as_mapping, parse_image
from bulkhead.inventory import Inventory, PodTemplate
from bulkhead.model import FieldPath, Resource, Severity
from bulkhead.network import (
    NetworkView,
    Policy,
    Reachability,
    Sources,
    network_view,
    reachability,
)
from bulkhead.selectors import Selector, parse_map_selector, parse_selector

META = Meta(
    id="TN005",
    slug="datastore-reachable-outside-tenant",
    title="PostgreSQL or Redis reachable from outside its tenant's Odoo pods",
    domain=Domain.NETWORK,
    severity=Severity.CRITICAL,
    scope=Scope.INVENTORY,
    references={
        "kubescape": ("C-0256",),
        "cis": ("5.3.2",),
        "nsa": ("Network separation and hardening",),
    },
)

CNPG_GROUP = "postgresql.cnpg.io"
TRAEFIK_GROUPS = frozenset({"traefik.io", "traefik.containo.us"})
INGRESS_GROUPS = frozenset({"networking.k8s.io", "extensions"})
EXPOSED_TYPES = frozenset({"NodePort", "LoadBalancer"})
POSTGRES_IMAGES = frozenset({"postgres", "postgresql"})
REDIS_IMAGES = frozenset({"redis", "valkey"})
POSTGRES_PORT, REDIS_PORT = 5432, 6379
CNPG_SERVICE_SUFFIXES = ("-rw", "-ro", "-r")
_SHOWN = 3

Labels = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Store:
    """A datastore and the label sets its pods carry (a CNPG primary and its replicas differ)."""

    resource: Resource
    engine: str
    variants: tuple[tuple[str, Labels], ...]
    anchor: FieldPath
    tenant: str | None = None
    service_names: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return f"{self.engine} {self.resource.kind} {self.resource.name!r}"

    @property
    def key(self) -> str:
        return f"{self.resource.kind}/{self.resource.name}"


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _str_labels(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in as_mapping(value).items() if isinstance(v, str | int)}


# --- finding the datastores ---------------------------------------------------------------


def _engine(template: PodTemplate) -> str | None:
    found: str | None = None
    for container in template.containers:
        if container.kind != "containers" and not container.is_sidecar:
            continue  # init and ephemeral containers serve nothing
        image = container.spec.get("image")
        last = parse_image(image).repository.rsplit("/", 1)[-1] if isinstance(image, str) else ""
        ports = {
            as_int(as_mapping(p).get("containerPort")) for p in as_list(container.spec.get("ports"))
        }
        if last in POSTGRES_IMAGES or POSTGRES_PORT in ports:
            return "PostgreSQL"
        if last in REDIS_IMAGES or REDIS_PORT in ports:
            found = "Redis"
    return found


def _cnpg_cluster(resource: Resource) -> Store:
    spec = as_mapping(resource.doc.get("spec"))
    inherited = _str_labels(as_mapping(spec.get("inheritedMetadata")).get("labels"))
    base = {**inherited, "cnpg.io/cluster": resource.name, "cnpg.io/podRole": "instance"}
    variants: list[tuple[str, Labels]] = [
        ("primary", {**base, "cnpg.io/instanceRole": "primary", "role": "primary"})
    ]
    instances = as_int(spec.get("instances"))
    if instances is not None and instances > 1:  # CNPG's default is a single instance
        variants.append(
            ("replicas", {**base, "cnpg.io/instanceRole": "replica", "role": "replica"})
        )
    names = [f"{resource.name}{suffix}" for suffix in CNPG_SERVICE_SUFFIXES]
    for _, template in _managed_services(resource):
        name = as_mapping(template.get("metadata")).get("name")
        if isinstance(name, str) and name:
            names.append(name)
    return Store(
        resource,
        "PostgreSQL",
        tuple(variants),
        ("metadata", "name"),
        resource.context.tenant,
        tuple(names),
    )


def _managed_services(resource: Resource) -> Iterator[tuple[FieldPath, Mapping[str, Any]]]:
    spec = as_mapping(resource.doc.get("spec"))
    additional = as_mapping(as_mapping(spec.get("managed")).get("services")).get("additional")
    for index, item in enumerate(as_list(additional)):
        template = as_mapping(as_mapping(item).get("serviceTemplate"))
        path = ("spec", "managed", "services", "additional", index, "serviceTemplate")
        yield path, template


def _stores(inventory: Inventory, reach: Reachability) -> list[Store]:
    stores: list[Store] = []
    for template in inventory.pod_templates:
        engine = _engine(template)
        if engine is not None:
            variant = ("pods", _str_labels(template.labels))
            stores.append(Store(template.resource, engine, (variant,), template.labels_path))
    for resource in inventory.of_kind("Cluster"):
        if resource.api_group == CNPG_GROUP:
            stores.append(_cnpg_cluster(resource))
    return [
        Store(
            s.resource,
            s.engine,
            s.variants,
            s.anchor,
            reach.tenant(s.resource.namespace) or s.resource.context.tenant,
            s.service_names,
        )
        for s in stores
    ]


# --- (a) and (d): NetworkPolicies ---------------------------------------------------------


def _everyone_pods(peer: Mapping[str, Any]) -> bool:
    raw = peer.get("podSelector")
    return parse_selector(raw if raw is not None else {}).selects_everything


def _who(sources: Sources, tenant: str) -> str:
    if sources.everyone:
        return f"pods of every tenant ({sources.reason})" if sources.reason else "every pod"
    foreign = sorted(sources.foreign(tenant))
    examples = [s.workload for t in foreign for s in sources.by_tenant[t]]
    return f"tenant {_names(foreign)} ({_names(examples)})"


def _policy_hits(store: Store, view: NetworkView, reach: Reachability) -> Iterator[Hit]:
    tenant = store.tenant
    if tenant is None:
        return
    namespace = store.resource.namespace
    isolating = [p for p in view.policies.get(namespace, ()) if p.isolates_ingress]
    unguarded = [
        name
        for name, labels in store.variants
        if not any(p.pods.matches(labels) for p in isolating)
    ]
    if unguarded:
        which = "" if len(unguarded) == len(store.variants) else f" ({', '.join(unguarded)})"
        yield Hit(
            store.anchor,
            f"no ingress NetworkPolicy selects tenant {tenant}'s {store.label}{which}, so pods "
            "of every tenant can connect to it: add a policy that selects it and admits only "
            f"tenant {tenant}'s Odoo pods",
            resource=store.resource,
            key=f"{store.key}:unselected",
        )
    for policy in isolating:
        if any(policy.pods.matches(labels) for _, labels in store.variants):
            yield from _rule_hits(store, tenant, policy, reach)


def _rule_hits(store: Store, tenant: str, policy: Policy, reach: Reachability) -> Iterator[Hit]:
    namespace = store.resource.namespace
    for index, rule in enumerate(policy.ingress_rules):
        peers = rule.get("from")
        if not isinstance(peers, list) or not peers:
            yield _hit(
                store,
                policy,
                ("spec", "ingress", index),
                f"NetworkPolicy {policy.resource.name!r} has an ingress rule without `from`, so "
                f"pods of every tenant reach tenant {tenant}'s {store.label}: list only "
                f"tenant {tenant}'s Odoo pods in `from`",
            )
            continue
        for peer_index, peer in enumerate(peers):
            if not isinstance(peer, Mapping):
                continue
            path = ("spec", "ingress", index, "from", peer_index)
            sources = reach.peer(namespace, peer)
            if sources.everyone or sources.foreign(tenant):
                yield _hit(
                    store,
                    policy,
                    path,
                    f"NetworkPolicy {policy.resource.name!r} lets {_who(sources, tenant)} reach "
                    f"tenant {tenant}'s {store.label}: admit only tenant {tenant}'s Odoo pods",
                )
            elif (
                "ipBlock" not in peer
                and _everyone_pods(peer)
                and ("namespaceSelector" not in peer or tenant in sources.by_tenant)
            ):
                where = (
                    f"namespace {namespace!r}"
                    if "namespaceSelector" not in peer
                    else f"every namespace its namespaceSelector matches (tenant {tenant}'s "
                    "included)"
                )
                yield _hit(
                    store,
                    policy,
                    path,
                    f"NetworkPolicy {policy.resource.name!r} admits any pod of {where}, not only "
                    f"Odoo, to tenant {tenant}'s {store.label} (podSelector: {{}}): select the "
                    "Odoo pods by label (app.kubernetes.io/name: odoo)",
                )


def _hit(store: Store, policy: Policy, path: FieldPath, message: str) -> Hit:
    return Hit(path, message, resource=policy.resource, key=f"{store.key}:{path!r}")


# --- (b) and (c): Services and routes ------------------------------------------------------


def _service_selector(resource: Resource) -> Selector | None:
    raw = as_mapping(resource.doc.get("spec")).get("selector")
    if not isinstance(raw, Mapping) or not raw:
        return None  # no selector: no endpoints are made from pods
    return parse_map_selector(raw)


def _service_type(spec: Mapping[str, Any]) -> str | None:
    value = spec.get("type")
    return value if isinstance(value, str) and value in EXPOSED_TYPES else None


def _backends(
    inventory: Inventory, stores: Sequence[Store]
) -> tuple[dict[tuple[str | None, str], list[Store]], list[Hit]]:
    """Which datastores each Service name leads to, and the Services that publish them."""
    by_namespace: dict[str | None, list[Store]] = {}
    for store in stores:
        by_namespace.setdefault(store.resource.namespace, []).append(store)
    behind: dict[tuple[str | None, str], list[Store]] = {}
    exposed: list[Hit] = []
    for service in inventory.of_kind("Service"):
        candidates = by_namespace.get(service.namespace)
        selector = _service_selector(service) if candidates else None
        if not candidates or selector is None:
            continue
        service_type = _service_type(as_mapping(service.doc.get("spec")))
        for store in candidates:
            if not any(selector.matches(labels) for _, labels in store.variants):
                continue
            behind.setdefault((service.namespace, service.name), []).append(store)
            if service_type:
                exposed.append(
                    Hit(
                        ("spec", "type"),
                        f"Service {service.name!r} of type {service_type} publishes "
                        f"{_owner(store)}{store.label} outside the cluster: make it ClusterIP "
                        "and let only the tenant's Odoo pods connect",
                        resource=service,
                        key=store.key,
                    )
                )
    clusters: dict[tuple[str | None, str], Store] = {}
    for store in stores:
        if store.resource.kind == "Cluster":
            clusters[(store.resource.namespace, store.resource.name)] = store
            for name in store.service_names:
                behind.setdefault((store.resource.namespace, name), []).append(store)
            for path, template in _managed_services(store.resource):
                service_type = _service_type(as_mapping(template.get("spec")))
                if service_type:
                    exposed.append(
                        Hit(
                            (*path, "spec", "type"),
                            f"Cluster {store.resource.name!r} adds a managed Service of type "
                            f"{service_type}, publishing {_owner(store)}{store.label} outside "
                            "the cluster: remove it and keep CNPG's ClusterIP services",
                            resource=store.resource,
                            key=repr(path),
                        )
                    )
    for pooler in inventory.of_kind("Pooler"):
        spec = as_mapping(pooler.doc.get("spec"))
        cluster_name = as_mapping(spec.get("cluster")).get("name")
        target = clusters.get((pooler.namespace, str(cluster_name)))
        if pooler.api_group != CNPG_GROUP or target is None:
            continue
        behind.setdefault((pooler.namespace, pooler.name), []).append(target)
        template_spec = as_mapping(as_mapping(spec.get("serviceTemplate")).get("spec"))
        service_type = _service_type(template_spec)
        if service_type:
            exposed.append(
                Hit(
                    ("spec", "serviceTemplate", "spec", "type"),
                    f"Pooler {pooler.name!r} gets a Service of type {service_type}, publishing "
                    f"{_owner(target)}{target.label} (through PgBouncer) outside the cluster: "
                    "remove the type and keep the Pooler's Service ClusterIP",
                    resource=pooler,
                    key=target.key,
                )
            )
    return behind, exposed


def _owner(store: Store) -> str:
    return f"tenant {store.tenant}'s " if store.tenant else ""


def _ingress_refs(resource: Resource) -> Iterator[tuple[FieldPath, str | None, Any]]:
    """(path to the Service name, namespace override, name) of every route backend."""
    spec = as_mapping(resource.doc.get("spec"))
    if resource.kind == "Ingress":
        backends: list[tuple[FieldPath, Any]] = [
            (("spec", "defaultBackend"), spec.get("defaultBackend")),
            (("spec", "backend"), spec.get("backend")),
        ]
        for i, rule in enumerate(as_list(spec.get("rules"))):
            paths = as_mapping(as_mapping(rule).get("http")).get("paths")
            for j, item in enumerate(as_list(paths)):
                backend = as_mapping(item).get("backend")
                backends.append((("spec", "rules", i, "http", "paths", j, "backend"), backend))
        for path, backend in backends:
            backend = as_mapping(backend)
            service = as_mapping(backend.get("service"))
            if "name" in service:
                yield (*path, "service", "name"), None, service.get("name")
            elif "serviceName" in backend:
                yield (*path, "serviceName"), None, backend.get("serviceName")
        return
    for i, route in enumerate(as_list(spec.get("routes"))):
        for j, service in enumerate(as_list(as_mapping(route).get("services"))):
            service = as_mapping(service)
            if service.get("kind", "Service") not in ("Service", None):
                continue  # TraefikService: weighted or mirrored, resolved elsewhere
            override = service.get("namespace")
            namespace = override if isinstance(override, str) and override else None
            yield ("spec", "routes", i, "services", j, "name"), namespace, service.get("name")


def _route_hits(
    inventory: Inventory, behind: Mapping[tuple[str | None, str], list[Store]]
) -> Iterator[Hit]:
    routes = [r for r in inventory.of_kind("Ingress") if r.api_group in INGRESS_GROUPS]
    routes += [
        r
        for r in inventory.of_kind("IngressRoute", "IngressRouteTCP")
        if r.api_group in TRAEFIK_GROUPS
    ]
    for route in routes:
        for path, override, name in _ingress_refs(route):
            if not isinstance(name, str):
                continue
            for store in behind.get((override or route.namespace, name), ()):
                yield Hit(
                    path,
                    f"{route.kind} {route.name!r} routes to Service {name!r}, which leads to "
                    f"{_owner(store)}{store.label}: the database is published through the "
                    "ingress controller; remove the route (use a VPN or bastion for admin "
                    "access)",
                    resource=route,
                    key=f"{store.key}:{path!r}",
                )


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    view = network_view(inventory)
    reach = reachability(inventory)
    stores = _stores(inventory, reach)
    if not stores:
        return
    for store in stores:
        yield from _policy_hits(store, view, reach)
    behind, exposed = _backends(inventory, stores)
    yield from exposed
    yield from _route_hits(inventory, behind)
