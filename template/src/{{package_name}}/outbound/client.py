"""The process's one HTTP client for other services: made at startup, closed at shutdown.

Sharing it shares its connection pool, so calls to the same upstream reuse
connections instead of paying a TCP (and TLS) handshake each. Tracing (when
on) instruments every httpx client, so each call is a span and carries the
W3C `traceparent` onward.
"""

from dataclasses import dataclass, field

import httpx

from ..core.settings.outbound import OutboundSettings
from .breakers import Breakers


@dataclass
class Outbound:
    """What every upstream shares: the client, the settings and the circuit breakers."""

    client: httpx.AsyncClient
    settings: OutboundSettings
    breakers: Breakers = field(init=False)

    def __post_init__(self) -> None:
        self.breakers = Breakers(self.settings)

    async def aclose(self) -> None:
        """Close the pool's connections."""
        await self.client.aclose()


def open_outbound(settings: OutboundSettings) -> Outbound:
    """The shared client, with every timeout and the pool bounded by `settings`."""
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.pool_timeout,
        ),
        limits=httpx.Limits(
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_keepalive_connections,
        ),
        # An upstream's redirect is its own business to fix, not a hop to follow blindly.
        follow_redirects=False,
        # Proxies come from settings the service documents, not the environment's.
        trust_env=False,
    )
    return Outbound(client=client, settings=settings)
