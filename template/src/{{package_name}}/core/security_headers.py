"""Security headers on every response, as pure ASGI middleware."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A JSON API is never framed, never sniffed and never needs the referrer.
_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# The API itself needs no scripts or styles; Swagger UI and ReDoc load theirs
# from a CDN, so the docs pages get a policy that only forbids framing.
_API_CSP = "default-src 'none'; frame-ancestors 'none'"
_DOCS_CSP = "frame-ancestors 'none'"
_DOCS_PATHS = ("/docs", "/redoc")
# Tokens and account data must never sit in a shared or browser cache.
NO_STORE_PREFIXES = ("/auth", "/users", "/api-keys", "/audit")


class SecurityHeadersMiddleware:
    """Adds the headers above; HSTS only when the request came over HTTPS.

    `scope["scheme"]` is `https` for direct TLS and, behind a proxy listed in
    FORWARDED_ALLOW_IPS, when the proxy says so in `X-Forwarded-Proto`.
    """

    def __init__(self, app: ASGIApp, *, hsts_seconds: int) -> None:
        self.app = app
        self.hsts = f"max-age={hsts_seconds}; includeSubDomains" if hsts_seconds else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS.items():
                    headers.setdefault(name, value)
                headers.setdefault(
                    "Content-Security-Policy",
                    _DOCS_CSP if path.startswith(_DOCS_PATHS) else _API_CSP,
                )
                if self.hsts and scope["scheme"] == "https":
                    headers.setdefault("Strict-Transport-Security", self.hsts)
                if path.startswith(NO_STORE_PREFIXES):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
