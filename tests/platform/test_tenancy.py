"""The tenancy advisor: scoring rules, contradictions, cost estimate, and its documentation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from bulkhead.platform import Platform, Tenancy, TenancyChoice, load_platform
from bulkhead.platform.load import validate_platform
from bulkhead.platform.model import ComplianceRegime, Sensitivity, Tenant
from bulkhead.platform.tenancy import (
    COMPLIANCE_POINTS,
    CUSTOM_MODULE_STEPS,
    INTEGRATION_STEPS,
    RPO_STEPS,
    RTO_STEPS,
    SENSITIVITY_POINTS,
    THRESHOLD,
    VOLUME_STEPS,
    advise,
    advise_tenant,
    estimate_cost,
    recommend_tenancy,
    score_tenant,
)
from tests.platform.strategies import minimal_platform_data, platforms

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "platform" / "bulkhead.yaml"
DOCS = ROOT / "docs" / "platform.md"


def _tenant(
    risk: dict[str, Any] | None = None,
    processes: list[dict[str, Any]] | None = None,
    tenancy: str = "auto",
) -> Tenant:
    return Tenant.model_validate(
        {
            "name": "probe",
            "tier": "shared-standard",
            "tenancy": tenancy,
            "risk": {"data_sensitivity": "low", **(risk or {})},
            "odoo_version": "18.0",
            "image": "registry.example.com/odoo/probe@sha256:" + "0" * 64,
            "environments": {"prod": {}},
            "processes": processes or [],
        }
    )


def _process(rto: str = "1d", rpo: str = "1d", name: str = "billing") -> dict[str, Any]:
    return {"name": name, "priority": "high", "rto": rto, "rpo": rpo}


def test_a_quiet_tenant_scores_zero() -> None:
    scored = score_tenant(_tenant())
    assert (scored.score, scored.reasons, scored.recommendation) == (0, (), Tenancy.SHARED)


@pytest.mark.parametrize(
    ("risk", "processes", "factor", "points"),
    [
        ({"compliance": ["pci-dss"]}, [], "compliance", 40),
        ({"compliance": ["hipaa"]}, [], "compliance", 40),
        ({"compliance": ["gdpr-special-category"]}, [], "compliance", 30),
        ({"compliance": ["tisax"]}, [], "compliance", 20),
        ({"compliance": ["nis2"]}, [], "compliance", 15),
        ({"compliance": ["soc2"]}, [], "compliance", 15),
        ({"compliance": ["sox"]}, [], "compliance", 10),
        ({"compliance": ["iso27001"]}, [], "compliance", 10),
        ({"customization": {"custom_modules": 9}}, [], None, 0),
        ({"customization": {"custom_modules": 10}}, [], "customization", 10),
        ({"customization": {"custom_modules": 30}}, [], "customization", 20),
        ({"customization": {"custom_modules": 80}}, [], "customization", 30),
        ({"customization": {"integrations": 4}}, [], None, 0),
        ({"customization": {"integrations": 5}}, [], "integrations", 10),
        ({"customization": {"integrations": 15}}, [], "integrations", 20),
        ({"data_sensitivity": "medium"}, [], "sensitivity", 5),
        ({"data_sensitivity": "high"}, [], "sensitivity", 15),
        ({"data_sensitivity": "restricted"}, [], "sensitivity", 30),
        ({"peak_orders_per_hour": 499}, [], None, 0),
        ({"peak_orders_per_hour": 500}, [], "volume", 10),
        ({"peak_orders_per_hour": 2000}, [], "volume", 20),
        ({"peak_orders_per_hour": 10000}, [], "volume", 35),
        ({}, [_process(rto="61m")], None, 0),
        ({}, [_process(rto="1h")], "rto", 10),
        ({}, [_process(rto="15m")], "rto", 20),
        ({}, [_process(rpo="61m")], None, 0),
        ({}, [_process(rpo="1h")], "rpo", 5),
        ({}, [_process(rpo="5m")], "rpo", 15),
    ],
)
def test_each_factor(
    risk: dict[str, Any], processes: list[dict[str, Any]], factor: str | None, points: int
) -> None:
    scored = score_tenant(_tenant(risk, processes))
    assert scored.score == points
    assert [(r.factor, r.points) for r in scored.reasons] == ([(factor, points)] if factor else [])


def test_gdpr_alone_adds_nothing() -> None:
    assert score_tenant(_tenant({"compliance": ["gdpr"]})).score == 0


def test_threshold_boundary() -> None:
    # 40 (pci-dss) + 5 (medium) = 45; + 5 (RPO 1h) = 50.
    below = _tenant({"compliance": ["pci-dss"], "data_sensitivity": "medium"})
    at = _tenant({"compliance": ["pci-dss"], "data_sensitivity": "medium"}, [_process(rpo="1h")])
    assert (score_tenant(below).score, recommend_tenancy(below)) == (45, Tenancy.SHARED)
    assert (score_tenant(at).score, recommend_tenancy(at)) == (THRESHOLD, Tenancy.DEDICATED)


def test_strictest_process_counts_and_reasons_name_it() -> None:
    scored = score_tenant(
        _tenant(
            processes=[
                _process(rto="4h", rpo="4h", name="billing"),
                _process(rto="10m", rpo="2h", name="warehouse"),
                _process(rto="8h", rpo="3m", name="edi"),
            ]
        )
    )
    assert [(r.factor, r.points) for r in scored.reasons] == [("rto", 20), ("rpo", 15)]
    assert "process warehouse must recover within 10m" in scored.reasons[0].message
    assert "process edi may lose at most 3m of data" in scored.reasons[1].message


def test_reasons_follow_the_documented_order() -> None:
    scored = score_tenant(
        _tenant(
            {
                "compliance": ["iso27001", "pci-dss"],
                "customization": {"custom_modules": 40, "integrations": 20},
                "data_sensitivity": "restricted",
                "peak_orders_per_hour": 3000,
            },
            [_process(rto="10m", rpo="1m")],
        )
    )
    assert [r.factor for r in scored.reasons] == [
        "compliance",
        "compliance",
        "customization",
        "integrations",
        "sensitivity",
        "volume",
        "rto",
        "rpo",
    ]
    assert scored.reasons[0].message.startswith("pci-dss: ")  # table order, not input order
    assert scored.score == 40 + 10 + 20 + 20 + 30 + 20 + 20 + 15


def test_declared_tenancy_contradictions() -> None:
    platform = validate_platform(minimal_platform_data())
    nordfreight, baltic, acme = (advise_tenant(platform, t) for t in platform.tenants)
    assert (nordfreight.declared, nordfreight.recommendation) == (
        TenancyChoice.SHARED,
        Tenancy.SHARED,
    )
    assert not nordfreight.contradicts
    assert baltic.declared is TenancyChoice.AUTO
    assert (baltic.resolved, baltic.contradicts) == (Tenancy.SHARED, False)
    assert acme.recommendation is Tenancy.DEDICATED  # pci-dss 40 + soc2 15 + high 15 + rto + rpo
    assert not acme.contradicts
    data = minimal_platform_data()
    data["tenants"][0]["risk"] = {"compliance": ["pci-dss", "hipaa"]}
    data["tenants"][2]["risk"] = {"data_sensitivity": "low"}
    data["tenants"][2]["processes"][0]["rto"] = "4h"
    data["tenants"][2]["processes"][0]["rpo"] = "4h"
    flipped = advise(validate_platform(data))
    assert (flipped[0].recommendation, flipped[0].contradicts) == (Tenancy.DEDICATED, True)
    assert (flipped[2].recommendation, flipped[2].contradicts) == (Tenancy.SHARED, True)
    assert "contradicts" in flipped[0].summary


def test_example_advice() -> None:
    advice = {a.tenant: a for a in advise(load_platform(EXAMPLE))}
    hansa = advice["hansa-wholesale"]
    assert (hansa.recommendation, hansa.contradicts) == (Tenancy.DEDICATED, False)
    assert hansa.score >= 100
    polar = advice["polar-pharma"]
    assert (polar.declared, polar.recommendation, polar.contradicts) == (
        TenancyChoice.SHARED,
        Tenancy.DEDICATED,
        True,
    )
    assert (advice["aland-couriers"].resolved, advice["aland-couriers"].contradicts) == (
        Tenancy.SHARED,
        False,
    )
    logistics = [a for name, a in advice.items() if name not in ("hansa-wholesale", "polar-pharma")]
    assert len(logistics) == 12
    assert all(a.recommendation is Tenancy.SHARED and not a.contradicts for a in logistics)
    assert [name for name, a in advice.items() if a.contradicts] == ["polar-pharma"]
    # Dedicated costs a small tenant far more than its share; the big one much less so.
    assert all(a.cost.dedicated > 5 for a in logistics)
    assert 1 < hansa.cost.dedicated < 5


def test_cost_formula_by_hand() -> None:
    """The worked example of docs/platform.md ("Relative cost")."""
    platform = validate_platform(minimal_platform_data())
    # nordfreight, shared-standard: Odoo pods 250m/1Gi, PostgreSQL pods 250m/1Gi.
    # prod: 2 replicas + 2 instances = 1000m, 4Gi -> 1/8 of an 8-CPU/32Gi node.
    # dev: 1 replica + 1 instance = 500m, 2Gi -> 1/16 of a node.
    nordfreight = estimate_cost(platform, platform.tenant("nordfreight"))
    shared_units = (1 / 8 + 1 / 16) / 0.7
    assert nordfreight.shared == 1.0
    assert nordfreight.shared_units == pytest.approx(shared_units)
    assert nordfreight.cpu_millicores == 1500
    assert nordfreight.memory_bytes == 6 * 2**30
    # Dedicated: ceil(0.1875 / 0.85) = 1 node, but at least 2 (dedicated_min_nodes, and the
    # 2 PostgreSQL instances of prod need two nodes), of the shared pool's size (price 1).
    assert nordfreight.dedicated_nodes == 2
    assert nordfreight.dedicated == pytest.approx(2 / shared_units)
    # acme: own pool of 16 CPU/64Gi nodes, priced (16/8 + 64/32) / 2 = 2 reference nodes.
    # staging 1 replica (1 CPU/2Gi) + 3 instances (1 CPU/4Gi): 4000m, 14Gi -> 0.5 of 8/32;
    # prod 3 replicas + 3 instances: 6000m, 18Gi -> 0.75.
    acme = estimate_cost(platform, platform.tenant("acme"))
    shared_units = (0.5 + 0.75) / 0.7
    assert acme.shared_units == pytest.approx(shared_units)
    # 10 CPU, 32Gi on 16/64 nodes: 0.625 / 0.85 -> 1 node; at least 3 (3 PostgreSQL instances).
    assert acme.dedicated_nodes == 3
    assert acme.dedicated == pytest.approx(3 * 2 / shared_units)


def test_cost_parameters_are_read_from_the_definition() -> None:
    data = minimal_platform_data()
    data["platform"]["cost"] = {"shared_utilization": 1.0, "dedicated_min_nodes": 1}
    platform = validate_platform(data)
    cost = estimate_cost(platform, platform.tenant("baltic-parcel"))
    assert cost.shared_units == pytest.approx(1 / 8)
    assert cost.dedicated_nodes == 2  # its 2 PostgreSQL instances still need two nodes
    assert cost.dedicated == pytest.approx(16)


def test_advice_is_deterministic() -> None:
    platform = load_platform(EXAMPLE)
    assert advise(platform) == advise(load_platform(EXAMPLE))


@settings(max_examples=30, deadline=None)
@given(platforms())
def test_advice_invariants(platform: Platform) -> None:
    for advice in advise(platform):
        tenant = platform.tenant(advice.tenant)
        assert advice.score == sum(r.points for r in advice.reasons)
        assert all(r.points > 0 for r in advice.reasons)
        assert advice.recommendation is (
            Tenancy.DEDICATED if advice.score >= THRESHOLD else Tenancy.SHARED
        )
        if tenant.tenancy is TenancyChoice.AUTO:
            assert not advice.contradicts
            assert advice.resolved is advice.recommendation
        else:
            assert advice.resolved.value == tenant.tenancy.value
            assert advice.contradicts == (advice.resolved is not advice.recommendation)
        assert advice.cost.shared == 1.0
        assert advice.cost.dedicated > 0
        assert advice.cost.dedicated_nodes >= platform.platform.cost.dedicated_min_nodes


# ---- the documentation states the same rules ----------------------------------------------------


def _docs() -> str:
    return DOCS.read_text(encoding="utf-8")


def test_docs_list_every_compliance_regime_with_its_points() -> None:
    docs = _docs()
    for regime in ComplianceRegime:
        assert f"| `{regime.value}` | {COMPLIANCE_POINTS[regime]} |" in docs, regime


def test_docs_list_the_thresholds() -> None:
    docs = _docs()
    assert f"**{THRESHOLD}**" in docs
    for sensitivity in Sensitivity:
        assert f"`{sensitivity.value}` {SENSITIVITY_POINTS[sensitivity]}" in docs
    steps = {
        "custom modules": CUSTOM_MODULE_STEPS,
        "integrations": INTEGRATION_STEPS,
        "peak orders per hour": VOLUME_STEPS,
    }
    for label, table in steps.items():
        for limit, points in table:
            assert f">= {limit}: {points}" in docs, (label, limit)
    for label, table in {"RTO": RTO_STEPS, "RPO": RPO_STEPS}.items():
        for limit, points in table:
            spelled = f"{limit // 3600}h" if limit % 3600 == 0 else f"{limit // 60}m"
            assert f"<= {spelled}: {points}" in docs, (label, limit)
