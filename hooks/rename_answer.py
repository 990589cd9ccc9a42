"""Rename a question in `.copier-answers.yml`, keeping the user's answer.

Run as a `before` migration of the template version that renames the question,
so that copier reads the answer under its new name:

    _migrations:
      - version: v0.3.0
        command: ["{{ _copier_python }}", "{{ _copier_conf.src_path }}/hooks/rename_answer.py",
                  "old_name", "new_name"]
        when: "{{ _stage == 'before' }}"

Answers are not available to Jinja at that stage, so the script reads the file
itself. `{{ _copier_python }}` is copier's interpreter, so PyYAML is importable.
Idempotent: without the old name, or when the new name is already answered, it
changes nothing. `copier update` rewrites the file afterwards in its own format.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ANSWERS_FILE = Path(".copier-answers.yml")
HEADER = "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the question's previous name")
    parser.add_argument("new", help="its name from this template version on")
    args = parser.parse_args(argv)

    answers = yaml.safe_load(ANSWERS_FILE.read_text())
    if args.old not in answers or args.new in answers:
        print(f"rename_answer: {args.old} -> {args.new}: nothing to do")
        return 0
    renamed = {(args.new if key == args.old else key): value for key, value in answers.items()}
    ANSWERS_FILE.write_text(HEADER + yaml.safe_dump(renamed, sort_keys=False, allow_unicode=True))
    print(f"rename_answer: {args.old} is now {args.new}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
