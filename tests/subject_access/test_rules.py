"""Subject access rules: the one-month clock and free-text redaction (DSR-1)."""

from __future__ import annotations

from datetime import date

from joinedup.subject_access import rules


def test_dsr1_due_one_calendar_month_after_receipt() -> None:
    assert rules.due_on(date(2026, 3, 15)) == date(2026, 4, 15)
    assert rules.due_on(date(2026, 1, 31)) == date(2026, 2, 28)
    assert rules.due_on(date(2028, 1, 31)) == date(2028, 2, 29)
    assert rules.due_on(date(2026, 12, 31)) == date(2027, 1, 31)


def test_dsr1_overdue_only_when_open_and_past_due() -> None:
    assert rules.is_overdue(date(2026, 4, 15), date(2026, 4, 16), "open")
    assert not rules.is_overdue(date(2026, 4, 15), date(2026, 4, 15), "open")
    assert not rules.is_overdue(date(2026, 4, 15), date(2026, 5, 1), "completed")


def test_dsr1_redacts_names_and_addresses_whole_words_any_case() -> None:
    terms = rules.third_party_terms(
        "Peter", "", "Perpson", "99 Danger Road", "Guildford", "GU3 3DD"
    )
    text = "PETER perpson came from 99 danger road (gu3 3dd); Peterson is someone else."
    out = rules.redact(text, terms)
    assert "peter " not in out.lower() and "perpson" not in out.lower()
    assert "danger road" not in out.lower() and "gu3 3dd" not in out.lower()
    assert "Peterson" in out
    assert rules.other_person_text("Suspect") == "another person (suspect)"
