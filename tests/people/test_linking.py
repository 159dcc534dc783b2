"""Same-person links come from matching: exact and near matches join, households stay apart."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from joinedup.linkage import realtime
from joinedup.partners.schemas import OrgKind
from joinedup.people.linking import linked_record_ids
from tests import factories as f


def test_links_the_same_person_across_organisations_only(session: Session) -> None:
    council = f.organisation(session, kind=OrgKind.DISTRICT_COUNCIL)
    trust = f.organisation(session, kind=OrgKind.MENTAL_HEALTH_TRUST)
    dob = date(1990, 2, 3)
    anchor = f.person(
        session, council, first_name="Jane", surname="Doe", date_of_birth=dob, postcode="GU1 4AB"
    )
    same = f.person(
        session, trust, first_name=" jane", surname="DOE ", date_of_birth=dob, postcode="GU1 4AB"
    )
    twin = f.person(
        session, trust, first_name="Ruth", surname="Doe", date_of_birth=dob, postcode="GU1 4AB"
    )
    mother = f.person(
        session,
        trust,
        first_name="Jane",
        surname="Doe",
        date_of_birth=date(1960, 1, 1),
        postcode="GU1 4AB",
    )
    session.commit()
    assert linked_record_ids(session, anchor.id) == []  # not matched yet: no links
    realtime.match_pending(session)
    assert linked_record_ids(session, anchor.id) == [same.id]
    assert linked_record_ids(session, same.id) == [anchor.id]
    assert {twin.id, mother.id}.isdisjoint(linked_record_ids(session, anchor.id))
    assert linked_record_ids(session, twin.id) == []
