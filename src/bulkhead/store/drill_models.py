"""The drill results table (migration 0002). Kept apart from models.py, which the ledger owns;
it shares the same `Base`, so the store's metadata knows it once this module is imported
(bulkhead.drills imports it)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bulkhead.store.models import Base


class DrillResult(Base):
    """One disaster-recovery drill: its verdict, achieved RPO and RTO, and the full result.

    `status` is `passed`, `failed` (the drill ran and an objective or a check did not hold) or
    `error` (the drill could not complete: unreachable server, corrupted backup...); `passed`
    is true only for `passed`. `rpo_seconds` and `rto_seconds` are null when not measured.
    `result` is the JSON document `bulkhead drill run --format json` prints.
    """

    __tablename__ = "drill_results"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    environment: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[str] = mapped_column(String(40))
    """RFC 3339 UTC with microseconds, like every time in the store (sorts as text)."""
    status: Mapped[str] = mapped_column(String(16))
    passed: Mapped[bool] = mapped_column(Boolean)
    rpo_seconds: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    rto_seconds: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    result: Mapped[str] = mapped_column(Text)
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    """Sequence number of the drill's `drill-result` ledger entry, when one was appended."""


Index(
    "ix_drill_results_subject",
    DrillResult.tenant,
    DrillResult.environment,
    DrillResult.started_at,
)
