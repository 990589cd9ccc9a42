"""The generated project's own test suite, run for real on SQLite and PostgreSQL.

Both runs get TEST_REDIS_URL, so the Redis-backed rate limiter is tested too
(the generated suite skips those tests without it, and a skip fails here).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import SUITE_TIMEOUT, clean_env, fresh_postgres_database, run


def _assert_all_passed(stdout: str) -> None:
    # The summary line must count passes only: no skips, xfails or errors.
    summary = stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed in [\d.]+s( \([\d:]+\))?", summary), summary
    assert "Required test coverage of 90% reached" in stdout


@pytest.mark.timeout(SUITE_TIMEOUT + 60)
def test_generated_suite_passes_on_sqlite(synced_default_project: Path, redis: str) -> None:
    result = run(
        ["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"],
        synced_default_project,
        env=clean_env(TEST_REDIS_URL=redis),
        timeout=SUITE_TIMEOUT,
    )
    _assert_all_passed(result.stdout)


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres")
@pytest.mark.timeout(SUITE_TIMEOUT + 60)
def test_generated_suite_passes_on_postgresql(synced_default_project: Path, redis: str) -> None:
    with fresh_postgres_database() as url:
        result = run(
            ["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"],
            synced_default_project,
            env=clean_env(TEST_DATABASE_URL=url, TEST_REDIS_URL=redis),
            timeout=SUITE_TIMEOUT,
        )
    _assert_all_passed(result.stdout)


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
