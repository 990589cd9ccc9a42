"""Business rules of API keys."""

import uuid
from collections.abc import Sequence
from datetime import timedelta

import structlog
from sqlalchemy.exc import SQLAlchemyError
from structlog.typing import FilteringBoundLogger

from ..access.errors import PermissionDeniedError
from ..access.principal import Principal
from ..audit.models import AuditEvent
from ..audit.service import AuditLog
from ..core.database.engine import Database
from ..core.database.models import utcnow
from ..core.database.pagination import PageParams
from ..core.errors.problems import NotFoundError
from ..core.opaque_tokens import new_opaque_token, token_digest
from ..users.repository import UserRepository
from ..users.service import UserNotFoundError
from .models import ApiKey
from .repository import ApiKeyRepository
from .schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)

# Recognisable in logs and by secret scanners.
KEY_PREFIX = "ak_"
# How stale `last_used_at` may be before a use writes it again.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiKeyNotFoundError(NotFoundError):
    """No key with this id is visible to the caller."""

    def __init__(self, key_id: uuid.UUID) -> None:
        super().__init__(f"API key {key_id} does not exist.")


class ApiKeyService:
    """Creates, lists and revokes keys; users manage their own, admins anyone's."""

    def __init__(self, keys: ApiKeyRepository, users: UserRepository, audit: AuditLog) -> None:
        self._keys = keys
        self._users = users
        self._audit = audit

    async def create(self, actor: Principal, data: ApiKeyCreate) -> ApiKeyCreated:
        """A new key, returned with its secret this once."""
        owner_id = data.user_id or actor.id
        if owner_id != actor.id:
            if not actor.is_admin:
                raise PermissionDeniedError("Only administrators create keys for other users.")
            if await self._users.get(owner_id) is None:
                raise UserNotFoundError(owner_id)
        secret = KEY_PREFIX + new_opaque_token()
        expires_at = (
            utcnow() + timedelta(days=data.expires_in_days) if data.expires_in_days else None
        )
        key = await self._keys.add(
            ApiKey(
                user_id=owner_id,
                name=data.name,
                prefix=secret[:12],
                key_hash=token_digest(secret),
                scopes=sorted({scope.value for scope in data.scopes}),
                expires_at=expires_at,
            )
        )
        await self._audit.record(
            AuditEvent.API_KEY_CREATED, actor_id=actor.id, target_id=owner_id, key_id=str(key.id)
        )
        return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), key=secret)

    async def list(self, actor: Principal, page: PageParams) -> tuple[Sequence[ApiKey], str | None]:
        """One page of the caller's keys (every key for an admin), and the next cursor."""
        return await self._keys.list(None if actor.is_admin else actor.id, page)

    async def revoke(self, actor: Principal, key_id: uuid.UUID) -> None:
        """Revoke a key for good. Another user's key is a 404, so ids cannot be probed."""
        key = await self._keys.get(key_id)
        if key is None or (key.user_id != actor.id and not actor.is_admin):
            raise ApiKeyNotFoundError(key_id)
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            await self._keys.flush()
            await self._audit.record(
                AuditEvent.API_KEY_REVOKED,
                actor_id=actor.id,
                target_id=key.user_id,
                key_id=str(key.id),
            )


async def authenticate_api_key(keys: ApiKeyRepository, secret: str) -> ApiKey | None:
    """The live key matching `secret`; `None` if unknown or dead. Only reads."""
    key = await keys.get_by_hash(token_digest(secret))
    if key is None or key.revoked_at is not None:
        return None
    if key.expires_at is not None and key.expires_at <= utcnow():
        return None
    return key


def use_needs_recording(key: ApiKey) -> bool:
    """Whether a use of `key` now should update its `last_used_at`.

    Minute precision is plenty for "is this key still used?", and it spares a
    row write on almost every request.
    """
    return key.last_used_at is None or utcnow() - key.last_used_at >= LAST_USED_PRECISION


async def record_api_key_use(database: Database, key_id: uuid.UUID) -> None:
    """Set the key's `last_used_at` in a writing transaction of its own.

    Run after the response (a background task), not in the request's own
    transaction: there, on SQLite, the write would turn a reading transaction
    into a writing one, and of several such upgrades at once all but the first
    fail ("database is locked"), so a burst of reads would get 503s. A lost
    update only leaves `last_used_at` a little older: logged, not raised.
    """
    now = utcnow()
    try:
        async with database.writing_session() as session:
            await ApiKeyRepository(session).record_use(
                key_id, now, unless_since=now - LAST_USED_PRECISION
            )
    # OSError, TimeoutError: a refused connection or a statement timeout.
    except (SQLAlchemyError, OSError, TimeoutError):
        _logger.warning("api_key_use_not_recorded", key_id=str(key_id), exc_info=True)
