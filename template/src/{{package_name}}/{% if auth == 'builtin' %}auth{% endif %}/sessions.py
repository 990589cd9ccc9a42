"""Issuing, rotating and revoking refresh-token families."""

import uuid
from datetime import timedelta

from ..audit.models import AuditEvent
from ..audit.service import AuditLog
from ..core.database.models import utcnow
from ..core.opaque_tokens import new_opaque_token, token_digest
from ..users.models import User
from ..users.refresh_tokens.models import RefreshToken
from ..users.refresh_tokens.repository import RefreshTokenRepository
from ..users.repository import UserRepository
from .errors import InvalidRefreshTokenError
from .schemas import TokenPair
from .tokens import AccessTokens


class Sessions:
    """A session is a refresh-token family: started at login, rotated on every refresh."""

    def __init__(
        self,
        tokens: RefreshTokenRepository,
        users: UserRepository,
        access_tokens: AccessTokens,
        audit: AuditLog,
        refresh_lifetime: timedelta,
    ) -> None:
        self._tokens = tokens
        self._users = users
        self._access_tokens = access_tokens
        self._audit = audit
        self._refresh_lifetime = refresh_lifetime

    async def start(self, user: User) -> TokenPair:
        """Open a new family for `user`."""
        return await self._issue(user, family_id=uuid.uuid4())

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Exchange a refresh token for a new pair; reuse revokes the whole family."""
        now = utcnow()
        stored = await self._tokens.get_by_hash(token_digest(refresh_token))
        if stored is None or stored.expires_at <= now or stored.revoked_at is not None:
            raise InvalidRefreshTokenError
        if not await self._tokens.claim(stored.id, now):
            # Already used (by an earlier or a concurrent request): two parties
            # hold this chain and one of them stole it. End it for both.
            await self._tokens.revoke_family(stored.family_id)
            await self._audit.record(
                AuditEvent.REFRESH_TOKEN_REUSED,
                target_id=stored.user_id,
                family_id=str(stored.family_id),
            )
            raise InvalidRefreshTokenError
        user = await self._users.get(stored.user_id)
        if user is None or not user.is_active:
            raise InvalidRefreshTokenError
        return await self._issue(user, family_id=stored.family_id)

    async def end(self, refresh_token: str) -> None:
        """Log out: revoke the family of this token. Unknown tokens are ignored."""
        stored = await self._tokens.get_by_hash(token_digest(refresh_token))
        if stored is None:
            return
        await self._tokens.revoke_family(stored.family_id)
        await self._audit.record(
            AuditEvent.LOGGED_OUT, actor_id=stored.user_id, target_id=stored.user_id
        )

    async def end_all(self, user_id: uuid.UUID) -> None:
        """Log out everywhere: revoke every family of the user."""
        await self._tokens.revoke_user(user_id)
        await self._audit.record(
            AuditEvent.LOGGED_OUT_EVERYWHERE, actor_id=user_id, target_id=user_id
        )

    async def _issue(self, user: User, *, family_id: uuid.UUID) -> TokenPair:
        refresh_token = new_opaque_token()
        await self._tokens.add(
            RefreshToken(
                family_id=family_id,
                user_id=user.id,
                token_hash=token_digest(refresh_token),
                expires_at=utcnow() + self._refresh_lifetime,
            )
        )
        return TokenPair(
            access_token=self._access_tokens.issue(user.id),
            expires_in=int(self._access_tokens.lifetime.total_seconds()),
            refresh_token=refresh_token,
        )
