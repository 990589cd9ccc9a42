"""The provider's signing keys: discovered, fetched, cached by key id, refreshed with restraint.

Keys are fetched when a token names one the service does not have (the
provider has rotated), or when the cached set is older than `jwks_max_age` (a
withdrawn key stops working). Fetches are single-flight and at least
`jwks_min_refresh_interval` apart, successful or not: made-up key ids cannot
make the service hammer the provider, and while the provider is down requests
do not queue up behind one timeout after another.
"""

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

import httpx
import structlog
from jwt import PyJWK, PyJWTError
from structlog.typing import FilteringBoundLogger

from ..core.errors.problems import ServiceUnavailableError
from ..core.settings.oidc import OidcSettings, url_problem

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)

# What an unreachable, slow or misbehaving provider can cause (a body that is
# not JSON is a ValueError); anything else is a bug and surfaces as one.
_FETCH_FAILURES = (httpx.HTTPError, OSError, TimeoutError, ValueError)
# The key type (and curve) each algorithm verifies with (RFC 7518 §3, RFC 8037).
_KEY_TYPES: dict[str, tuple[str, str | None]] = {
    **dict.fromkeys(("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"), ("RSA", None)),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "EdDSA": ("OKP", None),
}

Jwk = dict[str, Any]
"""One JSON Web Key as the provider published it (RFC 7517)."""


class KeysUnavailableError(ServiceUnavailableError):
    """A token needs a key the service does not hold and cannot fetch now.

    503, not 401: the token may be perfectly valid, so the client should retry
    later rather than send its user to sign in again.
    """

    def __init__(self, retry_after: int) -> None:
        super().__init__("The identity provider's signing keys cannot be fetched; retry shortly.")
        self.headers = {"Retry-After": str(retry_after)}


class UnknownKeyError(Exception):
    """The provider, asked recently, does not publish this key: the token is not its."""


class _ProviderAnswerError(ValueError):
    """The provider answered, but not with what OpenID Connect Discovery promises."""


class ProviderKeys:
    """The provider's verification keys by key id, fetched over HTTP on demand.

    Nothing is fetched when this is created: the first request that needs a
    key discovers the provider, and a failed discovery is tried again (after
    the refresh interval), not remembered.
    """

    def __init__(
        self, settings: OidcSettings, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._keys: dict[str, Jwk] = {}
        self._jwks_uri: str | None = None
        self._fetched_at: float | None = None
        # The earliest time of the next fetch: the rate limit on the provider.
        self._next_fetch_at = -math.inf
        self._last_fetch_failed = False
        self._lock = asyncio.Lock()
        self._client: httpx.AsyncClient | None = None

    async def signing_key(self, kid: str) -> Jwk:
        """The published key with id `kid`.

        Raises `UnknownKeyError` if the provider does not publish it, and
        `KeysUnavailableError` if the provider cannot be asked and the key is
        not cached; a cached key keeps working while the provider is down.
        """
        key = self._keys.get(kid)
        # A stale key is still good while another request refreshes the set.
        if key is not None and (not self._is_stale() or self._lock.locked()):
            return key
        async with self._lock:
            key = self._keys.get(kid)
            if key is not None and not self._is_stale():
                return key  # Refreshed while this request waited for the lock.
            if self._clock() >= self._next_fetch_at:
                await self._refresh()
            key = self._keys.get(kid)
            if key is not None:
                return key
            if self._last_fetch_failed:
                raise KeysUnavailableError(self._retry_after())
            raise UnknownKeyError(kid)

    async def aclose(self) -> None:
        """Close the HTTP connections to the provider."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _is_stale(self) -> bool:
        return self._fetched_at is None or (
            self._clock() - self._fetched_at >= self._settings.jwks_max_age
        )

    def _retry_after(self) -> int:
        """Whole seconds until the next fetch may be tried (RFC 9110 Retry-After), at least 1."""
        return max(1, math.ceil(self._next_fetch_at - self._clock()))

    async def _refresh(self) -> None:
        """Replace the cached keys with the provider's; on failure keep them and say so."""
        self._next_fetch_at = self._clock() + self._settings.jwks_min_refresh_interval
        try:
            # One deadline for discovery and keys together, whatever httpx's
            # per-phase timeouts would allow a slow trickle of bytes.
            async with asyncio.timeout(self._settings.http_timeout):
                keys = await self._fetch()
        except _FETCH_FAILURES as error:
            self._last_fetch_failed = True
            # Discover again next time: the provider may have moved its keys.
            self._jwks_uri = None
            _logger.warning(
                "oidc_keys_unavailable",
                issuer=self._settings.issuer,
                error=type(error).__name__,
                reason=str(error) or None,
                cached_keys=len(self._keys),
            )
            return
        self._keys = keys
        self._fetched_at = self._clock()
        self._last_fetch_failed = False
        _logger.info("oidc_keys_fetched", issuer=self._settings.issuer, kids=sorted(keys))

    async def _fetch(self) -> dict[str, Jwk]:
        client = self._http()
        if self._jwks_uri is None:
            self._jwks_uri = await self._discover(client)
        document = await _get_json(client, self._jwks_uri)
        candidates = document.get("keys")
        if not isinstance(candidates, list):
            raise _ProviderAnswerError("the JWKS has no `keys` list")
        keys = {jwk["kid"]: jwk for jwk in candidates if _usable(jwk)}
        if not keys:
            raise _ProviderAnswerError("the JWKS has no usable signing key with a key id")
        return keys

    async def _discover(self, client: httpx.AsyncClient) -> str:
        """The `jwks_uri` of the provider's metadata, after checking that it is this issuer's."""
        metadata = await _get_json(client, self._settings.discovery_url)
        # OpenID Connect Discovery §4.3: the metadata must name the very issuer
        # it was fetched for, or it is not this provider's.
        if metadata.get("issuer") != self._settings.issuer:
            raise _ProviderAnswerError("the discovery document names another issuer")
        jwks_uri = metadata.get("jwks_uri")
        if not isinstance(jwks_uri, str) or url_problem(jwks_uri):
            raise _ProviderAnswerError("the discovery document has no usable jwks_uri")
        return jwks_uri

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self._settings.http_timeout, headers={"Accept": "application/json"}
            )
        return self._client


async def _get_json(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    response = await client.get(url)
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict):
        raise _ProviderAnswerError(f"{url} did not answer with a JSON object")
    return document


def _usable(jwk: object) -> bool:
    """Whether `jwk` may verify tokens here: a signing key with an id that PyJWT can load."""
    # Tokens must name their key, so a key without an id is never chosen; an
    # encryption key is not for signatures; a private key (a provider's grave
    # mistake) is not used as if it were a public one.
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
        return False
    if jwk.get("use", "sig") != "sig" or "d" in jwk:
        return False
    try:
        PyJWK(jwk)
    except PyJWTError:
        return False  # A key type or curve PyJWT cannot use, as PyJWKSet skips it.
    return True


def verification_key(jwk: Jwk, algorithm: str) -> PyJWK | None:
    """`jwk` as a key of `algorithm`, or None if it is not one.

    The token's header names the algorithm, so this check is what keeps a
    token from choosing how a key is used: the key's type and curve must be the
    algorithm's, and a key that declares its `alg` serves no other (RFC 7517 §4.4).
    """
    key_type, curve = _KEY_TYPES.get(algorithm, (None, None))
    if key_type is None or jwk.get("kty") != key_type or jwk.get("alg", algorithm) != algorithm:
        return None
    if curve is not None and jwk.get("crv") != curve:
        return None
    return PyJWK(jwk, algorithm)
