"""The candidate commit, read from git through an injectable runner.

Git is run without a shell, with the commit id validated as 40 lowercase hex before it reaches
an argv, followed by `--` so it can never be read as an option or a path. Output that a user's
configuration could change is pinned: `--no-show-signature` (log.showSignature would mix gpg
output into `git show`), `--no-color`, `-z` for file names (no quoting of odd names).

Signature status comes from `git verify-commit --raw`:
- `unsigned`: the commit object has no `gpgsig` header (read with `git cat-file commit`);
- `good`: verify-commit exits 0;
- `bad`: gpg reports BADSIG, or ssh-keygen reports an incorrect signature;
- `unverifiable`: anything else (no public key, no allowed-signers file, no gpg).

The item's sha256 is that of the raw commit object (`git cat-file commit`), which is what the
commit id itself addresses.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from typing import Protocol

from bulkhead.evidence.model import (
    COMMIT_PATTERN,
    EvidenceError,
    EvidenceItem,
    Frozen,
    ItemStatus,
    Verification,
    problem,
    shown,
)

GIT_TIMEOUT_SECONDS = 60.0
_COMMIT = re.compile(COMMIT_PATTERN)
_FIELDS = ("%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%s")
SHOW_FORMAT = "%x00".join(_FIELDS)


class Runner(Protocol):
    """Runs an argv (never through a shell) and returns (returncode, stdout, stderr)."""

    def __call__(self, argv: Sequence[str]) -> tuple[int, str, str]: ...


def git_runner(
    repository: str | os.PathLike[str],
    timeout: float = GIT_TIMEOUT_SECONDS,
    env: Mapping[str, str] | None = None,
) -> Runner:
    """A Runner executing in `repository`. Output is decoded with surrogateescape, so encoding
    it back gives the exact bytes git wrote."""
    cwd = os.fspath(repository)
    environment = dict(os.environ if env is None else env)
    environment.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_PAGER": "cat"})

    def run(argv: Sequence[str]) -> tuple[int, str, str]:
        try:
            completed = subprocess.run(
                list(argv),
                cwd=cwd,
                env=environment,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except FileNotFoundError:
            return 127, "", f"{argv[0]}: command not found"
        except subprocess.TimeoutExpired:
            return 124, "", f"{argv[0]}: timed out after {timeout:.0f}s"
        except OSError as error:
            return 126, "", f"{argv[0]}: {error.strerror or error}"
        return (
            completed.returncode,
            completed.stdout.decode("utf-8", "surrogateescape"),
            completed.stderr.decode("utf-8", "surrogateescape"),
        )

    return run


class SignatureStatus(enum.StrEnum):
    GOOD = "good"
    BAD = "bad"
    UNSIGNED = "unsigned"
    UNVERIFIABLE = "unverifiable"


class Person(Frozen):
    name: str
    email: str
    time: dt.datetime


class CommitInfo(Frozen):
    sha: str
    parents: tuple[str, ...] = ()
    author: Person
    committer: Person
    subject: str
    signature: SignatureStatus
    signature_detail: str = ""
    changed_files: tuple[str, ...] = ()


class CommitEvidence(EvidenceItem):
    commit: CommitInfo | None = None


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return shown(line.strip(), 160)[1:-1]
    return "no output"


def _git(
    runner: Runner,
    argv: Sequence[str],
    source: str,
    status: ItemStatus = ItemStatus.UNPARSABLE,
) -> str:
    code, out, err = runner(["git", *argv])
    if code != 0:
        raise EvidenceError(
            status, f"{source}: git {argv[0]} failed (exit {code}): {_first_line(err)}"
        )
    return out


def _clean(text: str) -> str:
    """Git output decoded with surrogateescape, made valid Unicode (bad bytes become U+FFFD)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _has_signature(commit_object: str) -> bool:
    header = commit_object.split("\n\n", 1)[0]
    return any(line.startswith(("gpgsig ", "gpgsig-sha256 ")) for line in header.split("\n"))


_GOOD = re.compile(r"^\[GNUPG:\] (?:GOODSIG|VALIDSIG) (\S+)", re.MULTILINE)
_SSH_GOOD = re.compile(r'^Good "git" signature (?:for \S+ )?with (.+)$', re.MULTILINE)


def signature_status(runner: Runner, sha: str, commit_object: str) -> tuple[SignatureStatus, str]:
    """Classify `git verify-commit --raw` for a commit whose raw object is `commit_object`."""
    if not _has_signature(commit_object):
        return SignatureStatus.UNSIGNED, "commit has no signature"
    code, out, err = runner(["git", "verify-commit", "--raw", sha, "--"])
    output = f"{out}\n{err}"
    if code == 0:
        good = _GOOD.search(output) or _SSH_GOOD.search(output)
        signer = good.group(1).strip() if good else "a trusted key"
        return SignatureStatus.GOOD, f"good signature by {shown(signer, 120)[1:-1]}"
    if (
        "[GNUPG:] BADSIG" in output
        or "incorrect signature" in output
        or "Signature verification failed" in output
    ):
        return SignatureStatus.BAD, f"bad signature: {_first_line(output)}"
    return SignatureStatus.UNVERIFIABLE, f"cannot verify the signature: {_first_line(output)}"


def _person(name: str, email: str, time: str, source: str, role: str) -> Person:
    try:
        when = dt.datetime.fromisoformat(time)
    except ValueError:
        raise EvidenceError(
            ItemStatus.UNPARSABLE, f"{source}: {role} date {shown(time)} is not ISO 8601"
        ) from None
    return Person(name=name, email=email, time=when)


def read_commit(
    runner: Runner, sha: str, source: str = "git"
) -> Verification[tuple[CommitInfo, str]]:
    """Author, committer, signature status and changed files of `sha`.

    The value is (info, sha256 hex of the raw commit object). `sha` must be 40 lowercase hex:
    anything else is a programmer error (the Candidate model validates it) and raises.
    """
    if not _COMMIT.match(sha):
        raise ValueError(f"not a full commit id: {sha!r}")
    where = f"{source}: commit {sha}"
    try:
        # the commit must exist: any failure to read it means the evidence is missing
        raw_object = _git(runner, ["cat-file", "commit", sha], where, ItemStatus.MISSING)
        digest = hashlib.sha256(raw_object.encode("utf-8", "surrogateescape")).hexdigest()
        shown_fields = _git(
            runner,
            [
                "show",
                "-s",
                "--no-show-signature",
                "--no-color",
                f"--format={SHOW_FORMAT}",
                sha,
                "--",
            ],
            where,
        )
        fields = [_clean(f) for f in shown_fields.rstrip("\n").split("\x00")]
        if len(fields) != len(_FIELDS) or fields[0] != sha:
            raise EvidenceError(ItemStatus.UNPARSABLE, f"{where}: unexpected output from git show")
        parents = tuple(fields[1].split())
        diff_args = ["diff-tree", "--no-commit-id", "--name-only", "-r", "-z", "--no-renames"]
        if not parents:
            diff_args += ["--root", sha, "--"]
        elif len(parents) > 1:
            diff_args += [parents[0], sha, "--"]  # what the merge brought into the mainline
        else:
            diff_args += [sha, "--"]
        files = _git(runner, diff_args, where)
        status, detail = signature_status(runner, sha, raw_object)
        info = CommitInfo(
            sha=sha,
            parents=parents,
            author=_person(fields[2], fields[3], fields[4], where, "author"),
            committer=_person(fields[5], fields[6], fields[7], where, "committer"),
            subject=fields[8],
            signature=status,
            signature_detail=detail,
            changed_files=tuple(sorted(_clean(f) for f in files.split("\x00") if f)),
        )
    except EvidenceError as error:
        return Verification.failed(error.status, error.message)
    return Verification.passed(f"{where}: read ({status.value} signature)", (info, digest))


def collect_commit(runner: Runner, sha: str, source: str = "git") -> CommitEvidence:
    """The commit as an evidence item.

    A *bad* signature is a problem (UNVERIFIABLE): a forged or corrupted signature is never
    acceptable. An unsigned commit, or one whose signer is unknown here, is recorded in the info
    only; whether the environment requires a `good` signature is the gate's decision.
    """
    result = read_commit(runner, sha, source)
    described = f"{source}: commit {sha}"
    if not result.ok or result.value is None:
        return CommitEvidence(source=described, problems=(problem(result.status, result.reason),))
    info, digest = result.value
    problems = (
        (problem(ItemStatus.UNVERIFIABLE, f"{described}: {info.signature_detail}"),)
        if info.signature is SignatureStatus.BAD
        else ()
    )
    return CommitEvidence(source=described, sha256=digest, problems=problems, commit=info)
