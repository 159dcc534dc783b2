"""person linkage: entities of person records, the blocking-key index, reviews and decisions

Revision ID: 0012_person_linkage
Revises: 0011_import_notices
Create Date: 2026-12-02

Adds the tables of ``linkage.entities``. A trigger on ``person_record`` queues a record in
``linkage_pending`` when it is inserted and when any compared field changes, whatever wrote it
(pages, API, CSV import, the demo loader), in the same transaction; the matcher
(``linkage.realtime``) drains the queue. Every existing record is queued here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision: str = "0012_person_linkage"
down_revision: str | None = "0011_import_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The fields the matcher compares: a change to any of them queues the record again.
COMPARED = (
    "first_name",
    "middle_names",
    "surname",
    "date_of_birth",
    "gender",
    "address_line",
    "town",
    "postcode",
    "address_confidential",
)

PG_QUEUE = """
CREATE OR REPLACE FUNCTION linkage_queue() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO linkage_pending (person_record_id, queued_at) VALUES (NEW.id, now())
    ON CONFLICT (person_record_id) DO NOTHING;
    RETURN NULL;
END
$$
"""


def _now() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "now()"
    return "strftime('%Y-%m-%d %H:%M:%f', 'now')"


def _queue_triggers() -> None:
    columns = ", ".join(COMPARED)
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COMPARED)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_QUEUE)
        op.execute(
            "CREATE TRIGGER linkage_queue_insert AFTER INSERT ON person_record "
            "FOR EACH ROW EXECUTE FUNCTION linkage_queue()"
        )
        op.execute(
            f"CREATE TRIGGER linkage_queue_update AFTER UPDATE OF {columns} ON person_record "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION linkage_queue()"
        )
        return
    insert = (
        "INSERT INTO linkage_pending (person_record_id, queued_at) "
        f"VALUES (NEW.id, {_now()}) ON CONFLICT (person_record_id) DO NOTHING;"
    )
    op.execute(
        f"CREATE TRIGGER linkage_queue_insert AFTER INSERT ON person_record BEGIN {insert} END"
    )
    sqlite_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COMPARED)
    op.execute(
        f"CREATE TRIGGER linkage_queue_update AFTER UPDATE OF {columns} ON person_record "
        f"WHEN {sqlite_changed} BEGIN {insert} END"
    )


def upgrade() -> None:
    op.create_table(
        "linkage_model",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("created_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_model")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_linkage_model_name_version")),
    )
    op.create_table(
        "linkage_term_frequency",
        sa.Column("column_name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("frequency", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("column_name", "value", name=op.f("pk_linkage_term_frequency")),
    )
    op.create_table(
        "person_entity",
        sa.Column("created_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_entity")),
    )
    op.create_table(
        "link_review",
        sa.Column("record_a_id", sa.Uuid(), nullable=False),
        sa.Column("record_b_id", sa.Uuid(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "rejected",
                "settled",
                name="review_status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("created_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", joinedup.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_link_review_decided_by_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["record_a_id"],
            ["person_record.id"],
            name=op.f("fk_link_review_record_a_id_person_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_b_id"],
            ["person_record.id"],
            name=op.f("fk_link_review_record_b_id_person_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_review")),
        sa.UniqueConstraint(
            "record_a_id", "record_b_id", name=op.f("uq_link_review_record_a_id_record_b_id")
        ),
    )
    with op.batch_alter_table("link_review", schema=None) as batch_op:
        batch_op.create_index("ix_link_review_record_b", ["record_b_id"], unique=False)
        batch_op.create_index("ix_link_review_status", ["status"], unique=False)

    op.create_table(
        "linkage_block_key",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("person_record_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_record_id"],
            ["person_record.id"],
            name=op.f("fk_linkage_block_key_person_record_id_person_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", "person_record_id", name=op.f("pk_linkage_block_key")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("linkage_block_key", schema=None) as batch_op:
        batch_op.create_index("ix_linkage_block_key_record", ["person_record_id"], unique=False)

    op.create_table(
        "linkage_pending",
        sa.Column("person_record_id", sa.Uuid(), nullable=False),
        sa.Column("queued_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_record_id"],
            ["person_record.id"],
            name=op.f("fk_linkage_pending_person_record_id_person_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_record_id", name=op.f("pk_linkage_pending")),
    )
    op.create_table(
        "person_entity_member",
        sa.Column("person_record_id", sa.Uuid(), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column(
            "joined_by",
            sa.Enum(
                "new",
                "automatic",
                "review",
                "batch",
                name="joined_by",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.Column("joined_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["person_entity.id"],
            name=op.f("fk_person_entity_member_entity_id_person_entity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_record_id"],
            ["person_record.id"],
            name=op.f("fk_person_entity_member_person_record_id_person_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_record_id", name=op.f("pk_person_entity_member")),
    )
    with op.batch_alter_table("person_entity_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_entity_member_entity_id"), ["entity_id"], unique=False
        )

    op.create_table(
        "link_decision",
        sa.Column(
            "kind",
            sa.Enum(
                "automatic",
                "merge",
                "unmerge",
                "batch",
                name="decision_kind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("from_entity_id", sa.Uuid(), nullable=True),
        sa.Column("moved_record_ids", sa.JSON(), nullable=False),
        sa.Column("partner_record_id", sa.Uuid(), nullable=True),
        sa.Column("review_id", sa.Uuid(), nullable=True),
        sa.Column("undoes_id", sa.Uuid(), nullable=True),
        sa.Column("undone_by_id", sa.Uuid(), nullable=True),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("created_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_record_id"],
            ["person_record.id"],
            name=op.f("fk_link_decision_partner_record_id_person_record"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["link_review.id"],
            name=op.f("fk_link_decision_review_id_link_review"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_link_decision_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_decision")),
    )
    with op.batch_alter_table("link_decision", schema=None) as batch_op:
        batch_op.create_index("ix_link_decision_entity", ["entity_id"], unique=False)

    _queue_triggers()
    op.execute(
        "INSERT INTO linkage_pending (person_record_id, queued_at) "
        f"SELECT id, {_now()} FROM person_record"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS linkage_queue_insert ON person_record")
        op.execute("DROP TRIGGER IF EXISTS linkage_queue_update ON person_record")
        op.execute("DROP FUNCTION IF EXISTS linkage_queue()")
    else:
        op.execute("DROP TRIGGER IF EXISTS linkage_queue_insert")
        op.execute("DROP TRIGGER IF EXISTS linkage_queue_update")
    with op.batch_alter_table("link_decision", schema=None) as batch_op:
        batch_op.drop_index("ix_link_decision_entity")

    op.drop_table("link_decision")
    with op.batch_alter_table("person_entity_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_entity_member_entity_id"))

    op.drop_table("person_entity_member")
    op.drop_table("linkage_pending")
    with op.batch_alter_table("linkage_block_key", schema=None) as batch_op:
        batch_op.drop_index("ix_linkage_block_key_record")

    op.drop_table("linkage_block_key")
    with op.batch_alter_table("link_review", schema=None) as batch_op:
        batch_op.drop_index("ix_link_review_status")
        batch_op.drop_index("ix_link_review_record_b")

    op.drop_table("link_review")
    op.drop_table("person_entity")
    op.drop_table("linkage_term_frequency")
    op.drop_table("linkage_model")
