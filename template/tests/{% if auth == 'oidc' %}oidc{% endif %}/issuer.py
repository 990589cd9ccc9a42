"""A real OpenID provider's public side on 127.0.0.1, and access tokens signed with real keys.

The service reads two documents from a provider: its discovery metadata and its
JWKS. This issuer serves both over real HTTP from a thread, so the service's
own client, timeouts and error handling are what the tests exercise; it can
publish other keys (rotation), count what it is asked, hang, or go down.
Tokens are compact JWS built here byte by byte, so a test can also write the
headers and signatures no honest library would: `alg: none`, HMAC keyed with
the public key, a missing `kid`.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

AUDIENCE = "api://this-service"
DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/jwks"
# How long a hanging request is held at most, should a test forget to release it.
_HANG_LIMIT_SECONDS = 30


@dataclass(frozen=True)
class SigningKey:
    """A private key the issuer signs with, and the public JWK it publishes for it."""

    kid: str
    algorithm: str
    private_key: PrivateKeyTypes

    @property
    def jwk(self) -> dict[str, Any]:
        """The public key as the JWKS lists it."""
        algorithm = jwt.get_algorithm_by_name(self.algorithm)
        public = algorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    @property
    def public_pem(self) -> bytes:
        """The public key in PEM, what an algorithm-confusion forger uses as an HMAC secret."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def rsa_key(kid: str, algorithm: str = "RS256") -> SigningKey:
    """A fresh 2048-bit RSA key."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(kid, algorithm, private_key)


def ec_key(kid: str) -> SigningKey:
    """A fresh P-256 key for ES256."""
    return SigningKey(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))


@dataclass(frozen=True)
class Keys:
    """The keys of a run: RSA keygen takes a while, so each is made once."""

    rsa: SigningKey
    ec: SigningKey
    # Published only when a test rotates to it.
    rotated: SigningKey
    # Never published: the same kid as `rsa`, another key (a forger's).
    forged: SigningKey


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    """A compact JWS with exactly `header` and `claims`, signed by `sign(signing_input)`."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


class Issuer:
    """An OpenID provider's discovery document and JWKS on a free port of 127.0.0.1."""

    def __init__(self, *keys: SigningKey) -> None:
        self.published: list[SigningKey] = list(keys)
        # Requests served, by path.
        self.requests: Counter[str] = Counter()
        # Replaces fields of the discovery document (None removes one).
        self.metadata_overrides: dict[str, Any] = {}
        # Served instead of the JWKS when set: a body, or a status code alone.
        self.jwks_override: bytes | int | None = None
        self._release = threading.Event()
        self._release.set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll, so that stopping takes milliseconds rather than half a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def jwks_requests(self) -> int:
        """How often the JWKS was asked for."""
        return self.requests[JWKS_PATH]

    def metadata(self) -> dict[str, Any]:
        """The discovery document (OpenID Connect Discovery §3), with the overrides."""
        document = {
            "issuer": self.url,
            "jwks_uri": self.url + JWKS_PATH,
            "authorization_endpoint": self.url + "/auth",
            "token_endpoint": self.url + "/token",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
        } | self.metadata_overrides
        return {name: value for name, value in document.items() if value is not None}

    def publish(self, *keys: SigningKey) -> None:
        """Publish exactly `keys` from now on."""
        self.published = list(keys)

    @contextmanager
    def hanging(self) -> Iterator[None]:
        """Accept connections but answer nothing until the block ends: a provider that hangs."""
        self._release.clear()
        try:
            yield
        finally:
            self._release.set()

    def stop(self) -> None:
        """Go down: the port refuses connections from now on. Stopping twice is harmless."""
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def claims(self, **claims: Any) -> dict[str, Any]:
        """A valid access token's claims; `claims` add to or (as None) remove the defaults."""
        now = int(time.time())
        defaults = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "alice",
            "iat": now,
            "exp": now + 300,
            "scope": "items:read items:write",
        }
        return {name: value for name, value in (defaults | claims).items() if value is not None}

    def token(self, key: SigningKey, *, header: dict[str, Any] | None = None, **claims: Any) -> str:
        """An access token signed by `key`; `header` changes (or, as None, removes) fields."""
        full_header = {"alg": key.algorithm, "typ": "at+jwt", "kid": key.kid} | (header or {})
        full_header = {name: value for name, value in full_header.items() if value is not None}
        algorithm = jwt.get_algorithm_by_name(key.algorithm)
        return compact(
            full_header, self.claims(**claims), lambda data: algorithm.sign(data, key.private_key)
        )

    def hmac_token(self, secret: bytes, *, kid: str) -> str:
        """A token signed HS256 with `secret`: the algorithm-confusion forgery."""
        return compact(
            {"alg": "HS256", "typ": "at+jwt", "kid": kid},
            self.claims(),
            lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
        )

    def unsigned_token(self, *, kid: str) -> str:
        """A token with `alg: none` and no signature at all."""
        return compact({"alg": "none", "typ": "at+jwt", "kid": kid}, self.claims(), lambda _: b"")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.requests[self.path] += 1
                if not issuer._release.wait(_HANG_LIMIT_SECONDS):
                    return
                if self.path == DISCOVERY_PATH:
                    self._send(200, json.dumps(issuer.metadata()).encode())
                elif self.path == JWKS_PATH:
                    override = issuer.jwks_override
                    if isinstance(override, int):
                        self._send(override, b"{}")
                    else:
                        keys = [key.jwk for key in issuer.published]
                        self._send(200, override or json.dumps({"keys": keys}).encode())
                else:
                    self._send(404, b"{}")

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: pytest shows what matters."""

        return Handler
