"""The cost of access policy and audit on a person-page read, against a bare read.

The measured path is ``people.queries.profile`` (agreements and grants loaded, scope filters,
purpose check, field masking, the consultation event written and committed). The bare path
runs the same joins for the same record and its incidents with no scope and no audit.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.access.deps import actor_for
from joinedup.access.purposes import StatedPurpose
from joinedup.agreements.schemas import Purpose
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.taxonomy import label
from joinedup.partners.models import Organisation, User
from joinedup.people import queries
from joinedup.people.models import PersonRecord
from joinedup.people.queries import PersonInvolvement, PersonProfile
from joinedup.people.schemas import PersonOut
from joinedup.places.models import Location


def _busiest(session: Session, organisation_id: uuid.UUID) -> uuid.UUID:
    n = func.count(Involvement.incident_id)
    row = session.execute(
        select(PersonRecord.id)
        .join(Involvement, Involvement.person_record_id == PersonRecord.id)
        .where(PersonRecord.organisation_id == organisation_id)
        .group_by(PersonRecord.id)
        .order_by(n.desc())
        .limit(1)
    ).first()
    if row is None:
        raise ValueError("no person with incidents: load the demo first")
    return uuid.UUID(str(row[0]))


def bare_profile(session: Session, person_id: uuid.UUID) -> PersonProfile:
    """The person page's data, same joins and same output, with no scope, purpose or audit."""
    person, org_name = session.execute(
        select(PersonRecord, Organisation.name)
        .join(Organisation, Organisation.id == PersonRecord.organisation_id)
        .where(PersonRecord.id == person_id)
    ).one()
    rows = session.execute(
        select(Incident, Involvement.role, Location.description)
        .join(Involvement, Involvement.incident_id == Incident.id)
        .outerjoin(Location, Location.id == Incident.location_id)
        .where(Involvement.person_record_id == person_id)
        .order_by(Incident.occurred_at.desc(), Incident.id)
    ).all()
    session.commit()  # end the read transaction as the checked path does
    return PersonProfile(
        person=PersonOut.model_validate(person),
        organisation_name=org_name,
        own_record=True,
        shared_categories=[],
        involvements=[
            PersonInvolvement(
                incident_id=inc.id,
                reference=inc.reference,
                category=inc.category,
                category_label=label(inc.category),
                occurred_at=inc.occurred_at,
                role=role,
                location=where or "",
            )
            for inc, role, where in rows
        ],
    )


def _time_alternately(
    a: Callable[[], object], b: Callable[[], object], n: int
) -> tuple[list[float], list[float]]:
    """``n`` timings of each of ``a`` and ``b``, called alternately after a warm-up, so a
    change in the machine's load during the run (other work on shared cores) weighs on both
    alike; the two paths and what each does are unchanged."""
    for _ in range(max(5, n // 20)):
        a()
        b()
    out_a: list[float] = []
    out_b: list[float] = []
    for _ in range(n):
        for fn, out in ((a, out_a), (b, out_b)):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return out_a, out_b


def measure(session: Session, username: str, n: int) -> dict[str, Any]:
    """Time ``n`` policy-and-audit reads and ``n`` bare reads of the busiest person."""
    user = session.scalars(select(User).where(User.username == username)).one()
    actor = actor_for(user)
    person_id = _busiest(session, actor.organisation_id)
    stated = StatedPurpose(Purpose.CRIME_AND_DISORDER, "benchmark")
    checked = queries.profile(session, actor, person_id, stated=stated)
    bare = bare_profile(session, person_id)
    assert checked.involvements == bare.involvements
    with_policy, without = _time_alternately(
        lambda: queries.profile(session, actor, person_id, stated=stated),
        lambda: bare_profile(session, person_id),
        n,
    )
    p50_with, p50_bare = statistics.median(with_policy), statistics.median(without)
    return {
        "benchmark": "access policy overhead (person page data)",
        "reads": n,
        "incidents_on_page": len(bare.involvements),
        "with_policy_and_audit_p50_ms": round(p50_with, 2),
        "bare_p50_ms": round(p50_bare, 2),
        "ratio_p50": round(p50_with / p50_bare, 2),
        "ratio_mean": round(statistics.fmean(with_policy) / statistics.fmean(without), 2),
    }
