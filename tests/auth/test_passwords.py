"""argon2id password hashing (AUTH-1)."""

from __future__ import annotations

from argon2 import PasswordHasher

from joinedup.auth.passwords import hash_password, needs_rehash, verify_password


def test_auth1_hash_is_argon2id_with_the_rfc9106_low_memory_profile() -> None:
    hashed = hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert hashed != hash_password("correct horse battery staple")  # salted
    assert not needs_rehash(hashed)


def test_auth1_verify_accepts_only_the_right_password() -> None:
    hashed = hash_password("correct horse battery staple")
    assert verify_password(hashed, "correct horse battery staple")
    assert not verify_password(hashed, "correct horse battery staplE")
    assert not verify_password("not a hash", "anything")
    assert not verify_password("", "")


def test_auth1_weaker_hashes_need_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("pw")
    assert needs_rehash(weak)
    assert needs_rehash("not a hash")
