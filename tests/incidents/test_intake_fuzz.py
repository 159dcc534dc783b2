"""Schemathesis over the intake API: generated requests from the OpenAPI schema, valid and not,
never make the server fail (no 5xx), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.case import Case
from sqlalchemy.orm import Session

from joinedup.partners.schemas import OrgKind
from tests import factories as f
from tests.incidents.test_intake_routes import bearer


@pytest.fixture
def feed_headers(session: Session) -> dict[str, str]:
    org = f.organisation(session, "Waverley Borough Council", OrgKind.DISTRICT_COUNCIL)
    session.commit()
    return bearer(session, org)


@pytest.mark.parametrize("path", ["/api/v1/incidents", "/api/v1/incidents/batch"])
def test_intake_api_never_answers_with_a_server_error(
    client: TestClient, feed_headers: dict[str, str], path: str
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", client.app)
    operation = schema[path]["POST"]
    seen: set[int] = set()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=80,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def call(case: Case) -> None:
        response = case.call(headers={**(case.headers or {}), **feed_headers})
        seen.add(response.status_code)
        assert response.status_code < 500, response.text

    call()
    # The generated requests reached the handler, not only the validation layer.
    assert seen & {200, 201, 409}, seen
