"""Measure `render(platform)` for a platform of N tenants x 3 environments.

    .venv/bin/python benchmarks/render.py [--tenants 1000] [--runs 5] [--write]

The platform is examples/platform/bulkhead.yaml with its tenants replaced by N generated ones,
all with dev, staging and prod: tenants alternate between the two shared tiers, and every 25th
is a dedicated tenant with its own node pools in both clusters, release and change windows.
Half of them have an egress allowlist; the shared-standard tier scales dev and staging down off
hours, as in the example. Validation (pydantic and the cross-field rules) is measured apart,
once: the target is about rendering.

Each run renders the whole platform in this process (`render(platform)`: effective settings,
every object, YAML text); nothing is written to disk (the CLI's writing is I/O, not rendering).
Times are the median of --runs after one warm-up run. The target of issue 4 is 1,000 tenants x
3 environments under 10 s on a 2-core machine; --write appends a dated section with the
machine's description (benchmarks/run.py's helpers) to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from benchmarks.run import _bulkhead_version, _cpu_model, _git_commit, write_results  # noqa: E402
from bulkhead.platform.model import Platform  # noqa: E402
from bulkhead.render import render  # noqa: E402

EXAMPLE = ROOT / "examples" / "platform" / "bulkhead.yaml"
TARGET_SECONDS = 10.0
TIERS = ("shared-standard", "shared-plus")
"""The shared tiers generated tenants alternate between."""
DEDICATED_EVERY = 25


def _digest(index: int) -> str:
    return f"{index:064x}"


def platform_data(tenants: int) -> dict[str, Any]:
    """The example platform with `tenants` generated tenants (dev, staging and prod each)."""
    with EXAMPLE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    clusters = data["platform"]["clusters"]
    for cluster in clusters:
        cluster["node_pools"] = [p for p in cluster["node_pools"] if "dedicated_to" not in p]
    generated: list[dict[str, Any]] = []
    for index in range(tenants):
        name = f"t{index:05d}"
        dedicated = index % DEDICATED_EVERY == DEDICATED_EVERY - 1
        tenant: dict[str, Any] = {
            "name": name,
            "tier": "dedicated-enterprise" if dedicated else TIERS[index % len(TIERS)],
            "tenancy": "dedicated" if dedicated else "shared",
            "odoo_version": "18.0",
            "image": f"registry.example.com/odoo/{name}@sha256:{_digest(index)}",
            "addons": ["stock", "delivery", "account"],
            "environments": {"dev": {}, "staging": {}, "prod": {}},
            "processes": [{"name": "warehouse", "priority": "critical", "rto": "4h", "rpo": "1d"}],
        }
        if dedicated:
            tenant["environments"]["dev"] = {
                "replicas": 1,
                "postgres": {"instances": 1},
                "backup": {"wal_archiving": False},
                "change_windows": [],
                "maintenance_windows": [],
            }
            tenant["environments"]["staging"] = {"replicas": 2, "change_windows": []}
            tenant["release"] = "v2025.8.4"
            tenant["change_windows"] = [
                {"kind": "allow", "schedule": "0 21 * * 2,4", "duration": "3h"},
                {"kind": "deny", "schedule": "0 5 * * 1-6", "duration": "16h", "manual_sync": True},
            ]
            for cluster in clusters:
                cluster["node_pools"].append(
                    {
                        "name": f"{name}-pool",
                        "node_size": {"cpu": "16", "memory": "64Gi"},
                        "dedicated_to": name,
                    }
                )
        if index % 2 == 0:
            tenant["egress"] = [
                {"name": "carrier", "kind": "carrier-api", "host": "api.carrier.example"},
                {"name": "edi", "kind": "edi", "cidr": "203.0.113.0/28", "ports": [22]},
            ]
        generated.append(tenant)
    data["tenants"] = generated
    return data


def build(tenants: int) -> tuple[Platform, float]:
    data = platform_data(tenants)
    start = time.perf_counter()
    model = Platform.model_validate(data)
    return model, time.perf_counter() - start


def measure(model: Platform, runs: int) -> tuple[list[float], int, int]:
    render(model)  # warm-up: imports, caches
    times: list[float] = []
    files = size = 0
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        output = render(model)
        times.append(time.perf_counter() - start)
        files, size = len(output), sum(len(text) for text in output.values())
        del output
    return times, files, size


def _load() -> str:
    try:
        return ", ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def section(
    tenants: int,
    environments: int,
    validate: float,
    times: list[float],
    files: int,
    size: int,
    load: tuple[str, str] = ("unknown", "unknown"),
) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    median = statistics.median(times)
    ok = median < TARGET_SECONDS
    return (
        f"## Render, {now}\n\n"
        f"- machine: `{platform.machine()}`, {os.cpu_count()} CPUs, {_cpu_model()}\n"
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{_bulkhead_version()}, commit {_git_commit()}\n\n"
        "| tenants | environments | files | MB | validate s | render s (median) | "
        "min s | max s | ms per environment |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {tenants} | {environments} | {files} | {size / 1e6:.1f} | {validate:.2f} | "
        f"{median:.2f} | {min(times):.2f} | {max(times):.2f} | "
        f"{median * 1000 / environments:.2f} |\n\n"
        f"Median of {len(times)} runs after one warm-up, in one process; validation measured "
        f"once. Load average before: {load[0]}; after: {load[1]} (on {os.cpu_count()} CPUs). "
        "Target:\n\n"
        f"- [{'x' if ok else ' '}] render {tenants} tenants x 3 environments < "
        f"{TARGET_SECONDS:g} s ({median:.2f} s)\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="measured runs (median)")
    parser.add_argument("--write", action="store_true", help="append to benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.tenants < 1:
        parser.error("--runs and --tenants must be positive")
    before = _load()
    print(f"validating {args.tenants} tenants...", file=sys.stderr, flush=True)
    model, validate = build(args.tenants)
    environments = sum(len(t.environments) for t in model.tenants)
    print(f"rendering {environments} environments x {args.runs}...", file=sys.stderr, flush=True)
    times, files, size = measure(model, args.runs)
    text = section(args.tenants, environments, validate, times, files, size, (before, _load()))
    print(text)
    if args.write:
        write_results(text)
    return 0 if statistics.median(times) < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
