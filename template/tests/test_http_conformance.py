"""HTTP semantics the OpenAPI document promises: 405 with the path's whole `Allow`."""

import uuid

import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.anyio

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


async def test_every_path_answers_an_undeclared_method_with_405_and_its_methods(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    # Several routes serve one path (GET and PATCH /items/{item_id}); Starlette
    # used to name only the first one's methods, and a path like /users/me that
    # /users/{user_id} also matched answered 422 instead of 405.
    client.headers.update(admin_headers)
    paths = (await client.get("/openapi.json")).json()["paths"]
    checked = 0
    for template, operations in paths.items():
        declared = {method.upper() for method in operations}
        path = template.format_map({name: uuid.uuid4() for name in _params(template)})
        for method in sorted(set(METHODS) - declared):
            response = await client.request(method, path)
            assert response.status_code == 405, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            allowed = {m.strip() for m in response.headers["allow"].split(",")}
            assert allowed == declared, (method, path)
            checked += 1
    # Every path has a method it does not declare.
    assert checked >= len(paths) > 3


def _params(template: str) -> list[str]:
    return [part[1:-1] for part in template.split("/") if part.startswith("{")]


async def test_an_id_that_is_not_a_uuid_is_404(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    client.headers.update(admin_headers)
    paths = (await client.get("/openapi.json")).json()["paths"]
    # Every path with one id in it, called with a declared method and "nope" for the id.
    with_ids = {template: ops for template, ops in paths.items() if len(_params(template)) == 1}
    assert "/items/{item_id}" in with_ids
    for template, operations in with_ids.items():
        path = template.format_map(dict.fromkeys(_params(template), "nope"))
        method = "GET" if "get" in operations else next(iter(operations)).upper()
        response = await client.request(method, path)
        assert response.status_code == 404, (path, response.text)
