"""The authenticated caller, as every domain sees it."""

import uuid
from dataclasses import dataclass
from enum import StrEnum

from .scopes import Scope


class Role(StrEnum):
    """What a user may do; checked by `require_role`."""

    USER = "user"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """The caller: who they are, their role, and the scopes they act with.

    `scopes` is `None` for a full user session, which may do everything the
    role allows; a credential with scopes (an API key) is limited to them.
    """

    id: uuid.UUID
    role: Role
    scopes: frozenset[Scope] | None

    @property
    def is_admin(self) -> bool:
        """Whether the caller has the admin role."""
        return self.role is Role.ADMIN

    def allows(self, scope: Scope) -> bool:
        """Whether this caller may use `scope`."""
        return self.scopes is None or scope in self.scopes
