"""A 200-tenant platform in which exactly three tenants can be reached by other tenants."""

from __future__ import annotations

from pathlib import Path

from bulkhead.controls import by_id
from bulkhead.scan import scan
from tests.helpers import TODAY, write_tree

TENANTS = 200
BAD = {17: "every-namespace", 58: "neighbour", 123: "pod-network-ipblock"}


def _tenant(n: int) -> str:
    name = f"t{n:03d}"
    namespace = f"{name}-prod"
    rules = {
        "every-namespace": "- namespaceSelector: {}\n          podSelector: {matchLabels: {app: odoo}}",
        "neighbour": f"- namespaceSelector: {{matchLabels: {{bulkhead.io/tenant: t{n + 1:03d}}}}}",
        "pod-network-ipblock": "- ipBlock: {cidr: 10.0.0.0/8}",
    }
    extra = ""
    if n in BAD:
        extra = f"""---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: {BAD[n]}, namespace: {namespace}}}
spec:
  podSelector: {{matchLabels: {{app: odoo}}}}
  ingress:
    - from:
        {rules[BAD[n]]}
"""
    workloads = "".join(
        f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {app}, namespace: {namespace}}}
spec:
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec:
      containers: [{{name: {app}, image: registry.example.com/{app}:1}}]
"""
        for app in ("odoo", "redis")
    )
    return f"""apiVersion: v1
kind: Namespace
metadata:
  name: {namespace}
  labels: {{bulkhead.io/tenant: {name}, bulkhead.io/environment: prod}}
{workloads}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: default-deny, namespace: {namespace}}}
spec:
  podSelector: {{}}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: allow-traefik-and-own-tenant, namespace: {namespace}}}
spec:
  podSelector: {{matchLabels: {{app: odoo}}}}
  ingress:
    - from:
        - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: traefik}}}}
        - namespaceSelector: {{matchLabels: {{bulkhead.io/tenant: {name}}}}}
{extra}"""


def test_exactly_the_three_open_tenants_are_reported_with_both_ends(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"tenants/t{n:03d}.yaml": _tenant(n) for n in range(TENANTS)})
    write_tree(
        tmp_path,
        {
            "platform/traefik.yaml": "apiVersion: apps/v1\nkind: Deployment\n"
            "metadata: {name: traefik, namespace: traefik}\nspec:\n  template:\n"
            "    metadata: {labels: {app: traefik}}\n    spec:\n"
            "      containers: [{name: traefik, image: registry.example.com/traefik:3}]\n"
        },
    )
    report = scan([str(tmp_path)], controls=[by_id()["NP004"]], today=TODAY)
    found = {
        (f.resource.namespace, f.resource.name, f.path): f.message  # type: ignore[union-attr]
        for f in report.findings
    }
    assert set(found) == {
        ("t017-prod", "every-namespace", "spec.ingress[0].from[0]"),
        ("t058-prod", "neighbour", "spec.ingress[0].from[0]"),
        ("t123-prod", "pod-network-ipblock", "spec.ingress[0].from[0]"),
    }
    neighbour = found[("t058-prod", "neighbour", "spec.ingress[0].from[0]")]
    assert "tenant t059 (Deployment t059-prod/odoo, Deployment t059-prod/redis)" in neighbour
    assert "reach tenant t058's Deployment odoo" in neighbour
    every = found[("t017-prod", "every-namespace", "spec.ingress[0].from[0]")]
    assert "and 196 more" in every  # 199 other tenants' odoo pods, three named
    assert (
        "may hold pod addresses"
        in found[("t123-prod", "pod-network-ipblock", "spec.ingress[0].from[0]")]
    )
