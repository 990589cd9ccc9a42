"""Carry the user's edits of a generated file over to its new name.

When a template version renames a generated file, plain `copier update` writes
the new file fresh from the template and deletes the old one: the user's edits to
it would be lost. This script, run as an `after` migration of the version that
renames the file, three-way merges them into the new file:

    base   = the old file as the previous template version rendered it
    ours   = the old file as the user committed it (HEAD, before the update)
    theirs = the new file as the new template version renders it

Same-line edits become inline conflict markers, exactly like copier's own.

    _migrations:
      - version: v0.3.0
        command: ["{{ _copier_python }}", "{{ _copier_conf.src_path }}/hooks/rename_file.py",
                  "--template", "{{ _copier_conf.src_path }}",
                  "src/{package_name}/old.py", "src/{package_name}/new.py"]
        when: "{{ _stage == 'after' }}"

Paths are `str.format` patterns over the answers: the old one with the answers of
the previous version (`.copier-answers.yml` at HEAD), the new one with the current
answers file. Copier runs the script in the project with VERSION_FROM and
VERSION_TO (template commits) in the environment; `{{ _copier_python }}` is the
interpreter copier runs on, so copier and PyYAML are importable.

Idempotent: it does nothing when the user had no old file (deleted, or never
generated), when HEAD already has the new file (migrated before), or when the new
file no longer is the template's fresh rendering (this script already merged).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import copier
import yaml

ANSWERS_FILE = ".copier-answers.yml"


def _git(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=check)


def _at_head(path: str) -> str | None:
    shown = _git("show", f"HEAD:{path}", check=False)
    return shown.stdout if shown.returncode == 0 else None


def _render(template: str, commit: str, answers: dict[str, Any], dst: Path) -> Path:
    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    copier.run_copy(
        template, str(dst), data=data, vcs_ref=commit, defaults=True, quiet=True, unsafe=False
    )
    return dst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", required=True, help="the template's local clone")
    parser.add_argument("old", help="old path pattern, e.g. src/{package_name}/old.py")
    parser.add_argument("new", help="new path pattern")
    args = parser.parse_args(argv)

    old_answers_text = _at_head(ANSWERS_FILE)
    if old_answers_text is None:
        print(f"rename_file: no {ANSWERS_FILE} at HEAD; nothing to do")
        return 0
    old_answers = yaml.safe_load(old_answers_text)
    new_answers = yaml.safe_load(Path(ANSWERS_FILE).read_text())
    old = args.old.format(**old_answers)
    new = args.new.format(**new_answers)

    ours = _at_head(old)
    if ours is None or _at_head(new) is not None:
        print(f"rename_file: {old} -> {new} has nothing to carry over")
        return 0
    target = Path(new)
    with tempfile.TemporaryDirectory(prefix="rename_file.") as tmp:
        work = Path(tmp)
        base = _render(args.template, os.environ["VERSION_FROM"], old_answers, work / "base")
        fresh = _render(args.template, os.environ["VERSION_TO"], new_answers, work / "fresh")
        if not (base / old).is_file():
            print(f"rename_file: the previous version had no {old}; it is the user's own")
            return 0
        if not target.is_file() or target.read_bytes() != (fresh / new).read_bytes():
            print(f"rename_file: {new} is not the template's fresh copy; already merged")
            return 0
        ours_file = work / "ours"
        ours_file.write_text(ours)
        merged = _git(
            "merge-file",
            "-L", "before updating", "-L", "last update", "-L", "after updating",
            "--", str(ours_file), str(base / old), str(fresh / new),
            check=False,
        )  # fmt: skip
        # merge-file exits with the number of conflicts, or above 127 on error.
        if merged.returncode > 127:
            print(merged.stderr, file=sys.stderr)
            return 1
        target.write_text(ours_file.read_text())
    Path(old).unlink(missing_ok=True)
    state = f"with {merged.returncode} conflict(s) to resolve" if merged.returncode else "cleanly"
    print(f"rename_file: your edits of {old} were merged into {new} {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
