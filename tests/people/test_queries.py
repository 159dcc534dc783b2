"""Person reads go through access.scope and are audited (AC-3, AUD-1)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.access.purposes import StatedPurpose
from joinedup.agreements.schemas import Purpose
from joinedup.audit.models import LedgerEntry
from joinedup.common.errors import NotFound
from joinedup.incidents.schemas import InvolvementRole
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people import queries
from tests import factories as f

STATED = StatedPurpose(Purpose.SAFEGUARDING, "checking a referral")


def _setup(session: Session):  # type: ignore[no-untyped-def]
    mine = f.organisation(session, "Guildford Borough Council", OrgKind.DISTRICT_COUNCIL)
    theirs = f.organisation(session, "Mental Health Trust", OrgKind.MENTAL_HEALTH_TRUST)
    me = f.actor_for(f.user(session, mine), mine)
    own = f.person(session, mine, surname="Okoro")
    hidden = f.person(session, theirs, surname="Okoro", first_name="Restricted")
    session.commit()
    return me, own, hidden


def test_ac3_list_and_search_show_only_own_organisation(session: Session) -> None:
    me, own, hidden = _setup(session)
    page = queries.list_for(session, me)
    assert [p.id for p in page.items] == [own.id]
    assert page.total == 1  # the count does not reveal the other organisation's record
    assert [p.id for p in queries.search(session, me, "okoro")] == [own.id]


def test_ac1_profile_of_another_organisations_record_is_not_found(session: Session) -> None:
    me, _own, hidden = _setup(session)
    with pytest.raises(NotFound):
        queries.profile(session, me, hidden.id, stated=STATED)
    with pytest.raises(NotFound):
        queries.profile(session, me, f.any_id(), stated=STATED)


def test_aud1_profile_writes_one_consultation_event(session: Session) -> None:
    me, own, _hidden = _setup(session)
    mine = session.get(type(own), own.id)
    assert mine is not None
    org = session.get(f.Organisation, me.organisation_id)
    assert org is not None
    f.incident(session, org, [(own, InvolvementRole.VICTIM)])
    session.commit()
    profile = queries.profile(session, me, own.id, stated=STATED)
    assert len(profile.involvements) == 1
    assert profile.involvements[0].role is InvolvementRole.VICTIM
    events = session.scalars(select(LedgerEntry).where(LedgerEntry.name == "person.viewed")).all()
    assert len(events) == 1
    assert events[0].record_id == str(own.id)
    assert events[0].actor_user_id == me.user_id
    assert events[0].operation.value == "consultation"


def test_ac6_roles_without_record_access_see_nothing(session: Session) -> None:
    me, own, _hidden = _setup(session)
    org = session.get(f.Organisation, me.organisation_id)
    assert org is not None
    analyst = f.actor_for(f.user(session, org, Role.ANALYST), org)
    session.commit()
    assert queries.list_for(session, analyst).total == 0
    with pytest.raises(NotFound):
        queries.profile(session, analyst, own.id, stated=STATED)
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
