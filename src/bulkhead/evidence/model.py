"""The shared vocabulary of release evidence: candidates, item statuses, problems, results.

Collecting evidence never raises for bad evidence: an item that is missing, cannot be parsed,
does not verify, names another digest or has expired is still recorded, with its status and the
reason, and the gate decides. Exceptions are for programmer errors and for trust configuration
(keys) that cannot be loaded.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"
HEX64_PATTERN = r"^[0-9a-f]{64}$"
COMMIT_PATTERN = r"^[0-9a-f]{40}$"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$"
# A repository reference without tag or digest: optional registry host[:port], then lowercase
# path components (the distribution reference grammar, slightly simplified).
IMAGE_PATTERN = (
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"(?::[0-9]{1,5})?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)

DIGEST_RE = re.compile(DIGEST_PATTERN)
EMBEDDED_DIGEST_RE = re.compile(r"sha256:[0-9a-fA-F]{64}(?![0-9a-fA-F])")

Digest = Annotated[str, Field(pattern=DIGEST_PATTERN)]

T = TypeVar("T")


class ItemStatus(enum.StrEnum):
    """What became of one evidence item. Everything but OK denies at a fail-closed gate."""

    OK = "ok"
    MISSING = "missing"  # named but not there (or not readable)
    UNPARSABLE = "unparsable"  # too large, not JSON, not the format, malformed encoding
    UNVERIFIABLE = "unverifiable"  # no trusted key, bad signature, unknown subject
    MISMATCH = "mismatch"  # names another image digest (or commit)
    REJECTED = "rejected"  # verified, but breaks policy: payload type, builder, statement type
    EXPIRED = "expired"  # an accepted risk past its expiry date


class EvidenceKind(enum.StrEnum):
    COMMIT = "commit"
    SCAN = "scan"
    VULNERABILITIES = "vulnerabilities"
    SBOM = "sbom"
    SIGNATURE = "signature"
    PROVENANCE = "provenance"
    REVIEWS = "reviews"
    RISKS = "risks"


class EvidenceError(Exception):
    """Bad evidence met below the collectors; they turn it into a recorded problem."""

    def __init__(self, status: ItemStatus, message: str) -> None:
        if status is ItemStatus.OK:
            raise ValueError("an EvidenceError needs a failing status")
        super().__init__(one_line(message))
        self.status = status
        self.message = one_line(message)


@dataclass(frozen=True, slots=True)
class Verification(Generic[T]):
    """The answer of a verification function: never an exception for bad evidence."""

    ok: bool
    reason: str
    status: ItemStatus
    value: T | None = None

    @classmethod
    def passed(cls, reason: str, value: T) -> Verification[T]:
        return cls(True, one_line(reason), ItemStatus.OK, value)

    @classmethod
    def failed(cls, status: ItemStatus, reason: str, value: T | None = None) -> Verification[T]:
        if status is ItemStatus.OK:
            raise ValueError("a failed verification needs a failing status")
        return cls(False, one_line(reason), status, value)

    @classmethod
    def first_valid(cls, results: Sequence[Verification[T]], what: str) -> Verification[T]:
        """The first of several verifications of one file's documents that passed; else the
        first failure, saying how many `what` (signatures, attestations) were tried."""
        for result in results:
            if result.ok:
                return result
        first = results[0]
        if len(results) == 1:
            return first
        return cls.failed(
            first.status, f"none of {len(results)} {what} is valid; first: {first.reason}"
        )


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def one_line(text: str) -> str:
    """Messages are one line: control characters (a newline in a file name) are escaped."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


def shown(value: object, limit: int = 80) -> str:
    """An untrusted value quoted for a message: repr'd, one line, and cut to `limit`."""
    text = one_line(repr(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Frozen(BaseModel):
    """Our own formats: immutable, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Candidate(Frozen):
    """The thing being promoted: one image digest built from one commit, for one tenant/env."""

    tenant: str = Field(pattern=NAME_PATTERN)
    environment: str = Field(pattern=NAME_PATTERN)
    image: str = Field(pattern=IMAGE_PATTERN, max_length=255)
    digest: str = Field(pattern=DIGEST_PATTERN)
    commit: str = Field(pattern=COMMIT_PATTERN)

    @property
    def digest_hex(self) -> str:
        return self.digest.removeprefix("sha256:")

    @property
    def reference(self) -> str:
        return f"{self.image}@{self.digest}"


class Problem(Frozen):
    status: ItemStatus
    message: str

    @field_validator("status")
    @classmethod
    def _failing(cls, status: ItemStatus) -> ItemStatus:
        if status is ItemStatus.OK:
            raise ValueError("a problem cannot have status ok")
        return status

    @field_validator("message")
    @classmethod
    def _one_line(cls, message: str) -> str:
        return one_line(message)


def problem(status: ItemStatus, message: str) -> Problem:
    return Problem(status=status, message=message)


class EvidenceItem(Frozen):
    """Where an item came from, the sha256 of the bytes it was read from, and what went wrong.

    `status` is OK when there are no problems, else the status of the first problem (problems
    are recorded in the order the checks run: read, parse, verify, policy, digest, expiry).
    It may be omitted on construction and is then derived.
    """

    source: str
    sha256: str | None = Field(default=None, pattern=HEX64_PATTERN)
    status: ItemStatus = ItemStatus.OK
    problems: tuple[Problem, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _derive_status(cls, data: Any) -> Any:
        if isinstance(data, dict) and "status" not in data:
            problems = data.get("problems") or ()
            first = problems[0] if problems else None
            if first is None:
                status: object = ItemStatus.OK
            elif isinstance(first, Problem):
                status = first.status
            elif isinstance(first, dict):
                status = first.get("status")
            else:
                return data
            return {**data, "status": status}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> EvidenceItem:
        expected = self.problems[0].status if self.problems else ItemStatus.OK
        if self.status is not expected:
            raise ValueError(
                f"status {self.status.value!r} disagrees with the problems "
                f"(expected {expected.value!r})"
            )
        return self

    @property
    def ok(self) -> bool:
        return self.status is ItemStatus.OK
