"""AC-1, generated: every GET endpoint that takes a person or incident id, for every role of an
organisation with no agreement with the holder, answers exactly as it does for an id that does
not exist — and never with the record's content."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from joinedup.incidents.schemas import InvolvementRole
from joinedup.main import create_app
from joinedup.partners.schemas import OrgKind, Role
from tests import factories as f
from tests.pages import sign_in_as

ID_PARAMS = {"person_id", "incident_id"}
# Emergency access is by design reachable for another organisation's record (SHR-2 tests).
DELIBERATE = re.compile(r"/break-glass$")
PURPOSE = {"X-JoinedUp-Purpose": "safeguarding"}


def _routes(routes: list[Any]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found += _routes(list(inner.routes))
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def _id_routes(app: FastAPI) -> list[str]:
    paths = set()
    for route in _routes(list(app.router.routes)):
        params = set(re.findall(r"{(\w+)}", route.path))
        if "GET" in route.methods and params and params <= ID_PARAMS | {"number"}:
            if params & ID_PARAMS and not DELIBERATE.search(route.path):
                paths.add(route.path)
    return sorted(paths)


PATHS = _id_routes(create_app())


def test_the_matrix_covers_the_record_pages_and_api() -> None:
    assert "/people/{person_id}" in PATHS and "/api/v1/incidents/{incident_id}" in PATHS
    assert len(PATHS) >= 6


@pytest.mark.parametrize("role", list(Role))
def test_ac1_other_organisations_records_answer_like_unknown_ids(
    client: TestClient, session: Session, role: Role
) -> None:
    holder = f.organisation(session, "Holder Council", OrgKind.DISTRICT_COUNCIL)
    other = f.organisation(session, "Other Trust", OrgKind.MENTAL_HEALTH_TRUST)
    person = f.person(session, holder, first_name="Matrixcanary", surname="Quux")
    incident = f.incident(session, holder, [(person, InvolvementRole.VICTIM)])
    session.commit()
    sign_in_as(client, session, other, role)
    real = {"person_id": str(person.id), "incident_id": str(incident.id), "number": "1"}
    unknown = {"person_id": str(f.any_id()), "incident_id": str(f.any_id()), "number": "1"}
    for path in PATHS:
        seen = client.get(path.format(**real), headers=PURPOSE, follow_redirects=False)
        absent = client.get(path.format(**unknown), headers=PURPOSE, follow_redirects=False)
        assert seen.status_code == absent.status_code, (path, role)
        assert seen.status_code in (401, 403, 404), (path, role, seen.status_code)
        assert "Matrixcanary" not in seen.text and "Neighbour reports" not in seen.text
