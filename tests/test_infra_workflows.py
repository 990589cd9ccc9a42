"""GitHub Actions workflows, Dependabot and scripts of the generated project."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Projects
from infra_tools import check, run, tool_env, tool_path

WORKFLOWS = ["ci.yml", "deploy.yml", "rollback.yml"]
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v?\d+\.\d+\.\d+$")


def _load(project: Path, name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((project / ".github" / "workflows" / name).read_text())
    return loaded


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


# The answer sets whose workflows differ: worker=taskiq adds RabbitMQ to the
# tests and the worker's service to the deploy.
ANSWER_SETS_WITH_OWN_WORKFLOWS = ["default", "py311-oidc-custom-names"]


@pytest.mark.parametrize("answer_set", ANSWER_SETS_WITH_OWN_WORKFLOWS)
def test_actionlint_is_clean(projects: Projects, answer_set: str) -> None:
    actionlint = tool_path("actionlint")
    # actionlint runs shellcheck on every `run:` block when it is on PATH.
    tool_path("shellcheck")
    project = projects.rendered(answer_set)
    files = [str(project / ".github" / "workflows" / w) for w in WORKFLOWS]
    check(run([actionlint, "-no-color", *files], cwd=project, env=tool_env()))


@pytest.mark.parametrize("answer_set", ANSWER_SETS_WITH_OWN_WORKFLOWS)
def test_zizmor_is_clean(projects: Projects, answer_set: str) -> None:
    zizmor = tool_path("zizmor")
    proc = run(
        [zizmor, "--offline", "--no-progress", "--format", "plain", ".github"],
        cwd=projects.rendered(answer_set),
    )
    check(proc)
    assert "No findings" in proc.stdout, proc.stdout


def test_shellcheck_scripts(default_project: Path) -> None:
    shellcheck = tool_path("shellcheck")
    scripts = sorted((default_project / "scripts").glob("*.sh"))
    assert len(scripts) >= 4
    check(run([shellcheck, "--severity=style", *map(str, scripts)], cwd=default_project))
    referenced = {
        m
        for w in WORKFLOWS
        for m in re.findall(
            r"scripts/([\w-]+\.sh)", (default_project / ".github/workflows" / w).read_text()
        )
    }
    assert referenced <= {s.name for s in scripts}, referenced


@pytest.mark.parametrize("name", WORKFLOWS)
def test_hardening(default_project: Path, name: str) -> None:
    workflow = _load(default_project, name)
    assert workflow["permissions"] == {}
    assert "concurrency" in workflow
    for job_name, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"{job_name} has no timeout"
        assert "permissions" in job, f"{job_name} does not declare its permissions"
        for step in job["steps"]:
            if "uses" in step:
                line = next(
                    line.strip().removeprefix("- ").removeprefix("uses: ")
                    for line in (default_project / ".github/workflows" / name)
                    .read_text()
                    .splitlines()
                    if f"uses: {step['uses']}" in line
                )
                assert SHA_PIN.match(line), line
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_ci_cancels_superseded_runs_and_covers_the_issue(default_project: Path) -> None:
    ci = _load(default_project, "ci.yml")
    assert ci["concurrency"]["cancel-in-progress"] is True
    text = (default_project / ".github/workflows/ci.yml").read_text()
    for needle in [
        "uv.lock is missing",
        "uv run ruff check",
        "uv run ruff format --check",
        "uv run mypy",
        "TEST_DATABASE_URL",
        "alembic check",
        "alembic downgrade base",
        "pip-audit",
        "trivy-action",
        "terraform fmt -check",
        "validate",
        "checkov",
        "uv sync --locked",
        "enable-cache: true",
    ]:
        assert needle in text, needle
    test_job = ci["jobs"]["test"]
    assert {"postgres", "redis"} <= test_job["services"].keys()
    # Every pytest run in the job reaches the Redis service: its tests run, not skip.
    assert test_job["env"]["TEST_REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert test_job["services"]["redis"]["ports"] == ["6379:6379"]
    setup_uv = [s for s in _steps(ci) if "astral-sh/setup-uv" in s.get("uses", "")]
    assert setup_uv
    assert all(s["with"]["version"] == "${{ env.UV_VERSION }}" for s in setup_uv)
    assert re.search(r'UV_VERSION: "\d+\.\d+\.\d+"', text)


def test_deploy_uses_oidc_and_gated_production(default_project: Path) -> None:
    deploy = _load(default_project, "deploy.yml")
    assert deploy[True]["push"]["branches"] == ["main"]  # `on:` parses as True
    jobs = deploy["jobs"]
    assert jobs["production"]["needs"] == "staging"
    assert jobs["production"]["environment"]["name"] == "production"
    for job in ("staging", "production"):
        assert jobs[job]["permissions"] == {"contents": "read", "id-token": "write"}
        steps = jobs[job]["steps"]
        creds = next(s for s in steps if "configure-aws-credentials" in s.get("uses", ""))
        assert "role-to-assume" in creds["with"]
        assert "aws-access-key-id" not in creds["with"]
        runs = " ".join(s.get("run", "") for s in steps)
        assert "scripts/deploy.sh" in runs
        assert "scripts/smoke-test.sh" in runs
    assert deploy["concurrency"]["cancel-in-progress"] is False


def test_rollback_is_manual(default_project: Path) -> None:
    rollback = _load(default_project, "rollback.yml")
    assert set(rollback[True]) == {"workflow_dispatch"}
    assert "scripts/rollback.sh" in (default_project / ".github/workflows/rollback.yml").read_text()


def test_dependabot_groups_every_ecosystem_with_cooldown(default_project: Path) -> None:
    config = yaml.safe_load((default_project / ".github/dependabot.yml").read_text())
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(ecosystems) == {"uv", "github-actions", "docker", "terraform"}
    for update in ecosystems.values():
        assert update["groups"], update
        assert update["cooldown"]["default-days"] >= 3
