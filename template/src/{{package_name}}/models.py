"""Every model, imported in one place so Alembic's autogenerate sees the whole schema.

Add a line here when a new domain gets a `models.py`.
"""

from .api_keys.models import ApiKey
from .audit.models import AuditEntry
from .core.database.models import Base
from .items.models import Item
from .users.models import User
from .users.refresh_tokens.models import RefreshToken

__all__ = ["ApiKey", "AuditEntry", "Base", "Item", "RefreshToken", "User"]
