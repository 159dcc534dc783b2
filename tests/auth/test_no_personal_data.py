"""No user name or password reaches a log line or the audit ledger (AUD-4, AUTH-1)."""

from __future__ import annotations

import logging

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.auth.models import LoginAttempt
from joinedup.auth.rules import new_totp_secret
from tests.auth.fixtures import FakeClock, MakeUser, post_form, sign_in

CANARY_USER = "canary.zqxj"
CANARY_PASSWORD = "Canary-Password-Qz9!"
TYPO_PASSWORD = "Typed-Into-Username-Qz7"


def _ledger_text(session: Session) -> str:
    session.expire_all()
    rows = session.scalars(select(LedgerEntry)).all()
    return "\n".join(
        repr((r.name, r.actor_role, r.record_id, r.justification, r.recipient_person, r.details))
        for r in rows
    )


def test_aud4_no_user_name_or_password_in_logs_or_ledger(
    client: TestClient,
    session: Session,
    make_user: MakeUser,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="joinedup")
    secret = new_totp_secret()
    make_user(CANARY_USER, password=CANARY_PASSWORD)
    make_user("canary.totp", password=CANARY_PASSWORD, totp_secret=secret)
    sign_in(client, CANARY_USER, "wrong-" + CANARY_PASSWORD)
    sign_in(client, TYPO_PASSWORD, CANARY_PASSWORD)  # a password typed as the user name
    for _ in range(6):
        sign_in(client, CANARY_USER, "wrong-" + CANARY_PASSWORD)
    assert sign_in(client, CANARY_USER, CANARY_PASSWORD).status_code == 429
    clock.advance(minutes=2)
    assert sign_in(client, CANARY_USER, CANARY_PASSWORD).status_code == 303
    data = {"password": CANARY_PASSWORD, "next": "/"}
    assert post_form(client, "/account/reauthenticate", data, "/account/reauthenticate").is_redirect
    token = {"name": "x", "expires_in_days": "30"}
    assert post_form(client, "/account/api-tokens", token, "/account/api-tokens").is_success
    assert post_form(client, "/sign-out", {}, "/account/api-tokens").is_redirect
    assert sign_in(client, "canary.totp", CANARY_PASSWORD).is_redirect
    code = {"code": pyotp.TOTP(secret).at(clock.now)}
    assert post_form(client, "/sign-in/code", code, "/sign-in/code").is_redirect
    assert client.get("/api/v1/me").is_success

    logged = caplog.text + "\n".join(repr(r.__dict__) for r in caplog.records)
    ledger = _ledger_text(session)
    attempts = repr([a.username_digest for a in session.scalars(select(LoginAttempt))])
    assert "auth.login_throttled" in ledger and "auth.login_succeeded" in ledger
    for canary in (CANARY_USER, CANARY_PASSWORD, TYPO_PASSWORD, "canary"):
        assert canary not in logged
        assert canary not in ledger
        assert canary not in attempts
