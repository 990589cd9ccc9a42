"""Dockerfile, .dockerignore and compose.yaml of the generated project (fast tier)."""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from infra_tools import base_images, run, tool_path


@pytest.fixture(scope="module")
def dockerfile(default_project: Path) -> str:
    return (default_project / "Dockerfile").read_text()


@pytest.fixture(scope="module")
def compose(default_project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((default_project / "compose.yaml").read_text())
    return loaded


def test_hadolint_reports_nothing_above_info(default_project: Path) -> None:
    hadolint = tool_path("hadolint")
    proc = run(
        [hadolint, "--no-color", "--failure-threshold", "info", "-f", "json", "Dockerfile"],
        cwd=default_project,
    )
    findings = json.loads(proc.stdout or "[]")
    above_info = [f for f in findings if f["level"] not in {"info", "style"}]
    assert not above_info, above_info
    assert proc.returncode in {0, 1}, proc.stderr


def test_base_images_are_pinned_and_follow_python_version(default_project: Path) -> None:
    images = base_images(default_project / "Dockerfile")
    assert any(re.fullmatch(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+", i) for i in images), images
    assert "python:3.13-slim" in images, images
    assert not any(i.endswith(":latest") or ":" not in i for i in images), images


def test_dependencies_are_installed_before_the_source(dockerfile: str) -> None:
    lines = dockerfile.splitlines()
    lock_copy = next(
        i for i, line in enumerate(lines) if line.startswith("COPY pyproject.toml uv.lock")
    )
    deps_sync = next(
        i
        for i, line in enumerate(lines)
        if "uv sync --locked --no-dev --no-install-project" in line
    )
    source_copy = next(i for i, line in enumerate(lines) if line.startswith("COPY . "))
    assert lock_copy < deps_sync < source_copy
    assert dockerfile.count("--mount=type=cache,target=/root/.cache/uv") >= 2


def test_runtime_stage_is_slim_non_root_and_exec_form(dockerfile: str) -> None:
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert "COPY --from=builder /app/.venv /app/.venv" in runtime
    assert "uv" not in re.findall(r"^COPY .*", runtime, re.M)[0].split()[1]
    assert re.search(r"^USER \d+:\d+$", runtime, re.M)
    assert not re.search(r"^USER (0|root)", runtime, re.M)
    cmd = re.search(r"^CMD (\[.*\])$", runtime, re.M)
    assert cmd, "CMD must be in exec form"
    assert json.loads(cmd.group(1)) == ["acme-orders", "serve"]
    healthcheck = re.search(r"^HEALTHCHECK .*\n\s+CMD (\[.*\])$", runtime, re.M)
    assert healthcheck, "HEALTHCHECK must be in exec form"
    assert "/health/live" in healthcheck.group(1)
    for setting in ["PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "HOST=0.0.0.0"]:
        assert setting in runtime


def test_migrations_are_not_run_at_start(dockerfile: str) -> None:
    instructions = [
        line for line in dockerfile.splitlines() if re.match(r"^(CMD|ENTRYPOINT)", line)
    ]
    assert instructions
    assert not any("migrate" in line or "alembic" in line for line in instructions)


def _ignored(patterns: list[str], path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes."""
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pat = pattern[1:] if negate else pattern
        pat = pat.rstrip("/")
        candidates = [path, *["/".join(path.split("/")[: i + 1]) for i in range(path.count("/"))]]
        if any(
            fnmatch.fnmatch(c, pat) or fnmatch.fnmatch(c, pat.replace("**/", ""))
            for c in candidates
        ):
            result = not negate
    return result


@pytest.mark.parametrize(
    "path",
    [
        ".git/config",
        ".env",
        ".env.production",
        ".venv/bin/python",
        "src/acme_orders/__pycache__/main.cpython-313.pyc",
        ".mypy_cache/3.13/x.json",
        ".pytest_cache/v/cache",
        ".ruff_cache/x",
        "terraform/envs/production/terraform.tfvars",
        "data/app.db",
        "key.pem",
    ],
)
def test_dockerignore_keeps_secrets_and_caches_out(default_project: Path, path: str) -> None:
    patterns = [
        line.strip()
        for line in (default_project / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert _ignored(patterns, path)


@pytest.mark.parametrize(
    "path", ["pyproject.toml", "uv.lock", "README.md", "src/acme_orders/main.py"]
)
def test_dockerignore_keeps_the_build_inputs(default_project: Path, path: str) -> None:
    patterns = [
        line.strip()
        for line in (default_project / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not _ignored(patterns, path)


def test_compose_runs_app_after_healthy_db_and_migration(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= {"app", "db", "migrate"}
    db_check = services["db"]["healthcheck"]["test"]
    assert "pg_isready" in " ".join(db_check)
    app_deps = services["app"]["depends_on"]
    assert app_deps["db"]["condition"] == "service_healthy"
    assert app_deps["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["acme-orders", "migrate"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app"]["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert (
        services["migrate"]["environment"]["DATABASE_URL"]
        == services["app"]["environment"]["DATABASE_URL"]
    )
    # Published on loopback only.
    assert all(
        str(p).startswith("127.0.0.1:") for s in services.values() for p in s.get("ports", [])
    )


def test_compose_profiles_name_real_services_only(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for profile in service.get("profiles", []):
            assert "image" in service or "build" in service, (
                f"{name} in profile {profile} runs nothing"
            )


def test_compose_includes_the_observability_profile(
    compose: dict[str, Any], default_project: Path
) -> None:
    # `include:` resolves paths from the included file, so its own relative
    # mounts (./prometheus, ./grafana) stay valid.
    assert compose["include"] == ["deploy/compose.observability.yaml"]
    included = yaml.safe_load((default_project / compose["include"][0]).read_text())
    assert {"otel-collector", "prometheus", "grafana"} <= set(included["services"])
    for service in included["services"].values():
        assert service["profiles"] == ["observability"]
    # The scrape config targets the app by its compose service name.
    scrape = (default_project / "deploy" / "prometheus" / "prometheus.yml").read_text()
    assert "app:8000" in scrape
    assert "app" in compose["services"]


def test_answers_flow_into_the_infra_files(projects: Any) -> None:
    """Nothing in the infrastructure hard-codes the default answers."""
    project: Path = projects.rendered("py311-oidc-custom-names")
    dockerfile = (project / "Dockerfile").read_text()
    assert "python:3.11-slim" in base_images(project / "Dockerfile")
    assert "UV_PYTHON=python3.11" in dockerfile
    assert 'CMD ["billing-api", "serve"]' in dockerfile
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    assert compose["services"]["migrate"]["command"] == ["billing-api", "migrate"]
    # worker=taskiq: the worker runs the same image with its own command.
    assert compose["services"]["worker"]["command"] == ["billing-api", "worker"]
    for env in ("staging", "production"):
        main_tf = (project / "terraform" / "envs" / env / "main.tf").read_text()
        assert 'name               = "billing-api"' in main_tf
    infra = [
        project / "Dockerfile",
        project / "compose.yaml",
        *(project / "terraform").rglob("*.tf"),
        *(project / "terraform").rglob("*.hcl"),
        *(project / ".github").rglob("*.yml"),
        *(project / "docs").glob("*.md"),
    ]
    leaks = [str(p.relative_to(project)) for p in infra if "acme" in p.read_text().lower()]
    assert not leaks, leaks
