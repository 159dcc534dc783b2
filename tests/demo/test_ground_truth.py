"""The demo's planned population and ground truth, checked without a database."""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache

from joinedup.demo import organisations as orgs
from joinedup.demo.addresses import POSTCODE_AREAS
from joinedup.demo.groundtruth import build_ground_truth, plan
from joinedup.demo.incidents import background_incidents
from joinedup.demo.names import NICKNAMES, transposed
from joinedup.demo.population import Builder
from joinedup.places.schemas import SURREY_DISTRICTS

PEOPLE = 400


@lru_cache(maxsize=4)
def _plan(seed: int = 5, people: int = PEOPLE) -> Builder:
    return plan(seed, people)


def test_the_same_seed_gives_the_same_ground_truth():
    first = build_ground_truth(5, 200)
    assert first == build_ground_truth(5, 200)
    assert json.loads(json.dumps(first)) == first
    other = build_ground_truth(6, 200)
    assert other["records"] != first["records"]


def test_every_record_names_its_true_person_and_is_unique():
    truth = build_ground_truth(5, PEOPLE)
    keys = [(r["organisation"], r["reference"]) for r in truth["records"]]
    assert len(keys) == len(set(keys))
    assert truth["true_people"] == PEOPLE
    assert len({r["person_id"] for r in truth["records"]}) == PEOPLE
    assert {r["organisation"] for r in truth["records"]} <= set(orgs.BY_NAME)


def test_copies_differ_realistically():
    population = _plan().population
    persons = {p.id: p for p in population.persons}
    seen = Counter(v for r in population.records for v in r.variations)
    for kind in ("nickname", "typo_surname", "typo_first_name", "dob_missing", "moved_address",
                 "gender_missing"):  # fmt: skip
        assert seen[kind] > 0, kind
    for record in population.records:
        person = persons[record.person_id]
        other_name_changes = {"names_swapped", "typo_first_name"} & set(record.variations)
        if "nickname" in record.variations and not other_name_changes:
            assert record.first_name in NICKNAMES[person.first_name]
        if record.variations == ("typo_surname",):
            assert record.surname != person.surname
            assert abs(len(record.surname) - len(person.surname)) <= 1
        if "dob_missing" in record.variations:
            assert record.date_of_birth is None
        if "dob_day_month_transposed" in record.variations:
            assert record.date_of_birth == transposed(person.date_of_birth)
        if not record.variations:
            assert (record.first_name, record.surname) == (person.first_name, person.surname)


def test_homes_are_on_surrey_streets_with_postcodes_of_their_district():
    for person in _plan().population.persons:
        address = person.address
        assert address.district in SURREY_DISTRICTS
        assert address.lsoa_name.startswith(address.district)
        outward = address.postcode.split()[0]
        assert outward in {code for code, _town in POSTCODE_AREAS[address.district]}
        assert 51.0 < address.latitude < 51.6 and -0.9 < address.longitude < 0.1


def test_hard_cases_are_planted_and_tagged():
    population = _plan().population
    persons = {p.id: p for p in population.persons}
    kinds = Counter(h.kind for h in population.hard_cases)
    assert kinds == {"twins": 3, "father_and_son": 3, "changed_name": 3, "child_and_parent": 3}
    for case in population.hard_cases:
        people = [persons[i] for i in case.person_ids]
        if case.kind == "twins":
            one, two = people
            assert (one.surname, one.address, one.date_of_birth) == (
                two.surname, two.address, two.date_of_birth)  # fmt: skip
            assert one.first_name != two.first_name
        if case.kind == "father_and_son":
            father, son = people
            assert (father.first_name, father.surname) == (son.first_name, son.surname)
            assert father.address == son.address and father.date_of_birth != son.date_of_birth
        if case.kind == "changed_name":
            earlier, now = case.records
            assert earlier.person_id == now.person_id
            assert earlier.surname != now.surname and earlier.address != now.address


def test_at_least_thirty_stories_with_guildford_and_mental_health_overlap():
    truth = build_ground_truth(5, PEOPLE)
    stories = truth["stories"]
    assert len(stories) >= 30
    assert len({s["id"] for s in stories}) == len(stories)
    for story in stories:
        assert story["kind"] and story["description"] and story["person_ids"]
        assert story["records"] and story["incidents"]
    by_person: dict[str, set[str]] = {}
    record_person = {(r["organisation"], r["reference"]): r["person_id"] for r in truth["records"]}
    for story in stories:
        for ref in story["records"]:
            person = record_person[(ref["organisation"], ref["reference"])]
            by_person.setdefault(person, set()).add(ref["organisation"])
    both = [p for p, held in by_person.items() if {orgs.GUILDFORD, orgs.MH_TRUST} <= held]
    assert len(both) >= 3


def test_the_benchmark_person_is_a_guildford_record_with_100_incidents():
    builder = _plan()
    truth = build_ground_truth(5, PEOPLE)
    benchmark = truth["benchmark_person"]
    assert benchmark["organisation"] == orgs.GUILDFORD
    assert benchmark["involvements"] == 100
    assert len(builder.population.benchmark_incidents) == 100


def test_incidents_involve_only_their_own_organisations_records():
    builder = plan(5, 200)
    specs = background_incidents(builder, 500, builder.population.benchmark)
    assert len(specs) == 500
    for spec in specs + [i for s in builder.population.stories for i in s.incidents]:
        assert all(record.organisation == spec.organisation for record, _role in spec.parties)
        assert spec.report_delay.total_seconds() > 0
        assert spec.ago.days <= 731
    assert builder.population.benchmark is not None
    benchmark_key = builder.population.benchmark.key
    assert not any(r.key == benchmark_key for s in specs for r, _role in s.parties)
