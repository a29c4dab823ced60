"""Ledger entries, checkpoints and state; evidence bundles.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("entry_type", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=True),
        sa.Column("environment", sa.String(64), nullable=True),
        sa.Column("digest", sa.String(80), nullable=True),
        sa.Column("commit_sha", sa.String(64), nullable=True),
    )
    op.create_index("ix_ledger_entries_entry_type", "ledger_entries", ["entry_type"])
    op.create_index("ix_ledger_entries_tenant", "ledger_entries", ["tenant"])
    op.create_index("ix_ledger_entries_digest", "ledger_entries", ["digest"])
    op.create_index("ix_ledger_entries_commit_sha", "ledger_entries", ["commit_sha"])
    op.create_index("ix_ledger_entries_subject", "ledger_entries", ["tenant", "environment"])
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("key_name", sa.String(255), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_ledger_checkpoints_tree_size", "ledger_checkpoints", ["tree_size"])
    op.create_table(
        "ledger_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("compact_range", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "evidence_bundles",
        sa.Column("digest", sa.String(80), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.Column("image_digest", sa.String(80), nullable=False),
        sa.Column("commit_sha", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_evidence_bundles_image_digest", "evidence_bundles", ["image_digest"])
    op.create_index("ix_evidence_bundles_commit_sha", "evidence_bundles", ["commit_sha"])


def downgrade() -> None:
    op.drop_table("evidence_bundles")
    op.drop_table("ledger_state")
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_entries")
