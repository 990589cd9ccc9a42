"""GET /metrics in the Prometheus text format, optionally behind a bearer token."""

import os
import secrets
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from ..core.settings.config import Settings

METRICS_PATH = "/metrics"


def _registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    # Sum what every worker wrote, not just this process's own values.
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def build_metrics_router() -> APIRouter:
    """The /metrics route, reading the registry chosen once at startup."""
    router = APIRouter()
    registry = _registry()

    @router.get(METRICS_PATH, include_in_schema=False)
    def metrics(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        # Sync on purpose: FastAPI runs it in a thread, so reading many
        # multiprocess files never blocks the event loop.
        settings: Settings = request.app.state.settings
        token = settings.observability.metrics_token
        if token is not None and not secrets.compare_digest(
            (authorization or "").encode(), f"Bearer {token.get_secret_value()}".encode()
        ):
            raise HTTPException(HTTPStatus.UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
