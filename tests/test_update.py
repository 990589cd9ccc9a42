"""`copier update` across template versions, for every answer set.

Each test works on throwaway git repositories: the template (every release from
`releases.toml`, the candidate, and versions synthesized on top of it) and the
generated projects. Nothing here needs --trust unless a migration is in range.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ANSWER_SETS
from copier.errors import UnsafeTemplateError
from helpers import REPO_ROOT, clean_env
from packaging.version import Version
from synthetic_versions import (
    HARDENED_DOCS_LINE,
    HARDENED_FASTAPI,
    HARDENED_PAGE_SIZE,
    HARDENED_POOL_RECYCLE,
    replace_once,
)
from template_repo import (
    ANSWERS_FILE,
    TemplateRepo,
    commit_all_tracked,
    conflicted_files,
    files_with_markers,
    generate,
    git,
    migration_versions,
    tree,
    tree_diff,
    update,
)


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(replace_once(path.read_text(), old, new))


# --- The user's own work -----------------------------------------------------------

ORDERS_ROUTER = '''"""Orders: a domain the service's team added themselves."""

from fastapi import APIRouter

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("")
async def list_orders() -> list[str]:
    return []
'''
USER_TEST = """

async def test_orders_are_listed(client: AsyncClient) -> None:
    response = await client.get("/orders")
    assert response.status_code == 200
"""
USER_ENV = "DATABASE_POOL_SIZE=7\n"
USER_LOCK = "# uv.lock as `uv lock` wrote it for the user's dependencies\nversion = 1\n"
DELETED_BY_USER = "tests/core/test_models.py"


def package_of(project: Path) -> str:
    answers = yaml.safe_load((project / ANSWERS_FILE).read_text())
    return str(answers["package_name"])


def config_module(project: Path) -> str:
    """Where the settings are: `core/config.py` before v0.3.0, `core/settings/` since."""
    src = f"src/{package_of(project)}"
    moved = f"{src}/core/settings/config.py"
    return moved if (project / moved).is_file() else f"{src}/core/config.py"


def make_user_changes(project: Path) -> None:
    """Typical work on a generated service: a domain, a setting, a dependency, a test."""
    src = project / "src" / package_of(project)
    package = package_of(project)
    (src / "orders").mkdir()
    (src / "orders" / "__init__.py").write_text("")
    (src / "orders" / "router.py").write_text(ORDERS_ROUTER)
    # The import in the style of the version: absolute before v0.3.0, relative since.
    main = (src / "main.py").read_text()
    prefix = "." if "from .items.router import" in main else f"{package}."
    _edit(
        src / "main.py",
        f"from {prefix}items.router import router as items_router\n",
        f"from {prefix}items.router import router as items_router\n"
        f"from {prefix}orders.router import router as orders_router\n",
    )
    _edit(
        src / "main.py",
        "    app.include_router(items_router)\n",
        "    app.include_router(items_router)\n    app.include_router(orders_router)\n",
    )
    _edit(
        project / config_module(project),
        "shutdown_timeout: int = Field(default=20,",
        "shutdown_timeout: int = Field(default=25,",
    )
    _edit(
        project / "pyproject.toml",
        '    "uvicorn[standard]>=0.35,<1",\n',
        '    "uvicorn[standard]>=0.35,<1",\n    "tenacity>=9",\n',
    )
    test_health = project / "tests" / "test_health.py"
    test_health.write_text(test_health.read_text() + USER_TEST)
    (project / DELETED_BY_USER).unlink()
    (project / "uv.lock").write_text(USER_LOCK)
    (project / ".env").write_text(USER_ENV)


def user_touched(project: Path) -> set[str]:
    """The generated files `make_user_changes` edits (relative paths)."""
    src = f"src/{package_of(project)}"
    return {f"{src}/main.py", config_module(project), "pyproject.toml", "tests/test_health.py"}


def user_project(repo: TemplateRepo, tag: str, dst: Path, answer_set: str) -> Path:
    project = generate(repo, tag, dst, ANSWER_SETS[answer_set])
    make_user_changes(project)
    commit_all_tracked(project, "Our own work")
    assert ".env" not in git(project, "ls-files").splitlines(), ".env must stay out of git"
    return project


def _keep_both_sides(text: str) -> str:
    """Resolve every inline conflict by keeping the user's lines, then the template's."""
    markers = ("<<<<<<< ", "=======", ">>>>>>> ")
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(markers))


def assert_clean_merge(project: Path) -> None:
    assert conflicted_files(project) == []
    assert files_with_markers(project) == []


# --- The update gate ---------------------------------------------------------------


def _from_versions(repo: TemplateRepo) -> list[str]:
    return [release.tag for release in repo.released]


def needs_trust(repo: TemplateRepo, from_tag: str, to_tag: str) -> bool:
    """Whether a `_migrations` entry of the target is in the update's range."""
    copier_yml = repo.path / "copier.yml"
    git(repo.path, "checkout", "--quiet", "--detach", to_tag)
    start, end = Version(from_tag.removeprefix("v")), Version(to_tag.removeprefix("v"))
    return any(start < version <= end for version in migration_versions(copier_yml))


@pytest.mark.parametrize("answer_set", list(ANSWER_SETS))
def test_update_from_every_release_equals_a_fresh_render(
    template_repo: TemplateRepo, tmp_path: Path, answer_set: str
) -> None:
    answers = ANSWER_SETS[answer_set]
    fresh = generate(template_repo, template_repo.candidate, tmp_path / "fresh", answers)
    assert template_repo.released, "releases.toml records no release"
    for from_tag in _from_versions(template_repo):
        project = generate(template_repo, from_tag, tmp_path / from_tag, answers)
        trust = needs_trust(template_repo, from_tag, template_repo.candidate)
        if trust:
            # A migration is in range: copier must ask for --trust, and only then.
            with pytest.raises(UnsafeTemplateError, match="migrations"):
                update(project, template_repo.candidate)
        # The answers again: a release before a question existed did not record
        # it, and this is how a user gives it (`copier update --data auth=none`).
        update(project, template_repo.candidate, trust=trust, data=dict(answers))
        assert tree_diff(project, fresh) == [], f"update from {from_tag}"
        assert_clean_merge(project)
        recorded = yaml.safe_load((project / ANSWERS_FILE).read_text())
        assert recorded["_commit"] == template_repo.candidate
        for question, value in answers.items():
            assert recorded[question] == value


# --- User edits survive ------------------------------------------------------------


@pytest.mark.parametrize("answer_set", list(ANSWER_SETS))
@pytest.mark.parametrize("start", ["first-release", "candidate"])
def test_user_changes_survive_a_hardening_update(
    template_repo: TemplateRepo, hardened: str, tmp_path: Path, answer_set: str, start: str
) -> None:
    first = template_repo.released[0].tag
    from_tag = first if start == "first-release" else template_repo.candidate
    project = user_project(template_repo, from_tag, tmp_path / "project", answer_set)

    trust = needs_trust(template_repo, from_tag, hardened)
    update(project, hardened, trust=trust, data=dict(ANSWER_SETS[answer_set]))

    if start == "first-release":
        # The real history since the first release adds routers and imports exactly
        # where the user added theirs (main.py), so git rightly marks conflicts
        # there. No work may be lost: both sides are kept, only in files the user
        # touched, and keeping both (user's first) gives the expected result.
        conflicted = set(conflicted_files(project)) | set(files_with_markers(project))
        assert conflicted <= user_touched(project), conflicted
        for relative in conflicted:
            path = project / relative
            path.write_text(_keep_both_sides(path.read_text()))
            git(project, "add", relative)

    # Expected: the hardened template rendered fresh, with the same user work on it.
    expected = generate(template_repo, hardened, tmp_path / "expected", ANSWER_SETS[answer_set])
    make_user_changes(expected)
    differs = tree_diff(project, expected)
    if start == "first-release":
        # v0.3.0 made the package's imports relative: where the user added an
        # import beside the template's, keeping both sides keeps both styles.
        assert differs in ([], [f"differs: src/{package_of(project)}/main.py"]), differs
    else:
        assert differs == []
    assert_clean_merge(project)
    # Spelled out, what the equality above covers:
    src = project / "src" / package_of(project)
    config = (project / config_module(project)).read_text()
    # The settings moved in v0.3.0: the user's edit went with them.
    assert config_module(project).endswith("core/settings/config.py")
    assert not (src / "core" / "config.py").exists()
    assert "shutdown_timeout: int = Field(default=25," in config  # the user's setting
    assert HARDENED_POOL_RECYCLE in config  # the template's change, same file
    assert HARDENED_DOCS_LINE in (src / "main.py").read_text()
    assert "app.include_router(orders_router)" in (src / "main.py").read_text()
    pyproject = (project / "pyproject.toml").read_text()
    assert '"tenacity>=9",' in pyproject
    assert HARDENED_FASTAPI in pyproject
    assert (src / "core" / "database" / "pagination.py").read_text().count(HARDENED_PAGE_SIZE) == 1
    assert (project / "SECURITY.md").is_file()
    assert not (project / DELETED_BY_USER).exists()
    assert (project / ".env").read_text() == USER_ENV
    assert (project / "uv.lock").read_text() == USER_LOCK


@pytest.mark.parametrize("answer_set", list(ANSWER_SETS))
def test_same_lines_edited_surface_as_an_inline_conflict(
    template_repo: TemplateRepo, hardened: str, tmp_path: Path, answer_set: str
) -> None:
    project = generate(
        template_repo, template_repo.candidate, tmp_path / "project", ANSWER_SETS[answer_set]
    )
    config = project / config_module(project)
    user_line = "pool_recycle: int = Field(default=3600, ge=60)"
    _edit(config, "pool_recycle: int = Field(default=1800, ge=60)", user_line)
    commit_all_tracked(project, "Our pool recycle")

    update(project, hardened)

    relative = config.relative_to(project).as_posix()
    assert conflicted_files(project) == [relative]
    assert files_with_markers(project) == [relative]
    text = config.read_text()
    ours = text.index("<<<<<<< before updating")
    middle = text.index("=======", ours)
    theirs = text.index(">>>>>>> after updating", middle)
    assert user_line in text[ours:middle], "the user's version must be kept in the conflict"
    assert HARDENED_POOL_RECYCLE in text[middle:theirs]
    # Everything else arrived as if there had been no conflict.
    expected = generate(template_repo, hardened, tmp_path / "expected", ANSWER_SETS[answer_set])
    assert tree_diff(project, expected) == [f"differs: {relative}"]


def test_updating_a_dirty_project_is_refused(
    template_repo: TemplateRepo, hardened: str, tmp_path: Path
) -> None:
    project = generate(
        template_repo, template_repo.candidate, tmp_path / "project", ANSWER_SETS["default"]
    )
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nWork in progress.\n")
    before = tree(project)
    result = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", "--vcs-ref", hardened],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert result.returncode != 0
    assert "Destination repository is dirty; cannot continue." in result.stderr
    assert tree(project) == before, "a refused update must not touch the project"


def test_questions_added_since_the_first_release_have_defaults(
    template_repo: TemplateRepo,
) -> None:
    # A new question without a default would stop `copier update --defaults` or
    # change a project nobody asked to change.
    first = yaml.safe_load(template_repo.read(template_repo.released[0].tag, "copier.yml"))
    current = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    added = [name for name in current if not name.startswith("_") and name not in first]
    assert [name for name in added if "default" not in current[name]] == []


# --- Trust -------------------------------------------------------------------------


def test_copier_yml_uses_no_feature_that_needs_trust() -> None:
    config = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    assert "_tasks" not in config
    assert "_jinja_extensions" not in config
    assert "_external_data" not in config


def test_copy_and_update_need_no_trust_without_a_migration_in_range(
    template_repo: TemplateRepo, hardened: str, tmp_path: Path
) -> None:
    # generate() and update() pass unsafe=False: copier raises if trust were needed.
    project = generate(
        template_repo, template_repo.candidate, tmp_path / "project", ANSWER_SETS["default"]
    )
    assert not needs_trust(template_repo, template_repo.candidate, hardened)
    update(project, hardened)
    assert (project / "SECURITY.md").is_file()


# --- Toggling an answer after generation --------------------------------------------

# (answer, value at generation, value given to `copier update --data`), both ways
# for a choice (builtin -> none and back).
TOGGLES: list[tuple[str, str, str]] = [
    ("python_version", "3.13", "3.11"),
    ("auth", "builtin", "oidc"),
    ("auth", "oidc", "builtin"),
    ("auth", "builtin", "none"),
    ("auth", "none", "builtin"),
    ("worker", "none", "taskiq"),
    ("worker", "taskiq", "none"),
]
# A toggled project must equal a fresh render with the new answer: that render
# passes its own suite, since every value of these answers is in an answer set
# whose generated suite runs on both databases (test_generated_suite.py;
# python_version 3.11 with auth=oidc and worker=taskiq, 3.12 with none, 3.13
# with builtin).


def _changed_paths(project: Path) -> set[str]:
    status = git(project, "status", "--porcelain", "--untracked-files=all")
    return {line[3:] for line in status.splitlines()}


@pytest.mark.parametrize(("answer", "before", "after"), TOGGLES)
@pytest.mark.timeout(600)
def test_toggling_an_answer_changes_exactly_what_depends_on_it(
    template_repo: TemplateRepo, tmp_path: Path, answer: str, before: str, after: str
) -> None:
    tag = template_repo.candidate
    answers = {**ANSWER_SETS["default"], answer: before}
    toggled = {**answers, answer: after}
    project = generate(template_repo, tag, tmp_path / "project", answers)
    original = generate(template_repo, tag, tmp_path / "original", answers)
    fresh = generate(template_repo, tag, tmp_path / "fresh", toggled)

    update(project, tag, data={answer: after})

    assert tree_diff(project, fresh) == []
    # Changed, added and removed files alike.
    depends = {line.split(": ", 1)[1] for line in tree_diff(original, fresh)}
    assert depends, f"changing {answer} changed no generated file"
    assert _changed_paths(project) == depends | {ANSWERS_FILE}
    recorded = yaml.safe_load((project / ANSWERS_FILE).read_text())
    assert recorded[answer] == after
