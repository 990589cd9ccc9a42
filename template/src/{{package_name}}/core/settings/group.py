"""What every settings group shares: `.env`, other groups' variables ignored, frozen.

Input is kept out of validation errors: a setting may be a key or a password.
"""

from typing import Unpack

from pydantic_settings import SettingsConfigDict


def settings_group(prefix: str, **options: Unpack[SettingsConfigDict]) -> SettingsConfigDict:
    """The configuration of the group whose variables start with `prefix`."""
    return SettingsConfigDict(
        env_prefix=prefix,
        env_file=".env",
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
        **options,
    )
