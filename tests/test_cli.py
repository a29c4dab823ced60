from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bulkhead.cli import main

ROOT = Path(__file__).resolve().parent.parent
CLEAN = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: odoo-config, namespace: acme-prod}\n"
PRIVILEGED = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: odoo, namespace: acme-prod}\n"
    "spec:\n  containers:\n    - name: odoo\n      image: registry.example.com/odoo:19.0\n"
    "      securityContext: {privileged: true}\n"
)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--version"], capsys)
    assert (code, out.strip()) == (0, "bulkhead 0.1.0")


def test_python_dash_m_and_console_script_agree() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "bulkhead", "--version"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "bulkhead 0.1.0")


def test_clean_scan_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cm.yaml").write_text(CLEAN)
    code, out, err = _run(["scan", str(tmp_path), "--select", "WL001"], capsys)
    assert code == 0, err
    assert "No findings" in out


def test_findings_at_or_above_fail_on_exit_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pod.yaml").write_text(PRIVILEGED)
    assert _run(["scan", str(tmp_path), "--select", "WL001"], capsys)[0] == 1
    assert (
        _run(["scan", str(tmp_path), "--select", "WL001", "--fail-on", "critical"], capsys)[0] == 1
    )
    config = tmp_path / "bulkhead.toml"
    config.write_text('[severity]\nWL001 = "medium"\n')
    assert (
        _run(["scan", str(tmp_path / "pod.yaml"), "--select", "WL001", "-c", str(config)], capsys)[
            0
        ]
        == 0
    )
    assert (
        _run(
            [
                "scan",
                str(tmp_path / "pod.yaml"),
                "--select",
                "WL001",
                "-c",
                str(config),
                "--fail-on",
                "medium",
            ],
            capsys,
        )[0]
        == 1
    )


def test_json_to_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pod.yaml").write_text(PRIVILEGED)
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    code, out, _ = _run(
        ["scan", str(tmp_path / "pod.yaml"), "--select", "WL001", "-f", "json", "-o", str(target)],
        capsys,
    )
    assert code == 1
    assert out == ""
    document = json.loads(target.read_text())
    assert document["schema_version"] == "1.0"
    assert [f["control"] for f in document["findings"]] == ["WL001"]
    assert document["inputs"] == [
        {
            "path": str(tmp_path / "pod.yaml"),
            "kind": "manifest",
            "status": "scanned",
            "objects": 1,
            "detail": "",
        }
    ]


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PRIVILEGED.encode())))
    code, out, _ = _run(["scan", "-", "--select", "WL001", "-f", "json"], capsys)
    assert code == 1
    assert json.loads(out)["findings"][0]["location"] == {"file": "<stdin>", "line": 8}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan"], "give at least one path"),
        (["scan", ".", "--select", "NOPE1"], "no control matches 'NOPE1'"),
        (["scan", ".", "-c", "missing.toml"], "config file missing.toml not found"),
        (["scan", ".", "--baseline", "missing.json"], "cannot read baseline"),
        (["controls", "show", "XX999"], "no control 'XX999'"),
        (["baseline", "create", "."], "--reason is required"),
    ],
)
def test_usage_errors_exit_two_with_one_line(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(args, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_invalid_config_is_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bulkhead.toml").write_text("fail-on = 'severe'\n")
    (tmp_path / "cm.yaml").write_text(CLEAN)
    code, _, err = _run(["scan", str(tmp_path), "-c", str(tmp_path / "bulkhead.toml")], capsys)
    assert code == 2
    assert "fail-on: unknown severity 'severe'" in err
    (tmp_path / "bulkhead.toml").write_text("[[exceptions]]\ncontrol = 'WL001'\n")
    code, _, err = _run(["scan", str(tmp_path), "-c", str(tmp_path / "bulkhead.toml")], capsys)
    assert code == 2
    assert "reason is required" in err


def test_config_found_in_current_directory_and_flags_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pod.yaml").write_text(PRIVILEGED)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.bulkhead]\nfail-on = "low"\nselect = ["WL001"]\n[tool.bulkhead.severity]\nWL001 = "low"\n'
    )
    monkeypatch.chdir(tmp_path)
    assert _run(["scan", "pod.yaml"], capsys)[0] == 1
    assert _run(["scan", "pod.yaml", "--fail-on", "medium"], capsys)[0] == 0


def test_baseline_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pod.yaml").write_text(PRIVILEGED)
    baseline = tmp_path / "baseline.json"
    code, _, err = _run(
        ["baseline", "create", str(tmp_path / "pod.yaml"), "-o", str(baseline), "-r", "legacy"],
        capsys,
    )
    assert code == 0, err
    assert json.loads(baseline.read_text())["reason"] == "legacy"
    code, out, _ = _run(
        [
            "scan",
            str(tmp_path / "pod.yaml"),
            "--select",
            "WL001",
            "-b",
            str(baseline),
            "-f",
            "json",
        ],
        capsys,
    )
    assert code == 0
    [finding] = json.loads(out)["findings"]
    assert finding["suppressed"] is True
    assert finding["suppression"]["source"] == "baseline"


def test_hostile_input_never_prints_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_bytes(b"\xff\xfe\x00garbage: [")
    (tmp_path / "tag.yaml").write_text("a: !!python/object/apply:os.system ['touch pwned']\n")
    code, out, err = _run(["scan", str(tmp_path), "-f", "json"], capsys)
    assert code == 1
    assert "Traceback" not in err
    assert not (tmp_path / "pwned").exists()
    controls = sorted(f["control"] for f in json.loads(out)["findings"])
    assert controls == ["IN001", "IN001", "IN005"]


def test_controls_listing_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["controls", "--format", "json"], capsys)
    assert code == 0
    records = json.loads(out)
    wl001 = next(r for r in records if r["id"] == "WL001")
    assert {"id", "slug", "title", "domain", "severity", "references"} <= set(wl001)
    assert wl001["references"]["checkov"] == ["CKV_K8S_16"]
    code, out, _ = _run(["controls", "show", "wl001"], capsys)
    assert code == 0
    assert "## Why is this bad" in out


def test_no_color_when_not_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pod.yaml").write_text(PRIVILEGED)
    _, out, _ = _run(["scan", str(tmp_path), "--select", "WL001"], capsys)
    assert "\x1b[" not in out
    assert "WL001" in out


def test_registry_control_off_is_said_not_silent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pod.yaml").write_text(
        PRIVILEGED.replace("registry.example.com", "docker.io/someone")
    )
    _, out, _ = _run(["scan", str(tmp_path), "--select", "IM003", "-f", "json"], capsys)
    document = json.loads(out)
    assert document["findings"] == []
    assert [n["message"].split(":")[0] for n in document["notices"]] == [
        "IM003 (approved registries) is off"
    ]
    _, out, _ = _run(
        [
            "scan",
            str(tmp_path),
            "--select",
            "IM003",
            "-f",
            "json",
            "--approved-registry",
            "registry.example.com",
        ],
        capsys,
    )
    document = json.loads(out)
    assert [f["control"] for f in document["findings"]] == ["IM003"]
    assert document["notices"] == []


def test_closed_stdout_is_not_an_error_message(tmp_path: Path) -> None:
    """`bulkhead scan ... | head -1` must not end with a traceback or a scary error."""
    pods = "---\n".join(PRIVILEGED.replace("name: odoo,", f"name: odoo{i},") for i in range(300))
    (tmp_path / "pods.yaml").write_text(pods)  # about 3 MB of JSON: far more than a pipe holds
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    script = f"{sys.executable} -m bulkhead scan {tmp_path} --format json | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}"
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert "Traceback" not in result.stderr
    assert "error" not in result.stderr
    assert result.stdout.strip() in {"0", "1"}
