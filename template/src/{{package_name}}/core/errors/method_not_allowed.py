"""405 answers whose `Allow` lists every method the path is served with (RFC 9110 §15.5.6).

Starlette answers 405 from the first route whose path matches, so its `Allow`
names that route's methods only: `GET /items/{id}` and `PATCH /items/{id}` are
two routes, and a `PUT` there was told `Allow: GET`. This handler takes the
union over every route matching the path instead.
"""

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.routing import iter_route_contexts
from starlette.routing import compile_path

from .handlers import ProblemResponse, problem_response


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app serves at the request's path, sorted."""
    methods: set[str] = set()
    # FastAPI keeps included routers as such; the contexts carry each route's full path.
    for route in iter_route_contexts(request.app.routes):
        if route.path is not None and route.methods:
            regex, _, _ = compile_path(route.path)
            if regex.match(request.scope["path"]):
                methods |= route.methods
    return sorted(methods)


async def _handle_method_not_allowed(request: Request, _exc: Exception) -> ProblemResponse:
    return problem_response(
        request,
        HTTPStatus.METHOD_NOT_ALLOWED,
        headers={"Allow": ", ".join(allowed_methods(request))},
    )


def install_method_not_allowed(app: FastAPI) -> None:
    """Answer every 405 with the full `Allow` (Starlette raises it as an HTTPException)."""
    app.add_exception_handler(HTTPStatus.METHOD_NOT_ALLOWED, _handle_method_not_allowed)
