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
from conftest import Projects
from helpers import (
    SUITE_TIMEOUT,
    clean_env,
    fresh_postgres_database,
    postgres_available,
    project_command,
    run,
)


def _assert_all_passed(stdout: str) -> None:
    # The summary line must count passes only: no skips, xfails or errors.
    summary = stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed in [\d.]+s( \([\d:]+\))?", summary), summary
    assert "Required test coverage of 90% reached" in stdout


Runs = dict[tuple[str, str], "Future[subprocess.CompletedProcess[str]]"]

# One answer set per value of `auth`; each suite runs on both databases.
SUITE_SETS = ["default", "py311-oidc-custom-names", "py312-auth-none"]


@pytest.fixture(scope="module")
def suite_runs(
    projects: Projects, redis: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runs]:
    """Every answer set's runs on both databases, started together.

    The suites spend most of their time waiting on servers, sockets and
    sleeps, so on a two-core machine three at once take little longer than
    one; more would stretch the fault tests' deadlines. Each run keeps its own
    coverage data; nothing else is written in the project.
    """
    coverage = tmp_path_factory.mktemp("coverage")
    synced = {name: projects.synced(name) for name in SUITE_SETS}
    with ExitStack() as stack:
        envs: dict[tuple[str, str], dict[str, str]] = {}
        for name in SUITE_SETS:
            envs[name, "sqlite"] = {"TEST_REDIS_URL": redis}
        if postgres_available() is None:
            for name in SUITE_SETS:
                url = stack.enter_context(fresh_postgres_database())
                envs[name, "postgresql"] = {"TEST_REDIS_URL": redis, "TEST_DATABASE_URL": url}
        # Entered after the databases, so the pool waits for the runs before they are dropped.
        pool = stack.enter_context(ThreadPoolExecutor(3))
        yield {
            (name, database): pool.submit(
                run,
                ["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"],
                synced[name],
                env=clean_env(
                    COVERAGE_FILE=str(coverage / f".coverage.{name}.{database}"), **extra
                ),
                timeout=SUITE_TIMEOUT,
            )
            for (name, database), extra in envs.items()
        }


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
