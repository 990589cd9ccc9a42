"""Creating the first administrator from the command line."""

import asyncio
import getpass
import os
import sys

from pydantic import SecretStr, ValidationError
from sqlalchemy.exc import IntegrityError

from ..auth.passwords import Passwords
from ..core.database.engine import Database
from ..core.settings.config import Settings
from .models import Role, User
from .repository import UserRepository
from .schemas import UserCreate

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
    database = Database(settings.database)
    try:
        password_hash = await Passwords(settings.auth).hash(data.password)
        async with database.sessionmaker() as session:
            await database.begin_writing(session)
            # No look-up first: between it and the insert another process could
            # create the account. The unique constraint decides, atomically.
            try:
                user = await UserRepository(session).add(
                    User(email=data.email, password_hash=password_hash, role=Role.ADMIN)
                )
            except IntegrityError:
                raise SystemExit(f"error: an account for {data.email} already exists") from None
            await session.commit()
            return str(user.id)
    finally:
        await database.dispose()
