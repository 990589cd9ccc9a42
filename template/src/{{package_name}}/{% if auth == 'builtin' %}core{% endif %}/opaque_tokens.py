"""Random bearer secrets (refresh tokens, API keys) and what is stored instead of them."""

import hashlib
import secrets


def new_opaque_token() -> str:
    """A random token: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored instead of a random token: its SHA-256, in hex.

    The token is random and long, so a slow password hash would add nothing.
    """
    return hashlib.sha256(token.encode()).hexdigest()
