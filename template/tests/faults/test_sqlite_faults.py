"""SQLite's forms of "unavailable": a locked or missing database file answers 503.

Collected only when the suite runs on SQLite (see conftest.py).
"""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from tests.faults.service import (
    REQUEST_TIMEOUT,
    assert_logged_once_as_warning,
    assert_unavailable,
    running_service,
    timed,
    write,
)
from tests.live_server import LiveServer


@pytest.fixture
def database_file(own_database_url: str) -> Path:
    """The test's own SQLite file."""
    return Path(make_url(own_database_url).database or "")


@pytest.fixture
def server(own_database_url: str, project_root: Path) -> Iterator[LiveServer]:
    """The service on the test's own SQLite file."""
    with running_service(own_database_url, project_root) as server:
        # Signs the caller in while the database still works.
        assert write(server).status_code == 201
        yield server


def test_a_locked_database_answers_503_logged_once_as_a_warning(
    database_file: Path, server: LiveServer
) -> None:
    # Another process holds the write lock for longer than the service waits.
    holder = sqlite3.connect(database_file, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        mark = server.mark()

        response, seconds = timed(lambda: write(server))
    finally:
        holder.close()

    assert_unavailable(response)
    assert seconds < REQUEST_TIMEOUT + 2, seconds
    server.wait_for_line(lambda line: line.get("event") == "http_request", since=mark)
    assert_logged_once_as_warning(server.json_lines(mark))
    assert write(server).status_code == 201


def test_a_missing_database_file_answers_503(tmp_path: Path, project_root: Path) -> None:
    # A directory where the file should be: SQLite cannot open it.
    missing = tmp_path / "gone.db"
    missing.mkdir()
    with running_service(f"sqlite+aiosqlite:///{missing}", project_root) as server:
        assert_unavailable(httpx.get(f"{server.url}/health/ready", timeout=60))
