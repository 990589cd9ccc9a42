"""The authenticator of a service behind an authenticating gateway: everyone is the gateway."""

import uuid

from fastapi import BackgroundTasks, FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from ..access.principal import Principal, Role
from ..access.schemes import Credentials
from ..core.database.engine import Database

# One fixed identity, so what the example domain records as an item's owner is
# stable across restarts and replicas. Admin: items are not owner-scoped then.
GATEWAY_PRINCIPAL = Principal(
    id=uuid.uuid5(uuid.NAMESPACE_URL, "urn:gateway"), role=Role.ADMIN, scopes=None
)


class GatewayAuthenticator:
    """Accepts every request as `GATEWAY_PRINCIPAL`."""

    async def authenticate(
        self,
        credentials: Credentials,  # noqa: ARG002 - the protocol's; there are none to read
        *,
        session: AsyncSession,  # noqa: ARG002
        database: Database,  # noqa: ARG002
        background: BackgroundTasks,  # noqa: ARG002
    ) -> Principal:
        """The gateway's principal, whatever the request carries."""
        return GATEWAY_PRINCIPAL


def install_gateway(app: FastAPI) -> None:
    """Install the authenticator the guards of every domain (access/guards.py) call."""
    app.state.authenticator = GatewayAuthenticator()
