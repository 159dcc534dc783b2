"""AC-5 with agreements and grants kept by the process (``access.context``).

A process keeps what it loaded under the policy token and uses it only while a fresh read of
the token, in the same request, still returns it. Every change to an agreement, its parties or
a grant gives the token a new value by database trigger, in the same transaction. So a
revocation made anywhere (another session, another process) denies on the very next request,
and validity dates and grant expiry still deny with no change at all.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session

from joinedup.access import context
from joinedup.access.models import AccessGrant
from joinedup.access.schemas import GrantKind
from joinedup.agreements.models import SharingAgreementParty
from joinedup.agreements.schemas import DataCategory
from joinedup.db import engine_for, session_factory
from joinedup.partners.models import User
from tests import factories as f
from tests.auth.fixtures import FakeClock, csrf_from
from tests.pages import sign_in_as
from tests.sharing.world import World, build

# Run in a separate OS process: the revocation cannot reach the server's memory.
REVOKE_IN_ANOTHER_PROCESS = """
import sys, uuid
from datetime import UTC, datetime
from sqlalchemy import create_engine, update
from joinedup.agreements.models import SharingAgreement
from joinedup.agreements.schemas import AgreementStatus
engine = create_engine(sys.argv[1])
with engine.begin() as conn:
    conn.execute(
        update(SharingAgreement)
        .where(SharingAgreement.id == uuid.UUID(sys.argv[2]))
        .values(status=AgreementStatus.REVOKED, revoked_at=datetime.now(UTC))
    )
engine.dispose()
"""


def _open(client: TestClient, path: str) -> str:
    asked = client.get(path)
    if "Why are you opening this record?" not in asked.text:
        return asked.text
    page = client.post(
        f"{path}/purpose",
        data={"csrf_token": csrf_from(asked.text), "purpose": "safeguarding", "justification": ""},
    )
    assert page.status_code == 200, page.text
    return page.text


def _kept_for(user: User) -> context._Kept | None:
    kept = [v for k, v in context._KEPT.items() if k[2] == user.id]
    return kept[0] if kept else None


def _warm(client: TestClient, user: User, path: str) -> str:
    """Read ``path`` until the process keeps the reader's agreements; the token they are kept
    under."""
    for _ in range(3):
        assert "Jordan" in _open(client, path)
    kept = _kept_for(user)
    assert kept is not None and kept.token is not None
    return kept.token


def test_ac5_a_revocation_by_another_process_denies_on_the_very_next_request(
    client: TestClient, session: Session, database_url: str
) -> None:
    w = build(session, [DataCategory.IDENTITY, DataCategory.MENTAL_HEALTH])
    reader = sign_in_as(client, session, w.council)
    path = f"/people/{w.trust_person.id}"
    token = _warm(client, reader, path)
    subprocess.run(
        [sys.executable, "-c", REVOKE_IN_ANOTHER_PROCESS, database_url, str(w.isa.id)],
        check=True,
        timeout=120,
    )
    assert client.get(path).status_code == 404
    assert str(w.trust_person.id) not in client.get("/api/v1/people").text
    kept = _kept_for(reader)
    assert kept is not None and kept.token != token


def _grant(session: Session, w: World, user: User, expires_at: datetime) -> AccessGrant:
    grant = AccessGrant(
        kind=GrantKind.REQUEST,
        grantee_user_id=user.id,
        grantee_organisation_id=w.council.id,
        holder_organisation_id=w.trust.id,
        person_record_id=w.trust_person.id,
        data_categories=[DataCategory.IDENTITY.value],
        purpose="safeguarding",
        starts_at=datetime.now(UTC) - timedelta(hours=1),
        expires_at=expires_at,
    )
    session.add(grant)
    session.commit()
    return grant


def test_ac5_a_grant_revoked_through_another_session_denies_on_the_next_request(
    client: TestClient, session: Session, engine: object, app_database_url: str
) -> None:
    w = build(session)  # the agreement shares ASB only: the record is reachable by the grant
    reader = sign_in_as(client, session, w.council)
    path = f"/people/{w.trust_person.id}"
    grant = _grant(session, w, reader, datetime.now(UTC) + timedelta(hours=4))
    _warm(client, reader, path)
    # Another session on the app's own engine (the app role on PostgreSQL), as another
    # request of the same process would revoke it.
    with session_factory(engine_for(app_database_url))() as other:
        other.execute(
            update(AccessGrant)
            .where(AccessGrant.id == grant.id)
            .values(revoked_at=datetime.now(UTC))
        )
        other.commit()
    assert client.get(path).status_code == 404


def test_ac5_agreement_and_grant_expiry_deny_with_the_cache_warm(
    client: TestClient, session: Session, clock: FakeClock
) -> None:
    # 23:50 in London on the agreement's last day; the grant ends five minutes later.
    clock.now = datetime(2026, 6, 10, 22, 50, tzinfo=UTC)
    w = build(session, [DataCategory.IDENTITY])
    w.isa.valid_to = clock.now.date()
    session.commit()
    reader = sign_in_as(client, session, w.council)
    assert str(w.trust_person.id) in client.get("/api/v1/people").text
    _grant(session, w, reader, clock.now + timedelta(minutes=5))
    path = f"/people/{w.trust_person.id}"
    _warm(client, reader, path)
    clock.advance(minutes=6)  # the grant has expired; the agreement still runs to midnight
    assert str(w.trust_person.id) in client.get("/api/v1/people").text
    clock.advance(minutes=6)  # 00:02 on the next day: the agreement has expired too
    assert str(w.trust_person.id) not in client.get("/api/v1/people").text
    assert client.get(path).status_code == 404


def _token(session: Session) -> str | None:
    session.rollback()
    value = session.execute(text("SELECT token FROM policy_generation WHERE id = 1")).scalar()
    session.rollback()
    return None if value is None else str(value)


def test_ac5_every_agreement_party_and_grant_change_moves_the_token(session: Session) -> None:
    w = build(session)
    seen: set[str | None] = {_token(session)}

    def changed() -> None:
        session.commit()
        token = _token(session)
        assert token is not None and token not in seen
        seen.add(token)

    w.isa.purposes = ["safeguarding", "crime_and_disorder"]
    changed()
    session.execute(
        delete(SharingAgreementParty).where(SharingAgreementParty.organisation_id == w.trust.id)
    )
    changed()
    session.add(SharingAgreementParty(agreement_id=w.isa.id, organisation_id=w.trust.id))
    changed()
    grant = _grant(session, w, f.user(session, w.council), datetime.now(UTC) + timedelta(hours=1))
    assert _token(session) not in seen
    seen.add(_token(session))
    grant.revoked_at = datetime.now(UTC)
    changed()
    session.delete(grant)
    changed()
