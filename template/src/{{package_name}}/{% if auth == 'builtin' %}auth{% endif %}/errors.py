"""Errors of logging in and refreshing."""

from ..access.errors import AuthenticationError


class InvalidCredentialsError(AuthenticationError):
    """The email and password do not match an active, unlocked account."""

    def __init__(self) -> None:
        super().__init__("Incorrect email or password.")


class InvalidRefreshTokenError(AuthenticationError):
    """The refresh token is unknown, expired, revoked or already used."""

    def __init__(self) -> None:
        super().__init__("The refresh token is invalid or expired; log in again.")
