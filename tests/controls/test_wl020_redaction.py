"""WL020 must name a leaked credential without ever repeating it, in findings or in any format."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkhead.controls import by_id
from bulkhead.controls._support import redact
from bulkhead.formatters import FORMATS, render
from tests.helpers import scan_files

DB_PASSWORD = "Pg-s3cr3t-7f2a9c"
MASTER_PASSWORD = "Odoo-master-91b4e0"
URL_PASSWORD = "url-pw-5d3e8a"
DATABASE_URL = f"postgresql://odoo:{URL_PASSWORD}@acme-pg-rw:5432/acme"
SECRETS = (DB_PASSWORD, MASTER_PASSWORD, URL_PASSWORD)

MANIFEST = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  template:
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo:19.0
          env:
            - name: PGPASSWORD
              value: "{DB_PASSWORD}"
            - name: ODOO_ADMIN_PASSWD
              value: {MASTER_PASSWORD}
            - name: DATABASE_URL
              value: "{DATABASE_URL}"
"""


@pytest.fixture
def report_messages(tmp_path: Path) -> list[str]:
    report = scan_files(tmp_path, {"deploy.yaml": MANIFEST}, controls=["WL020"])
    return [f.message for f in report.findings]


def test_messages_carry_the_fingerprint_never_the_value(report_messages: list[str]) -> None:
    assert len(report_messages) == 3
    for message in report_messages:
        for secret in SECRETS:
            assert secret not in message
    joined = "\n".join(report_messages)
    assert redact(DB_PASSWORD) in joined
    assert redact(MASTER_PASSWORD) in joined
    assert redact(DATABASE_URL) in joined
    assert "'PGPASSWORD'" in joined and "'DATABASE_URL'" in joined


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_format_leaks_the_value(fmt: str, tmp_path: Path) -> None:
    report = scan_files(tmp_path, {"deploy.yaml": MANIFEST}, controls=["WL020"])
    text = render(report, fmt, by_id())
    for secret in SECRETS:
        assert secret not in text
