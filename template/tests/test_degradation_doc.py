"""docs/degradation.md names a test for every row, and every test it names exists."""

import re
from pathlib import Path

REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _rows(project_root: Path) -> list[str]:
    lines = (project_root / "docs" / "degradation.md").read_text().splitlines()
    table = [line for line in lines if line.startswith("| ")]
    # The header and its separator first.
    return table[2:]


def test_every_dependency_has_a_test(project_root: Path) -> None:
    rows = _rows(project_root)
    assert len(rows) >= 4
    assert all(REFERENCE.search(row) for row in rows), rows


def test_every_test_it_names_exists(project_root: Path) -> None:
    missing = []
    for row in _rows(project_root):
        for path, name in REFERENCE.findall(row):
            source = project_root / path
            defined = source.is_file() and re.search(
                rf"^(async )?def {name}\(", source.read_text(), re.MULTILINE
            )
            if not defined:
                missing.append(f"{path}::{name}")
    assert missing == []
