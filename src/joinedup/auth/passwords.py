"""Password hashing with argon2id (AUTH-1).

Parameters follow RFC 9106's second recommended (low-memory) profile: argon2id, 64 MiB, three
passes, four lanes. That is strong enough for an online service and still lets the demo loader
hash a few dozen accounts in seconds.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

_HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)

# Verified against when the user name is unknown, so that unknown and known names take the
# same time to refuse (no user-name enumeration by timing).
_DUMMY_HASH = _HASHER.hash("joinedup-dummy-password-for-timing")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` in PHC string format (``$argon2id$v=19$...``)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; a malformed hash never matches."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def burn_verification(password: str) -> None:
    """Spend the time of one verification, for refusals that must not be faster than others."""
    verify_password(_DUMMY_HASH, password)


def needs_rehash(password_hash: str) -> bool:
    """True when ``password_hash`` was made with other parameters and should be replaced."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True
