"""The JoinedUp incident CSV (``docs/formats/incident-csv.md``): one row per incident and person
involved, parsed into ``IncidentIn`` items with every refused row named by line, column and
reason. Pure: no database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from joinedup.incidents.csvfiles import FileFormatError, numbered_rows
from joinedup.incidents.schemas import IncidentIn, InvolvementIn, InvolvementRole, TimePrecision
from joinedup.incidents.taxonomy import BY_CODE, CATEGORIES
from joinedup.people.schemas import Gender

LONDON = ZoneInfo("Europe/London")
REQUIRED = ("incident_reference", "category")
INCIDENT_COLUMNS = (
    "incident_reference",
    "category",
    "occurred_at",
    "reported_at",
    "location_description",
    "postcode",
    "latitude",
    "longitude",
    "narrative",
    "outcome",
    "clinical_notes",
)
PERSON_COLUMNS = (
    "person_reference",
    "first_name",
    "middle_names",
    "surname",
    "date_of_birth",
    "gender",
    "address_line",
    "town",
    "person_postcode",
    "address_confidential",
    "role",
)
COLUMNS = INCIDENT_COLUMNS + PERSON_COLUMNS
_PERSON_FIELDS = {
    "person_reference": "reference",
    "person_postcode": "postcode",
}
_BY_LABEL = {c.label.casefold(): c.code for c in CATEGORIES}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True, slots=True)
class Problem:
    """A row that was not imported: its line, the column at fault ("" for the whole row), why."""

    line: int
    column: str
    reason: str


@dataclass(slots=True)
class ParsedIncident:
    """One incident built from one or more rows, with the lines it came from."""

    item: IncidentIn
    lines: list[int]


@dataclass(slots=True)
class ParsedFile:
    """A whole file: its incidents, its problems and how many data rows it had."""

    incidents: list[ParsedIncident] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0


class _CellError(ValueError):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def check_header(header: list[str] | None) -> list[str]:
    """The column names, or ``FileFormatError`` naming what is missing or unknown."""
    if header is None or not any(h.strip() for h in header):
        raise FileFormatError("the file is empty: expected a header row naming the columns")
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [n[:40] for n in names if n not in COLUMNS]
    repeated = sorted({n for n in names if names.count(n) > 1})
    reasons = []
    if missing:
        reasons.append("missing required columns: " + ", ".join(missing))
    if unknown:
        reasons.append("unknown columns (check the spelling): " + ", ".join(unknown[:10]))
    if repeated:
        reasons.append("columns named twice: " + ", ".join(repeated))
    if reasons:
        raise FileFormatError(
            "not a JoinedUp incident CSV: "
            + "; ".join(reasons)
            + " (see docs/formats/incident-csv.md)"
        )
    return names


def _category(value: str) -> str:
    clean = value.strip()
    if clean in BY_CODE:
        return clean
    code = _BY_LABEL.get(clean.casefold())
    if code is None:
        raise _CellError("category", f"{clean[:40]!r} is not a category in the taxonomy")
    return code


def _moment(column: str, value: str) -> tuple[datetime | None, TimePrecision]:
    """ISO 8601 (a date, or a date and time with or without an offset: UK local time when
    none), or a UK date DD/MM/YYYY."""
    clean = value.strip()
    if not clean:
        return None, TimePrecision.MINUTE
    uk = _UK_DATE.match(clean)
    try:
        if uk:
            day = date(int(uk[3]), int(uk[2]), int(uk[1]))
            return datetime.combine(day, time(), LONDON).astimezone(UTC), TimePrecision.DAY
        if len(clean) == 10:
            day = date.fromisoformat(clean)
            return datetime.combine(day, time(), LONDON).astimezone(UTC), TimePrecision.DAY
        moment = datetime.fromisoformat(clean.replace("Z", "+00:00"))
    except ValueError:
        raise _CellError(column, f"{clean[:40]!r} is not a date or date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment.astimezone(UTC), TimePrecision.MINUTE


def _birth_date(value: str) -> str | None:
    clean = value.strip()
    if not clean:
        return None
    uk = _UK_DATE.match(clean)
    try:
        born = date(int(uk[3]), int(uk[2]), int(uk[1])) if uk else date.fromisoformat(clean)
    except ValueError:
        raise _CellError("date_of_birth", f"{clean[:40]!r} is not a date") from None
    return born.isoformat()


def _number(column: str, value: str) -> float | None:
    clean = value.strip()
    if not clean:
        return None
    try:
        return float(clean)
    except ValueError:
        raise _CellError(column, f"{clean[:40]!r} is not a number") from None


def _flag(column: str, value: str) -> bool:
    clean = value.strip().lower()
    if clean in _YES:
        return True
    if clean in _NO:
        return False
    raise _CellError(column, f"{value.strip()[:40]!r} is not yes or no")


def _choice(column: str, value: str, allowed: Iterable[str]) -> str:
    clean = value.strip().lower().replace(" ", "_")
    options = list(allowed)
    if clean not in options:
        raise _CellError(column, f"{value.strip()[:40]!r} is not one of " + ", ".join(options))
    return clean


def _incident_fields(cells: dict[str, str]) -> dict[str, Any]:
    occurred_at, precision = _moment("occurred_at", cells.get("occurred_at", ""))
    reported_at, _ = _moment("reported_at", cells.get("reported_at", ""))
    location = {
        "description": cells.get("location_description", "").strip(),
        "postcode": cells.get("postcode", "").strip(),
        "latitude": _number("latitude", cells.get("latitude", "")),
        "longitude": _number("longitude", cells.get("longitude", "")),
    }
    return {
        "reference": cells.get("incident_reference", "").strip(),
        "category": _category(cells.get("category", "")),
        "occurred_at": occurred_at,
        "occurred_precision": precision,
        "reported_at": reported_at,
        "location": location,
        "narrative": cells.get("narrative", ""),
        "outcome": cells.get("outcome", "").strip(),
        "clinical_notes": cells.get("clinical_notes", ""),
    }


def _involvement(cells: dict[str, str]) -> dict[str, Any] | None:
    present = {c: cells[c] for c in PERSON_COLUMNS if cells.get(c, "").strip()}
    if not present:
        return None
    if "role" not in present:
        raise _CellError("role", "a person is given without their role")
    role = _choice("role", present.pop("role"), (r.value for r in InvolvementRole))
    if "person_reference" not in present:
        raise _CellError("person_reference", "a person is given without your reference for them")
    person: dict[str, Any] = {}
    for column, value in present.items():
        name = _PERSON_FIELDS.get(column, column)
        if column == "date_of_birth":
            person[name] = _birth_date(value)
        elif column == "gender":
            person[name] = _choice(column, value, (g.value for g in Gender))
        elif column == "address_confidential":
            person[name] = _flag(column, value)
        else:
            person[name] = value.strip()
    return {"role": role, "person": person}


def _validation_problems(line: int, exc: ValidationError, person_given: bool) -> list[Problem]:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = [str(p) for p in error["loc"]]
        problems.append(Problem(line, _column_of(loc, person_given), error["msg"]))
    return problems


def _column_of(loc: list[str], person_given: bool) -> str:
    if not loc:
        return ""
    if loc[0] == "reference":
        return "incident_reference"
    if loc[0] == "location":
        return {"description": "location_description"}.get(loc[-1], loc[-1]) if len(loc) > 1 else ""
    if loc[0] == "people" and person_given:
        last = loc[-1]
        return {"reference": "person_reference", "postcode": "person_postcode"}.get(last, last)
    return loc[0] if loc[0] in COLUMNS else ""


@dataclass(slots=True)
class _Group:
    fields: dict[str, Any]
    people: list[dict[str, Any]]
    lines: list[int]


def parse_text(text: str) -> ParsedFile:
    """Parse a whole JoinedUp incident CSV. Rows of one incident share its reference; their
    incident columns must agree (or be left blank after the first)."""
    header, rows = numbered_rows(text)
    names = check_header(header)
    parsed = ParsedFile()
    groups: dict[str, _Group] = {}
    refused_refs: set[str] = set()
    for line, fields in rows:
        parsed.rows_read += 1
        if isinstance(fields, str):
            parsed.problems.append(Problem(line, "", fields))
            continue
        if len(fields) != len(names):
            reason = f"expected {len(names)} fields, found {len(fields)}"
            parsed.problems.append(Problem(line, "", reason))
            continue
        if any("\x00" in v for v in fields):
            parsed.problems.append(Problem(line, "", "the row contains a NUL character"))
            continue
        cells = dict(zip(names, fields, strict=True))
        _add_row(line, cells, groups, parsed, refused_refs)
    for reference, group in groups.items():
        if reference in refused_refs:
            continue
        _finish(group, parsed)
    parsed.problems.sort(key=lambda p: p.line)
    return parsed


def _add_row(
    line: int,
    cells: dict[str, str],
    groups: dict[str, _Group],
    parsed: ParsedFile,
    refused_refs: set[str],
) -> None:
    reference = cells.get("incident_reference", "").strip()
    if not reference:
        parsed.problems.append(Problem(line, "incident_reference", "the reference is blank"))
        return
    try:
        involvement = _involvement(cells)
        if involvement is not None:
            _check_person(involvement)
        group = groups.get(reference)
        if group is None:
            group = _Group(_incident_fields(cells), [], [])
            groups[reference] = group
        else:
            _check_agrees(cells, group)
    except _CellError as exc:
        parsed.problems.append(Problem(line, exc.column, exc.reason))
        _refuse_group(reference, groups, parsed, refused_refs, line)
        return
    if reference in refused_refs:
        parsed.problems.append(
            Problem(line, "incident_reference", "another row of this incident was refused")
        )
        return
    group.lines.append(line)
    if involvement is not None:
        group.people.append(involvement)


def _check_person(involvement: dict[str, Any]) -> None:
    try:
        InvolvementIn.model_validate(involvement)
    except ValidationError as exc:
        error = exc.errors(include_input=False, include_url=False)[0]
        column = _column_of(["people", *(str(p) for p in error["loc"])], True)
        raise _CellError(column, error["msg"]) from None


def _check_agrees(cells: dict[str, str], group: _Group) -> None:
    """A later row of an incident: its incident columns are blank or say the same."""
    if not any(cells.get(c, "").strip() for c in INCIDENT_COLUMNS if c != "incident_reference"):
        return
    fields = _incident_fields(cells)
    for name, value in fields.items():
        if value != group.fields[name]:
            column = {"reference": "incident_reference", "location": "location_description"}.get(
                name, name
            )
            raise _CellError(
                column, f"differs from the incident's first row (line {group.lines[0]})"
            )


def _refuse_group(
    reference: str,
    groups: dict[str, _Group],
    parsed: ParsedFile,
    refused_refs: set[str],
    line: int,
) -> None:
    """One bad row refuses its whole incident: a partial incident would lose a person."""
    if reference in refused_refs:
        return
    refused_refs.add(reference)
    group = groups.get(reference)
    if group is None:
        return
    for other in group.lines:
        parsed.problems.append(
            Problem(
                other,
                "incident_reference",
                f"another row of this incident (line {line}) was refused",
            )
        )


def _finish(group: _Group, parsed: ParsedFile) -> None:
    first = group.lines[0]
    try:
        item = IncidentIn.model_validate({**group.fields, "people": group.people})
    except ValidationError as exc:
        problems = _validation_problems(first, exc, bool(group.people))
        parsed.problems.extend(problems)
        reason = f"refused with its first row (line {first})"
        parsed.problems.extend(Problem(n, "incident_reference", reason) for n in group.lines[1:])
        return
    parsed.incidents.append(ParsedIncident(item, group.lines))
