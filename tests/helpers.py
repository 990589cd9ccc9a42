"""Rendering, commands and databases for the template's tests."""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import copier
import httpx
import psycopg
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
# What `copier copy` reads from the template repository.
TEMPLATE_PARTS = ("copier.yml", "template", "hooks")
DEFAULT_ANSWERS: dict[str, str] = {"project_name": "Acme Orders"}
# The admin account the server tests create in throwaway databases.
ADMIN_EMAIL = "root@example.com"
ADMIN_PASSWORD = "correct horse battery staple"  # noqa: S105
# Where `running_service` serves (the browser tests let pages reach only this host).
SERVICE_HOST = "127.0.0.1"
# The generated tests prefix every key with a fresh uuid, so runs never collide.
REDIS_URL = os.environ.get("TEMPLATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_URL = os.environ.get("TEMPLATE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
POSTGRES_ADMIN_URL = os.environ.get(
    "TEMPLATE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# Jinja statements and comments anywhere, and `{{ name }}` / `{{ name | filter }}`
# expressions. Other template languages the project ships on purpose do not match:
# GitHub Actions `${{ github.sha }}`, Go templates `{{json .Config}}`, Prometheus
# `{{ $labels.job }}`, and shell `${#array[@]}`.
_JINJA_LEFTOVER = re.compile(
    r"{%|%}|(?<!\$){#|#}|(?<!\$){{-?\s*[A-Za-z_][A-Za-z0-9_]*(\.|\s*(\||-?}}|\[|\())"
)


def in_ci() -> bool:
    """Whether the run is CI's, where a missing service or tool is a failure."""
    return os.environ.get("CI", "").lower() not in {"", "0", "false"}


def skip_or_fail(reason: str) -> None:
    """Skip locally with `reason`; fail under CI, where every tier must run."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def copy_template(dst: Path) -> Path:
    """Copy the working tree's template (no .git) so renders see uncommitted edits."""
    dst.mkdir(parents=True, exist_ok=True)
    for part in TEMPLATE_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, dst / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, dst / part)
    return dst


def render(template: Path, dst: Path, answers: Mapping[str, Any]) -> Path:
    """Render `template` into `dst` non-interactively, without --trust."""
    copier.run_copy(
        str(template),
        str(dst),
        data=dict(answers),
        defaults=True,
        unsafe=False,
        quiet=True,
    )
    return dst


@functools.cache
def pyenv_version() -> str | None:
    """Every pyenv interpreter as one PYENV_VERSION value, the selected ones first.

    A generated project has a `.python-version` (3.11, 3.12 or 3.13), and pyenv
    resolves each shim from the `.python-version` of the current directory: inside
    a 3.13 project the `uv` shim would look for uv in pyenv's 3.13, where it is not
    installed, and fail. uv does not look under pyenv for interpreters either, and
    where it cannot download one (as on CI's machine) a 3.12 project would not sync.
    Naming every installed version makes each shim (`uv`, `python3.12`, ...)
    resolve in every directory. None without pyenv: uv then finds or downloads
    interpreters itself.
    """
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    root = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
    versions_dir = Path(root.stdout.strip()) / "versions"
    if root.returncode != 0 or not versions_dir.is_dir():
        return None
    selected = os.environ.get("PYENV_VERSION")
    if not selected:
        current = subprocess.run(
            [pyenv, "global"], capture_output=True, text=True, check=False, cwd=REPO_ROOT
        )
        selected = ":".join(current.stdout.split())
    chosen = [version for version in selected.split(":") if version]
    installed = sorted(path.name for path in versions_dir.iterdir() if path.is_dir())
    return ":".join(chosen + [version for version in installed if version not in chosen])


# Seconds a generated project's whole suite may take: minutes on an idle machine
# (real servers, deadlines waited out), several times that on a loaded 2-core CI
# machine. Tests that run it raise pytest-timeout's limit (pyproject.toml) to match.
SUITE_TIMEOUT = 1500


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for commands run inside a generated project."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT"}
        and not key.startswith(("COV_CORE", "COVERAGE_", "PYTEST_"))
    }
    versions = pyenv_version()
    if versions:
        env["PYENV_VERSION"] = versions
    env.update(extra)
    return env


def run(
    args: list[str], cwd: Path, *, env: Mapping[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure the assertion shows its whole output."""
    result = subprocess.run(
        args,
        cwd=cwd,
        env=dict(env) if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(args)} exited {result.returncode} in {cwd}\n"
        f"--- stdout\n{result.stdout[-8000:]}\n--- stderr\n{result.stderr[-8000:]}"
    )
    return result


def git_commit_all(project: Path, message: str) -> None:
    """Commit everything in `project`, initialising the repository if needed."""
    if not (project / ".git").exists():
        run(["git", "init", "-q", "-b", "main"], project)
    run(["git", "add", "-A"], project)
    run(
        [
            "git",
            "-c",
            "user.name=Template Tests",
            "-c",
            "user.email=tests@example.com",
            "commit",
            "-qm",
            message,
        ],
        project,
    )


def jinja_leftovers(project: Path) -> list[str]:
    """Paths and lines of `project` that still contain Jinja syntax."""
    found = []
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if relative.parts[0] in {".git", ".venv"}:
            continue
        if _JINJA_LEFTOVER.search(str(relative)):
            found.append(f"path: {relative}")
        if path.is_file():
            text = path.read_text(errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                if _JINJA_LEFTOVER.search(line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    return found


def _greets(url: str, default_port: int, hello: bytes, answer: bytes) -> str | None:
    """None when the server at `url` answers `hello` with `answer`; otherwise why not."""
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or default_port)
    try:
        with socket.create_connection(address, 3) as sock:
            sock.sendall(hello)
            reply = sock.recv(64)
    except OSError as exc:
        return f"nothing answers at {address[0]}:{address[1]}: {exc}"
    return None if reply.startswith(answer) else f"{address[0]}:{address[1]} answered {reply!r}"


def redis_available() -> str | None:
    """None when Redis answers PING; otherwise why not."""
    reason = _greets(REDIS_URL, 6379, b"PING\r\n", b"+PONG")
    return None if reason is None else f"Redis: {reason}"


def rabbitmq_available() -> str | None:
    """None when RabbitMQ answers the AMQP 0-9-1 greeting (a Connection.Start frame)."""
    reason = _greets(RABBITMQ_URL, 5672, b"AMQP\x00\x00\x09\x01", b"\x01")
    return None if reason is None else f"RabbitMQ: {reason}"


def postgres_available() -> str | None:
    """None when PostgreSQL answers; otherwise why not."""
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL is unreachable at {POSTGRES_ADMIN_URL}: {exc}".strip()


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create a uniquely named database, yield its URL, drop it afterwards."""
    name = f"tpl_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ok(
    url: str, process: subprocess.Popen[str], what: str, timeout: float = 60
) -> httpx.Response:
    """Poll `url` until it answers 200, failing fast if `process` dies first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = httpx.get(url, timeout=5)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        assert process.poll() is None, f"{what} exited before answering {url}"
        assert time.monotonic() < deadline, f"{what} did not answer {url} within {timeout} s"
        time.sleep(0.2)


@dataclass(frozen=True)
class RunningService:
    """A generated service under `serve`, as `running_service` yields it."""

    url: str
    process: subprocess.Popen[str]
    # The first 200 from /health/ready.
    ready: httpx.Response
    log_path: Path

    def log(self) -> str:
        """Everything the service wrote to stdout and stderr so far."""
        return self.log_path.read_text()


@contextmanager
def running_service(
    project: Path,
    database_url: str,
    *,
    log_path: Path,
    env_extra: Mapping[str, str] | None = None,
    command: str = "acme-orders",
    create_admin: bool = True,
    port: int | None = None,
) -> Iterator[RunningService]:
    """Migrate, create the admin (with `auth=builtin`), `serve` until ready; SIGTERM on exit.

    The tests that use the service over real HTTP (and a real browser) start it
    the way its README does, so this sequence lives in one place instead of
    each test's copy drifting. The output goes to `log_path`, a file, not a
    pipe: thousands of access-log lines would fill an unread pipe and block the
    server mid-run. The exit sends SIGTERM (`uv run` forwards it to the service)
    and waits, even when the body failed; the returncode and `log()` are then
    the caller's to check. `port` is a free one unless given (a test that must
    name the service's URL to another process first, such as a redirect URI
    registered at an identity provider, picks it).
    """
    port = port or free_port()
    env = clean_env(
        DATABASE_URL=database_url,
        PORT=str(port),
        JWT_SECRET_KEY="k" * 64,
        ADMIN_PASSWORD=ADMIN_PASSWORD,
        **(env_extra or {}),
    )
    cli = ["uv", "run", "--no-sync", command]
    run([*cli, "migrate"], project, env=env)
    if create_admin:
        run([*cli, "create-admin", ADMIN_EMAIL], project, env=env)
    with log_path.open("w") as output:
        # The service holds its own copy of the file descriptor.
        server = subprocess.Popen(
            [*cli, "serve"],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://{SERVICE_HOST}:{port}"
    try:
        ready = wait_until_ok(f"{url}/health/ready", server, "the service")
        yield RunningService(url=url, process=server, ready=ready, log_path=log_path)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def project_command(project: Path) -> str:
    """The generated service's command, named after its slug (`.copier-answers.yml`)."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return str(answers["project_slug"])
