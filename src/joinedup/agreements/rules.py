"""Pure rules about agreements."""

from __future__ import annotations

from datetime import date

from joinedup.agreements.schemas import AgreementStatus


def effective_state(
    status: AgreementStatus, valid_from: date, valid_to: date | None, today: date
) -> AgreementStatus:
    """An agreement's state on ``today``: an active one is not yet in force before
    ``valid_from`` (shown as draft) and expired after ``valid_to``; others keep their status."""
    if status is not AgreementStatus.ACTIVE:
        return status
    if today < valid_from:
        return AgreementStatus.DRAFT
    if valid_to is not None and today > valid_to:
        return AgreementStatus.EXPIRED
    return AgreementStatus.ACTIVE
