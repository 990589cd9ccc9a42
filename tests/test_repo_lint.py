"""The template's own code (tests, hooks, benchmarks) is ruff-clean, like what it generates."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert found is not None, "ruff is a dev dependency: run `uv sync`"
    return found


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_the_repository_is_ruff_clean(command: list[str]) -> None:
    # pyproject.toml excludes template/, which test_render.py lints as rendered.
    result = subprocess.run(
        [_ruff(), *command, "."], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


PACKAGE_TEMPLATE = REPO_ROOT / "template" / "src" / "{{package_name}}"


def test_the_generated_package_needs_no_rendering_to_be_read() -> None:
    # Its imports are relative and the answers' names live in about.py, so only
    # these files are templates: those two, the composition that the `auth` and
    # `worker` answers change (what main.py installs, which models exist, which
    # settings and commands there are), the items' create route (it sends a job
    # after its commit with `worker`), and the jobs' migration, whose parent
    # revision depends on `auth`. An option's own code is in files and folders
    # whose names carry its condition; everything is plain Python that tools
    # read, lint and navigate where it is written.
    templated = sorted(
        p.relative_to(PACKAGE_TEMPLATE).as_posix() for p in PACKAGE_TEMPLATE.rglob("*.jinja")
    )
    assert templated == [
        "about.py.jinja",
        "cli.py.jinja",
        "core/settings/config.py.jinja",
        "items/router.py.jinja",
        "main.py.jinja",
        "migrations/env.py.jinja",
        "migrations/{% if worker == 'taskiq' %}versions{% endif %}/5001_job_records.py.jinja",
        "models.py.jinja",
    ]


@pytest.mark.parametrize(
    "command",
    [
        # TID252: the generated configuration allows relative imports under src/
        # only, a path it names relative to the project; N999: the folder is
        # named `{{package_name}}` until it is rendered.
        ["check", "--config", 'lint.per-file-ignores = {"*" = ["TID252", "N999"]}'],
        ["format", "--check"],
    ],
    ids=["check", "format"],
)
def test_the_generated_package_is_ruff_clean_in_place(
    default_project: Path, command: list[str]
) -> None:
    # With the generated project's own ruff configuration, on the template's files.
    result = subprocess.run(
        [_ruff(), *command, "--no-cache", "--config", str(default_project / "pyproject.toml"), "."],
        cwd=PACKAGE_TEMPLATE,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
