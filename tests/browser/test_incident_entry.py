"""A practitioner records an incident through the pages in Chromium: what happened, one new
person and one person picked from the organisation's own records, check your answers, record.
axe-core checks every page (WCAG 2.2 AA)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from joinedup.config import Settings
from joinedup.db import engine_for, session_factory
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.schemas import InvolvementRole
from joinedup.partners.models import Organisation
from joinedup.people.models import PersonRecord
from tests.browser.conftest import LiveServer, assert_accessible

pytestmark = pytest.mark.browser
PASSWORD = "joinedup-demo-2026"
REFERENCE = "GBC-ASB-BROWSER-1"


def _guildford_person(settings: Settings) -> PersonRecord:
    with session_factory(engine_for(settings.database_url))() as session:
        return session.scalars(
            select(PersonRecord)
            .join(Organisation, Organisation.id == PersonRecord.organisation_id)
            .where(Organisation.name == "Guildford Borough Council", PersonRecord.surname != "")
            .order_by(PersonRecord.reference)
            .limit(1)
        ).one()


def _sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/")
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_practitioner_records_an_incident_with_a_new_and_a_picked_person(
    page: Page, live_server: LiveServer, demo_settings: Settings
) -> None:
    picked = _guildford_person(demo_settings)
    _sign_in(page, live_server, "asb.guildford")
    page.goto(live_server.url + "/incidents")
    page.get_by_role("link", name="Record an incident").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What happened?")
    assert_accessible(page)

    # Nothing answered: the error summary and the field errors.
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator("#category-error")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Category").select_option("asb_personal")
    page.get_by_label("Your reference").fill(REFERENCE)
    page.locator("#occurred_day").fill("20")
    page.locator("#occurred_month").fill("11")
    page.locator("#occurred_year").fill("2026")
    page.get_by_label("Time it happened (optional)").fill("21:45")
    page.get_by_label("Description of the place (optional)").fill("Stoke Park flats, stairwell")
    page.get_by_label("Postcode (optional)").fill("GU1 1AA")
    page.get_by_label("What happened", exact=True).fill("Youths kicking doors; residents scared.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People involved")
    assert_accessible(page)

    # A new person.
    page.get_by_label("Your reference for this person").fill("GBC-P-BROWSER-1")
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Surname").fill("Reyes")
    page.locator("#new_dob_day").fill("3")
    page.locator("#new_dob_month").fill("2")
    page.locator("#new_dob_year").fill("2001")
    page.locator('input[name="new_role"][value="suspect"]').check()
    page.get_by_role("button", name="Add new person").click()
    expect(page.locator("table")).to_contain_text("Jordan Reyes")
    assert_accessible(page)

    # A person the council already holds, found by surname.
    page.get_by_label("Name, reference or date of birth").fill(picked.surname)
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.locator(f'input[name="pick_person"][value="{picked.id}"]').check()
    page.locator('input[name="pick_role"][value="victim"]').check()
    page.get_by_role("button", name="Add this person").click()
    expect(page.locator("table")).to_contain_text(picked.reference)
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before recording the incident"
    )
    expect(page.locator("main")).to_contain_text("Jordan Reyes")
    assert_accessible(page)
    page.get_by_role("button", name="Record the incident").click()
    expect(page.locator(".govuk-panel")).to_contain_text(REFERENCE)
    assert_accessible(page)

    with session_factory(engine_for(demo_settings.database_url))() as session:
        incident = session.scalars(select(Incident).where(Incident.reference == REFERENCE)).one()
        involved = {
            (i.person_record_id, i.role)
            for i in session.scalars(
                select(Involvement).where(Involvement.incident_id == incident.id)
            )
        }
        new = session.scalars(
            select(PersonRecord).where(PersonRecord.reference == "GBC-P-BROWSER-1")
        ).one()
    assert involved == {(picked.id, InvolvementRole.VICTIM), (new.id, InvolvementRole.SUSPECT)}
    page.get_by_role("link", name="View the incident").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why are you opening this record?")


def test_supervisor_imports_a_file_and_reads_the_run(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    csv_file = tmp_path / "weekly-asb.csv"
    csv_file.write_text(
        "incident_reference,category,occurred_at,location_description,postcode\n"
        "BROWSER-UP-1,asb_personal,2026-06-01 21:30,Westborough,GU2 8AA\n"
        "BROWSER-UP-2,not_a_category,2026-06-01 21:30,Westborough,GU2 8AA\n",
        encoding="utf-8",
    )
    _sign_in(page, live_server, "supervisor.guildford")
    page.goto(live_server.url + "/incidents")
    page.get_by_role("link", name="Import a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a file")
    assert_accessible(page)
    page.get_by_role("button", name="Import the file").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Upload a file").set_input_files(str(csv_file))
    page.get_by_label("JoinedUp incident CSV").check()
    page.get_by_role("button", name="Import the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of weekly-asb.csv")
    expect(page.locator("main")).to_contain_text("Download the problem rows (CSV)")
    assert_accessible(page)
    page.get_by_role("link", name="Back to imports").click()
    expect(page.locator("main")).to_contain_text("weekly-asb.csv")
