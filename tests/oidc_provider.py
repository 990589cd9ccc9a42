"""A certified OpenID provider for the template's tests: panva's `oidc-provider` under Node.

`OidcProvider` installs the pinned package (`npm ci`, once per directory and
lock file), runs `oidc-provider/provider.mjs` on 127.0.0.1, issues
client_credentials access tokens from it (browser clients sign in through its
pages), rotates its signing keys by
restarting it on the same port (so the issuer URL stays the same), and stops
it to play an outage. Standard library and httpx only: a generated service's
tests need neither Node nor this module.
"""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx

SOURCE = Path(__file__).resolve().parent / "oidc-provider"
_FILES = ("package.json", "package-lock.json", "provider.mjs")
_STARTUP_SECONDS = 20
_STOP_SECONDS = 5


@dataclass(frozen=True)
class Client:
    """A client of the provider: what it may ask for, and the roles its tokens carry.

    With `redirect_uris` it is a public browser client (the authorization code
    with PKCE, no secret); without, a client_credentials one.
    """

    client_id: str
    scope: str
    roles: tuple[str, ...] = ()
    client_secret: str = field(default_factory=lambda: f"secret-{os.urandom(8).hex()}")
    redirect_uris: tuple[str, ...] = ()

    def config(self) -> dict[str, Any]:
        """The entry of OIDC_CLIENTS_FILE."""
        entry: dict[str, Any] = {
            "client_id": self.client_id,
            "scope": self.scope,
            "roles": list(self.roles),
        }
        if self.redirect_uris:
            entry["redirect_uris"] = list(self.redirect_uris)
        else:
            entry["client_secret"] = self.client_secret
        return entry


def node_tools() -> tuple[str, str] | None:
    """The paths of `node` and `npm`, or None where Node is not installed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    return (node, npm) if node and npm else None


def install(directory: Path) -> Path:
    """`directory` with provider.mjs and its pinned dependencies, installed by `npm ci` if needed.

    Installing takes seconds; a stamp of the lock file's hash skips it while
    the lock is unchanged.
    """
    tools = node_tools()
    if tools is None:
        raise RuntimeError("node and npm are needed to run the OIDC provider")
    directory.mkdir(parents=True, exist_ok=True)
    for name in _FILES:
        shutil.copyfile(SOURCE / name, directory / name)
    lock_hash = hashlib.sha256((SOURCE / "package-lock.json").read_bytes()).hexdigest()
    stamp = directory / "node_modules" / ".installed-lock"
    if not stamp.is_file() or stamp.read_text() != lock_hash:
        subprocess.run(
            [tools[1], "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=directory,
            check=True,
            capture_output=True,
            timeout=300,
        )
        stamp.write_text(lock_hash)
    return directory


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class OidcProvider:
    """oidc-provider on 127.0.0.1:<free port>, issuing tokens for `resources` to `clients`.

    The first resource is the default audience. Use as a context manager, or
    call `start` and `stop`.
    """

    def __init__(self, directory: Path, clients: list[Client], resources: list[str]) -> None:
        self.directory = directory
        self.clients = {client.client_id: client for client in clients}
        self.resources = resources
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self._state = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
        self._generated = 0
        # Private JWKs, newest first: the first signs, all are published.
        self.keys: list[dict[str, Any]] = [self._generate_key()]
        self._process: subprocess.Popen[bytes] | None = None
        self._log = self._state / "provider.log"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        shutil.rmtree(self._state, ignore_errors=True)

    @property
    def running(self) -> bool:
        """Whether the provider process is up."""
        return self._process is not None and self._process.poll() is None

    @property
    def kids(self) -> list[str]:
        """The ids of the published keys, the signing key first."""
        return [key["kid"] for key in self.keys]

    def start(self) -> None:
        """Start the provider with the current keys and wait until its metadata answers."""
        if self.running:
            return
        jwks_file = self._state / "jwks.json"
        clients_file = self._state / "clients.json"
        jwks_file.write_text(json.dumps({"keys": self.keys}))
        clients_file.write_text(json.dumps([c.config() for c in self.clients.values()]))
        env = {
            **os.environ,
            "OIDC_ISSUER": self.issuer,
            "OIDC_PORT": str(self.port),
            "OIDC_JWKS_FILE": str(jwks_file),
            "OIDC_CLIENTS_FILE": str(clients_file),
            "OIDC_RESOURCES": ",".join(self.resources),
        }
        node = self._node()
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [node, "provider.mjs"], cwd=self.directory, env=env, stdout=log, stderr=log
            )
        self._wait_for_discovery()

    def stop(self) -> None:
        """Stop the provider: its port refuses connections until `start`."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def rotate(self) -> str:
        """Sign with a new key from now on, still publishing the old ones; the new kid."""
        self.keys.insert(0, self._generate_key())
        self._restart()
        return self.kids[0]

    def retire_old_keys(self) -> None:
        """Publish the signing key alone: tokens signed with the others are no longer valid."""
        del self.keys[1:]
        self._restart()

    def token(self, client_id: str, *, resource: str | None = None) -> str:
        """A client_credentials access token for `client_id`, with all the scope it may have."""
        client = self.clients[client_id]
        response = httpx.post(
            f"{self.issuer}/token",
            data={
                "grant_type": "client_credentials",
                "scope": client.scope,
                "resource": resource or self.resources[0],
            },
            auth=(client.client_id, client.client_secret),
            timeout=10,
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def output(self) -> str:
        """What the provider printed, for failure messages."""
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def _restart(self) -> None:
        self.stop()
        self.start()

    def _node(self) -> str:
        tools = node_tools()
        if tools is None:
            raise RuntimeError("node is needed to run the OIDC provider")
        return tools[0]

    def _generate_key(self) -> dict[str, Any]:
        self._generated += 1
        kid = f"key-{self._generated}-{os.urandom(3).hex()}"
        completed = subprocess.run(
            [self._node(), "provider.mjs", "generate-key", kid],
            cwd=self.directory,
            check=True,
            capture_output=True,
            timeout=60,
        )
        key: dict[str, Any] = json.loads(completed.stdout)
        return key

    def _wait_for_discovery(self) -> None:
        deadline = time.monotonic() + _STARTUP_SECONDS
        url = f"{self.issuer}/.well-known/openid-configuration"
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"the OIDC provider exited:\n{self.output()}")
            try:
                if httpx.get(url, timeout=1).status_code == httpx.codes.OK:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the OIDC provider did not start:\n{self.output()}")
