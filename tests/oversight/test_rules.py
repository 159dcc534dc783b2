"""Misuse-monitoring rules (MON-1), pure."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from joinedup.oversight import rules
from joinedup.oversight.schemas import ReviewKind

USER, ORG, OTHER_ORG = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
T0 = datetime(2026, 6, 3, 13, 0, tzinfo=UTC)  # 14:00 in London (BST)


def read(at: datetime, seq: int = 1, **kw: object) -> rules.Fact:
    values: dict[str, object] = {
        "seq": seq,
        "at": at,
        "name": "person.viewed",
        "operation": "consultation",
        "actor_user_id": USER,
        "actor_organisation_id": ORG,
        "record_type": "person_record",
        "record_id": str(uuid.uuid4()),
        "record_organisation_id": ORG,
    }
    values.update(kw)
    return rules.Fact(**values)  # type: ignore[arg-type,unused-ignore]


def test_mon1_high_volume_counts_reads_in_one_hour() -> None:
    facts = [read(T0 + timedelta(minutes=i), seq=i) for i in range(6)]
    assert rules.high_volume_reads(facts, 6) == []
    signals = rules.high_volume_reads(facts, 5)
    assert [s.kind for s in signals] == [ReviewKind.HIGH_VOLUME_READS]
    assert signals[0].details["count"] == 6
    assert signals[0].dedupe_key == f"high_volume:{USER}:2026-06-03T14"


def test_mon1_repeated_denials_at_threshold() -> None:
    facts = [
        read(T0 + timedelta(minutes=i), name="access.denied", operation="authorisation")
        for i in range(3)
    ]
    assert len(rules.repeated_denials(facts, 3)) == 1
    assert rules.repeated_denials(facts, 4) == []


def test_mon1_out_of_hours_uses_london_nights() -> None:
    # 21:30 UTC in June is 22:30 in London: out of hours; 04:30 UTC is 05:30: still the night.
    evening = datetime(2026, 6, 3, 21, 30, tzinfo=UTC)
    facts = [read(evening + timedelta(hours=h)) for h in range(8)]
    assert all(rules.is_out_of_hours(f.at) for f in facts[:8])
    signals = rules.out_of_hours_bulk(facts, 7)
    assert len(signals) == 1
    assert signals[0].details["window"] == "night-2026-06-03"
    assert not rules.is_out_of_hours(T0)


def test_mon1_no_case_relationship_needs_another_organisations_record() -> None:
    own = read(T0)
    shared = read(T0, record_organisation_id=OTHER_ORG, details={"agreement_id": "a1"})
    bare = read(T0, record_organisation_id=OTHER_ORG)
    glass = read(T0, record_organisation_id=OTHER_ORG, purpose="break_glass")
    assert not rules.lacks_case_relationship(own)
    assert not rules.lacks_case_relationship(shared)
    assert rules.lacks_case_relationship(bare)
    assert rules.lacks_case_relationship(glass)
    assert len(rules.no_case_relationship([own, shared, bare, bare, glass])) == 2


def test_mon1_colleague_lookups_compare_on_the_server() -> None:
    fact = read(T0)
    names = {fact.record_id: rules.normalise_name("Dana", "  Colleague")}
    colleagues = {ORG: frozenset({rules.normalise_name("dana colleague")})}
    signals = rules.colleague_lookups([fact], names, colleagues)
    assert len(signals) == 1
    assert "dana" not in str(signals[0].details).lower()
    assert rules.colleague_lookups([fact], names, {OTHER_ORG: colleagues[ORG]}) == []


def test_mon1_an_approved_grant_covers_a_cross_organisation_read() -> None:
    fact = read(T0, record_organisation_id=OTHER_ORG)
    grant = rules.GrantWindow(USER, fact.record_id, T0 - timedelta(days=1), T0 + timedelta(days=1))
    expired = rules.GrantWindow(
        USER, fact.record_id, T0 - timedelta(days=9), T0 - timedelta(days=1)
    )
    assert not rules.lacks_case_relationship(fact, grants=[grant])
    assert rules.lacks_case_relationship(fact, grants=[expired])
    isa = rules.AgreementWindow(frozenset({ORG, OTHER_ORG}), frozenset({"marac"}), lambda at: True)
    assert not rules.lacks_case_relationship(fact, agreements=[isa])
    marac_only = read(T0, record_organisation_id=OTHER_ORG, purpose="safeguarding")
    assert rules.lacks_case_relationship(marac_only, agreements=[isa])
