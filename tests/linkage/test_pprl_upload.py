"""Uploading partners' encodings and matching them: line-by-line checks, all-or-nothing storage,
re-upload replacement, matching on a small realistic set, the ledger (AUD-1, AUD-4), the page,
the API and the command line."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from joinedup.access.context import load_context
from joinedup.audit.models import LedgerEntry
from joinedup.cli import app as cli_app
from joinedup.config import get_settings
from joinedup.db import engine_for, session_factory
from joinedup.linkage import pprl_service
from joinedup.linkage.pprl_models import PprlEncoding, PprlFlag, PprlUpload, UploadKind
from joinedup.linkage.pprl_service import CLK_BYTES, Uploader, UploadRefused
from joinedup.linkage.pprl_validate import check_text
from joinedup.partners.schemas import Role
from tests import factories as f
from tests.auth.fixtures import csrf_from
from tests.linkage import pprl_world as pw
from tests.pages import csrf_header, sign_in_as


def _store(
    session: Session, org_id: object, kind: UploadKind, data: bytes
) -> pprl_service.UploadOutcome:
    entries, problems = check_text(data, CLK_BYTES)
    return pprl_service.upload(
        session=session,
        uploader=Uploader(org_id),  # type: ignore[arg-type]
        kind=kind,
        entries=entries,
        problems=problems,
    )


def _match(session: Session, holders: list[object] | None = None) -> pprl_service.MatchSummary:
    return pprl_service.match_holders(
        session=session,
        uploader=Uploader(),
        threshold=0.8,
        holders=holders,  # type: ignore[arg-type]
    )


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _events(session: Session, name: str) -> list[LedgerEntry]:
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.name == name)))


def test_every_problem_line_is_reported_and_nothing_is_stored(session: Session) -> None:
    p = pw.build(session)
    good = pw.trust_lines()
    clk = json.loads(good[0])["clk"]
    short = base64.b64encode(b"\x01" * 16).decode()
    bad = [
        good[0],
        json.dumps({"unique_id": "MH-9", "clk": clk, "name": "Jordan Whitfield"}),
        json.dumps({"unique_id": "MH-10", "clk": "not base64!"}),
        json.dumps({"unique_id": "MH-11", "clk": short}),
        json.dumps({"unique_id": "MH-1001", "clk": clk}),  # repeats line 1
        json.dumps({"unique_id": "  ", "clk": clk}),
        "{not json",
        "",
        json.dumps(["MH-12", clk]),
    ]
    with pytest.raises(UploadRefused) as refused:
        _store(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(bad))
    got = [(x.line, x.reason) for x in refused.value.problems]
    assert [line for line, _ in got] == [2, 3, 4, 5, 6, 7, 9]
    reasons = dict(got)
    assert "exactly 'unique_id' and 'clk'" in reasons[2]
    assert "not valid base64" in reasons[3]
    assert f"{CLK_BYTES} bytes" in reasons[4] and "not 16" in reasons[4]
    assert "repeats the one on line 1" in reasons[5]
    assert "non-blank" in reasons[6]
    assert reasons[7] == "the line is not JSON"
    # A problem never repeats the line's content (AUD-4).
    assert not any("Jordan" in r or "MH-" in r for _, r in got)
    assert _count(session, PprlUpload) == 0 and _count(session, PprlEncoding) == 0
    assert _events(session, "pprl.encodings_uploaded") == []


def test_known_references_must_be_the_organisations_own_records(session: Session) -> None:
    p = pw.build(session)
    # The council's record in the police's upload: refused whole, naming the line.
    mixed = pw.known_lines(p.police_people[:2]) + pw.known_lines(p.council_people[:1])
    with pytest.raises(UploadRefused) as refused:
        _store(session, p.police.id, UploadKind.KNOWN, pw.as_bytes(mixed))
    assert [(x.line, x.reason) for x in refused.value.problems] == [
        (3, "unique_id is not the reference of one of your person records")
    ]
    assert _count(session, PprlUpload) == 0 and _count(session, PprlEncoding) == 0
    done = _store(session, p.police.id, UploadKind.KNOWN, pw.as_bytes(mixed[:2]))
    assert done.encodings == 2
    stored = set(session.scalars(select(PprlEncoding.person_record_id)))
    assert stored == {p.police_people[0].id, p.police_people[1].id}


def test_an_empty_or_non_utf8_file_is_refused(session: Session) -> None:
    p = pw.build(session)
    for data in (b"", b"\n\n", b"\xff\xfe\x00garbage"):
        with pytest.raises(UploadRefused) as refused:
            _store(session, p.trust.id, UploadKind.HOLDER, data)
        assert refused.value.problems[0].line == 0
    assert _count(session, PprlUpload) == 0


def test_a_reupload_replaces_the_previous_one_atomically(session: Session) -> None:
    p = pw.build(session)
    trust = pw.trust_lines()
    first = _store(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(trust))
    assert (first.encodings, first.replaced) == (4, 0)
    # A re-upload with a problem changes nothing: the first upload stays whole.
    with pytest.raises(UploadRefused):
        _store(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(trust[:2] + ["oops"]))
    session.expire_all()
    assert session.scalars(select(PprlUpload.id)).all() == [first.upload_id]
    assert _count(session, PprlEncoding) == 4
    second = _store(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(trust[:2]))
    assert (second.encodings, second.replaced) == (2, 4)
    assert session.scalars(select(PprlUpload.id)).all() == [second.upload_id]
    refs = set(session.scalars(select(PprlEncoding.reference)))
    assert refs == {"MH-1001", "MH-1002"}
    # The two kinds are separate uploads of the same organisation.
    assert _count(session, PprlUpload) == 1


def test_matching_a_small_realistic_set(session: Session) -> None:
    p = pw.build(session)
    _store(session, p.police.id, UploadKind.KNOWN, pw.as_bytes(pw.known_lines(p.police_people)))
    _store(session, p.council.id, UploadKind.KNOWN, pw.as_bytes(pw.known_lines(p.council_people)))
    _store(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(pw.trust_lines()))
    summary = _match(session)
    flags = {
        (x.person_record_id, x.holder_reference): x.score for x in session.scalars(select(PprlFlag))
    }
    expected = {
        (p.police_people[0].id, "MH-1001"),  # Whitfield / Whitfeld
        (p.police_people[3].id, "MH-1002"),  # Hartley-Jones / Hartley Jones, UK date order
        (p.council_people[0].id, "MH-1003"),
    }
    assert set(flags) == expected
    assert all(0.8 <= s <= 1.0 for s in flags.values())
    assert (summary.holders, summary.flags, summary.known_encodings) == (1, 3, 8)
    holder = session.scalars(select(PprlUpload).where(PprlUpload.kind == UploadKind.HOLDER)).one()
    assert holder.matched_count == 3 and holder.matched_at is not None
    # A different secret gives unrelated encodings: nothing matches.
    _store(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(pw.trust_lines(b"x" * 40)))
    assert _match(session).flags == 0 and _count(session, PprlFlag) == 0


def test_a_holder_reupload_replaces_its_flags(session: Session) -> None:
    p = pw.build(session)
    _store(session, p.police.id, UploadKind.KNOWN, pw.as_bytes(pw.known_lines(p.police_people)))
    _store(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(pw.trust_lines()))
    _match(session, [p.trust.id])
    assert _count(session, PprlFlag) == 2
    _store(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(pw.trust_lines()[1:]))
    _match(session, [p.trust.id])
    assert set(session.scalars(select(PprlFlag.holder_reference))) == {"MH-1002"}


def test_aud1_upload_is_a_collection_and_matching_a_combination(session: Session) -> None:
    p = pw.build(session)
    trust = pw.trust_lines()
    _store(session, p.police.id, UploadKind.KNOWN, pw.as_bytes(pw.known_lines(p.police_people)))
    _store(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(trust))
    _match(session)
    uploaded = _events(session, "pprl.encodings_uploaded")
    assert [e.operation.value for e in uploaded] == ["collection", "collection"]
    assert {e.record_organisation_id for e in uploaded} == {p.police.id, p.trust.id}
    [matched] = _events(session, "pprl.matched")
    assert matched.operation.value == "combination"
    assert matched.record_organisation_id == p.trust.id
    assert matched.details["flags"] == 2 and matched.details["holder_encodings"] == 4


def test_aud4_the_ledger_never_holds_encodings_or_references(session: Session) -> None:
    p = pw.build(session)
    trust = pw.trust_lines()
    _store(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(trust))
    _store(session, p.police.id, UploadKind.KNOWN, pw.as_bytes(pw.known_lines(p.police_people)))
    _match(session)
    ledger = " ".join(
        json.dumps(e.details) + e.record_id + e.justification
        for e in session.scalars(select(LedgerEntry))
    )
    for line in trust:
        doc = json.loads(line)
        assert doc["clk"][:24] not in ledger and doc["unique_id"] not in ledger


# --- the page, the API and the command line ---------------------------------------------------


def test_the_upload_page_is_for_administrators_and_ig_leads(
    client: TestClient, session: Session
) -> None:
    p = pw.build(session)
    sign_in_as(client, session, p.trust, Role.PRACTITIONER)
    assert client.get("/encodings").status_code == 403
    assert _events(session, "access.denied")
    other = TestClient(client.app)
    sign_in_as(other, session, p.trust, Role.IG_LEAD)
    page = other.get("/encodings")
    assert page.status_code == 200 and "Upload encodings" in page.text


def test_the_page_refuses_a_bad_file_with_every_problem_line(
    client: TestClient, session: Session
) -> None:
    p = pw.build(session)
    sign_in_as(client, session, p.trust, Role.ADMIN)
    page = client.get("/encodings")
    bad = pw.trust_lines()[:2] + ['{"unique_id": "MH-7", "clk": "AAAA", "dob": "1990-02-03"}']
    sent = client.post(
        "/encodings",
        data={"csrf_token": csrf_from(page.text), "kind": "holder"},
        files={"file": ("trust.jsonl", pw.as_bytes(bad), "application/x-ndjson")},
    )
    assert sent.status_code == 422
    assert "nothing was stored" in sent.text and "Problem lines" in sent.text
    assert "1990-02-03" not in sent.text and "MH-7" not in sent.text
    assert _count(session, PprlUpload) == 0
    missing = client.post(
        "/encodings", data={"csrf_token": csrf_from(page.text)}, files={"file": ("", b"")}
    )
    assert missing.status_code == 422 and "Select what the encodings are of" in missing.text


def test_the_page_stores_and_matches(client: TestClient, session: Session) -> None:
    p = pw.build(session)
    _store(session, p.police.id, UploadKind.KNOWN, pw.as_bytes(pw.known_lines(p.police_people)))
    sign_in_as(client, session, p.trust, Role.ADMIN)
    page = client.get("/encodings")
    sent = client.post(
        "/encodings",
        data={"csrf_token": csrf_from(page.text), "kind": "holder"},
        files={"file": ("trust.jsonl", pw.as_bytes(pw.trust_lines()), "application/x-ndjson")},
    )
    assert sent.status_code == 200 and "Your encodings were stored and matched" in sent.text
    assert _count(session, PprlFlag) == 2
    # The page lists counts, never references or encodings.
    assert "MH-1001" not in sent.text


def test_the_api_takes_the_same_lines(client: TestClient, session: Session) -> None:
    p = pw.build(session)
    sign_in_as(client, session, p.police, Role.ADMIN)
    body = {"kind": "known", "encodings": [json.loads(x) for x in pw.known_lines(p.police_people)]}
    made = client.post("/api/v1/pprl/encodings", json=body, headers=csrf_header(client))
    assert made.status_code == 201, made.text
    assert made.json()["encodings"] == 6 and made.json()["replaced"] == 0
    body["encodings"][1]["clk"] = "AAAA"
    refused = client.post("/api/v1/pprl/encodings", json=body, headers=csrf_header(client))
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["line"] == 2
    [listed] = client.get("/api/v1/pprl/uploads").json()
    assert listed["encodings"] == 6 and listed["kind"] == "known" and "clk" not in listed


@pytest.fixture
def cli_env(
    engine: object, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    monkeypatch.setenv("JOINEDUP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_the_command_line_uploads_and_matches(
    cli_env: CliRunner, session: Session, tmp_path: Path
) -> None:
    p = pw.build(session)
    known = tmp_path / "police.jsonl"
    known.write_bytes(pw.as_bytes(pw.known_lines(p.police_people)))
    holder = tmp_path / "trust.jsonl"
    holder.write_bytes(pw.as_bytes(pw.trust_lines()))
    done = cli_env.invoke(
        cli_app, ["pprl", "upload", str(known), "--org", "Surrey Police", "--kind", "known"]
    )
    assert done.exit_code == 0, done.output
    args = ["pprl", "upload", str(holder), "--org", "Surrey and Borders Trust", "--kind", "holder"]
    done = cli_env.invoke(cli_app, args)
    assert done.exit_code == 0, done.output
    assert "Known-to flags" in done.output
    session.expire_all()
    assert _count(session, PprlFlag) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"unique_id": "MH-1", "clk": "AAAA"}\n', encoding="utf-8")
    refused = cli_env.invoke(cli_app, [*args[:2], str(bad), *args[3:]])
    assert refused.exit_code == 2 and "line 1" in refused.output
    assert _count(session, PprlFlag) == 2
    unknown = cli_env.invoke(
        cli_app, ["pprl", "upload", str(holder), "--org", "Nobody", "--kind", "holder"]
    )
    assert unknown.exit_code == 1
    again = cli_env.invoke(cli_app, ["pprl", "rematch"])
    assert again.exit_code == 0 and "Holders matched" in again.output


def test_ac4_row_security_keeps_encodings_and_flags_to_their_organisation(
    session: Session, engine: object, app_database_url: str
) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("row-level security is a PostgreSQL feature")
    for table in ("pprl_upload", "pprl_encoding", "pprl_flag"):
        forced = session.execute(
            text(
                "SELECT c.relrowsecurity, c.relforcerowsecurity FROM pg_class c"
                " WHERE c.relname = :t AND c.relkind = 'r'"
            ),
            {"t": table},
        ).one()
        assert tuple(forced) == (True, True), table
    p = pw.build(session)
    _store(session, p.police.id, UploadKind.KNOWN, pw.as_bytes(pw.known_lines(p.police_people)))
    _store(session, p.trust.id, UploadKind.HOLDER, pw.as_bytes(pw.trust_lines()))
    _match(session)
    police = f.actor_for(f.user(session, p.police), p.police)
    session.commit()
    with session_factory(engine_for(app_database_url))() as app:
        load_context(app, police)
        orgs = set(app.scalars(text("SELECT organisation_id FROM pprl_encoding")))
        assert orgs == {p.police.id}
        assert app.scalar(text("SELECT count(*) FROM pprl_flag")) == 0  # the trust's flags
        assert set(app.scalars(text("SELECT organisation_id FROM pprl_upload"))) == {p.police.id}
        app.rollback()
