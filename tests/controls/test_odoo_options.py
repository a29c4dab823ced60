"""Odoo options gathered from odoo.conf files, ConfigMaps, container arguments and ODOO_* env."""

from __future__ import annotations

from pathlib import Path

from bulkhead.config import Config
from bulkhead.controls.odoo._odoo import odoo_configs
from bulkhead.scan import build_inventory
from tests.helpers import write_tree

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    list_db = False
    workers = 4
  other.txt: "[options] is mentioned but this is one line"
"""
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  template:
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo:19.0
          args: ["--workers=0", "--db-filter", "^acme$", "--no-database-list", "--dev=all", "-c", "/etc/odoo/odoo.conf", "--proxy-mode=False"]
          env:
            - {name: ODOO_LOG_LEVEL, value: debug}
            - {name: ODOO_DB_HOST, value: ignored-by-odoo}
            - {name: PGPASSWORD, value: x}
        - name: redis
          image: registry.example.com/redis:7
          args: ["--workers=9"]
"""


def test_options_from_every_source_with_lines(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "cm.yaml": CONFIGMAP,
            "web.yaml": DEPLOYMENT,
            "odoo.conf": "[options]\nproxy_mode = True\n[queue_job]\nx = 1\n",
        },
    )
    configs = {c.origin: c for c in odoo_configs(build_inventory([str(tmp_path)], Config()))}
    assert sorted(configs) == [
        "ConfigMap acme-prod/odoo-config (odoo.conf)",
        "container 'odoo' of Deployment acme-prod/odoo-web",
        "odoo.conf",
    ]
    embedded = configs["ConfigMap acme-prod/odoo-config (odoo.conf)"]
    assert embedded.complete
    assert {k: (o.value, o.line) for k, o in embedded.options.items()} == {
        "list_db": ("False", 7),
        "workers": ("4", 8),
    }
    assert embedded.is_false("list_db") is True
    assert embedded.is_false("proxy_mode") is None
    container = configs["container 'odoo' of Deployment acme-prod/odoo-web"]
    assert not container.complete
    assert {k: o.value for k, o in container.options.items()} == {
        "workers": "0",
        "dbfilter": "^acme$",
        "list_db": "False",
        "dev_mode": "all",
        "c": "/etc/odoo/odoo.conf",
        "log_level": "debug",
        "db_password": "x",
    }
    assert {o.line for o in container.options.values()} == {10, 12, 14}
    assert configs["odoo.conf"].options["proxy_mode"].line == 2
    assert "x" not in configs["odoo.conf"].options
