"""A dependency the service can do without for a while, such as Redis for counters or a cache.

After a failed call, calls are skipped for `backoff` seconds (they fail open:
the caller goes on without the dependency), then one call probes it. A
black-holed dependency so costs one bounded timeout per back-off, not one per
request. The outage is logged once when it starts and once when it ends, not
per call: a flood of identical lines would hide everything else in the log.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter
from structlog.typing import FilteringBoundLogger


class FailOpen:
    """Whether to call the dependency now, and what to do when a call failed or worked."""

    def __init__(
        self,
        event: str,
        *,
        errors: tuple[type[Exception], ...],
        backoff: float,
        failures: Counter,
        logger: FilteringBoundLogger,
    ) -> None:
        self._event = event
        self._errors = errors
        self._backoff = backoff
        self._failures = failures
        self._logger = logger
        self._retry_at = 0.0  # monotonic; 0 while the dependency answers
        self._failing = False

    def may_call(self) -> bool:
        """False while backing off; the first caller after the back-off probes."""
        now = time.monotonic()
        if now < self._retry_at:
            return False
        if self._failing:
            # This caller probes; concurrent ones keep skipping until it is done.
            self._retry_at = now + self._backoff
        return True

    @contextmanager
    def calling(self) -> Iterator[None]:
        """Around one call: a failure (one of `errors`) is recorded and swallowed."""
        try:
            yield
        except self._errors as error:
            self.failed(error)
        else:
            self.succeeded()

    def failed(self, error: Exception) -> None:
        """Count the failure and back off; log it if it starts an outage."""
        self._failures.inc()
        self._retry_at = time.monotonic() + self._backoff
        if not self._failing:
            self._failing = True
            self._logger.error(
                f"{self._event}_failed_open",
                error=type(error).__name__,
                retry_seconds=self._backoff,
            )

    def succeeded(self) -> None:
        """End the outage, if there was one."""
        if self._failing:
            self._failing = False
            self._retry_at = 0.0
            self._logger.info(f"{self._event}_back")
