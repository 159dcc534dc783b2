"""The audit pages in Chromium on the demo partnership; axe-core checks WCAG 2.2 AA (AUD-8)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from joinedup.config import Settings
from joinedup.db import engine_for, session_factory
from joinedup.partners.models import Organisation
from joinedup.people.models import PersonRecord
from tests.browser.conftest import LiveServer, assert_accessible

pytestmark = pytest.mark.browser
PASSWORD = "joinedup-demo-2026"


def _a_guildford_person(settings: Settings) -> str:
    with session_factory(engine_for(settings.database_url))() as session:
        return str(
            session.scalars(
                select(PersonRecord.id)
                .join(Organisation, Organisation.id == PersonRecord.organisation_id)
                .where(Organisation.name == "Guildford Borough Council")
                .limit(1)
            ).one()
        )


def _sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/sign-in")
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_aud8_access_log_and_report_pages_are_accessible(
    page: Page, live_server: LiveServer, demo_settings: Settings
) -> None:
    person_id = _a_guildford_person(demo_settings)
    _sign_in(page, live_server, "supervisor.guildford")
    page.goto(f"{live_server.url}/people/{person_id}/access-log")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has seen this record")
    assert_accessible(page)
    page.goto(live_server.url + "/sign-out")
    page.context.clear_cookies()
    _sign_in(page, live_server, "dpo")
    page.goto(live_server.url + "/audit/organisation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation access report")
    assert_accessible(page)
    page.get_by_label("Operation").select_option("consultation")
    page.get_by_role("button", name="Show events").click()
    expect(page).to_have_url(re.compile(r"operation=consultation"))
    assert_accessible(page)
    page.get_by_label("Day").first.fill("31")
    page.get_by_label("Month").first.fill("2")
    page.get_by_label("Year").first.fill("2026")
    page.get_by_role("button", name="Show events").click()
    expect(page.get_by_role("heading", level=2).first).to_have_text("There is a problem")
    assert_accessible(page)
