"""Grow a rendered service's `items` table to a given size; bench/lists.py runs it.

    DATABASE_URL=... BENCH_MEMBER_PASSWORD=... .venv/bin/python lists_seed.py ROWS ADMIN MEMBER...

It runs inside the project bench/lists.py renders, with that project's
interpreter, and writes through the service's own settings, engine and models,
so values are stored as the service stores them: on SQLite, UUIDs as 32 hex
digits and timestamps as text in UTC, which hand-written SQL would easily get
subtly wrong (and an ORDER BY on it with them).

Rows already in the table are kept: rows numbered from the current count up to
ROWS are added, as a service's table grows, newest last. Row n is created
n minutes after a fixed epoch, plus up to a minute of jitter, so `created_at`
increases strictly. Six rows in ten belong to ADMIN (who must exist), one in ten
to each of the four MEMBER accounts, which the first run creates (role `user`,
password BENCH_MEMBER_PASSWORD). Names are unique ("Item 0000042"); one row in
three has a description.

PostgreSQL: one `INSERT ... SELECT` from `generate_series`, then `VACUUM
ANALYZE`, as autovacuum would get to eventually. SQLite: Core `insert()` of the
model's table, executemany in batches of 10,000, one transaction each; no
ANALYZE, since the service never runs one.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from acme_orders.access.principal import Role
from acme_orders.core.database.engine import create_engine
from acme_orders.core.settings.config import get_settings
from acme_orders.items.models import Item
from acme_orders.users.models import User
from acme_orders.users.passwords import Passwords
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
MEMBERS = 4
BATCH = 10_000
DESCRIPTION = "Kept on the second shelf; reorder when fewer than ten are left."

POSTGRES_INSERT = text(
    """
    INSERT INTO items (id, owner_id, name, description, quantity, created_at, updated_at)
    SELECT gen_random_uuid(),
           (CAST(:owners AS uuid[]))[n % 10 + 1],
           'Item ' || lpad(n::text, 7, '0'),
           CASE WHEN n % 3 = 0 THEN CAST(:description AS varchar) END,
           n % 100,
           at,
           at
    FROM generate_series(CAST(:start AS integer), CAST(:stop AS integer) - 1) AS n,
         LATERAL (
             SELECT CAST(:epoch AS timestamptz) + make_interval(secs => n * 60 + random() * 60)
         ) AS created(at)
    """
)


async def _account_ids(engine: AsyncEngine, admin: str, members: list[str]) -> list[uuid.UUID]:
    """The admin's id, then the members' (created on the first run)."""
    async with engine.begin() as connection:
        accounts = await connection.execute(
            select(User.email, User.id).where(User.email.in_([admin, *members]))
        )
        found = {email: user_id for email, user_id in accounts}
        missing = [email for email in members if email not in found]
        if missing:
            passwords = Passwords(get_settings().auth)
            password_hash = await passwords.hash(os.environ["BENCH_MEMBER_PASSWORD"])
            for email in missing:
                found[email] = uuid.uuid4()
                await connection.execute(
                    insert(User.__table__),
                    {
                        "id": found[email],
                        "email": email,
                        "password_hash": password_hash,
                        "role": Role.USER,
                    },
                )
    if admin not in found:
        sys.exit(f"no account {admin}: create it first (create-admin)")
    return [found[admin], *(found[email] for email in members)]


def _sqlite_rows(start: int, stop: int, owners: list[uuid.UUID]) -> Iterator[dict[str, Any]]:
    jitter = random.Random(start)  # noqa: S311 - timestamps, not secrets
    for n in range(start, stop):
        created_at = EPOCH + timedelta(seconds=n * 60 + jitter.random() * 60)
        yield {
            "id": uuid.uuid4(),
            "owner_id": owners[n % 10],
            "name": f"Item {n:07d}",
            "description": DESCRIPTION if n % 3 == 0 else None,
            "quantity": n % 100,
            "created_at": created_at,
            "updated_at": created_at,
        }


async def seed(rows: int, admin: str, members: list[str]) -> None:
    settings = get_settings()
    engine = create_engine(settings.database)
    try:
        accounts = await _account_ids(engine, admin, members)
        # Six slots in ten for the admin, one for each member.
        owners = [accounts[0]] * (10 - len(members)) + accounts[1:]
        async with engine.connect() as connection:
            start = await connection.scalar(select(func.count()).select_from(Item)) or 0
        began = time.perf_counter()
        if settings.database.is_sqlite:
            rows_to_add = _sqlite_rows(start, rows, owners)
            for first in range(start, rows, BATCH):
                batch = [next(rows_to_add) for _ in range(min(BATCH, rows - first))]
                async with engine.begin() as connection:
                    await connection.execute(insert(Item.__table__), batch)
        elif rows > start:
            async with engine.begin() as connection:
                await connection.execute(
                    POSTGRES_INSERT,
                    {
                        "owners": owners,
                        "description": DESCRIPTION,
                        "start": start,
                        "stop": rows,
                        "epoch": EPOCH,
                    },
                )
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.exec_driver_sql("VACUUM ANALYZE items")
        print(
            f"items: {start:,} -> {max(start, rows):,} rows in {time.perf_counter() - began:.1f} s"
        )
    finally:
        await engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 3 + MEMBERS:
        sys.exit(__doc__.split("\n\n")[1])
    asyncio.run(seed(int(sys.argv[1]), sys.argv[2], sys.argv[3:]))
