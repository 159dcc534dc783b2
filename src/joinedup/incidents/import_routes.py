"""Importing a file through the pages (``/imports``): the organisation's administrators and
supervisors upload a JoinedUp incident CSV or a police.uk street-level CSV; the run and its
problem report are kept (``ImportRun``) and shown at ``/imports/{run_id}``.

The upload is saved to a temporary file (deleted afterwards) and imported by
``imports.run_import``, the same code as ``joinedup incidents import``.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from joinedup.access.actor import Actor
from joinedup.access.deps import require
from joinedup.auth.csrf import verify_csrf
from joinedup.common.errors import JoinedUpError
from joinedup.db import SessionDep
from joinedup.incidents import entry_queries
from joinedup.incidents.imports import FORMATS, IMPORT_ROLES, run_import
from joinedup.incidents.intake import Recorder
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_UPLOAD_MB = 50
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# Multipart framing and the other fields on top of the file itself.
_OVERHEAD = 64 * 1024
_CHUNK = 1024 * 1024
_DRAIN_LIMIT = 4 * MAX_UPLOAD_BYTES
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
# The formats in the order the form offers them.
FORMAT_CHOICES = [("incidents", FORMATS["incidents"]), ("police_uk", FORMATS["police_uk"])]
TOO_LARGE = f"The selected file must be smaller than {MAX_UPLOAD_MB} MB"

ImporterDep = Annotated[Actor, Depends(require(*IMPORT_ROLES))]


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    form: dict[str, str],
    errors: dict[str, str],
    status: int | None = None,
) -> HTMLResponse:
    context = {
        "form": form,
        "errors": errors,
        "formats": FORMAT_CHOICES,
        "runs": entry_queries.recent_runs(session, actor),
        "max_mb": MAX_UPLOAD_MB,
    }
    return render(request, "imports/upload.html", context, status or (422 if errors else 200))


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, session: SessionDep, actor: ImporterDep) -> HTMLResponse:
    """Upload a file of incidents; the organisation's recent imports."""
    return _page(request, session, actor, {}, {})


def safe_file_name(name: str | None) -> str:
    """The uploaded file's own name, reduced to a harmless base name (for the report)."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = _SAFE_NAME.sub("_", base).strip(" .")[:100]
    return cleaned or "upload.csv"


def _declared_too_large(request: Request) -> bool:
    length = request.headers.get("content-length", "")
    return length.isdigit() and int(length) > MAX_UPLOAD_BYTES + _OVERHEAD


async def _drain(request: Request) -> None:
    """Read and drop the refused body (up to a bound), so the browser gets the answer rather
    than a reset connection; nothing is kept."""
    dropped = 0
    async for chunk in request.stream():
        dropped += len(chunk)
        if dropped > _DRAIN_LIMIT:
            break


async def _save(upload: UploadFile, target: Path) -> bool:
    """Copy the upload to ``target``; False (and nothing kept) when it is too large."""
    written = 0
    with target.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            written += len(chunk)
            if written > MAX_UPLOAD_BYTES:
                break
            out.write(chunk)
    if written > MAX_UPLOAD_BYTES:
        target.unlink(missing_ok=True)
        return False
    return True


@router.post("/imports", response_model=None)
async def upload_file(request: Request, session: SessionDep, actor: ImporterDep) -> Response:
    """Import the uploaded file for the organisation and show the run."""
    if _declared_too_large(request):
        # Refused before the body is parsed: nothing is stored and nothing changes.
        await _drain(request)
        return await run_in_threadpool(_page, request, session, actor, {}, {"file": TOO_LARGE}, 413)
    await verify_csrf(request)
    form = await request.form()
    file_format = form.get("file_format")
    strict = form.get("strict") == "yes"
    values = {"file_format": file_format if isinstance(file_format, str) else "", "strict": ""}
    values["strict"] = "yes" if strict else ""
    errors: dict[str, str] = {}
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = "Select a CSV file to import"
    if values["file_format"] not in FORMATS:
        errors["file_format"] = "Select the kind of file"
    if errors or not isinstance(upload, UploadFile):
        return await run_in_threadpool(_page, request, session, actor, values, errors)
    name = safe_file_name(upload.filename)
    with tempfile.TemporaryDirectory(prefix="joinedup-upload-") as folder:
        path = Path(folder) / name
        if not await _save(upload, path):
            return await run_in_threadpool(
                _page, request, session, actor, values, {"file": TOO_LARGE}, 413
            )
        if path.stat().st_size == 0:
            errors["file"] = "The selected file is empty"
            return await run_in_threadpool(_page, request, session, actor, values, errors)
        try:
            run_id = await run_in_threadpool(
                _import, request, session, actor, values["file_format"], path, strict
            )
        except JoinedUpError as exc:
            # A file that is not of the chosen kind (wrong header, unreadable): nothing written.
            errors["file"] = f"The file could not be imported: {exc.message}"
            return await run_in_threadpool(_page, request, session, actor, values, errors)
    return RedirectResponse(f"/imports/{run_id}", status_code=303)


def _import(
    request: Request, session: Session, actor: Actor, file_format: str, path: Path, strict: bool
) -> uuid.UUID:
    recorder = Recorder(actor.organisation_id, actor.user_id, actor.role.value)
    run_id, _summary = run_import(
        session,
        recorder=recorder,
        file_format=file_format,
        paths=[path],
        h3_resolution=request.app.state.settings.h3_resolution,
        strict=strict,
        file_name=path.name,
    )
    return run_id


@router.get("/imports/{run_id}", response_class=HTMLResponse)
def run_page(
    request: Request, session: SessionDep, actor: ImporterDep, run_id: str
) -> HTMLResponse:
    """One import of the organisation: outcome, counts and the first problems."""
    run = entry_queries.run_for(session, actor, record_id(run_id))
    context = {
        "run": run,
        "format_label": FORMATS.get(run.file_format, run.file_format),
        "shown": entry_queries.PROBLEMS_SHOWN,
    }
    return render(request, "imports/run.html", context)


@router.get("/imports/{run_id}/problems.csv", response_class=Response)
def problems_download(session: SessionDep, actor: ImporterDep, run_id: str) -> Response:
    """The run's problem rows as CSV (file, line, column, reason: never row content)."""
    report, filename = entry_queries.problems_csv(session, actor, record_id(run_id))
    return Response(
        report,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
