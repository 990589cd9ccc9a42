"""The migration scripts in hooks/: each on its own, and the file rename end to end.

The end-to-end test synthesizes a template version that renames a generated file
with a `_migrations` entry running hooks/rename_file.py, then updates a project
whose user edited that file.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import ANSWER_SETS
from copier.errors import UnsafeTemplateError
from helpers import REPO_ROOT, clean_env
from synthetic_versions import NEW, NEW_DOC, OLD, OLD_DOC
from template_repo import (
    ANSWERS_FILE,
    TemplateRepo,
    commit_all_tracked,
    conflicted_files,
    files_with_markers,
    generate,
    git,
    tree_diff,
    update,
)

HOOKS = REPO_ROOT / "hooks"
USER_TEST = "\n\ndef test_added_by_the_team() -> None:\n    assert 1 + 1 == 2\n"


def _run_hook(script: str, cwd: Path, *args: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, str(HOOKS / script), *args],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


# --- rename_answer.py ----------------------------------------------------------------


def test_rename_answer_keeps_the_answer_and_is_idempotent(tmp_path: Path) -> None:
    answers = {
        "_commit": "v0.1.0",
        "_src_path": "gh:example/copier-fastapi-service",
        "author_email": "payments@example.org",
        "description": 'Quotes " and a backslash \\ survive.',
        "project_name": "Billing API",
    }
    answers_file = tmp_path / ANSWERS_FILE
    answers_file.write_text(yaml.safe_dump(answers))

    _run_hook("rename_answer.py", tmp_path, "author_email", "contact_email")
    once = answers_file.read_text()
    _run_hook("rename_answer.py", tmp_path, "author_email", "contact_email")

    assert answers_file.read_text() == once
    renamed = yaml.safe_load(once)
    expected = {**answers, "contact_email": "payments@example.org"}
    del expected["author_email"]
    assert renamed == expected


def test_rename_answer_never_overwrites_an_answer_under_the_new_name(tmp_path: Path) -> None:
    answers_file = tmp_path / ANSWERS_FILE
    answers_file.write_text(yaml.safe_dump({"old": "stale", "new": "current"}))
    before = answers_file.read_text()
    _run_hook("rename_answer.py", tmp_path, "old", "new")
    assert answers_file.read_text() == before


# --- rename_file.py, end to end -----------------------------------------------------


@pytest.mark.parametrize("user_edits_first_line", [False, True], ids=["clean", "conflict"])
def test_renamed_file_keeps_the_users_edits(
    template_repo: TemplateRepo, renamed: str, tmp_path: Path, user_edits_first_line: bool
) -> None:
    answers = ANSWER_SETS["default"]
    project = generate(template_repo, template_repo.candidate, tmp_path / "project", answers)
    edited = (project / OLD).read_text() + USER_TEST
    if user_edits_first_line:
        edited = edited.replace(OLD_DOC, '"""Our own wording."""')
    (project / OLD).write_text(edited)
    commit_all_tracked(project, "Our test")
    head = git(project, "rev-parse", "HEAD")

    # A migration is in range: without --trust copier refuses and changes nothing.
    with pytest.raises(UnsafeTemplateError, match="migrations"):
        update(project, renamed)
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == head

    update(project, renamed, trust=True)

    assert not (project / OLD).exists()
    merged = (project / NEW).read_text()
    assert merged.endswith(USER_TEST), "the user's test must follow the file"
    fresh = generate(template_repo, renamed, tmp_path / "fresh", answers)
    if user_edits_first_line:
        assert files_with_markers(project) == [NEW]
        assert '"""Our own wording."""' in merged
        assert NEW_DOC in merged
    else:
        assert files_with_markers(project) == []
        assert merged == (fresh / NEW).read_text() + USER_TEST
    assert conflicted_files(project) == []
    assert tree_diff(project, fresh) == [f"differs: {NEW}"]

    # Running the migration again (copier never does, a person might) changes nothing.
    clone = git(template_repo.path, "rev-parse", renamed).strip()
    first = git(template_repo.path, "rev-parse", template_repo.candidate).strip()
    _run_hook(
        "rename_file.py",
        project,
        "--template",
        str(template_repo.path),
        OLD,
        NEW,
        VERSION_FROM=first,
        VERSION_TO=clone,
    )
    assert (project / NEW).read_text() == merged
    assert not (project / OLD).exists()


# --- the moves of v0.3.0 -------------------------------------------------------------


def _template_path(pattern: str) -> str:
    """A move's path as it is named in the template (`{package_name}` is a Jinja name there)."""
    return "template/" + pattern.replace("{package_name}", "{{package_name}}")


# A folder or file name that only an answer renders: `{% if auth == 'x' %}name{% endif %}`.
CONDITION = r"\{% if auth == '[a-z]+' %\}([^{]*)\{% endif %\}"


def test_every_move_of_v0_3_0_leaves_a_released_file_for_a_current_one() -> None:
    # A typo in the list would silently move nothing: the user's edits would be lost.
    lines = (HOOKS / "v0_3_0_moves.txt").read_text().splitlines()
    moves = [line.split(" -> ") for line in lines if line and not line.startswith("#")]
    releases = tomllib.loads((REPO_ROOT / "releases.toml").read_text())["release"]
    before = {
        path
        for release in releases
        if release["version"] in ("0.1.0", "0.2.0")
        for path in git(REPO_ROOT, "ls-tree", "-r", "--name-only", release["commit"]).splitlines()
    }
    current = {
        re.sub(r"\{% if auth ==? '[a-z]+' %\}([^{]*)\{% endif %\}", r"\1", path).removesuffix(
            ".jinja"
        )
        for path in git(REPO_ROOT, "ls-files", "template").splitlines()
        if "{% if auth != " not in path
        and all(value == "builtin" for value in re.findall(r"auth == '([a-z]+)'", path))
    }
    assert moves
    for old, new in moves:
        # Before v0.3.0 most modules were templates of their own (`.py.jinja`).
        old_names = {_template_path(old), _template_path(old) + ".jinja"}
        assert old_names & before, old
        assert not any((REPO_ROOT / name).exists() for name in old_names), old
        # Where the default answers put it: a `.jinja` template, or in a folder
        # whose name carries the condition of the `auth` answer.
        assert _template_path(new) in current, new
