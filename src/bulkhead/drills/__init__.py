"""Backup validation and disaster-recovery drills on real PostgreSQL (`bulkhead drill`).

- `engine`: the drill end to end (backup, verify, restore into scratch, validate, neutralize,
  measure RPO and RTO) and `bulkhead drill backup`;
- `crypto`: backups at rest (AES-256-GCM per file, authenticated manifest);
- `fingerprint`: schema, row counts and content checksums of a database snapshot;
- `odoo`: Odoo sanity checks and neutralization of a restored copy;
- `objectives`: business processes with RTO, RPO and priority (platform or file);
- `runner`: the one injectable door to `pg_dump` and `pg_restore`;
- `history`: results in the store and the ledger; `report`: table, JSON, Markdown, HTML;
- `schedule`: Kubernetes CronJobs that run drills; `sample`: an Odoo-like sample database.

docs/drills.md is the user guide. `history` imports bulkhead.store.drill_models, which
registers the `drill_results` table with the store's metadata; the package itself stays light
so `bulkhead drill plan` and `--version` do not load SQLAlchemy.
"""

from __future__ import annotations

from bulkhead.drills.errors import (
    DrillError,
    DrillInterruptedError,
    IntegrityError,
    ObjectivesError,
    RefusedError,
)

__all__ = [
    "DrillError",
    "DrillInterruptedError",
    "IntegrityError",
    "ObjectivesError",
    "RefusedError",
]
