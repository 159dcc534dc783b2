"""The link review pages and API (LNK-1): reviewers decide pairs and undo links; nobody else
sees them, and every decision is in the ledger."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.agreements.schemas import DataCategory, Purpose
from joinedup.audit.models import LedgerEntry
from joinedup.incidents.schemas import InvolvementRole
from joinedup.linkage import realtime, rules
from joinedup.linkage.entities import LinkReview, ReviewStatus
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people.linking import linked_record_ids
from joinedup.people.models import PersonRecord
from tests import factories as f
from tests.auth.fixtures import csrf_from
from tests.pages import csrf_header, sign_in_as
from tests.sharing.world import agreement

REVIEW_MISSING_DOB = realtime.Thresholds(missing_dob=rules.MISSING_DOB_REVIEW)


@dataclass
class World:
    council: Organisation
    police: Organisation
    elsewhere: Organisation
    known: PersonRecord  # council: date of birth known
    undated: PersonRecord  # police: the same name and postcode, no date of birth
    pair: LinkReview


def build_world(session: Session) -> World:
    """Two partners sharing under an agreement, one pair waiting for review, an outsider."""
    council = f.organisation(session, "Woking Borough Council", OrgKind.DISTRICT_COUNCIL)
    police = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    elsewhere = f.organisation(session, "Elsewhere Council", OrgKind.DISTRICT_COUNCIL)
    agreement(
        session,
        [council, police],
        [DataCategory.IDENTITY, DataCategory.ASB],
        purposes=(Purpose.CASE_COORDINATION, Purpose.SAFEGUARDING),
    )
    person = {"first_name": "Megan", "surname": "Price", "postcode": "GU21 6XY"}
    known = f.person(session, council, date_of_birth=date(1990, 1, 2), **person)
    undated = f.person(session, police, date_of_birth=None, **person)
    f.incident(session, council, [(known, InvolvementRole.VICTIM)], "asb_personal")
    f.incident(session, police, [(undated, InvolvementRole.SUSPECT)], "asb_personal")
    session.commit()
    # Matched by a partnership that reviews every missing date of birth: by default the
    # ambiguity guard would join the two, as the undated record can be only this Megan Price.
    realtime.match_pending(session, thresholds=REVIEW_MISSING_DOB)
    (pair,) = session.scalars(
        select(LinkReview).where(LinkReview.status == ReviewStatus.PENDING)
    ).all()
    return World(council, police, elsewhere, known, undated, pair)


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def _reviewer(client: TestClient, session: Session, world: World) -> None:
    sign_in_as(client, session, world.council, Role.COORDINATOR)


def _events(session: Session, name: str) -> list[LedgerEntry]:
    session.expire_all()
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.name == name)))


def _decide(client: TestClient, world: World, **data: str) -> Response:
    page = client.get(f"/linkage/reviews/{world.pair.id}")
    token = csrf_from(page.text)
    return client.post(
        f"/linkage/reviews/{world.pair.id}",
        data={"csrf_token": token, **data},
        follow_redirects=False,
    )


def _status(session: Session, world: World) -> ReviewStatus:
    session.expire_all()
    found = session.get(LinkReview, world.pair.id)
    assert found is not None
    return found.status


def test_the_queue_lists_the_pair_for_a_reviewer(
    client: TestClient, session: Session, world: World
) -> None:
    _reviewer(client, session, world)
    page = client.get("/linkage/reviews")
    assert page.status_code == 200
    assert f'href="/linkage/reviews/{world.pair.id}"' in page.text
    assert "household rule: date of birth missing" in page.text
    assert re.search(r"\b99\.\d+%", page.text)
    assert 'href="/linkage/reviews" aria-current="page"' in page.text  # in the navigation
    assert "Megan" not in page.text  # the queue names no one
    decided = client.get("/linkage/reviews?status=decided")
    assert str(world.pair.id) not in decided.text


def test_opening_a_pair_shows_both_records_the_chart_and_the_table(
    client: TestClient, session: Session, world: World
) -> None:
    _reviewer(client, session, world)
    page = client.get(f"/linkage/reviews/{world.pair.id}")
    assert page.status_code == 200
    text = page.text
    assert "Woking Borough Council" in text and "Surrey Police" in text
    assert text.count("Megan Price") == 2
    assert "household rule: date of birth missing" in text
    assert re.search(r'<svg [^>]*role="img"', text)
    assert "first name: exact match +" in text
    assert "Total match weight" in text and "govuk-table" in text
    assert 'name="decision"' in text and 'id="decision"' in text
    viewed = _events(session, "linkage.review_viewed")
    assert {e.record_id for e in viewed} == {str(world.known.id), str(world.undated.id)}


def test_a_withheld_address_stays_withheld(
    client: TestClient, session: Session, world: World
) -> None:
    world.undated.address_line = "14 Secretplace Road"
    session.commit()
    _reviewer(client, session, world)
    page = client.get(f"/linkage/reviews/{world.pair.id}")
    assert "Secretplace" not in page.text
    api = client.get(f"/api/v1/link-reviews/{world.pair.id}")
    assert "Secretplace" not in api.text


def test_saying_same_links_the_records_and_shows_a_banner(
    client: TestClient, session: Session, world: World
) -> None:
    _reviewer(client, session, world)
    answer = _decide(client, world, decision="same", note="same person, checked")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/linkage/reviews?decided=same"
    queue = client.get("/linkage/reviews?decided=same")
    assert "govuk-notification-banner--success" in queue.text
    assert "They are now linked" in queue.text
    assert str(world.pair.id) not in queue.text
    assert linked_record_ids(session, world.known.id) == [world.undated.id]
    assert _status(session, world) == ReviewStatus.ACCEPTED
    merged = _events(session, "linkage.records_merged")
    assert len(merged) == 1 and merged[0].operation.value == "combination"
    decided = client.get("/linkage/reviews?status=decided")
    assert f"/linkage/reviews/{world.pair.id}" in decided.text and "Same person" in decided.text


def test_saying_different_does_not_link_them(
    client: TestClient, session: Session, world: World
) -> None:
    _reviewer(client, session, world)
    answer = _decide(client, world, decision="different")
    assert answer.headers["location"] == "/linkage/reviews?decided=different"
    assert linked_record_ids(session, world.known.id) == []
    assert _status(session, world) == ReviewStatus.REJECTED
    assert len(_events(session, "linkage.review_rejected")) == 1
    assert _events(session, "linkage.records_merged") == []
    again = _decide(client, world, decision="same")
    assert again.status_code == 409


def test_no_answer_shows_the_error_summary(
    client: TestClient, session: Session, world: World
) -> None:
    _reviewer(client, session, world)
    answer = _decide(client, world, note="not sure yet")
    assert answer.status_code == 422
    text = answer.text
    assert "There is a problem" in text and 'href="#decision"' in text
    assert "Select yes if these records are the same person" in text
    assert "not sure yet" in text  # the note is kept
    assert _status(session, world) == ReviewStatus.PENDING


def _open_person(client: TestClient, person: PersonRecord) -> str:
    asked = client.get(f"/people/{person.id}")
    page = client.post(
        f"/people/{person.id}/purpose",
        data={"csrf_token": csrf_from(asked.text), "purpose": "case_coordination"},
    )
    assert page.status_code == 200
    return page.text


def test_undo_from_the_person_page(client: TestClient, session: Session, world: World) -> None:
    _reviewer(client, session, world)
    _decide(client, world, decision="same")
    person = _open_person(client, world.known)
    assert "Linked records" in person and "By a reviewer" in person
    assert re.search(r'<svg [^>]*id="linked-1"', person)
    found = re.search(r'href="(/linkage/decisions/[^"/]+/unmerge\?person_id=[^"]+)"', person)
    assert found, person
    confirm = client.get(found.group(1))
    assert confirm.status_code == 200 and "Undo this link" in confirm.text
    done = client.post(
        found.group(1).split("?")[0],
        data={
            "csrf_token": csrf_from(confirm.text),
            "person_id": str(world.known.id),
            "note": "a mistake",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/people/{world.known.id}?link_undone=1"
    after = client.get(done.headers["location"])
    assert "The link has been undone" in after.text
    assert "No records of other organisations are linked" in after.text
    assert linked_record_ids(session, world.known.id) == []
    assert len(_events(session, "linkage.records_unmerged")) == 1


def test_a_practitioner_gets_403_and_no_linked_records_section(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in_as(client, session, world.council, Role.PRACTITIONER)
    assert client.get("/linkage/reviews").status_code == 403
    assert client.get(f"/linkage/reviews/{world.pair.id}").status_code == 403
    assert client.get("/api/v1/link-reviews").status_code == 403
    person = _open_person(client, world.known)
    assert "Linked records" not in person and "Link reviews" not in person


def test_an_outsider_reviewer_gets_404_for_the_pair(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in_as(client, session, world.elsewhere, Role.COORDINATOR)
    queue = client.get("/linkage/reviews")
    assert queue.status_code == 200 and str(world.pair.id) not in queue.text
    pages = [client.get(f"/linkage/reviews/{i}") for i in (world.pair.id, f.any_id())]
    assert [p.status_code for p in pages] == [404, 404]
    assert "Megan" not in pages[0].text
    api = [client.get(f"/api/v1/link-reviews/{i}") for i in (world.pair.id, f.any_id())]
    assert [r.status_code for r in api] == [404, 404] and api[0].json() == api[1].json()
    headers = csrf_header(client)
    post = client.post(
        f"/api/v1/link-reviews/{world.pair.id}", json={"decision": "same"}, headers=headers
    )
    assert post.status_code == 404
    assert client.get("/api/v1/link-reviews").json() == []
    assert _status(session, world) == ReviewStatus.PENDING


def test_csrf_is_enforced_on_every_post(client: TestClient, session: Session, world: World) -> None:
    _reviewer(client, session, world)
    page = client.post(f"/linkage/reviews/{world.pair.id}", data={"decision": "same"})
    assert page.status_code == 403
    api = client.post(f"/api/v1/link-reviews/{world.pair.id}", json={"decision": "same"})
    assert api.status_code == 403
    assert _status(session, world) == ReviewStatus.PENDING
    merge = client.post(
        f"/api/v1/link-reviews/{world.pair.id}",
        json={"decision": "same"},
        headers=csrf_header(client),
    )
    decision_id = merge.json()["decision"]["id"]
    for path in (
        f"/linkage/decisions/{decision_id}/unmerge",
        f"/api/v1/link-decisions/{decision_id}/unmerge",
    ):
        assert client.post(path, data={"person_id": str(world.known.id)}).status_code == 403
    assert linked_record_ids(session, world.known.id) == [world.undated.id]


def test_the_api_lists_shows_decides_and_undoes(
    client: TestClient, session: Session, world: World
) -> None:
    _reviewer(client, session, world)
    listed = client.get("/api/v1/link-reviews").json()
    assert [i["id"] for i in listed] == [str(world.pair.id)]
    assert listed[0]["status"] == "pending" and listed[0]["match_probability"] >= 0.99
    shown = client.get(f"/api/v1/link-reviews/{world.pair.id}").json()
    assert {shown["left"]["organisation_name"], shown["right"]["organisation_name"]} == {
        "Woking Borough Council",
        "Surrey Police",
    }
    assert shown["evidence"][0]["comparison"] == "prior"
    assert sum(e["weight"] for e in shown["evidence"]) == pytest.approx(shown["match_weight"])
    headers = csrf_header(client)
    bad = client.post(
        f"/api/v1/link-reviews/{world.pair.id}", json={"decision": "maybe"}, headers=headers
    )
    assert bad.status_code == 422
    merged = client.post(
        f"/api/v1/link-reviews/{world.pair.id}",
        json={"decision": "same", "note": "checked"},
        headers=headers,
    ).json()
    assert merged["status"] == "accepted" and merged["decision"]["kind"] == "merge"
    assert linked_record_ids(session, world.known.id) == [world.undated.id]
    decisions = client.get(f"/api/v1/link-decisions?person_id={world.known.id}").json()
    assert [d["id"] for d in decisions] == [merged["decision"]["id"]]
    undo = client.post(
        f"/api/v1/link-decisions/{merged['decision']['id']}/unmerge",
        json={"note": "a mistake"},
        headers=headers,
    )
    assert undo.status_code == 200 and undo.json()["kind"] == "unmerge"
    assert linked_record_ids(session, world.known.id) == []
    assert client.get("/api/v1/link-reviews?status=rejected").json()[0]["id"] == str(world.pair.id)
    names = [e.name for e in _events(session, "linkage.records_merged")] + [
        e.name for e in _events(session, "linkage.records_unmerged")
    ]
    assert names == ["linkage.records_merged", "linkage.records_unmerged"]


def test_the_endpoints_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/v1/link-reviews"])
    assert {"get", "post"} <= set(paths["/api/v1/link-reviews/{review_id}"])
    assert "post" in paths["/api/v1/link-decisions/{decision_id}/unmerge"]
    assert not [p for p in paths if p.startswith("/linkage/")]  # pages are not API
