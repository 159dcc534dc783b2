"""Which person records of other organisations are the same person — the interim rule.

Until probabilistic linkage lands, records are treated as the same person only on an exact
match of normalised first name, surname and a known date of birth. This errs towards missing a
link (a typo, a nickname or a missing date of birth keeps records apart) rather than joining two
people: a false link would signpost, or disclose, one person's records under another's name.
This module is read-only and never widens access by itself: callers still apply access.scope.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.people.models import PersonRecord


def linked_record_ids(session: Session, person_record_id: uuid.UUID) -> list[uuid.UUID]:
    """Ids of the other records that are the same person as ``person_record_id`` (not itself)."""
    anchor = session.get(PersonRecord, person_record_id)
    if anchor is None or anchor.date_of_birth is None:
        return []
    first, last = anchor.first_name.strip().lower(), anchor.surname.strip().lower()
    if not first or not last:
        return []
    stmt = select(PersonRecord.id).where(
        PersonRecord.id != anchor.id,
        PersonRecord.date_of_birth == anchor.date_of_birth,
        func.lower(func.trim(PersonRecord.surname)) == last,
        func.lower(func.trim(PersonRecord.first_name)) == first,
    )
    return list(session.scalars(stmt))
