"""Releases: recorded in releases.toml, described in CHANGELOG.md, present in git."""

from __future__ import annotations

import re
import subprocess

import pytest
from helpers import REPO_ROOT
from template_repo import Release, candidate_version, migration_versions, releases

CHANGELOG = REPO_ROOT / "CHANGELOG.md"
_HEADING = re.compile(r"^## v(?P<version>\S+) \((?P<date>\d{4}-\d{2}-\d{2})\)$", re.MULTILINE)


def changelog_sections() -> dict[str, tuple[str, str]]:
    """Version -> (date, body) for every released section of CHANGELOG.md."""
    text = CHANGELOG.read_text()
    headings = list(re.finditer(r"^## .*$", text, re.MULTILINE))
    sections = {}
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        if match := _HEADING.match(heading.group()):
            sections[match["version"]] = (match["date"], text[heading.end() : end])
    return sections


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )


def test_at_least_one_release_is_recorded() -> None:
    assert releases(), "releases.toml records no release"


@pytest.mark.parametrize("release", releases(), ids=lambda release: release.tag)
def test_release_has_a_changelog_entry_with_upgrade_notes(release: Release) -> None:
    sections = changelog_sections()
    assert str(release.version) in sections, f"CHANGELOG.md has no '## {release.tag} (date)'"
    date, body = sections[str(release.version)]
    assert date == release.date, "the CHANGELOG date differs from releases.toml"
    notes = body.partition("### Upgrade notes")[2].strip()
    assert notes, f"{release.tag}: the CHANGELOG entry needs non-empty '### Upgrade notes'"


@pytest.mark.parametrize("release", releases(), ids=lambda release: release.tag)
def test_release_commit_exists_and_holds_the_template(release: Release) -> None:
    assert re.fullmatch(r"[0-9a-f]{40}", release.commit), "record the full commit sha"
    kind = _git("cat-file", "-t", release.commit)
    assert kind.stdout.strip() == "commit", (
        f"{release.tag}: commit {release.commit} is not in this clone's history "
        f"({kind.stderr.strip()}); a shallow clone needs `git fetch --unshallow`"
    )
    assert _git("cat-file", "-e", f"{release.commit}:copier.yml").returncode == 0
    assert _git("cat-file", "-e", f"{release.commit}:template").returncode == 0


def test_tags_present_in_this_clone_match_releases_toml() -> None:
    # Tags may be missing (a clone of main only); where present they must agree.
    for release in releases():
        tagged = _git("rev-parse", "--verify", "--quiet", f"{release.tag}^{{commit}}")
        if tagged.returncode == 0:
            assert tagged.stdout.strip() == release.commit, f"tag {release.tag} moved"


def test_versions_only_grow_and_dates_do_not_go_back() -> None:
    recorded = releases()
    versions = [release.version for release in recorded]
    assert len(set(versions)) == len(versions), "a version is recorded twice"
    by_order = [release.date for release in recorded]
    assert by_order == sorted(by_order)


def test_migrations_are_gated_on_a_release_or_on_the_candidate() -> None:
    # A migration gated on a version below the last release that was never released
    # would never run for anyone: updates from that release skip it.
    released = {release.version for release in releases()}
    last = max(released)
    for version in migration_versions(REPO_ROOT / "copier.yml"):
        assert version in released or version > last, f"_migrations gated on {version}"
    assert candidate_version() > last


def test_unreleased_section_has_upgrade_notes() -> None:
    text = CHANGELOG.read_text()
    if "## Unreleased" not in text:
        return
    body = text.partition("## Unreleased")[2]
    body = body[: body.find("\n## ")] if "\n## " in body else body
    assert body.partition("### Upgrade notes")[2].strip(), (
        "the Unreleased entry needs '### Upgrade notes' before it can be released"
    )
