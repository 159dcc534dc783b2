"""Which person records of other organisations are the same person: the record's entity.

Records are linked by probabilistic matching (``joinedup.linkage``): automatically above a high
threshold with the household rule (LNK-1), otherwise only when a person accepts the pair in the
review queue. A record not matched yet is linked to nothing. This module is read-only and never
widens access by itself: callers still apply access.scope to every record it names.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.linkage.entities import EntityMember


def linked_record_ids(session: Session, person_record_id: uuid.UUID) -> list[uuid.UUID]:
    """Ids of the other records that are the same person as ``person_record_id`` (not itself)."""
    entity = (
        select(EntityMember.entity_id)
        .where(EntityMember.person_record_id == person_record_id)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(EntityMember.person_record_id)
            .where(
                EntityMember.entity_id == entity,
                EntityMember.person_record_id != person_record_id,
            )
            .order_by(EntityMember.person_record_id)
        )
    )
