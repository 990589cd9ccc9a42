"""Slow tier: build the generated project's image with podman and run it for real.

Base images come from local stand-ins (no registry here) built under the
Dockerfile's own image names, so the Dockerfile itself stays the one users
build with Docker. The app runs against the machine's PostgreSQL after the
image's own `migrate` command prepared a fresh database.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import free_port, fresh_postgres_database, postgres_available, skip_or_fail
from infra_tools import check, missing, podman_env, prepare_standins, run, tool_path

pytestmark = pytest.mark.slow

GRACE_SECONDS = 30


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - loopback URL
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="session")
def podman_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    podman = tool_path("podman")
    env = podman_env(tmp_path_factory.mktemp("podman"))
    probe = run([podman, "info", "--format", "{{.Host.OCIRuntime.Name}}"], env=env)
    if probe.returncode != 0:
        missing(f"podman cannot run here: {probe.stderr.strip()}")
    return podman, env


@pytest.fixture(scope="session")
def built_image(
    default_project: Path,
    podman_setup: tuple[str, dict[str, str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    podman, env = podman_setup
    project = tmp_path_factory.mktemp("image") / "project"
    shutil.copytree(default_project, project, ignore=shutil.ignore_patterns(".git"))
    uv = tool_path("uv")
    check(run([uv, "lock"], cwd=project, timeout=300))
    prepare_standins(podman, project / "Dockerfile", env)
    tag = f"localhost/infra-test-{uuid.uuid4().hex[:8]}:latest"
    check(
        run(
            [
                podman,
                "build",
                "--pull=never",
                "--network=host",
                "--format",
                "docker",
                "-t",
                tag,
                ".",
            ],
            cwd=project,
            env=env,
            timeout=900,
        )
    )
    yield tag
    run([podman, "rmi", "--force", tag], env=env)


def _healthcheck(podman: str, image: str, env: dict[str, str]) -> list[str]:
    """The image's HEALTHCHECK test (podman keeps it outside `Config` in its inspect view)."""
    fmt = "{{json .HealthCheck}}"
    out = check(run([podman, "image", "inspect", "--format", fmt, image], env=env)).stdout
    test: list[str] = json.loads(out)["Test"]
    return test


@pytest.fixture
def database_url() -> Iterator[str]:
    reason = postgres_available()
    if reason:
        skip_or_fail(reason)
    with fresh_postgres_database() as url:
        yield url


def test_image_config_is_production_shaped(
    built_image: str, podman_setup: tuple[str, dict[str, str]]
) -> None:
    podman, env = podman_setup
    config = json.loads(check(run([podman, "image", "inspect", built_image], env=env)).stdout)[0][
        "Config"
    ]
    assert config["User"] == "10001:10001"
    assert config["Cmd"] == ["acme-orders", "serve"]
    healthcheck = _healthcheck(podman, built_image, env)
    assert healthcheck[0] == "CMD"
    assert "/health/live" in " ".join(healthcheck)
    environment = dict(item.split("=", 1) for item in config["Env"])
    assert environment["PYTHONDONTWRITEBYTECODE"] == "1"
    assert environment["PYTHONUNBUFFERED"] == "1"
    assert environment["HOST"] == "0.0.0.0"  # noqa: S104 - inside the container


def test_container_migrates_serves_and_stops_gracefully(
    built_image: str, podman_setup: tuple[str, dict[str, str]], database_url: str
) -> None:
    podman, env = podman_setup
    port = free_port()
    common = [
        "--network=host",
        "--pull=never",
        "--read-only",
        "--tmpfs",
        "/tmp",  # noqa: S108 - a tmpfs inside the container
        "-e",
        f"DATABASE_URL={database_url}",
        # The image runs with ENVIRONMENT=production, which refuses to start
        # (even to migrate) without a signing key and a metrics token.
        "-e",
        f"JWT_SECRET_KEY={uuid.uuid4().hex * 2}",
        "-e",
        f"METRICS_TOKEN={uuid.uuid4().hex}",
    ]

    # Migrations are an explicit one-off command, not part of the server's start.
    migrate = run(
        [podman, "run", "--rm", *common, built_image, "acme-orders", "migrate"],
        env=env,
        timeout=180,
    )
    check(migrate)

    name = f"infra-test-{uuid.uuid4().hex[:8]}"
    check(
        run(
            [
                podman,
                "run",
                "-d",
                "--name",
                name,
                "--no-healthcheck",
                *common,
                "-e",
                f"PORT={port}",
                built_image,
            ],
            env=env,
        )
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        status, body = 0, ""
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"{base}/health/ready")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(0.5)
        logs = run([podman, "logs", name], env=env)
        assert status == 200, (
            f"readiness never answered 200 ({status} {body})\n{logs.stdout}{logs.stderr}"
        )
        assert _get(f"{base}/health/live")[0] == 200

        # The image's own HEALTHCHECK command, run inside the container.
        test_cmd = _healthcheck(podman, built_image, env)
        assert test_cmd[0] == "CMD"
        check(run([podman, "exec", "-e", f"PORT={port}", name, *test_cmd[1:]], env=env))

        # PID 1 is the server and it is not root.
        proc_status = check(run([podman, "exec", name, "cat", "/proc/1/status"], env=env)).stdout
        uid_line = next(line for line in proc_status.splitlines() if line.startswith("Uid:"))
        assert set(uid_line.split()[1:]) == {"10001"}, uid_line
        cmdline = check(run([podman, "exec", name, "cat", "/proc/1/cmdline"], env=env)).stdout
        assert "serve" in cmdline

        # SIGTERM: uvicorn drains and exits well before podman would SIGKILL.
        started = time.monotonic()
        check(
            run(
                [podman, "stop", "--time", str(GRACE_SECONDS), name],
                env=env,
                timeout=GRACE_SECONDS + 30,
            )
        )
        elapsed = time.monotonic() - started
        state = json.loads(check(run([podman, "inspect", name], env=env)).stdout)[0]["State"]
        assert state["ExitCode"] != 137, "the server ignored SIGTERM and was killed"
        assert elapsed < GRACE_SECONDS, f"stopping took {elapsed:.1f}s"
    finally:
        subprocess.run([podman, "rm", "--force", name], env=env, capture_output=True, check=False)


def test_ci_container_smoke_script_passes_with_podman(
    default_project: Path, built_image: str, podman_setup: tuple[str, dict[str, str]]
) -> None:
    """The generated CI's own smoke test (docker there) passes against the image."""
    podman, env = podman_setup
    tool_path("curl")
    env = {**env, "CONTAINER_ENGINE": podman, "SMOKE_PORT": str(free_port())}
    script = default_project / "scripts" / "container-smoke-test.sh"
    proc = check(run(["bash", str(script), built_image], env=env, timeout=180))
    assert "uid: 10001" in proc.stdout
    assert "exit code 0" in proc.stdout
