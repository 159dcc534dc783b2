"""The mental-health trust's administrator uploads its encodings on the page; a police officer
then sees "Known to" the trust on a person it matched, with nothing of the trust's record.
axe-core checks each page (WCAG 2.2 AA)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from joinedup.agreements.schemas import DataCategory
from joinedup.auth import service
from joinedup.config import Settings
from joinedup.linkage import pprl_service
from joinedup.linkage.pprl_models import UploadKind
from joinedup.linkage.pprl_service import CLK_BYTES, Uploader
from joinedup.linkage.pprl_validate import check_text
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import Role, UserIn
from tests.auth.fixtures import PASSWORD
from tests.browser.conftest import LiveServer, assert_accessible
from tests.linkage import pprl_world as pw
from tests.sharing.world import agreement

pytestmark = pytest.mark.browser


def _user(session: Session, org: Organisation, role: Role, name: str) -> str:
    service.create_user(
        session=session,
        actor=None,
        user_in=UserIn(
            username=name,
            display_name="Pat Example",
            organisation_id=org.id,
            role=role,
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


def test_upload_on_the_page_then_the_signpost(
    page: Page, browser: Browser, session: Session, settings: Settings, tmp_path: Path
) -> None:
    p = pw.build(session)
    agreement(session, [p.police, p.trust], [DataCategory.ASB])
    session.commit()
    entries, problems = check_text(pw.as_bytes(pw.known_lines(p.police_people)), CLK_BYTES)
    pprl_service.upload(
        session=session,
        uploader=Uploader(p.police.id),
        kind=UploadKind.KNOWN,
        entries=entries,
        problems=problems,
    )
    admin = _user(session, p.trust, Role.ADMIN, "admin.trust")
    officer = _user(session, p.police, Role.PRACTITIONER, "officer.police")
    upload = tmp_path / "trust-encodings.jsonl"
    upload.write_bytes(pw.as_bytes(pw.trust_lines()))
    with LiveServer(settings) as server:
        _sign_in(page, server, admin)
        page.get_by_role("link", name="Encodings").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Upload encodings")
        assert_accessible(page)
        page.get_by_role("button", name="Upload and match").click()
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Known to us (people you hold and do not share)").check()
        page.get_by_label("Upload a file").set_input_files(str(upload))
        page.get_by_role("button", name="Upload and match").click()
        expect(page.get_by_text("Your encodings were stored and matched.")).to_be_visible()
        assert_accessible(page)

        officer_context = browser.new_context()
        officer_page = officer_context.new_page()
        _sign_in(officer_page, server, officer)
        officer_page.goto(server.url + f"/people/{p.police_people[0].id}")
        officer_page.get_by_label("Safeguarding").check()
        officer_page.get_by_role("button", name="Continue").click()
        card = officer_page.locator(".govuk-summary-card", has_text="Known to Surrey and Borders")
        expect(card).to_contain_text("Mental health")
        expect(card.get_by_role("link", name="Request access")).to_be_visible()
        assert "MH-1001" not in officer_page.content()
        assert_accessible(officer_page)
        officer_context.close()
