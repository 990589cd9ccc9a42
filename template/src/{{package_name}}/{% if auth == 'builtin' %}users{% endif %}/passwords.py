"""Password hashing with argon2id, off the event loop.

One argon2id hash takes tens of milliseconds of pure CPU. Run on the event loop,
a handful of concurrent logins would stall every other request for that long;
in worker threads (argon2-cffi releases the GIL) they do not. A capacity
limiter caps how many hashes run at once, so a login burst queues instead of
starving the CPUs.
"""

from anyio import CapacityLimiter, to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from ..core.settings.accounts import AuthSettings


class Passwords:
    """Hashes and verifies passwords with the configured argon2id parameters."""

    def __init__(self, settings: AuthSettings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.hash_time_cost,
            memory_cost=settings.hash_memory_kib,
            parallelism=settings.hash_parallelism,
            type=Type.ID,
        )
        self._limiter = CapacityLimiter(settings.hash_concurrency)
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        """The argon2id hash of `password`."""
        return await to_thread.run_sync(self._hasher.hash, password, limiter=self._limiter)

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether `password` matches `password_hash`."""
        return await to_thread.run_sync(
            self._verify, password_hash, password, limiter=self._limiter
        )

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of a real verification, for an account that does not exist.

        Answering unknown emails faster than known ones would let anyone list
        the accounts by timing the login endpoint.
        """
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash("dummy password, never matches")
        await self.verify(self._dummy_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than today's."""
        return self._hasher.check_needs_rehash(password_hash)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
