"""Request ids, the access log and error logging, over real HTTP to a uvicorn process."""

import re

import httpx
import pytest

from tests.live_server import LiveServer, LogLine

MISSING_ITEM = "/items/3f1b6d4e-6f4b-4d5e-9a3c-2b7e8f9a0c1d"


def _access_line(server: LiveServer, since: int, request_id: str) -> LogLine:
    return server.wait_for_line(
        lambda line: line.get("event") == "http_request" and line.get("request_id") == request_id,
        since,
    )


def test_a_safe_request_id_is_echoed_and_on_the_access_line(
    live_server: LiveServer, live_user: tuple[str, dict[str, str]]
) -> None:
    user_id, headers = live_user
    mark = live_server.mark()
    response = httpx.get(
        f"{live_server.url}/items?limit=5", headers={"X-Request-ID": "client-id.42", **headers}
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "client-id.42"
    line = _access_line(live_server, mark, "client-id.42")
    assert line["level"] == "info"
    assert line["method"] == "GET"
    assert line["route"] == "/items"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] > 0
    assert line["client"] == "127.0.0.1"
    assert line["logger_name"].endswith("observability.middleware")
    # Set by the authentication dependency, read by the middleware after the response.
    assert line["user_id"] == user_id


@pytest.mark.parametrize("sent", [None, "x" * 65, "bad id", "inject\\nline"])
def test_a_missing_or_unsafe_request_id_is_replaced(
    live_server: LiveServer, live_headers: dict[str, str], sent: str | None
) -> None:
    mark = live_server.mark()
    headers = {"X-Request-ID": sent, **live_headers} if sent is not None else live_headers
    response = httpx.get(f"{live_server.url}{MISSING_ITEM}", headers=headers)
    generated = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    line = _access_line(live_server, mark, generated)
    # The route template, never the raw path with its id; a 404 is not an error.
    assert line["route"] == "/items/{item_id}"
    assert line["status"] == 404
    assert line["level"] == "info"
    assert not [entry for entry in live_server.json_lines(mark) if entry["level"] == "error"]


def test_unmatched_paths_share_one_route_value(live_server: LiveServer) -> None:
    mark = live_server.mark()
    response = httpx.get(f"{live_server.url}/no/such/path/123")
    line = _access_line(live_server, mark, response.headers["x-request-id"])
    assert line["route"] == "<unmatched>"


def test_the_authenticated_user_is_on_the_access_line(live_server: LiveServer) -> None:
    mark = live_server.mark()
    response = httpx.get(f"{live_server.url}/test/me")
    line = _access_line(live_server, mark, response.headers["x-request-id"])
    assert line["user_id"] == "user-42"


def test_health_probes_are_not_logged_at_info(live_server: LiveServer) -> None:
    mark = live_server.mark()
    live = httpx.get(f"{live_server.url}/health/live")
    ready = httpx.get(f"{live_server.url}/health/ready")
    assert (live.status_code, ready.status_code) == (200, 200)
    # A later request's line proves the log has caught up.
    probe = httpx.get(f"{live_server.url}/no/such/path")
    _access_line(live_server, mark, probe.headers["x-request-id"])
    ids = {live.headers["x-request-id"], ready.headers["x-request-id"]}
    assert not [line for line in live_server.json_lines(mark) if line.get("request_id") in ids]


def test_an_unhandled_error_is_logged_once_with_its_traceback(live_server: LiveServer) -> None:
    mark = live_server.mark()
    response = httpx.get(f"{live_server.url}/test/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text
    request_id = response.headers["x-request-id"]
    access = _access_line(live_server, mark, request_id)
    assert access["status"] == 500
    errors = [line for line in live_server.json_lines(mark) if line["level"] == "error"]
    assert len(errors) == 1, errors
    error = errors[0]
    assert error["event"] == "unhandled_exception"
    assert error["request_id"] == request_id
    assert "RuntimeError: cannot reach postgresql://app:[REDACTED]@db/app" in error["exception"]
    assert "Traceback (most recent call last)" in error["exception"]
    raw = "\n".join(live_server.lines(mark))
    # Nobody else printed it: not Starlette, not uvicorn, and no plain-text traceback.
    assert raw.count("Traceback") == 1
    assert "Exception in ASGI application" not in raw
    assert "secret-url-12" not in raw
