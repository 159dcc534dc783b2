"""Writes a public concern into the lead agency's incidents (with its place).

A documented exception to "a service writes only its own domain's tables" (like
``retention.erasure``): the public portal is an intake channel of the incidents domain. It
runs inside the caller's transaction, whose row security acts for the lead agency only.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from joinedup.common.clock import LONDON
from joinedup.common.ids import new_id
from joinedup.incidents.models import Incident
from joinedup.incidents.schemas import IncidentSource, TimePrecision
from joinedup.places.models import Location
from joinedup.places.rules import normalise_postcode

CONTEXT = "Reported by a member of the public through the public portal"


def start_of_day(day: date) -> datetime:
    """Midnight in Europe/London of ``day``, as an aware datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON)


def create_incident(
    session: Session,
    *,
    organisation_id: uuid.UUID,
    reference: str,
    category: str,
    occurred_on: date,
    place: str,
    postcode: str,
    narrative: str,
    now: datetime,
) -> uuid.UUID:
    """Add the incident (and a location for the place) to the session; return its id."""
    location = Location(
        id=new_id(),
        description=place[:300],
        postcode=normalise_postcode(postcode) if postcode else "",
    )
    session.add(location)
    session.flush()  # no ORM relationship orders the two inserts
    incident = Incident(
        id=new_id(),
        organisation_id=organisation_id,
        reference=reference,
        category=category,
        occurred_at=start_of_day(occurred_on),
        occurred_precision=TimePrecision.DAY,
        reported_at=now,
        location_id=location.id,
        narrative=narrative,
        source=IncidentSource.PUBLIC,
        context=CONTEXT,
        created_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    return incident.id
