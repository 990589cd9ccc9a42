"""The generated project's own test suite, run for real on SQLite and PostgreSQL.

The runs start with the session (generated_suites.py) and are collected here,
at its end. Each gets TEST_REDIS_URL and TEST_RABBITMQ_URL, so the Redis-backed
rate limiter and the jobs on both brokers are tested too (the generated suite
skips those tests without them, and a skip fails here).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import Projects
from generated_suites import SUITE_SETS, Runs
from helpers import (
    SUITE_TIMEOUT,
    clean_env,
    fresh_postgres_database,
    project_command,
    run,
)


def _assert_all_passed(stdout: str) -> None:
    # The summary line must count passes only: no skips, xfails or errors.
    summary = stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed in [\d.]+s( \([\d:]+\))?", summary), summary
    assert "Required test coverage of 90% reached" in stdout


@pytest.mark.parametrize("answer_set", SUITE_SETS)
@pytest.mark.timeout(2 * SUITE_TIMEOUT + 60)
def test_generated_suite_passes_on_sqlite(suite_runs: Runs, answer_set: str) -> None:
    _assert_all_passed(suite_runs[answer_set, "sqlite"].result().stdout)


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres")
@pytest.mark.parametrize("answer_set", SUITE_SETS)
@pytest.mark.timeout(2 * SUITE_TIMEOUT + 60)
def test_generated_suite_passes_on_postgresql(suite_runs: Runs, answer_set: str) -> None:
    _assert_all_passed(suite_runs[answer_set, "postgresql"].result().stdout)


def _migrate_and_check(project: Path, database_url: str) -> None:
    # With auth=oidc every command needs a provider named (never asked here);
    # the other answers ignore these.
    env = clean_env(
        DATABASE_URL=database_url,
        OIDC_ISSUER="https://login.example.com",
        OIDC_AUDIENCE="api://checked",
    )
    run(["uv", "run", "--no-sync", project_command(project), "migrate"], project, env=env)
    check = run(["uv", "run", "--no-sync", "alembic", "check"], project, env=env)
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    run(["uv", "run", "--no-sync", "alembic", "downgrade", "base"], project, env=env)
    run(["uv", "run", "--no-sync", "alembic", "upgrade", "head"], project, env=env)


@pytest.mark.parametrize("answer_set", SUITE_SETS)
def test_alembic_check_and_round_trip_on_sqlite(
    projects: Projects, tmp_path: Path, answer_set: str
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'check.db'}"
    _migrate_and_check(projects.synced(answer_set), url)


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres")
@pytest.mark.parametrize("answer_set", SUITE_SETS)
def test_alembic_check_and_round_trip_on_postgresql(projects: Projects, answer_set: str) -> None:
    with fresh_postgres_database() as url:
        _migrate_and_check(projects.synced(answer_set), url)
