"""The render matrix: every answer set renders cleanly and passes ruff, mypy and import-linter."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ANSWER_SETS, Projects
from helpers import DEFAULT_ANSWERS, clean_env, jinja_leftovers, project_command, render, run


@pytest.mark.parametrize("answer_set", list(ANSWER_SETS))
def test_no_jinja_left_in_paths_or_files(projects: Projects, answer_set: str) -> None:
    assert jinja_leftovers(projects.rendered(answer_set)) == []


@pytest.mark.parametrize("answer_set", list(ANSWER_SETS))
def test_answers_file_records_every_answer(projects: Projects, answer_set: str) -> None:
    project = projects.rendered(answer_set)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for question, value in ANSWER_SETS[answer_set].items():
        assert answers[question] == value
    assert "_src_path" in answers


@pytest.mark.parametrize("answer_set", list(ANSWER_SETS))
def test_ruff_and_mypy_are_clean(projects: Projects, answer_set: str) -> None:
    project = projects.synced(answer_set)
    env = clean_env()
    run(["uv", "run", "--no-sync", "ruff", "check", "."], project, env=env)
    run(["uv", "run", "--no-sync", "ruff", "format", "--check", "."], project, env=env)
    run(["uv", "run", "--no-sync", "mypy"], project, env=env, timeout=900)
    run(["uv", "run", "--no-sync", "lint-imports"], project, env=env)


# An import against the layers (AGENTS.md), and the contract that must catch it.
LAYERS = "composition, domains, access and outbound, observability, core, about"
FORBIDDEN_IMPORTS = {
    "core-imports-observability": (
        "core/errors/problems.py",
        "from ...observability import metrics",
        LAYERS,
    ),
    "core-imports-a-domain": (
        "core/database/engine.py",
        "from ...users import models",
        LAYERS,
    ),
    # The cycle the accounts once had: users/ sits below auth/.
    "users-import-auth": ("users/service.py", "from ..auth import tokens", LAYERS),
    # Other domains see the caller through access/, never the accounts.
    "items-import-users": ("items/service.py", "from ..users import models", LAYERS),
    "access-imports-a-domain": ("access/guards.py", "from ..auth import tokens", LAYERS),
    # Plumbing for calls to other services knows no domain.
    "outbound-imports-a-domain": ("outbound/upstream.py", "from ..items import models", LAYERS),
    "settings-import-http": (
        "core/settings/config.py",
        "from ..http import docs",
        "core's rooms",
    ),
}


@pytest.mark.parametrize("case", list(FORBIDDEN_IMPORTS))
def test_an_import_against_the_layers_fails_lint_imports(
    synced_default_project: Path, tmp_path: Path, case: str
) -> None:
    module, line, contract = FORBIDDEN_IMPORTS[case]
    # A copy, found first on the path, so the shared project stays untouched.
    copy = tmp_path / "project"
    shutil.copytree(synced_default_project, copy, ignore=shutil.ignore_patterns(".venv", ".git"))
    target = copy / "src" / "acme_orders" / module
    target.write_text(f"{line}  # noqa: F401\n{target.read_text()}")
    lint_imports = synced_default_project / ".venv" / "bin" / "lint-imports"
    env = clean_env(PYTHONPATH=str(copy / "src"))
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract}" in result.stdout
    assert "BROKEN" in result.stdout, result.stdout


def test_no_file_points_at_the_template_repository(default_project: Path) -> None:
    # bench/ and the template's own tests are not in a user's service.
    shipped = run(["git", "ls-files"], default_project).stdout.splitlines()
    pointing = [
        path
        for path in shipped
        if "bench/" in (default_project / path).read_text(encoding="utf-8", errors="replace")
    ]
    assert pointing == []


def test_nothing_user_owned_or_generated_is_shipped(default_project: Path) -> None:
    # The render was committed before anything ran in it: git knows what copier wrote.
    shipped = run(["git", "ls-files"], default_project).stdout.splitlines()
    assert "uv.lock" not in shipped
    assert ".env" not in shipped
    assert ".env.example" in shipped
    assert not [path for path in shipped if path.startswith((".venv/", "data/"))]
    ignored = (default_project / ".gitignore").read_text().splitlines()
    assert {".env", ".venv/", "data/", "*.rej"} <= set(ignored)


def test_package_name_answer_is_used_everywhere(projects: Projects) -> None:
    project = projects.rendered("py311-oidc-custom-names")
    assert (project / "src" / "billing_core" / "main.py").is_file()
    pyproject = (project / "pyproject.toml").read_text()
    assert 'billing-api = "billing_core.cli:main"' in pyproject
    assert 'description = "Bills, invoices and \\"quotes\\" with a backslash \\\\' in pyproject


@pytest.mark.parametrize("auth", ["builtin", "none"])
def test_the_worker_with_every_auth(template_src: Path, tmp_path: Path, auth: str) -> None:
    # The answer sets pair worker=taskiq with auth=oidc only; with the other
    # auths its migration follows another history and its models sit beside
    # other tables. Each pair lints and migrates to a schema that matches its models.
    project = render(
        template_src, tmp_path / "project", {**DEFAULT_ANSWERS, "auth": auth, "worker": "taskiq"}
    )
    assert jinja_leftovers(project) == []
    env = clean_env()
    run(["uv", "sync", "--quiet"], project, env=env)
    run(["uv", "run", "--no-sync", "ruff", "check", "."], project, env=env)
    run(["uv", "run", "--no-sync", "ruff", "format", "--check", "."], project, env=env)
    run(["uv", "run", "--no-sync", "mypy"], project, env=env, timeout=900)
    run(["uv", "run", "--no-sync", "lint-imports"], project, env=env)
    database = clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'check.db'}")
    run(["uv", "run", "--no-sync", project_command(project), "migrate"], project, env=database)
    check = run(["uv", "run", "--no-sync", "alembic", "check"], project, env=database)
    assert "No new upgrade operations detected" in check.stdout + check.stderr
