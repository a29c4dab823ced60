"""Secret tokens committed in any scanned file, found with detect-secrets.

Every file bulkhead reads (manifests, rendered charts, Dockerfiles, configuration files) is
searched once with one cheap regular expression for the shapes real credentials have (AWS key
IDs, private key headers, GitHub, GitLab, Slack, Stripe, npm and PyPI tokens, JWTs, ...). Only
lines that match are handed to detect-secrets' detectors, which confirm the token type. Key-name
heuristics live in the controls that understand structure (WL020, SC002, DF005); this finds
tokens wherever they are. The secret itself never leaves this module: only a fingerprint does.
"""

from __future__ import annotations

import re
from typing import Any

from bulkhead.model import Diagnostic, Location, redact

# Detectors with a distinctive token shape. The generic keyword and entropy detectors are left
# out: they are noisy on manifests, and the structured controls already judge key names.
DETECTORS = (
    "AWSKeyDetector",
    "AzureStorageKeyDetector",
    "GitHubTokenDetector",
    "GitLabTokenDetector",
    "JwtTokenDetector",
    "NpmDetector",
    "OpenAIDetector",
    "PrivateKeyDetector",
    "PypiTokenDetector",
    "SendGridDetector",
    "SlackDetector",
    "SquareOAuthDetector",
    "StripeDetector",
    "TelegramBotTokenDetector",
)

# Literal prefixes of those tokens: a substring test per marker runs at C speed, so a file
# without any (nearly every file) costs almost nothing.
_MARKERS = (
    "AKIA", "ASIA", "ABIA", "ACCA", "A3T", "PRIVATE KEY", "ghp_", "gho_", "ghu_", "ghs_",
    "ghr_", "github_pat_", "glpat-",
    "glptt-", "gldt-", "xox", "sk_live_", "rk_live_", "sk-", "npm_", "pypi-", "eyJ", "SG.",
    "AccountKey=", ":AA", "sq0",
)  # fmt: skip
# The token shapes, run only on files holding a marker, to find the lines worth confirming.
_CANDIDATE = re.compile(
    r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}"
    r"|-----BEGIN[A-Z ]*PRIVATE KEY"
    r"|\b(?:gh[pousr]_|github_pat_|glpat-|glptt-|gldt-|xox[abposr]-|sk_live_|rk_live_|sk-|npm_|pypi-)"
    r"|\beyJ[A-Za-z0-9_-]{8,}\."
    r"|\bSG\.[A-Za-z0-9_-]{16,}"
    r"|AccountKey="
    r"|\b[0-9]{8,10}:AA[0-9A-Za-z_-]{32,}"
    r"|\bsq0(?:csp|atp)-"
)


def find_secrets(text: str, file: str) -> list[Diagnostic]:
    """One `secret` Diagnostic per confirmed token: its type, line and fingerprint."""
    if not any(map(text.__contains__, _MARKERS)):
        return []
    first = _CANDIDATE.search(text)
    if first is None:
        return []
    lines = text.splitlines()
    candidates = sorted(
        {text.count("\n", 0, match.start()) for match in _CANDIDATE.finditer(text, first.start())}
    )
    found: list[Diagnostic] = []
    for index in candidates:
        line = lines[index] if index < len(lines) else ""
        for kind, value in _confirm(line):
            found.append(Diagnostic("secret", Location(file, index + 1), f"{kind} {redact(value)}"))
    return found


def _confirm(line: str) -> list[tuple[str, str]]:
    # Imported here: most scans find no candidate and never pay for detect-secrets' import.
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import transient_settings

    with transient_settings({"plugins_used": [{"name": name} for name in DETECTORS]}):
        results: list[Any] = list(scan_line(line))
    return [(str(r.type), str(r.secret_value or "")) for r in results]
