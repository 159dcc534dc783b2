"""Subject access packs across linked records, third parties redacted both ways (DSR-1)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from joinedup.audit.models import LedgerEntry
from joinedup.cli import app as cli
from joinedup.config import get_settings
from joinedup.incidents.schemas import InvolvementRole
from joinedup.linkage import realtime
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people.models import PersonRecord
from joinedup.subject_access import pack, service
from joinedup.subject_access.schemas import PackFormat, SarIn
from tests import factories
from tests.pages import csrf_header, sign_in_as

VICTIM_SECRETS = ("valerie", "victimson", "12 safe street", "gu2 2ss")
SUSPECT_SECRETS = ("peter", "perpson", "99 danger road", "gu3 3dd")


class World:
    """Two organisations, a victim (confidential address) and the alleged perpetrator."""

    def __init__(self, session: Session) -> None:
        self.police = factories.organisation(session, "Surrey Police")
        self.council = factories.organisation(session, "Borough Council", OrgKind.DISTRICT_COUNCIL)
        self.victim = factories.person(
            session,
            self.police,
            reference="V-1",
            first_name="Valerie",
            surname="Victimson",
            date_of_birth=date(1990, 2, 3),
            address_line="12 Safe Street",
            postcode="GU2 2SS",
            address_confidential=True,
        )
        self.suspect = factories.person(
            session,
            self.police,
            reference="S-1",
            first_name="Peter",
            surname="Perpson",
            date_of_birth=date(1985, 7, 8),
            address_line="99 Danger Road",
            postcode="GU3 3DD",
        )
        # The council's record of the same victim (same name and date of birth: linked).
        self.victim_at_council = factories.person(
            session,
            self.council,
            reference="CNL-REF-9",
            first_name="Valerie",
            surname="Victimson",
            date_of_birth=date(1990, 2, 3),
        )
        incident = factories.incident(
            session,
            self.police,
            [(self.victim, InvolvementRole.VICTIM), (self.suspect, InvolvementRole.SUSPECT)],
            category="domestic_abuse",
        )
        incident.narrative = (
            "Peter PERPSON attended 12 Safe Street, GU2 2SS and threatened Valerie Victimson. "
            "Perpson lives at 99 Danger Road, GU3 3DD."
        )
        incident.clinical_notes = "Valerie reports that peter has threatened her before."
        factories.incident(
            session,
            self.council,
            [(self.victim_at_council, InvolvementRole.VICTIM)],
        )
        session.commit()
        realtime.match_pending(session)


@pytest.fixture
def world(session: Session) -> World:
    return World(session)


def _pack_text(session: Session, org: Organisation, record: PersonRecord) -> str:
    sar = service.create(
        session=session,
        actor=None,
        organisation_id=org.id,
        sar_in=SarIn(person_record_id=record.id),
    )
    built = service.generate_pack(
        session=session,
        actor=None,
        organisation_id=org.id,
        reference=sar.reference,
        fmt=PackFormat.JSON,
    )
    return (pack.to_json(built).decode() + pack.to_html(built)).lower()


def test_dsr1_victims_pack_has_no_perpetrator_name_or_address(
    session: Session, world: World
) -> None:
    text = _pack_text(session, world.police, world.victim)
    for secret in SUSPECT_SECRETS:
        assert secret not in text, secret
    assert "another person (suspect)" in text
    assert "valerie" in text and "12 safe street" in text  # the subject's own data
    assert "borough council" in text and "cnl-ref-9" in text  # the linked record too


def test_dsr1_perpetrators_pack_has_no_victim_name_or_confidential_address(
    session: Session, world: World
) -> None:
    text = _pack_text(session, world.police, world.suspect)
    for secret in VICTIM_SECRETS:
        assert secret not in text, secret
    assert "another person (victim)" in text
    assert "99 danger road" in text
    assert "cnl-ref-9" not in text  # not a hex pattern: cannot turn up inside an id


def test_dsr1_pack_is_audited_as_a_disclosure_per_record(session: Session, world: World) -> None:
    _pack_text(session, world.police, world.victim)
    events = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "sar.pack_generated")
    ).all()
    assert {e.record_organisation_id for e in events} == {world.police.id, world.council.id}
    for event in events:
        assert event.operation.value == "disclosure"
        assert event.recipient_person == "data subject"
        assert event.recipient_organisation_id == world.police.id
        assert "valerie" not in json.dumps(event.details).lower()


def test_dsr1_pdf_pack_has_no_third_party(session: Session, world: World) -> None:
    pytest.importorskip("weasyprint")
    sar = service.create(
        session=session,
        actor=None,
        organisation_id=world.police.id,
        sar_in=SarIn(person_record_id=world.suspect.id),
    )
    built = service.generate_pack(
        session=session,
        actor=None,
        organisation_id=world.police.id,
        reference=sar.reference,
        fmt=PackFormat.PDF,
    )
    data = pack.to_pdf(built)
    assert data.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages).lower()
    assert "perpson" in text
    for secret in VICTIM_SECRETS:
        assert secret not in text, secret


def test_dsr1_ig_lead_pages_show_the_due_date_and_serve_packs(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in_as(client, session, world.police, Role.IG_LEAD)
    page = client.get("/subject-access")
    assert page.status_code == 200
    token = csrf_header(client)["X-CSRF-Token"]
    created = client.post(
        "/subject-access",
        data={"csrf_token": token, "reference": "S-1", "received_on": "2026-01-31"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    listing = client.get("/api/v1/subject-access").json()
    assert listing[0]["due_on"] == "2026-02-28"
    assert listing[0]["overdue"] is True
    listing_page = client.get("/subject-access").text
    assert "Overdue" in listing_page and "Mark answered" in listing_page
    assert f'value="{token}"' in listing_page
    reference = listing[0]["reference"]
    html = client.get(f"/subject-access/{reference}/pack?format=html")
    assert html.status_code == 200 and "Perpson" in html.text
    assert "Victimson" not in html.text
    as_json = client.get(f"/api/v1/subject-access/{reference}/pack").json()
    assert as_json["records"][0]["reference"] == "S-1"
    done = client.post(
        f"/subject-access/{reference}/complete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get("/api/v1/subject-access").json()[0]
    assert after["status"] == "completed" and after["overdue"] is False
    again = client.post(f"/api/v1/subject-access/{reference}/complete", headers=csrf_header(client))
    assert again.status_code == 409
    missing = client.post(
        "/subject-access",
        data={"csrf_token": token, "reference": "CNL-REF-9"},
        follow_redirects=False,
    )
    assert missing.status_code == 422  # the council holds CNL-REF-9, not the police


def test_dsr1_other_roles_and_organisations_are_refused(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in_as(client, session, world.police)
    assert client.get("/api/v1/subject-access").status_code == 403
    sign_in_as(client, session, world.council, Role.IG_LEAD)
    response = client.post(
        "/api/v1/subject-access",
        json={"person_record_id": str(world.victim.id)},
        headers=csrf_header(client),
    )
    assert response.status_code == 404


@pytest.fixture
def cli_env(
    engine: object, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    monkeypatch.setenv("JOINEDUP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_dsr1_cli_creates_and_writes_packs(
    cli_env: CliRunner, session: Session, world: World, tmp_path: Path
) -> None:
    created = cli_env.invoke(cli, ["sar", "create", "--org", "Surrey Police", "--record", "V-1"])
    assert created.exit_code == 0, created.output
    reference = created.output.split()[0]
    out = tmp_path / "pack.json"
    written = cli_env.invoke(cli, ["sar", "pack", reference, "--format", "json", "--out", str(out)])
    assert written.exit_code == 0, written.output
    body = out.read_text().lower()
    assert "victimson" in body
    for secret in SUSPECT_SECRETS:
        assert secret not in body
    unknown = cli_env.invoke(cli, ["sar", "create", "--org", "Nobody", "--record", "V-1"])
    assert unknown.exit_code == 1
