"""Privacy-preserving "known to" matching with Bloom-filter encodings (CLKs).

A partner that may not share identities (the mental-health trust, say) encodes its records
*locally* with a secret shared among the partners only, and uploads nothing but the encodings.
The platform compares encodings with those of people other partners hold and learns, for each
pair above a threshold, only that the two encodings are similar: never a name.

The encoding is the cryptographic long-term key (CLK) of Schnell, Bachteler and Reiher
(2009, 2011), as the clkhash linkage schema describes it:

* every field is normalised (case, accents, whitespace, punctuation; dates as ``YYYYMMDD``;
  postcodes without spaces) and cut into q-grams (bigrams of the value padded with one space
  each side for names and postcodes, position-tagged unigrams for dates);
* each q-gram sets ``k`` bits of one shared filter of ``L = filter_bits`` bits (``k × weight``,
  or, with a field's ``bits`` budget, ``ceil(bits × weight / number of q-grams)`` — clkhash's
  "bitsPerFeature" strategy), at the positions ``(h1 + i·h2) mod L`` for ``i < k`` (keyed double
  hashing), where ``h1`` is HMAC-SHA256 and ``h2`` HMAC-SHA1 of the q-gram under keys derived
  for *that field* from the shared secret (HKDF-SHA256, RFC 5869, salted with the schema's salt
  and the field's name, or its ``key`` group), so the same bigram in two fields sets unrelated
  bits; ``h2 ≡ 0 (mod L)`` is re-hashed (the "non-singular" variant) so that no q-gram
  collapses onto one bit;
* two encodings are compared by the Dice coefficient ``2|A∧B| / (|A| + |B|)``.

Matching keeps, for every encoding of the first set, its ``k`` best candidates at or above the
threshold, and then solves greedily (highest score first) so that each encoding is matched at
most once, as anonlink's ``find_candidate_pairs(..., k=...)`` and ``greedy_solve`` do.

Pure module: no database or web code. ``known_to_matches`` is the entry point the app calls
(``pprl_service.match_holders``) to raise "known to" flags from partners' uploads.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

SCHEMA_VERSION = 1
HASHING = "double-hmac-sha256-sha1"
KINDS = ("name", "date", "postcode", "gender", "text")
MIN_SECRET_BYTES = 32
ENCODE_CHUNK = 50_000  # records whose unpacked bits are held at once (50 MB at 1,024 bits)

Bits = npt.NDArray[np.uint8]


class SchemaError(ValueError):
    """A linkage schema that is malformed or of an unknown version."""


class SecretError(ValueError):
    """A shared secret that is missing, unreadable or too short (its value is never shown)."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one field is normalised and hashed into the filter.

    ``q`` is the q-gram size; ``k`` the number of bits each q-gram sets; ``bits``, when not 0,
    a budget of bits for the whole value that replaces ``k`` (each q-gram then sets
    ``ceil(bits / number of q-grams)``, so a long name weighs no more than a short one);
    ``weight`` multiplies either (0 leaves the field out); ``positional`` tags each q-gram with
    its position (for dates, where "1" in the day differs from "1" in the year); ``key`` names
    a key group shared with other fields (default: the field's own keys).
    """

    name: str
    kind: str
    q: int
    k: int
    weight: float = 1.0
    positional: bool = False
    key: str = ""
    bits: int = 0

    @property
    def key_label(self) -> str:
        """Whose HMAC keys this field uses: its own name unless ``key`` names a shared group
        (first name and surname share one so that a transposed name still matches)."""
        return self.key or self.name

    def bits_per_gram(self, grams: int) -> int:
        """How many bits each of a value's ``grams`` q-grams sets (0 when the weight switches
        the field off): ``k × weight``, or, when ``bits`` is set, ``bits × weight`` shared out
        over the value's q-grams (clkhash's "bitsPerFeature" strategy: a long value then
        weighs no more than a short one)."""
        if self.weight <= 0 or grams == 0:
            return 0
        if self.bits:
            return max(1, math.ceil(self.bits * self.weight / grams))
        return max(1, round(self.k * self.weight))


@dataclass(frozen=True, slots=True)
class Schema:
    """The encoding schema every partner must use alike (a JSON document, versioned)."""

    fields: tuple[FieldSpec, ...]
    filter_bits: int = 1024
    salt: str = "joinedup-pprl"
    version: int = SCHEMA_VERSION
    hashing: str = HASHING
    description: str = ""

    def to_json(self) -> str:
        """The schema as the JSON document partners exchange."""
        doc: dict[str, Any] = {
            "version": self.version,
            "hashing": self.hashing,
            "filter_bits": self.filter_bits,
            "salt": self.salt,
            "description": self.description,
            "fields": [asdict(f) for f in self.fields],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Schema:
        """Parse and validate a schema document; raise ``SchemaError`` when it is not one."""
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchemaError(f"not JSON: {exc.msg} at line {exc.lineno}") from None
        if not isinstance(doc, dict):
            raise SchemaError("a schema is a JSON object")
        if doc.get("version") != SCHEMA_VERSION:
            raise SchemaError(f"unknown schema version {doc.get('version')!r}")
        if doc.get("hashing", HASHING) != HASHING:
            raise SchemaError(f"unknown hashing {doc.get('hashing')!r}")
        raw_fields = doc.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            raise SchemaError("'fields' must be a non-empty list")
        schema = cls(
            fields=tuple(_field_from(f) for f in raw_fields),
            filter_bits=_int(doc, "filter_bits", 1024),
            salt=str(doc.get("salt", "joinedup-pprl")),
            description=str(doc.get("description", "")),
        )
        schema.validate()
        return schema

    @classmethod
    def load(cls, path: Path) -> Schema:
        """Read a schema file."""
        return cls.from_json(path.read_text(encoding="utf-8"))

    def validate(self) -> None:
        """Raise ``SchemaError`` for values no encoder should accept."""
        if not 64 <= self.filter_bits <= 65536 or self.filter_bits % 64:
            raise SchemaError("filter_bits must be a multiple of 64 between 64 and 65536")
        names = [f.name for f in self.fields]
        if not any(f.weight > 0 for f in self.fields):
            raise SchemaError("at least one field must have a weight above 0")
        if len(set(names)) != len(names):
            raise SchemaError("field names must be unique")
        for f in self.fields:
            if f.kind not in KINDS:
                raise SchemaError(f"field {f.name!r}: kind must be one of {', '.join(KINDS)}")
            if not 1 <= f.q <= 4:
                raise SchemaError(f"field {f.name!r}: q must be 1 to 4")
            if not 1 <= f.k <= 100:
                raise SchemaError(f"field {f.name!r}: k must be 1 to 100")
            if not 0 <= f.bits <= self.filter_bits:
                raise SchemaError(f"field {f.name!r}: bits must be 0 to filter_bits")
            if not 0 <= f.weight <= 10:
                raise SchemaError(f"field {f.name!r}: weight must be 0 to 10")


def _int(doc: Mapping[str, Any], key: str, default: int) -> int:
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchemaError(f"{key!r} must be an integer")
    return value


def _field_from(raw: object) -> FieldSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise SchemaError("each field is an object with a 'name'")
    weight = raw.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        raise SchemaError(f"field {raw['name']!r}: weight must be a number")
    return FieldSpec(
        name=raw["name"],
        kind=str(raw.get("kind", "text")),
        q=_int(raw, "q", 2),
        k=_int(raw, "k", 10),
        weight=float(weight),
        positional=bool(raw.get("positional", False)),
        key=str(raw.get("key", "")),
        bits=_int(raw, "bits", 0),
    )


DEFAULT_SCHEMA = Schema(
    description=(
        "JoinedUp 'known to' CLK v1: bigrams of first name and surname (one shared key, so a "
        "transposed name still matches), position-tagged digits of the date of birth, bigrams "
        "of the postcode, gender; a fixed bit budget per field; 1024 bits."
    ),
    fields=(
        FieldSpec("first_name", "name", q=2, k=20, bits=200, key="name"),
        FieldSpec("surname", "name", q=2, k=20, bits=200, key="name"),
        FieldSpec("dob", "date", q=1, k=30, bits=300, positional=True),
        FieldSpec("postcode", "postcode", q=2, k=15, bits=100),
        FieldSpec("gender", "gender", q=1, k=50, bits=50),
    ),
)


# --- normalisation ---------------------------------------------------------------------------

_NOT_LETTER = re.compile(r"[^a-z]+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_YMD = re.compile(r"^(\d{4})[-/. ](\d{1,2})[-/. ](\d{1,2})(?:[T ].*)?$")
_DMY = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})$")
_GENDERS = {"m": "m", "male": "m", "man": "m", "f": "f", "female": "f", "woman": "f"}


def _ascii_fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_name(value: str) -> str:
    """Lower case, accents folded, and everything but letters dropped ("O'Brien-Smith" →
    "obriensmith")."""
    return _NOT_LETTER.sub("", _ascii_fold(value).lower())


def normalise_date(value: str) -> str:
    """``YYYYMMDD`` from ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``DD/MM/YYYY`` (UK order) or
    ``YYYYMMDD``; anything else keeps its digits only, so a mistyped date still shares most of
    its q-grams. Impossible dates (31 February) are kept as written: they are typos to tolerate,
    not values to reject."""
    text = value.strip()
    if m := _YMD.match(text):
        year, month, day = m.groups()
    elif m := _DMY.match(text):
        day, month, year = m.groups()
    else:
        return re.sub(r"\D", "", text)
    return f"{year}{int(month):02d}{int(day):02d}"


def normalise_postcode(value: str) -> str:
    """Upper case, letters and digits only ("gu1 4ab" → "GU14AB")."""
    return _NOT_ALNUM.sub("", _ascii_fold(value).upper())


def normalise_gender(value: str) -> str:
    """``m`` or ``f``; anything else (unknown, not stated, other) is left out of the filter."""
    return _GENDERS.get(value.strip().lower(), "")


def normalise_text(value: str) -> str:
    """Lower case, accents folded, runs of whitespace and punctuation as one space."""
    return " ".join(re.sub(r"[^\w]+", " ", _ascii_fold(value).lower()).split())


_NORMALISERS = {
    "name": normalise_name,
    "date": normalise_date,
    "postcode": normalise_postcode,
    "gender": normalise_gender,
    "text": normalise_text,
}


def normalise(spec: FieldSpec, value: object) -> str:
    """The field's value as it is hashed; empty for a missing value (``None``, NaN, blank)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _NORMALISERS[spec.kind](str(value))


def qgrams(spec: FieldSpec, value: str) -> list[str]:
    """The q-grams of a normalised value: positional values are tagged ``"<pos> <gram>"``;
    others are padded with a space each side (so first and last letters count as much as the
    middle ones). An empty value has none."""
    if not value:
        return []
    if spec.positional:
        return [f"{i + 1} {value[i : i + spec.q]}" for i in range(len(value) - spec.q + 1)]
    padded = f" {value} " if spec.q > 1 else value
    return [padded[i : i + spec.q] for i in range(len(padded) - spec.q + 1)]


# --- keys and encoding -----------------------------------------------------------------------


def check_secret(secret: bytes) -> None:
    """Refuse a secret shorter than ``MIN_SECRET_BYTES`` (the value is never put in a message)."""
    if len(secret) < MIN_SECRET_BYTES:
        raise SecretError(
            f"the shared secret must be at least {MIN_SECRET_BYTES} bytes "
            f"(this one has {len(secret)}); make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )


def read_secret(path: Path) -> bytes:
    """The secret in ``path`` (surrounding whitespace and the final newline removed)."""
    try:
        secret = path.read_bytes().strip()
    except OSError as exc:
        raise SecretError(f"cannot read the secret file {path}: {exc.strerror}") from None
    check_secret(secret)
    return secret


def _hkdf_sha256(secret: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """HKDF (RFC 5869) with SHA-256: extract a pseudorandom key, then expand it."""
    prk = hmac.digest(salt, secret, "sha256")
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.digest(prk, block + info + bytes([counter]), "sha256")
        out += block
        counter += 1
    return out[:length]


def field_keys(secret: bytes, schema: Schema, spec: FieldSpec) -> tuple[bytes, bytes]:
    """The two HMAC keys of one field, derived from the shared secret."""
    check_secret(secret)
    salt = hashlib.sha256(f"{schema.salt}|v{schema.version}".encode()).digest()
    info = f"joinedup-pprl|{schema.hashing}|{spec.key_label}".encode()
    okm = _hkdf_sha256(secret, salt, info, 64)
    return okm[:32], okm[32:]


class _FieldHasher:
    """Bit positions of one field's values, memoised within one ``encode`` call: names, dates
    and postcodes repeat, so most values and q-grams are hashed once per run, not once per
    record."""

    def __init__(self, secret: bytes, schema: Schema, spec: FieldSpec) -> None:
        self.spec = spec
        self.size = schema.filter_bits
        self.key1, self.key2 = field_keys(secret, schema, spec)
        self.grams: dict[str, tuple[int, int]] = {}
        self.values: dict[tuple[type, object], npt.NDArray[np.int64]] = {}

    def _double_hash(self, gram: str) -> tuple[int, int]:
        found = self.grams.get(gram)
        if found is not None:
            return found
        data = gram.encode("utf-8")
        h1 = int.from_bytes(hmac.digest(self.key1, data, "sha256"), "big") % self.size
        h2 = int.from_bytes(hmac.digest(self.key2, data, "sha1"), "big") % self.size
        salt = 0
        while h2 == 0:  # non-singular: a zero step would put all k bits on one position
            salt += 1
            h2 = int.from_bytes(hmac.digest(self.key2, data + bytes([salt]), "sha1"), "big")
            h2 %= self.size
        self.grams[gram] = (h1, h2)
        return h1, h2

    def positions(self, value: object) -> npt.NDArray[np.int64]:
        """The bit positions one raw value sets (empty for a missing value)."""
        memo = (type(value), value)  # 1 and 1.0 are equal keys but normalise differently
        try:
            found = self.values.get(memo)
        except TypeError:  # an unhashable value: not memoised
            found = None
        if found is not None:
            return found
        grams = qgrams(self.spec, normalise(self.spec, value))
        k = self.spec.bits_per_gram(len(grams))
        if grams:
            hashes = np.array([self._double_hash(g) for g in grams], dtype=np.int64)
            steps = np.arange(k, dtype=np.int64)
            found = ((hashes[:, :1] + steps * hashes[:, 1:]) % self.size).ravel()
        else:
            found = np.zeros(0, dtype=np.int64)
        try:
            self.values[memo] = found
        except TypeError:
            pass
        return found


def encode(
    records: Iterable[Mapping[str, object]], secret: bytes, schema: Schema = DEFAULT_SCHEMA
) -> list[bytes]:
    """One CLK (``filter_bits / 8`` bytes) per record. Deterministic for a given secret and
    schema; a different secret gives unrelated filters. Missing fields set no bits."""
    schema.validate()
    hashers = [_FieldHasher(secret, schema, s) for s in schema.fields if s.weight > 0]
    out: list[bytes] = []
    parts: list[npt.NDArray[np.int64]] = []
    lengths: list[int] = []
    for rec in records:
        per_record = 0
        for h in hashers:
            found = h.positions(rec.get(h.spec.name))
            parts.append(found)
            per_record += found.shape[0]
        lengths.append(per_record)
        if len(lengths) == ENCODE_CHUNK:
            out += _packed(parts, lengths, schema.filter_bits)
            parts, lengths = [], []
    if lengths:
        out += _packed(parts, lengths, schema.filter_bits)
    return out


def _packed(parts: list[npt.NDArray[np.int64]], lengths: list[int], size: int) -> list[bytes]:
    bits = np.zeros((len(lengths), size), dtype=np.bool_)
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    bits[rows, np.concatenate(parts)] = True
    return [r.tobytes() for r in np.packbits(bits, axis=1)]


@dataclass(slots=True)
class EncodeReport:
    """Encodings with how long they took."""

    encodings: list[bytes]
    seconds: float
    per_second: float = field(init=False)

    def __post_init__(self) -> None:
        self.per_second = len(self.encodings) / self.seconds if self.seconds > 0 else 0.0


def encode_timed(
    records: Sequence[Mapping[str, object]], secret: bytes, schema: Schema = DEFAULT_SCHEMA
) -> EncodeReport:
    """``encode`` with its wall time and encodings per second."""
    start = time.perf_counter()
    encodings = encode(records, secret, schema)
    return EncodeReport(encodings, time.perf_counter() - start)


# --- comparison and matching -----------------------------------------------------------------


class Match(NamedTuple):
    """Encoding ``a`` of the first set matches encoding ``b`` of the second with ``score``."""

    a: int
    b: int
    score: float


def to_bits(encodings: Sequence[bytes]) -> Bits:
    """Encodings as an ``(n, bytes)`` uint8 array; all must have the same length."""
    if not encodings:
        return np.zeros((0, 0), dtype=np.uint8)
    width = len(encodings[0])
    if width == 0 or any(len(e) != width for e in encodings):
        raise ValueError("encodings differ in length: were they made with the same schema?")
    return np.frombuffer(b"".join(encodings), dtype=np.uint8).reshape(len(encodings), width)


def dice(a: bytes, b: bytes) -> float:
    """The Dice coefficient of two encodings (0 when both are empty)."""
    x, y = to_bits([a, b])
    total = int(np.bitwise_count(x).sum() + np.bitwise_count(y).sum())
    return 2 * int(np.bitwise_count(x & y).sum()) / total if total else 0.0


def _unpacked(bits: Bits) -> npt.NDArray[np.float32]:
    return np.unpackbits(bits, axis=1).astype(np.float32)


def candidate_pairs(
    encodings_a: Sequence[bytes],
    encodings_b: Sequence[bytes],
    threshold: float = 0.8,
    k: int = 10,
    block: int = 1024,
) -> list[Match]:
    """For each encoding of A, its ``k`` most similar encodings of B at or above ``threshold``.

    All pairs are scored: the intersection counts are one float32 matrix product of the
    unpacked bits per block of A (exact: counts never exceed the filter length), so 5,000 ×
    5,000 comparisons take well under a second."""
    a_bits, b_bits = to_bits(encodings_a), to_bits(encodings_b)
    if a_bits.size == 0 or b_bits.size == 0:
        return []
    if a_bits.shape[1] != b_bits.shape[1]:
        raise ValueError("the two sets' encodings differ in length: different schemas?")
    b_dense = _unpacked(b_bits)
    b_counts = b_dense.sum(axis=1)
    a_counts_all = np.bitwise_count(a_bits).sum(axis=1).astype(np.float32)
    out: list[Match] = []
    take = max(1, min(k, b_bits.shape[0]))
    for start in range(0, a_bits.shape[0], block):
        a_dense = _unpacked(a_bits[start : start + block])
        both = a_dense @ b_dense.T
        sums = a_counts_all[start : start + block, None] + b_counts[None, :]
        scores = np.divide(2 * both, sums, out=np.zeros_like(both), where=sums > 0)
        if take < scores.shape[1]:
            best = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        else:
            best = np.broadcast_to(np.arange(scores.shape[1]), scores.shape)
        best_scores = np.take_along_axis(scores, best, axis=1)
        rows, slots = np.nonzero(best_scores >= threshold)
        for r, s in zip(rows.tolist(), slots.tolist(), strict=True):
            out.append(Match(start + r, int(best[r, s]), float(best_scores[r, s])))
    return out


def greedy_solve(candidates: Iterable[Match]) -> list[Match]:
    """One-to-one matching: take pairs from the highest score down (ties in index order),
    skipping any whose encoding on either side is already matched."""
    used_a: set[int] = set()
    used_b: set[int] = set()
    chosen: list[Match] = []
    for m in sorted(candidates, key=lambda c: (-c.score, c.a, c.b)):
        if m.a in used_a or m.b in used_b:
            continue
        used_a.add(m.a)
        used_b.add(m.b)
        chosen.append(m)
    return chosen


def match(
    encodings_a: Sequence[bytes],
    encodings_b: Sequence[bytes],
    threshold: float = 0.8,
    k: int = 10,
) -> list[Match]:
    """Pairs (index in A, index in B, Dice score) at or above ``threshold``, one-to-one: each
    encoding is in at most one pair. Sorted by A's index."""
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    if k < 1:
        raise ValueError("k must be at least 1")
    chosen = greedy_solve(candidate_pairs(encodings_a, encodings_b, threshold, k))
    return sorted(chosen, key=lambda m: m.a)


# --- what the app will call ------------------------------------------------------------------


class KnownTo(NamedTuple):
    """A person the platform knows (``known_ref``) matches an encoding uploaded by a partner
    that holds no shared identity (``holder_ref``, that partner's own pseudonymous id)."""

    known_ref: str
    holder_ref: str
    score: float


def known_to_matches(
    known: Sequence[tuple[str, bytes]],
    holder: Sequence[tuple[str, bytes]],
    *,
    threshold: float = 0.8,
    k: int = 10,
) -> list[KnownTo]:
    """Which of the ``known`` people (reference, encoding) the ``holder``'s uploaded encodings
    also hold, one-to-one, for raising a "known to <holder>" signpost on the known record.

    Both sides' encodings are made by partners with the shared secret; the platform never has
    it. ``holder_ref`` is the holder's own id for its record, returned so that a later referral
    can name it to the holder; it must never be shown to the reader of the signpost."""
    pairs = match([e for _, e in known], [e for _, e in holder], threshold=threshold, k=k)
    return [KnownTo(known[m.a][0], holder[m.b][0], m.score) for m in pairs]
