"""Creating and changing person records: own organisation only, audited (AUD-1, AC-1)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.common.errors import Conflict, Forbidden, NotFound
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people import service
from joinedup.people.schemas import PersonIn
from tests import factories as f


def test_aud1_create_and_update_write_collection_and_alteration(session: Session) -> None:
    org = f.organisation(session, kind=OrgKind.HOUSING_PROVIDER)
    actor = f.actor_for(f.user(session, org), org)
    session.commit()
    person = service.create(
        session=session,
        actor=actor,
        person_in=PersonIn(reference="H-1", first_name="Ann", surname="Lee", postcode="gu1  1aa"),
    )
    assert person.postcode == "GU1 1AA"
    changed = PersonIn(reference="H-1", first_name="Anne", surname="Lee", postcode="GU1 1AA")
    service.update(session=session, actor=actor, person_id=person.id, person_in=changed)
    # An update that changes nothing writes nothing.
    service.update(session=session, actor=actor, person_id=person.id, person_in=changed)
    rows = session.execute(
        select(LedgerEntry.name, LedgerEntry.operation).order_by(LedgerEntry.seq)
    )
    assert [(n, o.value) for n, o in rows] == [
        ("person.created", "collection"),
        ("person.updated", "alteration"),
    ]


def test_duplicate_reference_is_refused(session: Session) -> None:
    org = f.organisation(session)
    actor = f.actor_for(f.user(session, org), org)
    session.commit()
    service.create(session=session, actor=actor, person_in=PersonIn(reference="R1"))
    with pytest.raises(Conflict):
        service.create(session=session, actor=actor, person_in=PersonIn(reference="R1"))


def test_ac1_other_organisations_records_cannot_be_changed(session: Session) -> None:
    mine = f.organisation(session)
    theirs = f.organisation(session)
    actor = f.actor_for(f.user(session, mine), mine)
    analyst = f.actor_for(f.user(session, mine, Role.ANALYST), mine)
    other = f.person(session, theirs)
    session.commit()
    with pytest.raises(NotFound):
        service.update(
            session=session, actor=actor, person_id=other.id, person_in=PersonIn(reference="x")
        )
    with pytest.raises(Forbidden):
        service.create(session=session, actor=analyst, person_in=PersonIn(reference="A1"))
