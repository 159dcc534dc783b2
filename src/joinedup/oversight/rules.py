"""Misuse-monitoring rules (MON-1): pure functions over facts read from the audit ledger.

Each rule counts ledger facts per user in a fixed window and returns the signals that cross its
threshold. A signal's ``dedupe_key`` names the rule, the user and the window, so re-scanning the
same stretch of ledger never raises the same item twice. Signals carry ids and counts only.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from joinedup.oversight.schemas import ReviewKind

LONDON = ZoneInfo("Europe/London")
READ_RECORD_TYPES = frozenset({"person_record", "incident"})
NIGHT_STARTS, NIGHT_ENDS = 22, 6
DENIAL_WINDOW_MINUTES = 10
# Keys in an event's details that show a read happened inside an agreement or case context.
CONTEXT_KEYS = ("agreement_id", "case_id")
# The purposes agreements name; a read stating anything else is judged on the parties alone.
KNOWN_PURPOSES = frozenset(
    {"crime_and_disorder", "safeguarding", "case_coordination", "marac", "statistics"}
)


@dataclass(frozen=True, slots=True)
class Fact:
    """The parts of one ledger entry the rules look at (no personal values)."""

    seq: int
    at: datetime
    name: str
    operation: str
    actor_user_id: uuid.UUID | None
    actor_organisation_id: uuid.UUID | None
    record_type: str = ""
    record_id: str = ""
    record_organisation_id: uuid.UUID | None = None
    purpose: str = ""
    details: Mapping[str, object] = field(default_factory=dict)

    @property
    def is_record_read(self) -> bool:
        """A consultation of a person record or an incident by a user."""
        return (
            self.operation == "consultation"
            and self.record_type in READ_RECORD_TYPES
            and self.actor_user_id is not None
        )


@dataclass(frozen=True, slots=True)
class Signal:
    """A pattern worth a reviewer's look, ready to become a review item."""

    kind: ReviewKind
    user_id: uuid.UUID
    organisation_id: uuid.UUID | None
    dedupe_key: str
    details: dict[str, object]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The limits from the settings."""

    high_volume_reads: int
    repeated_denials: int
    out_of_hours_reads: int


def _grouped(
    facts: Iterable[Fact], key: str, window: str, kind: ReviewKind, over: int
) -> list[Signal]:
    """Signals for (user, window) groups in ``facts`` with more than ``over`` entries."""
    groups: dict[tuple[uuid.UUID, str], list[Fact]] = defaultdict(list)
    for fact in facts:
        assert fact.actor_user_id is not None
        groups[(fact.actor_user_id, window_of(fact.at, window))].append(fact)
    signals = []
    for (user_id, bucket), members in sorted(groups.items(), key=lambda g: str(g[0])):
        if len(members) > over:
            signals.append(
                Signal(
                    kind=kind,
                    user_id=user_id,
                    organisation_id=members[0].actor_organisation_id,
                    dedupe_key=f"{key}:{user_id}:{bucket}",
                    details={"window": bucket, "count": len(members)},
                )
            )
    return signals


def window_of(at: datetime, window: str) -> str:
    """The fixed window ``at`` falls in: a London clock hour, ten minutes, or a night."""
    if window == "hour":
        return at.astimezone(LONDON).strftime("%Y-%m-%dT%H")
    if window == "ten_minutes":
        local = at.astimezone(LONDON)
        return f"{local:%Y-%m-%dT%H}:{local.minute // DENIAL_WINDOW_MINUTES * 10:02d}"
    # A night runs 22:00-06:00 London time and is named after the evening it starts on.
    return "night-" + (at.astimezone(LONDON) - timedelta(hours=NIGHT_ENDS)).strftime("%Y-%m-%d")


def is_out_of_hours(at: datetime) -> bool:
    """Between 22:00 and 06:00 Europe/London."""
    hour = at.astimezone(LONDON).hour
    return hour >= NIGHT_STARTS or hour < NIGHT_ENDS


def high_volume_reads(facts: Iterable[Fact], over: int) -> list[Signal]:
    """More than ``over`` record reads by one user in one clock hour."""
    reads = [f for f in facts if f.is_record_read]
    return _grouped(reads, "high_volume", "hour", ReviewKind.HIGH_VOLUME_READS, over)


def repeated_denials(facts: Iterable[Fact], at_least: int) -> list[Signal]:
    """``at_least`` refusals of one user in one ten-minute window."""
    denials = [f for f in facts if f.name == "access.denied" and f.actor_user_id is not None]
    kind = ReviewKind.REPEATED_DENIALS
    return _grouped(denials, "denials", "ten_minutes", kind, at_least - 1)


def out_of_hours_bulk(facts: Iterable[Fact], over: int) -> list[Signal]:
    """More than ``over`` record reads by one user in one night (22:00-06:00 London)."""
    reads = [f for f in facts if f.is_record_read and is_out_of_hours(f.at)]
    return _grouped(reads, "night", "night", ReviewKind.OUT_OF_HOURS_BULK, over)


@dataclass(frozen=True, slots=True)
class AgreementWindow:
    """An information-sharing agreement as the monitoring rules need it (no personal data)."""

    parties: frozenset[uuid.UUID]
    purposes: frozenset[str]
    in_force: Callable[[datetime], bool]


@dataclass(frozen=True, slots=True)
class GrantWindow:
    """A live "known to" access grant: who, which record, and when."""

    user_id: uuid.UUID
    record_id: str
    starts_at: datetime
    ends_at: datetime


def is_covered(
    fact: Fact, agreements: Iterable[AgreementWindow], grants: Iterable[GrantWindow]
) -> bool:
    """Whether a cross-organisation read had a relationship: an agreement between the two
    organisations in force at the time (for the read's purpose, when it named one), an approved
    access grant live at the time, or an agreement or case named in the event itself."""
    if any(fact.details.get(key) for key in CONTEXT_KEYS):
        return True
    for grant in grants:
        if (
            grant.user_id == fact.actor_user_id
            and grant.record_id == fact.record_id
            and grant.starts_at <= fact.at < grant.ends_at
        ):
            return True
    pair = {fact.actor_organisation_id, fact.record_organisation_id}
    for agreement in agreements:
        if not pair <= agreement.parties or not agreement.in_force(fact.at):
            continue
        if not fact.purpose or fact.purpose not in KNOWN_PURPOSES:
            return True
        if fact.purpose in agreement.purposes:
            return True
    return False


def lacks_case_relationship(
    fact: Fact,
    agreements: Iterable[AgreementWindow] = (),
    grants: Iterable[GrantWindow] = (),
) -> bool:
    """A read of another organisation's record with no agreement, grant or case behind it.

    Break-glass reads always count: they are by definition outside the agreements.
    """
    if not fact.is_record_read or fact.record_organisation_id is None:
        return False
    if fact.record_organisation_id == fact.actor_organisation_id:
        return False
    if fact.purpose == "break_glass" or fact.details.get("grant_kind") == "break_glass":
        return True
    return not is_covered(fact, agreements, grants)


def no_case_relationship(
    facts: Iterable[Fact],
    agreements: Iterable[AgreementWindow] = (),
    grants: Iterable[GrantWindow] = (),
) -> list[Signal]:
    """One signal per user, record and London day for reads lacking a case relationship."""
    agreements, grants = list(agreements), list(grants)
    signals: dict[str, Signal] = {}
    for fact in facts:
        if not lacks_case_relationship(fact, agreements, grants):
            continue
        assert fact.actor_user_id is not None
        day = fact.at.astimezone(LONDON).strftime("%Y-%m-%d")
        key = f"no_case:{fact.actor_user_id}:{fact.record_id}:{day}"
        if key not in signals:
            signals[key] = Signal(
                kind=ReviewKind.NO_CASE_RELATIONSHIP,
                user_id=fact.actor_user_id,
                organisation_id=fact.actor_organisation_id,
                dedupe_key=key,
                details={
                    "record_type": fact.record_type,
                    "record_id": fact.record_id,
                    "record_organisation_id": str(fact.record_organisation_id),
                    "ledger_seq": fact.seq,
                },
            )
    return list(signals.values())


def normalise_name(*parts: str) -> str:
    """Lower-case words joined by single spaces, for comparing names."""
    return " ".join(" ".join(parts).lower().split())


def colleague_lookups(
    reads: Iterable[Fact],
    record_names: Mapping[str, str],
    colleague_names: Mapping[uuid.UUID, frozenset[str]],
) -> list[Signal]:
    """Reads of a person record whose name is that of a user in the reader's organisation.

    ``record_names`` maps record id -> normalised "first surname"; ``colleague_names`` maps an
    organisation id -> the normalised display names of its users. Neither reaches the signal.
    """
    signals: dict[str, Signal] = {}
    for fact in reads:
        if not fact.is_record_read or fact.record_type != "person_record":
            continue
        name = record_names.get(fact.record_id)
        org = fact.actor_organisation_id
        if not name or org is None or name not in colleague_names.get(org, frozenset()):
            continue
        assert fact.actor_user_id is not None
        key = f"colleague:{fact.actor_user_id}:{fact.record_id}"
        signals.setdefault(
            key,
            Signal(
                kind=ReviewKind.COLLEAGUE_SEARCH,
                user_id=fact.actor_user_id,
                organisation_id=org,
                dedupe_key=key,
                details={"record_id": fact.record_id, "ledger_seq": fact.seq},
            ),
        )
    return list(signals.values())


def evaluate(
    facts: list[Fact],
    thresholds: Thresholds,
    agreements: Iterable[AgreementWindow] = (),
    grants: Iterable[GrantWindow] = (),
) -> list[Signal]:
    """Every threshold rule over ``facts`` (the colleague rule needs names: see the job)."""
    return [
        *high_volume_reads(facts, thresholds.high_volume_reads),
        *repeated_denials(facts, thresholds.repeated_denials),
        *out_of_hours_bulk(facts, thresholds.out_of_hours_reads),
        *no_case_relationship(facts, agreements, grants),
    ]
