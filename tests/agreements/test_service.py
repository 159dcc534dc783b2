"""Recording and revoking information-sharing agreements (SES-2, AC-5, AUD-1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from joinedup.agreements.models import SharingAgreement
from joinedup.agreements.schemas import AgreementStatus
from joinedup.audit.models import LedgerEntry
from joinedup.auth.models import UserSession
from joinedup.partners.schemas import OrgKind, Role
from tests import factories as f
from tests.auth.fixtures import csrf_from
from tests.pages import csrf_header, sign_in_as

BODY = {
    "title": "Council and trust ASB and mental health",
    "reference": "ISA-T-1",
    "data_categories": ["identity", "mental_health"],
    "purposes": ["safeguarding"],
    "lawful_bases": ["ukgdpr_6_1_e_9_2_g"],
    "known_to_allowed": True,
    "valid_from": "2026-01-01",
}


def _orgs(session: Session):  # type: ignore[no-untyped-def]
    council = f.organisation(session, "Council", OrgKind.DISTRICT_COUNCIL)
    trust = f.organisation(session, "Trust", OrgKind.MENTAL_HEALTH_TRUST)
    session.commit()
    return council, trust


def test_ig_lead_records_an_agreement_through_the_api(client: TestClient, session: Session) -> None:
    council, trust = _orgs(session)
    sign_in_as(client, session, council, Role.IG_LEAD)
    body = {**BODY, "party_ids": [str(council.id), str(trust.id)]}
    made = client.post("/api/v1/sharing-agreements", json=body, headers=csrf_header(client))
    assert made.status_code == 201
    isa = session.scalars(select(SharingAgreement)).one()
    assert isa.status is AgreementStatus.ACTIVE and len(isa.parties) == 2
    events = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "sharing_agreement.created")
    ).all()
    assert len(events) == 1
    extra = {**body, "reference": "ISA-T-2", "status": "active"}
    bad = client.post("/api/v1/sharing-agreements", json=extra, headers=csrf_header(client))
    assert bad.status_code == 422


def test_the_form_records_an_agreement(client: TestClient, session: Session) -> None:
    council, trust = _orgs(session)
    sign_in_as(client, session, council, Role.ADMIN)
    page = client.get("/agreement/sharing/new")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_from(page.text),
        "title": "Form agreement",
        "reference": "ISA-F-1",
        "party_ids": [str(council.id), str(trust.id)],
        "data_categories": ["identity"],
        "purposes": ["safeguarding"],
        "lawful_bases": ["cda_1998_s115"],
        "known_to_allowed": "yes",
        "valid_from": "2026-01-01",
    }
    done = client.post("/agreement/sharing/new", data=data)
    assert done.status_code == 200 and "Form agreement" in done.text
    missing = client.post("/agreement/sharing/new", data={**data, "purposes": []})
    assert missing.status_code == 422 and "at least one purpose" in missing.text


def test_ses2_agreement_changes_need_a_recent_password(
    client: TestClient, session: Session
) -> None:
    council, trust = _orgs(session)
    sign_in_as(client, session, council, Role.ADMIN)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    session.execute(update(UserSession).values(reauthenticated_at=long_ago))
    session.commit()
    body = {**BODY, "party_ids": [str(council.id), str(trust.id)]}
    stale = client.post(
        "/api/v1/sharing-agreements", json=body, headers=csrf_header(client), follow_redirects=False
    )
    assert stale.status_code in (303, 401, 403)
    assert session.scalars(select(SharingAgreement)).all() == []


def test_practitioners_may_not_change_agreements(client: TestClient, session: Session) -> None:
    council, trust = _orgs(session)
    sign_in_as(client, session, council, Role.PRACTITIONER)
    body = {**BODY, "party_ids": [str(council.id), str(trust.id)]}
    answer = client.post("/api/v1/sharing-agreements", json=body, headers=csrf_header(client))
    assert answer.status_code == 403
