"""The generated service started the way its README says, as a real uvicorn process."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
from helpers import ADMIN_PASSWORD, clean_env, free_port, run, wait_until_ok


def test_serve_answers_and_stops_cleanly_on_sigterm(
    synced_default_project: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = clean_env(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        PORT=str(port),
        JWT_SECRET_KEY="k" * 64,
        ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    run(["uv", "run", "--no-sync", "acme-orders", "migrate"], synced_default_project, env=env)
    run(
        ["uv", "run", "--no-sync", "acme-orders", "create-admin", "root@example.com"],
        synced_default_project,
        env=env,
    )
    server = subprocess.Popen(
        ["uv", "run", "--no-sync", "acme-orders", "serve"],
        cwd=synced_default_project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        ready = wait_until_ok(f"{base}/health/ready", server, "the service")
        assert ready.json() == {"status": "ok"}

        assert httpx.get(f"{base}/items").status_code == 401
        tokens = httpx.post(
            f"{base}/auth/token", data={"username": "root@example.com", "password": ADMIN_PASSWORD}
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
    finally:
        # `uv run` forwards SIGTERM to the service.
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode in {0, -signal.SIGTERM, 128 + signal.SIGTERM}, output
    assert "Application shutdown complete." in output
    assert "Traceback" not in output
