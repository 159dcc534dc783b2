"""A practitioner and an administrator walk through the service in Chromium; axe-core checks
every page for WCAG 2.2 AA (no serious or critical violation)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from joinedup.config import Settings
from joinedup.db import engine_for, session_factory
from joinedup.incidents.models import Involvement
from joinedup.partners.models import Organisation
from joinedup.people.models import PersonRecord
from tests.browser.conftest import LiveServer, assert_accessible

pytestmark = pytest.mark.browser
PASSWORD = "joinedup-demo-2026"


def _busiest_person(settings: Settings, org_name: str) -> PersonRecord:
    with session_factory(engine_for(settings.database_url))() as session:
        n = func.count(Involvement.incident_id)
        return session.scalars(
            select(PersonRecord)
            .join(Involvement, Involvement.person_record_id == PersonRecord.id)
            .join(Organisation, Organisation.id == PersonRecord.organisation_id)
            .where(Organisation.name == org_name)
            .group_by(PersonRecord.id)
            .order_by(n.desc())
            .limit(1)
        ).one()


def _sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def _state_purpose(page: Page) -> None:
    """Answer "Why are you opening this record?" (AUD-2)."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Why are you opening this record?")
    assert_accessible(page)
    page.get_by_label("Prevent and detect crime and disorder").check()
    page.get_by_role("button", name="Continue").click()


def test_practitioner_opens_a_person_and_an_incident(
    page: Page, live_server: LiveServer, demo_settings: Settings
) -> None:
    page.goto(live_server.url + "/")
    assert_accessible(page)  # the sign-in page
    _sign_in(page, live_server, "asb.guildford")
    assert_accessible(page)  # home

    page.get_by_role("link", name="People", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    assert_accessible(page)

    person = _busiest_person(demo_settings, "Guildford Borough Council")
    page.get_by_label("Search by name or reference").fill(person.reference)
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(re.escape(person.surname))).first.click()
    _state_purpose(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.surname)
    expect(page.get_by_role("heading", name=re.compile(r"Incidents \(\d+\)"))).to_be_visible()
    assert_accessible(page)

    # The incident carries on the purpose just given for the person: no second question.
    page.locator("table a[href^='/incidents/']").first.click()
    expect(page.get_by_text("Incident recorded by Guildford Borough Council")).to_be_visible()
    expect(page.get_by_role("heading", name="People involved")).to_be_visible()
    assert_accessible(page)

    for path in ("/incidents", "/organisations", "/agreement", "/account/api-tokens"):
        page.goto(live_server.url + path)
        assert_accessible(page)
    page.goto(live_server.url + "/organisations")
    page.get_by_role("link", name="Surrey Police").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Surrey Police")
    assert_accessible(page)
    page.goto(live_server.url + "/agreement")
    page.locator("a[href^='/agreement/sharing/']").first.click()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.goto(live_server.url + f"/people/{person.id}")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_admin_pages_and_error_pages_are_accessible(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("User name").fill("admin")
    page.get_by_role("textbox", name="Password").fill("wrong password here")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)

    _sign_in(page, live_server, "admin")
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    assert_accessible(page)
    page.get_by_role("link", name="Surrey Police").click()
    assert_accessible(page)
    for path in ("/admin/organisations/new", "/admin/users/new", "/no-such-page"):
        page.goto(live_server.url + path)
        assert_accessible(page)

    page.goto(live_server.url + "/admin/organisations/new")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
