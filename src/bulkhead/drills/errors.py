"""The drill's errors. Every message is one line a person can act on, never a password."""

from __future__ import annotations


class DrillError(Exception):
    """The drill could not run to the end (exit 2): unreachable server, wrong credentials,
    missing or mismatched client tools, disk full, a corrupted backup, an interruption.
    Whatever it created (scratch database, decrypted files) is gone when this is raised."""

    phase: str | None = None

    def __init__(self, message: str, *, phase: str | None = None) -> None:
        super().__init__(" ".join(message.split()))
        if phase is not None:
            self.phase = phase


class IntegrityError(DrillError):
    """The backup does not match its authenticated manifest: a modified, truncated, missing
    or extra file, or the wrong key. Nothing was restored."""


class RefusedError(DrillError):
    """A restore target the drill must not touch: the source itself, or an existing database
    bulkhead did not create."""


class DrillInterruptedError(DrillError):
    """SIGINT or SIGTERM arrived during the drill."""


class ObjectivesError(DrillError):
    """The recovery objectives cannot be read (missing file, invalid YAML, unknown tenant)."""
