"""What generated projects get to stay current: pre-commit hooks and the workflow."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from conftest import ANSWER_SETS, Projects
from helpers import REPO_ROOT, clean_env, run
from packaging.version import Version
from template_repo import (
    TemplateRepo,
    commit_all_tracked,
    generate,
    git,
    git_env,
)

WORKFLOW = ".github/workflows/template-update.yml"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    """A dev-group tool from this environment; missing is a failure, never a skip."""
    path = BIN / name
    assert path.exists(), f"{name} is missing: run `uv sync` (it is in the dev group)"
    return str(path)


def _clone(project: Path, dst: Path) -> Path:
    """A writable copy of a session-shared project (a git clone: tracked files only)."""
    run(["git", "clone", "--quiet", str(project), str(dst)], project.parent, env=git_env())
    return dst


# --- pre-commit ----------------------------------------------------------------------


def _pre_commit(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_tool("pre-commit"), "run", "--all-files"],
        cwd=project,
        env=clean_env(PRE_COMMIT_HOME=str(home), **git_env()),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_pre_commit_passes_on_a_fresh_project_and_refuses_markers_and_rej(
    default_project: Path, tmp_path: Path
) -> None:
    project = _clone(default_project, tmp_path / "project")
    home = tmp_path / "pre-commit-home"
    clean = _pre_commit(project, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    readme = project / "README.md"
    readme.write_text(
        readme.read_text() + "<<<<<<< before updating\nmine\n=======\ntheirs\n"
        ">>>>>>> after updating\n"
    )
    git(project, "add", "README.md")
    markers = _pre_commit(project, home)
    assert markers.returncode != 0
    assert "refuse merge conflict markers" in markers.stdout
    assert "README.md:" in markers.stdout
    git(project, "checkout", "HEAD", "--", "README.md")

    # *.rej is gitignored; one that gets committed anyway (add -f) is refused.
    (project / "pyproject.toml.rej").write_text("@@ -1 +1 @@\n-a\n+b\n")
    git(project, "add", "--force", "pyproject.toml.rej")
    rejects = _pre_commit(project, home)
    assert rejects.returncode != 0
    assert "refuse *.rej files" in rejects.stdout
    assert "pyproject.toml.rej" in rejects.stdout


# --- The workflow: linters and shape --------------------------------------------------


@pytest.mark.parametrize("answer_set", list(ANSWER_SETS))
def test_workflow_passes_actionlint_and_zizmor(projects: Projects, answer_set: str) -> None:
    project = projects.rendered(answer_set)
    assert shutil.which("shellcheck"), "shellcheck checks the run: blocks; install it"
    run([_tool("actionlint"), WORKFLOW], project)
    run([_tool("zizmor"), "--offline", "--no-progress", WORKFLOW], project)


def test_workflow_is_least_privilege_and_pinned(default_project: Path) -> None:
    text = (default_project / WORKFLOW).read_text()
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {}
    assert "cancel-in-progress" in workflow["concurrency"]
    for name, job in workflow["jobs"].items():
        assert job.get("timeout-minutes"), f"{name} has no timeout"
        assert "permissions" in job, f"{name} must grant its own permissions"
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
    assert workflow["jobs"]["check"]["permissions"] == {"contents": "read"}
    for line in text.splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line
    # The scheduled update never trusts: a migration in range needs a person.
    commands = [
        line.strip()
        for job in workflow["jobs"].values()
        for step in job["steps"]
        for line in str(step.get("run", "")).splitlines()
        if not line.strip().startswith("#")
    ]
    assert not [command for command in commands if "--trust" in command]
    assert any("copier update --defaults" in command for command in commands)
    # Same copier as the template's own tests and `_min_copier_version`.
    copier_yml = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    assert workflow["env"]["COPIER_VERSION"] == copier_yml["_min_copier_version"]
    assert (
        f"copier=={copier_yml['_min_copier_version']}" in (REPO_ROOT / "pyproject.toml").read_text()
    )
    assert workflow["env"]["PRE_COMMIT_VERSION"] == _installed_version("pre-commit")


def _installed_version(package: str) -> str:
    return version(package)


# --- The workflow's commands, run for real --------------------------------------------


def _newest_tag(repo: TemplateRepo) -> str:
    tags = git(repo.path, "tag", "--list", "v*").split()
    return max(tags, key=lambda tag: Version(tag.removeprefix("v")))


def _check_update(project: Path) -> int:
    return subprocess.run(
        [sys.executable, "-m", "copier", "check-update", "--quiet"],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=300,
    ).returncode


def test_check_update_reports_a_newer_version(
    template_repo: TemplateRepo, hardened: str, tmp_path: Path
) -> None:
    answers = ANSWER_SETS["default"]
    old = generate(template_repo, template_repo.released[0].tag, tmp_path / "old", answers)
    assert _check_update(old) == 2
    current = generate(template_repo, _newest_tag(template_repo), tmp_path / "new", answers)
    assert _check_update(current) == 0


def _update_script(project: Path) -> str:
    workflow = yaml.safe_load((project / WORKFLOW).read_text())
    (step,) = [s for s in workflow["jobs"]["update"]["steps"] if s.get("id") == "update"]
    return str(step["run"])


def test_scheduled_update_stages_conflicts_and_lists_them(
    template_repo: TemplateRepo, hardened: str, tmp_path: Path
) -> None:
    # The newest tag is what the scheduled job updates to (no --vcs-ref).
    assert _newest_tag(template_repo) == hardened
    project = generate(
        template_repo, template_repo.candidate, tmp_path / "project", ANSWER_SETS["default"]
    )
    config = project / "src" / "acme_orders" / "core" / "settings" / "config.py"
    config.write_text(
        config.read_text().replace("Field(default=1800, ge=60)", "Field(default=3600, ge=60)")
    )
    commit_all_tracked(project, "Our pool recycle")
    output = tmp_path / "github-output"
    # uvx is replaced by this environment's copier (same pinned version), offline.
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "uvx").write_text(f'#!/bin/sh\nshift 2\nexec "{sys.executable}" -m "$@"\n')
    (shim / "uvx").chmod(0o755)
    env = clean_env(GITHUB_OUTPUT=str(output), COPIER_VERSION="9.19.1")
    env["PATH"] = f"{shim}:{env['PATH']}"
    run(["bash", "-e", "-c", _update_script(project)], project, env=env)

    body = output.read_text()
    assert "**Conflicts to resolve**" in body
    assert "- src/acme_orders/core/settings/config.py" in body
    staged = git(project, "diff", "--cached", "--name-only").split()
    assert "src/acme_orders/core/settings/config.py" in staged
    assert "SECURITY.md" in staged
    assert git(project, "diff", "--name-only", "--diff-filter=U") == ""
    assert "<<<<<<< before updating" in git(
        project, "show", ":src/acme_orders/core/settings/config.py"
    )
