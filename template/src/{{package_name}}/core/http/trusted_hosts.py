"""Refuse requests whose Host header names a host this service does not serve."""

from starlette.types import ASGIApp, Receive, Scope, Send

from .asgi import send_problem


class TrustedHostMiddleware:
    """400 problem+json unless `Host` matches TRUSTED_HOSTS (`*.example.com` allowed).

    Starlette has the same check but answers in plain text; every error of this
    service is problem+json. Host-header injection is how password-reset links
    and cache keys get poisoned.
    """

    def __init__(self, app: ASGIApp, *, allowed_hosts: list[str]) -> None:
        self.app = app
        self.allow_any = "*" in allowed_hosts
        self.allowed = [host.lower() for host in allowed_hosts]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
        if self._allowed(_without_port(host)):
            await self.app(scope, receive, send)
            return
        await send_problem(scope, send, 400, "The Host header is not served here.")

    def _allowed(self, host: str) -> bool:
        return any(
            host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
            for pattern in self.allowed
        )


def _without_port(host: str) -> str:
    # An IPv6 literal keeps its brackets and colons: `[::1]:8000` is `[::1]`.
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0]
