from __future__ import annotations

import os
from pathlib import Path

from bulkhead.sources import LoadOptions, load
from bulkhead.sources.files import InputKind, discover
from bulkhead.sources.render import RunResult

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"


def test_discovery_kinds_git_and_excludes(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.yaml").write_text(CM)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "a.yaml").write_text(CM)
    (tmp_path / "app" / "b.yml").write_text(CM)
    (tmp_path / "app" / "c.json").write_text("{}")
    (tmp_path / "app" / "notes.txt").write_text("x")
    (tmp_path / "app" / "Dockerfile").write_text("FROM x")
    (tmp_path / "app" / "web.Dockerfile").write_text("FROM x")
    (tmp_path / "app" / "Dockerfile.prod").write_text("FROM x")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "v.yaml").write_text(CM)
    (tmp_path / "chart").mkdir()
    (tmp_path / "chart" / "Chart.yaml").write_text("name: c")
    (tmp_path / "chart" / "templates").mkdir()
    (tmp_path / "chart" / "templates" / "t.yaml").write_text("{{ .Values.x }}")
    (tmp_path / "overlay").mkdir()
    (tmp_path / "overlay" / "kustomization.yaml").write_text("resources: []")
    candidates, problems = discover([str(tmp_path)], excludes=["vendor", "*.yml"])
    found = {(Path(c.display).relative_to(tmp_path).as_posix(), c.kind) for c in candidates}
    assert found == {
        ("app/a.yaml", InputKind.MANIFEST),
        ("app/c.json", InputKind.MANIFEST),
        ("app/Dockerfile", InputKind.DOCKERFILE),
        ("app/web.Dockerfile", InputKind.DOCKERFILE),
        ("app/Dockerfile.prod", InputKind.DOCKERFILE),
        ("chart", InputKind.HELM_CHART),
        ("overlay", InputKind.KUSTOMIZATION),
    }
    assert problems == []


def test_explicit_file_of_any_extension_is_read_as_manifest(tmp_path: Path) -> None:
    (tmp_path / "rendered.txt").write_text(CM)
    candidates, _ = discover([str(tmp_path / "rendered.txt")])
    assert [c.kind for c in candidates] == [InputKind.MANIFEST]


def test_symlinks_out_of_root_are_refused_and_loops_survived(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(CM)
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "ok.yaml").write_text(CM)
    os.symlink(outside / "secret.yaml", root / "escape.yaml")
    os.symlink(outside, root / "escape-dir")
    os.symlink(root, root / "sub" / "loop")
    os.symlink(root / "sub" / "ok.yaml", root / "inside-link.yaml")
    os.symlink(root / "missing.yaml", root / "broken.yaml")
    candidates, problems = discover([str(root)])
    # a file reached twice (through an in-root link and directly) is scanned once
    assert [Path(c.display).name for c in candidates] == ["inside-link.yaml"]
    assert [c.real for c in candidates] == [str(root / "sub" / "ok.yaml")]
    reasons = {Path(p.display).name: p.message for p in problems}
    assert reasons == {
        "escape.yaml": "symlink leaves the scanned root",
        "escape-dir": "symlink leaves the scanned root",
        "broken.yaml": "broken symlink",
    }
    loaded = load([str(root)])
    assert all("secret" not in r.location.file for r in loaded.resources)


def test_stdin(tmp_path: Path) -> None:
    loaded = load(["-"], stdin=CM.encode())
    assert [r.name for r in loaded.resources] == ["x"]
    assert loaded.resources[0].location.file == "<stdin>"


def test_list_kinds_expanded_with_item_lines(tmp_path: Path) -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n"
        "- apiVersion: v1\n  kind: PodList\n  items:\n"
        "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n"
        "---\napiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: custom}\nspec: {items: []}\n"
    )
    (tmp_path / "list.yaml").write_text(text)
    loaded = load([str(tmp_path)])
    assert [(r.kind, r.name, r.location.line) for r in loaded.resources] == [
        ("ConfigMap", "a", 4),
        ("Pod", "p", 10),
        ("AllowList", "custom", 14),
    ]


class FakeRunner:
    def __init__(self, result: RunResult) -> None:
        self.result = result
        self.calls: list[list[str]] = []

    def __call__(self, argv: object, cwd: str, timeout: float) -> RunResult:
        self.calls.append(list(argv))  # type: ignore[call-overload]
        return self.result


def _chart(tmp_path: Path) -> Path:
    chart = tmp_path / "odoo"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: odoo\nversion: 1.0.0\n")
    return chart


def test_helm_chart_rendered_and_sources_mapped(tmp_path: Path, monkeypatch: object) -> None:
    import shutil

    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    chart = _chart(tmp_path)
    rendered = (
        "---\n# Source: odoo/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"
        "---\n# Source: odoo/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\n"
    )
    runner = FakeRunner(RunResult(0, rendered, "WARNING: coalesce.go: a benign warning\n"))
    loaded = load([str(tmp_path)], LoadOptions(default_namespace="acme-prod"), runner=runner)
    assert runner.calls == [["/usr/bin/helm", "template", "odoo", ".", "--namespace", "acme-prod"]]
    assert [
        (r.name, r.namespace, Path(r.location.file).relative_to(tmp_path).as_posix())
        for r in loaded.resources
    ] == [
        ("cm", "acme-prod", "odoo/templates/cm.yaml"),
        ("svc", "acme-prod", "odoo/templates/svc.yaml"),
    ]
    assert [(i.path, i.status.value, i.objects) for i in loaded.inputs] == [
        (str(chart), "rendered", 2)
    ]


def test_render_failure_is_a_failed_input_never_silent(tmp_path: Path, monkeypatch: object) -> None:
    import shutil

    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    _chart(tmp_path)
    runner = FakeRunner(RunResult(1, "", "Error: template: odoo/templates/x.yaml:3: nil pointer\n"))
    loaded = load([str(tmp_path)], runner=runner)
    assert loaded.resources == []
    assert [(d.code, d.message) for d in loaded.diagnostics] == [
        (
            "render-failed",
            "helm failed (exit 1): Error: template: odoo/templates/x.yaml:3: nil pointer",
        )
    ]
    assert loaded.inputs[0].status.value == "failed"


def test_missing_tool_is_a_failed_input(tmp_path: Path, monkeypatch: object) -> None:
    import shutil

    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    _chart(tmp_path)
    loaded = load([str(tmp_path)])
    assert loaded.diagnostics[0].code == "render-failed"
    assert "helm is not on PATH" in loaded.diagnostics[0].message


def test_kustomize_prefers_kustomize_then_kubectl(tmp_path: Path, monkeypatch: object) -> None:
    import shutil

    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    (tmp_path / "kustomization.yaml").write_text("resources: []\n")
    monkeypatch.setattr(
        shutil, "which", lambda name: "/usr/bin/kubectl" if name == "kubectl" else None
    )
    runner = FakeRunner(RunResult(0, CM, ""))
    loaded = load([str(tmp_path)], runner=runner)
    assert runner.calls == [["/usr/bin/kubectl", "kustomize", "."]]
    assert [r.name for r in loaded.resources] == ["x"]
    assert loaded.inputs[0].status.value == "rendered"


def test_real_kustomize_render(tmp_path: Path) -> None:
    """With the real tool: kustomize output is scanned, objects keep the overlay's namespace."""
    import shutil

    import pytest

    if shutil.which("kustomize") is None and shutil.which("kubectl") is None:
        pytest.skip("neither kustomize nor kubectl on PATH (the fake-runner tests cover the logic)")
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "cm.yaml").write_text(CM)
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (tmp_path / "overlay").mkdir()
    (tmp_path / "overlay" / "kustomization.yaml").write_text(
        "namespace: acme-prod\nnamePrefix: acme-\nresources: [../base]\n"
    )
    loaded = load([str(tmp_path / "overlay")])
    assert [(r.kind, r.name, r.namespace) for r in loaded.resources] == [
        ("ConfigMap", "acme-x", "acme-prod")
    ]
    assert [(i.status.value, i.objects) for i in loaded.inputs] == [("rendered", 1)]


def test_subprocess_runner_bounds_time_and_output(tmp_path: Path, monkeypatch: object) -> None:
    import sys

    import pytest

    import bulkhead.sources.render as render_module
    from bulkhead.sources.render import RenderError, subprocess_runner

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    ok = subprocess_runner(
        [sys.executable, "-c", "import sys; print('out'); print('warn', file=sys.stderr)"],
        str(tmp_path),
        30,
    )
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "out\n", "warn\n")
    failed = subprocess_runner([sys.executable, "-c", "import sys; sys.exit(3)"], str(tmp_path), 30)
    assert failed.returncode == 3
    with pytest.raises(RenderError, match="timed out after 1 s"):
        subprocess_runner([sys.executable, "-c", "import time; time.sleep(30)"], str(tmp_path), 1)
    monkeypatch.setattr(render_module, "RENDER_MAX_BYTES", 1000)
    with pytest.raises(RenderError, match="rendered more than"):
        subprocess_runner([sys.executable, "-c", "print('x' * 100000)"], str(tmp_path), 30)
    with pytest.raises(RenderError, match="cannot run"):
        subprocess_runner([str(tmp_path / "missing-tool")], str(tmp_path), 30)
