"""A NetworkPolicy ingress rule admits every namespace or every IP address.

## What it does
Reports each ingress rule of a NetworkPolicy that lets anything in: a rule without `from` (or with
an empty `from` list), a peer whose `namespaceSelector` is `{}` (every namespace, whatever its
`podSelector`), and a peer whose `ipBlock.cidr` is `0.0.0.0/0` or `::/0`. A peer with only a
`podSelector` stays inside the policy's namespace and is not reported.

## Why is this bad
One such rule undoes the namespace's default deny for the pods it selects: every pod of every
tenant, or any address the cluster network routes, can reach them. Tenant pods should admit only
the ingress controller's namespace and their own tenant's pods.

## Example (must fail)
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: odoo-ingress
  namespace: acme-prod
spec:
  podSelector:
    matchLabels: {app: odoo}
  ingress:
    - from:
        - namespaceSelector: {}
      ports:
        - port: 8069
```

## Use instead (must pass)
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: odoo-ingress
  namespace: acme-prod
spec:
  podSelector:
    matchLabels: {app: odoo}
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: traefik}
          podSelector:
            matchLabels: {app.kubernetes.io/name: traefik}
      ports:
        - port: 8069
```

## Remediation
Name the sources: the ingress controller's namespace (by its `kubernetes.io/metadata.name`
label) and pods, or pods of the same tenant. The ingress controller's own namespace is the one
place that admits the internet; suppress there with a reason
(`bulkhead.io/ignore: "NP003: public entry point"`).

## References
NSA/CISA Kubernetes Hardening Guide (network policies). Peers: Kubescape C-0260 family; no peer
reports open ingress rules directly (Polaris and kube-score only check that some policy exists).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="NP003",
    slug="ingress-open-to-all",
    title="NetworkPolicy ingress open to every namespace or IP",
    domain=Domain.NETWORK,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"NetworkPolicy"}),
    references={
        "kubescape": ("C-0260",),
        "nsa": ("Network separation and hardening",),
    },
)

EVERY_ADDRESS = frozenset({"0.0.0.0/0", "::/0"})


def _open_peer(peer: Mapping[str, object]) -> str | None:
    namespaces = peer.get("namespaceSelector")
    if (
        isinstance(namespaces, Mapping)
        and not namespaces.get("matchLabels")
        and not namespaces.get("matchExpressions")
    ):
        return "every namespace (namespaceSelector: {})"
    cidr = as_mapping(peer.get("ipBlock")).get("cidr")
    if isinstance(cidr, str) and cidr.strip() in EVERY_ADDRESS:
        return f"every address (ipBlock {cidr.strip()})"
    return None


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    spec = as_mapping(resource.doc.get("spec"))
    for index, rule in enumerate(as_list(spec.get("ingress"))):
        if not isinstance(rule, Mapping):
            continue
        sources = rule.get("from")
        if not isinstance(sources, list) or not sources:
            yield Hit(
                ("spec", "ingress", index),
                f"ingress rule {index} of NetworkPolicy {resource.name!r} has no `from`, so it "
                "admits every source: list the namespaces and pods allowed",
            )
            continue
        for peer_index, peer in enumerate(sources):
            reason = _open_peer(as_mapping(peer))
            if reason:
                yield Hit(
                    ("spec", "ingress", index, "from", peer_index),
                    f"ingress rule {index} of NetworkPolicy {resource.name!r} admits {reason}: "
                    "name the allowed namespaces and pods instead",
                )
