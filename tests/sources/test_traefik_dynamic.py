"""File-provider dynamic configuration becomes CRD-shaped Resources with the file's lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulkhead.sources import load
from bulkhead.sources.traefik_dynamic import (
    is_dynamic_config,
    load_toml,
    resources_from_dynamic,
)
from bulkhead.sources.yamldoc import line_of, load_documents


def _document(text: str) -> Any:
    documents, diagnostics = load_documents(text, "dynamic.yml")
    assert not diagnostics
    return documents[0].data


DYNAMIC = """\
http:
  routers:
    odoo:
      rule: Host(`acme.example.com`)
      entryPoints: [websecure]
      middlewares: [hsts, auth@kubernetescrd]
      service: odoo
      priority: 10
      tls:
        options: modern
  middlewares:
    secure:
      chain:
        middlewares: [hsts, limit]
  services:
    odoo:
      loadBalancer:
        servers:
          - url: http://odoo.acme-prod.svc:8069
          - url: http://10.0.0.7:8069
tcp:
  routers:
    pg:
      rule: HostSNI(`*`)
      service: pg
  services:
    pg:
      loadBalancer:
        servers: [{address: "10.0.0.9:5432"}]
tls:
  options:
    modern: {minVersion: VersionTLS13, sniStrict: true}
"""


def test_objects_named_and_referenced_as_traefik_does() -> None:
    found = {(r.kind, r.name): r for r in resources_from_dynamic(_document(DYNAMIC), "d.yml")}
    assert set(found) == {
        ("IngressRoute", "odoo@file"),
        ("IngressRouteTCP", "pg@file"),
        ("Middleware", "secure@file"),
        ("TraefikService", "odoo@file"),
        ("TLSOption", "modern@file"),
    }
    route = found[("IngressRoute", "odoo@file")]
    assert route.namespace is None
    assert route.api_group == "traefik.io"
    spec = route.doc["spec"]
    assert spec["entryPoints"] == ["websecure"]
    assert spec["tls"] == {"options": {"name": "modern@file"}}
    (rule,) = spec["routes"]
    assert rule["match"] == "Host(`acme.example.com`)"
    assert rule["priority"] == 10
    assert rule["middlewares"] == [{"name": "hsts@file"}, {"name": "auth@kubernetescrd"}]
    assert rule["services"] == [{"name": "odoo@file", "kind": "TraefikService", "port": 8069}]
    chain = found[("Middleware", "secure@file")].doc["spec"]["chain"]["middlewares"]
    assert chain == [{"name": "hsts@file"}, {"name": "limit@file"}]
    tcp = found[("IngressRouteTCP", "pg@file")].doc["spec"]["routes"][0]
    assert tcp["services"] == [{"name": "pg@file", "port": 5432}]


def test_lines_point_into_the_file() -> None:
    found = {(r.kind, r.name): r for r in resources_from_dynamic(_document(DYNAMIC), "d.yml")}
    route = found[("IngressRoute", "odoo@file")]
    assert route.location.line == 3
    assert line_of(route.doc, ("spec", "routes", 0, "match")) == 4
    assert line_of(route.doc, ("spec", "entryPoints")) == 5
    assert line_of(route.doc, ("spec", "routes", 0, "middlewares", 1)) == 6
    assert line_of(route.doc, ("spec", "tls", "options")) == 10
    assert line_of(route.doc, ("spec", "tls", "missing")) == 9
    assert line_of(found[("TLSOption", "modern@file")].doc, ("spec", "sniStrict")) == 32


def test_mixed_server_ports_give_no_port() -> None:
    text = DYNAMIC.replace("http://10.0.0.7:8069", "http://10.0.0.7:8072")
    found = {(r.kind, r.name): r for r in resources_from_dynamic(_document(text), "d.yml")}
    service = found[("IngressRoute", "odoo@file")].doc["spec"]["routes"][0]["services"][0]
    assert "port" not in service


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"http": {"routers": {}}}, True),
        ({"tls": {"options": {}}}, True),
        ({"TCP": {"Routers": {}}}, True),
        ({"http": {"routers": {}}, "apiVersion": "v1", "kind": "ConfigMap"}, False),
        ({"http": {"port": 80}}, False),  # a Helm values file section
        ({"http": {"routers": {}}, "image": "x"}, False),
        ({"tls": True}, False),
        ({}, False),
        (["http"], False),
        ("http", False),
    ],
)
def test_recognition(data: Any, expected: bool) -> None:
    assert is_dynamic_config(data) is expected


@pytest.mark.parametrize(
    "text",
    [
        "http:\n  routers: [a, b]\n",
        "http:\n  routers:\n    x: [1, 2]\n",
        "http:\n  routers:\n    1: {rule: 1}\n",
        "http:\n  routers:\n    x: {middlewares: {a: b}, service: [1], tls: [x], rule: {}}\n",
        "http:\n  routers:\n    x: {service: s}\n  services:\n    s: {loadBalancer: {servers: "
        '[{url: "http://[::1"}, {url: 7}, 3]}}\n',
        "http:\n  middlewares:\n    m: {chain: {middlewares: 5}}\n    n: {chain: []}\n",
        "tls:\n  options:\n    o: 5\n",
    ],
)
def test_hostile_shapes_never_raise(text: str) -> None:
    for resource in resources_from_dynamic(_document(text), "d.yml"):
        assert resource.name.endswith("@file")


def test_toml_lines() -> None:
    data = load_toml(
        '# comment\n[http.routers."my-router"]\n  rule = "Host(`x`)"\n  service = "s"\n\n'
        '[[http.services.s.loadBalancer.servers]]\n  url = "http://a:8069"\n'
        '[[http.services.s.loadBalancer.servers]]\n  url = "http://b:8069"\n'
    )
    routers = data["http"]["routers"]
    assert line_of(data, ("http", "routers", "my-router")) == 2
    assert line_of(routers["my-router"], ("service",)) == 4
    servers = data["http"]["services"]["s"]["loadBalancer"]["servers"]
    assert line_of(servers, (1, "url")) == 9
    assert servers[1]["url"] == "http://b:8069"


def test_loader_reads_yaml_toml_and_configmap_entries(tmp_path: Path) -> None:
    (tmp_path / "dynamic.yml").write_text(DYNAMIC)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "dynamic.toml").write_text(
        '[tls.options.x]\nminVersion = "VersionTLS12"\n'
    )
    (tmp_path / "conf" / "other-dynamic.toml").write_text('[entryPoints.web]\naddress = ":80"\n')
    (tmp_path / "conf" / "nothing-dynamic.toml").write_text('title = "x"\n')
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t, namespace: traefik}\ndata:\n"
        '  routes.yaml: |\n    http:\n      routers:\n        r: {rule: "Host(`a`)"}\n'
        '  inline.yml: "tls: {options: {o: {sniStrict: true}}}"\n'
        "  traefik.yml: |\n    http:\n      routers:\n        static-file-is-not-dynamic: {}\n"
    )
    loaded = load([str(tmp_path)])
    names = {
        (r.location.file.removeprefix(str(tmp_path) + "/"), r.name, r.location.line)
        for r in loaded.resources
        if r.name.endswith("@file")
    }
    assert names == {
        ("dynamic.yml", "odoo@file", 3),
        ("dynamic.yml", "pg@file", 23),
        ("dynamic.yml", "secure@file", 12),
        ("dynamic.yml", "odoo@file", 16),
        ("dynamic.yml", "modern@file", 32),
        ("conf/dynamic.toml", "x@file", 1),
        ("cm.yaml", "r@file", 8),
        ("cm.yaml", "o@file", 9),
    }
    records = {r.path.removeprefix(str(tmp_path) + "/"): r for r in loaded.inputs}
    assert records["conf/dynamic.toml"].objects == 1
    assert records["conf/other-dynamic.toml"].kind == "traefik-static"
    assert records["conf/nothing-dynamic.toml"].status == "skipped"
    assert "pyproject.toml" not in records
    assert [c.kind for c in loaded.configs] == ["traefik-static"]


HOSTILE_ROUTERS = """\
http:
  routers:
    a: {rule: 7, entryPoints: {web: 1}, middlewares: [[x]], service: {name: s}, tls: {options: [1]}}
    b: {rule: "Host(`b`) && PathPrefix(`/web/database`", priority: "high", tls: true}
    c: {rule: "Host(`c`)", service: s, middlewares: [chain-loop]}
  middlewares:
    chain-loop: {chain: {middlewares: [chain-loop, 5, {a: b}]}}
    headers-odd: {headers: {stsSeconds: "lots"}, rateLimit: [1]}
  services:
    s: {loadBalancer: {servers: {url: "http://x:8069"}}}
tcp:
  routers:
    t: {rule: [], tls: {passthrough: "yes"}}
tls:
  options:
    o: {minVersion: 12, sniStrict: "true", cipherSuites: {a: 1}}
"""


def test_every_control_survives_odd_file_provider_shapes(tmp_path: Path) -> None:
    from tests.helpers import scan_files

    report = scan_files(tmp_path, {"dynamic.yml": HOSTILE_ROUTERS})  # EngineError on a crash
    assert {f.control for f in report.findings} >= {"TR001", "TR002"}
