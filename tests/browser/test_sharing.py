"""A council ASB officer learns a person is known to the mental-health trust, asks for access,
the trust approves, the officer sees the shared categories, and they go when the grant expires.
axe-core checks every new page (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from joinedup.access.models import AccessGrant
from joinedup.auth import service
from joinedup.config import Settings
from joinedup.db import engine_for, session_factory
from joinedup.demo.organisations import MH_TRUST
from joinedup.incidents.models import Incident, Involvement
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import Role, UserIn
from joinedup.people.models import PersonRecord
from tests.browser.conftest import LiveServer, assert_accessible

pytestmark = pytest.mark.browser
PASSWORD = "joinedup-demo-2026"


def _pair(settings: Settings) -> tuple[PersonRecord, PersonRecord]:
    """A Guildford council record whose exact match at the trust has mental-health incidents."""
    other = aliased(PersonRecord)
    with session_factory(engine_for(settings.database_url))() as session:
        gbc = select(Organisation.id).where(Organisation.name == "Guildford Borough Council")
        sabp = select(Organisation.id).where(Organisation.name == MH_TRUST)
        row = session.execute(
            select(PersonRecord, other)
            .join(
                other,
                (func.lower(other.first_name) == func.lower(PersonRecord.first_name))
                & (func.lower(other.surname) == func.lower(PersonRecord.surname))
                & (other.date_of_birth == PersonRecord.date_of_birth),
            )
            .join(Involvement, Involvement.person_record_id == other.id)
            .join(Incident, Incident.id == Involvement.incident_id)
            .where(
                PersonRecord.organisation_id == gbc.scalar_subquery(),
                other.organisation_id == sabp.scalar_subquery(),
                Incident.category == "mental_health_crisis",
            )
            .limit(1)
        ).first()
        assert row is not None, "the demo has no exact council/trust pair"
        return row[0], row[1]


def _trust_supervisor(settings: Settings) -> str:
    with session_factory(engine_for(settings.database_url))() as session:
        trust = session.scalars(select(Organisation).where(Organisation.name == MH_TRUST)).one()
        name = "supervisor.sabp"
        service.create_user(
            session=session,
            actor=None,
            user_in=UserIn(
                username=name,
                display_name="Ruth Ellis",
                organisation_id=trust.id,
                role=Role.SUPERVISOR,
                password=PASSWORD,
            ),
        )
    return name


def _sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/")
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def _state_purpose(page: Page, label: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Why are you opening this record?")
    assert_accessible(page)
    page.get_by_label(label).check()
    page.get_by_role("button", name="Continue").click()


def test_request_approve_view_and_expiry(
    page: Page, browser: Browser, live_server: LiveServer, demo_settings: Settings
) -> None:
    council_record, trust_record = _pair(demo_settings)
    _sign_in(page, live_server, "asb.guildford")
    page.goto(live_server.url + f"/people/{council_record.id}")
    _state_purpose(page, "Prevent and detect crime and disorder")
    card = page.locator(".govuk-summary-card", has_text=f"Known to {MH_TRUST}")
    expect(card).to_contain_text("Mental health")
    expect(card).to_contain_text(re.compile(r"[A-Z][a-z]+ \d{4}"))
    assert str(trust_record.id) not in page.content()
    assert_accessible(page)

    card.get_by_role("link", name="Request access").click()
    assert_accessible(page)
    page.get_by_label("Safeguarding").check()
    page.get_by_label("Explain why you need it").fill("Repeat ASB; is there a vulnerability?")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My access requests")
    expect(page.get_by_text("Pending")).to_be_visible()
    assert_accessible(page)

    holder_context = browser.new_context()
    holder = holder_context.new_page()
    _sign_in(holder, live_server, _trust_supervisor(demo_settings))
    holder.goto(live_server.url + "/sharing/requests")
    assert_accessible(holder)
    holder.get_by_label("Approve").check()
    holder.get_by_label("Reason (the requester will see it)").fill("Proportionate: approved")
    holder.get_by_role("button", name="Save decision").click()
    expect(holder.get_by_text("Approved", exact=True)).to_be_visible()
    holder_context.close()

    page.goto(live_server.url + "/sharing/my-requests")
    page.get_by_role("link", name=re.compile("View the record")).click()
    # No agreement shares the trust's records with the council for this purpose: only the grant.
    _state_purpose(page, "Prevent and detect crime and disorder")
    expect(page.get_by_text("Mental health crisis").first).to_be_visible()
    assert_accessible(page)

    with session_factory(engine_for(demo_settings.database_url))() as session:
        session.execute(
            update(AccessGrant).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        session.commit()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert "Mental health crisis" not in page.content()
