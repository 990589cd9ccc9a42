"""Errors of authentication and authorization."""

from http import HTTPStatus

from ..core.errors.problems import AppError


class AuthenticationError(AppError):
    """No valid credentials. The detail never says which part was wrong."""

    status = HTTPStatus.UNAUTHORIZED
    title = "Unauthorized"
    # RFC 6750 §3: a 401 names the scheme the client should use.
    headers = {"WWW-Authenticate": "Bearer"}  # noqa: RUF012 - read-only by convention


class InvalidCredentialsError(AuthenticationError):
    """The email and password do not match an active, unlocked account."""

    def __init__(self) -> None:
        super().__init__("Incorrect email or password.")


class InvalidRefreshTokenError(AuthenticationError):
    """The refresh token is unknown, expired, revoked or already used."""

    def __init__(self) -> None:
        super().__init__("The refresh token is invalid or expired; log in again.")


class PermissionDeniedError(AppError):
    """Authenticated, but not allowed to do this."""

    status = HTTPStatus.FORBIDDEN
    title = "Forbidden"


class TooManyAttemptsError(AppError):
    """Password attempts from this address or against this account exceed the budget."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    title = "Too Many Requests"

    def __init__(self, retry_after: str) -> None:
        super().__init__("Too many password attempts; retry later.")
        self.headers = {"Retry-After": retry_after}


class IncorrectPasswordError(AppError):
    """The current password given to confirm a sensitive change is wrong."""

    status = HTTPStatus.BAD_REQUEST
    title = "Bad Request"

    def __init__(self) -> None:
        super().__init__("The current password is incorrect.")
