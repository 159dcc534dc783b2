"""row security: PostgreSQL row-level security behind the application's access filter

Revision ID: 0005_row_security
Revises: 0004_ledger_guard
Create Date: 2026-11-25

On PostgreSQL only (AC-4). A row of ``person_record``, ``incident`` or ``incident_person`` is
visible when the transaction runs as "system" (jobs, imports, the demo, migrations: connections
start so) or when the request's access context (``access.context.row_security_values``) names
its organisation or record. Writes are limited to the actor's organisation. FORCE applies the
policies to the table owner too; only superusers and BYPASSRLS roles skip them, and the app
role is neither.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_row_security"
down_revision: str | None = "0004_ledger_guard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYSTEM = "coalesce(current_setting('joinedup.system', true), '') = 'on'"
ACTOR_ORG = "NULLIF(current_setting('joinedup.actor_org', true), '')::uuid"


def _ids(setting: str) -> str:
    return f"string_to_array(NULLIF(current_setting('joinedup.{setting}', true), ''), ',')::uuid[]"


READ = {
    "person_record": (
        f"{SYSTEM} OR organisation_id = ANY({_ids('readable_orgs')})"
        f" OR id = ANY({_ids('granted_records')})"
    ),
    "incident": (
        f"{SYSTEM} OR organisation_id = ANY({_ids('readable_orgs')})"
        f" OR organisation_id = ANY({_ids('grant_orgs')})"
    ),
    # Through the incident's own policy: an involvement is visible with its incident.
    "incident_person": f"{SYSTEM} OR EXISTS (SELECT 1 FROM incident i WHERE i.id = incident_id)",
}
WRITE = {
    "person_record": f"{SYSTEM} OR organisation_id = {ACTOR_ORG}",
    "incident": f"{SYSTEM} OR organisation_id = {ACTOR_ORG}",
    "incident_person": (
        f"{SYSTEM} OR EXISTS (SELECT 1 FROM incident i WHERE i.id = incident_id"
        f" AND i.organisation_id = {ACTOR_ORG})"
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, read in READ.items():
        write = WRITE[table]
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_read ON {table} FOR SELECT USING ({read})")
        op.execute(f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK ({write})")
        op.execute(
            f"CREATE POLICY {table}_update ON {table} FOR UPDATE USING ({write}) WITH CHECK ({write})"
        )
        op.execute(f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING ({write})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in READ:
        for verb in ("read", "insert", "update", "delete"):
            op.execute(f"DROP POLICY IF EXISTS {table}_{verb} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
