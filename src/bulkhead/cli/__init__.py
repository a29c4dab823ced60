"""The `bulkhead` command. Wiring only: parse flags, call the library, write output, exit.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, configuration or runtime error.
`bulkhead --version` answers before anything heavy is imported.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"], ["version"]):
        from bulkhead import __version__

        sys.stdout.write(f"bulkhead {__version__}\n")
        return 0
    from bulkhead.cli.app import build_app

    try:
        build_app()(args=args, prog_name="bulkhead")
    except SystemExit as exit_:
        code = exit_.code
        if code is None:
            return 0
        return code if isinstance(code, int) else 2
    return 0


def run() -> None:
    code = main()
    # What the command built is left to the operating system: the interpreter's last
    # collections at exit take 0.1 s and more after a drill or a scan. Nothing of ours relies
    # on a finalizer (outputs are written and closed, stores committed), and atexit still runs.
    gc.freeze()
    sys.exit(code)
