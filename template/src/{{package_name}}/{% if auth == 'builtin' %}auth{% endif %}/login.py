"""Password login, with throttling, lockout and no account enumeration."""

from datetime import timedelta

from ..audit.models import AuditEvent
from ..audit.service import AuditLog
from ..core.database.models import utcnow
from ..core.http.rate_limiter import RateLimiter
from ..core.settings.accounts import AuthSettings
from ..users.emails import normalize_email
from ..users.models import User
from ..users.passwords import Passwords
from ..users.repository import UserRepository
from ..users.throttle import account_key, reset_attempts, spend_attempt
from .errors import InvalidCredentialsError
from .schemas import TokenPair
from .sessions import Sessions


class Login:
    """Checks a password login and opens a session.

    Every failure, whatever its cause (unknown email, wrong password, locked or
    deactivated account), costs one argon2 verification and gets the same
    message, so neither the answer nor its timing tells an attacker which
    accounts exist.
    """

    def __init__(
        self,
        *,
        users: UserRepository,
        passwords: Passwords,
        limiter: RateLimiter,
        sessions: Sessions,
        audit: AuditLog,
        settings: AuthSettings,
    ) -> None:
        self._users = users
        self._passwords = passwords
        self._limiter = limiter
        self._sessions = sessions
        self._audit = audit
        self._settings = settings

    async def __call__(self, email: str, password: str, client_address: str) -> TokenPair:
        """A token pair for valid credentials; `InvalidCredentialsError` otherwise."""
        await spend_attempt(
            self._limiter,
            f"login:address:{client_address}",
            self._settings.login_attempts_per_address,
        )
        user = await self._find(email)
        if user is None:
            await self._passwords.verify_dummy(password)
            await self._audit.record(AuditEvent.LOGIN_FAILED, reason="unknown_account")
            raise InvalidCredentialsError
        reason = await self._check(user, password)
        if reason is not None:
            await self._audit.record(AuditEvent.LOGIN_FAILED, target_id=user.id, reason=reason)
            raise InvalidCredentialsError
        if self._passwords.needs_rehash(user.password_hash):
            # The only moment the plain password is at hand to upgrade the hash.
            user.password_hash = await self._passwords.hash(password)
        await reset_attempts(self._limiter, account_key(user.email))
        await self._audit.record(AuditEvent.LOGIN_SUCCEEDED, actor_id=user.id, target_id=user.id)
        return await self._sessions.start(user)

    async def _find(self, email: str) -> User | None:
        """The account `email` (as typed) belongs to, after spending one of its attempts."""
        try:
            email = normalize_email(email)
        except ValueError:
            # Registration refuses this spelling, so no account has it. Answered
            # like any unknown address rather than with a 422: that would reveal
            # no account either, but a failed login keeps one answer, whatever
            # was wrong with the credentials.
            return None
        await spend_attempt(
            self._limiter, account_key(email), self._settings.login_attempts_per_account
        )
        return await self._users.get_by_email(email)

    async def _check(self, user: User, password: str) -> str | None:
        """Why the login fails, or `None`; counts the attempt towards a lockout."""
        now = utcnow()
        limit = self._settings.max_failed_logins
        # Counted before the password is weighed, atomically in the database: of
        # a burst of concurrent guesses, at most `limit` are ever checked.
        attempt = await self._users.spend_login_attempt(user.id, limit=limit, now=now)
        # Verified even when the outcome is already known, to keep the timing equal.
        valid = await self._passwords.verify(user.password_hash, password)
        if attempt is None:
            return "locked"
        if not valid:
            if attempt == limit:
                # Only one attempt gets this number, so the lock is recorded once.
                until = now + timedelta(minutes=self._settings.lockout_minutes)
                await self._users.lock(user.id, until=until)
                await self._audit.record(AuditEvent.ACCOUNT_LOCKED, target_id=user.id)
            return "wrong_password"
        await self._users.clear_login_attempts(user.id)
        if not user.is_active:
            return "deactivated"
        return None
