"""A small two-organisation world for sharing tests: a council and a mental-health trust."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from joinedup.agreements.models import SharingAgreement, SharingAgreementParty
from joinedup.agreements.schemas import AgreementStatus, DataCategory, Purpose
from joinedup.incidents.models import Incident
from joinedup.incidents.schemas import InvolvementRole
from joinedup.linkage import realtime
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind
from joinedup.people.models import PersonRecord
from tests import factories as f

PURPOSE = {"X-JoinedUp-Purpose": "safeguarding", "X-JoinedUp-Purpose-Text": "checking risk"}


@dataclass
class World:
    """The council, the trust, the agreement between them and one person in both."""

    council: Organisation
    trust: Organisation
    isa: SharingAgreement
    council_person: PersonRecord
    trust_person: PersonRecord
    trust_incident: Incident


def agreement(
    session: Session,
    parties: list[Organisation],
    categories: list[DataCategory],
    *,
    known_to: bool = True,
    purposes: tuple[Purpose, ...] = (Purpose.SAFEGUARDING,),
    status: AgreementStatus = AgreementStatus.ACTIVE,
) -> SharingAgreement:
    """An agreement between ``parties`` in force from 2020."""
    isa = SharingAgreement(
        title="Test agreement",
        reference=f"ISA-{f.any_id().hex[:8]}",
        data_categories=[c.value for c in categories],
        purposes=[p.value for p in purposes],
        lawful_bases=["cda_1998_s115"],
        known_to_allowed=known_to,
        valid_from=date(2020, 1, 1),
        status=status,
    )
    isa.parties = [SharingAgreementParty(organisation_id=o.id) for o in parties]
    session.add(isa)
    session.flush()
    return isa


def build(session: Session, categories: list[DataCategory] | None = None) -> World:
    """A council and a trust; the same person in both; the trust's crisis incident."""
    council = f.organisation(session, "Guildford Borough Council", OrgKind.DISTRICT_COUNCIL)
    trust = f.organisation(session, "Surrey and Borders Trust", OrgKind.MENTAL_HEALTH_TRUST)
    isa = agreement(session, [council, trust], categories or [DataCategory.ASB])
    same = {"first_name": "Jordan", "surname": "Canary", "date_of_birth": date(1990, 2, 3)}
    council_person = f.person(session, council, **same)
    trust_person = f.person(
        session, trust, **same, address_line="1 Refuge Road", postcode="GU1 9ZZ"
    )
    f.incident(session, council, [(council_person, InvolvementRole.SUSPECT)], "asb_personal")
    trust_incident = f.incident(
        session,
        trust,
        [(trust_person, InvolvementRole.SUBJECT_OF_CONCERN)],
        "mental_health_crisis",
        when=datetime(2025, 3, 4, 10, tzinfo=UTC),
    )
    trust_incident.clinical_notes = "Canary clinical assessment"
    session.commit()
    realtime.match_pending(session)  # the two records are the same person
    return World(council, trust, isa, council_person, trust_person, trust_incident)
