"""PostgreSQL connection targets: parsing, redaction, and what a client tool is given.

A target is the libpq parameters of one database. The password never leaves this module on
a command line: `pg_dump` and `pg_restore` get the parameters without it (`--dbname`) and the
password in `PGPASSWORD`, and every message shows `redacted()` (no password, no query string).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bulkhead.drills.errors import DrillError

DEFAULT_CONNECT_TIMEOUT = 10
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
# Session settings under which row text and hashes are computed the same way on every server.
SESSION_OPTIONS = (
    "-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=1 "
    "-c bytea_output=hex -c statement_timeout=0 -c lock_timeout=0 "
    "-c idle_in_transaction_session_timeout=0"
)
_DRIVER_PREFIX = re.compile(r"^(postgres(?:ql)?)\+[a-z0-9_]+://", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PgTarget:
    """One database: libpq parameters (password included, but never shown)."""

    params: Mapping[str, str] = field(repr=False)

    @classmethod
    def parse(cls, url: str, what: str = "database") -> PgTarget:
        """A `postgresql://` URL (or libpq `key=value` string) -> target; DrillError if not."""
        text = _DRIVER_PREFIX.sub(r"\1://", url.strip())
        if not text:
            raise DrillError(f"the {what} URL is empty")
        try:
            raw = conninfo_to_dict(text)
        except psycopg.ProgrammingError:
            # The parser's message can quote the URL, password included.
            raise DrillError(
                f"the {what} URL is not a PostgreSQL connection URL "
                "(postgresql://user@host:port/database)"
            ) from None
        params = {key: str(value) for key, value in raw.items() if value is not None}
        params.setdefault("connect_timeout", str(DEFAULT_CONNECT_TIMEOUT))
        return cls(MappingProxyType(params))

    def with_dbname(self, dbname: str) -> PgTarget:
        return PgTarget(MappingProxyType({**self.params, "dbname": dbname}))

    def without_dbname(self) -> PgTarget:
        return PgTarget(MappingProxyType({k: v for k, v in self.params.items() if k != "dbname"}))

    @property
    def dbname(self) -> str | None:
        return self.params.get("dbname")

    @property
    def host(self) -> str:
        return self.params.get("host") or self.params.get("hostaddr") or ""

    @property
    def port(self) -> str:
        return self.params.get("port") or "5432"

    @property
    def user(self) -> str | None:
        return self.params.get("user")

    @property
    def has_password(self) -> bool:
        return bool(self.params.get("password"))

    def redacted(self) -> str:
        """`postgresql://user@host:port/dbname`: what messages and reports show."""
        user = f"{self.user}@" if self.user else ""
        host = self.host or "local-socket"
        if "/" in host:
            host = "local-socket"
        database = self.dbname or ""
        return f"postgresql://{user}{host}:{self.port}/{database}"

    def server(self) -> str:
        """`host:port` for messages."""
        host = self.host or "local socket"
        return f"{host}:{self.port}"

    def conninfo(self, **extra: str) -> str:
        """The full libpq string, for psycopg in this process (never printed)."""
        return make_conninfo("", **{**self.params, **extra})

    def command_conninfo(self) -> str:
        """libpq parameters for a client tool's `--dbname`: everything but secrets."""
        public = {k: v for k, v in self.params.items() if k not in _SECRET_PARAMETERS}
        return make_conninfo("", **public)

    def command_env(self) -> dict[str, str]:
        """Environment for a client tool: the secrets libpq reads from the environment."""
        env: dict[str, str] = {}
        if self.params.get("password"):
            env["PGPASSWORD"] = self.params["password"]
        if self.params.get("sslpassword"):
            # libpq has no variable for it; a tool needs it in a service file. Not supported.
            raise DrillError("sslpassword is not supported: use an unencrypted client key file")
        return env

    def connect(
        self, what: str, *, autocommit: bool = False, read_only: bool = False
    ) -> psycopg.Connection:
        """A psycopg connection with the drill's session settings; one-line DrillError.
        `read_only` makes every transaction of the session read-only (the source's)."""
        extra = "-c default_transaction_read_only=on" if read_only else None
        options = " ".join(
            part for part in (self.params.get("options"), SESSION_OPTIONS, extra) if part
        )
        try:
            return psycopg.connect(self.conninfo(options=options), autocommit=autocommit)
        except psycopg.Error as error:
            raise DrillError(
                f"cannot connect to the {what} {self.redacted()}: {error_line(error)}"
            ) from None


def error_line(error: BaseException) -> str:
    """A driver error as one line, without the libpq connection prefix."""
    text = " ".join(str(error).split())
    for prefix in ("connection failed: ", "connection is bad: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text or type(error).__name__
