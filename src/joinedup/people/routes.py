"""Person pages and the people API: both call the same query functions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from joinedup.access.deps import ActorDep
from joinedup.auth.csrf import verify_csrf
from joinedup.common.pagination import PageOut
from joinedup.db import SessionDep
from joinedup.people import queries, service
from joinedup.people.queries import PersonProfile
from joinedup.people.schemas import PersonIn, PersonOut, PersonSummary
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/people", tags=["people"], dependencies=[Depends(verify_csrf)])


class SearchIn(BaseModel):
    """A name or reference search (sent in the body: names never go in URLs, WEB-1)."""

    text: str = Field(min_length=2, max_length=100)


@router.get("/people", response_class=HTMLResponse)
def people_page(
    request: Request, session: SessionDep, actor: ActorDep, page: Annotated[int, Query(ge=1)] = 1
) -> HTMLResponse:
    """People my organisation holds."""
    return render(request, "people/list.html", {"result": queries.list_for(session, actor, page)})


@router.post("/people/search", response_class=HTMLResponse)
def search_page(
    request: Request, session: SessionDep, actor: ActorDep, text: Annotated[str, Form()] = ""
) -> HTMLResponse:
    """Search people my organisation holds by name or reference."""
    errors: dict[str, str] = {}
    results: list[PersonSummary] = []
    if len(text.strip()) < 2:
        errors["text"] = "Enter at least 2 characters of a name or reference"
    else:
        results = queries.search(session, actor, text)
    status = 422 if errors else 200
    context = {"text": text, "results": results, "errors": errors, "searched": not errors}
    return render(request, "people/search.html", context, status)


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request, session: SessionDep, actor: ActorDep, person_id: str
) -> HTMLResponse:
    """One person record with the incidents it is involved in."""
    profile = queries.profile(session, actor, record_id(person_id))
    return render(request, "people/detail.html", {"profile": profile})


@api.get("", response_model=PageOut[PersonSummary])
def list_people(
    session: SessionDep, actor: ActorDep, page: Annotated[int, Query(ge=1)] = 1
) -> PageOut[PersonSummary]:
    """Person records the caller's organisation holds."""
    return PageOut[PersonSummary].of(queries.list_for(session, actor, page))


@api.post("/search", response_model=list[PersonSummary])
def search_people(session: SessionDep, actor: ActorDep, body: SearchIn) -> list[PersonSummary]:
    """Search person records by name or reference."""
    return queries.search(session, actor, body.text)


@api.get("/{person_id}", response_model=PersonProfile)
def get_person(session: SessionDep, actor: ActorDep, person_id: str) -> PersonProfile:
    """One person record with its incidents (audited as consultation)."""
    return queries.profile(session, actor, record_id(person_id))


@api.post("", response_model=PersonOut, status_code=201)
def create_person(session: SessionDep, actor: ActorDep, body: PersonIn) -> PersonOut:
    """Record a person held by the caller's organisation."""
    return service.create(session=session, actor=actor, person_in=body)


@api.put("/{person_id}", response_model=PersonOut)
def update_person(
    session: SessionDep, actor: ActorDep, person_id: str, body: PersonIn
) -> PersonOut:
    """Replace the fields of a person record the caller's organisation holds."""
    return service.update(
        session=session, actor=actor, person_id=record_id(person_id), person_in=body
    )
