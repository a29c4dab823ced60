"""Pull-request approvals: latest decisive review per reviewer, the author never counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bulkhead.evidence.model import EvidenceError, ItemStatus
from bulkhead.evidence.reviews import ReviewState, collect_reviews, parse_reviews
from tests.evidence.helpers import FIXTURES, load_fixture, write_json

OLD = "1111111111111111111111111111111111111111"


def _review(login: str, state: str, time: str, commit: str = OLD) -> dict[str, Any]:
    return {"user": {"login": login}, "state": state, "submitted_at": time, "commit_id": commit}


def test_realistic_export() -> None:
    reviews = parse_reviews(load_fixture("reviews-pr-412.json"), "reviews.json", author="alice")
    # carol approved, then requested changes; alice's approval is her own; dave's comment after
    # his approval does not withdraw it; erin's review is pending; a deleted user cannot count.
    assert reviews.approvers == ("dave",)
    assert reviews.author_reviews_excluded == 1
    standing = {r.reviewer: r.state for r in reviews.latest}
    assert standing == {"carol": ReviewState.CHANGES_REQUESTED, "dave": ReviewState.APPROVED}
    assert [r.reviewer for r in reviews.reviews] == ["carol", "dave", "carol", "dave"]
    assert reviews.reviews[0].time == dt.datetime(2026, 11, 28, 10, 2, 11, tzinfo=dt.UTC)
    assert reviews.approvers_at(OLD) == ("dave",)
    assert reviews.approvers_at("2" * 40) == ()


def test_self_approval_alone_gives_no_approver() -> None:
    doc = [_review("alice", "APPROVED", "2026-11-28T10:00:00Z")]
    reviews = parse_reviews(doc, "r.json", author="alice")
    assert reviews.approvers == () and reviews.author_reviews_excluded == 1


def test_author_match_ignores_case() -> None:
    doc = [_review("ALICE", "APPROVED", "2026-11-28T10:00:00Z")]
    assert parse_reviews(doc, "r.json", author="alice").approvers == ()


def test_later_changes_requested_overrides_approval_even_if_listed_first() -> None:
    doc = [
        _review("bob", "CHANGES_REQUESTED", "2026-11-29T09:00:00Z"),
        _review("bob", "APPROVED", "2026-11-28T09:00:00+02:00"),
    ]
    reviews = parse_reviews(doc, "r.json", author="alice")
    assert reviews.approvers == ()
    assert reviews.latest[0].state is ReviewState.CHANGES_REQUESTED


def test_approval_after_changes_requested_counts() -> None:
    doc = [
        _review("bob", "CHANGES_REQUESTED", "2026-11-28T09:00:00Z"),
        _review("bob", "APPROVED", "2026-11-29T09:00:00Z", commit="2" * 40),
        _review("Carol", "APPROVED", "2026-11-29T10:00:00Z", commit="2" * 40),
    ]
    reviews = parse_reviews(doc, "r.json", author="alice")
    assert reviews.approvers == ("bob", "Carol")
    assert reviews.approvers_at("2" * 40) == ("Carol", "bob")


def test_dismissed_approval_does_not_count() -> None:
    doc = [
        _review("bob", "APPROVED", "2026-11-28T09:00:00Z"),
        _review("bob", "DISMISSED", "2026-11-28T10:00:00Z"),
    ]
    assert parse_reviews(doc, "r.json", author="alice").approvers == ()


def test_object_form_carries_the_author() -> None:
    doc = {
        "author": {"login": "alice"},
        "reviews": [_review("bob", "APPROVED", "2026-11-28T09:00:00Z")],
    }
    assert parse_reviews(doc, "r.json").approvers == ("bob",)
    pr = {"pull_request": {"user": {"login": "bob"}}, "reviews": doc["reviews"]}
    assert parse_reviews(pr, "r.json").approvers == ()


def test_author_disagreement_is_a_mismatch() -> None:
    doc = {"author": "mallory", "reviews": []}
    with pytest.raises(EvidenceError) as caught:
        parse_reviews(doc, "r.json", author="alice")
    assert caught.value.status is ItemStatus.MISMATCH


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        ([_review("bob", "LGTM", "2026-11-28T09:00:00Z")], "not a review state"),
        ([_review("bob", "APPROVED", "yesterday")], "not an RFC 3339 timestamp"),
        (
            [{"user": {"id": 3}, "state": "APPROVED", "submitted_at": "2026-11-28T09:00:00Z"}],
            "no login",
        ),
        ({"reviews": "none"}, "not a list"),
        ("approved", "not a list of reviews"),
    ],
)
def test_malformed_exports(doc: object, needle: str) -> None:
    with pytest.raises(EvidenceError, match=needle):
        parse_reviews(doc, "r.json", author="alice")


def test_author_is_required() -> None:
    with pytest.raises(EvidenceError, match="author is not known"):
        parse_reviews([], "r.json")


def test_collect(tmp_path: Path) -> None:
    item = collect_reviews(FIXTURES / "reviews-pr-412.json", author="alice")
    assert item.ok and item.reviews is not None and item.reviews.approvers == ("dave",)
    bad = collect_reviews(write_json(tmp_path / "r.json", {"reviews": 1}), author="alice")
    assert bad.status is ItemStatus.UNPARSABLE and bad.sha256 is not None
    assert collect_reviews(tmp_path / "none.json").status is ItemStatus.MISSING
