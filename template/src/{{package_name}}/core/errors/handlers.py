"""Handlers that turn every exception into an `application/problem+json` response."""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from structlog.typing import FilteringBoundLogger

from .problems import (
    PROBLEM_MEDIA_TYPE,
    AppError,
    DatabaseUnavailableError,
    FieldError,
    Problem,
    status_title,
)

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)


class ProblemResponse(JSONResponse):
    """A JSON response with the problem details media type."""

    media_type = PROBLEM_MEDIA_TYPE


def problem_response(
    request: Request,
    status: int,
    *,
    detail: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    """Build the one error envelope every handler uses."""
    problem = Problem(
        title=status_title(status), status=status, detail=detail, instance=request.url.path
    )
    content = problem.model_dump(exclude_none=True) | extensions
    return ProblemResponse(content, status_code=status, headers=headers)


async def _handle_app_error(request: Request, exc: Exception) -> ProblemResponse:
    if not isinstance(exc, AppError):  # pragma: no cover - registered for AppError only
        raise exc
    return problem_response(request, exc.status, detail=exc.detail, headers=exc.headers)


async def _handle_http_exception(request: Request, exc: Exception) -> ProblemResponse:
    if not isinstance(exc, StarletteHTTPException):  # pragma: no cover
        raise exc
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    return problem_response(request, exc.status_code, detail=detail, headers=exc.headers)


async def _handle_validation_error(request: Request, exc: Exception) -> ProblemResponse:
    if not isinstance(exc, RequestValidationError):  # pragma: no cover
        raise exc
    # Only location, message and type: echoing `input` could reflect secrets
    # (a password field) back into responses and logs.
    errors = [
        FieldError(loc=list(error["loc"]), msg=error["msg"], type=error["type"]).model_dump()
        for error in exc.errors()
    ]
    return problem_response(
        request,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        detail="The request is invalid; see `errors` for each field.",
        errors=errors,
    )


async def _handle_database_unavailable(request: Request, exc: Exception) -> ProblemResponse:
    if not isinstance(exc, DatabaseUnavailableError):  # pragma: no cover
        raise exc
    # Once per request, as a warning without a traceback: an outage is an
    # operating condition, not a bug, and a traceback per request would bury
    # the logs. Only the driver's message: never the statement's parameters.
    cause = exc.__cause__
    driver_error = cause.orig if isinstance(cause, DBAPIError) else cause
    _logger.warning(
        "database_unavailable",
        error=type(driver_error).__name__,
        # A timeout's message is empty; its type says it all.
        reason=str(driver_error) or None,
    )
    return problem_response(request, exc.status, detail=exc.detail, headers=exc.headers)


def internal_error_response(request: Request) -> ProblemResponse:
    """The answer to an unexpected error: the client learns nothing about the internals."""
    return problem_response(request, HTTPStatus.INTERNAL_SERVER_ERROR)


async def _handle_unexpected(request: Request, _exc: Exception) -> ProblemResponse:
    # ObservabilityMiddleware logs and answers every error raised inside it; this
    # only serves failures in the layers around it, which Starlette re-raises to
    # uvicorn to log.
    return internal_error_response(request)


def register_error_handlers(app: FastAPI) -> None:
    """Install the handlers on `app`."""
    app.add_exception_handler(AppError, _handle_app_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(DatabaseUnavailableError, _handle_database_unavailable)
    app.add_exception_handler(Exception, _handle_unexpected)
