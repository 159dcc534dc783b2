"""person date of birth index: same-person look-ups start from the date of birth

Revision ID: 0007_person_dob_index
Revises: 0006_oversight
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_person_dob_index"
down_revision: str | None = "0006_oversight"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_person_record_date_of_birth", "person_record", ["date_of_birth"])


def downgrade() -> None:
    op.drop_index("ix_person_record_date_of_birth", table_name="person_record")
