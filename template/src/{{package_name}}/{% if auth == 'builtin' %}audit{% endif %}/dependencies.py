"""Dependency wiring of the audit log."""

from typing import Annotated

from fastapi import Depends, Request

from ..core.database.engine import SessionDep
from .service import AuditLog, RequestOrigin


async def get_request_origin(request: Request) -> RequestOrigin:
    """The client address (after trusted proxies) and user agent of the request."""
    return RequestOrigin(
        client_address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


RequestOriginDep = Annotated[RequestOrigin, Depends(get_request_origin)]


async def get_audit_log(session: SessionDep, origin: RequestOriginDep) -> AuditLog:
    """An `AuditLog` writing in the request's session."""
    return AuditLog(session, origin)


AuditLogDep = Annotated[AuditLog, Depends(get_audit_log)]
