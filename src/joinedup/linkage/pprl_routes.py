"""Uploading Bloom-filter encodings: the page (``/encodings``) for a partner's administrators
and IG leads, and ``POST /api/v1/pprl/encodings`` for a partner's system.

Both check every line (``pprl_validate``), refuse the whole upload on any problem (line and
reason, never content), store it with ``pprl_service.upload`` and then match it
(``pprl_service.match_holders``) at the ``pprl_threshold`` setting. The encodings are made on
the partner's machine (``joinedup pprl encode``); this server never holds the shared secret.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from joinedup.access.actor import Actor
from joinedup.access.deps import require
from joinedup.auth.csrf import verify_csrf
from joinedup.db import SessionDep
from joinedup.linkage import pprl_queries, pprl_service
from joinedup.linkage.pprl_models import UploadKind
from joinedup.linkage.pprl_queries import UploadOut
from joinedup.linkage.pprl_service import CLK_BYTES, Uploader, UploadRefused
from joinedup.linkage.pprl_validate import Entry, Problem, check_docs, check_text
from joinedup.web.templating import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/pprl", tags=["pprl"], dependencies=[Depends(verify_csrf)])

MAX_UPLOAD_MB = 50
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_API_ENCODINGS = 200_000
_CHUNK = 1024 * 1024
TOO_LARGE = f"The selected file must be smaller than {MAX_UPLOAD_MB} MB"

UploaderDep = Annotated[Actor, Depends(require(*pprl_service.UPLOAD_ROLES))]


def _uploader(actor: Actor) -> Uploader:
    return Uploader(actor.organisation_id, actor.user_id, actor.role.value)


def _store(
    request: Request,
    session: Session,
    actor: Actor,
    kind: UploadKind,
    entries: list[Entry],
    problems: list[Problem],
) -> tuple[pprl_service.UploadOutcome, pprl_service.MatchSummary]:
    """Store the upload (refused whole on any problem), then match what it changed."""
    uploader = _uploader(actor)
    outcome = pprl_service.upload(
        session=session, uploader=uploader, kind=kind, entries=entries, problems=problems
    )
    summary = pprl_service.match_holders(
        session=session,
        uploader=uploader,
        threshold=request.app.state.settings.pprl_threshold,
        holders=pprl_service.holders_to_match(kind, actor.organisation_id),
    )
    return outcome, summary


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    form: dict[str, str],
    errors: dict[str, str],
    problems: list[Problem] | None = None,
    status: int | None = None,
) -> HTMLResponse:
    context = {
        "form": form,
        "errors": errors,
        "problems": (problems or [])[: pprl_service.PROBLEMS_SHOWN],
        "problem_count": len(problems or []),
        "kinds": list(UploadKind),
        "uploads": pprl_queries.uploads_for(session, actor),
        "max_mb": MAX_UPLOAD_MB,
        "done": request.query_params.get("done") == "1",
    }
    return render(request, "pprl/upload.html", context, status or (422 if errors else 200))


@router.get("/encodings", response_class=HTMLResponse)
def encodings_page(request: Request, session: SessionDep, actor: UploaderDep) -> HTMLResponse:
    """Upload the organisation's encodings; its current uploads."""
    return _page(request, session, actor, {}, {})


async def _read(upload: UploadFile) -> bytes | None:
    """The uploaded bytes, or ``None`` when the file is too large (nothing kept)."""
    parts: list[bytes] = []
    size = 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            return None
        parts.append(chunk)
    return b"".join(parts)


@router.post("/encodings", response_model=None)
async def upload_encodings(request: Request, session: SessionDep, actor: UploaderDep) -> Response:
    """Check and store the uploaded encodings, then match them; refused whole on any problem."""
    await verify_csrf(request)
    form = await request.form()
    kind_value = form.get("kind")
    values = {"kind": kind_value if isinstance(kind_value, str) else ""}
    errors: dict[str, str] = {}
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = "Select a file of encodings to upload"
    if values["kind"] not in {k.value for k in UploadKind}:
        errors["kind"] = "Select what the encodings are of"
    if errors or not isinstance(upload, UploadFile):
        return await run_in_threadpool(_page, request, session, actor, values, errors)
    data = await _read(upload)
    if data is None:
        return await run_in_threadpool(
            _page, request, session, actor, values, {"file": TOO_LARGE}, None, 413
        )
    entries, problems = check_text(data, CLK_BYTES)
    try:
        await run_in_threadpool(
            _store, request, session, actor, UploadKind(values["kind"]), entries, problems
        )
    except UploadRefused as exc:
        errors["file"] = exc.message
        return await run_in_threadpool(_page, request, session, actor, values, errors, exc.problems)
    return RedirectResponse("/encodings?done=1", status_code=303)


class EncodingsIn(BaseModel):
    """An upload through the API: the kind and the encodings as ``encode`` writes them."""

    model_config = ConfigDict(extra="forbid")

    kind: UploadKind
    encodings: list[dict[str, Any]] = Field(max_length=MAX_API_ENCODINGS)


class EncodingsOut(BaseModel):
    """What an upload stored and what matching it raised."""

    upload_id: uuid.UUID
    kind: UploadKind
    encodings: int
    replaced: int
    flags: int


@api.post("/encodings", response_model=EncodingsOut, status_code=201)
def post_encodings(
    request: Request, session: SessionDep, actor: UploaderDep, body: EncodingsIn
) -> EncodingsOut:
    """Store the caller's organisation's encodings of ``kind`` (replacing its previous upload
    of that kind) and match them; 422 with every problem line's number and reason otherwise."""
    entries, problems = check_docs(body.encodings, CLK_BYTES)
    outcome, summary = _store(request, session, actor, body.kind, entries, problems)
    return EncodingsOut(
        upload_id=outcome.upload_id,
        kind=outcome.kind,
        encodings=outcome.encodings,
        replaced=outcome.replaced,
        flags=summary.flags,
    )


@api.get("/uploads", response_model=list[UploadOut])
def list_uploads(
    session: SessionDep,
    actor: UploaderDep,
    kind: Annotated[UploadKind | None, Query()] = None,
) -> list[UploadOut]:
    """The caller's organisation's current uploads (counts only, never encodings)."""
    return [u for u in pprl_queries.uploads_for(session, actor) if kind is None or u.kind is kind]
