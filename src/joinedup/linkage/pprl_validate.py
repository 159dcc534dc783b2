"""Checking an upload of encodings line by line, before anything is stored.

Pure: no database or web code. Every line must be a JSON object holding exactly ``unique_id``
(the partner's own reference: a non-blank string of at most ``MAX_REFERENCE`` characters, no
control characters, not repeated) and ``clk`` (base64 of exactly the schema's filter length in
bytes). A problem names the line and the reason, never the line's content: an upload with any
problem is refused whole.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass

LINE_KEYS = frozenset({"unique_id", "clk"})
MAX_REFERENCE = 200
MAX_LINE_CHARS = 4096


@dataclass(frozen=True, slots=True)
class Entry:
    """One valid line: the partner's reference and the encoding's bytes."""

    line: int
    reference: str
    clk: bytes


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a line (0: the whole file) was refused; names no value from the file."""

    line: int
    reason: str


def _reference(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > MAX_REFERENCE or any(ord(c) < 32 or ord(c) == 127 for c in text):
        return None
    return text


def _clk(value: object, clk_bytes: int) -> bytes | str:
    """The decoded encoding, or the reason it is refused."""
    if not isinstance(value, str):
        return "clk must be a base64 string"
    try:
        clk = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "clk is not valid base64"
    if len(clk) != clk_bytes:
        return (
            f"clk must decode to {clk_bytes} bytes (the schema's filter length), not {len(clk)}: "
            "was it encoded with the partnership's schema?"
        )
    return clk


def check_doc(number: int, doc: object, clk_bytes: int) -> Entry | Problem:
    """One parsed line (a JSON value) as an ``Entry``, or the ``Problem`` with it."""
    if not isinstance(doc, dict):
        return Problem(number, "the line is not a JSON object")
    if set(doc) != LINE_KEYS:
        return Problem(number, "a line must hold exactly 'unique_id' and 'clk', nothing else")
    reference = _reference(doc["unique_id"])
    if reference is None:
        return Problem(
            number,
            f"unique_id must be a non-blank string of at most {MAX_REFERENCE} characters "
            "with no control characters",
        )
    clk = _clk(doc["clk"], clk_bytes)
    if isinstance(clk, str):
        return Problem(number, clk)
    return Entry(number, reference, clk)


def check_line(number: int, text: str, clk_bytes: int) -> Entry | Problem:
    """One line of an upload as an ``Entry``, or the ``Problem`` with it."""
    if len(text) > MAX_LINE_CHARS:
        return Problem(number, "the line is too long to be one encoding")
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return Problem(number, "the line is not JSON")
    return check_doc(number, doc, clk_bytes)


def _collect(found: Iterable[Entry | Problem]) -> tuple[list[Entry], list[Problem]]:
    """Entries and problems in line order; a repeated ``unique_id`` is a problem too."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    for item in found:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        earlier = first_seen.setdefault(item.reference, item.line)
        if earlier != item.line:
            problems.append(Problem(item.line, f"unique_id repeats the one on line {earlier}"))
            continue
        entries.append(item)
    if not entries and not problems:
        problems.append(Problem(0, "the file holds no encodings"))
    return entries, problems


def check_lines(lines: Iterable[str], clk_bytes: int) -> tuple[list[Entry], list[Problem]]:
    """Every non-blank line checked (blank lines are skipped but counted)."""
    return _collect(
        check_line(number, text, clk_bytes)
        for number, text in enumerate(lines, start=1)
        if text.strip()
    )


def check_docs(docs: Iterable[object], clk_bytes: int) -> tuple[list[Entry], list[Problem]]:
    """``check_lines`` over already parsed lines (the API's list): item N is line N."""
    return _collect(check_doc(number, doc, clk_bytes) for number, doc in enumerate(docs, start=1))


def check_text(data: bytes, clk_bytes: int) -> tuple[list[Entry], list[Problem]]:
    """``check_lines`` over an uploaded file's bytes (UTF-8, an optional BOM)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, "the file is not UTF-8 text (JSON lines)")]
    return check_lines(text.splitlines(), clk_bytes)
