"""``joinedup link run`` and real-time matching over the database: the golden cases, the index,
human decisions kept, and a rerun that changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.linkage import realtime, review, rules, store, synthetic
from joinedup.linkage.entities import BlockKey, LinkagePending, LinkReview, ReviewStatus
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people.linking import linked_record_ids
from joinedup.people.models import PersonRecord
from tests import factories as f
from tests.linkage.test_golden import GOLDEN, MISSING_DOB


def _golden(session: Session, one_holder: bool = False) -> dict[str, PersonRecord]:
    orgs = [f.organisation(session, "Surrey Police", OrgKind.POLICE)]
    if not one_holder:
        orgs.append(f.organisation(session, "Guildford Borough Council", OrgKind.DISTRICT_COUNCIL))
    people: dict[str, PersonRecord] = {}
    for i, (uid, first, last, dob, postcode, gender, address) in enumerate(GOLDEN):
        people[uid] = f.person(
            session,
            orgs[i % len(orgs)],
            reference=uid,
            first_name=first,
            surname=last,
            date_of_birth=date.fromisoformat(dob),
            postcode=postcode,
            gender=gender or "not_known",
            address_line=address,
        )
    session.commit()
    return people


def _together(session: Session, people: dict[str, PersonRecord], a: str, b: str) -> bool:
    return people[b].id in linked_record_ids(session, people[a].id)


def _in_review(session: Session, people: dict[str, PersonRecord], a: str, b: str) -> bool:
    ids = {people[a].id, people[b].id}
    return any(
        {r.record_a_id, r.record_b_id} == ids
        for r in session.scalars(
            select(LinkReview).where(LinkReview.status == ReviewStatus.PENDING)
        )
    )


def _check_golden_apart(session: Session, people: dict[str, PersonRecord]) -> None:
    for a, b in (("twin-1", "twin-2"), ("father", "son"), ("parent", "child")):
        assert not _together(session, people, a, b), (a, b)


def _check_golden(session: Session, people: dict[str, PersonRecord]) -> None:
    _check_golden_apart(session, people)
    for a, b in (("dob-a", "dob-b"), ("typo-a", "typo-b")):
        assert _together(session, people, a, b), (a, b)
    # The woman who changed surname and address is never joined with anyone else.
    assert set(linked_record_ids(session, people["maiden"].id)) <= {people["married"].id}


@pytest.mark.parametrize("how", ["real time", "batch"])
def test_golden_cases_through_the_database(session: Session, how: str) -> None:
    people = _golden(session)
    if how == "real time":
        summary = realtime.match_pending(session)
        assert summary.matched == len(GOLDEN)
    else:
        summary_run = store.run(session)
        assert summary_run.records == len(GOLDEN)
        assert session.scalar(select(func.count()).select_from(LinkagePending)) == 0
    _check_golden(session, people)
    assert _in_review(session, people, "twin-1", "twin-2")  # vetoed: a person looks


def test_batch_run_builds_the_index_real_time_matching_uses(session: Session) -> None:
    people = _golden(session)
    store.run(session)
    assert session.scalar(select(func.count()).select_from(BlockKey)) > len(GOLDEN)
    org = session.get(Organisation, people["typo-a"].organisation_id)
    assert org is not None
    late = f.person(
        session,
        org,
        first_name="Charlotte",
        surname="Harrison",
        date_of_birth=date(1977, 11, 23),
        postcode="SM2 5HT",
        address_line="21 york road sutton",
    )
    session.commit()
    outcome = realtime.match_pending(session)
    assert outcome.joined == 1
    assert set(linked_record_ids(session, late.id)) == {people["typo-a"].id, people["typo-b"].id}


def test_a_rerun_changes_nothing_and_keeps_reviewers_decisions(session: Session) -> None:
    people = _golden(session, one_holder=True)
    store.run(session)
    org = session.get(Organisation, people["twin-1"].organisation_id)
    assert org is not None
    reviewer = f.actor_for(f.user(session, org, Role.IG_LEAD), org)
    session.commit()
    entities = {uid: realtime.entity_of(session, p.id) for uid, p in people.items()}
    events = session.scalar(select(func.count()).select_from(LedgerEntry))
    again = store.run(session)
    assert again.moved == 0
    assert {uid: realtime.entity_of(session, p.id) for uid, p in people.items()} == entities
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == (events or 0) + 1
    # A reviewer undoes the batch's join of the two typo records: a rerun keeps them apart.
    (decision,) = review.decisions_for(session, reviewer, people["typo-a"].id)
    review.unmerge(session, reviewer, decision.id, note="not the same")
    assert not _together(session, people, "typo-a", "typo-b")
    store.run(session)
    assert not _together(session, people, "typo-a", "typo-b")
    _check_golden_apart(session, people)


AMBIGUOUS = f"household rule: {rules.DOB_MISSING_AMBIGUOUS}"


def _add(
    session: Session, people: dict[str, PersonRecord], rows: list[tuple[str, ...]]
) -> dict[str, PersonRecord]:
    """Add golden-style rows (a blank date of birth is none) held by the golden organisations."""
    orgs = [session.get(Organisation, people[uid].organisation_id) for uid in ("twin-1", "twin-2")]
    for i, (uid, first, last, dob, postcode, gender, address) in enumerate(rows):
        org = orgs[i % len(orgs)]
        assert org is not None
        people[uid] = f.person(
            session,
            org,
            reference=uid,
            first_name=first,
            surname=last,
            date_of_birth=date.fromisoformat(dob) if dob else None,
            postcode=postcode,
            gender=gender or "not_known",
            address_line=address,
        )
    session.commit()
    return people


def _reason(session: Session, people: dict[str, PersonRecord], a: str, b: str) -> str | None:
    ids = {people[a].id, people[b].id}
    for r in session.scalars(select(LinkReview).where(LinkReview.status == ReviewStatus.PENDING)):
        if {r.record_a_id, r.record_b_id} == ids:
            return r.reason
    return None


def _background(session: Session, people: dict[str, PersonRecord], n: int = 200) -> None:
    """Synthetic people around the cases, so that names and addresses have realistic
    frequencies in a batch run (a handful of records makes every value common)."""
    rows = synthetic.records(n, seed=5).drop(columns=["truth"])
    _add(
        session,
        people,
        [
            (f"bg-{r.unique_id}", r.first_name, r.surname, r.dob, r.postcode, r.gender, r.address)
            for r in rows.itertuples(index=False)
        ],
    )


@pytest.mark.parametrize("how", ["real time", "batch"])
def test_a_missing_dob_joins_only_the_one_person_it_can_be(session: Session, how: str) -> None:
    people = _golden(session)
    _background(session, people)
    if how == "real time":
        realtime.match_pending(session)
        _add(session, people, MISSING_DOB)
        realtime.match_pending(session)
    else:
        _add(session, people, MISSING_DOB)
        store.run(session)
    _check_golden(session, people)
    # Father and son share a name and an address: a record of that name without a date of
    # birth could be either, so a person decides.
    for other in ("father", "son"):
        assert not _together(session, people, "hargreaves-nodob", other)
        assert _reason(session, people, "hargreaves-nodob", other) == AMBIGUOUS
    # One person and a copy without a date of birth: it can be only them.
    assert _together(session, people, "solo", "solo-nodob")


PRYCE = ("Thomas", "Pryce", "RH2 9QP", "male", "8 chart lane reigate")


def test_real_time_a_dated_record_joins_an_undated_one_only_while_one_person_is_possible(
    session: Session,
) -> None:
    first, last, postcode, gender, address = PRYCE
    people = _golden(session)
    _background(session, people)
    realtime.match_pending(session)
    # A record without a date of birth arrives first, then a dated record of that name: the
    # only person it can be so far, so they join.
    _add(session, people, [("pryce-nodob", first, last, "", postcode, gender, address)])
    realtime.match_pending(session)
    _add(session, people, [("pryce-father", first, last, "1955-01-09", postcode, gender, address)])
    realtime.match_pending(session)
    assert _together(session, people, "pryce-father", "pryce-nodob")
    # Then the son, of the same name: the undated record could now be either, so the son joins
    # neither it nor the father's entity through it, and a person reviews the pair.
    _add(session, people, [("pryce-son", first, last, "1984-10-30", postcode, gender, address)])
    realtime.match_pending(session)
    assert not _together(session, people, "pryce-son", "pryce-nodob")
    assert not _together(session, people, "pryce-son", "pryce-father")
    assert _reason(session, people, "pryce-son", "pryce-nodob") == AMBIGUOUS
    # A batch run sees everyone at once: the undated record could be either, so it joins
    # neither, and its pairs wait for a person.
    store.run(session)
    assert not _together(session, people, "pryce-nodob", "pryce-father")
    assert not _together(session, people, "pryce-nodob", "pryce-son")
    assert _reason(session, people, "pryce-nodob", "pryce-father") == AMBIGUOUS
    assert _reason(session, people, "pryce-nodob", "pryce-son") == AMBIGUOUS


def test_a_model_stored_before_the_one_edit_form_is_scored_in_it(session: Session) -> None:
    from joinedup.linkage import db_cli
    from joinedup.linkage import model as lm

    def conditions(document: dict[str, object]) -> list[str]:
        settings = document[lm.SETTINGS_KEY]
        assert isinstance(settings, dict)
        return [
            lv["sql_condition"] for c in settings["comparisons"] for lv in c["comparison_levels"]
        ]

    older = realtime.default_document()
    for comparison in older[lm.SETTINGS_KEY]["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level["sql_condition"].startswith("levenshtein("):
                column = comparison["output_column_name"]
                level["sql_condition"] = f'damerau_levenshtein("{column}_l", "{column}_r") <= 1'
    row = db_cli._store_model(session, older)
    matcher = realtime.active_matcher(session)
    assert matcher.model_id == row.id
    assert conditions(matcher.document) == conditions(realtime.default_document())
    assert any(c.startswith("damerau_levenshtein(") for c in conditions(row.document))
