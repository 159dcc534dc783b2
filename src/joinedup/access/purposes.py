"""Purpose-bound reads (AUD-2): why a user opens a record, declared and kept for 30 minutes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.models import PurposeDeclaration
from joinedup.access.rules import JUSTIFICATION_MAX, PURPOSE_MINUTES, valid_purpose
from joinedup.agreements.schemas import Purpose
from joinedup.common import clock
from joinedup.common.errors import JoinedUpError, ValidationFailed
from joinedup.db import atomic, scalar_first

PURPOSE_HEADER = "X-JoinedUp-Purpose"
PURPOSE_TEXT_HEADER = "X-JoinedUp-Purpose-Text"


class PurposeRequired(JoinedUpError):
    """A record was opened without a valid purpose: no data is served (AUD-2)."""

    status_code = 428

    def __init__(self) -> None:
        super().__init__(
            f"A purpose is required to open this record: send the {PURPOSE_HEADER} header "
            f"with one of {', '.join(p.value for p in Purpose)}"
        )


@dataclass(frozen=True, slots=True)
class StatedPurpose:
    """A purpose code with the reader's optional justification."""

    purpose: Purpose
    justification: str = ""


def parse(code: str | None, text: str | None = "") -> StatedPurpose:
    """A stated purpose from a code and text, or ``PurposeRequired``."""
    purpose = valid_purpose((code or "").strip())
    justification = (text or "").strip()
    if purpose is None or len(justification) > JUSTIFICATION_MAX:
        raise PurposeRequired()
    return StatedPurpose(purpose, justification)


def validate_form(code: str, text: str) -> StatedPurpose:
    """A stated purpose from the purpose form, or field errors."""
    errors: dict[str, str] = {}
    purpose = valid_purpose(code.strip())
    if purpose is None:
        errors["purpose"] = "Select why you are opening this record"
    if len(text.strip()) > JUSTIFICATION_MAX:
        errors["justification"] = f"Explain in {JUSTIFICATION_MAX} characters or fewer"
    if errors or purpose is None:
        raise ValidationFailed(errors)
    return StatedPurpose(purpose, text.strip())


def declare(
    *,
    session: Session,
    actor: Actor,
    record_type: str,
    record_id: uuid.UUID,
    stated: StatedPurpose,
) -> None:
    """Keep ``stated`` as the actor's purpose for this record for the next 30 minutes."""
    now = clock.utc_now()
    with atomic(session):
        session.add(
            PurposeDeclaration(
                user_id=actor.user_id,
                session_id=actor.session_id,
                record_type=record_type,
                record_id=record_id,
                purpose=stated.purpose.value,
                justification=stated.justification,
                declared_at=now,
                expires_at=now + timedelta(minutes=PURPOSE_MINUTES),
            )
        )


# Built once, one text value rather than the ORM object: this runs on every record page and
# is usually the first read of the request's transaction (``db.scalar_first``).
_SEPARATOR = "\x1f"  # never in a purpose code
_LIVE = (
    select(PurposeDeclaration.purpose + _SEPARATOR + PurposeDeclaration.justification)
    .where(
        PurposeDeclaration.user_id == bindparam("user_id"),
        PurposeDeclaration.record_type == bindparam("record_type"),
        PurposeDeclaration.record_id == bindparam("record_id"),
        PurposeDeclaration.expires_at > bindparam("now"),
    )
    .order_by(PurposeDeclaration.declared_at.desc())
    .limit(1)
)


def live(
    session: Session, actor: Actor, record_type: str, record_id: uuid.UUID
) -> StatedPurpose | None:
    """The actor's latest unexpired purpose for this record, if any."""
    params = {
        "user_id": actor.user_id,
        "record_type": record_type,
        "record_id": record_id,
        "now": clock.utc_now(),
    }
    value = scalar_first(session, _LIVE, params)
    if value is None:
        return None
    code, justification = str(value).split(_SEPARATOR, 1)
    purpose = valid_purpose(code)
    return StatedPurpose(purpose, justification) if purpose else None


def declare_from_form(
    *,
    session: Session,
    actor: Actor,
    record_type: str,
    record_id: uuid.UUID,
    code: str,
    text: str,
) -> dict[str, str]:
    """Validate the purpose form and keep it for the record; the field errors, empty on success."""
    try:
        stated = validate_form(code, text)
    except ValidationFailed as exc:
        return exc.errors
    declare(
        session=session, actor=actor, record_type=record_type, record_id=record_id, stated=stated
    )
    return {}


def live_for_any(
    session: Session, actor: Actor, record_type: str, record_ids: list[uuid.UUID]
) -> StatedPurpose | None:
    """The actor's latest unexpired purpose for any of these records (an incident opened from
    a person page carries on that person's stated purpose)."""
    if not record_ids:
        return None
    row = session.scalars(
        select(PurposeDeclaration)
        .where(
            PurposeDeclaration.user_id == actor.user_id,
            PurposeDeclaration.record_type == record_type,
            PurposeDeclaration.record_id.in_(record_ids),
            PurposeDeclaration.expires_at > clock.utc_now(),
        )
        .order_by(PurposeDeclaration.declared_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    purpose = valid_purpose(row.purpose)
    return StatedPurpose(purpose, row.justification) if purpose else None
