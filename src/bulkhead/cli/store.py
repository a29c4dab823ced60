"""What the commands that use the store share: the database they open, who acts, which key
signs. Heavy modules (SQLAlchemy, cryptography) load inside the functions."""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bulkhead.cli.common import UserError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bulkhead.ledger.keys import LedgerSigner

ACTOR_VARIABLE = "BULKHEAD_ACTOR"
LEDGER_ORIGIN = "bulkhead.ledger"
"""bulkhead.store.ledger.DEFAULT_ORIGIN, spelled out so loading a signer does not import
SQLAlchemy (a drill loads it before it starts; a test keeps the two equal)."""
MAX_ACTOR_LENGTH = 255  # the width of ledger_entries.actor
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def store_errors() -> tuple[type[BaseException], ...]:
    """The errors of the store and ledger modules whose message is meant for the user."""
    from bulkhead.ledger.canonical import CanonicalJSONError
    from bulkhead.ledger.checkpoint import CheckpointError
    from bulkhead.ledger.keys import LedgerKeyError
    from bulkhead.store.db import StoreError
    from bulkhead.store.ledger import LedgerError

    return (StoreError, LedgerError, LedgerKeyError, CheckpointError, CanonicalJSONError)


def database_url(database: str | None) -> str:
    """`--database`, else `$BULKHEAD_DATABASE_URL`, else SQLite in the state directory."""
    from bulkhead.store import database_url as default_url

    return (database or "").strip() or default_url()


def one_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return f"database error: {lines[0] if lines else type(original).__name__}"


@contextmanager
def open_store(database: str | None, *, at_head: bool = True) -> Iterator[Engine]:
    """An engine on the selected store, disposed afterwards. With `at_head` the schema must be
    current (only `bulkhead db upgrade` migrates). Database errors become one-line
    StoreErrors."""
    from sqlalchemy.exc import SQLAlchemyError

    from bulkhead.store.db import StoreError, open_current, open_engine

    url = database_url(database)
    engine = open_current(url) if at_head else open_engine(url)
    try:
        yield engine
    except SQLAlchemyError as error:
        raise StoreError(one_line(error)) from None
    finally:
        engine.dispose()


def key_name(name: str | None) -> str:
    return name if name else LEDGER_ORIGIN


def ledger_signer(
    key_file: Path | None, name: str | None, *, required: bool
) -> LedgerSigner | None:
    """The checkpoint signer, or None when no key is configured and none is `required`.
    A configured key that cannot be loaded is always an error, never a silent unsigned append."""
    from bulkhead.ledger.keys import ENV_KEY_FILE, ENV_KEY_PEM, load_signer

    configured = key_file is not None or bool(os.environ.get(ENV_KEY_FILE))
    if not required and not (configured or os.environ.get(ENV_KEY_PEM)):
        return None
    return load_signer(key_name(name), key_file, os.environ)


def actor(name: str | None) -> str:
    """`--actor`, else `$BULKHEAD_ACTOR`, else the OS user."""
    value = (name or os.environ.get(ACTOR_VARIABLE, "")).strip()
    if not value:
        try:
            value = getpass.getuser().strip()
        except (KeyError, OSError):
            value = ""
    if not value:
        raise UserError(f"no actor: pass --actor NAME or set ${ACTOR_VARIABLE}")
    if len(value) > MAX_ACTOR_LENGTH or _CONTROL.search(value):
        raise UserError(
            f"the actor must be at most {MAX_ACTOR_LENGTH} characters without control characters"
        )
    return value
