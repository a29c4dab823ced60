"""The restored copy's tables, checked while pg_restore is still running.

`pg_restore --verbose` says when each table's data is in: in a parallel restore the leader
logs `finished item N TABLE DATA <table>` once a worker's COPY has committed; in a serial one,
`processing data for table "<schema>.<table>"` starts the COPY and the next line follows its
commit. A table's rows do not change after that (indexes, constraints and triggers come
later; none writes rows), so its count and checksum can be taken at once, in a thread with a
connection of its own, while pg_restore goes on with the indexes and constraints of the
others. On a machine with cores to spare, this takes almost all of the content check out of
the recovery time.

This is an optimization and nothing relies on it:

- a table is taken only when its name is exactly one table of the source's fingerprint;
  anything else (a name the log line does not give whole, a name in two schemas) is left for
  the check after the restore;
- any error (connection, a query cancelled by pg_restore's locks...) stops the early checks;
  the tables not done are checked after the restore, where errors are reported;
- a table whose early sum differs from the source is read again after the restore before any
  verdict, so a line that only looks like the end of a COPY (a table named with a newline and
  a forged message) can delay a verdict but never change it. Each COPY commits atomically:
  read too early, a table shows no rows, never a partial load that matches.

Each early read is its own transaction, so pg_restore waits at most one table's scan for the
lock of an `ALTER TABLE ... ADD PRIMARY KEY` on that table.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterable
from contextlib import suppress
from types import TracebackType

import psycopg

from bulkhead.drills.conninfo import PgTarget
from bulkhead.drills.errors import DrillError
from bulkhead.drills.fingerprint import TableSum, one_table_sum

_FINISHED = re.compile(r"pg_restore: finished item \d+ TABLE DATA (?P<name>.+)")
_PROCESSING = re.compile(r'pg_restore: processing data for table "(?P<qualified>.+)"')
TOOL_ENV = {"LC_ALL": "C", "LANGUAGE": ""}
"""pg_dump and pg_restore speak English, whatever the host's locale: the lines above and the
error lines the drill reports are matched as text."""


class LoadedTables:
    """Feed `line` with pg_restore's stderr lines; `finish()` returns the sums taken early
    (qualified name -> TableSum). Use as a context manager: leaving it stops the thread, and
    cancels its query if it is still running."""

    def __init__(
        self,
        target: PgTarget,
        source_tables: Iterable[TableSum],
        *,
        parallel: bool,
    ) -> None:
        self._target = target
        self._parallel = parallel
        by_name: dict[str, list[TableSum]] = {}
        by_qualified: dict[str, list[TableSum]] = {}
        for table in source_tables:
            by_name.setdefault(table.name, []).append(table)
            by_qualified.setdefault(table.qualified, []).append(table)
        self._by_name = {k: v[0] for k, v in by_name.items() if len(v) == 1}
        self._by_qualified = {k: v[0] for k, v in by_qualified.items() if len(v) == 1}
        self._pending: TableSum | None = None
        self._queued: set[str] = set()
        self._work: queue.SimpleQueue[TableSum | None] = queue.SimpleQueue()
        self._sums: dict[str, TableSum] = {}
        self._stopping = threading.Event()
        self._connection: psycopg.Connection | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="bulkhead-loaded", daemon=True)
        self._thread.start()

    def __enter__(self) -> LoadedTables:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def line(self, text: str) -> None:
        """One line of pg_restore's stderr."""
        if self._parallel:
            match = _FINISHED.fullmatch(text)
            if match is not None:
                self._take(self._by_name.get(match["name"]))
            return
        # Serial: whatever follows "processing data for table" comes after that COPY.
        self._take(self._pending)
        match = _PROCESSING.fullmatch(text)
        self._pending = self._by_qualified.get(match["qualified"]) if match else None

    def finish(self) -> dict[str, TableSum]:
        """Wait for the tables already announced; the sums taken early."""
        self._take(self._pending)
        self._pending = None
        self._work.put(None)
        self._thread.join()
        self._disconnect()
        return dict(self._sums)

    def close(self) -> None:
        """Stop now: cancel a running query, wait for the thread, close its connection."""
        if not self._thread.is_alive():
            self._disconnect()
            return
        self._stopping.set()
        with self._lock:
            connection = self._connection
        if connection is not None:
            with suppress(psycopg.Error):
                connection.cancel_safe(timeout=5)
        self._work.put(None)
        self._thread.join()
        self._disconnect()

    def _take(self, table: TableSum | None) -> None:
        if table is not None and table.qualified not in self._queued:
            self._queued.add(table.qualified)
            self._work.put(table)

    def _run(self) -> None:
        while (table := self._work.get()) is not None and not self._stopping.is_set():
            try:
                with self._lock:
                    if self._connection is None:
                        self._connection = self._target.connect("scratch database", autocommit=True)
                        # One core beside pg_restore's jobs: parallel workers would only take
                        # CPU from them.
                        self._connection.execute("SET max_parallel_workers_per_gather = 0")
                    connection = self._connection
                summed = one_table_sum(connection, table.schema, table.name, table.method)
            except (DrillError, psycopg.Error):
                return  # the tables not done are checked after the restore
            if summed is not None:
                self._sums[summed.qualified] = summed

    def _disconnect(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
