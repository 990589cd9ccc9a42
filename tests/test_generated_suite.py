"""The generated project's own test suite, run for real on SQLite and PostgreSQL.

Both runs get TEST_REDIS_URL, so the Redis-backed rate limiter is tested too
(the generated suite skips those tests without it, and a skip fails here).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest
from helpers import (
    SUITE_TIMEOUT,
    clean_env,
    fresh_postgres_database,
    postgres_available,
    run,
)


def _assert_all_passed(stdout: str) -> None:
    # The summary line must count passes only: no skips, xfails or errors.
    summary = stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed in [\d.]+s( \([\d:]+\))?", summary), summary
    assert "Required test coverage of 90% reached" in stdout


Runs = dict[str, "Future[subprocess.CompletedProcess[str]]"]


@pytest.fixture(scope="module")
def suite_runs(
    synced_default_project: Path, redis: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runs]:
    """Both databases' runs, started together.

    The suites spend most of their time waiting on servers, sockets and
    sleeps, so on a two-core machine the pair takes little longer than one.
    Each run keeps its own coverage data; nothing else is written in the project.
    """
    coverage = tmp_path_factory.mktemp("coverage")
    envs = {"sqlite": {"TEST_REDIS_URL": redis}}
    with ExitStack() as stack:
        if postgres_available() is None:
            url = stack.enter_context(fresh_postgres_database())
            envs["postgresql"] = {"TEST_REDIS_URL": redis, "TEST_DATABASE_URL": url}
        # Entered after the database, so the pool waits for the runs before it is dropped.
        pool = stack.enter_context(ThreadPoolExecutor(len(envs)))
        yield {
            name: pool.submit(
                run,
                ["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"],
                synced_default_project,
                env=clean_env(COVERAGE_FILE=str(coverage / f".coverage.{name}"), **extra),
                timeout=SUITE_TIMEOUT,
            )
            for name, extra in envs.items()
        }


@pytest.mark.timeout(SUITE_TIMEOUT + 60)
def test_generated_suite_passes_on_sqlite(suite_runs: Runs) -> None:
    _assert_all_passed(suite_runs["sqlite"].result().stdout)


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres")
@pytest.mark.timeout(SUITE_TIMEOUT + 60)
def test_generated_suite_passes_on_postgresql(suite_runs: Runs) -> None:
    _assert_all_passed(suite_runs["postgresql"].result().stdout)


def _migrate_and_check(project: Path, database_url: str) -> None:
    env = clean_env(DATABASE_URL=database_url)
    run(["uv", "run", "--no-sync", "acme-orders", "migrate"], project, env=env)
    check = run(["uv", "run", "--no-sync", "alembic", "check"], project, env=env)
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    run(["uv", "run", "--no-sync", "alembic", "downgrade", "base"], project, env=env)
    run(["uv", "run", "--no-sync", "alembic", "upgrade", "head"], project, env=env)


def test_alembic_check_and_round_trip_on_sqlite(
    synced_default_project: Path, tmp_path: Path
) -> None:
    _migrate_and_check(synced_default_project, f"sqlite+aiosqlite:///{tmp_path / 'check.db'}")


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres")
def test_alembic_check_and_round_trip_on_postgresql(synced_default_project: Path) -> None:
    with fresh_postgres_database() as url:
        _migrate_and_check(synced_default_project, url)
