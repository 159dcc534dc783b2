"""ledger guard: PostgreSQL-only protections for the audit ledger (AUD-6)

A trigger refuses UPDATE and DELETE of any ledger row and TRUNCATE of the table, whoever asks;
PUBLIC loses those privileges. The head row (audit_ledger_head) stays updatable. The app role
(``joinedup db grant-app-role``) gets SELECT and INSERT on the ledger only.

Revision ID: 0004_ledger_guard
Revises: 0003_governance
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_ledger_guard"
down_revision: str | None = "0003_governance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_ledger is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(REFUSE_FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_ledger_append_only BEFORE UPDATE OR DELETE ON audit_ledger "
        "FOR EACH ROW EXECUTE FUNCTION audit_ledger_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_ledger_no_truncate BEFORE TRUNCATE ON audit_ledger "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_ledger_refuse_change()"
    )
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_ledger FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_ledger_no_truncate ON audit_ledger")
    op.execute("DROP TRIGGER IF EXISTS audit_ledger_append_only ON audit_ledger")
    op.execute("DROP FUNCTION IF EXISTS audit_ledger_refuse_change()")
