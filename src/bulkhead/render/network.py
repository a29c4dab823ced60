"""network.yaml: deny everything, then allow exactly the flows the environment needs.

    traefik namespace              -> odoo web :8069, :8072
    odoo (web, cron, upgrade)      -> pooler :5432, postgres :5432, redis :6379
    odoo                           -> the tenant's integration allowlist (egress)
    pooler                         -> postgres :5432, API server
    postgres (instances, jobs)     <-> each other :5432; operator -> :5432, :8000
    postgres                       -> API server, object storage :443
    off-hours scaler               -> API server
    every pod                      -> cluster DNS :53

Namespaces are selected by `kubernetes.io/metadata.name`, which the control plane sets and
nobody can change. Kubernetes NetworkPolicy matches addresses, not names: an allowlist entry
with a host opens its ports to public addresses only (private ranges excepted), and carries the
host names in the `bulkhead.io/egress-hosts` annotation for an FQDN-aware policy or egress proxy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bulkhead.platform.model import EffectiveEnvironment, EgressRule
from bulkhead.render.common import (
    CNPG_OPERATOR_LABELS,
    CNPG_OPERATOR_NAMESPACE,
    DNS_LABELS,
    DNS_NAMESPACE,
    ODOO_GEVENT_PORT,
    ODOO_HTTP_PORT,
    POSTGRES_PORT,
    PRIVATE_IPV4,
    PRIVATE_IPV6,
    REDIS_PORT,
    Manifest,
    RenderOptions,
    metadata,
    object_labels,
    selector,
)
from bulkhead.render.odoo import pooler_name

NAME = "kubernetes.io/metadata.name"
API_PORTS = (443, 6443)


def _policy(
    env: EffectiveEnvironment,
    name: str,
    pods: Mapping[str, str],
    ingress: list[Manifest] | None = None,
    egress: list[Manifest] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> Manifest:
    types = []
    spec: Manifest = {"podSelector": {"matchLabels": dict(pods)} if pods else {}}
    if ingress is not None:
        types.append("Ingress")
    if egress is not None:
        types.append("Egress")
    spec["policyTypes"] = types
    if ingress:
        spec["ingress"] = ingress
    if egress:
        spec["egress"] = egress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(env, name, object_labels(env, name=name), annotations),
        "spec": spec,
    }


def _ports(ports: Iterable[int], protocol: str = "TCP") -> list[Manifest]:
    return [{"port": port, "protocol": protocol} for port in ports]


def _pods(labels: Mapping[str, str]) -> Manifest:
    return {"podSelector": {"matchLabels": dict(labels)}}


def _namespace(name: str, labels: Mapping[str, str] | None = None) -> Manifest:
    peer: Manifest = {"namespaceSelector": {"matchLabels": {NAME: name}}}
    if labels:
        peer["podSelector"] = {"matchLabels": dict(labels)}
    return peer


def _cidrs(cidrs: Iterable[str]) -> list[Manifest]:
    return [{"ipBlock": {"cidr": cidr}} for cidr in cidrs]


def _public() -> list[Manifest]:
    return [
        {"ipBlock": {"cidr": "0.0.0.0/0", "except": list(PRIVATE_IPV4)}},
        {"ipBlock": {"cidr": "::/0", "except": list(PRIVATE_IPV6)}},
    ]


def odoo_pods(env: EffectiveEnvironment) -> dict[str, str]:
    return {"app.kubernetes.io/name": "odoo", "app.kubernetes.io/instance": env.name}


def postgres_pods(env: EffectiveEnvironment) -> dict[str, str]:
    """Every pod of the CloudNativePG cluster: instances and its bootstrap/join Jobs."""
    return {"cnpg.io/cluster": env.postgres.cluster_name}


def postgres_instances(env: EffectiveEnvironment) -> dict[str, str]:
    return {"cnpg.io/cluster": env.postgres.cluster_name, "cnpg.io/podRole": "instance"}


def pooler_pods(env: EffectiveEnvironment) -> dict[str, str]:
    return {"cnpg.io/poolerName": pooler_name(env)}


def redis_pods(env: EffectiveEnvironment) -> dict[str, str]:
    return selector(env, "redis")


def _api(options: RenderOptions) -> Manifest:
    return {"to": _cidrs(options.api_server_cidrs), "ports": _ports(API_PORTS)}


def _integration_rule(rule: EgressRule) -> tuple[Manifest, str | None]:
    peers = _cidrs([rule.cidr]) if rule.cidr is not None else _public()
    return {"to": peers, "ports": _ports(rule.ports)}, rule.host


def documents(env: EffectiveEnvironment, options: RenderOptions) -> list[Manifest]:
    odoo = odoo_pods(env)
    web = selector(env, "odoo", "web")
    docs = [
        _policy(env, "default-deny", {}, ingress=[], egress=[]),
        _policy(
            env,
            "allow-dns",
            {},
            egress=[
                {
                    "to": [_namespace(DNS_NAMESPACE, DNS_LABELS)],
                    "ports": _ports([53], "UDP") + _ports([53]),
                }
            ],
        ),
        _policy(
            env,
            "odoo-web-from-traefik",
            web,
            ingress=[
                {
                    "from": [_namespace(env.ingress.traefik_namespace)],
                    "ports": _ports([ODOO_HTTP_PORT, ODOO_GEVENT_PORT]),
                }
            ],
        ),
        _policy(
            env,
            "odoo-egress",
            odoo,
            egress=[
                {
                    "to": [_pods(pooler_pods(env)), _pods(postgres_instances(env))],
                    "ports": _ports([POSTGRES_PORT]),
                },
                {"to": [_pods(redis_pods(env))], "ports": _ports([REDIS_PORT])},
            ],
        ),
    ]
    if env.egress:
        rules = [_integration_rule(rule) for rule in env.egress]
        hosts = [host for _, host in rules if host]
        annotations = {"bulkhead.io/egress-hosts": ",".join(hosts)} if hosts else None
        docs.append(
            _policy(
                env,
                "odoo-integrations",
                odoo,
                egress=[rule for rule, _ in rules],
                annotations=annotations,
            )
        )
    docs += [
        _policy(
            env,
            "redis",
            redis_pods(env),
            ingress=[{"from": [_pods(odoo)], "ports": _ports([REDIS_PORT])}],
        ),
        _policy(
            env,
            "pooler",
            pooler_pods(env),
            ingress=[{"from": [_pods(odoo)], "ports": _ports([POSTGRES_PORT])}],
            egress=[
                {"to": [_pods(postgres_instances(env))], "ports": _ports([POSTGRES_PORT])},
                _api(options),
            ],
        ),
        _policy(
            env,
            "postgres",
            postgres_pods(env),
            ingress=[
                {
                    "from": [_pods(odoo), _pods(pooler_pods(env)), _pods(postgres_pods(env))],
                    "ports": _ports([POSTGRES_PORT]),
                },
                {
                    "from": [_namespace(CNPG_OPERATOR_NAMESPACE, CNPG_OPERATOR_LABELS)],
                    "ports": _ports([8000, POSTGRES_PORT]),
                },
            ],
            egress=[
                {"to": [_pods(postgres_pods(env))], "ports": _ports([POSTGRES_PORT])},
                _api(options),
                {"to": _cidrs(options.object_storage_cidrs), "ports": _ports([443])},
            ],
        ),
    ]
    if env.off_hours is not None:
        docs.append(
            _policy(env, "odoo-scaler", selector(env, "odoo-scaler"), egress=[_api(options)])
        )
    return docs
