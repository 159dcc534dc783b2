"""pprl encodings: partners' Bloom-filter encodings, their uploads and the "known to" flags

Revision ID: 0013_pprl_encodings
Revises: 0012_person_linkage
Create Date: 2026-12-02

Adds the tables of ``linkage.pprl_models``: ``pprl_upload`` (one per organisation and kind),
``pprl_encoding`` (the encodings of an upload; a "known" one names its person record) and
``pprl_flag`` (a known person record matched by a holder's encoding, with the holder's own
reference, kept server-side). ``access_request`` gains ``holder_reference`` for a request made
from a signpost matched on encodings (named to the holder only).

Encodings are pseudonymised personal data held for a partner, so on PostgreSQL the three tables
get row-level security like the person and incident tables (AC-4): an upload or an encoding is
visible and writable when the transaction runs as "system" (jobs, the CLI, the signpost check
and matching, which limit what leaves) or acts for its organisation (``joinedup.actor_org``); a
flag when it runs as "system" or acts for the holder organisation. Settings are read in scalar
sub-selects, as restated in ``0010_policy_generation``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision: str = "0013_pprl_encodings"
down_revision: str | None = "0012_person_linkage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYSTEM = "(SELECT coalesce(current_setting('joinedup.system', true), '') = 'on')"
ACTOR_ORG = "(SELECT NULLIF(current_setting('joinedup.actor_org', true), '')::uuid)"
POLICIES = {
    "pprl_upload": f"{SYSTEM} OR organisation_id = {ACTOR_ORG}",
    "pprl_encoding": f"{SYSTEM} OR organisation_id = {ACTOR_ORG}",
    "pprl_flag": f"{SYSTEM} OR holder_organisation_id = {ACTOR_ORG}",
}


def _row_security_on() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, policy in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_read ON {table} FOR SELECT USING ({policy})")
        op.execute(f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK ({policy})")
        op.execute(
            f"CREATE POLICY {table}_update ON {table} FOR UPDATE USING ({policy}) WITH CHECK ({policy})"
        )
        op.execute(f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING ({policy})")


def _row_security_off() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in POLICIES:
        for verb in ("read", "insert", "update", "delete"):
            op.execute(f"DROP POLICY IF EXISTS {table}_{verb} ON {table}")


def upgrade() -> None:
    op.create_table(
        "pprl_upload",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "known",
                "holder",
                name="pprl_upload_kind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("uploaded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("uploaded_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("encoding_count", sa.Integer(), nullable=False),
        sa.Column("matched_count", sa.Integer(), nullable=False),
        sa.Column("matched_at", joinedup.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_pprl_upload_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_pprl_upload_uploaded_by_user_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pprl_upload")),
        sa.UniqueConstraint(
            "organisation_id", "kind", name=op.f("uq_pprl_upload_organisation_id_kind")
        ),
    )
    op.create_table(
        "pprl_encoding",
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("person_record_id", sa.Uuid(), nullable=True),
        sa.Column("clk", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_pprl_encoding_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_record_id"],
            ["person_record.id"],
            name=op.f("fk_pprl_encoding_person_record_id_person_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["pprl_upload.id"],
            name=op.f("fk_pprl_encoding_upload_id_pprl_upload"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pprl_encoding")),
        sa.UniqueConstraint(
            "upload_id", "reference", name=op.f("uq_pprl_encoding_upload_id_reference")
        ),
    )
    with op.batch_alter_table("pprl_encoding", schema=None) as batch_op:
        batch_op.create_index("ix_pprl_encoding_person_record", ["person_record_id"], unique=False)
    op.create_table(
        "pprl_flag",
        sa.Column("person_record_id", sa.Uuid(), nullable=False),
        sa.Column("holder_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("holder_reference", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("matched_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_pprl_flag_holder_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_record_id"],
            ["person_record.id"],
            name=op.f("fk_pprl_flag_person_record_id_person_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["pprl_upload.id"],
            name=op.f("fk_pprl_flag_upload_id_pprl_upload"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pprl_flag")),
        sa.UniqueConstraint(
            "person_record_id",
            "holder_organisation_id",
            name=op.f("uq_pprl_flag_person_record_id_holder_organisation_id"),
        ),
    )
    with op.batch_alter_table("pprl_flag", schema=None) as batch_op:
        batch_op.create_index("ix_pprl_flag_holder", ["holder_organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pprl_flag_upload_id"), ["upload_id"], unique=False)
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder_reference", sa.String(length=200), nullable=True))
    _row_security_on()


def downgrade() -> None:
    _row_security_off()
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.drop_column("holder_reference")
    with op.batch_alter_table("pprl_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pprl_flag_upload_id"))
        batch_op.drop_index("ix_pprl_flag_holder")
    op.drop_table("pprl_flag")
    with op.batch_alter_table("pprl_encoding", schema=None) as batch_op:
        batch_op.drop_index("ix_pprl_encoding_person_record")
    op.drop_table("pprl_encoding")
    op.drop_table("pprl_upload")
