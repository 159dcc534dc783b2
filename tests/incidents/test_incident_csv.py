"""The JoinedUp incident CSV parser: rows to incidents, every refused row named (pure, no DB)."""

from __future__ import annotations

import csv
import io
import string
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.incidents.csvfiles import FileFormatError
from joinedup.incidents.incident_csv import COLUMNS, parse_text
from joinedup.incidents.schemas import TimePrecision

HEADER = ["incident_reference", "category", "occurred_at", "location_description", "postcode"]
PERSON = ["person_reference", "first_name", "surname", "date_of_birth", "role"]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def test_rows_of_one_incident_become_one_incident_with_its_people() -> None:
    text = csv_text(
        HEADER + PERSON,
        [
            [
                "HSG-1",
                "asb_personal",
                "2026-07-01 22:15",
                "Stoke Park flats",
                "GU1 1AA",
                "T-1",
                "Sam",
                "Okafor",
                "1971-02-03",
                "victim",
            ],
            ["HSG-1", "", "", "", "", "T-2", "Jo", "Reed", "03/04/2001", "suspect"],
            ["HSG-2", "Noise complaint", "2026-07-02", "", "", "", "", "", "", ""],
        ],
    )
    parsed = parse_text(text)
    assert parsed.problems == [] and parsed.rows_read == 3
    first, second = parsed.incidents
    assert first.lines == [2, 3] and second.lines == [4]
    assert [(p.role.value, p.person and p.person.reference) for p in first.item.people] == [
        ("victim", "T-1"),
        ("suspect", "T-2"),
    ]
    assert (
        first.item.people[1].person
        and str(first.item.people[1].person.date_of_birth) == "2001-04-03"
    )
    # UK local time (BST in July) stored in UTC; a bare date is day-precise.
    assert first.item.occurred_at == datetime(2026, 7, 1, 21, 15, tzinfo=UTC)
    assert second.item.category == "noise_complaint"
    assert second.item.occurred_precision is TimePrecision.DAY and second.item.people == []


def test_every_bad_row_is_named_by_line_column_and_reason_and_the_rest_parse() -> None:
    text = csv_text(
        HEADER + PERSON,
        [
            ["OK-1", "asb_personal", "", "", "", "", "", "", "", ""],
            ["BAD-1", "jaywalking", "", "", "", "", "", "", "", ""],
            ["BAD-2", "drugs", "yesterday", "", "", "", "", "", "", ""],
            ["BAD-3", "drugs", "", "", "", "T-9", "Al", "Sen", "1990-13-01", "victim"],
            ["BAD-4", "drugs", "", "", "", "T-9", "Al", "Sen", "", ""],
            ["BAD-5", "drugs", "", "", "", "T-9", "Al", "Sen", "", "bystander"],
            ["", "drugs", "", "", "", "", "", "", "", ""],
            ["SHORT", "drugs"],
            ["OK-2", "drugs", "", "", "", "", "", "", "", ""],
        ],
    )
    parsed = parse_text(text)
    assert [i.item.reference for i in parsed.incidents] == ["OK-1", "OK-2"]
    found = {(p.line, p.column) for p in parsed.problems}
    assert found == {
        (3, "category"),
        (4, "occurred_at"),
        (5, "date_of_birth"),
        (6, "role"),
        (7, "role"),
        (8, "incident_reference"),
        (9, ""),
    }
    assert all(p.reason for p in parsed.problems)


def test_one_bad_row_refuses_its_whole_incident() -> None:
    text = csv_text(
        HEADER + PERSON,
        [
            ["INC-1", "drugs", "", "", "", "T-1", "A", "B", "", "victim"],
            ["INC-1", "", "", "", "", "T-2", "C", "D", "", "nobody"],
            ["INC-1", "", "", "", "", "T-3", "E", "F", "", "witness"],
            ["INC-2", "drugs", "", "", "", "", "", "", "", ""],
            ["INC-2", "robbery", "", "", "", "", "", "", "", ""],
        ],
    )
    parsed = parse_text(text)
    assert parsed.incidents == []
    assert sorted(p.line for p in parsed.problems) == [2, 3, 4, 5, 6]
    assert any("differs from the incident's first row" in p.reason for p in parsed.problems)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("\r\n", "empty"),
        ("reference,kind\r\nx,y\r\n", "missing required columns: incident_reference, category"),
        ("incident_reference,category,colour\r\n", "unknown columns"),
        ("incident_reference,category,category\r\n", "columns named twice"),
    ],
)
def test_a_wrong_header_refuses_the_file(text: str, message: str) -> None:
    with pytest.raises(FileFormatError, match=message):
        parse_text(text)


cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
good_reference = st.text(
    alphabet=string.ascii_uppercase + string.digits + "-", min_size=1, max_size=10
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    header=st.lists(st.sampled_from(COLUMNS), min_size=2, max_size=8, unique=True).map(
        lambda h: [
            "incident_reference",
            "category",
            *[c for c in h if c not in ("incident_reference", "category")],
        ]
    ),
    rows=st.lists(st.lists(cell, min_size=0, max_size=10), max_size=12),
)
def test_any_file_accounts_for_every_row(header: list[str], rows: list[list[str]]) -> None:
    """Whatever the rows hold, the parser never crashes and every row read is either part of an
    incident or named as a problem, exactly once."""
    parsed = parse_text(csv_text(header, rows))
    used = [line for incident in parsed.incidents for line in incident.lines]
    problems = [p.line for p in parsed.problems]
    assert len(used) == len(set(used))
    assert set(used).isdisjoint(problems)
    assert len(used) + len(set(problems)) == parsed.rows_read
    assert all(p.reason for p in parsed.problems)


@settings(max_examples=100, deadline=None)
@given(
    incidents=st.dictionaries(
        good_reference,
        st.tuples(
            st.sampled_from(["asb_personal", "drugs", "noise_complaint", "missing_episode"]),
            st.lists(st.sampled_from(["victim", "suspect", "witness"]), max_size=3),
        ),
        max_size=8,
    )
)
def test_valid_rows_all_become_incidents(incidents: dict[str, tuple[str, list[str]]]) -> None:
    rows = []
    for ref, (category, roles) in incidents.items():
        if not roles:
            rows.append([ref, category, "", "", "", "", "", "", "", ""])
        for n, role in enumerate(roles):
            rows.append([ref, category, "", "", "", f"{ref}-P{n}", "Ann", "Lee", "", role])
    parsed = parse_text(csv_text(HEADER + PERSON, rows))
    assert parsed.problems == []
    assert {i.item.reference: i.item.category for i in parsed.incidents} == {
        ref: cat for ref, (cat, _roles) in incidents.items()
    }
    assert sum(len(i.item.people) for i in parsed.incidents) == sum(
        len(r) for _c, r in incidents.values()
    )
