"""Pure sign-in rules: session lifetimes, throttling keys, safe redirects, TOTP and token formats.

No database and no web code: everything here is a function of its arguments.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp

TOUCH_INTERVAL = timedelta(seconds=30)
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
CHALLENGE_LIFETIME = timedelta(minutes=5)
MAX_CODES_PER_CHALLENGE = 3
REAUTHENTICATION_MINUTES = 5
API_TOKEN_MAX_DAYS = 365
API_TOKEN_PREFIX = "ju"
MAX_SECRET_LENGTH = 256

_API_TOKEN = re.compile(r"^ju_([0-9a-f]{8})_([A-Za-z0-9_-]{40,64})$")
_TOTP_CODE = re.compile(r"^[0-9]{6}$")


@dataclass(frozen=True, slots=True)
class SessionTimes:
    """The moments that bound a sign-in session."""

    last_seen_at: datetime
    expires_at: datetime
    idle_minutes: int


def session_end_reason(times: SessionTimes, now: datetime) -> str | None:
    """Why a session has ended by itself (``expired`` or ``idle_timeout``), or ``None``."""
    if now >= times.expires_at:
        return "expired"
    if now >= times.last_seen_at + timedelta(minutes=times.idle_minutes):
        return "idle_timeout"
    return None


def should_touch(
    last_seen_at: datetime, now: datetime, interval: timedelta = TOUCH_INTERVAL
) -> bool:
    """True when ``last_seen_at`` is old enough to be worth a database write."""
    return now - last_seen_at >= interval


def is_recent(moment: datetime | None, now: datetime, minutes: int) -> bool:
    """True when ``moment`` lies within the last ``minutes`` minutes."""
    return moment is not None and now - moment < timedelta(minutes=minutes)


def username_digest(secret_key: str, username: str) -> str:
    """A keyed digest of a user name, so throttling and audit never hold the name itself."""
    normalised = username.strip().casefold().encode()
    return hmac.new(secret_key.encode(), b"login:" + normalised, hashlib.sha256).hexdigest()


def safe_next(value: str | None) -> str:
    """``value`` when it is a local path (no scheme, host or query), otherwise ``/``."""
    if not value or len(value) > 300 or not value.startswith("/"):
        return "/"
    if value.startswith("//") or "\\" in value or "?" in value or "#" in value:
        return "/"
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in value):
        return "/"
    return value


def sign_value(secret_key: str, purpose: str, value: str) -> str:
    """``value`` followed by an HMAC-SHA256 signature bound to ``purpose``."""
    mac = hmac.new(secret_key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256)
    return f"{value}.{mac.hexdigest()}"


def unsign_value(secret_key: str, purpose: str, signed: str | None) -> str | None:
    """The value inside ``signed`` when its signature is good, otherwise ``None``."""
    if not signed or len(signed) > MAX_SECRET_LENGTH or "." not in signed:
        return None
    value = signed.rsplit(".", 1)[0]
    if not hmac.compare_digest(sign_value(secret_key, purpose, value), signed):
        return None
    return value


def new_api_token() -> tuple[str, str]:
    """A new API token and its public prefix: ``ju_<prefix>_<secret>`` (256-bit secret)."""
    prefix = secrets.token_hex(4)
    return f"{API_TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def api_token_prefix(token: str) -> str | None:
    """The prefix of a well-formed API token, ``None`` when ``token`` is not one."""
    match = _API_TOKEN.match(token) if len(token) <= MAX_SECRET_LENGTH else None
    return match.group(1) if match else None


def match_totp(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` belongs to (now, or one step either side), or ``None``."""
    code = code.strip().replace(" ", "")
    if not _TOTP_CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in (-1, 0, 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            return int(current + offset)
    return None


def new_totp_secret() -> str:
    """A new base32 TOTP secret (160 bits)."""
    return str(pyotp.random_base32())


def totp_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads to enrol ``secret``."""
    return str(pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer))
