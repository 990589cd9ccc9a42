"""Throwaway git repositories of the template, one tagged commit per version.

`copier update` only works between git commits of a template, so the update tests
build a repository that holds every released version (from `releases.toml`, read
out of this repository's history with `git archive`, which needs no tags), then
the candidate (the working tree, as every other test renders it), then commits
the tests synthesize on top of the candidate.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import copier
import yaml
from helpers import REPO_ROOT, TEMPLATE_PARTS, copy_template, run
from packaging.version import Version

RELEASES_FILE = REPO_ROOT / "releases.toml"
ANSWERS_FILE = ".copier-answers.yml"
# CI has no global git identity; every commit the tests make uses this one.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


@dataclass(frozen=True)
class Release:
    version: Version
    commit: str
    date: str

    @property
    def tag(self) -> str:
        return f"v{self.version}"


def releases() -> list[Release]:
    """The released versions recorded in `releases.toml`, oldest first."""
    data = tomllib.loads(RELEASES_FILE.read_text())
    found = [
        Release(Version(entry["version"]), entry["commit"], str(entry["date"]))
        for entry in data.get("release", [])
    ]
    return sorted(found, key=lambda release: release.version)


def migration_versions(copier_yml: Path) -> list[Version]:
    """The versions that `_migrations` entries of a copier.yml are gated on."""
    config = yaml.safe_load(copier_yml.read_text())
    return [
        Version(entry["version"])
        for entry in config.get("_migrations", [])
        if isinstance(entry, dict) and "version" in entry
    ]


def candidate_version() -> Version:
    """The version the working tree would be released as.

    The next minor version after the last release, or the highest version a
    `_migrations` entry is gated on if that is higher: every migration the
    working tree declares must be in range of an update from the last release,
    exactly as it will be once the candidate is tagged.
    """
    last = releases()[-1].version
    versions = [Version(f"{last.major}.{last.minor + 1}.0")]
    versions += migration_versions(REPO_ROOT / "copier.yml")
    return max(versions)


def git_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(GIT_IDENTITY)
    return env


def git(repo: Path, *args: str) -> str:
    return run(["git", *args], repo, env=git_env()).stdout


def commit_all(repo: Path, message: str) -> None:
    """Commit every file, ignored ones included: the copy is exactly what ships."""
    git(repo, "add", "--all", "--force")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", message)


def _clear_template_parts(repo: Path) -> None:
    for part in TEMPLATE_PARTS:
        path = repo / part
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def extract_release(commit: str, dst: Path) -> None:
    """Write the template parts of `commit` (this repository's history) into `dst`."""
    listed = subprocess.run(
        ["git", "ls-tree", "--name-only", commit],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    parts = [part for part in TEMPLATE_PARTS if part in listed]
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, *parts],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dst, filter="data")


class TemplateRepo:
    """A git repository of the template with one tag per version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "--quiet", "--initial-branch=main")
        self.released = releases()
        for release in self.released:
            _clear_template_parts(path)
            extract_release(release.commit, path)
            commit_all(path, f"Release {release.tag} ({release.commit[:12]})")
            git(path, "tag", release.tag)
        _clear_template_parts(path)
        copy_template(path)
        self.candidate = f"v{candidate_version()}"
        commit_all(path, f"Candidate {self.candidate}: the working tree")
        git(path, "tag", self.candidate)

    def add_version(
        self, tag: str, message: str, edits: Mapping[str, str | None], *, base: str
    ) -> str:
        """Commit `edits` (path -> new text, None deletes) as a child of `base`, tagged.

        Each synthesized version branches off its base, so versions that tests add
        in any order never include each other's changes.
        """
        git(self.path, "checkout", "--quiet", "--detach", base)
        for relative, text in edits.items():
            target = self.path / relative
            if text is None:
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
        commit_all(self.path, message)
        git(self.path, "tag", tag)
        return tag

    def read(self, tag: str, relative: str) -> str:
        """The text of `relative` (a path in the repository) at `tag`."""
        return git(self.path, "show", f"{tag}:{relative}")


def generate(repo: TemplateRepo, tag: str, dst: Path, answers: Mapping[str, Any]) -> Path:
    """`copier copy` at `tag` without --trust, committed as a fresh git repo."""
    copier.run_copy(
        str(repo.path),
        str(dst),
        data=dict(answers),
        vcs_ref=tag,
        defaults=True,
        unsafe=False,
        quiet=True,
    )
    git(dst, "init", "--quiet", "--initial-branch=main")
    commit_all_tracked(dst, f"Generated from the template at {tag}")
    return dst


def commit_all_tracked(project: Path, message: str) -> None:
    """Commit a generated project as a user would: `.gitignore` respected."""
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--allow-empty", "-m", message)


def update(project: Path, tag: str, *, trust: bool = False, **options: Any) -> None:
    """`copier update` to `tag`, non-interactively, as the README tells users."""
    copier.run_update(
        str(project),
        vcs_ref=tag,
        defaults=True,
        overwrite=True,
        unsafe=trust,
        quiet=True,
        **options,
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` but git's own and the answers file, by relative path."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(".git/") or relative == ANSWERS_FILE or not path.is_file():
            continue
        files[relative] = path.read_bytes()
    return files


def tree_diff(actual: Path, expected: Path) -> list[str]:
    """Human-readable differences between two project trees (empty when equal)."""
    mine, theirs = tree(actual), tree(expected)
    problems = [f"only in the updated project: {path}" for path in sorted(mine.keys() - theirs)]
    problems += [f"missing after the update: {path}" for path in sorted(theirs.keys() - mine)]
    problems += [
        f"differs: {path}"
        for path in sorted(mine.keys() & theirs.keys())
        if mine[path] != theirs[path]
    ]
    return problems


def conflicted_files(project: Path) -> list[str]:
    """Files git records as unmerged after an update."""
    return git(project, "diff", "--name-only", "--diff-filter=U").split()


def files_with_markers(project: Path) -> list[str]:
    """Files that contain a conflict marker line, and `*.rej` leftovers."""
    found = []
    for relative, content in tree(project).items():
        if relative.endswith(".rej"):
            found.append(relative)
            continue
        lines = content.decode(errors="replace").splitlines()
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in lines):
            found.append(relative)
    return found
