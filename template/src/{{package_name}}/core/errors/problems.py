"""The service's error hierarchy and its RFC 9457 problem details.

Every error response, whether raised by a domain, by routing (404, 405), by
validation (422) or by a bug (500), leaves through the handlers here as
`application/problem+json`. A domain error carries its own status and title, so
adding one is a three-line class.
"""

from http import HTTPStatus
from typing import Any, ClassVar

from pydantic import BaseModel, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"

# RFC 9110 renamed these; Python's `HTTPStatus` phrases differ between versions.
_RFC9110_TITLES = {
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "Content Too Large",
    HTTPStatus.UNPROCESSABLE_ENTITY: "Unprocessable Content",
}


def status_title(status: int) -> str:
    """The RFC 9110 reason phrase of `status`, the same on every Python version."""
    return _RFC9110_TITLES.get(HTTPStatus(status), HTTPStatus(status).phrase)


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(default="about:blank", description="URI identifying the problem type.")
    title: str = Field(description="Short, human-readable summary of the problem type.")
    status: int = Field(description="The HTTP status code.")
    detail: str | None = Field(default=None, description="Explanation of this occurrence.")
    instance: str | None = Field(default=None, description="The request path.")


class FieldError(BaseModel):
    """One invalid input: where it is and what is wrong with it."""

    loc: list[str | int] = Field(description="Path to the field, e.g. ['body', 'name'].")
    msg: str
    type: str


class ValidationProblem(Problem):
    """A 422 problem with one entry per invalid field."""

    errors: list[FieldError]


class AppError(Exception):
    """Base of the errors a domain raises on purpose; subclasses set status and title."""

    status: ClassVar[HTTPStatus] = HTTPStatus.INTERNAL_SERVER_ERROR
    title: ClassVar[str] = "Internal Server Error"
    # Per class (a 401's WWW-Authenticate) or per error (a 429's Retry-After).
    headers: dict[str, str] | None = None

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail


class NotFoundError(AppError):
    """The addressed resource does not exist (or is not the caller's to see)."""

    status = HTTPStatus.NOT_FOUND
    title = "Not Found"


class ConflictError(AppError):
    """The request conflicts with the current state, e.g. a duplicate unique value."""

    status = HTTPStatus.CONFLICT
    title = "Conflict"


class ServiceUnavailableError(AppError):
    """A dependency the request needs is down."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    title = "Service Unavailable"


class DatabaseUnavailableError(ServiceUnavailableError):
    """The database refused, dropped or did not answer in time; the request was sound.

    The session has rolled back (or dropped its connection, which rolls back on
    the server), so nothing of the request was written and a retry is safe.
    """

    headers = {"Retry-After": "1"}  # noqa: RUF012 - read only, like the class's status

    def __init__(self) -> None:
        super().__init__("The database is busy or unreachable; retry shortly.")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the problems a route can answer with.

    The `openapi` module moves these to `application/problem+json`.
    """
    return {
        status: {
            "model": ValidationProblem if status == HTTPStatus.UNPROCESSABLE_ENTITY else Problem,
            "description": status_title(status),
        }
        for status in statuses
    }
