"""Reads of encoding uploads: an organisation sees its own uploads and their counts only."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.linkage.pprl_models import PprlUpload, UploadKind
from joinedup.partners.models import User


class UploadOut(BaseModel):
    """One of the organisation's uploads: who, when, what kind, how many (no encodings)."""

    id: uuid.UUID
    kind: UploadKind
    kind_label: str
    uploaded_by: str
    uploaded_at: datetime
    schema_version: int
    encodings: int
    matched: int | None
    matched_at: datetime | None


def uploads_for(session: Session, actor: Actor) -> list[UploadOut]:
    """The actor's organisation's current uploads, one per kind (no other organisation's)."""
    rows = session.execute(
        select(PprlUpload, User.display_name)
        .outerjoin(User, User.id == PprlUpload.uploaded_by_user_id)
        .where(PprlUpload.organisation_id == actor.organisation_id)
        .order_by(PprlUpload.kind)
    )
    return [
        UploadOut(
            id=u.id,
            kind=u.kind,
            kind_label=u.kind.label,
            uploaded_by=name or "An operator (command line)",
            uploaded_at=u.uploaded_at,
            schema_version=u.schema_version,
            encodings=u.encoding_count,
            # How many known people a holder's encodings matched; "known" uploads raise none.
            matched=u.matched_count if u.kind is UploadKind.HOLDER else None,
            matched_at=u.matched_at,
        )
        for u, name in rows
    ]
