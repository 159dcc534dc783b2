"""Break-glass, the review queue and subject access in Chromium; axe-core checks each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from joinedup.config import Settings
from joinedup.db import engine_for, session_factory
from joinedup.partners.models import Organisation
from joinedup.people.models import PersonRecord
from joinedup.retention.models import RetentionReview
from tests.browser.conftest import (
    LiveServer,
    assert_accessible,
    browser,
    demo_settings,
    live_server,
    page,
)

__all__ = ["browser", "demo_settings", "live_server", "page"]
pytestmark = pytest.mark.browser
PASSWORD = "joinedup-demo-2026"


def _record_of(settings: Settings, org_name: str) -> PersonRecord | None:
    with session_factory(engine_for(settings.database_url))() as session:
        return session.scalars(
            select(PersonRecord)
            .join(Organisation, Organisation.id == PersonRecord.organisation_id)
            .where(Organisation.name == org_name)
            .order_by(PersonRecord.reference)
            .limit(1)
        ).first()


def _flag_one_record(settings: Settings, organisation: str) -> None:
    """Put one of ``organisation``'s records on its retention decision page."""
    with session_factory(engine_for(settings.database_url))() as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.name == organisation))
        person_id = session.scalar(
            select(PersonRecord.id).where(PersonRecord.organisation_id == org_id).limit(1)
        )
        if person_id is None or org_id is None:
            return
        session.add(
            RetentionReview(
                record_type="person_record", record_id=person_id, organisation_id=org_id
            )
        )
        session.commit()


def _sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.context.clear_cookies()
    page.goto(server.url + "/sign-in")
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_shr2_break_glass_and_ig_pages_are_accessible(
    page: Page, live_server: LiveServer, demo_settings: Settings
) -> None:
    target = _record_of(demo_settings, "Surrey County Council") or _record_of(
        demo_settings, "Surrey Police"
    )
    assert target is not None
    _sign_in(page, live_server, "asb.guildford")
    page.goto(f"{live_server.url}/people/{target.id}/break-glass")
    expect(page.get_by_role("heading", level=1)).to_have_text("Emergency access to a record")
    assert_accessible(page)
    page.get_by_label("Why do you need emergency access?").fill("too short")
    page.get_by_role("button", name="Get emergency access").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why do you need emergency access?").fill(
        "A child is at immediate risk and I need the contact history now"
    )
    page.get_by_role("button", name="Get emergency access").click()
    expect(page).to_have_url(re.compile(rf"/people/{target.id}"))

    _sign_in(page, live_server, "dpo")
    page.goto(live_server.url + "/oversight/reviews")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    assert_accessible(page)
    _flag_one_record(demo_settings, "Surrey County Council")
    page.get_by_role("link", name="Records past their retention period").click()
    expect(page.get_by_role("button", name=re.compile("Save decision"))).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + "/oversight/reviews")
    items = page.locator("table a[href^='/oversight/reviews/']")
    if items.count():
        items.first.click()
        assert_accessible(page)
        page.get_by_role("button", name="Close this item").click()
        expect(page.get_by_text("There is a problem")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Appropriate", exact=True).check()
        page.get_by_label("Note").fill("Confirmed with the practitioner's manager")
        page.get_by_role("button", name="Close this item").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    page.goto(live_server.url + "/subject-access")
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access requests")
    assert_accessible(page)
    page.get_by_role("button", name="Open request").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
