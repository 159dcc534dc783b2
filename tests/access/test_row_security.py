"""PostgreSQL row-level security backs the application's filter (AC-4). PostgreSQL only."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from joinedup.access.context import load_context
from joinedup.agreements.schemas import DataCategory
from joinedup.db import engine_for, session_factory
from joinedup.incidents.schemas import InvolvementRole
from joinedup.partners.schemas import OrgKind
from tests import factories as f
from tests.sharing.world import agreement

TABLES = ("person_record", "incident", "incident_person")


@pytest.fixture
def app_engine(engine: Engine, app_database_url: str) -> Engine:
    """The engine the application uses: on PostgreSQL the non-owner app role."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row-level security is a PostgreSQL feature")
    return engine_for(app_database_url)


def test_ac4_catalogue_row_security_is_forced_and_the_app_role_cannot_bypass_it(
    session: Session, app_engine: Engine
) -> None:
    with app_engine.connect() as conn:
        role = conn.scalar(text("SELECT current_user"))
        attrs = conn.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
    assert tuple(attrs) == (False, False)
    for table in TABLES:
        row = session.execute(
            text(
                "SELECT c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner)"
                " FROM pg_class c WHERE c.relname = :t AND c.relkind = 'r'"
            ),
            {"t": table},
        ).one()
        assert row[0] is True and row[1] is True, table
        assert row[2] != role, f"the app role owns {table}"


def _world(session: Session):  # type: ignore[no-untyped-def]
    a = f.organisation(session, "Council", OrgKind.DISTRICT_COUNCIL)
    b = f.organisation(session, "Trust", OrgKind.MENTAL_HEALTH_TRUST)
    c = f.organisation(session, "Refuge charity", OrgKind.DOMESTIC_ABUSE_SERVICE)
    agreement(session, [a, b], [DataCategory.IDENTITY])
    people = {org.name: f.person(session, org) for org in (a, b, c)}
    for org in (a, b, c):
        f.incident(session, org, [(people[org.name], InvolvementRole.VICTIM)])
    actor = f.actor_for(f.user(session, a), a)
    session.commit()
    return a, b, c, people, actor


def test_ac4_a_raw_query_as_the_app_role_returns_only_allowed_rows(
    session: Session, app_engine: Engine
) -> None:
    a, b, c, people, actor = _world(session)
    with session_factory(app_engine)() as app:
        load_context(app, actor)
        ids = set(app.scalars(text("SELECT id FROM person_record")))
        assert ids == {people["Council"].id, people["Trust"].id}
        orgs = set(app.scalars(text("SELECT organisation_id FROM incident")))
        assert c.id not in orgs
        app.commit()
        # Later transactions of the same session stay narrowed.
        again = set(app.scalars(text("SELECT id FROM person_record")))
        assert people["Refuge charity"].id not in again
        with pytest.raises(DBAPIError):
            app.execute(
                text(
                    "INSERT INTO person_record (id, organisation_id, reference, first_name,"
                    " middle_names, surname, gender, address_line, town, postcode,"
                    " address_confidential, vulnerability_markers, created_at, updated_at)"
                    " VALUES (gen_random_uuid(), :org, 'X', '', '', '', 'not_known', '', '',"
                    " '', false, '[]', now(), now())"
                ),
                {"org": c.id},
            )
        app.rollback()


def test_ac4_without_an_access_context_a_request_transaction_sees_nothing(
    session: Session, app_engine: Engine
) -> None:
    _world(session)
    with session_factory(app_engine)() as app:
        app.execute(text("SELECT set_config('joinedup.system', 'off', true)"))
        assert app.scalar(text("SELECT count(*) FROM person_record")) == 0
        assert app.scalar(text("SELECT count(*) FROM incident_person")) == 0
