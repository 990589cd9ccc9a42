"""The generated service (auth=oidc) against a certified OpenID provider, all over real HTTP.

panva's oidc-provider (Node) issues client_credentials tokens; the service runs
as it does in production (`migrate`, then `serve` under uvicorn) and fetches
the provider's metadata and keys itself. Node runs it: where Node is missing
the tests skip locally and fail in CI, like the other tiers.
"""

import base64
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import Projects
from helpers import clean_env, project_command, skip_or_fail
from oidc_provider import Client, OidcProvider, free_port, install, node_tools

# The answer set rendered with auth=oidc.
ANSWER_SET = "py311-oidc-custom-names"
AUDIENCE = "api://billing-api"
OTHER_AUDIENCE = "api://another-service"
CLIENTS = [
    Client("orders-admin", "items:read items:write", roles=("admin",)),
    Client("orders-reader", "items:read"),
]
# The service refreshes keys at most this often (seconds), and waits this long for them.
REFRESH_INTERVAL = 0.5
HTTP_TIMEOUT = 2.0
# Seconds the service trusts fetched keys: short, so a withdrawn key's expiry is seen.
MAX_AGE = 2.0
_STARTUP_SECONDS = 60


class Service:
    """The project's `serve` command on 127.0.0.1, with its own migrated SQLite database."""

    def __init__(self, project: Path, directory: Path, issuer: str, **settings: str) -> None:
        uv = shutil.which("uv")
        assert uv is not None, "uv is needed to run the service"
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self._project = project
        # The project's own environment, not the one running these tests.
        self._env = clean_env() | {
            "DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'app.db'}",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "RATE_LIMIT_PER_MINUTE": "0",
            "LOG_FORMAT": "json",
            "OIDC_ISSUER": issuer,
            "OIDC_AUDIENCE": AUDIENCE,
            "OIDC_JWKS_MIN_REFRESH_INTERVAL": str(REFRESH_INTERVAL),
            "OIDC_HTTP_TIMEOUT": str(HTTP_TIMEOUT),
            **settings,
        }
        self._uv = uv
        self._log = directory / "service.log"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Service":
        run = [self._uv, "run", "--no-sync", project_command(self._project)]
        subprocess.run(
            [*run, "migrate"], cwd=self._project, env=self._env, check=True, capture_output=True
        )
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [*run, "serve"],
                cwd=self._project,
                env=self._env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + _STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self._process.poll() is None, self._log.read_text()
            try:
                if httpx.get(f"{self.url}/health/live", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"the service did not start:\n{self._log.read_text()}")

    def __exit__(self, *_exc: object) -> None:
        assert self._process is not None
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()

    def get(self, path: str, token: str) -> httpx.Response:
        """GET `path` with `token` as the bearer."""
        return httpx.get(self.url + path, headers=_bearer(token), timeout=HTTP_TIMEOUT + 5)

    def post(self, path: str, token: str, body: object) -> httpx.Response:
        """POST `body` as JSON to `path` with `token` as the bearer."""
        return httpx.post(
            self.url + path, json=body, headers=_bearer(token), timeout=HTTP_TIMEOUT + 5
        )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _kid(token: str) -> str:
    header = token.split(".", maxsplit=1)[0]
    kid: str = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    return kid


def _assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """oidc-provider, installed from the lock file and started for the module."""
    if node_tools() is None:
        skip_or_fail("Node.js (node and npm) is not installed: no OIDC provider to run")
    directory = install(tmp_path_factory.mktemp("oidc-provider"))
    with OidcProvider(directory, CLIENTS, [AUDIENCE, OTHER_AUDIENCE]) as provider:
        yield provider


@pytest.fixture(scope="module")
def service(
    projects: Projects, provider: OidcProvider, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The service, trusting `provider`; started once, as it takes seconds."""
    directory = tmp_path_factory.mktemp("service")
    project = projects.synced(ANSWER_SET)
    with Service(project, directory, provider.issuer, OIDC_JWKS_MAX_AGE=str(MAX_AGE)) as service:
        yield service


@pytest.fixture(autouse=True)
def _provider_up(provider: OidcProvider) -> None:
    """Each test starts with the provider up, whatever the one before did to it."""
    provider.start()


def test_swagger_ui_is_pointed_at_the_providers_discovery(
    provider: OidcProvider, service: Service
) -> None:
    document = httpx.get(f"{service.url}/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["OpenIdConnect"]
    metadata = httpx.get(scheme["openIdConnectUrl"]).json()
    assert metadata["issuer"] == provider.issuer
    assert "S256" in metadata["code_challenge_methods_supported"]


def test_an_admin_token_creates_an_item(provider: OidcProvider, service: Service) -> None:
    token = provider.token("orders-admin")
    created = service.post("/items", token, {"name": "from the provider"})
    assert created.status_code == 201, created.text
    listed = service.get("/items", token)
    assert "from the provider" in [item["name"] for item in listed.json()["items"]]


def test_a_reader_lists_but_cannot_create(provider: OidcProvider, service: Service) -> None:
    token = provider.token("orders-reader")
    assert service.get("/items", token).status_code == 200
    _assert_problem(service.post("/items", token, {"name": "nope"}), 403)


def test_a_token_for_another_audience_is_401(provider: OidcProvider, service: Service) -> None:
    token = provider.token("orders-admin", resource=OTHER_AUDIENCE)
    response = service.get("/items", token)
    _assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_rotated_keys_are_fetched_and_withdrawn_ones_expire(
    provider: OidcProvider, service: Service
) -> None:
    old = provider.token("orders-admin")
    assert service.get("/items", old).status_code == 200
    # Restarted on the same port, signing with a new key, publishing both.
    new_kid = provider.rotate()
    new = provider.token("orders-admin")
    assert _kid(new) == new_kid != _kid(old)
    time.sleep(REFRESH_INTERVAL)
    assert service.get("/items", new).status_code == 200
    refreshed_at = time.monotonic()
    assert service.get("/items", old).status_code == 200
    # The old key withdrawn: tokens signed with it stop working once the
    # service's cached keys are older than OIDC_JWKS_MAX_AGE.
    provider.retire_old_keys()
    time.sleep(max(0.0, refreshed_at + MAX_AGE - time.monotonic()) + 0.1)
    _assert_problem(service.get("/items", old), 401)
    assert service.get("/items", new).status_code == 200


def test_an_outage_keeps_known_keys_working_and_unknown_ones_are_503(
    provider: OidcProvider, service: Service
) -> None:
    known = provider.token("orders-admin")
    assert service.get("/items", known).status_code == 200
    provider.rotate()
    unseen = provider.token("orders-admin")
    provider.stop()

    assert service.get("/items", known).status_code == 200
    time.sleep(REFRESH_INTERVAL)
    started = time.monotonic()
    response = service.get("/items", unseen)
    assert time.monotonic() - started < HTTP_TIMEOUT + 1
    _assert_problem(response, 503)
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 1 + REFRESH_INTERVAL
    assert service.get("/items", known).status_code == 200

    # Back up: the token the service could not check a moment ago now works.
    provider.start()
    time.sleep(retry_after)
    assert service.get("/items", unseen).status_code == 200
