"""API tokens: ``eh_<prefix>_<secret>``. The prefix (8 hex characters) is not secret and finds the client;
only the SHA-256 of the whole token is stored. A slow hash is not needed: the secret has 256 random bits."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_MARK = "eh"


def generate_token() -> tuple[str, str]:
    """A new (prefix, token) pair."""
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}"


def parse_prefix(token: str) -> str | None:
    """The prefix of a well-formed token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_MARK or len(parts[1]) != 8 or not parts[2]:
        return None
    if any(c not in "0123456789abcdef" for c in parts[1]):
        return None
    return parts[1]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
