"""HTTP endpoints of API keys."""

import uuid
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends

from ..access.guards import CurrentUserDep
from ..audit.dependencies import AuditLogDep
from ..core.database.engine import SessionDep
from ..core.database.pagination import Page, PageDep
from ..core.errors.problems import problem_responses
from ..users.repository import UserRepository
from .repository import ApiKeyRepository
from .schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from .service import ApiKeyService

router = APIRouter(prefix="/api-keys", tags=["api keys"])


async def get_api_key_service(session: SessionDep, audit: AuditLogDep) -> ApiKeyService:
    """An `ApiKeyService` bound to the request's session."""
    return ApiKeyService(ApiKeyRepository(session), UserRepository(session), audit)


ApiKeyServiceDep = Annotated[ApiKeyService, Depends(get_api_key_service)]


@router.post(
    "",
    status_code=HTTPStatus.CREATED,
    summary="Create an API key",
    responses=problem_responses(401, 403, 404, 422),
)
async def create_api_key(
    data: ApiKeyCreate, user: CurrentUserDep, service: ApiKeyServiceDep
) -> ApiKeyCreated:
    """A key for the caller (or, for admins, any user). The response is the only copy."""
    return await service.create(user, data)


@router.get("", summary="List API keys", responses=problem_responses(401, 403, 422))
async def list_api_keys(
    user: CurrentUserDep, service: ApiKeyServiceDep, page: PageDep
) -> Page[ApiKeyRead]:
    """The caller's keys, or every key for an admin, newest first; never the secrets."""
    keys, next_cursor = await service.list(user, page)
    return Page(items=[ApiKeyRead.model_validate(key) for key in keys], next_cursor=next_cursor)


@router.delete(
    "/{key_id:uuid}",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Revoke an API key",
    responses=problem_responses(401, 403, 404, 422),
)
async def revoke_api_key(
    key_id: uuid.UUID, user: CurrentUserDep, service: ApiKeyServiceDep
) -> None:
    """Revoked keys stop working at once and stay listed for the record."""
    await service.revoke(user, key_id)
