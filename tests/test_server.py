"""The generated service started the way its README says, as a real uvicorn process."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
from helpers import ADMIN_EMAIL, ADMIN_PASSWORD, running_service


def test_serve_answers_and_stops_cleanly_on_sigterm(
    synced_default_project: Path, tmp_path: Path
) -> None:
    with running_service(
        synced_default_project,
        f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        log_path=tmp_path / "server.log",
    ) as service:
        base = service.url
        assert service.ready.json() == {"status": "ok"}

        assert httpx.get(f"{base}/items").status_code == 401
        tokens = httpx.post(
            f"{base}/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        assert tokens.status_code == 200
        assert tokens.headers["cache-control"] == "no-store"
        headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
        created = httpx.post(
            f"{base}/items", json={"name": "over real HTTP", "quantity": 2}, headers=headers
        )
        assert created.status_code == 201
        assert created.headers["x-content-type-options"] == "nosniff"
        fetched = httpx.get(created.headers["location"], headers=headers)
        assert fetched.status_code == 200
        assert fetched.json() == created.json()
        assert "server" not in created.headers
    output = service.log()
    assert service.process.returncode in {0, -signal.SIGTERM, 128 + signal.SIGTERM}, output
    assert "Application shutdown complete." in output
    assert "Traceback" not in output
