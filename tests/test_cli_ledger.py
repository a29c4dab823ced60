"""`bulkhead db`, `bulkhead ledger` and `bulkhead deploy` through the CLI, on SQLite and
PostgreSQL: the happy path, validation, tampering, truncation caught by an exported checkpoint,
uninitialised databases, and private keys that never reach the output."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
import typer
from sqlalchemy import delete, text, update
from typer.testing import CliRunner, Result

from bulkhead.cli.ledger import register
from bulkhead.ledger.canonical import canonical_json
from bulkhead.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from bulkhead.store import open_engine
from bulkhead.store.db import NOT_INITIALISED
from bulkhead.store.models import LedgerEntry
from tests.database import BACKENDS, database_url

DIGEST = "sha256:" + "ab" * 32
DEPLOY = ["deploy", "record", "--tenant", "acme", "--environment", "prod", "--digest", DIGEST]
COMMIT = "0123456789abcdef0123456789abcdef01234567"
# Every variable the commands read: the tests decide each one.
CLEAN_ENV: dict[str, str | None] = {
    "BULKHEAD_DATABASE_URL": None,
    "BULKHEAD_LEDGER_KEY_FILE": None,
    "BULKHEAD_LEDGER_KEY": None,
    "BULKHEAD_ACTOR": "ci@example.com",
    "NO_COLOR": "1",
}


def _app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    register(app)
    return app


APP = _app()


def _run(
    args: Sequence[str], *, input: str | None = None, env: Mapping[str, str | None] | None = None
) -> Result:
    runner = CliRunner(env={**CLEAN_ENV, **(env or {})})
    return runner.invoke(APP, list(args), input=input)


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result


def _one_line_error(result: Result, fragment: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bulkhead: error: ") and fragment in lines[0], lines[0]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as found:
        yield found


@pytest.fixture
def ready(url: str) -> str:
    _ok(_run(["db", "upgrade", "--database", url]))
    return url


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "ledger.key", tmp_path / "ledger.pub"
    _ok(_run(["ledger", "keygen", "--private-key", str(private), "--public-key", str(public)]))
    return private, public


def _append(
    url: str, body: dict[str, object], *extra: str, env: Mapping[str, str | None] | None = None
) -> Result:
    return _run(
        ["ledger", "append", "--type", "note", "--body", "-", "--database", url, *extra],
        input=json.dumps(body),
        env=env,
    )


def _head() -> str:
    """The newest shipped migration (later issues add revisions)."""
    from alembic.script import ScriptDirectory

    from bulkhead.store.db import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def _filled(url: str, private: Path, count: int = 3) -> None:
    for n in range(count):
        _ok(_append(url, {"n": n, "tenant": "acme"}, "--key-file", str(private)))


def _verify(url: str, public: Path, *extra: str) -> Result:
    return _run(["ledger", "verify", "--database", url, "--public-key", str(public), *extra])


def test_upgrade_append_show_verify(ready: str, keys: tuple[Path, Path]) -> None:
    private, public = keys
    assert _ok(_run(["db", "current", "--database", ready])).stdout == f"{_head()} (head)\n"
    again = _ok(_run(["db", "upgrade", "--database", ready]))
    assert "nothing to do" in again.stdout
    appended = _ok(_append(ready, {"n": 0, "tenant": "acme"}, "--key-file", str(private)))
    assert "appended entry 0 (note, actor ci@example.com)" in appended.stdout
    assert "tree size 1, root " in appended.stdout
    assert "signed checkpoint at size 1" in appended.stdout
    assert appended.stderr == ""
    _filled(ready, private, 2)
    signed = ["--key-file", str(private), "--format", "json", "--actor", "deployer"]
    deployed = _ok(
        _run([*DEPLOY, "--commit", COMMIT, "--status", "degraded", "--database", ready, *signed])
    )
    record = json.loads(deployed.stdout)
    assert (record["schema_version"], record["seq"], record["tree_size"]) == ("1.0", 3, 4)
    assert record["checkpoint"].startswith("bulkhead.ledger\n4\n")

    table = _ok(_run(["ledger", "show", "--database", ready])).stdout
    assert "4 of 4 entries" in table and "acme/prod" in table and "deployer" in table
    shown = json.loads(
        _ok(_run(["ledger", "show", "--database", ready, "--digest", DIGEST, "-f", "json"])).stdout
    )
    assert shown["schema_version"] == "1.0" and shown["count"] == 1
    assert shown["entries"][0]["body"] == {
        "tenant": "acme",
        "environment": "prod",
        "digest": DIGEST,
        "commit": COMMIT,
        "status": "degraded",
    }
    limited = json.loads(
        _ok(_run(["ledger", "show", "--database", ready, "--type", "note", "-n", "2", "-f", "json"]))
        .stdout
    )  # fmt: skip
    assert [e["seq"] for e in limited["entries"]] == [1, 2]

    verified = _ok(_verify(ready, public))
    assert "4 entries" in verified.stdout and "checkpoints verified: 4" in verified.stdout
    assert "not yet covered by a signed checkpoint: 0" in verified.stdout
    assert "ok: the ledger is intact" in verified.stdout
    document = json.loads(_ok(_verify(ready, public, "--format", "json")).stdout)
    assert document["schema_version"] == "1.0" and document["ok"] is True
    assert (document["tree_size"], document["checkpoints_verified"]) == (4, 4)
    # The key derived from the configured signing key verifies as well.
    _ok(_run(["ledger", "verify", "--database", ready, "--key-file", str(private)]))


def test_unsigned_append_warns_until_checkpointed(ready: str, keys: tuple[Path, Path]) -> None:
    private, public = keys
    result = _ok(_append(ready, {"n": 1}))
    assert "signed checkpoint" not in result.stdout
    assert "not covered by a signed checkpoint until `bulkhead ledger checkpoint`" in result.stderr
    verified = _ok(_verify(ready, public))
    assert "not yet covered by a signed checkpoint: 1" in verified.stdout
    signed = _ok(_run(["ledger", "checkpoint", "--database", ready, "--key-file", str(private)]))
    assert signed.stdout.startswith("signed checkpoint at size 1")
    assert "not yet covered by a signed checkpoint: 0" in _ok(_verify(ready, public)).stdout


def test_signing_key_from_the_environment(ready: str, keys: tuple[Path, Path]) -> None:
    private, public = keys
    by_file = _ok(_append(ready, {"n": 1}, env={"BULKHEAD_LEDGER_KEY_FILE": str(private)}))
    assert "signed checkpoint at size 1" in by_file.stdout
    by_pem = _ok(_append(ready, {"n": 2}, env={"BULKHEAD_LEDGER_KEY": private.read_text()}))
    assert "signed checkpoint at size 2" in by_pem.stdout
    assert "checkpoints verified: 2" in _ok(_verify(ready, public)).stdout


def test_a_configured_but_broken_key_refuses_to_append(ready: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.key"
    broken.write_text("not a key\n")
    _one_line_error(_append(ready, {"n": 1}, "--key-file", str(broken)), "not a PEM private key")
    missing = _append(ready, {"n": 1}, env={"BULKHEAD_LEDGER_KEY_FILE": str(tmp_path / "nope")})
    _one_line_error(missing, "cannot read $BULKHEAD_LEDGER_KEY_FILE")
    shown = json.loads(_ok(_run(["ledger", "show", "--database", ready, "-f", "json"])).stdout)
    assert shown["tree_size"] == 0


def test_proofs_check_with_the_pure_functions(ready: str, keys: tuple[Path, Path]) -> None:
    private, _ = keys
    _filled(ready, private, 5)
    proof = json.loads(_ok(_run(["ledger", "prove", "3", "--database", ready])).stdout)
    assert proof["proof_type"] == "inclusion" and proof["tree_size"] == 5
    # A third party recomputes the leaf from the entry itself.
    leaf = leaf_hash(canonical_json(proof["entry"]))
    assert leaf.hex() == proof["leaf_hash"]
    assert verify_inclusion(
        leaf, 3, 5, [bytes.fromhex(p) for p in proof["proof"]], bytes.fromhex(proof["root_hash"])
    )
    assert proof["checkpoint"].startswith("bulkhead.ledger\n5\n")
    older = json.loads(
        _ok(_run(["ledger", "prove", "1", "--tree-size", "2", "--database", ready])).stdout
    )
    assert older["tree_size"] == 2
    consistency = json.loads(
        _ok(_run(["ledger", "prove", "--consistency", "2", "--database", ready])).stdout
    )
    assert (consistency["old_size"], consistency["new_size"]) == (2, 5)
    assert verify_consistency(
        2,
        5,
        bytes.fromhex(consistency["old_root"]),
        bytes.fromhex(consistency["new_root"]),
        [bytes.fromhex(p) for p in consistency["proof"]],
    )
    _one_line_error(_run(["ledger", "prove", "5", "--database", ready]), "not in a tree of size")
    _one_line_error(
        _run(["ledger", "prove", "--consistency", "4", "3", "--database", ready]),
        "no consistency proof from 4 to 3",
    )
    _one_line_error(_run(["ledger", "prove", "--database", ready]), "give the SEQ")


def test_keygen_permissions_and_no_overwrite(tmp_path: Path) -> None:
    private, public = tmp_path / "k.key", tmp_path / "k.pub"
    paths = ["ledger", "keygen", "--private-key", str(private), "--public-key", str(public)]
    result = _ok(_run([*paths, "--name", "ops.example.com"]))
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(public.stat().st_mode) == 0o644
    assert "key id: " in result.stdout and "vkey: ops.example.com+" in result.stdout
    before = private.read_bytes()
    again = _run(paths)
    _one_line_error(again, "refusing to overwrite existing private key file")
    assert private.read_bytes() == before


def test_a_vkey_file_is_a_public_key(ready: str, keys: tuple[Path, Path], tmp_path: Path) -> None:
    _, other_public = keys
    private = tmp_path / "signing.key"
    output = _ok(
        _run(
            ["ledger", "keygen", "--private-key", str(private), "--public-key", str(tmp_path / "p")]
        )
    ).stdout
    vkey = next(line for line in output.splitlines() if line.startswith("vkey: "))
    vkey_file = tmp_path / "signing.vkey"
    vkey_file.write_text(vkey.removeprefix("vkey: ") + "\n")
    _filled(ready, private, 2)
    assert "checkpoints verified: 2" in _ok(_verify(ready, vkey_file)).stdout
    # A trusted key that never signed: no checkpoint carries a signature from a trusted key.
    untrusted = _verify(ready, other_public)
    assert untrusted.exit_code == 1 and "no signature from a trusted key" in untrusted.stdout
    # Both, as after a key rotation: every checkpoint still verifies.
    _ok(_verify(ready, vkey_file, "--public-key", str(other_public)))
    not_a_key = tmp_path / "junk"
    not_a_key.write_text("hello\n")
    _one_line_error(_verify(ready, not_a_key), "neither a PEM public key nor a vkey")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--digest", "sha256:abc"], "--digest 'sha256:abc' must be sha256: followed by 64"),
        (["--digest", "sha256:" + "AB" * 32], "64 lowercase hex digits"),
        (["--digest", "md5:" + "ab" * 16], "must be sha256:"),
        (["--commit", "abc"], "--commit 'abc' must be 7 to 40 hex digits"),
        (["--commit", "g" * 40], "must be 7 to 40 hex digits"),
        (["--commit", "a" * 41], "must be 7 to 40 hex digits"),
        (["--tenant", "acme corp"], "--tenant 'acme corp' must be 1-64 letters"),
        (["--environment", "x" * 65], "--environment"),
    ],
)
def test_deploy_record_validation(change: list[str], message: str, url: str) -> None:
    values = {"--tenant": "acme", "--environment": "prod", "--digest": DIGEST, "--commit": COMMIT}
    values[change[0]] = change[1]
    args = ["deploy", "record", "--database", url]
    for option, value in values.items():
        args += [option, value]
    _one_line_error(_run(args), message)


def test_deploy_record_short_commit_warns(ready: str) -> None:
    result = _ok(_run([*DEPLOY, "--commit", "ABCDEF1", "--database", ready]))
    assert "--commit abcdef1 is abbreviated" in result.stderr
    shown = json.loads(
        _ok(_run(["ledger", "show", "--commit", "abcdef1", "--database", ready, "-f", "json"]))
        .stdout
    )  # fmt: skip
    assert shown["entries"][0]["body"]["commit"] == "abcdef1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[1, 2]", "must be a JSON object"),
        ("{", "is not JSON"),
        ('{"a": 1.5}', "floats are not allowed"),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_bad_bodies(body: str, message: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    _ok(_run(["db", "upgrade", "--database", url]))
    result = _run(["ledger", "append", "-t", "note", "-b", "-", "--database", url], input=body)
    _one_line_error(result, message)


def test_bad_type_and_missing_body_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    _ok(_run(["db", "upgrade", "--database", url]))
    bad = _run(["ledger", "append", "-t", "bogus", "-b", "-", "--database", url], input="{}")
    _one_line_error(bad, "unknown entry type 'bogus' (one of access-grant, deployment")
    missing = _run(["ledger", "append", "-t", "note", "-b", str(tmp_path / "x"), "--database", url])
    _one_line_error(missing, "cannot read the body")


def test_verify_fails_after_tampering(ready: str, keys: tuple[Path, Path]) -> None:
    private, public = keys
    _filled(ready, private, 4)
    engine = open_engine(ready)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(LedgerEntry).where(LedgerEntry.seq == 2).values(body='{"n":99}')
            )
    finally:
        engine.dispose()
    result = _verify(ready, public)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "problem: entry 2 was modified" in result.stdout
    assert "FAILED" in result.stdout
    document = json.loads(_verify(ready, public, "--format", "json").stdout)
    assert document["ok"] is False and any("entry 2" in p for p in document["problems"])


def test_exported_checkpoint_catches_truncation(
    ready: str, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    private, public = keys
    _filled(ready, private, 6)
    exported = tmp_path / "checkpoint.txt"
    result = _ok(_run(["ledger", "checkpoint", "--database", ready, "--export", str(exported)]))
    assert "exported checkpoint at size 6" in result.stdout and str(exported) in result.stdout
    assert exported.read_text().startswith("bulkhead.ledger\n6\n")
    _ok(_verify(ready, public, "--against", str(exported)))
    engine = open_engine(ready)
    try:  # truncate, and remove the checkpoints and state that would give it away
        with engine.begin() as connection:
            connection.execute(delete(LedgerEntry).where(LedgerEntry.seq >= 4))
            connection.execute(text("DELETE FROM ledger_checkpoints WHERE tree_size > 4"))
            connection.execute(text("DELETE FROM ledger_state"))
    finally:
        engine.dispose()
    _ok(_verify(ready, public))  # consistent on its own...
    caught = _verify(ready, public, "--against", str(exported))
    assert caught.exit_code == 1, (caught.stdout, caught.stderr)
    assert "log truncated: the exported checkpoint at size 6 covers 6 entries" in caught.stdout


def test_export_without_any_checkpoint_is_an_error(ready: str, tmp_path: Path) -> None:
    _ok(_append(ready, {"n": 1}))
    out = tmp_path / "cp"
    result = _run(["ledger", "checkpoint", "--database", ready, "--export", str(out)])
    _one_line_error(result, "no signed checkpoint yet")
    assert not out.exists()


def test_checkpoint_without_a_key_is_an_error(ready: str) -> None:
    _one_line_error(_run(["ledger", "checkpoint", "--database", ready]), "no ledger signing key")


def test_verify_needs_a_public_key(ready: str) -> None:
    _one_line_error(_run(["ledger", "verify", "--database", ready]), "no public key")


@pytest.mark.parametrize(
    "command",
    [
        ["ledger", "show"],
        ["ledger", "verify", "--public-key", "{public}"],
        ["ledger", "prove", "0"],
        ["ledger", "checkpoint", "--key-file", "{private}"],
        ["ledger", "append", "-t", "note", "-b", "-"],
        [*DEPLOY, "--commit", COMMIT],
    ],
)
def test_uninitialised_database(command: list[str], url: str, keys: tuple[Path, Path]) -> None:
    private, public = keys
    args = [a.format(private=private, public=public) for a in command]
    result = _run([*args, "--database", url], input="{}")
    _one_line_error(result, NOT_INITIALISED)
    assert _ok(_run(["db", "current", "--database", url])).stdout.startswith("none (")


def test_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "state" / "bulkhead.db"
    result = _run(["ledger", "show"], env={"BULKHEAD_DATABASE_URL": f"sqlite:///{path}"})
    _one_line_error(result, NOT_INITIALISED)
    _ok(_run(["db", "current", "--database", f"sqlite:///{path}"]))
    assert not path.exists()


def test_older_and_newer_schemas(ready: str) -> None:
    engine = open_engine(ready)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    newer = _run(["ledger", "show", "--database", ready])
    _one_line_error(newer, "database schema revision 9999 is newer than this bulkhead knows")
    _one_line_error(_run(["db", "upgrade", "--database", ready]), "upgrade bulkhead")
    assert "newer than" in _ok(_run(["db", "current", "--database", ready])).stdout


def test_unreachable_or_invalid_database_is_one_line(tmp_path: Path) -> None:
    _one_line_error(_run(["db", "upgrade", "--database", "mysql://x@localhost/db"]), "mysql")
    _one_line_error(
        _run(["ledger", "show", "--database", "postgresql://nobody@127.0.0.1:1/none"]),
        "database error",
    )


def test_private_key_never_in_output(ready: str, keys: tuple[Path, Path], tmp_path: Path) -> None:
    private, public = keys
    pem = private.read_text()
    secret_lines = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    assert secret_lines
    outputs: list[Result] = []
    with_file = ["--key-file", str(private)]
    as_env = {"BULKHEAD_LEDGER_KEY": pem}
    outputs.append(_append(ready, {"n": 1}, *with_file))
    outputs.append(_append(ready, {"n": 2}, "--debug", env=as_env))
    outputs.append(_append(ready, {"n": 3}, "--format", "json", env=as_env))
    outputs.append(_run(["ledger", "checkpoint", "--database", ready, *with_file]))
    outputs.append(_run(["ledger", "checkpoint", "--database", ready, "--export", "-", *with_file]))
    outputs.append(_run(["ledger", "verify", "--database", ready, "--debug"], env=as_env))
    outputs.append(_run(["ledger", "verify", "--database", ready, "-f", "json", *with_file]))
    outputs.append(_run(["ledger", "show", "--database", ready, "-f", "json"]))
    outputs.append(_run(["ledger", "prove", "0", "--database", ready]))
    # Errors that involve the key: a private key given as the public key, a truncated key.
    outputs.append(_verify(ready, private, "--debug"))
    broken = tmp_path / "broken.key"
    broken.write_text(pem[: len(pem) // 2])
    outputs.append(_append(ready, {"n": 4}, "--key-file", str(broken), "--debug"))
    outputs.append(_append(ready, {"n": 5}, "--debug", env={"BULKHEAD_LEDGER_KEY": pem[:60]}))
    again = ["ledger", "keygen", "--private-key", str(private), "--public-key", str(public)]
    outputs.append(_run(again))
    assert [r.exit_code for r in outputs] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2]
    for result in outputs:
        for line in secret_lines:
            assert line not in result.stdout and line not in result.stderr
        assert "PRIVATE KEY" not in result.stdout + result.stderr


def test_wired_into_the_bulkhead_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bulkhead.cli import main

    url = f"sqlite:///{tmp_path / 'w.db'}"
    assert main(["ledger", "show", "--database", url]) == 2
    assert NOT_INITIALISED in capsys.readouterr().err
    assert main(["db", "upgrade", "--database", url]) == 0
    assert main(["db", "current", "--database", url]) == 0
    assert capsys.readouterr().out.endswith(f"{_head()} (head)\n")
