"""Commands on partners' Bloom-filter encodings: upload (a collection) and match (a combination).

``upload`` stores one organisation's encodings of one kind, replacing its previous upload of
that kind, in one transaction with its audit event; an upload with any problem line is refused
whole and nothing is written. ``match_holders`` then pairs every organisation's "known"
encodings with each holder's encodings (``pprl.known_to_matches``, one-to-one per pair of
organisations) and replaces that holder's "known to" flags, one transaction with one
``pprl.matched`` event per holder. The platform never has the shared secret: both sides'
encodings are made by the partners that hold the records (docs/pprl.md).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from joinedup.access.context import transaction_beyond_reach
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common import clock
from joinedup.common.errors import JoinedUpError
from joinedup.db import atomic
from joinedup.linkage.pprl import DEFAULT_SCHEMA, known_to_matches
from joinedup.linkage.pprl_models import PprlEncoding, PprlFlag, PprlUpload, UploadKind
from joinedup.linkage.pprl_validate import Entry, Problem
from joinedup.partners.schemas import Role
from joinedup.people.models import PersonRecord

UPLOAD_ROLES = (Role.ADMIN, Role.IG_LEAD)
PROBLEMS_SHOWN = 50
CLK_BYTES = DEFAULT_SCHEMA.filter_bits // 8
_INSERT_CHUNK = 5_000
_LOOKUP_CHUNK = 900  # references looked up per statement (SQLite's bound-parameter limit)

Progress = Callable[[int, int], None]


class UploadRefused(JoinedUpError):
    """An upload with problem lines: nothing was stored. ``problems`` lists them all."""

    status_code = 422

    def __init__(self, problems: Sequence[Problem]) -> None:
        count = len(problems)
        super().__init__(
            f"The upload was refused: {count} problem{'s' if count != 1 else ''}, "
            "so nothing was stored"
        )
        self.problems = list(problems)
        self.errors = [{"line": p.line, "reason": p.reason} for p in problems[:PROBLEMS_SHOWN]]


@dataclass(frozen=True, slots=True)
class Uploader:
    """Who acts: the organisation and the user (no user from the operator's command line; no
    organisation either for ``joinedup pprl rematch``)."""

    organisation_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    role: str = ""


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """What an upload stored."""

    upload_id: uuid.UUID
    kind: UploadKind
    encodings: int
    replaced: int


@dataclass(slots=True)
class MatchSummary:
    """What one matching did: holders matched, encodings compared, flags raised, seconds."""

    holders: int = 0
    known_encodings: int = 0
    holder_encodings: int = 0
    flags: int = 0
    seconds: float = 0.0
    per_holder: dict[str, int] = field(default_factory=dict)


def _resolve_known(
    session: Session, organisation_id: uuid.UUID, entries: Sequence[Entry]
) -> dict[str, uuid.UUID]:
    """Reference -> person record id, for the organisation's own records only."""
    found: dict[str, uuid.UUID] = {}
    refs = [e.reference for e in entries]
    for start in range(0, len(refs), _LOOKUP_CHUNK):
        chunk = refs[start : start + _LOOKUP_CHUNK]
        rows = session.execute(
            select(PersonRecord.reference, PersonRecord.id).where(
                PersonRecord.organisation_id == organisation_id,
                PersonRecord.reference.in_(chunk),
            )
        )
        found.update({ref: pid for ref, pid in rows})
    return found


def _event(uploader: Uploader, name: str, upload: PprlUpload, **details: object) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=uploader.user_id,
        actor_organisation_id=uploader.organisation_id,
        actor_role=uploader.role,
        record_type="pprl_upload",
        record_id=str(upload.id),
        record_organisation_id=upload.organisation_id,
        details=details,  # type: ignore[arg-type]
    )


def upload(
    *,
    session: Session,
    uploader: Uploader,
    kind: UploadKind,
    entries: Sequence[Entry],
    problems: Sequence[Problem] = (),
) -> UploadOutcome:
    """Store ``entries`` as the organisation's upload of ``kind``, replacing its previous one;
    refuse the whole upload (``UploadRefused``) on any problem, including a "known" reference
    that is not one of the organisation's person records."""
    organisation_id = uploader.organisation_id
    if organisation_id is None:
        raise ValueError("an upload belongs to an organisation")
    if problems:
        raise UploadRefused(problems)
    if not entries:
        raise UploadRefused([Problem(0, "the file holds no encodings")])
    with atomic(session):
        records: dict[str, uuid.UUID] = {}
        if kind is UploadKind.KNOWN:
            records = _resolve_known(session, organisation_id, entries)
            missing = [
                Problem(e.line, "unique_id is not the reference of one of your person records")
                for e in entries
                if e.reference not in records
            ]
            if missing:
                raise UploadRefused(missing)
        replaced = _drop_previous(session, organisation_id, kind)
        row = PprlUpload(
            organisation_id=organisation_id,
            kind=kind,
            uploaded_by_user_id=uploader.user_id,
            uploaded_at=clock.utc_now(),
            schema_version=DEFAULT_SCHEMA.version,
            encoding_count=len(entries),
        )
        session.add(row)
        session.flush()
        _insert_encodings(session, row, entries, records)
        record(
            session,
            _event(
                uploader,
                "pprl.encodings_uploaded",
                row,
                kind=kind.value,
                encodings=len(entries),
                replaced=replaced,
                schema_version=row.schema_version,
            ),
        )
    return UploadOutcome(row.id, kind, len(entries), replaced)


def _drop_previous(session: Session, organisation_id: uuid.UUID, kind: UploadKind) -> int:
    """Delete the organisation's previous upload of ``kind`` with its encodings and flags (in
    the caller's transaction); the number of encodings it held."""
    previous = session.scalar(
        select(PprlUpload).where(
            PprlUpload.organisation_id == organisation_id, PprlUpload.kind == kind
        )
    )
    if previous is None:
        return 0
    session.execute(delete(PprlFlag).where(PprlFlag.upload_id == previous.id))
    session.execute(delete(PprlEncoding).where(PprlEncoding.upload_id == previous.id))
    session.delete(previous)
    session.flush()
    return previous.encoding_count


def _insert_encodings(
    session: Session, row: PprlUpload, entries: Sequence[Entry], records: dict[str, uuid.UUID]
) -> None:
    values = [
        {
            "id": uuid.uuid4(),
            "upload_id": row.id,
            "organisation_id": row.organisation_id,
            "reference": e.reference,
            "person_record_id": records.get(e.reference),
            "clk": e.clk,
        }
        for e in entries
    ]
    for start in range(0, len(values), _INSERT_CHUNK):
        session.execute(insert(PprlEncoding), values[start : start + _INSERT_CHUNK])


def _known_by_organisation(session: Session) -> dict[uuid.UUID, list[tuple[str, bytes]]]:
    """Every organisation's "known" encodings as (person record id, encoding)."""
    rows = session.execute(
        select(PprlEncoding.organisation_id, PprlEncoding.person_record_id, PprlEncoding.clk)
        .join(PprlUpload, PprlUpload.id == PprlEncoding.upload_id)
        .where(PprlUpload.kind == UploadKind.KNOWN, PprlEncoding.person_record_id.is_not(None))
        .order_by(PprlEncoding.organisation_id, PprlEncoding.reference)
    )
    out: dict[uuid.UUID, list[tuple[str, bytes]]] = {}
    for org, person, clk in rows:
        out.setdefault(org, []).append((str(person), bytes(clk)))
    return out


def match_holders(
    *,
    session: Session,
    uploader: Uploader,
    threshold: float,
    holders: Sequence[uuid.UUID] | None = None,
    progress: Progress | None = None,
) -> MatchSummary:
    """Match every organisation's "known" encodings against the holder uploads of ``holders``
    (all when ``None``) and replace those holders' flags; one ``pprl.matched`` event each."""
    started = time.perf_counter()
    summary = MatchSummary()
    # Matching reads every organisation's encodings and writes the holders' flags, whoever
    # triggered it; nothing of it leaves the server but counts (the signposts check access).
    with transaction_beyond_reach(session):
        stmt = select(PprlUpload).where(PprlUpload.kind == UploadKind.HOLDER)
        if holders is not None:
            stmt = stmt.where(PprlUpload.organisation_id.in_(holders))
        targets = list(session.scalars(stmt.order_by(PprlUpload.organisation_id)))
        known = _known_by_organisation(session)
        summary.known_encodings = sum(len(v) for v in known.values())
        if progress is not None:
            progress(0, len(targets))
        for done, target in enumerate(targets, start=1):
            flags = _match_one(session, target, known, threshold)
            summary.holders += 1
            summary.holder_encodings += target.encoding_count
            summary.flags += flags
            summary.per_holder[str(target.organisation_id)] = flags
            record(
                session,
                _event(
                    uploader,
                    "pprl.matched",
                    target,
                    known_encodings=summary.known_encodings,
                    holder_encodings=target.encoding_count,
                    flags=flags,
                    threshold=str(threshold),
                ),
            )
            if progress is not None:
                progress(done, len(targets))
    summary.seconds = time.perf_counter() - started
    return summary


def _match_one(
    session: Session,
    target: PprlUpload,
    known: dict[uuid.UUID, list[tuple[str, bytes]]],
    threshold: float,
) -> int:
    """Replace one holder's flags with the matches of its upload; the number raised."""
    session.execute(
        delete(PprlFlag).where(PprlFlag.holder_organisation_id == target.organisation_id)
    )
    holder = [
        (ref, bytes(clk))
        for ref, clk in session.execute(
            select(PprlEncoding.reference, PprlEncoding.clk)
            .where(PprlEncoding.upload_id == target.id)
            .order_by(PprlEncoding.reference)
        )
    ]
    now = clock.utc_now()
    values: list[dict[str, object]] = []
    for org, encodings in known.items():
        if org == target.organisation_id or not holder:
            continue  # an organisation is never "known to" itself
        for m in known_to_matches(encodings, holder, threshold=threshold):
            values.append(
                {
                    "id": uuid.uuid4(),
                    "person_record_id": uuid.UUID(m.known_ref),
                    "holder_organisation_id": target.organisation_id,
                    "holder_reference": m.holder_ref,
                    "score": m.score,
                    "upload_id": target.id,
                    "matched_at": now,
                }
            )
    for start in range(0, len(values), _INSERT_CHUNK):
        session.execute(insert(PprlFlag), values[start : start + _INSERT_CHUNK])
    target.matched_count = len(values)
    target.matched_at = now
    return len(values)


def holders_to_match(kind: UploadKind, organisation_id: uuid.UUID) -> list[uuid.UUID] | None:
    """Whose flags an upload changes: a holder upload its own; a "known" upload everyone's."""
    return [organisation_id] if kind is UploadKind.HOLDER else None
