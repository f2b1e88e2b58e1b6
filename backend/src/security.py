"""Passwords and credentials: Argon2id hashes, the password rules, random tokens and their HMACs.

Nothing here logs, and nothing returns a secret except the one function that makes it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import unicodedata
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# Argon2id with argon2-cffi's defaults (RFC 9106's second recommended option, 64 MiB).
_hasher = PasswordHash((Argon2Hasher(),))
# Verified against when a sign-in names no known person, so that an unknown email costs as much
# time as a wrong password and the answer's timing does not tell which emails exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

# NIST SP 800-63B rev. 4 for a password that is the only factor: at least 15 characters, a
# maximum of at least 64, no composition rules, and a check against common passwords.
PASSWORD_MIN = 15
PASSWORD_MAX = 256
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"

# Keys the stored hashes when SECRET_KEY is not set (only outside production): fixed, so that
# every instance on one database computes the same hash.
DEVELOPMENT_KEY = b"taskflow-development-key-not-secret"
# Distinguishes TaskFlow's tokens in logs that leak and for secret scanners.
TOKEN_PREFIX = "tf_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether `password` matches; with no hash (unknown person) spends the same time and says
    no."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)


@functools.cache
def common_passwords() -> frozenset[str]:
    return frozenset(COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").split())


def _repeats_a_unit(text: str) -> bool:
    # "aaaaaaaaaaaaaaa", "abcabcabcabcabc", "passwordpassword": a short unit said again.
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size)
        for size in range(1, len(text) // 2 + 1)
    )


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why this password is refused, or None. The reason never repeats the password."""
    length = len(unicodedata.normalize("NFC", password))
    if length < PASSWORD_MIN:
        return f"The password must have at least {PASSWORD_MIN} characters"
    if length > PASSWORD_MAX:
        return f"The password must have at most {PASSWORD_MAX} characters"
    folded = password.casefold()
    common = common_passwords()
    # A common password with digits or symbols after it is as weak as the password itself.
    stem = folded.rstrip("0123456789!@#$%^&*.?-_ ")
    if folded in common or (stem and stem in common) or _repeats_a_unit(folded):
        return "The password is too common or too easy to guess"
    if email and folded in {email.casefold(), email.casefold().partition("@")[0]}:
        return "The password must not be the email address"
    return None


def new_token() -> str:
    """A new credential value: 256 random bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str, key: bytes) -> str:
    """What is stored and looked up for a credential: HMAC-SHA256 under the secret key, in hex.

    A token has 256 random bits, so a fast keyed hash is enough (nothing to brute-force); the key
    means that a row written into the database without it authenticates nobody.
    """
    return hmac.new(key, token.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
