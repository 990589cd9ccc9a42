"""Per-client request rate limiting, as pure ASGI middleware."""

from starlette.types import ASGIApp, Receive, Scope, Send

from .asgi import send_problem
from .rate_limiter import RateLimiter, retry_after

WINDOW_SECONDS = 60
# Probes must keep answering while a client is throttled, or the orchestrator
# would restart a healthy replica.
EXEMPT_PREFIXES = ("/health/",)


class RateLimitMiddleware:
    """Answers 429 with `Retry-After` once a client address exceeds its budget.

    The limiter lives on `app.state.rate_limiter`, created by the lifespan, so
    a Redis connection is opened and closed with the application.
    """

    def __init__(self, app: ASGIApp, *, per_minute: int) -> None:
        self.app = app
        self.per_minute = per_minute

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        limiter: RateLimiter = scope["app"].state.rate_limiter
        client = scope.get("client")
        address = client[0] if client else "unknown"
        wait = await limiter.hit(f"client:{address}", self.per_minute, WINDOW_SECONDS)
        if wait is None:
            await self.app(scope, receive, send)
            return
        await send_problem(
            scope,
            send,
            429,
            "Too many requests from this client; retry later.",
            {"Retry-After": retry_after(wait)},
        )
