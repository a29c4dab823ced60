"""A separate process that appends to a ledger one entry at a time and says which it wrote.

`python -m tests.store.appender URL KEY_FILE WRITER COUNT` prints `acked WRITER N` after each
append has committed; the crash and concurrency tests kill or race these processes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bulkhead.ledger.keys import load_signer
from bulkhead.store import open_engine
from bulkhead.store.ledger import Ledger, NewEntry


def main(url: str, key_file: str, writer: str, count: int) -> None:
    ledger = Ledger(open_engine(url))
    signer = load_signer("bulkhead.test", Path(key_file), {})
    for n in range(count):
        ledger.append([NewEntry("note", {"writer": writer, "n": n}, writer)], signer)
        sys.stdout.write(f"acked {writer} {n}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
