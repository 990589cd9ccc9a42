"""The generated projects' own suites, started as the session starts and collected at its end.

They take most of the session and are independent of the other template tests,
so they run beside them instead of before or after: the other tests mostly
wait on one process at a time, the suites mostly on servers and sockets, and
the two cores are busy throughout. The tests that collect them
(test_generated_suite.py) are moved to the end of the run.

Registered as a plugin by conftest.py.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack

import pytest
from conftest import Projects
from helpers import SUITE_TIMEOUT, clean_env, fresh_postgres_database, postgres_available, run

Runs = dict[tuple[str, str], "Future[subprocess.CompletedProcess[str]]"]

# One answer set per value of `auth` (and `worker`); each suite runs on both databases.
SUITE_SETS = ["default", "py311-oidc-custom-names", "py312-auth-none"]
# Suites at once: more would stretch the fault tests' deadlines on two cores
# that the rest of the session shares.
PARALLEL_SUITES = 3


@pytest.fixture(scope="session")
def suite_runs(
    projects: Projects,
    redis: str,
    rabbitmq: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Runs]:
    """Every answer set's runs on both databases, started together.

    Each run keeps its own coverage data; nothing else is written in the project.
    """
    coverage = tmp_path_factory.mktemp("coverage")
    synced = {name: projects.synced(name) for name in SUITE_SETS}
    brokers = {"TEST_REDIS_URL": redis, "TEST_RABBITMQ_URL": rabbitmq}
    with ExitStack() as stack:
        envs: dict[tuple[str, str], dict[str, str]] = {}
        for name in SUITE_SETS:
            envs[name, "sqlite"] = dict(brokers)
        if postgres_available() is None:
            for name in SUITE_SETS:
                url = stack.enter_context(fresh_postgres_database())
                envs[name, "postgresql"] = {**brokers, "TEST_DATABASE_URL": url}
        # Entered after the databases, so the pool waits for the runs before they are dropped.
        pool = stack.enter_context(ThreadPoolExecutor(PARALLEL_SUITES))
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


def _collects_suites(item: pytest.Item) -> bool:
    return "suite_runs" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Collect the suites last: every other test runs while they do."""
    items.sort(key=_collects_suites)


@pytest.fixture(scope="session", autouse=True)
def _start_generated_suites(request: pytest.FixtureRequest) -> None:
    # Only when this session collects them (not for `pytest tests/test_questions.py`).
    if any(_collects_suites(item) for item in request.session.items):
        request.getfixturevalue("suite_runs")
