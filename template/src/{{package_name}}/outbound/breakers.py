"""A circuit breaker per upstream (purgatory), its state a metric and a log event.

After OUTBOUND_BREAKER_THRESHOLD failures in a row the circuit opens: calls
fail at once, without waiting on an upstream that is down or drowning, for
OUTBOUND_BREAKER_RESET seconds. Then calls are let through again (half-open);
the first success closes the circuit, a failure opens it again. The state is
per process: each replica finds out on its own, which needs no shared store.
"""

import structlog
from purgatory import AsyncCircuitBreakerFactory, Event
from purgatory.domain.messages.events import ContextChanged
from purgatory.service._async.circuitbreaker import AsyncCircuitBreaker
from structlog.typing import FilteringBoundLogger

from ..core.settings.outbound import OutboundSettings
from .metrics import CIRCUIT_STATE, CIRCUIT_STATES

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)


class Breakers:
    """The circuits of every upstream this process calls."""

    def __init__(self, settings: OutboundSettings) -> None:
        self._factory = AsyncCircuitBreakerFactory(
            default_threshold=settings.breaker_threshold, default_ttl=settings.breaker_reset
        )
        self._factory.add_listener(_on_event)
        self.reset_seconds = settings.breaker_reset

    async def get(self, upstream: str) -> AsyncCircuitBreaker:
        """The circuit of `upstream`: enter it around one attempt."""
        return await self._factory.get_breaker(upstream)


def _on_event(upstream: str, event_name: str, event: Event) -> None:
    if event_name == "circuit_breaker_created":
        CIRCUIT_STATE.labels(upstream=upstream).set(CIRCUIT_STATES["closed"])
    elif isinstance(event, ContextChanged):
        CIRCUIT_STATE.labels(upstream=upstream).set(CIRCUIT_STATES[event.state])
        _logger.warning("circuit_state_changed", upstream=upstream, state=event.state)
