"""HTTP endpoints of authentication: register, log in, refresh, log out."""

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from ..access.errors import AuthenticationError, PermissionDeniedError
from ..access.guards import CurrentUserDep
from ..access.principal import Role
from ..core.errors.handlers import problem_response
from ..core.errors.problems import problem_responses
from ..core.settings.dependency import AppSettingsDep
from ..users.dependencies import UserServiceDep
from ..users.schemas import UserCreate, UserRead
from .schemas import LoginForm, RefreshRequest, TokenPair
from .wiring import LoginDep, SessionsDep

router = APIRouter(prefix="/auth", tags=["auth"])

PasswordForm = Annotated[LoginForm, Form()]


@router.post(
    "/register",
    status_code=HTTPStatus.CREATED,
    summary="Create an account",
    responses=problem_responses(403, 409, 422),
)
async def register(data: UserCreate, service: UserServiceDep, settings: AppSettingsDep) -> UserRead:
    """Open registration; closed by default in production (AUTH_REGISTRATION_OPEN)."""
    if not settings.registration_open:
        raise PermissionDeniedError("Registration is closed; ask an administrator.")
    return UserRead.model_validate(await service.create(data, role=Role.USER, actor=None))


@router.post(
    "/token",
    summary="Log in (OAuth2 password flow)",
    response_model=TokenPair,
    responses=problem_responses(401, 422, 429),
)
async def login(form: PasswordForm, login: LoginDep, request: Request) -> Response | TokenPair:
    """Exchange email (as `username`) and password for an access and a refresh token."""
    address = request.client.host if request.client else "unknown"
    try:
        return await login(form.username, form.password, address)
    except AuthenticationError as exc:
        # Returned, not raised: the request's session then commits the failed
        # attempt's counter and audit entry instead of rolling them back.
        return problem_response(request, exc.status, detail=exc.detail, headers=exc.headers)


@router.post(
    "/refresh",
    summary="Rotate a refresh token",
    response_model=TokenPair,
    responses=problem_responses(401, 422),
)
async def refresh(
    data: RefreshRequest, sessions: SessionsDep, request: Request
) -> Response | TokenPair:
    """A new token pair; the old refresh token is spent. Reusing it ends the session."""
    try:
        return await sessions.refresh(data.refresh_token)
    except AuthenticationError as exc:
        # Returned for the same reason as in `login`: a detected reuse must stay revoked.
        return problem_response(request, exc.status, detail=exc.detail, headers=exc.headers)


@router.post(
    "/logout",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Log out this session",
    responses=problem_responses(422),
)
async def logout(data: RefreshRequest, sessions: SessionsDep) -> None:
    """Revoke the refresh token's family. Unknown tokens succeed too, revealing nothing."""
    await sessions.end(data.refresh_token)


@router.post(
    "/logout-all",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Log out everywhere",
    responses=problem_responses(401, 403),
)
async def logout_all(caller: CurrentUserDep, sessions: SessionsDep) -> None:
    """Revoke every refresh token of the caller; access tokens expire on their own."""
    await sessions.end_all(caller.id)
