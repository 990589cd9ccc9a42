"""Security headers on every response, as pure ASGI middleware."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A JSON API is never framed, never sniffed and never needs the referrer. Its
# answers (tokens, accounts, anyone's data) are never kept by a browser or a
# shared cache, unless the route says otherwise with a Cache-Control of its own:
# safe by default, so a new domain has nothing to remember.
_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# The API itself needs no scripts or styles. The docs pages send their own
# policy (core/http/docs.py), and a header a route set is never replaced.
_API_CSP = "default-src 'none'; frame-ancestors 'none'"
_ALWAYS_RAW = tuple((name.lower().encode(), value.encode()) for name, value in _ALWAYS.items())
_API_CSP_RAW = (b"content-security-policy", _API_CSP.encode())


class SecurityHeadersMiddleware:
    """Adds the headers above; HSTS only when the request came over HTTPS.

    `scope["scheme"]` is `https` for direct TLS and, behind a proxy listed in
    FORWARDED_ALLOW_IPS, when the proxy says so in `X-Forwarded-Proto`.
    """

    def __init__(self, app: ASGIApp, *, hsts_seconds: int) -> None:
        self.app = app
        self.hsts = (
            (b"strict-transport-security", f"max-age={hsts_seconds}; includeSubDomains".encode())
            if hsts_seconds
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Built once per request, appended without re-reading: only the headers
        # a route did not set itself are added.
        extra = [*_ALWAYS_RAW, _API_CSP_RAW]
        if self.hsts is not None and scope["scheme"] == "https":
            extra.append(self.hsts)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [header for header in extra if header[0] not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
