"""Shared fixtures: each answer set is rendered (and synced) once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    DEFAULT_ANSWERS,
    RABBITMQ_URL,
    REDIS_URL,
    clean_env,
    copy_template,
    git_commit_all,
    postgres_available,
    rabbitmq_available,
    redis_available,
    render,
    run,
    skip_or_fail,
)
from template_repo import TemplateRepo

# The `hardened` and `renamed` template versions, and the generated suites
# started with the session (session fixtures).
pytest_plugins = ["synthetic_versions", "generated_suites"]

# The answer sets the render matrix covers, a covering set rather than every
# combination: each value of each choice at least once (the defaults, every
# supported python_version, every auth, every worker), and names that differ
# from the defaults so that nothing can hard-code "acme". python_version and
# auth touch different files, so their pairs need no set of their own; worker
# meets auth in a few files (models, migrations), so its other pairs are
# rendered and checked by test_render.py::test_the_worker_with_every_auth.
ANSWER_SETS: dict[str, dict[str, str]] = {
    "default": DEFAULT_ANSWERS,
    "py311-oidc-custom-names": {
        "project_name": "Billing API",
        "package_name": "billing_core",
        "python_version": "3.11",
        "auth": "oidc",
        "worker": "taskiq",
        "author_name": "Payments Team",
        "author_email": "payments@example.org",
        "description": 'Bills, invoices and "quotes" with a backslash \\ in the text.',
    },
    "py312-auth-none": {"project_name": "Ledger", "python_version": "3.12", "auth": "none"},
}


@pytest.fixture(scope="session")
def template_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the working tree's template, shared by every render."""
    return copy_template(tmp_path_factory.mktemp("template"))


class Projects:
    """Renders each answer set once and `uv sync`s it at most once."""

    def __init__(self, template: Path, root: Path) -> None:
        self._template = template
        self._root = root
        self._rendered: dict[str, Path] = {}
        self._synced: set[str] = set()

    def rendered(self, name: str) -> Path:
        if name not in self._rendered:
            project = render(self._template, self._root / name, ANSWER_SETS[name])
            git_commit_all(project, "Generated from the template")
            self._rendered[name] = project
        return self._rendered[name]

    def synced(self, name: str) -> Path:
        project = self.rendered(name)
        if name not in self._synced:
            run(["uv", "sync", "--quiet"], project, env=clean_env())
            self._synced.add(name)
        return project


@pytest.fixture(scope="session")
def projects(template_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Projects:
    """The session's rendered projects, by answer-set name."""
    return Projects(template_src, tmp_path_factory.mktemp("projects"))


@pytest.fixture(scope="session")
def default_project(projects: Projects) -> Path:
    """The default answers rendered once and committed to git. Read-only."""
    return projects.rendered("default")


@pytest.fixture(scope="session")
def synced_default_project(projects: Projects) -> Path:
    """The default project with its virtual environment installed. Read-only."""
    return projects.synced("default")


@pytest.fixture(scope="session")
def postgres() -> None:
    """Require the PostgreSQL server: skip locally without it, fail in CI."""
    reason = postgres_available()
    if reason is not None:
        skip_or_fail(reason)


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepo:
    """A git repo of the template: every release, then the candidate (working tree).

    Built once per session; tests may only add tagged commits on top of it.
    """
    return TemplateRepo(tmp_path_factory.mktemp("template-repo") / "repo")


@pytest.fixture(scope="session")
def rabbitmq() -> str:
    """The RabbitMQ URL: skip locally without a server, fail in CI."""
    reason = rabbitmq_available()
    if reason is not None:
        skip_or_fail(reason)
    return RABBITMQ_URL


@pytest.fixture(scope="session")
def redis() -> str:
    """The Redis URL: skip locally without a server, fail in CI."""
    reason = redis_available()
    if reason is not None:
        skip_or_fail(reason)
    return REDIS_URL
