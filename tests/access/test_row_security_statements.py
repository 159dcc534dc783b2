"""AC-4 with fewer round trips: the settings written by the statement that begins a request's
transaction, and a kept access context narrowing it exactly as a fresh one. PostgreSQL only."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from joinedup.access.context import load_context
from joinedup.db import session_factory
from tests.access.test_row_security import _world
from tests.access.test_row_security import app_engine as app_engine  # noqa: F401  (fixture)


def _request_session(app_engine: Engine, own: str) -> Session:
    app = session_factory(app_engine)()
    app.info["row_security"] = {
        "joinedup.system": "off",
        "joinedup.actor_org": own,
        "joinedup.readable_orgs": own,
        "joinedup.granted_records": "",
        "joinedup.grant_orgs": "",
    }
    return app


def test_ac4_a_purpose_read_that_begins_the_transaction_sets_default_deny_in_it(
    session: Session, app_engine: Engine
) -> None:
    from joinedup.access import purposes

    a, b, c, people, actor = _world(session)
    with _request_session(app_engine, str(a.id)) as app:
        # The first statement of the transaction carries the settings (one round trip).
        assert purposes.live(app, actor, "person_record", people["Trust"].id) is None
        assert app.scalar(text("SELECT current_setting('joinedup.system', true)")) == "off"
        ids = set(app.scalars(text("SELECT id FROM person_record")))
        assert ids == {people["Council"].id}


def test_ac4_a_kept_context_narrows_the_transaction_exactly_as_a_fresh_one(
    session: Session, app_engine: Engine
) -> None:
    a, b, c, people, actor = _world(session)
    seen = []
    for _ in range(3):  # the first load fills the process's copy; the others use it
        with _request_session(app_engine, str(a.id)) as app:
            load_context(app, actor)
            seen.append(set(app.scalars(text("SELECT id FROM person_record"))))
    assert seen == [{people["Council"].id, people["Trust"].id}] * 3
