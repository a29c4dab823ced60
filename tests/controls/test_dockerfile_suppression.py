"""`# bulkhead:ignore` and `# bulkhead:ignore-file` comments suppress Dockerfile findings."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import scan_files

BASE = (
    "FROM registry.example.com/odoo@sha256:"
    "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945\n"
)


def test_ignore_comment_with_reason_suppresses_the_next_instruction(tmp_path: Path) -> None:
    dockerfile = (
        BASE
        + "USER root\n"
        + "# bulkhead:ignore DF004 vendor installer verified by checksum\n"
        + "RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \\\n"
        + "    && apt-get install -y nodejs\n"
        + "RUN curl -fsSL https://example.com/other.sh | sh\n"
        + "USER 101:101\n"
    )
    report = scan_files(tmp_path, {"Dockerfile": dockerfile}, ["DF004"])
    by_line = {f.location.line: f for f in report.findings}
    assert set(by_line) == {4, 6}
    suppressed = by_line[4]
    assert suppressed.suppressed is True
    assert suppressed.suppression is not None
    assert suppressed.suppression.source == "comment"
    assert suppressed.suppression.reason == "vendor installer verified by checksum"
    # The comment covers only the instruction right after it.
    assert by_line[6].suppressed is False
    assert [f.location.line for f in report.active] == [6]
    assert report.notices == ()


def test_ignore_comment_without_reason_is_not_applied(tmp_path: Path) -> None:
    dockerfile = (
        BASE
        + "# bulkhead:ignore DF004\n"
        + "RUN curl -fsSL https://example.com/install.sh | sh\n"
        + "USER 101:101\n"
    )
    report = scan_files(tmp_path, {"Dockerfile": dockerfile}, ["DF004"])
    assert [(f.control, f.location.line, f.suppressed) for f in report.findings] == [
        ("DF004", 3, False)
    ]
    assert len(report.notices) == 1
    notice = report.notices[0]
    assert "no reason" in notice.message
    assert notice.location is not None
    assert notice.location.line == 2
    assert Path(notice.location.file).name == "Dockerfile"


def test_ignore_file_comment_suppresses_df006_only(tmp_path: Path) -> None:
    dockerfile = (
        "# bulkhead:ignore-file DF006 Kubernetes-only image, probes defined in the Helm chart\n"
        + BASE
        + "COPY ./addons /mnt/extra-addons\n"
    )
    report = scan_files(tmp_path, {"Dockerfile": dockerfile}, ["DF001", "DF006"])
    by_control = {f.control: f for f in report.findings}
    assert set(by_control) == {"DF001", "DF006"}
    healthcheck = by_control["DF006"]
    assert healthcheck.location.line == 2
    assert healthcheck.suppressed is True
    assert healthcheck.suppression is not None
    assert healthcheck.suppression.source == "comment"
    assert healthcheck.suppression.reason.startswith("Kubernetes-only image")
    # A file-wide ignore names its controls: DF001 on the same line stays active.
    assert by_control["DF001"].suppressed is False
    assert report.notices == ()
