"""Each question refuses bad answers with a message that says what is allowed."""

from __future__ import annotations

import keyword
import sys
from pathlib import Path

import pytest
import yaml
from helpers import DEFAULT_ANSWERS, render

BAD_ANSWERS = [
    ({"project_name": ""}, "project_name must not be empty: give 1 to 80 characters"),
    ({"project_name": "x" * 200}, "project_name is 200 characters long: at most 80 are allowed"),
    ({"project_name": " Acme"}, "must not start or end with spaces"),
    ({"project_name": "9 Lives"}, "start with a letter"),
    ({"project_slug": "Acme-Orders"}, 'project_slug "Acme-Orders" is not valid kebab-case'),
    ({"project_slug": "1acme"}, "starting with a letter"),
    ({"project_slug": "acme--orders"}, "single hyphens"),
    ({"project_slug": "a" * 29}, "at most 28 are allowed"),
    ({"package_name": "Acme"}, 'package_name "Acme" is not valid snake_case'),
    ({"package_name": "class"}, 'package_name "class" is a Python keyword'),
    ({"package_name": "test"}, "would shadow the standard library module"),
    ({"package_name": "logging"}, "would shadow the standard library module"),
    ({"package_name": "fastapi"}, "would shadow a dependency"),
    ({"package_name": "sqlalchemy"}, "would shadow a dependency"),
    ({"description": "   "}, "description must not be empty"),
    ({"description": "d" * 201}, "at most 200 are allowed"),
    ({"description": "two\nlines"}, "description must be a single line"),
    ({"author_name": ""}, "author_name must not be empty"),
    ({"author_name": 'The "Team"'}, "without double quotes"),
    ({"author_email": "not-an-email"}, "is not a valid email address: use the form"),
    ({"author_email": "a@b"}, "is not a valid email address"),
    ({"python_version": "3.10"}, 'python_version "3.10" is not supported: choose 3.11, 3.12'),
    ({"python_version": "3.14"}, "choose 3.11, 3.12 or 3.13"),
]


@pytest.mark.parametrize(("answers", "message"), BAD_ANSWERS, ids=lambda v: str(v)[:40])
def test_bad_answer_is_refused_with_its_message(
    template_src: Path, tmp_path: Path, answers: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match="Validation error for question") as error:
        render(template_src, tmp_path / "out", {**DEFAULT_ANSWERS, **answers})
    assert message in str(error.value)
    assert not (tmp_path / "out" / "pyproject.toml").exists()


def test_every_question_has_a_validator() -> None:
    questions = yaml.safe_load((Path(__file__).parents[1] / "copier.yml").read_text())
    asked = {name: spec for name, spec in questions.items() if not name.startswith("_")}
    assert set(asked) == {
        "project_name",
        "project_slug",
        "package_name",
        "description",
        "author_name",
        "author_email",
        "python_version",
    }
    assert all(spec.get("validator") for spec in asked.values())


def test_reserved_package_names_cover_this_python() -> None:
    questions = yaml.safe_load((Path(__file__).parents[1] / "copier.yml").read_text())
    validator = questions["package_name"]["validator"]
    candidates = {n for n in sys.stdlib_module_names if n.islower() and not n.startswith("_")}
    candidates |= {k for k in keyword.kwlist if k.islower()}
    missing = sorted(name for name in candidates if f"'{name}'" not in validator)
    assert missing == []


def test_defaults_derive_names_from_the_project_name(default_project: Path) -> None:
    answers = yaml.safe_load((default_project / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "acme-orders"
    assert answers["package_name"] == "acme_orders"
    assert answers["python_version"] == "3.13"
    assert (default_project / "src" / "acme_orders" / "main.py").is_file()


def test_long_names_derive_a_slug_within_limits(template_src: Path, tmp_path: Path) -> None:
    project = render(
        template_src,
        tmp_path / "out",
        {"project_name": "The Extremely Long Named Order Processing Service"},
    )
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "the-extremely-long-named-ord"
    assert answers["package_name"] == "the_extremely_long_named_ord"
