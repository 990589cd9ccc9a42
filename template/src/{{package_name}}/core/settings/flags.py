"""Feature flags (`FLAGS_*`): a flagd flag file, re-read while the service runs."""

from pydantic import Field, FilePath, field_validator
from pydantic_settings import BaseSettings

from .group import settings_group


class FlagsSettings(BaseSettings):
    """Where the flags are, and how often the file is checked for changes."""

    model_config = settings_group("FLAGS_")

    # A flag file in flagd's format (JSON or YAML), e.g. `flags.json`. Unset:
    # every flag answers the default the code gives it.
    file: FilePath | None = None
    # Seconds between checks of the file; a change applies within this long.
    poll_seconds: float = Field(default=1.0, ge=0.05, le=300)

    @field_validator("file", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value
