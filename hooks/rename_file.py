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

Many files can move in one release: list them in a file of `old -> new` lines and
pass it with `--moves` (see `v0_3_0_moves.txt`); both versions are then rendered
once for all of them.

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


def _moves(args: argparse.Namespace) -> list[tuple[str, str]]:
    pairs = list(zip(args.paths[::2], args.paths[1::2], strict=True))
    if args.moves:
        for line in Path(args.moves).read_text().splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                old, new = (part.strip() for part in line.split("->"))
                pairs.append((old, new))
    return pairs


def _merge(old: str, new: str, base: Path, fresh: Path, work: Path) -> str:
    """Merge the user's `old` into `new`; what happened, for the log."""
    ours = _at_head(old)
    if ours is None or _at_head(new) is not None:
        return f"{old} -> {new} has nothing to carry over"
    target = Path(new)
    if not (base / old).is_file():
        return f"the previous version had no {old}; it is the user's own"
    if not target.is_file() or target.read_bytes() != (fresh / new).read_bytes():
        return f"{new} is not the template's fresh copy; already merged"
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
        raise RuntimeError(f"git merge-file failed on {old}: {merged.stderr}")
    target.write_text(ours_file.read_text())
    Path(old).unlink(missing_ok=True)
    state = f"with {merged.returncode} conflict(s) to resolve" if merged.returncode else "cleanly"
    return f"your edits of {old} were merged into {new} {state}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", required=True, help="the template's local clone")
    parser.add_argument(
        "--moves", help="a file of moves, one `old -> new` per line (# starts a comment)"
    )
    parser.add_argument(
        "paths", nargs="*", help="old and new path patterns in pairs: src/{package_name}/a.py ..."
    )
    args = parser.parse_args(argv)
    if len(args.paths) % 2:
        parser.error("paths come in pairs: old new [old new ...]")

    old_answers_text = _at_head(ANSWERS_FILE)
    if old_answers_text is None:
        print(f"rename_file: no {ANSWERS_FILE} at HEAD; nothing to do")
        return 0
    old_answers = yaml.safe_load(old_answers_text)
    new_answers = yaml.safe_load(Path(ANSWERS_FILE).read_text())
    moves = [(old.format(**old_answers), new.format(**new_answers)) for old, new in _moves(args)]
    if all(_at_head(old) is None for old, _ in moves):
        print("rename_file: none of the moved files is in the project; nothing to do")
        return 0
    # Both versions are rendered once, whatever the number of moves.
    with tempfile.TemporaryDirectory(prefix="rename_file.") as tmp:
        work = Path(tmp)
        base = _render(args.template, os.environ["VERSION_FROM"], old_answers, work / "base")
        fresh = _render(args.template, os.environ["VERSION_TO"], new_answers, work / "fresh")
        for old, new in moves:
            try:
                print(f"rename_file: {_merge(old, new, base, fresh, work)}")
            except RuntimeError as error:
                print(error, file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
