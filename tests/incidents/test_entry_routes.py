"""Recording an incident through the pages: what happened, the people involved (picked from
the organisation's own records or created), check your answers, and the confirmation."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.audit.verify import verify_ledger
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.schemas import IncidentSource, InvolvementRole, TimePrecision
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people.models import PersonRecord
from tests import factories as f
from tests.auth.fixtures import csrf_from
from tests.pages import sign_in_as

DRAFT = re.compile(r'name="draft" value="([^"]+)"')
SUMMARY = "There is a problem"


def draft_from(page: str) -> str:
    match = DRAFT.search(page)
    assert match, "page carries no draft"
    return html.unescape(match.group(1))


def details(**fields: str) -> dict[str, str]:
    values = {
        "category": "asb_personal",
        "reference": "GBC-ASB-2026-0042",
        "occurred_day": "20",
        "occurred_month": "11",
        "occurred_year": "2026",
        "occurred_time": "22:15",
        "location_description": "Stoke Park flats, stairwell",
        "postcode": "gu1 1aa",
        "narrative": "Residents report youths shouting and kicking doors.",
    }
    values.update(fields)
    return values


class Flow:
    """A signed-in browser going through the steps."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = csrf_from(client.get("/incidents/new").text)
        self.page = ""

    def post(self, path: str, status: int = 200, **data: str) -> str:
        body = {"csrf_token": self.csrf, **data}
        if self.page and "draft" not in body and DRAFT.search(self.page):
            body["draft"] = draft_from(self.page)
        response = self.client.post(path, data=body, follow_redirects=False)
        assert response.status_code == status, (path, response.status_code, response.text[:3000])
        self.page = response.text
        return response.text


def _own(session: Session) -> tuple[Organisation, PersonRecord]:
    org = f.organisation(session, "Guildford Borough Council", OrgKind.DISTRICT_COUNCIL)
    person = f.person(
        session, org, reference="GBC-P-7", first_name="Sam", surname="Okafor", postcode="GU1 4LH"
    )
    session.commit()
    return org, person


def _count(session: Session, model: type[object]) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_incidents_list_links_to_recording_for_roles_that_may(
    client: TestClient, session: Session
) -> None:
    org, _person = _own(session)
    sign_in_as(client, session, org, Role.PRACTITIONER)
    assert 'href="/incidents/new"' in client.get("/incidents").text
    page = client.get("/incidents/new")
    assert page.status_code == 200 and "What happened?" in page.text
    assert "<optgroup" in page.text and 'name="csrf_token"' in page.text


def test_missing_answers_show_the_error_summary_and_field_errors(
    client: TestClient, session: Session
) -> None:
    org, _person = _own(session)
    sign_in_as(client, session, org)
    flow = Flow(client)
    page = flow.post(
        "/incidents/new",
        422,
        **details(category="", reference="  ", occurred_day="31", occurred_month="2"),
    )
    assert SUMMARY in page and "govuk-error-summary" in page
    assert 'href="#category"' in page and 'href="#reference"' in page
    assert 'href="#occurred_day"' in page
    assert "Select what happened" in page and "must be a real date" in page
    assert "govuk-error-message" in page and page.startswith("<!DOCTYPE html>")
    page = flow.post(
        "/incidents/new",
        422,
        **details(occurred_time="25:00", postcode="not a postcode", reported_year="2020"),
    )
    assert 'href="#occurred_time"' in page and 'href="#postcode"' in page
    assert "must include a day and a month" in page
    assert _count(session, Incident) == 0


def test_the_reported_date_cannot_be_before_the_incident(
    client: TestClient, session: Session
) -> None:
    org, _person = _own(session)
    sign_in_as(client, session, org)
    flow = Flow(client)
    page = flow.post(
        "/incidents/new",
        422,
        **details(reported_day="19", reported_month="11", reported_year="2026"),
    )
    assert "on or after the date it happened" in page


def test_record_with_a_picked_and_a_new_person(
    client: TestClient, session: Session, engine: Engine
) -> None:
    org, person = _own(session)
    user = sign_in_as(client, session, org)
    flow = Flow(client)
    page = flow.post("/incidents/new", **details())
    assert "People involved" in page and "No people added yet" in page

    page = flow.post("/incidents/new/people/search", search_text="okaf")
    assert "Sam Okafor" in page and str(person.id) in page
    page = flow.post(
        "/incidents/new/people/pick",
        pick_person=str(person.id),
        pick_role="victim",
        search_text="okaf",
    )
    assert "Sam Okafor" in page and "Existing record" in page
    # The same search by date of birth finds the record too.
    assert "Sam Okafor" in flow.post("/incidents/new/people/search", search_text="17/5/1980")

    page = flow.post(
        "/incidents/new/people/create",
        new_reference="GBC-P-NEW-1",
        new_first_name="Jordan",
        new_surname="Reyes",
        new_dob_day="3",
        new_dob_month="2",
        new_dob_year="2001",
        new_gender="non_binary",
        new_address_line="12 Stoke Road",
        new_postcode="gu1 1aa",
        new_address_confidential="yes",
        new_role="suspect",
    )
    assert "Jordan Reyes" in page and "New record" in page and "Remove" in page

    page = flow.post("/incidents/new/check")
    assert "Check your answers" in page and "Change" in page
    assert "GBC-ASB-2026-0042" in page and "Jordan Reyes" in page and "Sam Okafor" in page
    assert _count(session, Incident) == 0  # nothing written before the last step

    page = flow.post("/incidents/new/submit")
    assert "Incident recorded" in page and "govuk-panel" in page and "GBC-ASB-2026-0042" in page

    session.expire_all()
    incident = session.scalars(select(Incident)).one()
    assert incident.organisation_id == org.id and incident.source is IncidentSource.PARTNER
    assert f'href="/incidents/{incident.id}"' in page
    assert incident.occurred_at == datetime(2026, 11, 20, 22, 15, tzinfo=UTC)  # GMT in November
    assert incident.occurred_precision is TimePrecision.MINUTE
    assert incident.recorded_by_id == user.id
    roles = {
        (i.person_record_id, i.role)
        for i in session.scalars(select(Involvement).where(Involvement.incident_id == incident.id))
    }
    new = session.scalars(select(PersonRecord).where(PersonRecord.reference == "GBC-P-NEW-1")).one()
    assert roles == {(person.id, InvolvementRole.VICTIM), (new.id, InvolvementRole.SUSPECT)}
    assert new.organisation_id == org.id and new.address_confidential
    assert new.date_of_birth == date(2001, 2, 3) and new.postcode == "GU1 1AA"
    names = session.scalars(select(LedgerEntry.name).order_by(LedgerEntry.seq)).all()
    assert names.count("incident.created") == 1 and names.count("person.created") == 1
    assert names.count("incident.involvement_added") == 2
    assert verify_ledger(engine).ok


def test_summer_time_and_a_day_without_time(client: TestClient, session: Session) -> None:
    org, _person = _own(session)
    sign_in_as(client, session, org)
    flow = Flow(client)
    flow.post(
        "/incidents/new",
        **details(occurred_day="1", occurred_month="7", occurred_time="", reference="S-1"),
    )
    flow.post("/incidents/new/check")
    flow.post("/incidents/new/submit")
    incident = session.scalars(select(Incident)).one()
    # Midnight in London during British Summer Time is 23:00 UTC the day before.
    assert incident.occurred_at == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert incident.occurred_precision is TimePrecision.DAY


def test_another_organisations_person_cannot_be_picked(
    client: TestClient, session: Session
) -> None:
    org, _person = _own(session)
    other = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    theirs = f.person(session, other, first_name="Otherorg", surname="Canary", reference="SP-1")
    session.commit()
    sign_in_as(client, session, org)
    flow = Flow(client)
    flow.post("/incidents/new", **details())
    page = flow.post("/incidents/new/people/search", search_text="Otherorg")
    assert str(theirs.id) not in page and "No records your organisation holds" in page
    # A tampered form naming another organisation's record is refused; nothing is added.
    page = flow.post(
        "/incidents/new/people/pick", 422, pick_person=str(theirs.id), pick_role="victim"
    )
    assert SUMMARY in page and "Select a person your organisation holds" in page
    assert "No people added yet" in page
    flow.post("/incidents/new/people/pick", 422, pick_person="not-an-id", pick_role="victim")
    flow.post("/incidents/new/check")
    flow.post("/incidents/new/submit")
    assert _count(session, Involvement) == 0 and _count(session, Incident) == 1


def test_an_altered_draft_is_refused_and_nothing_is_written(
    client: TestClient, session: Session
) -> None:
    org, _person = _own(session)
    sign_in_as(client, session, org)
    flow = Flow(client)
    flow.post("/incidents/new", **details())
    sealed = draft_from(flow.page)
    payload, mac = sealed.rsplit(".", 1)
    altered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + mac
    page = flow.post("/incidents/new/submit", 400, draft=altered)
    assert "Start the incident again" in page
    flow.post("/incidents/new/submit", 400, draft="")
    assert _count(session, Incident) == 0 and _count(session, LedgerEntry) >= 0


def test_a_draft_is_bound_to_its_user(client: TestClient, session: Session) -> None:
    org, _person = _own(session)
    sign_in_as(client, session, org, username="first.user")
    flow = Flow(client)
    flow.post("/incidents/new", **details())
    sealed = draft_from(flow.page)
    client.cookies.clear()
    sign_in_as(client, session, org, username="second.user")
    second = Flow(client)
    second.post("/incidents/new/submit", 400, draft=sealed)
    assert _count(session, Incident) == 0


def test_remove_and_change_keep_the_other_answers(client: TestClient, session: Session) -> None:
    org, person = _own(session)
    sign_in_as(client, session, org)
    flow = Flow(client)
    flow.post("/incidents/new", **details())
    flow.post("/incidents/new/people/pick", pick_person=str(person.id), pick_role="witness")
    flow.post(
        "/incidents/new/people/create",
        new_reference="GBC-P-9",
        new_surname="Lowe",
        new_role="reporter",
    )
    page = flow.post("/incidents/new/people/remove", remove="0")
    assert "Sam Okafor" not in page and "Lowe" in page
    page = flow.post("/incidents/new/check")
    page = flow.post("/incidents/new/change", step="details")
    assert 'value="GBC-ASB-2026-0042"' in page and 'name="return_to" value="check"' in page
    changed = details(reference="GBC-ASB-2026-0043", return_to="check")
    page = flow.post("/incidents/new", **changed)
    assert "Check your answers" in page and "GBC-ASB-2026-0043" in page and "Lowe" in page
    page = flow.post("/incidents/new/change", step="people")
    assert "People involved" in page and "Lowe" in page


def test_new_person_errors_and_an_existing_reference(client: TestClient, session: Session) -> None:
    org, _person = _own(session)
    sign_in_as(client, session, org)
    flow = Flow(client)
    flow.post("/incidents/new", **details())
    page = flow.post("/incidents/new/people/create", 422, new_dob_day="40", new_dob_month="1")
    for field in ("new_reference", "new_first_name", "new_dob_day", "new_role"):
        assert f'href="#{field}"' in page, field
    page = flow.post(
        "/incidents/new/people/create",
        422,
        new_reference="GBC-P-7",
        new_first_name="Someone",
        new_role="victim",
    )
    assert "already holds a person with this reference" in page


def test_a_used_reference_is_an_error_on_the_reference_field(
    client: TestClient, session: Session
) -> None:
    org, _person = _own(session)
    f.incident(session, org)
    used = session.scalars(select(Incident.reference)).one()
    session.commit()
    sign_in_as(client, session, org)
    flow = Flow(client)
    page = flow.post("/incidents/new", 422, **details(reference=used))
    assert SUMMARY in page and 'href="#reference"' in page
    assert "already has an incident with this reference" in page
    # Recorded by someone else between the first step and submitting: still a clear error.
    flow.page = ""
    flow.post("/incidents/new", **details(reference="RACE-1"))
    flow.post("/incidents/new/check")
    draft = draft_from(flow.page)
    f.incident(session, org).reference = "RACE-1"
    session.commit()
    page = flow.post("/incidents/new/submit", 409, draft=draft)
    assert "already has an incident with this reference" in page and 'href="#reference"' in page
    assert _count(session, Incident) == 2


@pytest.mark.parametrize("role", [Role.ANALYST, Role.COORDINATOR, Role.ADMIN, Role.IG_LEAD])
def test_roles_that_may_not_record_are_refused(
    client: TestClient, session: Session, role: Role
) -> None:
    org, _person = _own(session)
    sign_in_as(client, session, org, role)
    assert 'href="/incidents/new"' not in client.get("/incidents").text
    assert client.get("/incidents/new").status_code == 403
    csrf = csrf_from(client.get("/incidents").text)
    response = client.post("/incidents/new", data={"csrf_token": csrf, **details()})
    assert response.status_code == 403
    response = client.post("/incidents/new/submit", data={"csrf_token": csrf, "draft": "x.y"})
    assert response.status_code == 403
    assert _count(session, Incident) == 0


def test_every_step_needs_the_csrf_token(client: TestClient, session: Session) -> None:
    org, _person = _own(session)
    sign_in_as(client, session, org)
    for path in ("/incidents/new", "/incidents/new/people/search", "/incidents/new/submit"):
        assert client.post(path, data=details()).status_code == 403, path
    assert _count(session, Incident) == 0
