"""Subject access pages and API for information-governance leads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from joinedup.access.actor import Actor
from joinedup.access.deps import require
from joinedup.auth.csrf import verify_csrf
from joinedup.common.errors import NotFound
from joinedup.db import SessionDep
from joinedup.partners.schemas import Role
from joinedup.subject_access import pack, queries, service
from joinedup.subject_access.schemas import PackFormat, SarFormIn, SarIn, SarOut
from joinedup.web.forms import form_dict, parse_form
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(
    prefix="/api/v1/subject-access", tags=["subject access"], dependencies=[Depends(verify_csrf)]
)
IgLead = Annotated[Actor, Depends(require(Role.IG_LEAD))]
FormatQuery = Annotated[PackFormat, Query(alias="format")]
LABELS = {"reference": "the reference of a person record", "received_on": "the date received"}


def _page(request: Request, session: SessionDep, actor: Actor, **extra: object) -> HTMLResponse:
    context = {"requests": queries.list_for(session, actor), "errors": {}, "form": {}, **extra}
    status = 422 if extra.get("errors") else 200
    return render(request, "subject_access/list.html", context, status)


@router.get("/subject-access", response_class=HTMLResponse)
def sar_page(request: Request, session: SessionDep, actor: IgLead) -> HTMLResponse:
    """Subject access requests and their one-month clocks."""
    return _page(request, session, actor)


@router.post("/subject-access", response_model=None)
async def sar_create(request: Request, session: SessionDep, actor: IgLead) -> Response:
    """Open a request anchored on a person record my organisation holds."""
    data = await form_dict(request)
    parsed, errors = parse_form(SarFormIn, data, LABELS)
    if parsed is not None:
        try:
            record = queries.record_by_reference(session, actor.organisation_id, parsed.reference)
        except NotFound:
            errors = {"reference": "Enter the reference of a person record your organisation holds"}
        else:
            sar_in = SarIn(person_record_id=record, received_on=parsed.received_on)
            service.create(
                session=session, actor=actor, organisation_id=actor.organisation_id, sar_in=sar_in
            )
            return RedirectResponse("/subject-access", status_code=303)
    return _page(request, session, actor, errors=errors, form=data)


def _pack_response(session: SessionDep, actor: Actor, reference: str, fmt: PackFormat) -> Response:
    built = service.generate_pack(
        session=session,
        actor=actor,
        organisation_id=actor.organisation_id,
        reference=reference,
        fmt=fmt,
    )
    body = pack.render_pack(built, fmt)
    name = f"{built.sar_reference}.{fmt.value}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=pack.MEDIA_TYPES[fmt], headers=headers)


@router.get("/subject-access/{reference}/pack", response_model=None)
def sar_pack(
    session: SessionDep, actor: IgLead, reference: str, fmt: FormatQuery = PackFormat.HTML
) -> Response:
    """Download the pack (audited as a disclosure to the data subject)."""
    return _pack_response(session, actor, reference, fmt)


@router.post("/subject-access/{reference}/complete", response_model=None)
def sar_complete(session: SessionDep, actor: IgLead, reference: str) -> Response:
    """Mark a request answered."""
    service.complete(
        session=session, actor=actor, organisation_id=actor.organisation_id, reference=reference
    )
    return RedirectResponse("/subject-access", status_code=303)


@api.post("/{reference}/complete", response_model=SarOut)
def complete_request(session: SessionDep, actor: IgLead, reference: str) -> SarOut:
    """Mark a subject access request answered."""
    return service.complete(
        session=session, actor=actor, organisation_id=actor.organisation_id, reference=reference
    )


@api.get("", response_model=list[SarOut])
def list_requests(session: SessionDep, actor: IgLead) -> list[SarOut]:
    """The caller's organisation's subject access requests."""
    return queries.list_for(session, actor)


@api.post("", response_model=SarOut, status_code=201)
def create_request(session: SessionDep, actor: IgLead, body: SarIn) -> SarOut:
    """Open a subject access request."""
    return service.create(
        session=session, actor=actor, organisation_id=actor.organisation_id, sar_in=body
    )


@api.get("/{reference}/pack", response_model=None)
def get_pack(
    session: SessionDep, actor: IgLead, reference: str, fmt: FormatQuery = PackFormat.JSON
) -> Response:
    """The pack as JSON, HTML or PDF (audited as a disclosure to the data subject)."""
    return _pack_response(session, actor, reference, fmt)
