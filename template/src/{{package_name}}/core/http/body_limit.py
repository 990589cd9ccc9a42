"""Refuse request bodies, query strings and headers larger than the service will ever need."""

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .asgi import send_problem

# Browsers and proxies cap URLs near 8 KiB; no route here needs longer ones.
MAX_QUERY_STRING_BYTES = 8192
# uvicorn's default parser (httptools) has no header size limit of its own.
MAX_HEADER_BYTES = 16_384


class BodyLimitMiddleware:
    """413 for bodies over `max_bytes`, declared or streamed; 414 and 431 for long queries
    and headers.

    A declared `Content-Length` is refused before the body is read. A chunked
    body is counted as it arrives and refused as soon as it crosses the limit,
    so an endless upload never fills memory.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope["query_string"]) > MAX_QUERY_STRING_BYTES:
            await send_problem(scope, send, 414, "The query string is too long.")
            return
        if sum(len(name) + len(value) for name, value in scope["headers"]) > MAX_HEADER_BYTES:
            await send_problem(scope, send, 431, "The request headers are too large.")
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await send_problem(scope, send, 413, self._detail())
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # Raised inside the route's body parsing, so FastAPI hands it to
                # the HTTPException handler and the client gets a problem+json.
                raise HTTPException(413, self._detail())
            return message

        await self.app(scope, limited_receive, send)

    def _detail(self) -> str:
        return f"The request body is larger than {self.max_bytes} bytes."
