"""The candidate commit, from a real temporary git repository and from a fake runner."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from bulkhead.evidence.commit import (
    Runner,
    SignatureStatus,
    collect_commit,
    git_runner,
    read_commit,
)
from bulkhead.evidence.model import ItemStatus

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _env(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GNUPGHOME": str(home / ".gnupg"),
    }


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root / "repo"
        self.root.mkdir()
        (root / "home").mkdir()
        self.env = _env(root / "home")
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, when: str = "2026-11-30T09:00:00+01:00", who: str = "Alice") -> str:
        env = {
            **self.env,
            "GIT_AUTHOR_NAME": who,
            "GIT_AUTHOR_EMAIL": f"{who.lower()}@acme.example",
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": "Release Bot",
            "GIT_COMMITTER_EMAIL": "bot@acme.example",
            "GIT_COMMITTER_DATE": "2026-11-30T10:00:00Z",
        }
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=env, capture_output=True, check=True, text=True
        )
        return done.stdout.strip()

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def commit(self, message: str, *extra: str, **kwargs: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, *extra, **kwargs)
        return self.git("rev-parse", "HEAD")

    def runner(self) -> Runner:
        return git_runner(self.root, env=self.env)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def test_reads_author_committer_files_and_unsigned_status(repo: Repo) -> None:
    repo.write("deploy/odoo.yaml", "kind: Deployment\n")
    first = repo.commit("Initial manifests")
    repo.write("deploy/odoo.yaml", "kind: Deployment\nmetadata: {}\n")
    repo.write("docs/release notes.md", "# notes\n")
    repo.write("docs/é.md", "unicode\n")
    sha = repo.commit("Release 2026.11.1: odoo 17", who="Bob")
    item = collect_commit(repo.runner(), sha)
    assert item.ok, item.problems
    info = item.commit
    assert info is not None
    assert info.sha == sha and info.parents == (first,)
    assert info.author.name == "Bob" and info.author.email == "bob@acme.example"
    assert info.author.time == dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    assert info.committer.name == "Release Bot"
    assert info.subject == "Release 2026.11.1: odoo 17"
    assert info.signature is SignatureStatus.UNSIGNED
    assert info.changed_files == ("deploy/odoo.yaml", "docs/release notes.md", "docs/é.md")
    raw = subprocess.run(
        ["git", "cat-file", "commit", sha], cwd=repo.root, env=repo.env, capture_output=True
    ).stdout
    assert item.sha256 == hashlib.sha256(raw).hexdigest()
    assert item.source == f"git: commit {sha}"


def test_root_commit_lists_its_files(repo: Repo) -> None:
    repo.write("a.txt", "a")
    repo.write("b/c.txt", "c")
    sha = repo.commit("root")
    item = collect_commit(repo.runner(), sha)
    assert item.commit is not None and item.commit.changed_files == ("a.txt", "b/c.txt")


def test_merge_commit_lists_what_it_brings_to_the_mainline(repo: Repo) -> None:
    repo.write("base.txt", "base")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("feature.txt", "f")
    repo.commit("feature")
    repo.git("checkout", "-q", "main")
    repo.write("main.txt", "m")
    repo.commit("main work")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    sha = repo.git("rev-parse", "HEAD")
    item = collect_commit(repo.runner(), sha)
    assert item.commit is not None
    assert len(item.commit.parents) == 2
    assert item.commit.changed_files == ("feature.txt",)


def test_unknown_commit_is_missing(repo: Repo) -> None:
    repo.write("a.txt", "a")
    repo.commit("root")
    item = collect_commit(repo.runner(), "f" * 40)
    assert item.status is ItemStatus.MISSING
    assert item.problems[0].message.startswith(f"git: commit {'f' * 40}: git cat-file failed")
    assert "\n" not in item.problems[0].message


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_ssh_signed_commit_good_and_unverifiable(repo: Repo, tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    private = tmp_path / "signing_key"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", str(private))
    repo.write("a.txt", "a")
    sha = repo.commit("signed", "-S")

    item = collect_commit(repo.runner(), sha)  # no allowed-signers file: cannot verify
    assert item.ok  # recorded, not a problem: the gate decides whether it needs "good"
    assert item.commit is not None
    assert item.commit.signature is SignatureStatus.UNVERIFIABLE
    assert "allowedSignersFile" in item.commit.signature_detail

    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice@acme.example {public.decode()}\n")
    repo.git("config", "gpg.ssh.allowedSignersFile", str(allowed))
    item = collect_commit(repo.runner(), sha)
    assert item.commit is not None
    assert item.commit.signature is SignatureStatus.GOOD, item.commit.signature_detail
    assert "ED25519 key SHA256:" in item.commit.signature_detail


# -- a fake runner for the failure paths ----------------------------------------------------------

SHA = "0123456789abcdef0123456789abcdef01234567"
PARENT = "89abcdef0123456789abcdef0123456789abcdef"
SIGNED_OBJECT = (
    f"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent {PARENT}\n"
    "author Alice <alice@acme.example> 1796025600 +0000\n"
    "committer Alice <alice@acme.example> 1796025600 +0000\n"
    "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEz\n -----END PGP SIGNATURE-----\n\nRelease\n"
)
SHOW = "\x00".join(
    [
        SHA,
        PARENT,
        "Alice",
        "alice@acme.example",
        "2026-11-30T09:00:00+00:00",
        "Alice",
        "alice@acme.example",
        "2026-11-30T09:00:00+00:00",
        "Release",
    ]
)


class FakeRunner:
    def __init__(self, answers: dict[str, tuple[int, str, str]]) -> None:
        self.answers = answers
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> tuple[int, str, str]:
        self.calls.append(list(argv))
        return self.answers.get(argv[1], (0, "", ""))


def _answers(**changes: tuple[int, str, str]) -> dict[str, tuple[int, str, str]]:
    answers = {
        "cat-file": (0, SIGNED_OBJECT, ""),
        "show": (0, SHOW + "\n", ""),
        "diff-tree": (0, "deploy/odoo.yaml\x00", ""),
        "verify-commit": (0, "", "[GNUPG:] GOODSIG 0123ABCD Alice <alice@acme.example>\n"),
    }
    answers.update({k.replace("_", "-"): v for k, v in changes.items()})
    return answers


def test_fake_good_signature_and_argv_shape() -> None:
    runner = FakeRunner(_answers())
    item = collect_commit(runner, SHA)
    assert item.ok and item.commit is not None
    assert item.commit.signature is SignatureStatus.GOOD
    assert item.commit.signature_detail == "good signature by 0123ABCD"
    assert item.commit.changed_files == ("deploy/odoo.yaml",)
    for argv in runner.calls:
        assert argv[0] == "git"
        assert all(isinstance(a, str) for a in argv)
    by_command = {argv[1]: argv for argv in runner.calls}
    assert by_command["show"][-2:] == [SHA, "--"]
    assert "--no-show-signature" in by_command["show"]
    assert by_command["diff-tree"][-2:] == [SHA, "--"]
    assert by_command["verify-commit"] == ["git", "verify-commit", "--raw", SHA, "--"]


def test_fake_bad_signature_is_a_problem() -> None:
    bad = (1, "", "[GNUPG:] BADSIG 0123ABCD Alice <alice@acme.example>\n")
    item = collect_commit(FakeRunner(_answers(verify_commit=bad)), SHA)
    assert item.status is ItemStatus.UNVERIFIABLE
    assert item.commit is not None and item.commit.signature is SignatureStatus.BAD
    assert "bad signature" in item.problems[0].message


def test_fake_unknown_key_is_unverifiable_not_bad() -> None:
    nokey = (1, "", "[GNUPG:] ERRSIG 0123ABCD 1 8 00 1796025600 9\n[GNUPG:] NO_PUBKEY 0123ABCD\n")
    item = collect_commit(FakeRunner(_answers(verify_commit=nokey)), SHA)
    assert item.ok
    assert item.commit is not None and item.commit.signature is SignatureStatus.UNVERIFIABLE


def test_fake_unsigned_object_skips_verify_commit() -> None:
    unsigned = SIGNED_OBJECT.split("gpgsig")[0] + "\nRelease\n"
    runner = FakeRunner(_answers(cat_file=(0, unsigned, "")))
    item = collect_commit(runner, SHA)
    assert item.commit is not None and item.commit.signature is SignatureStatus.UNSIGNED
    assert "verify-commit" not in [argv[1] for argv in runner.calls]


def test_fake_failures() -> None:
    missing_git = FakeRunner(_answers(cat_file=(127, "", "git: command not found")))
    assert collect_commit(missing_git, SHA).status is ItemStatus.MISSING
    garbage = FakeRunner(_answers(show=(0, "hello\n", "")))
    item = collect_commit(garbage, SHA)
    assert item.status is ItemStatus.UNPARSABLE
    assert "unexpected output from git show" in item.problems[0].message
    wrong_sha = FakeRunner(_answers(show=(0, SHOW.replace(SHA, PARENT, 1), "")))
    assert collect_commit(wrong_sha, SHA).status is ItemStatus.UNPARSABLE
    bad_date = FakeRunner(_answers(show=(0, SHOW.replace("2026-11-30T09:00:00+00:00", "x", 1), "")))
    assert "author date 'x'" in collect_commit(bad_date, SHA).problems[0].message
    diff_fails = FakeRunner(_answers(diff_tree=(128, "", "fatal: bad tree\nmore\n")))
    item = collect_commit(diff_fails, SHA)
    assert item.problems[0].message.endswith("git diff-tree failed (exit 128): fatal: bad tree")


def test_runner_reports_a_missing_binary(tmp_path: Path) -> None:
    run = git_runner(tmp_path, env={"PATH": str(tmp_path)})
    code, _, err = run(["git-does-not-exist", "status"])
    assert code == 127 and "not found" in err


@pytest.mark.parametrize("sha", ["HEAD", "--output=/tmp/x", "0123", SHA.upper()])
def test_only_full_commit_ids_reach_git(sha: str) -> None:
    runner = FakeRunner(_answers())
    with pytest.raises(ValueError):
        read_commit(runner, sha)
    assert runner.calls == []
