"""Pure sign-in rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from joinedup.auth.rules import (
    SessionTimes,
    api_token_prefix,
    match_totp,
    new_api_token,
    safe_next,
    session_end_reason,
    sign_value,
    unsign_value,
    username_digest,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/account/api-tokens", "/account/api-tokens"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/search?q=Jane+Doe", "/"),
        ("/a#b", "/"),
        ("/a\nb", "/"),
        ("/" + "a" * 400, "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_web1_safe_next_keeps_local_paths_only(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_ses1_session_end_reasons() -> None:
    times = SessionTimes(last_seen_at=NOW, expires_at=NOW + timedelta(hours=12), idle_minutes=15)
    assert session_end_reason(times, NOW + timedelta(minutes=14, seconds=59)) is None
    assert session_end_reason(times, NOW + timedelta(minutes=15)) == "idle_timeout"
    assert session_end_reason(times, NOW + timedelta(hours=12)) == "expired"


def test_auth1_totp_window_is_one_step_either_side() -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    step = totp.timecode(NOW)
    assert match_totp(secret, totp.at(NOW), NOW) == step
    assert match_totp(secret, totp.at(NOW, counter_offset=-1), NOW) == step - 1
    assert match_totp(secret, totp.at(NOW, counter_offset=1), NOW) == step + 1
    assert match_totp(secret, totp.at(NOW, counter_offset=2), NOW) is None
    assert match_totp(secret, "12345", NOW) is None
    assert match_totp(secret, "abcdef", NOW) is None


def test_auth1_api_token_format() -> None:
    token, prefix = new_api_token()
    assert token.startswith(f"ju_{prefix}_")
    assert api_token_prefix(token) == prefix
    assert api_token_prefix("ju_nothex00_" + "a" * 43) is None
    assert api_token_prefix("Bearer something") is None


def test_signed_values_refuse_tampering() -> None:
    signed = sign_value("k" * 40, "csrf", "abc")
    assert unsign_value("k" * 40, "csrf", signed) == "abc"
    assert unsign_value("k" * 40, "other", signed) is None
    assert unsign_value("x" * 40, "csrf", signed) is None
    assert unsign_value("k" * 40, "csrf", "abd" + signed[3:]) is None
    assert unsign_value("k" * 40, "csrf", None) is None


def test_username_digest_is_keyed_and_normalised() -> None:
    assert username_digest("k", " Alex.Morgan ") == username_digest("k", "alex.morgan")
    assert username_digest("k", "alex.morgan") != username_digest("j", "alex.morgan")
