""" "Known to" signposts matched on encodings: shown only under an active agreement that allows
signposting and to a role that may see signposts, on any record of the person's entity; never the
holder's reference or the score; audited; the access request names the holder's reference to
the holder alone; erasure removes the flags (RET-1)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.access import signposts
from joinedup.access.context import load_context
from joinedup.access.models import AccessGrant, AccessRequest
from joinedup.agreements.models import SharingAgreement
from joinedup.agreements.schemas import AgreementStatus, DataCategory
from joinedup.audit.models import LedgerEntry
from joinedup.db import atomic
from joinedup.linkage import pprl_service, realtime
from joinedup.linkage.pprl_models import PprlEncoding, PprlFlag, UploadKind
from joinedup.linkage.pprl_service import CLK_BYTES, Uploader
from joinedup.linkage.pprl_validate import check_text
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people.models import PersonRecord
from joinedup.people.schemas import Gender
from joinedup.retention import erasure
from tests import factories as f
from tests.auth.fixtures import csrf_from
from tests.linkage import pprl_world as pw
from tests.pages import csrf_header, sign_in_as
from tests.sharing.world import agreement

TRUST = "Surrey and Borders Trust"


@dataclass
class Matched:
    """The partners, the police–trust agreement and the flags the trust's upload raised."""

    partners: pw.Partners
    isa: SharingAgreement
    jordan: PersonRecord  # a police record the trust's MH-1001 matches


def _upload(session: Session, org_id: object, kind: UploadKind, data: bytes) -> None:
    entries, problems = check_text(data, CLK_BYTES)
    pprl_service.upload(
        session=session,
        uploader=Uploader(org_id),  # type: ignore[arg-type]
        kind=kind,
        entries=entries,
        problems=problems,
    )


def _matched(session: Session, *, known_to: bool = True) -> Matched:
    p = pw.build(session)
    isa = agreement(session, [p.police, p.trust], [DataCategory.ASB], known_to=known_to)
    session.commit()
    _upload(session, p.police.id, UploadKind.KNOWN, pw.as_bytes(pw.known_lines(p.police_people)))
    _upload(session, p.council.id, UploadKind.KNOWN, pw.as_bytes(pw.known_lines(p.council_people)))
    _upload(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(pw.trust_lines()))
    pprl_service.match_holders(session=session, uploader=Uploader(), threshold=0.8)
    return Matched(p, isa, p.police_people[0])


def _open(client: TestClient, path: str) -> str:
    asked = client.get(path)
    if "Why are you opening this record?" not in asked.text:
        return asked.text
    page = client.post(
        f"{path}/purpose",
        data={"csrf_token": csrf_from(asked.text), "purpose": "safeguarding", "justification": "x"},
    )
    assert page.status_code == 200, page.text
    return page.text


def _secrets(session: Session) -> list[str]:
    """What must never reach a reader: the holder's references and the scores."""
    flags = session.scalars(select(PprlFlag)).all()
    return [x.holder_reference for x in flags] + [f"{x.score:.3f}" for x in flags]


def test_lnk1_signpost_names_the_holder_only(client: TestClient, session: Session) -> None:
    m = _matched(session)
    sign_in_as(client, session, m.partners.police)
    text = _open(client, f"/people/{m.jordan.id}")
    assert f"Known to {TRUST}" in text and "Mental health" in text
    assert "Not shared" in text and "compared without names" in text
    assert "Emergency access" not in text  # the holder keeps no record here to open
    for secret in _secrets(session):
        assert secret not in text
    assert "Whitfeld" not in text  # the trust's spelling never reaches anyone
    # Another police record with no flag has no signpost.
    assert "Known to" not in _open(client, f"/people/{m.partners.police_people[1].id}")


def test_aud1_each_signpost_shown_is_audited_without_reference_or_score(
    client: TestClient, session: Session
) -> None:
    m = _matched(session)
    sign_in_as(client, session, m.partners.police)
    _open(client, f"/people/{m.jordan.id}")
    [shown] = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "sharing.signpost_shown")
    ).all()
    flag = session.scalars(select(PprlFlag).where(PprlFlag.person_record_id == m.jordan.id)).one()
    assert shown.operation.value == "consultation"
    assert (shown.record_type, shown.record_id) == ("pprl_flag", str(flag.id))
    assert shown.record_organisation_id == m.partners.trust.id
    assert shown.details["person_record_id"] == str(m.jordan.id)
    assert flag.holder_reference not in json.dumps(shown.details)


@pytest.mark.parametrize("case", ["no_known_to", "revoked", "other_parties"])
def test_ac6_no_signpost_without_an_active_agreement_allowing_it(
    client: TestClient, session: Session, case: str
) -> None:
    m = _matched(session, known_to=case != "no_known_to")
    if case == "revoked":
        m.isa.status = AgreementStatus.REVOKED
    if case == "other_parties":
        session.delete(m.isa)
        agreement(session, [m.partners.council, m.partners.trust], [DataCategory.ASB])
    session.commit()
    sign_in_as(client, session, m.partners.police)
    assert "Known to" not in _open(client, f"/people/{m.jordan.id}")
    assert client.get(f"/people/{m.jordan.id}/known-to/1/request").status_code == 404
    assert not session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "sharing.signpost_shown")
    ).all()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_ac1_roles_that_may_not_see_signposts_get_none(session: Session, role: Role) -> None:
    m = _matched(session)
    user = f.user(session, m.partners.police, role)
    ctx = load_context(session, f.actor_for(user, m.partners.police), "safeguarding")
    assert signposts.targets(session, ctx, m.jordan.id) == []
    practitioner = f.user(session, m.partners.police, Role.PRACTITIONER)
    ctx = load_context(session, f.actor_for(practitioner, m.partners.police), "safeguarding")
    [target] = signposts.targets(session, ctx, m.jordan.id)
    assert target.signpost.matched_on_encodings and target.holder_reference == "MH-1001"


def test_the_holder_itself_sees_no_signpost_of_its_own(session: Session) -> None:
    m = _matched(session)
    agreement(session, [m.partners.police, m.partners.trust], [DataCategory.IDENTITY])
    user = f.user(session, m.partners.trust, Role.PRACTITIONER)
    ctx = load_context(session, f.actor_for(user, m.partners.trust), "safeguarding")
    assert signposts.targets(session, ctx, m.jordan.id) == []


def test_a_flag_on_another_record_of_the_entity_signposts_too(
    client: TestClient, session: Session
) -> None:
    m = _matched(session)
    # The police also hold Priya, whom the trust's MH-1003 matched on the council's record.
    priya = f.person(
        session,
        m.partners.police,
        first_name="Priya",
        surname="Chandrasekaran",
        date_of_birth=date(1988, 3, 17),
        postcode="GU15 3SY",
        gender=Gender.FEMALE,
    )
    session.commit()
    realtime.match_pending(session)
    council_priya = m.partners.council_people[0]
    entity = realtime.entity_of(session, priya.id)
    assert entity is not None and entity == realtime.entity_of(session, council_priya.id)
    assert session.scalar(select(PprlFlag).where(PprlFlag.person_record_id == priya.id)) is None
    sign_in_as(client, session, m.partners.police)
    text = _open(client, f"/people/{priya.id}")
    assert f"Known to {TRUST}" in text and "MH-1003" not in text


def test_categories_come_from_the_holders_kind_or_the_agreement(session: Session) -> None:
    m = _matched(session)
    m.partners.trust.kind = OrgKind.VOLUNTARY_SECTOR
    m.isa.data_categories = ["asb", "safeguarding_adults"]
    session.commit()
    user = f.user(session, m.partners.police, Role.PRACTITIONER)
    ctx = load_context(session, f.actor_for(user, m.partners.police), "safeguarding")
    [target] = signposts.targets(session, ctx, m.jordan.id)
    assert [c.value for c in target.signpost.data_categories] == [
        "asb",
        "identity",
        "safeguarding_adults",
    ]


def test_the_api_answers_the_same_signpost_without_reference_or_score(
    client: TestClient, session: Session
) -> None:
    m = _matched(session)
    sign_in_as(client, session, m.partners.police)
    headers = {"X-JoinedUp-Purpose": "safeguarding", "X-JoinedUp-Purpose-Text": "checking"}
    answer = client.get(f"/api/v1/people/{m.jordan.id}/known-to", headers=headers)
    [sign] = answer.json()
    assert sign["organisation_name"] == TRUST and sign["matched_on_encodings"] is True
    assert set(sign) == {
        "number",
        "organisation_name",
        "data_categories",
        "category_labels",
        "date_range",
        "matched_on_encodings",
    }
    for secret in _secrets(session):
        assert secret not in answer.text


def test_aud3_request_names_the_reference_to_the_holder_only(
    client: TestClient, session: Session
) -> None:
    m = _matched(session)
    sign_in_as(client, session, m.partners.police)
    _open(client, f"/people/{m.jordan.id}")
    assert client.get(f"/people/{m.jordan.id}/known-to/1/break-glass").status_code == 404
    form = client.get(f"/people/{m.jordan.id}/known-to/1/request")
    assert form.status_code == 200
    sent = client.post(
        f"/people/{m.jordan.id}/known-to/1/request",
        data={
            "csrf_token": csrf_from(form.text),
            "purpose": "safeguarding",
            "justification": "Welfare concern after a call-out",
        },
    )
    assert "Pending" in sent.text and TRUST in sent.text and "MH-1001" not in sent.text
    req = session.scalars(select(AccessRequest)).one()
    assert req.holder_reference == "MH-1001" and req.holder_organisation_id == m.partners.trust.id
    holder = TestClient(client.app)
    sign_in_as(holder, session, m.partners.trust, Role.SUPERVISOR)
    queue = holder.get("/sharing/requests")
    assert "MH-1001" in queue.text and "Matched on encodings" in queue.text
    assert "Welfare concern" in queue.text
    assert "Whitfield" not in queue.text and m.jordan.reference not in queue.text
    approved = holder.post(
        f"/api/v1/sharing/requests/{req.id}/approve",
        json={"reason": "We will call you"},
        headers=csrf_header(holder),
    )
    assert approved.status_code == 200 and approved.json()["grant_id"] is None
    # No grant: the holder keeps the record off the platform and shares it itself.
    assert session.scalar(select(func.count()).select_from(AccessGrant)) == 0
    disclosure = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "sharing.access_approved")
    ).one()
    assert disclosure.recipient_organisation_id == m.partners.police.id
    assert "MH-1001" not in json.dumps(disclosure.details)
    mine = client.get("/sharing/my-requests").text
    assert "We will call you" in mine and "MH-1001" not in mine


def test_ret1_erasing_a_person_removes_its_flags_and_encoding(session: Session) -> None:
    m = _matched(session)
    count = session.scalar(select(func.count()).select_from(PprlFlag))
    with atomic(session):
        done = erasure.erase_person(session, m.jordan.id)
    assert done["pprl_flags"] == 1 and done["pprl_encodings"] == 1
    assert session.scalar(select(func.count()).select_from(PprlFlag)) == (count or 0) - 1
    assert (
        session.scalar(select(PprlEncoding).where(PprlEncoding.person_record_id == m.jordan.id))
        is None
    )
