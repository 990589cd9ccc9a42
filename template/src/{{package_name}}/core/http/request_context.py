"""Per-request values that logs, errors and auth read without passing them around.

The observability middleware sets the request id for every HTTP request; the
authentication code sets the user id once it knows who is calling. Both are
`ContextVar`s, so each request (each asyncio task) sees only its own values.
"""

import re
import secrets
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
user_id_var: ContextVar[str | None] = ContextVar("user_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# A client-supplied id lands in every log line of the request, so only short
# values of a safe character set are believed: nothing that could forge log
# structure, inject control characters or bloat the logs.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def new_request_id() -> str:
    """A fresh random id: 32 hex characters."""
    return secrets.token_hex(16)


def accept_request_id(candidate: str | None) -> str:
    """`candidate` if it is a safe request id, otherwise a new one."""
    if candidate is not None and _SAFE_REQUEST_ID.fullmatch(candidate):
        return candidate
    return new_request_id()


def get_request_id() -> str | None:
    """The current request's id; None outside a request."""
    return request_id_var.get()


def get_user_id() -> str | None:
    """The authenticated caller of the current request; None when anonymous."""
    return user_id_var.get()
