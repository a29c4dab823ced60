"""Drill reports: a result, a recovery plan and the history, as table, JSON, Markdown or HTML.

Pure functions from documents (the JSON shape of result.DrillResult.as_dict) to text. The HTML
report is one self-contained file: inline CSS and SVG, no script, every value escaped.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from bulkhead.drills.history import trend
from bulkhead.drills.objectives import Objectives, recovery_order
from bulkhead.drills.result import SCHEMA_VERSION

_MARK = {"pass": "ok", "fail": "FAIL", "skip": "skip"}


def human_ms(milliseconds: int | None) -> str:
    """2400 -> `2.4s`, 65000 -> `1m05s`, 7380000 -> `2h03m`; None -> `-`."""
    if milliseconds is None:
        return "-"
    if milliseconds < 60_000:
        return f"{milliseconds / 1000:.1f}s"
    seconds = milliseconds // 1000
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if seconds < 86_400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86_400}d{seconds % 86_400 // 3600:02d}h"


def human_s(seconds: int | None) -> str:
    """An objective as bulkhead.yaml spells it: `15m`, `4h`, `1d`, `1h30m`."""
    from bulkhead.platform.model import format_duration

    return "-" if seconds is None else format_duration(seconds)


def _size(count: int | None) -> str:
    if count is None:
        return "-"
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"  # pragma: no cover


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _verdict(document: Mapping[str, Any]) -> str:
    return str(document.get("status", "error")).upper()


# --- one drill -----------------------------------------------------------------------------


def result_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def _summary_rows(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    backup = document.get("backup") or {}
    scratch = document.get("scratch") or {}
    objectives = document.get("objectives") or {}
    rows = [("source", str(document.get("source") or "-"))]
    if scratch:
        state = "kept" if scratch.get("kept") else "dropped"
        rows.append(("scratch", f"{scratch.get('database')} on {scratch.get('server')} ({state})"))
    if backup:
        rows.append(
            (
                "backup",
                f"{backup.get('mode')} {backup.get('id', '')[:12]}: {backup.get('files')} files, "
                f"{_size(backup.get('encrypted_size_bytes'))} encrypted, consistent at "
                f"{backup.get('consistent_at')}",
            )
        )
        if backup.get("path"):
            rows.append(("backup path", str(backup["path"])))
        rows.append(("manifest", f"sha256:{backup.get('manifest_sha256')}"))
        rows.append(
            (
                "latest commit",
                f"{backup.get('latest_commit_at')} ({backup.get('latest_commit_source')})",
            )
        )
    rows.append(
        (
            "RPO",
            f"{human_ms(document.get('rpo_ms'))} (strictest objective "
            f"{human_s(objectives.get('strictest_rpo_seconds'))})",
        )
    )
    rows.append(
        (
            "RTO",
            f"{human_ms(document.get('rto_ms'))} (strictest objective "
            f"{human_s(objectives.get('strictest_rto_seconds'))})",
        )
    )
    rows.append(("objectives", str(objectives.get("source", "none"))))
    return rows


def result_table(document: Mapping[str, Any]) -> str:
    lines = [
        f"drill {document['drill_id'][:12]} {document['tenant']}/{document['environment']}: "
        f"{_verdict(document)}"
    ]
    if document.get("error"):
        lines.append(f"error: {document['error']}")
    lines += [f"  {k}" for k in _columns([(k, v) for k, v in _summary_rows(document)])]
    phases = document.get("phases") or []
    if phases:
        lines += [
            "",
            *_columns(
                [("phase", "time", "in RTO")]
                + [(p["name"], human_ms(p["ms"]), "yes" if p["in_rto"] else "") for p in phases]
            ),
        ]
    checks = document.get("checks") or []
    if checks:
        lines += [
            "",
            *_columns(
                [("check", "status", "detail")]
                + [(c["name"], _MARK.get(c["status"], c["status"]), c["detail"]) for c in checks]
            ),
        ]
    processes = document.get("processes") or []
    if processes:
        lines += [
            "",
            *_columns(
                [("process", "priority", "RTO objective", "RPO objective", "verdict")]
                + [
                    (
                        p["name"],
                        p["priority"],
                        human_s(p["rto_seconds"]) + ("" if p["rto_ok"] else " MISSED"),
                        human_s(p["rpo_seconds"]) + ("" if p["rpo_ok"] else " MISSED"),
                        "met" if p["passed"] else "missed",
                    )
                    for p in processes
                ]
            ),
        ]
    for note in document.get("notes") or []:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def result_markdown(document: Mapping[str, Any]) -> str:
    lines = [
        f"# Drill {document['tenant']}/{document['environment']}: {_verdict(document)}",
        "",
        f"Drill `{document['drill_id']}`, {document['started_at']} to {document['finished_at']}.",
        "",
    ]
    if document.get("error"):
        lines += [f"**Error:** {_md(document['error'])}", ""]
    lines += ["| | |", "| --- | --- |"]
    lines += [f"| {k} | {_md(v)} |" for k, v in _summary_rows(document)]
    phases = document.get("phases") or []
    if phases:
        lines += ["", "## Phases", "", "| phase | time | in RTO |", "| --- | ---: | --- |"]
        lines += [
            f"| {p['name']} | {human_ms(p['ms'])} | {'yes' if p['in_rto'] else ''} |"
            for p in phases
        ]
    checks = document.get("checks") or []
    if checks:
        lines += ["", "## Checks", "", "| check | status | detail |", "| --- | --- | --- |"]
        lines += [f"| {c['name']} | {c['status']} | {_md(c['detail'])} |" for c in checks]
    processes = document.get("processes") or []
    if processes:
        lines += [
            "",
            "## Business processes",
            "",
            "| process | priority | RTO objective | RPO objective | verdict |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {p['name']} | {p['priority']} | {human_s(p['rto_seconds'])}"
            f"{'' if p['rto_ok'] else ' (missed)'} | {human_s(p['rpo_seconds'])}"
            f"{'' if p['rpo_ok'] else ' (missed)'} | {'met' if p['passed'] else 'missed'} |"
            for p in processes
        ]
    notes = document.get("notes") or []
    if notes:
        lines += ["", *[f"- {_md(n)}" for n in notes]]
    return "\n".join(lines) + "\n"


# --- history ---------------------------------------------------------------------------------


def history_table(documents: Sequence[Mapping[str, Any]]) -> str:
    if not documents:
        return "no drills recorded\n"
    rows = [("started (UTC)", "tenant/env", "status", "RPO", "RTO", "RPO obj", "RTO obj", "detail")]
    for d in documents:
        objectives = d.get("objectives") or {}
        failed = [c["name"] for c in d.get("checks") or [] if c.get("status") == "fail"]
        missed = [p["name"] for p in d.get("processes") or [] if not p.get("passed")]
        detail = d.get("error") or ", ".join(
            [*(f"check {n}" for n in failed), *(f"objective {n}" for n in missed)]
        )
        rows.append(
            (
                str(d["started_at"])[:19].replace("T", " "),
                f"{d['tenant']}/{d['environment']}",
                str(d["status"]),
                human_ms(d.get("rpo_ms")),
                human_ms(d.get("rto_ms")),
                human_s(objectives.get("strictest_rpo_seconds")),
                human_s(objectives.get("strictest_rto_seconds")),
                str(detail or ""),
            )
        )
    passed = sum(1 for d in documents if d.get("status") == "passed")
    return (
        "\n".join(_columns(rows))
        + f"\n\ntrend (oldest first): {trend(documents)}  {passed} of {len(documents)} passed\n"
    )


def history_json(documents: Sequence[Mapping[str, Any]]) -> str:
    passed = sum(1 for d in documents if d.get("status") == "passed")
    summary = [
        {
            key: d.get(key)
            for key in (
                "drill_id",
                "tenant",
                "environment",
                "started_at",
                "status",
                "passed",
                "rpo_seconds",
                "rto_seconds",
                "rpo_ms",
                "rto_ms",
                "objectives",
                "error",
            )
        }
        for d in documents
    ]
    return (
        json.dumps(
            {
                "schema_version": SCHEMA_VERSION,
                "trend": trend(documents),
                "passed": passed,
                "total": len(documents),
                "drills": summary,
            },
            indent=2,
        )
        + "\n"
    )


def history_markdown(documents: Sequence[Mapping[str, Any]]) -> str:
    lines = ["# Drill history", ""]
    if not documents:
        return "\n".join([*lines, "No drills recorded.", ""])
    lines += [
        "| started (UTC) | tenant/env | status | RPO | RTO | RPO objective | RTO objective |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for d in documents:
        objectives = d.get("objectives") or {}
        lines.append(
            f"| {d['started_at']} | {d['tenant']}/{d['environment']} | {d['status']} | "
            f"{human_ms(d.get('rpo_ms'))} | {human_ms(d.get('rto_ms'))} | "
            f"{human_s(objectives.get('strictest_rpo_seconds'))} | "
            f"{human_s(objectives.get('strictest_rto_seconds'))} |"
        )
    passed = sum(1 for d in documents if d.get("status") == "passed")
    lines += [
        "",
        f"Trend (oldest first): `{trend(documents)}`, {passed} of {len(documents)} passed.",
    ]
    return "\n".join(lines) + "\n"


# --- recovery plan -------------------------------------------------------------------------


def plan_document(tenant: str, objectives: Objectives) -> dict[str, Any]:
    ordered = recovery_order(objectives.processes)
    return {
        "schema_version": SCHEMA_VERSION,
        "tenant": tenant,
        "source": objectives.source,
        "strictest_rto_seconds": objectives.strictest_rto,
        "strictest_rpo_seconds": objectives.strictest_rpo,
        "processes": [{"order": n, **p.as_dict()} for n, p in enumerate(ordered, start=1)],
    }


def plan_table(document: Mapping[str, Any]) -> str:
    processes = document["processes"]
    lines = [f"Recovery plan for {document['tenant']} ({document['source']})", ""]
    if not processes:
        return "\n".join([*lines, "no business processes declared", ""])
    lines += [
        "The database is restored once for every process: the restore must meet the strictest "
        f"RTO ({human_s(document['strictest_rto_seconds'])}) and RPO "
        f"({human_s(document['strictest_rpo_seconds'])}).",
        "",
    ]
    for p in processes:
        lines.append(
            f"{p['order']}. {p['name']}  {p['priority']}  RTO {human_s(p['rto_seconds'])}  "
            f"RPO {human_s(p['rpo_seconds'])}"
        )
        if p["description"]:
            lines.append(f"   {p['description']}")
        if p["workarounds"]:
            lines.append("   while Odoo is down:")
            lines += [f"   - {w}" for w in p["workarounds"]]
        else:
            lines.append("   while Odoo is down: no manual workaround declared")
    return "\n".join(lines) + "\n"


def plan_markdown(document: Mapping[str, Any]) -> str:
    lines = [f"# Recovery plan: {document['tenant']}", "", f"Objectives: {document['source']}.", ""]
    processes = document["processes"]
    if not processes:
        return "\n".join([*lines, "No business processes declared.", ""])
    lines += [
        "| # | process | priority | RTO | RPO | manual workarounds |",
        "| ---: | --- | --- | ---: | ---: | --- |",
    ]
    for p in processes:
        workarounds = "<br>".join(_md(w) for w in p["workarounds"]) or "none declared"
        lines.append(
            f"| {p['order']} | {p['name']} | {p['priority']} | {human_s(p['rto_seconds'])} | "
            f"{human_s(p['rpo_seconds'])} | {workarounds} |"
        )
    return "\n".join(lines) + "\n"


# --- HTML ------------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#1d2733}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;width:100%}
td,th{border:1px solid #d5dbe3;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f4f8}.pass,.passed,.met{color:#17703a}.fail,.failed,.missed,.error{color:#b3261e}
.skip{color:#6b7785}.verdict{font-weight:700}svg{background:#fbfcfe;border:1px solid #d5dbe3}
"""
_TICKS = (1, 10, 60, 600, 3600, 6 * 3600, 86_400, 7 * 86_400)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def chart(documents: Sequence[Mapping[str, Any]], metric: str) -> str:
    """Inline SVG: achieved `metric` (rto or rpo) per drill against the strictest objective,
    on a log scale (seconds); failed drills' points are red, errors are crosses."""
    width, height, left, right, top, bottom = 720, 240, 64, 16, 24, 40
    title = metric.upper()
    values: list[tuple[float | None, float | None, bool]] = []
    for d in documents:
        achieved_ms = d.get(f"{metric}_ms")
        objective = (d.get("objectives") or {}).get(f"strictest_{metric}_seconds")
        achieved = None if achieved_ms is None else max(achieved_ms / 1000, 1.0)
        ok = objective is None or (achieved_ms is not None and achieved_ms <= objective * 1000)
        values.append((achieved, None if objective is None else float(max(objective, 1)), ok))
    peak = max([v for a, o, _ in values for v in (a, o) if v is not None] + [60.0])
    top_value = 10 ** math.ceil(math.log10(peak * 1.5))
    span = math.log10(top_value)

    def y(value: float) -> float:
        return top + (height - top - bottom) * (1 - math.log10(max(value, 1.0)) / span)

    count = max(len(values), 1)

    def x(index: int) -> float:
        if count == 1:
            return left + (width - left - right) / 2
        return left + (width - left - right) * index / (count - 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)} achieved versus '
        'objective">',
        f'<text x="{left}" y="16" font-size="13" font-weight="700">{_e(title)}: achieved '
        "(points) vs strictest objective (dashed), log scale</text>",
    ]
    for tick in _TICKS:
        if tick > top_value:
            break
        ty = y(tick)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" '
            'stroke="#e3e8ef"/>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" font-size="11" text-anchor="end">'
            f"{_e(human_s(tick))}</text>"
        )
    objective_points = [
        f"{x(i):.1f},{y(o):.1f}" for i, (_, o, _) in enumerate(values) if o is not None
    ]
    if objective_points:
        parts.append(
            f'<polyline points="{" ".join(objective_points)}" fill="none" stroke="#7a5af8" '
            'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    achieved_points = [
        f"{x(i):.1f},{y(a):.1f}" for i, (a, _, _) in enumerate(values) if a is not None
    ]
    if len(achieved_points) > 1:
        parts.append(
            f'<polyline points="{" ".join(achieved_points)}" fill="none" stroke="#2f6fde" '
            'stroke-width="1.5"/>'
        )
    for index, (achieved, _, ok) in enumerate(values):
        document = documents[index]
        label = f"{document.get('started_at')}: {document.get('status')}"
        if achieved is None:
            cx, cy = x(index), y(1.0)
            parts.append(
                f'<path d="M{cx - 5:.1f},{cy - 5:.1f}L{cx + 5:.1f},{cy + 5:.1f}'
                f'M{cx - 5:.1f},{cy + 5:.1f}L{cx + 5:.1f},{cy - 5:.1f}" stroke="#b3261e" '
                f'stroke-width="2"><title>{_e(label)} (no measurement)</title></path>'
            )
            continue
        colour = "#17703a" if ok else "#b3261e"
        parts.append(
            f'<circle cx="{x(index):.1f}" cy="{y(achieved):.1f}" r="4.5" fill="{colour}">'
            f"<title>{_e(label)}, {metric.upper()} {_e(human_ms(int(achieved * 1000)))}"
            "</title></circle>"
        )
    if documents:
        first = str(documents[0].get("started_at", ""))[:10]
        last = str(documents[-1].get("started_at", ""))[:10]
        parts.append(
            f'<text x="{left}" y="{height - 12}" font-size="11">{_e(first)}</text>'
            f'<text x="{width - right}" y="{height - 12}" font-size="11" text-anchor="end">'
            f"{_e(last)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[tuple[str, str]]]) -> str:
    """Rows of (text, css class) cells; everything escaped."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="{_e(cls)}">{_e(text)}</td>' for text, cls in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def _history_section(history: Sequence[Mapping[str, Any]]) -> str:
    if not history:
        return "<h2>History</h2><p>No drills recorded.</p>"
    rows = [
        [
            (str(d["started_at"]), ""),
            (str(d["status"]), str(d["status"])),
            (human_ms(d.get("rpo_ms")), ""),
            (human_ms(d.get("rto_ms")), ""),
            (str(d.get("error") or ""), ""),
        ]
        for d in history
    ]
    passed = sum(1 for d in history if d.get("status") == "passed")
    return (
        "<h2>History</h2>"
        f"<p>Trend (oldest first): <code>{_e(trend(history))}</code>, {passed} of "
        f"{len(history)} passed.</p>"
        f"<p>{chart(history, 'rto')}</p><p>{chart(history, 'rpo')}</p>"
        + _html_table(("started (UTC)", "status", "RPO", "RTO", "error"), rows)
    )


def result_html(document: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> str:
    status = str(document.get("status", "error"))
    title = f"Drill {document['tenant']}/{document['environment']}: {status.upper()}"
    body = [
        f'<h1>{_e(title.split(":")[0])}: <span class="verdict {_e(status)}">'
        f"{_e(status.upper())}</span></h1>",
        f"<p>Drill <code>{_e(document['drill_id'])}</code>, {_e(document['started_at'])} to "
        f"{_e(document['finished_at'])}.</p>",
    ]
    if document.get("error"):
        body.append(f'<p class="error">Error: {_e(document["error"])}</p>')
    body.append(_html_table(("", ""), [[(k, ""), (v, "")] for k, v in _summary_rows(document)]))
    phases = document.get("phases") or []
    if phases:
        body.append("<h2>Phases</h2>")
        body.append(
            _html_table(
                ("phase", "time", "in RTO"),
                [
                    [(p["name"], ""), (human_ms(p["ms"]), ""), ("yes" if p["in_rto"] else "", "")]
                    for p in phases
                ],
            )
        )
    checks = document.get("checks") or []
    if checks:
        body.append("<h2>Checks</h2>")
        body.append(
            _html_table(
                ("check", "status", "detail"),
                [[(c["name"], ""), (c["status"], c["status"]), (c["detail"], "")] for c in checks],
            )
        )
    processes = document.get("processes") or []
    if processes:
        body.append("<h2>Business processes</h2>")
        body.append(
            _html_table(
                ("process", "priority", "RTO objective", "RPO objective", "verdict"),
                [
                    [
                        (p["name"], ""),
                        (p["priority"], ""),
                        (human_s(p["rto_seconds"]), "" if p["rto_ok"] else "missed"),
                        (human_s(p["rpo_seconds"]), "" if p["rpo_ok"] else "missed"),
                        ("met" if p["passed"] else "missed", "met" if p["passed"] else "missed"),
                    ]
                    for p in processes
                ],
            )
        )
    notes = document.get("notes") or []
    if notes:
        body.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
    body.append(_history_section(history))
    return _page(title, "".join(body))


def history_html(documents: Sequence[Mapping[str, Any]]) -> str:
    return _page("Drill history", "<h1>Drill history</h1>" + _history_section(documents))
