"""auth: sign-in challenges for the TOTP second factor

Revision ID: 0002_auth_challenge
Revises: 0001
Create Date: 2026-11-25 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision: str = "0002_auth_challenge"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_challenge",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("failed_codes", sa.Integer(), nullable=False),
        sa.Column("completed_at", joinedup.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("totp_step", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_sign_in_challenge_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_challenge")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_challenge_token_hash")),
    )
    with op.batch_alter_table("sign_in_challenge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_challenge_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_in_challenge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_challenge_user_id"))

    op.drop_table("sign_in_challenge")
