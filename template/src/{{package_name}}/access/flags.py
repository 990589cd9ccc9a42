"""Feature flags for the caller of the request: evaluated with its id and role."""

from typing import Annotated

from fastapi import Depends

from ..core.flags import Flags
from .guards import PrincipalDep


async def get_flags(principal: PrincipalDep) -> Flags:
    """The flags as the caller sees them (a flag may target a role)."""
    return Flags(str(principal.id), {"role": principal.role.value})


FlagsDep = Annotated[Flags, Depends(get_flags)]
