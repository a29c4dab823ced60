"""Promotion gates: decide on a release evidence bundle, rule by rule, failing closed.

`evaluate(bundle, policy, facts)` is pure. Every rule the environment's policy turns on gives a
result with a reason, pass or fail; the candidate is allowed only when every rule passes. Any
evidence the policy needs that is missing, unparsable, unverifiable, for another digest,
rejected or expired fails its rule and says which and why.

The policy lives in a YAML file (`--policy`) or the `promotion:` section of bulkhead.yaml,
with defaults per environment and overrides per tier and per tenant.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bulkhead.evidence.bundle import Bundle
from bulkhead.evidence.model import EvidenceKind, ItemStatus
from bulkhead.evidence.reviews import ReviewState
from bulkhead.evidence.vulns import VulnSeverity

if TYPE_CHECKING:
    from bulkhead.platform import Platform

_SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class GateError(Exception):
    """A policy that cannot be read or used; one line."""


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def parse_duration(value: str | int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _DURATION.match(str(value))
    if match is None or int(match.group(1)) <= 0:
        raise ValueError(f"not a duration: {value!r} (write 30m, 2h or 1d)")
    return int(match.group(1)) * _UNITS[match.group(2)]


class ChangeWindow(Strict):
    """A change window: a cron start and how long it stays open, as in Argo CD sync windows.
    `allow` windows are the only times a promotion may happen (when there is any); `deny`
    windows (freezes) block it and win over allow windows."""

    schedule: str = Field(description="Cron expression of the window's start.")
    duration: str = Field(description="How long the window stays open: 30m, 4h, 1d.")
    time_zone: str = Field(default="UTC", description="IANA time zone of the schedule.")
    kind: str = Field(default="allow", pattern="^(allow|deny)$")

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        from croniter import croniter

        if not croniter.is_valid(value):
            raise ValueError(f"not a cron expression: {value!r}")
        return value

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    def contains(self, moment: dt.datetime) -> bool:
        """Whether `moment` (aware) falls in a window that opened at most `duration` before."""
        from zoneinfo import ZoneInfo

        from croniter import croniter

        local = moment.astimezone(ZoneInfo(self.time_zone))
        # The latest start at or before `moment`: step back from one second after it.
        start = croniter(self.schedule, local + dt.timedelta(seconds=1)).get_prev(dt.datetime)
        return start <= local < start + dt.timedelta(seconds=parse_duration(self.duration))

    def describe(self) -> str:
        return f"{self.kind} {self.schedule!r} for {self.duration} ({self.time_zone})"


class Rules(Strict):
    """The rules of one environment. A field left out keeps the default (or the inherited
    value, for tier and tenant overrides)."""

    require_evidence: tuple[EvidenceKind, ...] | None = Field(
        default=None, description="Evidence kinds that must be present and verified."
    )
    promoted_from: str | None = Field(
        default=None,
        description="Environment where the same digest must already be deployed and healthy.",
    )
    min_approvals: int | None = Field(
        default=None, ge=0, description="Approvals from people other than the author."
    )
    vulnerability_threshold: VulnSeverity | None = Field(
        default=None,
        description="Deny a vulnerability at or above this severity with a fix available, "
        "unless an unexpired accepted risk covers it.",
    )
    scan_fail_on: str | None = Field(
        default=None, description="Deny any unsuppressed scan finding at or above this severity."
    )
    approved_registries: tuple[str, ...] | None = Field(
        default=None, description="Registries the image may come from (host[/path] prefixes)."
    )
    require_signed_commit: bool | None = Field(
        default=None, description="The commit must carry a good git signature."
    )
    change_windows: tuple[ChangeWindow, ...] | None = Field(
        default=None, description="Promotion is allowed only inside one of these windows."
    )

    @field_validator("scan_fail_on")
    @classmethod
    def _severity(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in _SEVERITY_ORDER:
            raise ValueError(f"not a severity: {value!r} (one of {', '.join(_SEVERITY_ORDER)})")
        return value.lower() if value is not None else None

    def merged(self, override: Rules | None) -> Rules:
        if override is None:
            return self
        values = {k: v for k, v in override.model_dump(exclude_unset=True).items() if v is not None}
        return self.model_copy(update={k: getattr(override, k) for k in values})


class PromotionPolicy(Strict):
    """Rules per environment, then per tier and per tenant on top."""

    environments: dict[str, Rules] = Field(default_factory=dict)
    tiers: dict[str, dict[str, Rules]] = Field(
        default_factory=dict, description="tier -> environment -> overriding rules"
    )
    tenants: dict[str, dict[str, Rules]] = Field(
        default_factory=dict, description="tenant -> environment -> overriding rules"
    )

    def rules_for(self, environment: str, tier: str | None, tenant: str) -> Rules:
        if environment not in self.environments:
            known = ", ".join(sorted(self.environments)) or "none"
            raise GateError(f"no promotion policy for environment {environment!r} (have: {known})")
        rules = Rules(**_DEFAULTS).merged(self.environments[environment])
        if tier is not None:
            rules = rules.merged(self.tiers.get(tier, {}).get(environment))
        return rules.merged(self.tenants.get(tenant, {}).get(environment))


_DEFAULTS: dict[str, Any] = {
    "require_evidence": (),
    "min_approvals": 0,
    "require_signed_commit": False,
    "approved_registries": (),
    "change_windows": (),
}


@dataclass(frozen=True, slots=True)
class Deployment:
    environment: str
    digest: str
    status: str
    seq: int


@dataclass(frozen=True, slots=True)
class Facts:
    """What the gate knows besides the bundle: the request, past deployments, the time."""

    tenant: str
    environment: str
    now: dt.datetime
    deployments: Sequence[Deployment] = ()
    """The tenant's recorded deployments, oldest first."""


class Verdict(enum.StrEnum):
    ALLOW = "allow"
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: str
    passed: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "passed": self.passed, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    tenant: str
    environment: str
    image: str
    digest: str
    commit: str
    bundle_digest: str
    decided_at: str
    results: tuple[RuleResult, ...]

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOW

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "tenant": self.tenant,
            "environment": self.environment,
            "image": self.image,
            "digest": self.digest,
            "commit": self.commit,
            "bundle_digest": self.bundle_digest,
            "decided_at": self.decided_at,
            "rules": [r.as_dict() for r in self.results],
        }


def evaluate(bundle: Bundle, rules: Rules, facts: Facts) -> Decision:
    results = list(_results(bundle, rules, facts))
    verdict = Verdict.ALLOW if all(r.passed for r in results) else Verdict.DENY
    candidate = bundle.candidate
    return Decision(
        verdict,
        facts.tenant,
        facts.environment,
        candidate.image,
        candidate.digest,
        candidate.commit,
        bundle.bundle_digest or bundle.content_digest(),
        facts.now.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        tuple(results),
    )


def _results(bundle: Bundle, rules: Rules, facts: Facts) -> Iterator[RuleResult]:
    yield _candidate(bundle, facts)
    for kind in rules.require_evidence or ():
        yield _evidence(bundle, kind)
    if rules.promoted_from:
        yield _promoted(bundle, rules.promoted_from, facts)
    if rules.min_approvals:
        yield _approvals(bundle, rules.min_approvals)
    if rules.vulnerability_threshold is not None:
        yield _vulnerabilities(bundle, rules.vulnerability_threshold, facts.now)
    if rules.scan_fail_on is not None:
        yield _scan(bundle, rules.scan_fail_on)
    if rules.approved_registries:
        yield _registry(bundle, rules.approved_registries)
    if rules.require_signed_commit:
        yield _signed_commit(bundle)
    if rules.change_windows:
        yield _window(rules.change_windows, facts.now)


def _candidate(bundle: Bundle, facts: Facts) -> RuleResult:
    candidate = bundle.candidate
    wrong = [
        f"{what} {have!r} (gate asked for {want!r})"
        for what, have, want in (
            ("tenant", candidate.tenant, facts.tenant),
            ("environment", candidate.environment, facts.environment),
        )
        if have != want
    ]
    if wrong:
        return RuleResult("candidate", False, "the bundle is for " + " and ".join(wrong))
    return RuleResult("candidate", True, f"{candidate.reference} from commit {candidate.commit}")


_KIND_TEXT = {
    EvidenceKind.COMMIT: "commit",
    EvidenceKind.SCAN: "bulkhead scan report",
    EvidenceKind.VULNERABILITIES: "vulnerability report",
    EvidenceKind.SBOM: "SBOM",
    EvidenceKind.SIGNATURE: "image signature",
    EvidenceKind.PROVENANCE: "build provenance",
    EvidenceKind.REVIEWS: "review export",
    EvidenceKind.RISKS: "accepted-risk file",
}


def _evidence(bundle: Bundle, kind: EvidenceKind) -> RuleResult:
    rule = f"evidence:{kind.value}"
    what = _KIND_TEXT[kind]
    status = bundle.kind_status(kind)
    if status is ItemStatus.MISSING and not bundle.items_of(kind):
        return RuleResult(rule, False, f"no {what} in the bundle")
    if status is not ItemStatus.OK:
        detail = next(
            (
                f"{item.source}: {p.message}"
                for item in bundle.items_of(kind)
                for p in item.problems
            ),
            status.value,
        )
        return RuleResult(rule, False, f"{what} {status.value}: {detail}")
    sources = ", ".join(item.source for item in bundle.items_of(kind))
    return RuleResult(rule, True, f"{what} verified ({sources})")


def _promoted(bundle: Bundle, source_environment: str, facts: Facts) -> RuleResult:
    rule = f"promoted-from:{source_environment}"
    digest = bundle.candidate.digest
    latest: Deployment | None = None
    for deployment in facts.deployments:
        if deployment.environment == source_environment and deployment.digest == digest:
            latest = deployment
    if latest is None:
        return RuleResult(rule, False, f"{digest[:19]}… was never deployed to {source_environment}")
    if latest.status != "healthy":
        return RuleResult(
            rule,
            False,
            f"the latest {source_environment} deployment of {digest[:19]}… (ledger entry "
            f"{latest.seq}) is {latest.status}, not healthy",
        )
    return RuleResult(
        rule, True, f"deployed and healthy in {source_environment} (ledger entry {latest.seq})"
    )


def _approvals(bundle: Bundle, needed: int) -> RuleResult:
    item = bundle.reviews
    if item is None or item.reviews is None:
        return RuleResult("approvals", False, f"no review export: {needed} approvals needed")
    if not item.ok:
        problem = item.problems[0].message if item.problems else item.status.value
        return RuleResult("approvals", False, f"review export {item.status.value}: {problem}")
    reviews = item.reviews
    blocking = sorted(
        r.reviewer for r in reviews.latest if r.state is ReviewState.CHANGES_REQUESTED
    )
    approvers = sorted(reviews.approvers)
    if blocking:
        return RuleResult("approvals", False, f"changes requested by {', '.join(blocking)}")
    if len(approvers) < needed:
        shown = ", ".join(approvers) or "nobody"
        return RuleResult(
            "approvals",
            False,
            f"{len(approvers)} of {needed} approvals from people other than the author "
            f"{reviews.author} (approved: {shown})",
        )
    return RuleResult("approvals", True, f"approved by {', '.join(approvers)}")


def _vulnerabilities(bundle: Bundle, threshold: VulnSeverity, now: dt.datetime) -> RuleResult:
    rule = "vulnerabilities"
    if bundle.kind_status(EvidenceKind.VULNERABILITIES) is not ItemStatus.OK:
        return RuleResult(rule, False, "no verified vulnerability report for this digest")
    blocking: list[str] = []
    covered: list[str] = []
    expired_ids = {
        name
        for risk in bundle.accepted_risks()
        if risk.expired(now)
        for name in (risk.vulnerability, *risk.aliases)
    }
    for vuln in bundle.vulnerabilities():
        if not vuln.fix_available or vuln.severity.rank < threshold.rank:
            continue
        risk = bundle.covers(vuln.id, now, vuln.aliases)
        if risk is not None:
            covered.append(vuln.id)
        elif expired_ids.intersection((vuln.id, *vuln.aliases)):
            blocking.append(f"{vuln.id} ({vuln.package}; its accepted risk has expired)")
        else:
            blocking.append(f"{vuln.id} ({vuln.package} {vuln.installed_version} -> "
                            f"{vuln.fixed_version})")  # fmt: skip
    if blocking:
        shown = ", ".join(sorted(set(blocking))[:5])
        more = f" and {len(set(blocking)) - 5} more" if len(set(blocking)) > 5 else ""
        return RuleResult(
            rule,
            False,
            f"{len(set(blocking))} fixable {threshold.value.lower()}+ vulnerabilities: "
            f"{shown}{more}",
        )
    note = f" ({len(set(covered))} covered by accepted risks)" if covered else ""
    return RuleResult(rule, True, f"no fixable {threshold.value.lower()}+ vulnerability{note}")


def _scan(bundle: Bundle, fail_on: str) -> RuleResult:
    if bundle.kind_status(EvidenceKind.SCAN) is not ItemStatus.OK:
        return RuleResult("scan", False, "no readable bulkhead scan report")
    floor = _SEVERITY_ORDER.index(fail_on)
    failing: dict[str, int] = {}
    failed_inputs: list[str] = []
    for item in bundle.items_of(EvidenceKind.SCAN):
        summary = getattr(item, "scan", None)
        if summary is None:
            continue
        failed_inputs.extend(summary.failed_inputs)
        for finding in summary.findings:
            severity = finding.severity.lower()
            if finding.suppressed or severity not in _SEVERITY_ORDER:
                continue
            if _SEVERITY_ORDER.index(severity) >= floor:
                failing[finding.control] = failing.get(finding.control, 0) + 1
    if failing:
        shown = ", ".join(f"{control} x{count}" for control, count in sorted(failing.items()))
        total = sum(failing.values())
        return RuleResult("scan", False, f"{total} findings at or above {fail_on}: {shown}")
    if failed_inputs:
        return RuleResult("scan", False, f"inputs failed to scan: {', '.join(failed_inputs[:3])}")
    return RuleResult("scan", True, f"no finding at or above {fail_on}")


def _registry(bundle: Bundle, registries: Sequence[str]) -> RuleResult:
    image = bundle.candidate.image
    for registry in registries:
        prefix = registry.rstrip("/") + "/"
        if image.startswith(prefix):
            return RuleResult("registry", True, f"{image} is in approved registry {registry}")
    return RuleResult(
        "registry", False, f"{image} is not in an approved registry ({', '.join(registries)})"
    )


def _signed_commit(bundle: Bundle) -> RuleResult:
    commit = bundle.commit
    info = getattr(commit, "commit", None) if commit is not None else None
    status = getattr(info, "signature", None)
    if commit is None or info is None:
        return RuleResult("signed-commit", False, "no commit evidence")
    if str(status) != "good":
        return RuleResult("signed-commit", False, f"commit signature is {status}")
    return RuleResult("signed-commit", True, "commit carries a good signature")


def _window(windows: Sequence[ChangeWindow], now: dt.datetime) -> RuleResult:
    freezes = [w for w in windows if w.kind == "deny" and w.contains(now)]
    if freezes:
        return RuleResult("change-window", False, f"inside freeze {freezes[0].describe()}")
    allows = [w for w in windows if w.kind == "allow"]
    if not allows:
        return RuleResult("change-window", True, "no freeze is in force")
    for window in allows:
        if window.contains(now):
            return RuleResult("change-window", True, f"inside window {window.describe()}")
    shown = "; ".join(w.describe() for w in allows)
    return RuleResult("change-window", False, f"outside every change window ({shown})")


def deployments_from(entries: Sequence[Mapping[str, Any]]) -> list[Deployment]:
    """Deployment facts from ledger entry dicts (seq, body)."""
    found = []
    for entry in entries:
        body = entry.get("body", {})
        found.append(
            Deployment(
                str(body.get("environment", "")),
                str(body.get("digest", "")),
                str(body.get("status", "healthy")),
                int(entry.get("seq", -1)),
            )
        )
    return found


def rules_for_platform(
    policy: PromotionPolicy, environment: str, tenant: str, platform: Platform | None
) -> Rules:
    """The environment's rules; with a platform definition, the tenant's tier selects the tier
    overrides, the platform's registries are the approved ones unless the policy names some,
    and a dedicated tenant's change windows apply unless the policy sets windows itself."""
    if platform is None:
        return policy.rules_for(environment, None, tenant)
    from bulkhead.platform import effective_environment

    try:
        effective = effective_environment(platform, tenant, environment)
    except (KeyError, ValueError, LookupError) as error:
        raise GateError(f"tenant {tenant!r}, environment {environment!r}: {error}") from None
    rules = policy.rules_for(environment, effective.tier, tenant)
    update: dict[str, Any] = {}
    if not rules.approved_registries:
        update["approved_registries"] = tuple(platform.platform.registries)
    if not rules.change_windows and effective.tenancy.value == "dedicated":
        update["change_windows"] = tuple(
            ChangeWindow(
                schedule=w.schedule,
                duration=str(w.duration) if isinstance(w.duration, str) else f"{w.duration}s",
                time_zone=w.time_zone or "UTC",
                kind=w.kind.value,
            )
            for w in effective.change_windows
        )
    return rules.model_copy(update=update) if update else rules


VSA_PREDICATE = "https://slsa.dev/verification_summary/v1"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
VERIFIER_ID = "https://github.com/bulkhead/bulkhead/gate"


def verification_summary(
    decision: Decision, policy_uri: str, policy_sha256: str, bundle_uri: str
) -> dict[str, Any]:
    """An in-toto Statement with a SLSA VSA v1 predicate for the decision."""
    provenance_ok = any(
        r.rule == f"evidence:{EvidenceKind.PROVENANCE.value}" and r.passed for r in decision.results
    )
    levels = ["SLSA_BUILD_LEVEL_2"] if decision.allowed and provenance_ok else []
    return {
        "_type": STATEMENT_TYPE,
        "subject": [
            {"name": decision.image, "digest": {"sha256": decision.digest.removeprefix("sha256:")}}
        ],
        "predicateType": VSA_PREDICATE,
        "predicate": {
            "verifier": {"id": VERIFIER_ID},
            "timeVerified": decision.decided_at,
            "resourceUri": f"{decision.image}@{decision.digest}",
            "policy": {"uri": policy_uri, "digest": {"sha256": policy_sha256}},
            "inputAttestations": [
                {
                    "uri": bundle_uri,
                    "digest": {"sha256": decision.bundle_digest.removeprefix("sha256:")},
                }
            ],
            "verificationResult": "PASSED" if decision.allowed else "FAILED",
            "verifiedLevels": levels,
        },
    }


def sign_statement(statement: Mapping[str, Any], key_id: str, sign: Any) -> dict[str, Any]:
    """A DSSE envelope over the statement; `sign(bytes) -> bytes` is the signer."""
    import base64
    import json

    from bulkhead.evidence.signatures import pae

    payload_type = "application/vnd.in-toto+json"
    body = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode("utf-8")
    signature = sign(pae(payload_type, body))
    return {
        "payloadType": payload_type,
        "payload": base64.b64encode(body).decode("ascii"),
        "signatures": [{"keyid": key_id, "sig": base64.b64encode(signature).decode("ascii")}],
    }


DEFAULT_POLICY: dict[str, Any] = {
    "environments": {
        "dev": {"require_evidence": ["scan"], "scan_fail_on": "critical"},
        "staging": {
            "require_evidence": ["scan", "vulnerabilities", "sbom", "signature"],
            "min_approvals": 1,
            "vulnerability_threshold": "CRITICAL",
            "scan_fail_on": "high",
        },
        "prod": {
            "require_evidence": [
                "commit", "scan", "vulnerabilities", "sbom", "signature", "provenance", "reviews",
            ],
            "promoted_from": "staging",
            "min_approvals": 2,
            "vulnerability_threshold": "HIGH",
            "scan_fail_on": "high",
        },
    }
}  # fmt: skip
"""The policy when none is given: the issue's production example, and lighter rules before."""


def load_policy(text: str | None, source: str = "policy") -> PromotionPolicy:
    """A policy file (YAML or JSON; a `promotion:` key may wrap it), or the default."""
    from pydantic import ValidationError

    from bulkhead.evidence.reading import parse_yaml_or_json

    if text is None:
        return PromotionPolicy.model_validate(DEFAULT_POLICY)
    try:
        document = parse_yaml_or_json(text.encode("utf-8"), source)
    except Exception as error:  # the reader's own errors carry file and line
        raise GateError(str(getattr(error, "message", error))) from None
    if isinstance(document, dict) and set(document) == {"promotion"}:
        document = document["promotion"]
    try:
        return PromotionPolicy.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise GateError(f"{source}: {where}: {first['msg']}") from None
