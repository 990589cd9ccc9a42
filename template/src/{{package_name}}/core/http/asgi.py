"""Problem details sent straight from ASGI middleware, before any route runs."""

import json

from starlette.types import Scope, Send

from ..errors.problems import PROBLEM_MEDIA_TYPE, Problem, status_title


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer with an `application/problem+json` body, the same envelope routes use."""
    problem = Problem(
        title=status_title(status), status=status, detail=detail, instance=scope["path"]
    )
    body = json.dumps(problem.model_dump(exclude_none=True)).encode()
    raw_headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
