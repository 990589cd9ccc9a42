"""A time by which a request's outbound calls are over, whatever they wait for."""

import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request


@dataclass(frozen=True)
class Deadline:
    """A point on the monotonic clock."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> "Deadline":
        """`seconds` from now."""
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        """Seconds left; 0 once it has passed."""
        return max(0.0, self.at - time.monotonic())


async def request_deadline(request: Request) -> Deadline:
    """The deadline of the request's outbound calls: OUTBOUND_DEADLINE from now."""
    return Deadline.after(request.app.state.outbound.settings.deadline)


DeadlineDep = Annotated[Deadline, Depends(request_deadline)]
