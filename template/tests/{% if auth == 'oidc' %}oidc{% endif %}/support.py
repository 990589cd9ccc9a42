"""Helpers of the OIDC tests that are not the issuer's: headers, client openers, a clock."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from httpx import AsyncClient

# Opens a client for the app with some OIDC settings changed (conftest's `open_oidc_client`).
OpenClient = Callable[..., AbstractAsyncContextManager[AsyncClient]]


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying `token`."""
    return {"Authorization": f"Bearer {token}"}


class FakeClock:
    """A monotonic clock that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass."""
        self.now += seconds
