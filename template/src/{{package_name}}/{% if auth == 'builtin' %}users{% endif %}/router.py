"""HTTP endpoints of the users domain: the caller's account, and admin management."""

import uuid
from http import HTTPStatus

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from ..access.guards import AdminDep, CurrentUserDep
from ..core.database.pagination import Page, PageDep
from ..core.errors.problems import problem_responses
from .dependencies import UserServiceDep
from .schemas import (
    AdminUserCreate,
    PasswordChange,
    UserRead,
    UserUpdate,
    is_the_email,
)

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", summary="The caller's account", responses=problem_responses(401, 403))
async def read_me(caller: CurrentUserDep, service: UserServiceDep) -> UserRead:
    """Who the access token belongs to."""
    return UserRead.model_validate(await service.get(caller.id))


@router.post(
    "/me/password",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Change the caller's password",
    responses=problem_responses(400, 401, 403, 422, 429),
)
async def change_password(
    data: PasswordChange, caller: CurrentUserDep, service: UserServiceDep
) -> None:
    """Needs the current password; every session (refresh token) of the account ends."""
    user = await service.get(caller.id)
    if is_the_email(data.new_password, user.email):
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "new_password"),
                    "msg": "Value error, the password must not be the email address",
                    "type": "value_error",
                }
            ]
        )
    await service.change_password(user, data)


@router.get("", summary="List users (admin)", responses=problem_responses(401, 403, 422))
async def list_users(_admin: AdminDep, service: UserServiceDep, page: PageDep) -> Page[UserRead]:
    """Every account, oldest first: follow `next_cursor`."""
    users, next_cursor = await service.list(page)
    return Page(items=[UserRead.model_validate(user) for user in users], next_cursor=next_cursor)


@router.post(
    "",
    status_code=HTTPStatus.CREATED,
    summary="Create a user (admin)",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_user(data: AdminUserCreate, admin: AdminDep, service: UserServiceDep) -> UserRead:
    """An account with the given role, whether or not registration is open."""
    return UserRead.model_validate(await service.create(data, role=data.role, actor=admin))


@router.get(
    "/{user_id:uuid}", summary="Get a user (admin)", responses=problem_responses(401, 403, 404, 422)
)
async def get_user(user_id: uuid.UUID, _admin: AdminDep, service: UserServiceDep) -> UserRead:
    """One account by id."""
    return UserRead.model_validate(await service.get(user_id))


@router.patch(
    "/{user_id:uuid}",
    summary="Change a user's role or status (admin)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_user(
    user_id: uuid.UUID, data: UserUpdate, admin: AdminDep, service: UserServiceDep
) -> UserRead:
    """Deactivating an account also revokes its sessions."""
    return UserRead.model_validate(await service.update(admin, user_id, data))
