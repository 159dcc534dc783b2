"""row security: PostgreSQL row-level security behind the application's access filter

Revision ID: 0005_row_security
Revises: 0004_ledger_guard
Create Date: 2026-11-25
"""

from collections.abc import Sequence

revision: str = "0005_row_security"
down_revision: str | None = "0004_ledger_guard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
