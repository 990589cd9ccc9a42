"""Template versions the tests synthesize on top of the candidate, once per session.

Each branches off the candidate, so they never include each other's changes:

- candidate micro + 1, `renamed`: renames a generated file through a `_migrations`
  entry running hooks/rename_file.py (needs --trust, like any migration);
- candidate micro + 2, `hardened`: a hardening release (the newest tag, which a
  plain `copier update` picks), touching files users edit and files they don't.

Registered as a plugin by conftest.py.
"""

from __future__ import annotations

import pytest
import yaml
from packaging.version import Version
from template_repo import TemplateRepo

PKG = "template/src/{{package_name}}"
CONFIG = f"{PKG}/core/settings/config.py.jinja"


def replace_once(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence, failing loudly if the anchor moved."""
    assert text.count(old) == 1, f"anchor not found exactly once: {old!r}"
    return text.replace(old, new)


# The synthesized hardening release: the kind of change the template ships to
# services that have grown their own code.
HARDENED_POOL_RECYCLE = "pool_recycle: int = Field(default=900, ge=60)"
HARDENED_DOCS_LINE = '        swagger_ui_parameters={"persistAuthorization": False},\n'
# Appended to the `fastapi` requirement line, whatever its current bounds.
HARDENED_FASTAPI = "  # raised by the hardening release"
HARDENED_PAGE_SIZE = "MAX_PAGE_SIZE = 50"
TEMPLATE_ENV = "# The template's starter .env: must never replace the user's.\nLOG_LEVEL=DEBUG\n"
TEMPLATE_LOCK = "# The template's lock file: must never replace the user's.\n"


@pytest.fixture(scope="session")
def hardened(template_repo: TemplateRepo) -> str:
    """A version after the candidate that hardens files users do and don't edit."""
    base = template_repo.candidate
    version = Version(base.removeprefix("v"))
    # micro + 1 is `renamed` (below); the hardening
    # stays the newest tag, which is what a plain `copier update` picks.
    tag = f"v{version.major}.{version.minor}.{version.micro + 2}"

    def read(relative: str) -> str:
        return template_repo.read(base, relative)

    pyproject = read("template/pyproject.toml.jinja")
    fastapi = next(line for line in pyproject.splitlines() if line.startswith('    "fastapi>='))
    pagination = read(f"{PKG}/core/database/pagination.py")
    page_size = next(line for line in pagination.splitlines() if line.startswith("MAX_PAGE_SIZE"))
    edits: dict[str, str | None] = {
        # A different line of a file the user edits: merged, no conflict.
        CONFIG: replace_once(
            read(CONFIG),
            "pool_recycle: int = Field(default=1800, ge=60)",
            HARDENED_POOL_RECYCLE,
        ),
        f"{PKG}/main.py.jinja": replace_once(
            read(f"{PKG}/main.py.jinja"),
            "    app = FastAPI(\n",
            "    app = FastAPI(\n" + HARDENED_DOCS_LINE,
        ),
        "template/pyproject.toml.jinja": replace_once(
            pyproject, fastapi + "\n", fastapi + HARDENED_FASTAPI + "\n"
        ),
        # A file the user never touches.
        f"{PKG}/core/database/pagination.py": replace_once(
            pagination, page_size, HARDENED_PAGE_SIZE
        ),
        # A file the user deleted: it must stay deleted.
        "template/tests/core/test_models.py.jinja": read("template/tests/core/test_models.py.jinja")
        + "\n\ndef test_hardening_added_this() -> None:\n    assert True\n",
        # A new file.
        "template/SECURITY.md": "# Security\n\nReport vulnerabilities to the platform team.\n",
        # Files the user owns once they exist (`_skip_if_exists`).
        "template/.env": TEMPLATE_ENV,
        "template/uv.lock": TEMPLATE_LOCK,
    }
    return template_repo.add_version(tag, "Hardening (synthesized by the tests)", edits, base=base)


OLD, NEW = "tests/test_errors.py", "tests/test_problem_details.py"
OLD_DOC = '"""Every error leaves as RFC 9457 problem details, and the OpenAPI document says so."""'
NEW_DOC = '"""Problem details (RFC 9457) for every error, declared in the OpenAPI document."""'


@pytest.fixture(scope="session")
def renamed(template_repo: TemplateRepo) -> str:
    """A version after the candidate that renames OLD to NEW (and edits its first line)."""
    base = template_repo.candidate
    version = Version(base.removeprefix("v"))
    tag = f"v{version.major}.{version.minor}.{version.micro + 1}"
    old_source = template_repo.read(base, f"template/{OLD}.jinja")
    assert old_source.count(OLD_DOC) == 1, "the synthesized rename anchors on this docstring"
    config = yaml.safe_load(template_repo.read(base, "copier.yml"))
    copier_yml = template_repo.read(base, "copier.yml")
    if "_migrations" not in config:
        copier_yml += "_migrations:\n"
    entry = (
        f'  - version: "{tag}"\n'
        '    command: ["{{ _copier_python }}", "{{ _copier_conf.src_path }}/hooks/rename_file.py",'
        ' "--template", "{{ _copier_conf.src_path }}",'
        f' "{OLD}", "{NEW}"]\n'
        "    when: \"{{ _stage == 'after' }}\"\n"
    )
    copier_yml = replace_once(copier_yml, "\n_migrations:\n", "\n_migrations:\n" + entry)
    migrations = yaml.safe_load(copier_yml)["_migrations"]
    assert len(migrations) == len(config.get("_migrations") or []) + 1
    edits: dict[str, str | None] = {
        f"template/{OLD}.jinja": None,
        f"template/{NEW}.jinja": old_source.replace(OLD_DOC, NEW_DOC),
        "copier.yml": copier_yml,
    }
    return template_repo.add_version(tag, "Rename a file (synthesized)", edits, base=base)
