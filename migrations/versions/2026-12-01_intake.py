"""intake: import runs with their problem reports, idempotent API requests, content digests

Revision ID: 0008_intake
Revises: 0007_person_dob_index
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision: str = "0008_intake"
down_revision: str | None = "0007_person_dob_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_location_description", "location", ["description"])
    with op.batch_alter_table("incident") as batch:
        batch.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "import_run",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("file_format", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("started_by_id", sa.Uuid(), nullable=True),
        sa.Column("started_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", joinedup.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("strict", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("report_csv", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_import_run_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["app_user.id"], name=op.f("fk_import_run_started_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    op.create_index(
        "ix_import_run_organisation_id_started_at",
        "import_run",
        ["organisation_id", "started_at"],
    )
    op.create_table(
        "idempotent_request",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_idempotent_request_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "key", name=op.f("pk_idempotent_request")),
    )
    op.create_index(op.f("ix_idempotent_request_created_at"), "idempotent_request", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotent_request_created_at"), table_name="idempotent_request")
    op.drop_table("idempotent_request")
    op.drop_index("ix_import_run_organisation_id_started_at", table_name="import_run")
    op.drop_table("import_run")
    with op.batch_alter_table("incident") as batch:
        batch.drop_column("content_hash")
    op.drop_index("ix_location_description", table_name="location")
