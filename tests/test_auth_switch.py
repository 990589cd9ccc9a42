"""Switching `auth` on a service whose database has data, as the generated README says.

The two answers have different migration histories (builtin: 0001-0004; none:
0001, 1002). The steps run for real with each project's own command and Alembic,
on a SQLite file and on PostgreSQL; the rows are checked with plain SQL.
"""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import Projects
from helpers import clean_env, fresh_postgres_database, project_command, run

BUILTIN, NONE = "default", "py312-auth-none"
USER_ID = uuid.UUID("0b6f8c1e-5d4a-4f7e-9c3b-2a1d0e9f8a7b")
ITEM_ID = uuid.UUID("5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")
ACCOUNT_TABLES = {"users", "refresh_tokens", "api_keys", "audit_log"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'switch.db'}"
        return
    request.getfixturevalue("postgres")
    with fresh_postgres_database() as database_url:
        yield database_url


def _sql(url: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one statement (`?` placeholders) in its own committed transaction."""
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.split("///", 1)[1])) as connection:
            connection.execute("PRAGMA foreign_keys=ON")
            rows = connection.execute(statement, params).fetchall()
            connection.commit()
            return rows
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(statement.replace("?", "%s"), params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def _uuid(value: uuid.UUID, url: str) -> str:
    # SQLAlchemy's Uuid is CHAR(32) hex on SQLite and a native uuid on PostgreSQL.
    return value.hex if url.startswith("sqlite") else str(value)


def _tables(url: str) -> set[str]:
    if url.startswith("sqlite"):
        rows = _sql(url, "SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = _sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {name for (name,) in rows} - {"alembic_version"}


def _migrate(project: Path, url: str, *args: str) -> str:
    env = clean_env(DATABASE_URL=url)
    return run(
        ["uv", "run", "--no-sync", project_command(project), "migrate", *args], project, env=env
    ).stdout


def _alembic(project: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run(
        ["uv", "run", "--no-sync", "alembic", *args], project, env=clean_env(DATABASE_URL=url)
    )


def _alembic_refuses(project: Path, url: str, *args: str) -> str:
    """Run Alembic expecting it to fail; what it said."""
    result = subprocess.run(
        ["uv", "run", "--no-sync", "alembic", *args],
        cwd=project,
        env=clean_env(DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0, result.stdout
    return result.stderr


def test_from_builtin_the_items_stay_and_the_accounts_are_left_alone(
    projects: Projects, url: str
) -> None:
    builtin, none = projects.synced(BUILTIN), projects.synced(NONE)
    _migrate(builtin, url)
    _sql(
        url,
        "INSERT INTO users (id, email, password_hash, role, is_active, failed_logins,"
        " created_at, updated_at) VALUES (?, 'owner@example.com', 'x', 'user', true, 0,"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        _uuid(USER_ID, url),
    )
    _sql(
        url,
        "INSERT INTO items (id, owner_id, name, quantity, created_at, updated_at)"
        " VALUES (?, ?, 'kept', 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        _uuid(ITEM_ID, url),
        _uuid(USER_ID, url),
    )

    # Without the README's step, the other history does not know 0004: say so.
    refused = _alembic_refuses(none, url, "upgrade", "head")
    assert "Can't locate revision identified by '0004'" in refused

    _alembic(none, url, "stamp", "--purge", "0001")
    assert _migrate(none, url) == "database migrated from 0001 to 1002\n"

    items = _sql(url, "SELECT name, owner_id, quantity FROM items")
    assert [(name, uuid.UUID(str(owner)), quantity) for name, owner, quantity in items] == [
        ("kept", USER_ID, 3)
    ]
    assert _tables(url) >= ACCOUNT_TABLES, "the account tables are the user's to drop"
    # The owner no longer has to be an account: the gateway's principal is none.
    _sql(
        url,
        "INSERT INTO items (id, owner_id, name, quantity, created_at, updated_at)"
        " VALUES (?, ?, 'new', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        _uuid(uuid.uuid4(), url),
        _uuid(uuid.uuid4(), url),
    )
    assert _migrate(none, url) == "database already at revision 1002, nothing to do\n"


def test_to_builtin_the_database_starts_again(projects: Projects, url: str) -> None:
    builtin, none = projects.synced(BUILTIN), projects.synced(NONE)
    _migrate(none, url)
    refused = _alembic_refuses(builtin, url, "upgrade", "head")
    assert "Can't locate revision identified by '1002'" in refused

    # The README's step, under the old answer: then the new one migrates from empty.
    _alembic(none, url, "downgrade", "base")
    assert _migrate(builtin, url) == "database migrated from an empty database to 0004\n"
    assert ACCOUNT_TABLES | {"items"} == _tables(url)
    check = _alembic(builtin, url, "check")
    assert "No new upgrade operations detected" in check.stdout + check.stderr
