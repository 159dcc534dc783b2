"""The interim same-person rule: exact name and date of birth, nothing looser."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from joinedup.partners.schemas import OrgKind
from joinedup.people.linking import linked_record_ids
from tests import factories as f


def test_links_exact_matches_across_organisations_only(session: Session) -> None:
    council = f.organisation(session, kind=OrgKind.DISTRICT_COUNCIL)
    trust = f.organisation(session, kind=OrgKind.MENTAL_HEALTH_TRUST)
    dob = date(1990, 2, 3)
    anchor = f.person(session, council, first_name="Jane", surname="Doe", date_of_birth=dob)
    same = f.person(session, trust, first_name=" jane", surname="DOE ", date_of_birth=dob)
    twin = f.person(session, trust, first_name="Joan", surname="Doe", date_of_birth=dob)
    mother = f.person(
        session, trust, first_name="Jane", surname="Doe", date_of_birth=date(1960, 1, 1)
    )
    no_dob = f.person(session, trust, first_name="Jane", surname="Doe", date_of_birth=None)
    session.commit()
    assert linked_record_ids(session, anchor.id) == [same.id]
    assert linked_record_ids(session, no_dob.id) == []
    assert {twin.id, mother.id}.isdisjoint(linked_record_ids(session, anchor.id))
