"""The hardening middleware, installed in one place so their order is visible."""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from ..settings.config import Settings
from .body_limit import BodyLimitMiddleware
from .rate_limit import RateLimitMiddleware
from .rate_limiter import RateLimiter, create_rate_limiter
from .security_headers import SecurityHeadersMiddleware
from .trusted_hosts import TrustedHostMiddleware


def install_security_middleware(app: FastAPI, settings: Settings) -> None:
    """Add the middleware; the last added runs first (outermost).

    From the outside in: security headers (so every answer carries them, even
    the refusals below), trusted hosts, CORS (so a browser can read a 429),
    the rate limit, then the body limit right before the routes.
    """
    http = settings.http
    # Shared by the rate limit below and any use case with budgets of its own.
    # No I/O yet: a Redis client connects on first use.
    app.state.rate_limiter = create_rate_limiter(http)
    app.add_middleware(BodyLimitMiddleware, max_bytes=http.max_body_bytes)
    if http.rate_limit_per_minute:
        app.add_middleware(RateLimitMiddleware, per_minute=http.rate_limit_per_minute)
    if http.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=http.cors_origins,
            allow_credentials=http.cors_allow_credentials,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID"],
            expose_headers=["Location", "Retry-After", "X-Request-ID"],
        )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=http.trusted_hosts)
    app.add_middleware(SecurityHeadersMiddleware, hsts_seconds=http.hsts_seconds)


async def close_security_middleware(app: FastAPI) -> None:
    """Close the rate limiter's connections (Redis); the lifespan calls this."""
    limiter: RateLimiter = app.state.rate_limiter
    await limiter.close()
