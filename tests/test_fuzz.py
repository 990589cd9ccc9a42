"""Schemathesis fuzzes the generated service's OpenAPI document over real HTTP.

The service runs as a real uvicorn process on 127.0.0.1 with a migrated SQLite
database, once per value of `auth`. With the built-in accounts the fuzzer
sends an admin's access token, so the protected and admin-only operations are
exercised, not just their 401s; without authentication (`none`) it sends
nothing, as the gateway's requests arrive. The run is bounded:
a fixed seed and a fixed number of examples per operation.

Every check schemathesis has (`--checks all`): no 5xx; status codes, content
types, headers and bodies as documented; schema-violating requests refused and
schema-valid ones accepted (the document and the validation agree); 405 with a
correct `Allow` for undeclared methods; and the stateful phase, which chains
operations through the links schemathesis infers (create an item, then read,
update and delete it) to catch use-after-delete and missing resources.
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from conftest import ANSWER_SETS, Projects
from helpers import ADMIN_EMAIL, ADMIN_PASSWORD, project_command, running_service, skip_or_fail
from oidc_provider import Client, OidcProvider, install, node_tools

AUDIENCE = "api://fuzzed-service"

EXAMPLES_PER_OPERATION = "20"
# Where a schema-valid request is rightly refused for a reason the document
# cannot express, the refusal is listed here, per operation and no wider.
CONFIG = """
[[operations]]
include-path = "/users/me/password"
# A well-formed body with the wrong current password: 400.
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "429"]

[[operations]]
include-path-regex = "^/(auth/register|users)$"
include-method = "POST"
# email-validator refuses special-use domains (`x@y.test`) and a password equal
# to the email is refused: neither fits JSON Schema's `email` format.
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "409", "422", "429"]

[[operations]]
include-path-regex = "^/(items|users|audit|api-keys)$"
# The regex alone also selects the paths below these (`/items/{item_id}`).
exclude-path-regex = "/.+/"
include-method = "GET"
# A list's `cursor` is opaque: any string is schema-valid, but only one the API
# issued (a page's `next_cursor`) is accepted; anything else is a 422.
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "422", "429"]
"""


class Callers:
    """How the fuzzer authenticates, per value of `auth`: the service's settings and a header."""

    def __init__(self, auth: str, stack: ExitStack, tmp_path: Path) -> None:
        self.auth = auth
        self.env: dict[str, str] = {}
        self._provider: OidcProvider | None = None
        if auth == "builtin":
            self.env = {
                "AUTH_LOGIN_ATTEMPTS_PER_ADDRESS": "1000000",
                "AUTH_LOGIN_ATTEMPTS_PER_ACCOUNT": "1000000",
            }
        elif auth == "oidc":
            if node_tools() is None:
                skip_or_fail("Node.js (node and npm) is not installed: no OIDC provider to run")
            directory = install(tmp_path / "oidc-provider")
            clients = [Client("fuzzer", "items:read items:write", roles=("admin",))]
            self._provider = stack.enter_context(OidcProvider(directory, clients, [AUDIENCE]))
            self.env = {"OIDC_ISSUER": self._provider.issuer, "OIDC_AUDIENCE": AUDIENCE}

    def header(self, base: str) -> list[str]:
        """schemathesis's `--header` for an admin, or nothing without authentication."""
        if self.auth == "builtin":
            login = httpx.post(
                f"{base}/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            )
            assert login.status_code == 200, login.text
            return ["--header", f"Authorization: Bearer {login.json()['access_token']}"]
        if self._provider is not None:
            return ["--header", f"Authorization: Bearer {self._provider.token('fuzzer')}"]
        return []


# One answer set per value of `auth`.
@pytest.mark.parametrize("answer_set", ["default", "py311-oidc-custom-names", "py312-auth-none"])
def test_fuzzing_finds_no_server_error_and_no_schema_violation(
    projects: Projects, tmp_path: Path, answer_set: str
) -> None:
    project = projects.synced(answer_set)
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    with ExitStack() as stack:
        callers = Callers(ANSWER_SETS[answer_set].get("auth", "builtin"), stack, tmp_path)
        service = stack.enter_context(
            running_service(
                project,
                f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}",
                log_path=tmp_path / "server.log",
                command=project_command(project),
                create_admin=callers.auth == "builtin",
                # The fuzzer sends hundreds of requests a second from one address.
                env_extra={"RATE_LIMIT_PER_MINUTE": "0", **callers.env},
            )
        )
        base = service.url
        fuzz = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "--config-file",
                str(config),
                "run",
                f"{base}/openapi.json",
                *callers.header(base),
                "--max-examples",
                EXAMPLES_PER_OPERATION,
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--checks",
                "all",
                "--seed",
                "20261121",
                "--generation-database",
                "none",
                # One: CPython 3.11 before 3.11.8 can fail ast.parse when
                # threads race ("AST constructor recursion depth mismatch",
                # gh-106905), and Hypothesis parses lambdas' source as it
                # describes them. CI's interpreter is 3.11.7.
                "--workers",
                "1",
                "--no-color",
            ],
            # Its working files (reports, example database) stay out of the repository.
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    output = service.log()
    assert fuzz.returncode == 0, fuzz.stdout[-12000:] + fuzz.stderr[-4000:]
    assert "Tested: " in fuzz.stdout
    # The stateful phase ran: schemathesis found links to chain.
    assert "Scenarios:" in fuzz.stdout, fuzz.stdout[-4000:]
    assert "Traceback" not in output
    assert '" 500 ' not in output
