"""What an API key may be allowed to do."""

from enum import StrEnum


class Scope(StrEnum):
    """Permissions an API key can carry; user sessions have all of them."""

    ITEMS_READ = "items:read"
    ITEMS_WRITE = "items:write"
