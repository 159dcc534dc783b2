"""Incident reads go through access.scope and are audited (AC-3, AUD-1)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.purposes import StatedPurpose
from joinedup.agreements.schemas import Purpose
from joinedup.audit.models import LedgerEntry
from joinedup.common.errors import NotFound
from joinedup.incidents import queries
from joinedup.incidents.schemas import InvolvementRole
from joinedup.partners.schemas import OrgKind
from tests import factories as f

STATED = StatedPurpose(Purpose.SAFEGUARDING, "checking a referral")


def test_ac3_lists_counts_and_detail_are_limited_to_own_organisation(session: Session) -> None:
    mine = f.organisation(session, "Woking Borough Council", OrgKind.DISTRICT_COUNCIL)
    theirs = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    me = f.actor_for(f.user(session, mine), mine)
    own = f.incident(session, mine, category="noise_complaint")
    other = f.incident(session, theirs, category="domestic_abuse")
    session.commit()

    page = queries.list_for(session, me)
    assert [i.id for i in page.items] == [own.id]
    assert queries.counts_by_category(session, me) == {"noise_complaint": 1}
    assert queries.list_for(session, me, category="domestic_abuse").total == 0
    with pytest.raises(NotFound):
        queries.detail(session, me, other.id, stated=STATED)


def test_detail_shows_only_people_the_actor_may_see(session: Session) -> None:
    mine = f.organisation(session, "Housing", OrgKind.HOUSING_PROVIDER)
    theirs = f.organisation(session, "Police", OrgKind.POLICE)
    me = f.actor_for(f.user(session, mine), mine)
    tenant = f.person(session, mine, first_name="Jo")
    inc = f.incident(session, mine, [(tenant, InvolvementRole.VICTIM)], category="tenancy_breach")
    # A record of another organisation linked to this incident must not leak through it.
    stranger = f.person(session, theirs, first_name="Hidden")
    session.add(
        f.Involvement(
            incident_id=inc.id, person_record_id=stranger.id, role=InvolvementRole.SUSPECT
        )
    )
    session.commit()

    detail = queries.detail(session, me, inc.id, stated=STATED)
    assert [(p.person_id, p.role) for p in detail.people] == [(tenant.id, InvolvementRole.VICTIM)]
    assert detail.summary.category_label == "Tenancy breach"
    assert detail.location is not None and detail.location.description.startswith("On or near")
    events = session.scalars(select(LedgerEntry).where(LedgerEntry.name == "incident.viewed")).all()
    assert [e.record_id for e in events] == [str(inc.id)]


def test_ac3_another_organisations_incidents_are_shared_by_data_category(
    session: Session,
) -> None:
    from joinedup.agreements.schemas import DataCategory
    from tests.sharing.world import agreement

    mine = f.organisation(session, "Woking Borough Council", OrgKind.DISTRICT_COUNCIL)
    police = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    agreement(session, [mine, police], [DataCategory.ASB])
    me = f.actor_for(f.user(session, mine), mine)
    asb = f.incident(session, police, category="asb_nuisance")
    abuse = f.incident(session, police, category="domestic_abuse")
    session.commit()
    assert {i.id for i in queries.list_for(session, me).items} == {asb.id}
    assert queries.counts_by_category(session, me) == {"asb_nuisance": 1}
    assert queries.detail(session, me, asb.id, stated=STATED).summary.id == asb.id
    with pytest.raises(NotFound):
        queries.detail(session, me, abuse.id, stated=STATED)
    stats = StatedPurpose(Purpose.STATISTICS)  # a purpose the agreement does not name
    with pytest.raises(NotFound):
        queries.detail(session, me, asb.id, stated=stats)
    assert "clinical_notes" not in queries.detail(session, me, asb.id, stated=STATED).model_dump()
