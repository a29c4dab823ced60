"""Alembic environment: migrations run on the connection (and transaction) bulkhead hands over."""

from __future__ import annotations

from alembic import context

from bulkhead.store.models import Base

context.configure(connection=context.config.attributes["connection"], target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
