"""Errors of authentication and authorization."""

from http import HTTPStatus

from ..core.errors.problems import AppError


class AuthenticationError(AppError):
    """No valid credentials. The detail never says which part was wrong."""

    status = HTTPStatus.UNAUTHORIZED
    title = "Unauthorized"
    # RFC 6750 §3: a 401 names the scheme the client should use.
    headers = {"WWW-Authenticate": "Bearer"}  # noqa: RUF012 - read-only by convention


class PermissionDeniedError(AppError):
    """Authenticated, but not allowed to do this."""

    status = HTTPStatus.FORBIDDEN
    title = "Forbidden"
