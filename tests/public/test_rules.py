"""Pure rules of the public portal: references and secrets, the threshold window, clocks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from joinedup.public import rules
from joinedup.public.schemas import ReviewStatus

CODE = "[234679ACDEFGHJKMNPQRTUVWXYZ]"


def test_references_are_human_friendly_with_no_ambiguous_characters() -> None:
    for _ in range(200):
        assert re.fullmatch(f"CON-{CODE}{{4}}-{CODE}{{4}}", rules.new_reference("CON"))
        assert re.fullmatch(f"({CODE}{{4}}-){{4}}{CODE}{{4}}", rules.new_secret())
    assert not set("01OIL58SB") & set(rules.ALPHABET)


def test_secrets_are_high_entropy_and_never_repeat() -> None:
    secrets = {rules.new_secret() for _ in range(2000)}
    assert len(secrets) == 2000
    assert len(rules.ALPHABET) ** 20 > 2**94


def test_typed_references_and_secrets_are_tidied() -> None:
    assert rules.tidy_reference(" acr 7k3m q9xd ") == "ACR-7K3M-Q9XD"
    assert rules.tidy_reference("ACR7K3MQ9XD") == "ACR-7K3M-Q9XD"
    secret = rules.new_secret()
    digest = rules.secret_digest(secret)
    assert rules.secret_matches(digest, secret.lower().replace("-", " "))
    assert not rules.secret_matches(digest, rules.new_secret())
    assert secret not in digest


def test_keyed_digests_depend_on_the_key() -> None:
    a = rules.keyed_digest("k1" * 20, "client", "203.0.113.5")
    assert a != rules.keyed_digest("k2" * 20, "client", "203.0.113.5")
    assert "203.0.113.5" not in a


def test_postcodes_use_the_places_rules() -> None:
    assert rules.is_postcode("gu1 4lh") and rules.is_postcode("SW1A1AA")
    assert not rules.is_postcode("GU1") and not rules.is_postcode("12345")


def test_threshold_window_counts_separate_incidents_in_six_months() -> None:
    received = date(2026, 12, 2)
    dates = [date(2026, 6, 2), date(2026, 6, 1), date(2026, 11, 2), date(2026, 11, 2)]
    # 1 June is outside; two reports on 2 November are the same incident.
    assert rules.incidents_in_window(dates, received, 6) == 2
    assert rules.months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)


def test_clocks_count_working_days_and_flag_overdue() -> None:
    due = date(2026, 12, 16)
    assert rules.clock("Acknowledge", due, None, date(2026, 12, 2)).days_left == 10
    late = rules.clock("Acknowledge", due, None, date(2026, 12, 18))
    assert late.overdue and late.days_left == -2
    done = rules.clock("Acknowledge", due, datetime(2026, 12, 3, tzinfo=UTC), date(2026, 12, 18))
    assert not done.overdue and done.days_left is None
    assert rules.next_step([done, late]) == late


def test_every_status_reads_well_for_the_applicant() -> None:
    for status in ReviewStatus:
        assert rules.public_status_label(status)
