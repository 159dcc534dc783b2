"""The demo's Community Safety Agreement and its information-sharing agreements."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from joinedup.agreements.models import (
    Commitment,
    CommunitySafetyAgreement,
    OutcomeIndicator,
    Priority,
    SharingAgreement,
    SharingAgreementParty,
    Signatory,
)
from joinedup.agreements.schemas import (
    AgreementStatus,
    CommitmentStatus,
    DataCategory,
    LawfulBasis,
    Purpose,
)
from joinedup.demo import organisations as orgs

TITLE = "Surrey Community Safety Agreement 2025–2028"
_S = CommitmentStatus
_GBC = orgs.GUILDFORD

# (title, description, commitments (organisation, what, due, status), indicators
#  (name, unit, baseline, target, direction)).
PRIORITIES = (
    ("Anti-social behaviour",
     "Reduce the harm ASB causes to victims and neighbourhoods, and act on repeat victims early.",
     ((orgs.COUNTY, "Run the ASB Case Review automatically when the threshold is met",
       date(2025, 9, 30), _S.DONE),
      (_GBC, "Hold a monthly JAG for each hotspot with a named problem-solving lead",
       date(2026, 3, 31), _S.ON_TRACK),
      (orgs.POLICE, "Give every repeat ASB victim a single point of contact",
       date(2026, 6, 30), _S.AT_RISK)),
     (("Repeat ASB victims (3+ reports in 6 months)", "people", 412.0, 300.0, "down"),
      ("ASB Case Review applications acknowledged within 10 working days", "%", 71.0, 95.0,
       "up"))),
    ("Violence against women and girls",
     "Protect victims of domestic abuse, stalking and sexual violence; hold abusers to account.",
     ((orgs.YOUR_SANCTUARY, "Offer an IDVA to every high-risk victim within 2 working days",
       date(2026, 3, 31), _S.ON_TRACK),
      (orgs.POLICE, "Complete a DASH risk assessment at every domestic abuse incident",
       date(2025, 12, 31), _S.DONE),
      (orgs.OPCC, "Commission a perpetrator behaviour change programme",
       date(2026, 9, 30), _S.NOT_STARTED)),
     (("Repeat MARAC referrals within 12 months", "%", 34.0, 28.0, "down"),
      ("Women who feel safe walking alone after dark", "%", 58.0, 70.0, "up"))),
    ("Mental ill health",
     "Make sure people in mental-health crisis get the right care from the right person.",
     ((orgs.MH_TRUST, "Answer Right Care, Right Person handovers from police within 1 hour",
       date(2026, 1, 31), _S.AT_RISK),
      (orgs.POLICE, "Record every s136 detention with the health partner it was handed to",
       date(2025, 10, 31), _S.DONE)),
     (("Section 136 detentions", "detentions a year", 1180.0, 950.0, "down"),
      ("Police hours spent on mental-health calls", "hours a month", 2600.0, 1800.0, "down"))),
    ("Criminal exploitation",
     "Find and protect children and adults exploited by county lines and cuckooing.",
     ((orgs.COUNTY, "Screen every child with 3+ missing episodes for exploitation",
       date(2026, 3, 31), _S.ON_TRACK),
      (orgs.GUILDFORD_HOUSING, "Visit every flagged cuckooing address within 5 working days",
       date(2026, 2, 28), _S.ON_TRACK),
      (orgs.YOUTH_JUSTICE, "Offer a trusted-adult mentor to every child identified",
       date(2026, 12, 31), _S.NOT_STARTED)),
     (("Children with 3+ missing episodes in a year", "children", 96.0, 70.0, "down"),
      ("Cuckooing addresses closed down", "addresses", 18.0, 40.0, "up"))),
    ("Serious violence",
     "Meet the Serious Violence Duty: prevent knife crime and violence among young people.",
     ((orgs.POLICE, "Publish a serious violence strategic needs assessment each year",
       date(2025, 11, 30), _S.DONE),
      (orgs.EDUCATION, "Deliver knife-crime awareness sessions in every secondary school",
       date(2026, 7, 31), _S.ON_TRACK),
      (orgs.CATCH22, "Place youth workers in A&E for young people injured by violence",
       date(2026, 10, 31), _S.AT_RISK),
      (orgs.FIRE, "Train fire crews to spot and refer exploitation",
       date(2026, 4, 30), _S.NOT_STARTED)),
     (("Hospital admissions for assault with a sharp object (under 25)", "admissions", 64.0,
       50.0, "down"),)),
)  # fmt: skip


def _priorities(org_ids: dict[str, uuid.UUID]) -> list[Priority]:
    priorities = []
    for position, (title, description, commitments, indicators) in enumerate(PRIORITIES, 1):
        priority = Priority(position=position, title=title, description=description)
        priority.commitments = [
            Commitment(organisation_id=org_ids[o], description=d, due_date=due, status=s)
            for o, d, due, s in commitments
        ]
        priority.indicators = [
            OutcomeIndicator(name=n, unit=u, baseline=b, target=t, direction=direction)
            for n, u, b, t, direction in indicators
        ]
        priorities.append(priority)
    return priorities


def create_agreement(session: Session, org_ids: dict[str, uuid.UUID]) -> CommunitySafetyAgreement:
    """The Community Safety Agreement with its signatories, priorities and indicators."""
    agreement = CommunitySafetyAgreement(
        title=TITLE,
        area="Surrey",
        period_start=date(2025, 4, 1),
        period_end=date(2028, 3, 31),
        summary=(
            "The partners of the Surrey Community Safety Partnership agree five priorities, "
            "what each partner will do about them, and how progress will be measured."
        ),
    )
    signers = [
        *(orgs.POLICE, orgs.COUNTY, orgs.OPCC, orgs.ICB, orgs.MH_TRUST, orgs.FIRE),
        *(orgs.PROBATION, orgs.YOUTH_JUSTICE, *(c.name for c in orgs.COUNCILS.values())),
    ]
    agreement.signatories = [
        Signatory(organisation_id=org_ids[name], signed_on=date(2025, 3, 1 + i % 28))
        for i, name in enumerate(signers)
    ]
    agreement.priorities = _priorities(org_ids)
    session.add(agreement)
    session.flush()
    return agreement


_D, _P, _L = DataCategory, Purpose, LawfulBasis
_COUNCILS = tuple(c.name for c in orgs.COUNCILS.values())
_HOUSING = tuple(orgs.HOUSING)
_DA = tuple(orgs.DA_SERVICES)
# (reference, title, parties, categories, purposes, bases, known_to, from, to, status)
SHARING_AGREEMENTS = (
    ("ISA-ASB-2025", "Surrey community safety and ASB information sharing agreement",
     (orgs.POLICE, orgs.COUNTY, *_COUNCILS, *_HOUSING, orgs.FIRE),
     (_D.IDENTITY, _D.CONTACT_ADDRESS, _D.INCIDENT, _D.ASB, _D.HOUSING),
     (_P.CRIME_AND_DISORDER, _P.CASE_COORDINATION), (_L.CDA_S115, _L.CDA_S17A), True,
     date(2025, 4, 1), date(2028, 3, 31), AgreementStatus.ACTIVE),
    ("ISA-MARAC-2025", "Surrey MARAC information sharing agreement",
     (orgs.POLICE, *_DA, orgs.MH_TRUST, orgs.ICB, orgs.COUNTY, orgs.PROBATION, *_COUNCILS),
     (_D.IDENTITY, _D.CONTACT_ADDRESS, _D.DOMESTIC_ABUSE, _D.SAFEGUARDING_ADULTS),
     (_P.MARAC, _P.SAFEGUARDING), (_L.PUBLIC_TASK_SUBSTANTIAL_PUBLIC_INTEREST, _L.CDA_S115),
     True, date(2025, 1, 1), date(2027, 12, 31), AgreementStatus.ACTIVE),
    ("ISA-MH-2025", "Mental health sharing agreement (Right Care, Right Person)",
     (orgs.MH_TRUST, orgs.POLICE),
     (_D.IDENTITY, _D.MENTAL_HEALTH), (_P.SAFEGUARDING, _P.CASE_COORDINATION),
     (_L.PUBLIC_TASK_SUBSTANTIAL_PUBLIC_INTEREST,), True,
     date(2025, 6, 1), date(2027, 5, 31), AgreementStatus.ACTIVE),
    # Signposting only: no data category is shared, so councils learn that a person is known
    # to the trust (organisation, categories, dates) and must ask for anything more.
    ("ISA-MH-SIGN-2025", "Mental health signposting agreement with the district councils",
     (orgs.MH_TRUST, *_COUNCILS), (), (_P.SAFEGUARDING, _P.CASE_COORDINATION),
     (_L.PUBLIC_TASK_SUBSTANTIAL_PUBLIC_INTEREST,), True,
     date(2025, 6, 1), date(2027, 5, 31), AgreementStatus.ACTIVE),
    ("ISA-EXPL-2025", "Surrey child and youth exploitation information sharing agreement",
     (orgs.POLICE, orgs.COUNTY, orgs.YOUTH_JUSTICE, orgs.EDUCATION, orgs.CATCH22, *_COUNCILS),
     (_D.IDENTITY, _D.CONTACT_ADDRESS, _D.SAFEGUARDING_CHILDREN, _D.CRIMINAL_INTELLIGENCE),
     (_P.SAFEGUARDING, _P.CRIME_AND_DISORDER), (_L.SERIOUS_VIOLENCE_DUTY, _L.CDA_S115), True,
     date(2025, 2, 1), date(2028, 1, 31), AgreementStatus.ACTIVE),
    ("ISA-ASB-2021", "Surrey ASB information sharing protocol 2021 (superseded)",
     (orgs.POLICE, *_COUNCILS), (_D.IDENTITY, _D.ASB), (_P.CRIME_AND_DISORDER,),
     (_L.CDA_S115,), False, date(2021, 4, 1), date(2024, 3, 31), AgreementStatus.ACTIVE),
    ("ISA-FIRE-DRAFT", "Fire and rescue home safety referrals (draft)",
     (orgs.FIRE, orgs.MH_TRUST, orgs.COUNTY, *_HOUSING),
     (_D.IDENTITY, _D.CONTACT_ADDRESS, _D.SAFEGUARDING_ADULTS), (_P.SAFEGUARDING,),
     (_L.PUBLIC_TASK_SUBSTANTIAL_PUBLIC_INTEREST,), False, date(2026, 4, 1), None,
     AgreementStatus.DRAFT),
)  # fmt: skip


def create_sharing_agreements(session: Session, org_ids: dict[str, uuid.UUID]) -> int:
    """The information-sharing agreements: five in force, one expired and one draft."""
    for ref, title, parties, cats, purposes, bases, known, start, end, status in SHARING_AGREEMENTS:
        isa = SharingAgreement(
            title=title,
            reference=ref,
            data_categories=[c.value for c in cats],
            purposes=[p.value for p in purposes],
            lawful_bases=[b.value for b in bases],
            known_to_allowed=known,
            valid_from=start,
            valid_to=end,
            review_date=None if end is None else date(end.year - 1, end.month, 1),
            status=status,
        )
        isa.parties = [SharingAgreementParty(organisation_id=org_ids[p]) for p in parties]
        session.add(isa)
    session.flush()
    return len(SHARING_AGREEMENTS)
