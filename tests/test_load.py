"""The generated project's load test (Locust, headless) against the real service, and its gate.

`loadtest/locustfile.py` runs the way its README says, briefly, against the
default project served by uvicorn: once within generous thresholds (it must
pass, having made requests of every kind) and once with a threshold no
service can meet (it must fail, and say why), so the CI job that gates on it
is known to be able to fail.
"""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import Projects
from helpers import ADMIN_EMAIL, ADMIN_PASSWORD, clean_env, running_service

RUN_SECONDS = "6s"


@pytest.fixture(scope="module")
def service(projects: Projects, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The default project, served, with an admin: its URL."""
    state = tmp_path_factory.mktemp("load-service")
    with running_service(
        projects.synced("default"),
        f"sqlite+aiosqlite:///{state / 'app.db'}",
        log_path=state / "service.log",
        env_extra={"RATE_LIMIT_PER_MINUTE": "0"},
    ) as running:
        yield running.url


@pytest.fixture(scope="module")
def load_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The load test's own environment: the `load` group must not change the shared project's."""
    return tmp_path_factory.mktemp("load-venv") / ".venv"


def _locust(
    project: Path, url: str, venv: Path, csv: Path, **thresholds: str
) -> subprocess.CompletedProcess[str]:
    token = httpx.post(
        f"{url}/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    ).json()["access_token"]
    env = clean_env(LOAD_BEARER_TOKEN=token, UV_PROJECT_ENVIRONMENT=str(venv), **thresholds)
    return subprocess.run(
        [
            "uv",
            "run",
            # As the README and the workflow say: Locust alone, not the service.
            "--only-group",
            "load",
            "locust",
            "-f",
            "loadtest/locustfile.py",
            "--headless",
            "--host",
            url,
            "--users",
            "5",
            "--spawn-rate",
            "5",
            "--run-time",
            RUN_SECONDS,
            "--csv",
            str(csv),
            "--only-summary",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_load_test_runs_against_the_service_and_passes(
    projects: Projects, service: str, load_venv: Path, tmp_path: Path
) -> None:
    result = _locust(
        projects.synced("default"),
        service,
        load_venv,
        tmp_path / "run",
        LOAD_MAX_P99_MS="5000",
        LOAD_MAX_ERROR_RATIO="0.01",
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    stats = (tmp_path / "run_stats.csv").read_text()
    for name in ("/items", "/items/{item_id}"):
        assert f",{name}," in stats, stats
    assert "POST,/items," in stats, stats


def test_a_breached_threshold_fails_the_run_and_says_which(
    projects: Projects, service: str, load_venv: Path, tmp_path: Path
) -> None:
    result = _locust(
        projects.synced("default"), service, load_venv, tmp_path / "run", LOAD_MAX_P99_MS="0.001"
    )
    assert result.returncode == 1, result.stdout[-4000:] + result.stderr[-4000:]
    assert "threshold breached: p99" in result.stdout + result.stderr
