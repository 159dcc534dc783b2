"""PostgreSQL row-level security backs the lead agency's filter on what the public sent (AC-4).
PostgreSQL only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from joinedup.db import engine_for, session_factory
from joinedup.partners.models import Organisation
from tests import factories as f
from tests.public.conftest import CONCERN, Submit, post_public

TABLES = ("public_concern", "asb_case_review", "asb_case_review_incident")


@pytest.fixture
def app_engine(engine: Engine, app_database_url: str) -> Engine:
    """The engine the application uses: on PostgreSQL the non-owner app role."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row-level security is a PostgreSQL feature")
    return engine_for(app_database_url)


def test_ac4_row_security_is_forced_on_the_public_tables(
    session: Session, app_engine: Engine
) -> None:
    for table in TABLES:
        row = session.execute(
            text(
                "SELECT c.relrowsecurity, c.relforcerowsecurity FROM pg_class c"
                " WHERE c.relname = :t AND c.relkind = 'r'"
            ),
            {"t": table},
        ).one()
        assert tuple(row) == (True, True), table


def test_ac4_only_a_transaction_acting_for_the_lead_agency_sees_the_rows(
    client: TestClient, session: Session, app_engine: Engine, apply: Submit, lead: Organisation
) -> None:
    assert apply(3).status_code == 200
    assert post_public(client, "/public/concerns/new", CONCERN).status_code == 200
    other = f.organisation(session, "Another Trust")
    session.commit()
    with session_factory(app_engine)() as app:
        app.execute(text("SELECT set_config('joinedup.system', 'off', true)"))
        for table in TABLES:
            assert app.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
        app.execute(text("SELECT set_config('joinedup.actor_org', :o, true)"), {"o": str(other.id)})
        for table in TABLES:
            assert app.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
        app.execute(text("SELECT set_config('joinedup.actor_org', :o, true)"), {"o": str(lead.id)})
        assert app.scalar(text("SELECT count(*) FROM asb_case_review_incident")) == 3
        assert app.scalar(text("SELECT count(*) FROM public_concern")) == 1
