"""A member of the public applies for an ASB Case Review in Chromium, gets a reference and a
secret code and checks progress; a council officer signs in, acknowledges the application and
records the threshold decision; the status page then shows it. axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from joinedup.config import Settings
from tests.browser.conftest import LiveServer, assert_accessible, browser, demo_settings, page

__all__ = ["browser", "demo_settings", "page"]
pytestmark = pytest.mark.browser
PASSWORD = "joinedup-demo-2026"
LEAD = "Guildford Borough Council"


@pytest.fixture(scope="module")
def portal(demo_settings: Settings) -> Iterator[LiveServer]:
    """The demo partnership served with Guildford Borough Council as the lead agency."""
    settings = demo_settings.model_copy(update={"asb_case_review_lead": LEAD})
    with LiveServer(settings) as server:
        yield server


def _fill_incident(page: Page, index: int, when: date, what: str, body: int) -> None:
    prefix = f"#incidents-{index}-"
    page.locator(prefix + "occurred-day").fill(str(when.day))
    page.locator(prefix + "occurred-month").fill(str(when.month))
    page.locator(prefix + "occurred-year").fill(str(when.year))
    page.locator(prefix + "what_happened").fill(what)
    radio = prefix + "reported_to" + ("" if body == 1 else f"-{body}")
    page.locator(radio).check()


def _status(page: Page, server: LiveServer, reference: str, secret: str) -> None:
    page.goto(server.url + "/public/status")
    page.get_by_label("Tracking reference").fill(reference)
    page.get_by_label("Secret code").fill(secret)
    page.get_by_role("button", name="Check progress").click()


def test_public_applies_and_the_council_decides(page: Page, portal: LiveServer) -> None:
    page.goto(portal.url + "/public")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Report anti-social behaviour or a concern"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Apply for an ASB Case Review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for an ASB Case Review")
    assert_accessible(page)

    # Sending it empty: the error summary links to each problem.
    page.locator("button.govuk-button", has_text="Send application").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter your full name")
    expect(summary).to_contain_text("Select who you are applying for")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)

    today = date.today()
    page.get_by_label("Full name", exact=True).fill("Robin Applicant")
    page.get_by_label("Email address").fill("robin@example.org")
    page.get_by_label("Myself").check()
    _fill_incident(page, 0, today - timedelta(days=40), "Eggs thrown at my door", 1)
    page.get_by_role("button", name="Add another incident").click()
    expect(page.get_by_role("heading", name="Incident 2")).to_be_visible()
    _fill_incident(page, 1, today - timedelta(days=25), "Threats shouted at my children", 2)
    page.get_by_role("button", name="Add another incident").click()
    _fill_incident(page, 2, today - timedelta(days=10), "Car tyres slashed", 3)
    page.locator("#incidents-2-body_reference").fill("HA-1234")
    assert_accessible(page)
    page.get_by_label("How has the behaviour affected you").fill(
        "We are afraid to go out and the children cannot sleep."
    )
    page.locator("button.govuk-button", has_text="Send application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Application sent"))
    assert_accessible(page)
    reference = re.search(r"ACR-[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator(".govuk-panel").inner_text())
    assert reference is not None
    secret = page.locator("#secret-code").inner_text().strip()

    _status(page, portal, reference.group(0), secret)
    expect(page.get_by_role("heading", level=1)).to_have_text("We have received your application")
    assert_accessible(page)
    _status(page, portal, reference.group(0), "WRONG-CODE")
    expect(page.locator(".govuk-error-summary")).to_contain_text("We could not find")
    assert_accessible(page)

    # The council officer signs in and works the application.
    page.context.clear_cookies()
    page.goto(portal.url + "/sign-in?next=/asb-case-reviews")
    page.get_by_label("User name").fill("asb.guildford")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ASB Case Reviews")
    assert_accessible(page)
    page.get_by_role("link", name=reference.group(0)).click()
    expect(page.get_by_text("3 separate incidents in the 6 months")).to_be_visible()
    expect(page.get_by_text("Meets the threshold")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Record acknowledgement").click()
    page.get_by_label("Yes, the threshold is met").check()
    page.get_by_role("button", name="Record threshold decision").click()
    expect(page.get_by_role("heading", name="Threshold decision")).to_be_visible()
    expect(page.get_by_role("group", name="Date of the review meeting")).to_be_visible()
    assert_accessible(page)

    page.goto(portal.url + "/public-concerns")
    expect(page.get_by_role("heading", level=1)).to_have_text("Concerns reported by the public")
    assert_accessible(page)

    # The status page now shows the decision.
    page.context.clear_cookies()
    _status(page, portal, reference.group(0), secret)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The threshold is met: a case review will be held"
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text("Threshold met")
    assert_accessible(page)


def test_public_reports_a_concern(page: Page, portal: LiveServer) -> None:
    page.goto(portal.url + "/public/concerns/new")
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what is happening")
    assert_accessible(page)
    page.get_by_label("Noise").check()
    page.get_by_label("Where is it happening?").fill("Park Street car park")
    page.get_by_label("Postcode (optional)").fill("GU1 4AA")
    yesterday = date.today() - timedelta(days=1)
    page.get_by_label("Day").fill(str(yesterday.day))
    page.get_by_label("Month").fill(str(yesterday.month))
    page.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("What happened?").fill("Cars revving engines and loud music after midnight.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Report sent"))
    assert_accessible(page)
