"""The tenancy advisor: shared or dedicated, from a tenant's risk profile, with reasons and cost.

A deterministic points model (documented in docs/platform.md, section "Tenancy advisor"):
each factor adds points, and a score at or above `THRESHOLD` recommends `dedicated`.

| factor         | rule                                                                  |
|----------------|-----------------------------------------------------------------------|
| compliance     | points per regime (`COMPLIANCE_POINTS`), summed                       |
| customization  | custom modules >= 10 / 30 / 80: 10 / 20 / 30                          |
| integrations   | integrations >= 5 / 15: 10 / 20                                       |
| sensitivity    | low 0, medium 5, high 15, restricted 30                               |
| volume         | peak orders per hour >= 500 / 2000 / 10000: 10 / 20 / 35              |
| rto            | strictest process RTO <= 1h / 15m: 10 / 20                            |
| rpo            | strictest process RPO <= 1h / 5m: 5 / 15                              |

The cost estimate compares the two options for the tenant's actual sizes (tier defaults with its
overrides), in units of one node of the platform's reference pool; `shared` is 1.0:

- shared: sum over environments of the tenant's requests as a fraction of a shared node
  (dominant resource), divided by `cost.shared_utilization`, times the node's price;
- dedicated: per cluster, enough nodes of the tenant's dedicated pool (or, when it has none yet,
  of the shared pool's size) to hold its requests at `cost.dedicated_utilization`, at least
  `cost.dedicated_min_nodes` and at least its PostgreSQL instance count (anti-affinity), times
  the node's price.

A node's price is the mean of its CPU and memory relative to the reference node (the first
shared pool of the first cluster that has one).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from bulkhead.platform.model import (
    ENVIRONMENT_ORDER,
    Cluster,
    ComplianceRegime,
    EnvironmentName,
    NodePool,
    NodeSize,
    Platform,
    Sensitivity,
    Tenancy,
    TenancyChoice,
    Tenant,
    cpu_millicores,
    effective_environment,
    format_duration,
    memory_bytes,
)

THRESHOLD = 50
"""A score at or above this recommends a dedicated environment."""

COMPLIANCE_POINTS: Mapping[ComplianceRegime, int] = {
    ComplianceRegime.PCI_DSS: 40,
    ComplianceRegime.HIPAA: 40,
    ComplianceRegime.GDPR_SPECIAL_CATEGORY: 30,
    ComplianceRegime.TISAX: 20,
    ComplianceRegime.NIS2: 15,
    ComplianceRegime.SOC2: 15,
    ComplianceRegime.SOX: 10,
    ComplianceRegime.ISO27001: 10,
    ComplianceRegime.GDPR: 0,
}
COMPLIANCE_WHY: Mapping[ComplianceRegime, str] = {
    ComplianceRegime.PCI_DSS: "cardholder data brings every workload sharing its nodes into "
    "PCI DSS scope",
    ComplianceRegime.HIPAA: "protected health information calls for a demonstrable isolation "
    "boundary",
    ComplianceRegime.GDPR_SPECIAL_CATEGORY: "special-category personal data (GDPR art. 9) calls "
    "for the strongest isolation the platform offers",
    ComplianceRegime.TISAX: "TISAX assessments audit the tenant's own infrastructure boundary",
    ComplianceRegime.NIS2: "NIS2 supply-chain duties are easier to evidence on dedicated "
    "infrastructure",
    ComplianceRegime.SOC2: "a tenant-specific SOC 2 audit needs an environment whose controls "
    "are the tenant's alone",
    ComplianceRegime.SOX: "SOX change control favours a change process of its own",
    ComplianceRegime.ISO27001: "ISO 27001 scope statements are simpler with a dedicated boundary",
    ComplianceRegime.GDPR: "covered by the shared platform's baseline",
}
CUSTOM_MODULE_STEPS: tuple[tuple[int, int], ...] = ((80, 30), (30, 20), (10, 10))
"""(at least this many custom modules, points), first match wins."""
INTEGRATION_STEPS: tuple[tuple[int, int], ...] = ((15, 20), (5, 10))
SENSITIVITY_POINTS: Mapping[Sensitivity, int] = {
    Sensitivity.LOW: 0,
    Sensitivity.MEDIUM: 5,
    Sensitivity.HIGH: 15,
    Sensitivity.RESTRICTED: 30,
}
VOLUME_STEPS: tuple[tuple[int, int], ...] = ((10_000, 35), (2_000, 20), (500, 10))
"""(at least this many orders per hour at peak, points)."""
RTO_STEPS: tuple[tuple[int, int], ...] = ((15 * 60, 20), (3_600, 10))
"""(strictest RTO at most this many seconds, points)."""
RPO_STEPS: tuple[tuple[int, int], ...] = ((5 * 60, 15), (3_600, 5))


@dataclass(frozen=True, slots=True)
class Reason:
    """One factor that added points, with a sentence a customer-facing engineer can reuse."""

    factor: str
    """compliance, customization, integrations, sensitivity, volume, rto or rpo."""
    points: int
    message: str


@dataclass(frozen=True, slots=True)
class TenancyScore:
    score: int
    reasons: tuple[Reason, ...]
    recommendation: Tenancy


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """Relative infrastructure cost of both options; `shared` is always 1.0."""

    shared: float
    dedicated: float
    """Dedicated cost relative to shared (e.g. 3.2 means 3.2 times the shared cost)."""
    shared_units: float
    """Shared cost in reference-node units."""
    dedicated_units: float
    dedicated_nodes: int
    """Dedicated nodes over all clusters the tenant uses."""
    cpu_millicores: int
    """CPU requests of all the tenant's environments (Odoo and PostgreSQL pods)."""
    memory_bytes: int


@dataclass(frozen=True, slots=True)
class TenancyAdvice:
    tenant: str
    tier: str
    declared: TenancyChoice
    recommendation: Tenancy
    resolved: Tenancy
    """What the tenant runs as: the declared tenancy, or the recommendation for `auto`."""
    score: int
    threshold: int
    reasons: tuple[Reason, ...]
    contradicts: bool
    """The declared tenancy (shared or dedicated) disagrees with the recommendation."""
    cost: CostEstimate

    @property
    def summary(self) -> str:
        verdict = (
            f"declared {self.declared.value}, which contradicts the recommendation"
            if self.contradicts
            else f"declared {self.declared.value}"
        )
        return (
            f"{self.tenant}: {self.recommendation.value} recommended (score {self.score}, "
            f"threshold {self.threshold}); {verdict}; dedicated would cost "
            f"{self.cost.dedicated:.2f}x shared"
        )


def _step(value: int, steps: tuple[tuple[int, int], ...]) -> tuple[int, int] | None:
    for limit, points in steps:
        if value >= limit:
            return limit, points
    return None


def _step_at_most(value: int, steps: tuple[tuple[int, int], ...]) -> tuple[int, int] | None:
    for limit, points in steps:
        if value <= limit:
            return limit, points
    return None


def score_tenant(tenant: Tenant) -> TenancyScore:
    """Score a tenant's risk profile; reasons come in the documented factor order."""
    risk = tenant.risk
    reasons: list[Reason] = []
    for regime, points in COMPLIANCE_POINTS.items():
        if regime in risk.compliance and points:
            reasons.append(
                Reason("compliance", points, f"{regime.value}: {COMPLIANCE_WHY[regime]}")
            )
    modules = risk.customization.custom_modules
    hit = _step(modules, CUSTOM_MODULE_STEPS)
    if hit:
        reasons.append(
            Reason(
                "customization",
                hit[1],
                f"{modules} custom modules (>= {hit[0]}): upgrades and releases need their own "
                "cadence and testing, not the shared release train",
            )
        )
    integrations = risk.customization.integrations
    hit = _step(integrations, INTEGRATION_STEPS)
    if hit:
        reasons.append(
            Reason(
                "integrations",
                hit[1],
                f"{integrations} integrations (>= {hit[0]}): a wide egress allowlist and "
                "integration jobs that load the nodes they share",
            )
        )
    points = SENSITIVITY_POINTS[risk.data_sensitivity]
    if points:
        reasons.append(
            Reason(
                "sensitivity",
                points,
                f"{risk.data_sensitivity.value} data sensitivity: a breach next door matters more",
            )
        )
    volume = risk.peak_orders_per_hour
    hit = _step(volume, VOLUME_STEPS)
    if hit:
        reasons.append(
            Reason(
                "volume",
                hit[1],
                f"peak of {volume} orders/hour (>= {hit[0]}): a noisy neighbour on shared "
                "nodes, and one that suffers from noisy neighbours",
            )
        )
    if tenant.processes:
        strictest_rto = min(tenant.processes, key=lambda p: (p.rto, p.name))
        hit = _step_at_most(strictest_rto.rto, RTO_STEPS)
        if hit:
            reasons.append(
                Reason(
                    "rto",
                    hit[1],
                    f"process {strictest_rto.name} must recover within "
                    f"{format_duration(strictest_rto.rto)} (<= {format_duration(hit[0])}): "
                    "restores must not queue behind other tenants",
                )
            )
        strictest_rpo = min(tenant.processes, key=lambda p: (p.rpo, p.name))
        hit = _step_at_most(strictest_rpo.rpo, RPO_STEPS)
        if hit:
            reasons.append(
                Reason(
                    "rpo",
                    hit[1],
                    f"process {strictest_rpo.name} may lose at most "
                    f"{format_duration(strictest_rpo.rpo)} of data "
                    f"(<= {format_duration(hit[0])}): continuous archiving and drills of "
                    "its own",
                )
            )
    score = sum(r.points for r in reasons)
    recommendation = Tenancy.DEDICATED if score >= THRESHOLD else Tenancy.SHARED
    return TenancyScore(score, tuple(reasons), recommendation)


def recommend_tenancy(tenant: Tenant) -> Tenancy:
    return score_tenant(tenant).recommendation


def _reference_pool(platform: Platform) -> NodePool:
    for cluster in platform.platform.clusters:
        for pool in cluster.node_pools:
            if pool.dedicated_to is None:
                return pool
    return platform.platform.clusters[0].node_pools[0]


def _price(size: NodeSize, reference: NodeSize) -> float:
    return (
        cpu_millicores(size.cpu) / cpu_millicores(reference.cpu)
        + memory_bytes(size.memory) / memory_bytes(reference.memory)
    ) / 2


def _shared_pool_for(
    platform: Platform, tenant: Tenant, cluster: Cluster, env: EnvironmentName
) -> NodePool:
    """The pool the tenant would use as a shared tenant in `cluster` (for the comparison)."""
    tier = platform.tiers[tenant.tier]
    overrides = tier.environments.get(env)
    wanted = (overrides.node_pool if overrides else None) or tier.node_pool
    shared = [p for p in cluster.node_pools if p.dedicated_to is None]
    for pool in shared:
        if wanted is None or pool.name == wanted:
            return pool
    if shared:
        return shared[0]
    own = [p for p in cluster.node_pools if p.dedicated_to == tenant.name]
    return own[0] if own else cluster.node_pools[0]


def _fraction(cpu: int, memory: int, size: NodeSize) -> float:
    return max(cpu / cpu_millicores(size.cpu), memory / memory_bytes(size.memory))


def estimate_cost(platform: Platform, tenant: Tenant) -> CostEstimate:
    """Relative cost of running `tenant` shared versus dedicated (formula in the module doc)."""
    cost = platform.platform.cost
    reference = _reference_pool(platform).node_size
    shared_units = 0.0
    per_cluster: dict[str, tuple[int, int, int]] = {}
    clusters: dict[str, Cluster] = {}
    total_cpu = total_memory = 0
    for env in ENVIRONMENT_ORDER:
        if env not in tenant.environments:
            continue
        effective = effective_environment(platform, tenant, env)
        odoo, pg = effective.resources.requests, effective.postgres.resources.requests
        cpu = effective.replicas * cpu_millicores(odoo.cpu) + effective.postgres.instances * (
            cpu_millicores(pg.cpu)
        )
        memory = effective.replicas * memory_bytes(odoo.memory) + effective.postgres.instances * (
            memory_bytes(pg.memory)
        )
        total_cpu += cpu
        total_memory += memory
        cluster = platform.cluster(effective.cluster)
        clusters[cluster.name] = cluster
        placement = effective.placement
        size = (
            _shared_pool_for(platform, tenant, cluster, env).node_size
            if placement.dedicated
            else placement.node_size
        )
        shared_units += (
            _fraction(cpu, memory, size) / cost.shared_utilization * _price(size, reference)
        )
        before = per_cluster.get(cluster.name, (0, 0, 0))
        per_cluster[cluster.name] = (
            before[0] + cpu,
            before[1] + memory,
            max(before[2], effective.postgres.instances),
        )
    dedicated_units = 0.0
    dedicated_nodes = 0
    for name, (cpu, memory, instances) in per_cluster.items():
        cluster = clusters[name]
        own = next((p for p in cluster.node_pools if p.dedicated_to == tenant.name), None)
        size = (own or _shared_pool_for(platform, tenant, cluster, EnvironmentName.PROD)).node_size
        nodes = max(
            math.ceil(_fraction(cpu, memory, size) / cost.dedicated_utilization - 1e-9),
            cost.dedicated_min_nodes,
            instances,
        )
        dedicated_nodes += nodes
        dedicated_units += nodes * _price(size, reference)
    return CostEstimate(
        shared=1.0,
        dedicated=dedicated_units / shared_units,
        shared_units=shared_units,
        dedicated_units=dedicated_units,
        dedicated_nodes=dedicated_nodes,
        cpu_millicores=total_cpu,
        memory_bytes=total_memory,
    )


def advise_tenant(platform: Platform, tenant: Tenant) -> TenancyAdvice:
    scored = score_tenant(tenant)
    declared = tenant.tenancy
    if declared is TenancyChoice.AUTO:
        resolved, contradicts = scored.recommendation, False
    else:
        resolved = Tenancy(declared.value)
        contradicts = resolved is not scored.recommendation
    return TenancyAdvice(
        tenant=tenant.name,
        tier=tenant.tier,
        declared=declared,
        recommendation=scored.recommendation,
        resolved=resolved,
        score=scored.score,
        threshold=THRESHOLD,
        reasons=scored.reasons,
        contradicts=contradicts,
        cost=estimate_cost(platform, tenant),
    )


def advise(platform: Platform) -> tuple[TenancyAdvice, ...]:
    """Advice for every tenant, in file order (what `bulkhead tenancy` prints)."""
    return tuple(advise_tenant(platform, tenant) for tenant in platform.tenants)
