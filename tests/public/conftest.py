"""Fixtures for the public portal tests: the lead council, a frozen clock, form helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind
from tests import factories as f
from tests.auth.fixtures import FakeClock, csrf_from

# Wednesday 2 December 2026, noon in London (GMT = UTC in winter): a plain working week.
WEDNESDAY_NOON = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
_SECRET = re.compile(r'id="secret-code">([^<]+)<')
_REFERENCE = re.compile(r"\b((?:CON|ACR)-[A-Z0-9]{4}-[A-Z0-9]{4})\b")


@pytest.fixture
def lead(session: Session) -> Organisation:
    """Guildford Borough Council: the first council in the directory, so the lead agency."""
    org = f.organisation(session, "Guildford Borough Council", OrgKind.DISTRICT_COUNCIL)
    f.organisation(session, "Surrey Police", OrgKind.POLICE)
    session.commit()
    return org


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The clock frozen at Wednesday 2 December 2026, noon (UTC = London in winter)."""
    from joinedup.common import clock as clock_module

    fake = FakeClock()
    fake.now = WEDNESDAY_NOON
    monkeypatch.setattr(clock_module, "utc_now", fake)
    return fake


def post_public(client: TestClient, path: str, data: dict[str, str]) -> Response:
    """Open the form page (which sets the anonymous CSRF cookie) and post ``data`` with it."""
    token = csrf_from(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def receipt_of(response: Response) -> tuple[str, str]:
    """The tracking reference and the secret code shown after a submission."""
    reference = _REFERENCE.search(response.text)
    secret = _SECRET.search(response.text)
    assert reference and secret, response.text[:500]
    return reference.group(1), secret.group(1).strip()


CONCERN = {
    "kind": "noise_complaint",
    "place": "Flats on Walnut Tree Close",
    "postcode": "gu1 4ug",
    "occurred-day": "30",
    "occurred-month": "11",
    "occurred-year": "2026",
    "description": "Loud music and shouting from a flat every night until 3am.",
    "contact_name": "Sam Reporter",
    "contact_email": "sam@example.org",
}


def application(incidents: int = 3, **overrides: str) -> dict[str, str]:
    """A complete ASB Case Review application for oneself with ``incidents`` incidents."""
    data = {
        "applicant_name": "Jordan Applicant",
        "applicant_email": "jordan@example.org",
        "applying": "self",
        "impact": "I cannot sleep and I am afraid to leave the house in the evening.",
        "action": "send",
    }
    bodies = ["council", "police", "housing_provider", "other"]
    for i in range(incidents):
        data |= {
            f"incidents-{i}-occurred-day": str(2 + i * 7),
            f"incidents-{i}-occurred-month": "11",
            f"incidents-{i}-occurred-year": "2026",
            f"incidents-{i}-what_happened": f"Stones thrown at my window, time {i + 1}",
            f"incidents-{i}-reported_to": bodies[i % 3],
            f"incidents-{i}-body_reference": f"REF{i}",
        }
    data.update(overrides)
    return data


Submit = Callable[..., Response]


@pytest.fixture
def apply(client: TestClient, lead: Organisation) -> Submit:
    """Send an ASB Case Review application through the public page."""

    def send(incidents: int = 3, **overrides: str) -> Response:
        return post_public(
            client, "/public/asb-case-review/new", application(incidents, **overrides)
        )

    return send
