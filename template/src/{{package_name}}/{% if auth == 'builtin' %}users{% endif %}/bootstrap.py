"""Creating the first administrator from the command line."""

import asyncio
import getpass
import os
import sys

from pydantic import SecretStr, ValidationError

from ..about import DISTRIBUTION
from ..access.principal import Role
from ..audit.service import AuditLog, RequestOrigin
from ..core.database.engine import Database
from ..core.http.rate_limiter import create_rate_limiter
from ..core.settings.config import Settings
from .passwords import Passwords
from .refresh_tokens.repository import RefreshTokenRepository
from .repository import UserRepository
from .schemas import UserCreate
from .service import EmailTakenError, UserService

# Never a command-line argument: arguments show up in `ps` and shell history.
PASSWORD_ENV = "ADMIN_PASSWORD"  # noqa: S105 - a variable name, not a password


def read_password() -> SecretStr:
    """The password from ADMIN_PASSWORD, or typed twice at a prompt."""
    if password := os.environ.get(PASSWORD_ENV):
        return SecretStr(password)
    # Without a terminal (a CI job, `docker exec` without -t) getpass falls back
    # to stdin, warns that the password may be echoed, and on an empty stdin
    # ends in an EOFError traceback. The variable is the way to go there.
    if not sys.stdin.isatty():
        raise SystemExit(f"error: set {PASSWORD_ENV}, or run this in a terminal to be prompted")
    try:
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Repeat password: ")
    except (EOFError, KeyboardInterrupt):
        raise SystemExit("\nerror: no password given") from None
    if first != second:
        raise SystemExit("error: the passwords do not match")
    return SecretStr(first)


def create_admin(settings: Settings, email: str, password: SecretStr) -> str:
    """Create an active admin account; returns its id. Exits with a message on bad input."""
    try:
        data = UserCreate(email=email, password=password.get_secret_value())
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SystemExit(f"error: {problems}") from None
    return asyncio.run(_insert(settings, data))


async def _insert(settings: Settings, data: UserCreate) -> str:
    # The same use case as `POST /users`, so the command line gets the same
    # rules and the same audit entry; only the request around it differs.
    database = Database(settings.database)
    limiter = create_rate_limiter(settings.http)
    origin = RequestOrigin(client_address=None, user_agent=f"{DISTRIBUTION} create-admin")
    try:
        async with database.writing_session() as session:
            users = UserService(
                UserRepository(session),
                RefreshTokenRepository(session),
                Passwords(settings.auth),
                AuditLog(session, origin),
                limiter=limiter,
                attempts_per_account=settings.auth.login_attempts_per_account,
            )
            try:
                user = await users.create(data, role=Role.ADMIN, actor=None)
            except EmailTakenError:
                raise SystemExit(f"error: an account for {data.email} already exists") from None
            return str(user.id)
    finally:
        await limiter.close()
        await database.dispose()
