"""Importing police.uk street-level crime and ASB files exactly as published (``.csv``/``.csv.gz``).

Every valid row becomes an incident of the given organisation. Re-importing a file adds nothing:
a row's reference is its ``Crime ID`` or, for ASB rows (which police.uk publishes without one), a
key derived from the row's content and its ordinal among identical rows in that file, so that
identical-looking rows (distinct records at one snap point) are all kept.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common.clock import utc_now
from joinedup.common.errors import JoinedUpError
from joinedup.common.ids import new_id
from joinedup.db import atomic
from joinedup.incidents.csvfiles import FileFormatError, TextFile, numbered_rows, read_text
from joinedup.incidents.models import Incident
from joinedup.incidents.schemas import IncidentSource, TimePrecision
from joinedup.incidents.taxonomy import BY_POLICE_UK_NAME
from joinedup.places.service import LocationKey, PlaceWriter

HEADER = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
BATCH_SIZE = 2000
ProgressCallback = Callable[[Path, int, int], None]
"""Called after each batch with the file, rows handled so far and the file's row count."""


class PoliceUkFormatError(JoinedUpError):
    """The file is not a police.uk street-level file (wrong header, unreadable)."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that was not imported: its file, line number, the column at fault (``""`` for the
    whole row) and why."""

    file: str
    line: int
    reason: str
    column: str = ""


@dataclass(slots=True)
class ImportSummary:
    """What an import did. ``no_location`` and ``outside_area`` count the rows imported."""

    files: int = 0
    rows_read: int = 0
    imported: int = 0
    already_present: int = 0
    rejected: int = 0
    no_location: int = 0
    outside_area: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # "imported"; or "refused" when --strict found a problem and nothing was written.
    outcome: str = "imported"

    def counts(self) -> dict[str, str | int | bool | None]:
        """The counts (no row content) for the audit ledger."""
        return {
            "files": self.files,
            "rows_read": self.rows_read,
            "imported": self.imported,
            "already_present": self.already_present,
            "rejected": self.rejected,
            "no_location": self.no_location,
            "outside_area": self.outside_area,
        }


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One valid row, ready to store."""

    line: int
    reference: str
    occurred_at: datetime
    category: str
    outcome: str
    context: str
    latitude: float | None
    longitude: float | None
    description: str
    lsoa_code: str | None
    lsoa_name: str


class RowError(ValueError):
    """Why one row cannot be imported, and the column at fault (``""`` for the whole row)."""

    def __init__(self, reason: str, column: str = "") -> None:
        super().__init__(reason)
        self.column = column


def check_header(path: Path) -> None:
    """Raise ``PoliceUkFormatError`` unless ``path`` starts with the police.uk header."""
    _read(path)


def _read(path: Path) -> tuple[TextFile, list[str] | None, Iterator[tuple[int, list[str] | str]]]:
    try:
        text = read_text(path)
        header, rows = numbered_rows(text.text)
    except FileFormatError as exc:
        raise PoliceUkFormatError(exc.message) from None
    _check_header_fields(path, header)
    return text, header, rows


def _check_header_fields(path: Path, header: list[str] | None) -> None:
    if header is None or not any(h.strip() for h in header):
        raise PoliceUkFormatError(f"{path.name}: the file is empty")
    found = tuple(h.strip() for h in header)
    if found != HEADER:
        # Only the start of what was found: a wrong file's first line could be anything.
        shown = ", ".join(h[:40] for h in found[: len(HEADER) + 1])
        raise PoliceUkFormatError(
            f"{path.name}: not a police.uk street-level file; expected the columns "
            f"{', '.join(HEADER)} but found {shown}"
        )


def parse_file(path: Path) -> tuple[list[ParsedRow], list[RowProblem], int, str]:
    """Read a whole file: its valid rows, the problems with the others, the rows read and a
    notice about its encoding (``""`` for UTF-8)."""
    text, _header, numbered = _read(path)
    rows: list[ParsedRow] = []
    problems: list[RowProblem] = []
    ordinals: Counter[tuple[str, ...]] = Counter()
    read = 0
    for line, fields in numbered:
        read += 1
        try:
            if isinstance(fields, str):
                raise RowError(fields)
            rows.append(parse_row(line, fields, ordinals))
        except RowError as exc:
            problems.append(RowProblem(path.name, line, str(exc), exc.column))
    notice = f"{path.name}: {text.notice}" if text.notice else ""
    return rows, problems, read, notice


def parse_row(line: int, fields: Sequence[str], ordinals: Counter[tuple[str, ...]]) -> ParsedRow:
    """One row as published; ``ordinals`` counts identical ASB rows already seen in the file."""
    if len(fields) != len(HEADER):
        raise RowError(f"expected {len(HEADER)} fields, found {len(fields)}")
    if any("\x00" in f for f in fields):
        # PostgreSQL refuses NUL in text, and no published file has one: the file is damaged.
        raise RowError("the row contains a NUL character")
    crime_id, month, _by, _within, lon, lat, where, lsoa_code, lsoa_name, kind, outcome, ctx = (
        f.strip() for f in fields
    )
    category = BY_POLICE_UK_NAME.get(kind)
    if category is None:
        raise RowError(f"unknown Crime type {kind[:40]!r}", "Crime type")
    occurred_at = _month_start(month)
    latitude, longitude = _coordinates(lat, lon)
    if len(crime_id) > 80:
        raise RowError("Crime ID is longer than 80 characters", "Crime ID")
    if not crime_id:
        identity = (month, lon, lat, where, lsoa_code, kind)
        ordinals[identity] += 1
        crime_id = derived_reference(identity, ordinals[identity])
    return ParsedRow(
        line=line,
        reference=crime_id,
        occurred_at=occurred_at,
        category=category.code,
        outcome=outcome[:120],
        context=ctx,
        latitude=latitude,
        longitude=longitude,
        description=where,
        lsoa_code=lsoa_code or None,
        lsoa_name=lsoa_name,
    )


def derived_reference(identity: tuple[str, ...], ordinal: int) -> str:
    """A stable reference for a row without a Crime ID (ASB): content plus ordinal in the file."""
    digest = hashlib.sha256("\x1f".join((*identity, str(ordinal))).encode()).hexdigest()
    return f"asb-{digest[:60]}"


def _month_start(month: str) -> datetime:
    try:
        parsed = datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise RowError(f"Month {month[:20]!r} is not YYYY-MM", "Month") from None
    return parsed.replace(tzinfo=UTC)


def _coordinates(lat: str, lon: str) -> tuple[float | None, float | None]:
    if not lat and not lon:
        return None, None
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        raise RowError(
            "Latitude and Longitude must both be numbers or both be empty", "Latitude"
        ) from None
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise RowError("Latitude or Longitude is out of range", "Latitude")
    return latitude, longitude


def _location_key(row: ParsedRow) -> LocationKey | None:
    if row.latitude is None and row.lsoa_code is None:
        return None
    return LocationKey(row.latitude, row.longitude, row.description, row.lsoa_code)


class _Importer:
    """Writes parsed rows of one organisation in batches, skipping references already stored."""

    def __init__(self, session: Session, organisation_id: uuid.UUID, h3_resolution: int) -> None:
        self._conn = session.connection()
        self._org = organisation_id
        self._places = PlaceWriter(self._conn, h3_resolution)
        self._existing: set[str] = set(
            self._conn.scalars(
                select(Incident.reference).where(Incident.organisation_id == organisation_id)
            )
        )
        self.summary = ImportSummary()

    def import_file(self, path: Path, on_progress: ProgressCallback | None) -> None:
        rows, problems, read, notice = parse_file(path)
        if notice:
            self.summary.notices.append(notice)
        self.summary.files += 1
        self.summary.rows_read += read
        self.summary.rejected += len(problems)
        self.summary.problems.extend(problems)
        for start in range(0, len(rows), BATCH_SIZE):
            self._write_batch(rows[start : start + BATCH_SIZE])
            if on_progress is not None:
                on_progress(path, min(start + BATCH_SIZE, len(rows)) + len(problems), read)
        if on_progress is not None and not rows:
            on_progress(path, read, read)

    def _write_batch(self, batch: list[ParsedRow]) -> None:
        fresh = []
        for row in batch:
            if row.reference in self._existing:
                self.summary.already_present += 1
                continue
            self._existing.add(row.reference)
            fresh.append(row)
        if not fresh:
            return
        self._places.ensure_lsoas({r.lsoa_code: r.lsoa_name for r in fresh if r.lsoa_code})
        keys = [k for k in (_location_key(r) for r in fresh) if k is not None]
        location_ids = self._places.location_ids(keys)
        now = utc_now()
        values = [self._incident_values(row, location_ids, now) for row in fresh]
        self._conn.execute(insert(Incident), values)
        self.summary.imported += len(values)

    def _incident_values(
        self, row: ParsedRow, location_ids: dict[LocationKey, uuid.UUID], now: datetime
    ) -> dict[str, object]:
        key = _location_key(row)
        district = self._places.district_of(row.lsoa_code)
        outside = district is not None and not self._places.in_area(district)
        self.summary.no_location += key is None
        self.summary.outside_area += outside
        return {
            "id": new_id(),
            "organisation_id": self._org,
            "reference": row.reference,
            "category": row.category,
            "occurred_at": row.occurred_at,
            "occurred_precision": TimePrecision.MONTH,
            "reported_at": None,
            "location_id": location_ids[key] if key is not None else None,
            "narrative": "",
            "source": IncidentSource.POLICE_UK,
            "outcome": row.outcome,
            "context": row.context,
            "no_location": key is None,
            "outside_area": outside,
            "created_at": now,
            "updated_at": now,
        }


def import_files(
    session: Session,
    *,
    organisation_id: uuid.UUID,
    paths: Sequence[Path],
    h3_resolution: int,
    actor_user_id: uuid.UUID | None = None,
    on_progress: ProgressCallback | None = None,
    strict: bool = False,
) -> ImportSummary:
    """Import police.uk files as incidents of one organisation, in one transaction with its audit.

    Every header is checked before anything is written; a wrong header raises
    ``PoliceUkFormatError``. Problem rows are reported and skipped; the other rows are imported
    (with ``strict``, one problem row means nothing is imported).
    """
    for path in paths:
        check_header(path)
    try:
        with atomic(session):
            importer = _Importer(session, organisation_id, h3_resolution)
            for path in paths:
                importer.import_file(path, on_progress)
            if strict and importer.summary.rejected:
                raise _Refused()
            _audit(session, importer.summary, organisation_id, actor_user_id)
    except _Refused:
        summary = importer.summary
        summary.outcome = "refused"
        summary.imported = summary.already_present = summary.no_location = summary.outside_area = 0
        with atomic(session):
            _audit(session, summary, organisation_id, actor_user_id)
    return importer.summary


class _Refused(Exception):
    """--strict found a problem: roll everything back."""


def _audit(
    session: Session, summary: ImportSummary, organisation_id: uuid.UUID, user: uuid.UUID | None
) -> None:
    record(
        session,
        AuditEvent(
            name="incidents.imported",
            actor_user_id=user,
            actor_organisation_id=organisation_id,
            record_type="incident",
            details={"format": "police_uk", "outcome": summary.outcome, **summary.counts()},
        ),
    )
