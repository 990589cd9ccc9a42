"""Swagger UI, ReDoc and the OpenAPI document, served by the service itself.

FastAPI's own docs pages load their scripts from a CDN: offline, air-gapped or
behind a strict egress policy they render blank. Here the pages are FastAPI's
HTML with the assets of the pinned `fastapi-offline` package, served from
`/docs/assets/`, under a Content-Security-Policy that allows nothing from other
hosts and only the inline scripts of this very page (by hash). The one
exception is the identity provider Swagger UI's Authorize dialog signs in with,
when the application names it with `allow_swagger_ui_to_connect`.

Every route is a FastAPI route, so access logs and metrics label it with its
path instead of `<unmatched>`.
"""

import base64
import functools
import hashlib
import re
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

OPENAPI_PATH = "/openapi.json"
SWAGGER_PATH = "/docs"
REDOC_PATH = "/redoc"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
ASSETS_PATH = "/docs/assets"

_ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
# Only these files are served, each with its type: the directory is not browsable.
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
# ReDoc's sidebar credit always shows Redocly's logo from their CDN. The policy
# refuses it: a CSP violation on every visit, and a request to another host if
# the policy ever allowed it. With an empty URL the image fails at once and ReDoc
# drops it, so the bundle is served without that URL.
_REDOC_BUNDLE = "redoc.standalone.js"
_REDOC_CDN_LOGO = b'"https://cdn.redoc.ly/redoc/logo-mini.svg"'
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
# Styles may be inline: both UIs set `style` attributes and ReDoc injects
# <style> elements at run time. Scripts may not, except the page's own.
_CSP = (
    "default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'{connect}; "
    # ReDoc runs its search index in a worker it builds from a blob.
    "worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# The online validator badge would fetch an image from swagger.io.
_SWAGGER_DEFAULTS: dict[str, Any] = {"validatorUrl": None}
# Swagger UI's Authorize dialog signs in at an identity provider in a popup,
# which comes back to the redirect page and hands the code to the docs page
# through `window.opener`. Under the API's `same-origin` opener policy the
# browser cuts that link as soon as the popup visits the provider's origin: the
# docs page keeps its popups, and the redirect page (one inline script, no data)
# opts out so that the way back from the provider keeps the link too.
_SWAGGER_UI_OPENER_POLICY = "same-origin-allow-popups"
_REDIRECT_OPENER_POLICY = "unsafe-none"
# The assets change only with the installed package: browsers may keep them an
# hour instead of the API's default `no-store`.
_ASSET_CACHING = {"Cache-Control": "public, max-age=3600"}


def content_security_policy(html: str, connect: tuple[str, ...] = ()) -> str:
    """The policy for one docs page: its own inline scripts, by hash, 'self' and `connect`."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return _CSP.format(hashes=hashes, connect="".join(f" {origin}" for origin in connect))


def _with_csp(
    page: HTMLResponse, connect: tuple[str, ...] = (), opener_policy: str | None = None
) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = content_security_policy(
        bytes(page.body).decode(), connect
    )
    if opener_policy is not None:
        page.headers["Cross-Origin-Opener-Policy"] = opener_policy
    return page


def allow_swagger_ui_to_connect(app: FastAPI, *origins: str) -> None:
    """Let Swagger UI's scripts call `origins` too, e.g. the identity provider it signs in with.

    The Authorize dialog reads the provider's metadata and exchanges the
    authorization code for a token from the page itself.
    """
    app.state.swagger_ui_connect_src = origins


def _swagger_ui_connect_src(app: FastAPI) -> tuple[str, ...]:
    origins: tuple[str, ...] = getattr(app.state, "swagger_ui_connect_src", ())
    return origins


@functools.cache
def redoc_bundle() -> bytes:
    """ReDoc's script as served: the package's file without the CDN logo."""
    return (_ASSETS_DIR / _REDOC_BUNDLE).read_bytes().replace(_REDOC_CDN_LOGO, b'""')


def _under_root(request: Request, path: str) -> str:
    """`path` as the browser must ask for it: behind the prefix a proxy mounts the app at."""
    return f"{request.scope.get('root_path', '')}{path}"


def install_docs(app: FastAPI) -> None:
    """Add the OpenAPI document, Swagger UI, ReDoc and their assets to `app`."""

    @app.get(OPENAPI_PATH, include_in_schema=False)
    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get(SWAGGER_PATH, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return _with_csp(
            get_swagger_ui_html(
                openapi_url=_under_root(request, OPENAPI_PATH),
                title=f"{app.title} - Swagger UI",
                swagger_js_url=_under_root(request, f"{ASSETS_PATH}/swagger-ui-bundle.js"),
                swagger_css_url=_under_root(request, f"{ASSETS_PATH}/swagger-ui.css"),
                swagger_favicon_url=_under_root(request, f"{ASSETS_PATH}/favicon.png"),
                oauth2_redirect_url=_under_root(request, OAUTH2_REDIRECT_PATH),
                init_oauth=app.swagger_ui_init_oauth,
                swagger_ui_parameters=_SWAGGER_DEFAULTS | (app.swagger_ui_parameters or {}),
            ),
            connect=_swagger_ui_connect_src(app),
            opener_policy=_SWAGGER_UI_OPENER_POLICY,
        )

    @app.get(OAUTH2_REDIRECT_PATH, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return _with_csp(
            get_swagger_ui_oauth2_redirect_html(), opener_policy=_REDIRECT_OPENER_POLICY
        )

    @app.get(REDOC_PATH, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return _with_csp(
            get_redoc_html(
                openapi_url=_under_root(request, OPENAPI_PATH),
                title=f"{app.title} - ReDoc",
                redoc_js_url=_under_root(request, f"{ASSETS_PATH}/{_REDOC_BUNDLE}"),
                redoc_favicon_url=_under_root(request, f"{ASSETS_PATH}/favicon.png"),
                with_google_fonts=False,
            )
        )

    @app.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        media_type = _ASSETS.get(name)
        if media_type is None:
            raise HTTPException(status_code=404)
        if name == _REDOC_BUNDLE:
            return Response(redoc_bundle(), media_type=media_type, headers=_ASSET_CACHING)
        return FileResponse(_ASSETS_DIR / name, media_type=media_type, headers=_ASSET_CACHING)
