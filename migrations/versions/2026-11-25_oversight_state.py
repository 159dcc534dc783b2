"""oversight: how far the misuse-monitoring job has read the audit ledger

Revision ID: 0006_oversight
Revises: 0005_row_security
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision: str = "0006_oversight"
down_revision: str | None = "0005_row_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oversight_scan_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("scanned_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_scan_state")),
    )


def downgrade() -> None:
    op.drop_table("oversight_scan_state")
