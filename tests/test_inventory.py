from __future__ import annotations

from pathlib import Path

from bulkhead.config import Config
from bulkhead.inventory import ContextRules, Inventory
from bulkhead.scan import build_inventory
from tests.helpers import write_tree

POD_SPEC = """
      containers: [{name: app, image: a}]
      initContainers: [{name: init, image: b}]
      ephemeralContainers: [{name: debug, image: c}]
"""

KINDS = {
    "Pod": ("v1", "spec:\n" + POD_SPEC.replace("      ", "  ")),
    "Deployment": ("apps/v1", "spec:\n  template:\n    spec:\n" + POD_SPEC),
    "StatefulSet": ("apps/v1", "spec:\n  template:\n    spec:\n" + POD_SPEC),
    "DaemonSet": ("apps/v1", "spec:\n  template:\n    spec:\n" + POD_SPEC),
    "ReplicaSet": ("apps/v1", "spec:\n  template:\n    spec:\n" + POD_SPEC),
    "ReplicationController": ("v1", "spec:\n  template:\n    spec:\n" + POD_SPEC),
    "Job": ("batch/v1", "spec:\n  template:\n    spec:\n" + POD_SPEC),
    "CronJob": (
        "batch/v1",
        "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
        + POD_SPEC.replace("      ", "          "),
    ),
}


def test_pod_templates_normalized_for_every_workload_kind(tmp_path: Path) -> None:
    files = {
        f"{kind}.yaml": f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: w}}\n{body}"
        for kind, (api, body) in KINDS.items()
    }
    write_tree(tmp_path, files)
    inventory = build_inventory([str(tmp_path)], Config())
    assert sorted(t.resource.kind for t in inventory.pod_templates) == sorted(KINDS)
    for template in inventory.pod_templates:
        names = [(c.kind, c.name) for c in template.containers]
        assert names == [
            ("initContainers", "init"),
            ("containers", "app"),
            ("ephemeralContainers", "debug"),
        ]
        for container in template.containers:
            assert container.path[: len(template.path)] == template.path
    cron = next(t for t in inventory.pod_templates if t.resource.kind == "CronJob")
    assert cron.path == ("spec", "jobTemplate", "spec", "template", "spec")


def test_namespace_defaults_and_cluster_scoped_kinds(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: explicit}\n---\n"
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: c}\n"
        },
    )
    default = build_inventory([str(tmp_path)], Config())
    assert [(r.name, r.namespace) for r in default.resources] == [
        ("a", "default"),
        ("b", "explicit"),
        ("c", None),
    ]
    flagged = build_inventory([str(tmp_path)], Config(namespace="acme-prod"))
    assert [r.namespace for r in flagged.resources] == ["acme-prod", "explicit", None]


def test_context_from_namespace_labels_then_path_pattern(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "tenants/acme/dev/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: acme-dev\n"
            "  labels: {bulkhead.io/tenant: acme, bulkhead.io/environment: dev}\n",
            "tenants/acme/dev/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: acme-dev}\n",
            "tenants/globex/staging/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: g}\n",
            "other/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n",
        },
    )
    config = Config(context_path="tenants/{tenant}/{environment}/")
    inventory = build_inventory([str(tmp_path)], config)
    contexts = {
        r.name: (r.context.tenant, r.context.environment, r.context.is_production)
        for r in inventory.resources
    }
    assert contexts["acme-dev"] == ("acme", "dev", False)
    assert contexts["a"] == ("acme", "dev", False)
    assert contexts["b"] == ("globex", "staging", False)
    assert contexts["c"] == (None, None, True)  # unknown environment counts as production


def test_indexes(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: acme, labels: {app: odoo}}\n"
        },
    )
    inventory = build_inventory([str(tmp_path)], Config())
    service = inventory.get("Service", "acme", "s")
    assert service is not None
    assert list(inventory.of_kind("Service")) == [service]
    assert list(inventory.with_label("acme", "app", "odoo")) == [service]
    assert list(inventory.with_label("other", "app", "odoo")) == []


def test_context_rules_pattern_is_anchored_on_path_segments() -> None:
    pattern = ContextRules("tenants/{tenant}/{environment}/").compile()
    assert pattern is not None
    assert pattern.search("repo/tenants/acme/prod/x.yaml") is not None
    assert pattern.search("repo/mytenants/acme/prod/x.yaml") is None
    assert Inventory([]).pod_templates == ()


def test_context_from_own_labels_and_argo_destination(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: acme-dev\n"
            "  labels: {bulkhead.io/tenant: acme, bulkhead.io/environment: dev}\n",
            "app.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
            "metadata: {name: acme-odoo, namespace: argocd}\n"
            "spec: {destination: {namespace: acme-dev}}\n",
            "project.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n"
            "  name: acme\n  namespace: argocd\n  labels: {bulkhead.io/tenant: acme, bulkhead.io/environment: staging}\n",
            "other.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: x, namespace: argocd}\n",
        },
    )
    inventory = build_inventory([str(tmp_path)], Config())
    contexts = {r.name: (r.context.tenant, r.context.environment) for r in inventory.resources}
    assert contexts["acme-odoo"] == ("acme", "dev")
    assert contexts["acme"] == ("acme", "staging")
    assert contexts["x"] == (None, None)
