"""A partnership coordinator reviews a pair of records through the pages, links them, then undoes
the link from the person page. axe-core checks every page on the way (WCAG 2.2 AA)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from joinedup.auth import service
from joinedup.config import Settings
from joinedup.partners.schemas import Role, UserIn
from joinedup.people.linking import linked_record_ids
from tests.browser.conftest import LiveServer, assert_accessible, browser, page
from tests.linkage.test_routes import build_world

__all__ = ["browser", "page"]
pytestmark = pytest.mark.browser
PASSWORD = "joinedup-review-2026"


def _sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/")
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_review_a_pair_then_undo_the_link(page: Page, session: Session, settings: Settings) -> None:
    world = build_world(session)
    service.create_user(
        session=session,
        actor=None,
        user_in=UserIn(
            username="coordinator.woking",
            display_name="Priya Shah",
            organisation_id=world.council.id,
            role=Role.COORDINATOR,
            password=PASSWORD,
        ),
    )
    session.close()
    with LiveServer(settings) as server:
        _sign_in(page, server, "coordinator.woking")
        page.get_by_role("link", name="Link reviews").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Link reviews")
        assert_accessible(page)

        page.get_by_role("link", name=re.compile("^Open")).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Are these the same person?")
        expect(page.get_by_role("img", name=re.compile("How the evidence adds up"))).to_be_visible()
        expect(page.get_by_text("Woking Borough Council").first).to_be_visible()
        expect(page.get_by_text("Surrey Police").first).to_be_visible()
        assert_accessible(page)

        page.get_by_role("button", name="Save decision").click()
        expect(page.get_by_text("There is a problem")).to_be_visible()
        assert_accessible(page)

        page.get_by_label("Yes, the same person").check()
        page.get_by_label("Note (optional)").fill("Same name and postcode; police hold no date")
        page.get_by_role("button", name="Save decision").click()
        expect(page.get_by_text("They are now linked")).to_be_visible()
        assert_accessible(page)
        assert linked_record_ids(session, world.known.id) == [world.undated.id]

        page.goto(server.url + f"/people/{world.known.id}")
        page.get_by_label("Case coordination").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Linked records")).to_be_visible()
        assert_accessible(page)

        page.get_by_role("button", name="Undo this link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Undo this link")
        assert_accessible(page)
        page.get_by_label("Why are you undoing it? (optional)").fill("Checked again: not them")
        page.get_by_role("button", name="Undo this link").click()
        expect(page.get_by_text("The link has been undone")).to_be_visible()
        assert_accessible(page)
        session.expire_all()
        assert linked_record_ids(session, world.known.id) == []
