"""public portal: public concerns, ASB Case Review applications and their incidents, and the
portal's rate-limit counters

Revision ID: 0009_public_portal
Revises: 0008_intake
Create Date: 2026-12-01

On PostgreSQL the three tables holding what the public sent get row-level security like the
incident tables (AC-4): a row is visible and writable when the transaction runs as "system" or
acts for the organisation the application or concern was made to (``joinedup.actor_org``).
``public_rate_event`` holds keyed digests and times only and has no policy.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision: str = "0009_public_portal"
down_revision: str | None = "0008_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYSTEM = "coalesce(current_setting('joinedup.system', true), '') = 'on'"
ACTOR_ORG = "NULLIF(current_setting('joinedup.actor_org', true), '')::uuid"
POLICY = f"{SYSTEM} OR lead_organisation_id = {ACTOR_ORG}"
SECURED = ("public_concern", "asb_case_review", "asb_case_review_incident")


def _row_security_on() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SECURED:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_read ON {table} FOR SELECT USING ({POLICY})")
        op.execute(f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK ({POLICY})")
        op.execute(
            f"CREATE POLICY {table}_update ON {table} FOR UPDATE USING ({POLICY}) WITH CHECK ({POLICY})"
        )
        op.execute(f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING ({POLICY})")


def _row_security_off() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SECURED:
        for verb in ("read", "insert", "update", "delete"):
            op.execute(f"DROP POLICY IF EXISTS {table}_{verb} ON {table}")


def upgrade() -> None:
    op.create_table(
        "public_rate_event",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("client_digest", sa.String(length=64), nullable=False),
        sa.Column("reference_digest", sa.String(length=64), nullable=False),
        sa.Column("at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_rate_event")),
    )
    op.create_index(
        "ix_public_rate_event_kind_client_at",
        "public_rate_event",
        ["kind", "client_digest", "at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_public_rate_event_reference_digest"),
        "public_rate_event",
        ["reference_digest"],
        unique=False,
    )
    op.create_table(
        "asb_case_review",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("secret_digest", sa.String(length=64), nullable=False),
        sa.Column("lead_organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "acknowledged",
                "threshold_met",
                "threshold_not_met",
                "meeting_scheduled",
                "completed",
                name="asb_case_review_status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("applicant_name", sa.String(length=120), nullable=False),
        sa.Column("applicant_email", sa.String(length=200), nullable=False),
        sa.Column("applicant_phone", sa.String(length=30), nullable=False),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("victim_name", sa.String(length=120), nullable=False),
        sa.Column("consent_confirmed", sa.Boolean(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=False),
        sa.Column("received_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_due", sa.Date(), nullable=False),
        sa.Column("decision_due", sa.Date(), nullable=False),
        sa.Column("acknowledged_at", joinedup.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", joinedup.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("threshold_met", sa.Boolean(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("meeting_due", sa.Date(), nullable=True),
        sa.Column("meeting_on", sa.Date(), nullable=True),
        sa.Column("meeting_scheduled_at", joinedup.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_at", joinedup.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("recommendations", sa.Text(), nullable=False),
        sa.Column("updated_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["app_user.id"],
            name=op.f("fk_asb_case_review_acknowledged_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["app_user.id"],
            name=op.f("fk_asb_case_review_decided_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_asb_case_review_lead_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_case_review")),
        sa.UniqueConstraint("reference", name=op.f("uq_asb_case_review_reference")),
    )
    op.create_index(
        "ix_asb_case_review_lead_organisation_id_received_at",
        "asb_case_review",
        ["lead_organisation_id", "received_at"],
        unique=False,
    )
    op.create_table(
        "asb_case_review_incident",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("lead_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column(
            "reported_to",
            sa.Enum(
                "council",
                "police",
                "housing_provider",
                "other",
                name="acr_reported_to",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("other_body", sa.String(length=120), nullable=False),
        sa.Column("body_reference", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_asb_case_review_incident_lead_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["asb_case_review.id"],
            name=op.f("fk_asb_case_review_incident_review_id_asb_case_review"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_case_review_incident")),
    )
    op.create_index(
        op.f("ix_asb_case_review_incident_review_id"),
        "asb_case_review_incident",
        ["review_id"],
        unique=False,
    )
    op.create_table(
        "public_concern",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("secret_digest", sa.String(length=64), nullable=False),
        sa.Column("lead_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("contact_email", sa.String(length=200), nullable=False),
        sa.Column("contact_phone", sa.String(length=30), nullable=False),
        sa.Column("received_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_public_concern_incident_id_incident"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_public_concern_lead_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_concern")),
        sa.UniqueConstraint("reference", name=op.f("uq_public_concern_reference")),
    )
    op.create_index(
        op.f("ix_public_concern_lead_organisation_id"),
        "public_concern",
        ["lead_organisation_id"],
        unique=False,
    )
    _row_security_on()


def downgrade() -> None:
    _row_security_off()
    op.drop_index(op.f("ix_public_concern_lead_organisation_id"), table_name="public_concern")
    op.drop_table("public_concern")
    op.drop_index(
        op.f("ix_asb_case_review_incident_review_id"), table_name="asb_case_review_incident"
    )
    op.drop_table("asb_case_review_incident")
    op.drop_index(
        "ix_asb_case_review_lead_organisation_id_received_at", table_name="asb_case_review"
    )
    op.drop_table("asb_case_review")
    op.drop_index(op.f("ix_public_rate_event_reference_digest"), table_name="public_rate_event")
    op.drop_index("ix_public_rate_event_kind_client_at", table_name="public_rate_event")
    op.drop_table("public_rate_event")
