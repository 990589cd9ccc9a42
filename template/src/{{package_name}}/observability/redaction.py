"""A structlog processor that removes secrets from every log event.

It runs last before rendering, on our own events and on those of the standard
library's loggers (uvicorn, SQLAlchemy), so a secret is caught wherever it appears:
under a key that names a secret (at any depth, including header mappings and
lists of pairs), as credentials inside a URL, or as an `Authorization` value.
"""

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from structlog.typing import EventDict, WrappedLogger

REDACTED = "[REDACTED]"
# Values that cannot hold a secret.
_PLAIN = (int, float, bool, type(None))

# Key names that hold secrets: `password`, `db_passwd`, `access_token`, `api_key`,
# `X-API-Key`, `client_secret`, `Authorization`, `Cookie`, `Set-Cookie`, ...
_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|api[-_]?key|auth|cookie|session|credential"
    r"|private[-_]?key|signature",
    re.IGNORECASE,
)
# Keys that match the pattern above but never hold secrets.
_SAFE_KEYS = frozenset({"author", "token_type", "auth_method"})
# `scheme://user:password@host` and `Bearer <token>` / `Basic <credentials>`.
_URL_CREDENTIALS = re.compile(r"(?<=://)([^:/@\s]+):[^@\s]+@")
_AUTH_VALUE = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


@lru_cache(maxsize=1024)
def is_secret_key(key: str) -> bool:
    """Whether a value stored under `key` must never be logged (cached: keys repeat)."""
    return key.lower() not in _SAFE_KEYS and _SECRET_KEY.search(key) is not None


def _scrub_text(text: str) -> str:
    # The `in` tests skip both regular expressions for almost every string.
    if "://" in text:
        text = _URL_CREDENTIALS.sub(rf"\1:{REDACTED}@", text)
    if " " in text and ("earer" in text or "asic" in text):
        text = _AUTH_VALUE.sub(rf"\1 {REDACTED}", text)
    return text


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _scrub_text(value)
    if isinstance(value, Mapping):
        return {
            key: REDACTED if isinstance(key, str) and is_secret_key(key) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        if len(value) == 2 and isinstance(value[0], str | bytes):  # noqa: PLR2004 - a pair
            # A (name, value) pair, as in ASGI or httpx header lists.
            name = value[0].decode("latin-1") if isinstance(value[0], bytes) else value[0]
            if is_secret_key(name):
                return (value[0], REDACTED)
        scrubbed = [_scrub(item) for item in value]
        return scrubbed if isinstance(value, list) else tuple(scrubbed)
    return value


def redact_secrets(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Replace secret values in `event_dict` with `[REDACTED]`."""
    for key, value in event_dict.items():
        if is_secret_key(key):
            event_dict[key] = REDACTED
        elif type(value) is str:  # the common case, without `_scrub`'s type checks
            event_dict[key] = _scrub_text(value)
        elif not isinstance(value, _PLAIN):
            event_dict[key] = _scrub(value)
    return event_dict
