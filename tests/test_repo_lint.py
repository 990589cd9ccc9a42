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
