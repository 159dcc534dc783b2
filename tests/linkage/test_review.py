"""LNK-1: reviews, merges and unmerges are reversible, audited, and never widen access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.context import load_context
from joinedup.access.scope import visible_incidents, visible_person_records
from joinedup.agreements.schemas import DataCategory, Purpose
from joinedup.audit.models import LedgerEntry
from joinedup.common.errors import Conflict, Forbidden, NotFound
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.schemas import InvolvementRole
from joinedup.linkage import realtime, review, rules
from joinedup.linkage.entities import LinkReview, ReviewStatus
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people.linking import linked_record_ids
from joinedup.people.models import PersonRecord
from tests import factories as f
from tests.sharing.world import agreement

REVIEW_MISSING_DOB = realtime.Thresholds(missing_dob=rules.MISSING_DOB_REVIEW)


@dataclass
class World:
    council: Organisation
    police: Organisation
    coordinator: Actor
    practitioner: Actor
    outsider: Actor
    known: PersonRecord  # council: date of birth known
    undated: PersonRecord  # police: the same name and postcode, no date of birth


@pytest.fixture
def world(session: Session) -> World:
    council = f.organisation(session, "Woking Borough Council", OrgKind.DISTRICT_COUNCIL)
    police = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    elsewhere = f.organisation(session, "Elsewhere Council", OrgKind.DISTRICT_COUNCIL)
    agreement(
        session,
        [council, police],
        [DataCategory.IDENTITY, DataCategory.ASB],
        purposes=(Purpose.CASE_COORDINATION, Purpose.SAFEGUARDING),
    )
    coordinator = f.actor_for(f.user(session, council, Role.COORDINATOR), council)
    practitioner = f.actor_for(f.user(session, police, Role.PRACTITIONER), police)
    outsider = f.actor_for(f.user(session, elsewhere, Role.COORDINATOR), elsewhere)
    person = {"first_name": "Megan", "surname": "Price", "postcode": "GU21 6XY"}
    known = f.person(session, council, date_of_birth=date(1990, 1, 2), **person)
    undated = f.person(session, police, date_of_birth=None, **person)
    f.incident(session, council, [(known, InvolvementRole.VICTIM)], "asb_personal")
    f.incident(session, police, [(undated, InvolvementRole.SUSPECT)], "asb_personal")
    session.commit()
    # Matched by a partnership that reviews every missing date of birth: by default the
    # ambiguity guard would join the two, as the undated record can be only this Megan Price.
    realtime.match_pending(session, thresholds=REVIEW_MISSING_DOB)
    return World(council, police, coordinator, practitioner, outsider, known, undated)


def _pending(session: Session) -> LinkReview:
    (found,) = session.scalars(
        select(LinkReview).where(LinkReview.status == ReviewStatus.PENDING)
    ).all()
    return found


def _entities(session: Session, *people: PersonRecord) -> list[object]:
    return [realtime.entity_of(session, p.id) for p in people]


def test_lnk1_a_missing_date_of_birth_goes_to_review_not_automatic(
    session: Session, world: World
) -> None:
    assert linked_record_ids(session, world.known.id) == []
    pair = _pending(session)
    assert pair.reason == "household rule: date of birth missing"
    assert pair.match_probability >= 0.99
    assert [e["comparison"] for e in pair.evidence][:2] == ["prior", "first_name"]
    items = review.queue(session, world.coordinator)
    assert [i.id for i in items] == [pair.id]


def test_lnk1_merge_and_unmerge_round_trip(session: Session, world: World) -> None:
    before = _entities(session, world.known, world.undated)
    pair = _pending(session)
    merge = review.accept(session, world.coordinator, pair.id, note="same person, checked")
    assert linked_record_ids(session, world.known.id) == [world.undated.id]
    session.refresh(pair)
    assert pair.status == ReviewStatus.ACCEPTED
    undo = review.unmerge(session, world.coordinator, merge.id, note="a mistake")
    assert linked_record_ids(session, world.known.id) == []
    assert _entities(session, world.known, world.undated) == before  # the same entities back
    session.refresh(pair)
    assert pair.status == ReviewStatus.REJECTED  # never joined automatically again
    assert undo.undoes_id == merge.id
    with pytest.raises(Conflict):
        review.unmerge(session, world.coordinator, merge.id)
    # A change to the record queues it again; the rejected pair stays apart.
    world.undated.date_of_birth = date(1990, 1, 2)
    session.commit()
    realtime.match_pending(session)
    assert linked_record_ids(session, world.known.id) == []


def test_lnk1_every_merge_and_unmerge_writes_combination_events(
    session: Session, world: World
) -> None:
    merge = review.accept(session, world.coordinator, _pending(session).id)
    review.unmerge(session, world.coordinator, merge.id)
    entries = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name.like("linkage.records_%"))
    ).all()
    assert [(e.name, e.operation.value) for e in entries] == [
        ("linkage.records_merged", "combination"),
        ("linkage.records_unmerged", "combination"),
    ]
    assert all(e.actor_user_id == world.coordinator.user_id for e in entries)


def test_lnk1_a_merge_never_widens_access(session: Session, world: World) -> None:
    def reach(actor: Actor) -> tuple[set[object], set[object]]:
        ctx = load_context(session, actor, Purpose.SAFEGUARDING.value)
        people = set(session.scalars(visible_person_records(select(PersonRecord.id), ctx)))
        incidents = set(session.scalars(visible_incidents(select(Incident.id), ctx)))
        return people, incidents

    actors = [world.practitioner, world.outsider, world.coordinator]
    before = [reach(a) for a in actors]
    roles_before = set(session.execute(select(Involvement.person_record_id, Involvement.role)))
    review.accept(session, world.coordinator, _pending(session).id)
    assert [reach(a) for a in actors] == before
    # A person's role in an incident comes from the incident, never from linkage.
    assert set(session.execute(select(Involvement.person_record_id, Involvement.role))) == (
        roles_before
    )


def test_lnk1_reviewers_see_only_pairs_they_may_see(session: Session, world: World) -> None:
    pair = _pending(session)
    assert review.queue(session, world.outsider) == []
    with pytest.raises(NotFound):
        review.view(session, world.outsider, pair.id)
    with pytest.raises(NotFound):
        review.accept(session, world.outsider, pair.id)
    with pytest.raises(Forbidden):
        review.queue(session, world.practitioner)


def test_opening_a_pair_is_a_consultation_of_both_records(session: Session, world: World) -> None:
    pair = _pending(session)
    shown = review.view(session, world.coordinator, pair.id)
    assert {shown.left.person.id, shown.right.person.id} == {world.known.id, world.undated.id}
    viewed = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "linkage.review_viewed")
    ).all()
    assert {e.record_id for e in viewed} == {str(world.known.id), str(world.undated.id)}
    assert {e.operation.value for e in viewed} == {"consultation"}


def test_a_rejected_pair_cannot_be_decided_again(session: Session, world: World) -> None:
    pair = _pending(session)
    review.reject(session, world.coordinator, pair.id, note="different people")
    with pytest.raises(Conflict):
        review.accept(session, world.coordinator, pair.id)
    assert linked_record_ids(session, world.known.id) == []


def test_an_automatic_link_is_audited_and_can_be_undone(session: Session, world: World) -> None:
    same = f.person(
        session,
        world.police,
        first_name="Megan",
        surname="Price",
        postcode="GU21 6XY",
        date_of_birth=date(1990, 1, 2),
    )
    session.commit()
    realtime.match_pending(session)
    assert linked_record_ids(session, world.known.id) == [same.id]
    linked = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "linkage.record_linked")
    ).all()
    assert [(e.record_id, e.operation.value) for e in linked] == [(str(same.id), "combination")]
    (decision,) = review.decisions_for(session, world.coordinator, world.known.id)
    review.unmerge(session, world.coordinator, decision.id)
    assert linked_record_ids(session, world.known.id) == []
