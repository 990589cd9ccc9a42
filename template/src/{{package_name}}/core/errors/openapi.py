"""Make the OpenAPI document tell the truth about error responses.

FastAPI documents errors as `application/json` and validation errors with its own
`HTTPValidationError` shape. The service answers every error with
`application/problem+json` and a `ValidationProblem`, so the generated document
is rewritten once, when it is first requested.
"""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .problems import PROBLEM_MEDIA_TYPE, ValidationProblem

_COMPONENTS_REF = "#/components/schemas/"
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI) -> None:
    """Replace `app.openapi` with a generator that fixes error responses."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = _rewrite_errors(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _rewrite_errors(schema: dict[str, Any]) -> dict[str, Any]:
    validation_ref = _COMPONENTS_REF + ValidationProblem.__name__
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if int(status) < HTTPStatus.BAD_REQUEST or "application/json" not in content:
                    continue
                media = content.pop("application/json")
                if media.get("schema", {}).get("$ref") == _COMPONENTS_REF + "HTTPValidationError":
                    media["schema"] = {"$ref": validation_ref}
                content[PROBLEM_MEDIA_TYPE] = media
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        components.pop(name, None)
    problem_schema = ValidationProblem.model_json_schema(ref_template=_COMPONENTS_REF + "{model}")
    components.update(problem_schema.pop("$defs", {}))
    components[ValidationProblem.__name__] = problem_schema
    return schema
