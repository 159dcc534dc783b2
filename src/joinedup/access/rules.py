"""Pure facts and rules about what information-sharing agreements and grants allow.

No database or web code: ``access.context`` loads these facts once per request and
``access.policy`` and ``access.scope`` decide from them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from joinedup.agreements.rules import effective_state
from joinedup.agreements.schemas import AgreementStatus, DataCategory, Purpose

# How long a declared purpose covers further reads of the same record (AUD-2).
PURPOSE_MINUTES = 30
JUSTIFICATION_MAX = 500


@dataclass(frozen=True, slots=True)
class AgreementFacts:
    """An information-sharing agreement reduced to what a decision needs."""

    id: uuid.UUID
    parties: frozenset[uuid.UUID]
    data_categories: frozenset[str]
    purposes: frozenset[str]
    known_to_allowed: bool
    state: AgreementStatus


@dataclass(frozen=True, slots=True)
class GrantFacts:
    """A live access grant: one user may see one record for some data categories."""

    person_record_id: uuid.UUID
    holder_organisation_id: uuid.UUID
    data_categories: frozenset[str]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a policy decision may depend on besides the actor and the resource."""

    agreements: tuple[AgreementFacts, ...] = ()
    grants: tuple[GrantFacts, ...] = ()
    purpose: str | None = None
    now: datetime | None = None


def agreement_facts(
    *,
    agreement_id: uuid.UUID,
    parties: Iterable[uuid.UUID],
    data_categories: Iterable[str],
    purposes: Iterable[str],
    known_to_allowed: bool,
    status: AgreementStatus,
    valid_from: date,
    valid_to: date | None,
    today: date,
) -> AgreementFacts:
    """The facts of one agreement with its state computed for ``today``."""
    return AgreementFacts(
        id=agreement_id,
        parties=frozenset(parties),
        data_categories=frozenset(data_categories),
        purposes=frozenset(purposes),
        known_to_allowed=known_to_allowed,
        state=effective_state(status, valid_from, valid_to, today),
    )


def _in_force_between(
    agreements: Iterable[AgreementFacts], holder: uuid.UUID, reader: uuid.UUID
) -> list[AgreementFacts]:
    return [
        a
        for a in agreements
        if a.state is AgreementStatus.ACTIVE and holder in a.parties and reader in a.parties
    ]


def shared_categories(
    agreements: Iterable[AgreementFacts],
    holder: uuid.UUID,
    reader: uuid.UUID,
    purpose: str | None,
) -> frozenset[str]:
    """Data categories ``holder`` shares with ``reader`` for ``purpose`` (``None``: any)."""
    if holder == reader:
        return frozenset(DataCategory)
    out: set[str] = set()
    for a in _in_force_between(agreements, holder, reader):
        if purpose is None or purpose in a.purposes:
            out |= a.data_categories
    return frozenset(out)


def known_to_allowed(
    agreements: Iterable[AgreementFacts], holder: uuid.UUID, reader: uuid.UUID
) -> bool:
    """Whether an active agreement lets ``holder`` signpost its records to ``reader``."""
    return holder != reader and any(
        a.known_to_allowed for a in _in_force_between(agreements, holder, reader)
    )


def live_grant(
    grants: Iterable[GrantFacts], record_id: uuid.UUID | None, category: str | None, now: datetime
) -> GrantFacts | None:
    """A grant covering ``record_id`` (and ``category`` when given) that has not expired."""
    for g in grants:
        if g.person_record_id != record_id or g.expires_at <= now:
            continue
        if category is None or category in g.data_categories:
            return g
    return None


def valid_purpose(code: str | None) -> Purpose | None:
    """The purpose named by ``code``, or ``None`` when it is missing or unknown."""
    try:
        return Purpose(code) if code else None
    except ValueError:
        return None


def month_range(first: date | None, last: date | None) -> str:
    """A date range at month precision, e.g. ``March 2025 to June 2026`` (no finer)."""
    if first is None or last is None:
        return "Dates not known"
    a, b = first.strftime("%B %Y"), last.strftime("%B %Y")
    return a if a == b else f"{a} to {b}"
