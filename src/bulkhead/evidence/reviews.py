"""Pull-request approvals from a GitHub-API-like JSON export.

Accepted shapes:
- the list `GET /repos/{o}/{r}/pulls/{n}/reviews` returns, with the PR author given separately;
- `{"author": "<login>" | {"login": ...}, "reviews": [...]}`, or
  `{"pull_request": {"user": {"login": ...}}, "reviews": [...]}`.

Each review is `{"user": {"login"}, "state", "submitted_at", "commit_id"?}`. As on GitHub, a
reviewer's latest *decisive* review counts (APPROVED, CHANGES_REQUESTED or DISMISSED): a later
comment does not withdraw an approval, a later request for changes or a dismissal does. The
author's own reviews never count; logins compare case-insensitively. Pending reviews (not yet
submitted) and reviews by deleted accounts (`user: null`) are ignored.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from typing import Any

from bulkhead.evidence.model import (
    EvidenceError,
    EvidenceItem,
    Frozen,
    ItemStatus,
    problem,
    shown,
)
from bulkhead.evidence.reading import MAX_EVIDENCE_BYTES, parse_json, read_evidence


class ReviewState(enum.StrEnum):
    APPROVED = "APPROVED"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    COMMENTED = "COMMENTED"
    DISMISSED = "DISMISSED"
    PENDING = "PENDING"


DECISIVE_STATES = frozenset(
    {ReviewState.APPROVED, ReviewState.CHANGES_REQUESTED, ReviewState.DISMISSED}
)


class Review(Frozen):
    reviewer: str
    state: ReviewState
    time: dt.datetime
    commit: str | None = None


class ReviewSet(Frozen):
    author: str
    reviews: tuple[Review, ...] = ()
    """Every submitted review by someone other than the author, oldest first."""
    latest: tuple[Review, ...] = ()
    """Each reviewer's latest decisive review, by reviewer."""
    approvers: tuple[str, ...] = ()
    """Reviewers whose latest decisive review is an approval, sorted."""
    author_reviews_excluded: int = 0

    def approvers_at(self, commit: str) -> tuple[str, ...]:
        """Approvers whose approval was given on `commit` (stale approvals excluded)."""
        return tuple(
            sorted(
                r.reviewer
                for r in self.latest
                if r.state is ReviewState.APPROVED and r.commit == commit
            )
        )


class ReviewEvidence(EvidenceItem):
    reviews: ReviewSet | None = None


def _bad(source: str, what: str) -> EvidenceError:
    return EvidenceError(ItemStatus.UNPARSABLE, f"{source}: {what}")


def _login(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, dict):
        login = value.get("login")
        if isinstance(login, str) and login.strip():
            return login.strip()
    return None


def parse_time(value: Any, source: str, where: str) -> dt.datetime:
    """An RFC 3339 timestamp; one without an offset is taken as UTC. Returned in UTC."""
    if not isinstance(value, str):
        raise _bad(source, f"{where}: missing or not a timestamp string")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _bad(source, f"{where}: {shown(value)} is not an RFC 3339 timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _split(doc: Any, source: str, author: str | None) -> tuple[str, list[Any]]:
    file_author: str | None = None
    reviews: list[Any]
    if isinstance(doc, list):
        reviews = doc
    elif isinstance(doc, dict):
        listed = doc.get("reviews")
        if not isinstance(listed, list):
            raise _bad(source, "reviews is missing or not a list")
        reviews = listed
        pull = doc.get("pull_request")
        file_author = _login(doc.get("author")) or (
            _login(pull.get("user")) if isinstance(pull, dict) else None
        )
    else:
        raise _bad(source, "not a list of reviews or an object with reviews")
    if author is not None and file_author is not None and author.lower() != file_author.lower():
        raise EvidenceError(
            ItemStatus.MISMATCH,
            f"{source}: export is for a pull request by {shown(file_author)}, "
            f"not by {shown(author)}",
        )
    chosen = author or file_author
    if not chosen:
        raise _bad(source, "the pull request author is not known (give it, or add 'author')")
    return chosen, reviews


def parse_reviews(doc: Any, source: str, author: str | None = None) -> ReviewSet:
    """Normalize an export; raises EvidenceError (UNPARSABLE or MISMATCH)."""
    pr_author, entries = _split(doc, source, author)
    reviews: list[Review] = []
    excluded = 0
    for index, entry in enumerate(entries):
        where = f"reviews[{index}]"
        if not isinstance(entry, dict):
            raise _bad(source, f"{where}: not an object")
        state_text = entry.get("state")
        try:
            if not isinstance(state_text, str):
                raise ValueError(state_text)
            state = ReviewState(state_text)
        except ValueError:
            raise _bad(
                source, f"{where}.state: {shown(state_text)} is not a review state"
            ) from None
        if state is ReviewState.PENDING:
            continue
        reviewer = _login(entry.get("user"))
        if reviewer is None:
            if entry.get("user") is None:
                continue  # a deleted account: cannot be attributed, so cannot count
            raise _bad(source, f"{where}.user: no login")
        time = parse_time(entry.get("submitted_at"), source, f"{where}.submitted_at")
        if reviewer.lower() == pr_author.lower():
            excluded += 1
            continue
        commit = entry.get("commit_id")
        reviews.append(
            Review(
                reviewer=reviewer,
                state=state,
                time=time,
                commit=commit if isinstance(commit, str) and commit else None,
            )
        )
    reviews.sort(key=lambda r: r.time)  # stable: equal times keep the export's order
    latest: dict[str, Review] = {}
    for review in reviews:
        if review.state in DECISIVE_STATES:
            latest[review.reviewer.lower()] = review
    decisive = tuple(sorted(latest.values(), key=lambda r: r.reviewer.lower()))
    return ReviewSet(
        author=pr_author,
        reviews=tuple(reviews),
        latest=decisive,
        approvers=tuple(r.reviewer for r in decisive if r.state is ReviewState.APPROVED),
        author_reviews_excluded=excluded,
    )


def collect_reviews(
    path: str | os.PathLike[str],
    author: str | None = None,
    max_bytes: int = MAX_EVIDENCE_BYTES,
) -> ReviewEvidence:
    source = os.fspath(path)
    try:
        raw = read_evidence(source, max_bytes)
    except EvidenceError as error:
        return ReviewEvidence(source=source, problems=(problem(error.status, error.message),))
    try:
        review_set = parse_reviews(parse_json(raw.data, source), source, author)
    except EvidenceError as error:
        return ReviewEvidence(
            source=source, sha256=raw.sha256, problems=(problem(error.status, error.message),)
        )
    return ReviewEvidence(source=source, sha256=raw.sha256, reviews=review_set)
