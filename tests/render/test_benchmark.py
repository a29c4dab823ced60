"""The render benchmark's generated platform is valid and renders what it claims."""

from __future__ import annotations

from benchmarks.render import DEDICATED_EVERY, build, measure


def test_generated_platform_renders() -> None:
    model, seconds = build(DEDICATED_EVERY)
    assert seconds >= 0
    assert len(model.tenants) == DEDICATED_EVERY
    assert all(len(t.environments) == 3 for t in model.tenants)
    assert [t.tenancy.value for t in model.tenants].count("dedicated") == 1
    times, files, size = measure(model, runs=1)
    assert len(times) == 1 and size > 0
    # 8 files per environment, an Application per environment, a project per tenant, and
    # scheduling.yaml where the tier scales down off hours (shared-standard: dev and staging).
    standard = sum(1 for t in model.tenants if t.tier == "shared-standard")
    assert files == DEDICATED_EVERY * (3 * 8 + 3 + 1) + 2 * standard
