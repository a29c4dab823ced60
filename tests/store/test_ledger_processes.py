"""Two processes appending at once never fork the log; SIGKILL mid-append loses nothing that
was acknowledged and leaves a log that verifies. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulkhead.ledger.keys import generate_keypair, load_verifier
from bulkhead.store import open_engine, upgrade
from bulkhead.store.ledger import Ledger
from tests.database import BACKENDS, database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as value:
        engine = open_engine(value)
        upgrade(engine)
        engine.dispose()
        yield value


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "ledger.key", tmp_path / "ledger.pub"
    generate_keypair(private, public, "bulkhead.test")
    return private, public


def _appender(url: str, key: Path, writer: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.appender", url, str(key), writer, str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _written(ledger: Ledger) -> set[tuple[str, int]]:
    return {(e.body["writer"], e.body["n"]) for e in ledger.entries(entry_type="note")}


def test_concurrent_appenders_never_fork(url: str, keys: tuple[Path, Path]) -> None:
    private, public = keys
    processes = [_appender(url, private, f"w{i}", 25) for i in range(3)]
    for process in processes:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors
    engine = open_engine(url)
    ledger = Ledger(engine)
    result = ledger.verify([load_verifier("bulkhead.test", public)])
    assert result.ok, result.problems
    assert result.tree_size == 75 and result.uncovered == 0
    assert _written(ledger) == {(f"w{i}", n) for i in range(3) for n in range(25)}
    engine.dispose()


def test_sigkill_mid_append_loses_no_acknowledged_entry(url: str, keys: tuple[Path, Path]) -> None:
    private, public = keys
    rng = random.Random(7)
    acknowledged: set[tuple[str, int]] = set()
    engine = open_engine(url)
    ledger = Ledger(engine)
    verifier = load_verifier("bulkhead.test", public)
    for round_number in range(8):
        writer = f"r{round_number}"
        process = _appender(url, private, writer, 10_000)
        assert process.stdout is not None
        first = process.stdout.readline()  # the loop is running: kill somewhere inside it
        time.sleep(rng.random() * 0.3)
        os.kill(process.pid, signal.SIGKILL)
        output, _ = process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL
        lines = (first + output).splitlines()
        acked = {(w, int(n)) for _, w, n in (line.split() for line in lines)}
        acknowledged |= acked
        result = ledger.verify([verifier])
        assert result.ok, (round_number, result.problems)
        assert acknowledged <= _written(ledger)
    assert len(acknowledged) >= 8  # every kill landed inside an append loop
    engine.dispose()
