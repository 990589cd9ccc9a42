"""Budgets for password guesses, shared by every endpoint that checks a password.

Login and password change both verify one, so both spend the same per-account
budget: otherwise a stolen access token would be a way to guess the account's
password at the general rate limit instead.
"""

from http import HTTPStatus

from ..core.errors.problems import AppError
from ..core.http.rate_limiter import RateLimiter, retry_after

WINDOW_SECONDS = 60


class TooManyAttemptsError(AppError):
    """Password attempts from this address or against this account exceed the budget."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    title = "Too Many Requests"

    def __init__(self, retry_after: str) -> None:
        super().__init__("Too many password attempts; retry later.")
        self.headers = {"Retry-After": retry_after}


def account_key(email: str) -> str:
    """The limiter key of the attempts against the account with this (normalized) email."""
    return f"login:account:{email}"


async def spend_attempt(limiter: RateLimiter, key: str, limit: int) -> None:
    """Count one attempt; `TooManyAttemptsError` once `limit` a minute are spent."""
    wait = await limiter.hit(key, limit, WINDOW_SECONDS)
    if wait is not None:
        raise TooManyAttemptsError(retry_after(wait))


async def reset_attempts(limiter: RateLimiter, key: str) -> None:
    """Forget the attempts of `key`, after the right password was given."""
    await limiter.reset(key, WINDOW_SECONDS)
