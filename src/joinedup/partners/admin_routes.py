"""Administration pages: organisations, teams and user accounts (administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from joinedup.access.actor import Actor
from joinedup.access.deps import require, require_recent_reauthentication
from joinedup.auth.csrf import verify_csrf
from joinedup.auth.service import close_account, create_user
from joinedup.common.errors import Conflict
from joinedup.db import SessionDep
from joinedup.partners import queries, service
from joinedup.partners.schemas import OrganisationIn, OrgKind, Role, TeamIn, UserIn
from joinedup.web.forms import form_dict, parse_form
from joinedup.web.pages import record_id
from joinedup.web.templating import render

AdminDep = Annotated[Actor, Depends(require(Role.ADMIN))]
# SES-2: changing who may do what needs a password entered in the last few minutes.
StepUp = Depends(require_recent_reauthentication())
router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)

ORG_LABELS = {
    "name": "the organisation's name",
    "kind": "the kind of organisation",
    "short_name": "a short name",
    "district": "the district",
}
USER_LABELS = {
    "username": "a user name",
    "display_name": "the person's full name",
    "organisation_id": "an organisation",
    "role": "a role",
    "password": "a password",
    "email": "an email address",
    "team_id": "a team",
}


@router.get("", response_class=HTMLResponse)
def admin_home(request: Request, session: SessionDep, actor: AdminDep) -> HTMLResponse:
    """The administration overview."""
    orgs = queries.list_organisations(session, actor)
    users = queries.list_users(session, actor)
    return render(request, "partners/admin_home.html", {"orgs": orgs, "users": users})


def _org_form(
    request: Request, values: dict[str, str], errors: dict[str, str], action: str, title: str = ""
) -> HTMLResponse:
    context = {
        "values": values,
        "errors": errors,
        "kinds": list(OrgKind),
        "action": action,
        "heading": title or "Add an organisation",
    }
    return render(request, "partners/admin_org_form.html", context, 422 if errors else 200)


@router.get("/organisations/new", response_class=HTMLResponse)
def new_organisation(request: Request, actor: AdminDep) -> HTMLResponse:
    """The form for a new organisation."""
    return _org_form(request, {}, {}, "/admin/organisations")


@router.post("/organisations", response_model=None)
async def create_organisation(request: Request, session: SessionDep, actor: AdminDep) -> Response:
    """Add an organisation."""
    data = await form_dict(request)
    org_in, errors = parse_form(OrganisationIn, data, ORG_LABELS)
    if org_in is None:
        return _org_form(request, data, errors, "/admin/organisations")
    try:
        org = service.create_organisation(session=session, actor=actor, org_in=org_in)
    except Conflict as exc:
        return _org_form(request, data, {"name": exc.message}, "/admin/organisations")
    return RedirectResponse(f"/organisations/{org.id}", status_code=303)


@router.get("/organisations/{organisation_id}/edit", response_class=HTMLResponse)
def edit_organisation(
    request: Request, session: SessionDep, actor: AdminDep, organisation_id: str
) -> HTMLResponse:
    """The form to change an organisation's name, kind or district."""
    org = queries.get_organisation(session, actor, record_id(organisation_id)).organisation
    values = {k: str(v) for k, v in org.model_dump(mode="json").items()}
    return _org_form(request, values, {}, f"/admin/organisations/{org.id}", f"Change {org.name}")


@router.post("/organisations/{organisation_id}", response_model=None)
async def update_organisation(
    request: Request, session: SessionDep, actor: AdminDep, organisation_id: str
) -> Response:
    """Save changes to an organisation."""
    org_id = record_id(organisation_id)
    action, title = f"/admin/organisations/{org_id}", "Change organisation"
    data = await form_dict(request)
    org_in, errors = parse_form(OrganisationIn, data, ORG_LABELS)
    if org_in is None:
        return _org_form(request, data, errors, action, title)
    try:
        service.update_organisation(
            session=session, actor=actor, organisation_id=org_id, org_in=org_in
        )
    except Conflict as exc:
        return _org_form(request, data, {"name": exc.message}, action, title)
    return RedirectResponse(action, status_code=303)


@router.post("/organisations/{organisation_id}/teams", response_model=None)
def add_team(
    request: Request,
    session: SessionDep,
    actor: AdminDep,
    organisation_id: str,
    name: Annotated[str, Form()] = "",
) -> Response:
    """Add a team to an organisation."""
    org_id = record_id(organisation_id)
    team_in, errors = parse_form(TeamIn, {"name": name}, {"name": "the team's name"})
    if team_in is not None:
        try:
            service.create_team(
                session=session, actor=actor, organisation_id=org_id, team_in=team_in
            )
        except Conflict as exc:
            errors = {"name": exc.message}
    if errors:
        detail = queries.get_organisation(session, actor, org_id)
        context = {"detail": detail, "errors": errors, "roles": list(Role)}
        return render(request, "partners/admin_org.html", context, 422)
    return RedirectResponse(f"/admin/organisations/{org_id}", status_code=303)


@router.get("/organisations/{organisation_id}", response_class=HTMLResponse)
def admin_organisation(
    request: Request, session: SessionDep, actor: AdminDep, organisation_id: str
) -> HTMLResponse:
    """An organisation's teams and users, with forms to add them."""
    detail = queries.get_organisation(session, actor, record_id(organisation_id))
    context = {"detail": detail, "errors": {}, "roles": list(Role)}
    return render(request, "partners/admin_org.html", context)


def _user_form(
    request: Request,
    session: SessionDep,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str],
) -> HTMLResponse:
    context = {
        "values": values,
        "errors": errors,
        "roles": list(Role),
        "orgs": queries.list_organisations(session, actor),
    }
    return render(request, "partners/admin_user_form.html", context, 422 if errors else 200)


@router.get("/users/new", response_class=HTMLResponse)
def new_user(request: Request, session: SessionDep, actor: AdminDep) -> HTMLResponse:
    """The form for a new user account."""
    return _user_form(request, session, actor, {}, {})


@router.post("/users", response_model=None, dependencies=[StepUp])
async def add_user(request: Request, session: SessionDep, actor: AdminDep) -> Response:
    """Create a user account."""
    data = await form_dict(request)
    user_in, errors = parse_form(UserIn, data, USER_LABELS)
    if user_in is None:
        data.pop("password", None)
        return _user_form(request, session, actor, data, errors)
    try:
        create_user(session=session, actor=actor, user_in=user_in)
    except Conflict as exc:
        data.pop("password", None)
        return _user_form(request, session, actor, data, {"username": exc.message})
    return RedirectResponse(f"/admin/organisations/{user_in.organisation_id}", status_code=303)


@router.post("/users/{user_id}/role", response_model=None, dependencies=[StepUp])
def change_role(
    session: SessionDep, actor: AdminDep, user_id: str, role: Annotated[Role, Form()]
) -> Response:
    """Change a user's role; their sessions end so the change applies at once."""
    uid = record_id(user_id)
    service.set_user_role(session=session, actor=actor, user_id=uid, role=role)
    user = queries.get_user(session, uid)
    return RedirectResponse(f"/admin/organisations/{user.organisation_id}", status_code=303)


@router.post("/users/{user_id}/deactivate", response_model=None, dependencies=[StepUp])
def deactivate(session: SessionDep, actor: AdminDep, user_id: str) -> Response:
    """Close a user's account and end their sessions (AC-5)."""
    uid = record_id(user_id)
    close_account(session=session, actor=actor, user_id=uid)
    user = queries.get_user(session, uid)
    return RedirectResponse(f"/admin/organisations/{user.organisation_id}", status_code=303)
