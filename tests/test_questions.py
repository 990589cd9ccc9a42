"""Each question refuses bad answers with a message that says what is allowed."""

from __future__ import annotations

import keyword
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import Projects

# Copier's questionnaire without rendering: internal, but copier is pinned (9.19.1) in the
# dev group, and it checks ~300 names in seconds where full renders would take minutes.
from copier._main import Worker
from helpers import DEFAULT_ANSWERS, REPO_ROOT, render, run

QUESTIONS = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
# The computed lists of reserved names (`when: false`), shared by validators and defaults.
RESERVED_LISTS = ("reserved_keywords", "reserved_modules", "reserved_dependencies")
RESERVED = sorted({name for key in RESERVED_LISTS for name in QUESTIONS[key]["default"].split()})
RESERVED_COMMANDS = sorted(QUESTIONS["reserved_commands"]["default"].split())

BAD_ANSWERS = [
    ({"project_name": ""}, "project_name must not be empty: give 1 to 80 characters"),
    ({"project_name": "x" * 200}, "project_name is 200 characters long: at most 80 are allowed"),
    ({"project_name": " Acme"}, "must not start or end with spaces"),
    ({"project_name": "9 Lives"}, "start with a letter"),
    ({"project_slug": "Acme-Orders"}, 'project_slug "Acme-Orders" is not valid kebab-case'),
    ({"project_slug": "1acme"}, "starting with a letter"),
    ({"project_slug": "acme--orders"}, "single hyphens"),
    ({"project_slug": "a" * 29}, "at most 28 are allowed"),
    ({"project_slug": "python"}, 'like the existing command "python"'),
    ({"project_slug": "alembic"}, 'like the existing command "alembic"'),
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
    asked = {
        name: spec
        for name, spec in QUESTIONS.items()
        if not name.startswith("_") and spec.get("when") is not False
    }
    assert set(asked) == {
        "project_name",
        "project_slug",
        "package_name",
        "description",
        "author_name",
        "author_email",
        "python_version",
        "auth",
        "worker",
    }
    # A question with choices is checked by Copier, which names the allowed values.
    assert all(spec.get("validator") or spec.get("choices") for spec in asked.values())


@pytest.mark.parametrize(
    ("question", "value", "allowed"),
    [("auth", "ldap", "['builtin', 'oidc', 'none']"), ("worker", "celery", "['none', 'taskiq']")],
)
def test_a_value_outside_the_choices_is_refused_with_the_allowed_ones(
    template_src: Path, tmp_path: Path, question: str, value: str, allowed: str
) -> None:
    with pytest.raises(ValueError, match=f"Invalid choice for '{question}'") as error:
        render(template_src, tmp_path / "out", {**DEFAULT_ANSWERS, question: value})
    assert f"'{value}' is not in {allowed}" in str(error.value)
    assert not (tmp_path / "out" / "pyproject.toml").exists()


def test_reserved_package_names_cover_this_python() -> None:
    candidates = {n for n in sys.stdlib_module_names if n.islower() and not n.startswith("_")}
    candidates |= {k for k in keyword.kwlist if k.islower()}
    assert sorted(candidates - set(RESERVED)) == []


@pytest.mark.parametrize(
    ("answer_set", "command"),
    [("default", "acme-orders"), ("py311-oidc-custom-names", "billing-api")],
)
def test_reserved_commands_cover_the_generated_virtual_environment(
    projects: Projects, answer_set: str, command: str
) -> None:
    # The service's command is named after project_slug and installed beside these.
    own = {command}
    commands = {
        path.name
        for path in (projects.synced(answer_set) / ".venv" / "bin").iterdir()
        if path.name not in own and path.name.replace("-", "").isalnum()
    }
    assert sorted(commands - set(RESERVED_COMMANDS)) == []


def test_hidden_lists_are_not_recorded_in_the_answers(default_project: Path) -> None:
    answers = yaml.safe_load((default_project / ".copier-answers.yml").read_text())
    assert not any(key.startswith("reserved_") for key in answers)


class Questionnaire:
    """Copier's own questionnaire over the template, without rendering any file.

    `derive` answers as `copier copy --defaults` does, then answers again with the
    derived names given explicitly, which runs every validator on them.
    """

    def __init__(self, worker: Worker) -> None:
        self._worker = worker

    def derive(self, project_name: str) -> dict[str, str]:
        worker = self._worker
        worker.data = {"project_name": project_name}
        worker._ask()
        derived = {
            key: str(worker.answers.combined[key]) for key in ("project_slug", "package_name")
        }
        worker.data = {"project_name": project_name, **derived}
        worker._ask()  # raises ValueError with the validator's message
        return derived


@pytest.fixture(scope="module")
def questionnaire(
    template_src: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Questionnaire]:
    destination = tmp_path_factory.mktemp("questionnaire")
    with Worker(
        src_path=str(template_src), dst_path=destination, defaults=True, quiet=True
    ) as worker:
        yield Questionnaire(worker)


@pytest.mark.parametrize("reserved", sorted({*RESERVED, *RESERVED_COMMANDS}))
def test_a_project_named_after_a_reserved_name_gets_valid_defaults(
    questionnaire: Questionnaire, reserved: str
) -> None:
    # Project names allow "_" but not "." or "-" at the start; every reserved name
    # is a valid project name as it is.
    derived = questionnaire.derive(reserved)
    assert derived["package_name"] not in RESERVED
    assert derived["project_slug"] not in RESERVED_COMMANDS
    assert derived["package_name"] == derived["project_slug"].replace("-", "_")


@pytest.mark.parametrize(
    ("project_name", "slug", "package"),
    [
        ("Test", "test-service", "test_service"),
        ("Email", "email-service", "email_service"),
        ("Platform", "platform-service", "platform_service"),
        ("Calendar", "calendar-service", "calendar_service"),
        ("Profile", "profile-service", "profile_service"),
        ("Python", "python-service", "python_service"),
        (
            "OpenTelemetry Instrument",
            "opentelemetry-instru-service",
            "opentelemetry_instru_service",
        ),
        ("Test Harness", "test-harness", "test_harness"),
        # 30 characters: cut to 28, then the trailing hyphen dropped.
        (
            "Abcdefghij Abcdefghij Abcdef G",
            "abcdefghij-abcdefghij-abcdef",
            "abcdefghij_abcdefghij_abcdef",
        ),
    ],
)
def test_defaults_for_ordinary_names(
    questionnaire: Questionnaire, project_name: str, slug: str, package: str
) -> None:
    assert questionnaire.derive(project_name) == {"project_slug": slug, "package_name": package}


def test_a_reserved_slug_given_by_hand_derives_a_valid_package(
    template_src: Path, tmp_path: Path
) -> None:
    project = render(
        template_src, tmp_path / "out", {"project_name": "Queue Worker", "project_slug": "queue"}
    )
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["package_name"] == "queue_service"
    assert (project / "src" / "queue_service" / "cli.py").is_file()


def test_a_project_named_test_renders_with_the_derived_names(
    template_src: Path, tmp_path: Path
) -> None:
    project = render(template_src, tmp_path / "out", {"project_name": "Test"})
    pyproject = (project / "pyproject.toml").read_text()
    assert 'test-service = "test_service.cli:main"' in pyproject
    assert (project / "src" / "test_service" / "main.py").is_file()


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


@pytest.mark.parametrize(
    ("answer_set", "version"), [("py311-oidc-custom-names", "3.11"), ("py312-auth-none", "3.12")]
)
def test_local_python_is_the_image_python(
    projects: Projects, answer_set: str, version: str
) -> None:
    # uv reads .python-version for `uv sync`, and CI through setup-uv; the image
    # pins its own Python (UV_PYTHON) from the same answer.
    project = projects.synced(answer_set)
    assert (project / ".python-version").read_text() == f"{version}\n"
    assert f"FROM python:{version}-slim AS runtime" in (project / "Dockerfile").read_text()
    workflow = (project / ".github" / "workflows" / "ci.yml").read_text()
    assert "python-version:" not in workflow
    local = run(
        ["uv", "run", "--no-sync", "python", "-c", "import sys; print(sys.version)"], project
    )
    assert local.stdout.startswith(f"{version}.")
