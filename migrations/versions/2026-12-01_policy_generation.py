"""policy generation: a token that changes with every change to agreements and grants

Revision ID: 0010_policy_generation
Revises: 0009_public_portal
Create Date: 2026-12-01

``policy_generation`` holds one row (id 1) with a random token. Triggers on
``sharing_agreement``, ``sharing_agreement_party`` and ``access_grant`` give it a new random
token on every insert, update and delete (and truncate, on PostgreSQL), in the same transaction
as the change. A process keeps the agreements and grants it loaded under a token and uses them
only while a fresh read of the token still returns it (``access.context``), so a revocation
committed by any process denies on the next request everywhere (AC-5). Validity dates and
grant expiry are evaluated at decision time, as before. A missing row means "do not keep".

On PostgreSQL the row-level security policies of ``person_record``, ``incident`` and
``incident_person`` (migration ``0005_row_security``) are restated with each setting read in a
scalar sub-select: the same conditions, but PostgreSQL evaluates a setting (and parses the list
of organisation ids) once per statement instead of once per row checked.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_policy_generation"
down_revision: str | None = "0009_public_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = ("sharing_agreement", "sharing_agreement_party", "access_grant")

PG_BUMP = """
CREATE OR REPLACE FUNCTION policy_generation_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO policy_generation (id, token)
    VALUES (1, replace(gen_random_uuid()::text, '-', ''))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$
"""

SQLITE_BUMP = """
CREATE TRIGGER policy_generation_{table}_{op} AFTER {op} ON {table}
BEGIN
    INSERT INTO policy_generation (id, token) VALUES (1, lower(hex(randomblob(16))))
    ON CONFLICT (id) DO UPDATE SET token = excluded.token;
END
"""


def _settings(once: bool) -> dict[str, str]:
    def wrap(expression: str) -> str:
        return f"(SELECT {expression})" if once else expression

    def ids(setting: str) -> str:
        # The cast after the sub-select makes ``= ANY (...)`` compare with the array's elements.
        array = f"string_to_array(NULLIF(current_setting('joinedup.{setting}', true), ''), ',')"
        return f"{wrap(array + '::uuid[]')}::uuid[]" if once else f"{array}::uuid[]"

    return {
        "system": wrap("coalesce(current_setting('joinedup.system', true), '') = 'on'"),
        "actor_org": wrap("NULLIF(current_setting('joinedup.actor_org', true), '')::uuid"),
        "readable": ids("readable_orgs"),
        "records": ids("granted_records"),
        "grant_orgs": ids("grant_orgs"),
    }


def _policies(once: bool) -> dict[str, tuple[str, str]]:
    """Table -> (read condition, write condition), as in ``0005_row_security``."""
    s = _settings(once)
    return {
        "person_record": (
            f"{s['system']} OR organisation_id = ANY ({s['readable']})"
            f" OR id = ANY ({s['records']})",
            f"{s['system']} OR organisation_id = {s['actor_org']}",
        ),
        "incident": (
            f"{s['system']} OR organisation_id = ANY ({s['readable']})"
            f" OR organisation_id = ANY ({s['grant_orgs']})",
            f"{s['system']} OR organisation_id = {s['actor_org']}",
        ),
        "incident_person": (
            f"{s['system']} OR EXISTS (SELECT 1 FROM incident i WHERE i.id = incident_id)",
            f"{s['system']} OR EXISTS (SELECT 1 FROM incident i WHERE i.id = incident_id"
            f" AND i.organisation_id = {s['actor_org']})",
        ),
    }


def _restate_policies(once: bool) -> None:
    for table, (read, write) in _policies(once).items():
        op.execute(f"ALTER POLICY {table}_read ON {table} USING ({read})")
        op.execute(f"ALTER POLICY {table}_insert ON {table} WITH CHECK ({write})")
        op.execute(f"ALTER POLICY {table}_update ON {table} USING ({write}) WITH CHECK ({write})")
        op.execute(f"ALTER POLICY {table}_delete ON {table} USING ({write})")


def upgrade() -> None:
    op.create_table(
        "policy_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_generation")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_BUMP)
        for table in WATCHED:
            op.execute(
                f"CREATE TRIGGER policy_generation_bump AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION "
                f"policy_generation_bump()"
            )
        op.execute(
            "INSERT INTO policy_generation (id, token) "
            "VALUES (1, replace(gen_random_uuid()::text, '-', ''))"
        )
        _restate_policies(once=True)
        return
    for table in WATCHED:
        for verb in ("INSERT", "UPDATE", "DELETE"):
            op.execute(SQLITE_BUMP.format(table=table, op=verb))
    op.execute("INSERT INTO policy_generation (id, token) VALUES (1, lower(hex(randomblob(16))))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _restate_policies(once=False)
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS policy_generation_bump ON {table}")
        op.execute("DROP FUNCTION IF EXISTS policy_generation_bump()")
    else:
        for table in WATCHED:
            for verb in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"DROP TRIGGER IF EXISTS policy_generation_{table}_{verb}")
    op.drop_table("policy_generation")
