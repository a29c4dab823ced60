"""`bulkhead evidence collect`, `bulkhead gate` and `bulkhead trace`: wiring only.

Heavy imports (pydantic models, cryptography, SQLAlchemy) happen inside the commands, so
`bulkhead --version` stays fast.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bulkhead.cli.common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UserError, emit, guard

if TYPE_CHECKING:
    from bulkhead.evidence import Bundle
    from bulkhead.gate import Decision

JSON_SCHEMA_VERSION = "1.0"


class DecisionFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


class TraceFormat(StrEnum):
    table = "table"
    json = "json"


DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        metavar="URL",
        help="Store URL (default $BULKHEAD_DATABASE_URL, else SQLite in the state directory).",
        show_default=False,
    ),
]
KeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        metavar="PATH",
        help="Ledger signing key (PEM); default $BULKHEAD_LEDGER_KEY_FILE or $BULKHEAD_LEDGER_KEY.",
        show_default=False,
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to FILE instead of stdout.", dir_okay=False),
]
Files = list[Path] | None


def _expected() -> tuple[type[BaseException], ...]:
    from bulkhead.cli.store import store_errors
    from bulkhead.evidence import BundleError
    from bulkhead.evidence.signatures import TrustConfigError
    from bulkhead.gate import GateError
    from bulkhead.platform import PlatformError
    from bulkhead.store.trace import TraceError

    return (*store_errors(), BundleError, TrustConfigError, GateError, PlatformError, TraceError)


def _now(value: str | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--now {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise UserError(f"--now {value!r} needs a time zone (for example 2026-12-04T10:00:00Z)")
    return moment


def _dump(document: dict[str, Any]) -> str:
    return json.dumps({"schema_version": JSON_SCHEMA_VERSION, **document}, indent=2) + "\n"


# --- evidence collect ----------------------------------------------------------------------


def _signature_inputs(values: list[str]) -> list[Any]:
    from bulkhead.evidence import SignatureInput

    found = []
    for value in values:
        signature, _, payload = value.partition(",")
        found.append(SignatureInput(signature, payload or None))
    return found


def collect(
    tenant: Annotated[str, typer.Option(help="Tenant the release is for.")],
    environment: Annotated[str, typer.Option(help="Environment it is promoted to.")],
    image: Annotated[str, typer.Option(help="Image repository, e.g. registry.example.com/odoo.")],
    digest: Annotated[str, typer.Option(help="Image digest, sha256:<64 hex>.")],
    commit: Annotated[str, typer.Option(help="Full commit id (40 hex) the image was built from.")],
    repo: Annotated[
        Path | None,
        typer.Option(help="Git repository holding the commit (default: none, no commit item)."),
    ] = None,
    scan: Annotated[Files, typer.Option("--scan", help="bulkhead scan JSON report.")] = None,
    vulns: Annotated[Files, typer.Option("--vulns", help="Trivy or Grype JSON report.")] = None,
    sbom: Annotated[Files, typer.Option("--sbom", help="CycloneDX or SPDX JSON SBOM.")] = None,
    signature: Annotated[
        list[str] | None,
        typer.Option(
            "--signature",
            metavar="SIG[,PAYLOAD]",
            help="cosign signature (base64, with its payload file) or a DSSE envelope.",
        ),
    ] = None,
    provenance: Annotated[
        Files, typer.Option("--provenance", help="in-toto DSSE envelope with SLSA provenance.")
    ] = None,
    reviews: Annotated[
        Path | None, typer.Option("--reviews", help="Pull request reviews export (JSON).")
    ] = None,
    pr_author: Annotated[
        str | None, typer.Option("--pr-author", help="Author of the pull request.")
    ] = None,
    risks: Annotated[Files, typer.Option("--risks", help="OpenVEX or exceptions file.")] = None,
    signature_key: Annotated[
        Files, typer.Option("--signature-key", help="Trusted cosign public key (PEM).")
    ] = None,
    provenance_key: Annotated[
        Files, typer.Option("--provenance-key", help="Trusted provenance public key (PEM).")
    ] = None,
    allowed_builder: Annotated[
        list[str] | None, typer.Option("--allowed-builder", help="Allowed SLSA builder id.")
    ] = None,
    output: OutputOpt = None,
    now: Annotated[str | None, typer.Option(help="Collection time (ISO 8601; tests).")] = None,
    debug: DebugOpt = False,
) -> None:
    """Collect and verify release evidence into one content-addressed bundle (JSON).

    Bad evidence never stops collection: each item records its status and problems, and the
    gate decides. Exit 2 only for unusable arguments (a bad key file, a malformed digest)."""
    with guard(debug, _expected()):
        from pydantic import ValidationError

        from bulkhead.evidence import Candidate, EvidenceInputs, TrustPolicy, assemble
        from bulkhead.evidence.commit import git_runner
        from bulkhead.evidence.signatures import load_public_key_file

        try:
            candidate = Candidate(
                tenant=tenant, environment=environment, image=image, digest=digest, commit=commit
            )
        except ValidationError as error:
            first = error.errors()[0]
            raise UserError(f"--{first['loc'][0]}: {first['msg']}") from None
        policy = TrustPolicy(
            signature_keys=tuple(load_public_key_file(p) for p in signature_key or ()),
            provenance_keys=tuple(load_public_key_file(p) for p in provenance_key or ()),
            allowed_builders=frozenset(allowed_builder or ()),
        )
        inputs = EvidenceInputs(
            scans=list(scan or ()),
            vulnerability_reports=list(vulns or ()),
            sboms=list(sbom or ()),
            signatures=_signature_inputs(signature or []),
            provenance=list(provenance or ()),
            reviews=reviews,
            pr_author=pr_author,
            risks=list(risks or ()),
        )
        git = git_runner(repo) if repo is not None else None
        bundle = assemble(candidate, inputs, policy, _now(now), git=git)
        emit(bundle.to_json(), output)
        for kind, item in bundle.items():
            state = item.status.value
            detail = f": {item.problems[0].message}" if item.problems else ""
            sys.stderr.write(f"  {kind.value:<16} {state:<13} {item.source}{detail}\n")
        sys.stderr.write(f"bundle {bundle.bundle_digest}\n")


# --- gate ----------------------------------------------------------------------------------


def _read_bundle(path: Path) -> tuple[Bundle | None, str, str]:
    """The bundle, its text and why it cannot be used (empty when it can)."""
    from bulkhead.evidence import Bundle, BundleError
    from bulkhead.evidence.reading import MAX_EVIDENCE_BYTES

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_EVIDENCE_BYTES * 2 + 1)
    except OSError as error:
        return None, "", f"{path}: cannot read: {error.strerror}"
    try:
        return Bundle.from_json(data, str(path)), data.decode("utf-8"), ""
    except BundleError as error:
        return None, "", str(error)


def _decision_text(decision: Decision, fmt: DecisionFormat) -> str:
    if fmt is DecisionFormat.json:
        return _dump(decision.as_dict())
    verdict = decision.verdict.value.upper()
    if fmt is DecisionFormat.markdown:
        lines = [
            f"## Gate: {verdict} {decision.tenant}/{decision.environment}",
            "",
            f"`{decision.image}@{decision.digest}` from commit `{decision.commit}`, "
            f"bundle `{decision.bundle_digest}`, decided {decision.decided_at}.",
            "",
            "| rule | result | reason |",
            "| --- | --- | --- |",
        ]
        for result in decision.results:
            mark = "pass" if result.passed else "**fail**"
            reason = result.reason.replace("|", "\\|")
            lines.append(f"| {result.rule} | {mark} | {reason} |")
        return "\n".join(lines) + "\n"
    width = max((len(r.rule) for r in decision.results), default=4)
    lines = [
        f"{verdict}: {decision.image}@{decision.digest[:19]}... to "
        f"{decision.tenant}/{decision.environment}",
    ]
    for result in decision.results:
        lines.append(
            f"  {'pass' if result.passed else 'FAIL'}  {result.rule:<{width}}  {result.reason}"
        )
    return "\n".join(lines) + "\n"


def gate(
    environment: Annotated[str, typer.Option(help="Environment to promote to.")],
    tenant: Annotated[str, typer.Option(help="Tenant.")],
    evidence: Annotated[Path, typer.Option(help="Evidence bundle from `evidence collect`.")],
    policy: Annotated[
        Path | None,
        typer.Option(
            help="Promotion policy (YAML); default: the platform's `promotion`, else built-in."
        ),
    ] = None,
    platform: Annotated[
        Path | None,
        typer.Option(help="bulkhead.yaml: the tenant's tier, registries and change windows."),
    ] = None,
    fmt: Annotated[DecisionFormat, typer.Option("--format", "-f")] = DecisionFormat.table,
    output: OutputOpt = None,
    vsa: Annotated[
        Path | None,
        typer.Option(help="Also write a signed SLSA verification summary (DSSE) to FILE."),
    ] = None,
    record: Annotated[
        bool,
        typer.Option(
            help="Append the decision to the ledger and keep the bundle (the ledger's "
            "deployments are read either way)."
        ),
    ] = True,
    actor: Annotated[str | None, typer.Option(help="Who asks (default $BULKHEAD_ACTOR).")] = None,
    key_file: KeyFileOpt = None,
    database: DatabaseOpt = None,
    now: Annotated[str | None, typer.Option(help="Decision time (ISO 8601; tests).")] = None,
    debug: DebugOpt = False,
) -> None:
    """Decide on a promotion from evidence: exit 0 allow, 1 deny, 2 error.

    Fails closed: missing, unparsable, unverifiable, mismatched or expired evidence denies and
    says which. The decision is appended to the ledger (with --no-record, it is not)."""
    code = EXIT_ERROR
    with guard(debug, _expected()):
        from bulkhead.cli.store import actor as actor_name
        from bulkhead.cli.store import ledger_signer, open_store
        from bulkhead.gate import (
            Decision,
            Facts,
            RuleResult,
            Verdict,
            deployments_from,
            evaluate,
            load_policy,
            rules_for_platform,
            sign_statement,
            verification_summary,
        )

        moment = _now(now)
        definition = None
        if platform is not None:
            from bulkhead.platform import load_platform

            definition = load_platform(platform)
        policy_text = policy.read_text(encoding="utf-8") if policy is not None else None
        promotion = load_policy(policy_text, str(policy) if policy else "built-in policy")
        policy_source = str(policy) if policy is not None else "built-in policy"
        if policy is None and definition is not None and definition.promotion is not None:
            promotion, policy_source = definition.promotion, f"{platform} (promotion)"
        canonical = policy_text or json.dumps(promotion.model_dump(mode="json"), sort_keys=True)
        policy_sha = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        rules = rules_for_platform(promotion, environment, tenant, definition)
        bundle, bundle_text, problem = _read_bundle(evidence)
        signer = ledger_signer(key_file, None, required=vsa is not None) if record or vsa else None
        with open_store(database) as engine:
            from bulkhead.store.ledger import Ledger, NewEntry

            ledger = Ledger(engine)
            if bundle is None:
                decision = Decision(
                    Verdict.DENY, tenant, environment, "", "", "", "",
                    moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                    (RuleResult("bundle", False, problem),),
                )  # fmt: skip
            else:
                history = ledger.entries(entry_type="deployment", tenant=tenant) if ledger else []
                facts = Facts(
                    tenant, environment, moment, deployments_from([e.as_dict() for e in history])
                )
                decision = evaluate(bundle, rules, facts)
            emit(_decision_text(decision, fmt), output)
            if record:
                if bundle is not None:
                    from bulkhead.store.evidence import save_bundle

                    save_bundle(
                        engine, decision.bundle_digest, bundle.candidate.tenant,
                        bundle.candidate.environment, bundle.candidate.digest,
                        bundle.candidate.commit, bundle_text,
                    )  # fmt: skip
                body = {
                    **{k: v for k, v in decision.as_dict().items() if k != "rules"},
                    "failed_rules": [r.rule for r in decision.results if not r.passed],
                    "policy_sha256": policy_sha,
                }
                appended = ledger.append(
                    [NewEntry("gate-decision", body, actor_name(actor))], signer
                )
                sys.stderr.write(f"decision recorded as ledger entry {appended.first_seq}\n")
            if vsa is not None and signer is not None and bundle is not None:
                statement = verification_summary(decision, policy_source, policy_sha, str(evidence))
                envelope = sign_statement(statement, signer.key_id, signer.sign)
                emit(json.dumps(envelope, indent=2) + "\n", vsa)
        code = EXIT_CLEAN if decision.allowed else EXIT_FINDINGS
    raise typer.Exit(code)


# --- trace ---------------------------------------------------------------------------------


def _trace_text(document: dict[str, Any]) -> str:
    lines = [f"trace of {document['kind']} {document['query']}"]
    lines.append(f"  commits: {', '.join(document['commits']) or '-'}")
    lines.append(f"  digests: {', '.join(document['digests']) or '-'}")
    checkpoint = document["checkpoint"]
    if checkpoint:
        lines.append(
            f"  latest signed checkpoint: size {checkpoint['tree_size']}, "
            f"root {checkpoint['root_hash'][:16]}..."
        )
    lines.append("evidence:")
    for item in document["evidence"] or [{}]:
        if item:
            lines.append(
                f"  {item['bundle_digest'][:23]}...  {item['tenant']}/{item['environment']}  "
                f"commit {item['commit'][:12]}  stored {item['stored_at']}"
            )
        else:
            lines.append("  none")
    for title, key in (("gate decisions:", "decisions"), ("deployments:", "deployments")):
        lines.append(title)
        if not document[key]:
            lines.append("  none")
        for item in document[key]:
            what = item.get("verdict") or item.get("status")
            proof = "proof in checkpoint" if item["proof"] else "not yet in a checkpoint"
            lines.append(
                f"  #{item['seq']:<5} {item['time']}  {item['tenant']}/{item['environment']}  "
                f"{what}  by {item['actor']}  ({proof})"
            )
    return "\n".join(lines) + "\n"


def trace_command(
    query: Annotated[str, typer.Argument(help="Commit, image digest or deployment entry.")],
    kind: Annotated[
        str | None,
        typer.Option(help="Read QUERY as commit, digest or deployment (default: guessed)."),
    ] = None,
    fmt: Annotated[TraceFormat, typer.Option("--format", "-f")] = TraceFormat.table,
    output: OutputOpt = None,
    database: DatabaseOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show commit -> evidence -> gate decisions -> deployments, with inclusion proofs."""
    with guard(debug, _expected()):
        from bulkhead.cli.store import open_store
        from bulkhead.store.ledger import Ledger
        from bulkhead.store.trace import trace

        if kind is not None and kind not in ("commit", "digest", "deployment"):
            raise UserError("--kind must be commit, digest or deployment")
        with open_store(database) as engine:
            document = trace(engine, Ledger(engine), query, kind).as_dict()
        if fmt is TraceFormat.json:
            emit(_dump(document), output)
        else:
            emit(_trace_text(document), output)


def register(app: typer.Typer) -> None:
    evidence_app = typer.Typer(help="Release evidence.", no_args_is_help=True)
    evidence_app.command("collect")(collect)
    app.add_typer(evidence_app, name="evidence")
    app.command("gate")(gate)
    app.command("trace")(trace_command)
