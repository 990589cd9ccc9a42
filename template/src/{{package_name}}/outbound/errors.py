"""What a caller's endpoint answers when an upstream cannot: 503 with Retry-After."""

from ..core.errors.problems import ServiceUnavailableError


class UpstreamUnavailableError(ServiceUnavailableError):
    """An upstream failed, was too slow, or its circuit is open; nothing was changed here."""

    def __init__(self, upstream: str, reason: str, *, retry_after: float = 1.0) -> None:
        super().__init__(f"The {upstream} service is unavailable ({reason}); retry shortly.")
        self.upstream = upstream
        # Whole seconds, at least one: an open circuit says how long it stays open.
        self.headers = {"Retry-After": str(max(1, round(retry_after)))}
