"""Opening an incident asks why (AUD-2), unless it is opened from a person whose purpose the
reader has just given: then that purpose carries on and is recorded with the read."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.incidents.schemas import InvolvementRole
from joinedup.partners.schemas import OrgKind
from tests import factories as f
from tests.auth.fixtures import csrf_from
from tests.pages import sign_in_as

ASK = "Why are you opening this record?"


def test_aud2_incident_from_a_person_carries_on_the_stated_purpose(
    client: TestClient, session: Session
) -> None:
    org = f.organisation(session, "Woking Borough Council", OrgKind.DISTRICT_COUNCIL)
    person = f.person(session, org)
    theirs = f.incident(session, org, [(person, InvolvementRole.VICTIM)])
    unrelated = f.incident(session, org, category="noise_complaint")
    session.commit()
    sign_in_as(client, session, org)

    assert ASK in client.get(f"/incidents/{theirs.id}").text
    asked = client.get(f"/people/{person.id}")
    client.post(
        f"/people/{person.id}/purpose",
        data={"csrf_token": csrf_from(asked.text), "purpose": "safeguarding"},
    )
    shown = client.get(f"/incidents/{theirs.id}")
    assert ASK not in shown.text and "People involved" in shown.text
    assert ASK in client.get(f"/incidents/{unrelated.id}").text
    purposes = session.scalars(
        select(LedgerEntry.purpose).where(
            LedgerEntry.name == "incident.viewed", LedgerEntry.record_id == str(theirs.id)
        )
    ).all()
    assert purposes == ["safeguarding"]
