"""Drill results.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drill_results",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("rpo_seconds", sa.BigInteger(), nullable=True),
        sa.Column("rto_seconds", sa.BigInteger(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
    )
    op.create_index(
        "ix_drill_results_subject", "drill_results", ["tenant", "environment", "started_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_drill_results_subject", table_name="drill_results")
    op.drop_table("drill_results")
