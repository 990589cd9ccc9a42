"""Measure asyncpg against psycopg 3 on the generated service's query shapes.

Run: `uv run --group bench python bench/db_drivers.py` (needs PostgreSQL at
TEMPLATE_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres).

Each round creates a fresh database, then for each driver in turn (interleaved,
A B A B, so machine noise hits both alike) runs the shapes the items domain uses
through SQLAlchemy's async engine: insert one row and commit, get by primary key,
list a page with its total. Prints operations per second per driver, the median
over rounds, and the ratio psycopg / asyncpg.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import psycopg
from sqlalchemy import Integer, String, Uuid, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ADMIN_URL = os.environ.get(
    "TEMPLATE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DRIVERS = ("asyncpg", "psycopg")
ROUNDS = 5
SECONDS_PER_SHAPE = 2.0


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    quantity: Mapped[int] = mapped_column(Integer, default=0)


Shape = Callable[[async_sessionmaker[AsyncSession], int], Awaitable[None]]


async def insert(sessions: async_sessionmaker[AsyncSession], n: int) -> None:
    async with sessions() as session:
        session.add(Item(name=f"item-{uuid.uuid4().hex}", quantity=n))
        await session.commit()


async def get_by_pk(sessions: async_sessionmaker[AsyncSession], n: int) -> None:
    async with sessions() as session:
        await session.scalar(select(Item).order_by(Item.id).limit(1).offset(n % 50))


async def list_page(sessions: async_sessionmaker[AsyncSession], _n: int) -> None:
    async with sessions() as session:
        (await session.scalars(select(Item).order_by(Item.id).limit(20))).all()
        await session.scalar(select(func.count()).select_from(Item))


SHAPES: dict[str, Shape] = {"insert+commit": insert, "get": get_by_pk, "list+count": list_page}


async def ops_per_second(url: str, shape: Shape) -> float:
    engine = create_async_engine(url, pool_size=5)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        for n in range(50):  # warm-up: connections, prepared statements, caches
            await shape(sessions, n)
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < SECONDS_PER_SHAPE:
            await shape(sessions, count)
            count += 1
        return count / elapsed
    finally:
        await engine.dispose()


async def prepare(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    sessions = async_sessionmaker(engine)
    for n in range(100):
        await insert(sessions, n)
    await engine.dispose()


def main() -> None:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].split("://", 1)[1]
    urls = {driver: f"postgresql+{driver}://{base}/{name}" for driver in DRIVERS}
    results: dict[tuple[str, str], list[float]] = {}
    try:
        asyncio.run(prepare(urls["asyncpg"]))
        for _ in range(ROUNDS):
            for shape_name, shape in SHAPES.items():
                for driver in DRIVERS:
                    rate = asyncio.run(ops_per_second(urls[driver], shape))
                    results.setdefault((shape_name, driver), []).append(rate)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"{'shape':<14} {'asyncpg ops/s':>14} {'psycopg ops/s':>14} {'psycopg/asyncpg':>16}")
    for shape_name in SHAPES:
        a = statistics.median(results[(shape_name, "asyncpg")])
        p = statistics.median(results[(shape_name, "psycopg")])
        print(f"{shape_name:<14} {a:>14.0f} {p:>14.0f} {p / a:>16.2f}")


if __name__ == "__main__":
    main()
