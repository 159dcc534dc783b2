"""Audit pages and API: who has seen a record, and the organisation access report (AUD-8)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from joinedup.access.actor import Actor
from joinedup.access.deps import require, require_recent_reauthentication
from joinedup.audit import queries
from joinedup.audit.events import Operation
from joinedup.audit.queries import CSV_COLUMNS, AccessEvent, ReportFilter
from joinedup.audit.rules import csv_safe
from joinedup.auth.csrf import verify_csrf
from joinedup.common.errors import ValidationFailed
from joinedup.common.pagination import PageOut
from joinedup.db import SessionDep
from joinedup.partners.schemas import Role
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/audit", tags=["audit"], dependencies=[Depends(verify_csrf)])

LogReader = Annotated[Actor, Depends(require(Role.SUPERVISOR, Role.IG_LEAD, Role.ADMIN))]
ReportReader = Annotated[Actor, Depends(require(Role.IG_LEAD, Role.ADMIN))]
PageNumber = Annotated[int, Query(ge=1)]
OPERATIONS = [op.value for op in Operation]
_FIELDS = (
    "from_day",
    "from_month",
    "from_year",
    "to_day",
    "to_month",
    "to_year",
    "operation",
)


def _date(day: str, month: str, year: str) -> date | None:
    """A date from GOV.UK date-input parts; all empty is no date; ValueError when invalid."""
    if not (day or month or year):
        return None
    return date(int(year), int(month), int(day))


def _page_filter(request: Request) -> tuple[ReportFilter, dict[str, str], dict[str, str]]:
    """The report filter from the page's query string, the raw values and any errors."""
    q = request.query_params
    raw = {k: q.get(k, "").strip() for k in _FIELDS}
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for prefix, label in (("from", "start"), ("to", "end")):
        try:
            dates[prefix] = _date(
                raw[f"{prefix}_day"], raw[f"{prefix}_month"], raw[f"{prefix}_year"]
            )
        except ValueError:
            errors[f"{prefix}_day"] = f"Enter a real {label} date, for example 27 3 2026"
            dates[prefix] = None
    operation = None
    if raw["operation"]:
        if raw["operation"] in OPERATIONS:
            operation = Operation(raw["operation"])
        else:
            errors["operation"] = "Select an operation from the list"
    return ReportFilter(dates["from"], dates["to"], operation), raw, errors


@router.get("/people/{person_id}/access-log", response_class=HTMLResponse)
def access_log_page(
    request: Request, session: SessionDep, actor: LogReader, person_id: str, page: PageNumber = 1
) -> HTMLResponse:
    """Who has seen, changed or shared this record."""
    pid = record_id(person_id)
    result = queries.record_access_log(session, actor, pid, page)
    return render(request, "audit/access_log.html", {"result": result, "person_id": pid})


@router.get("/audit/organisation", response_class=HTMLResponse)
def organisation_page(
    request: Request, session: SessionDep, actor: ReportReader, page: PageNumber = 1
) -> HTMLResponse:
    """Who read, changed or shared the records my organisation holds."""
    filters, raw, errors = _page_filter(request)
    result = None if errors else queries.organisation_report(session, actor, filters, page)
    query = urlencode({k: v for k, v in raw.items() if v})
    context = {
        "result": result,
        "raw": raw,
        "errors": errors,
        "operations": OPERATIONS,
        "query": query,
    }
    return render(request, "audit/organisation.html", context, 422 if errors else 200)


def csv_text(events: list[AccessEvent]) -> str:
    """The export as CSV text: allow-listed columns, every cell escaped with ``csv_safe``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        writer.writerow([csv_safe(v) for v in queries.csv_row(event)])
    return out.getvalue()


def _csv_response(events: list[AccessEvent]) -> Response:
    return Response(
        csv_text(events),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="organisation-access-report.csv"'},
    )


@router.get("/audit/organisation.csv")
def organisation_csv(
    request: Request,
    session: SessionDep,
    actor: ReportReader,
    _stepped_up: Annotated[Actor, Depends(require_recent_reauthentication())],
) -> Response:
    """The organisation access report as CSV (bulk export: needs a recent password, SES-2)."""
    filters, _raw, errors = _page_filter(request)
    if errors:
        raise ValidationFailed(errors)
    return _csv_response(queries.organisation_export(session, actor, filters))


@api.get("/people/{person_id}/access-log", response_model=PageOut[AccessEvent])
def access_log(
    session: SessionDep, actor: LogReader, person_id: str, page: PageNumber = 1
) -> PageOut[AccessEvent]:
    """Ledger events about one person record the caller's organisation holds."""
    return PageOut[AccessEvent].of(
        queries.record_access_log(session, actor, record_id(person_id), page)
    )


@api.get("/organisation", response_model=PageOut[AccessEvent])
def organisation_report(
    session: SessionDep,
    actor: ReportReader,
    date_from: date | None = None,
    date_to: date | None = None,
    operation: Operation | None = None,
    page: PageNumber = 1,
) -> PageOut[AccessEvent]:
    """Events about records the caller's own organisation holds (filterable, paginated)."""
    filters = ReportFilter(date_from, date_to, operation)
    return PageOut[AccessEvent].of(queries.organisation_report(session, actor, filters, page))


@api.get("/organisation.csv")
def organisation_report_csv(
    session: SessionDep,
    actor: ReportReader,
    _stepped_up: Annotated[Actor, Depends(require_recent_reauthentication())],
    date_from: date | None = None,
    date_to: date | None = None,
    operation: Operation | None = None,
) -> Response:
    """The organisation report as CSV (SES-2 step-up: browser session, recent password)."""
    filters = ReportFilter(date_from, date_to, operation)
    return _csv_response(queries.organisation_export(session, actor, filters))
