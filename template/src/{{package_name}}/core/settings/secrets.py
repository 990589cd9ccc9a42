"""Secrets read from files, the way Docker and Kubernetes hand them over.

For every setting `NAME`, the value may come from the file named by `NAME_FILE`,
or from `$SECRETS_DIR/NAME` (for example `/run/secrets/JWT_SECRET_KEY`). A real
environment variable still wins, so a file never silently overrides an explicit
value. Keeping secrets out of the environment keeps them out of `ps`, crash
dumps and orchestration consoles.
"""

import os
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsError
from typing_extensions import override


class SecretFilesSource(PydanticBaseSettingsSource):
    """Settings values read from `NAME_FILE` paths or the `SECRETS_DIR` directory."""

    @override
    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        name = f"{self.config.get('env_prefix', '')}{field_name}".upper()
        path = _secret_path(name)
        if path is None:
            return None, field_name, False
        try:
            text = path.read_text()
        except OSError as error:
            # A named file that is missing is a deployment error, not a default.
            source = f"{name}_FILE" if os.environ.get(f"{name}_FILE") else "SECRETS_DIR"
            raise SettingsError(f"{source}: cannot read {path}: {error.strerror}") from None
        # Editors and `echo` add a trailing newline that is never part of a key.
        return text.rstrip("\r\n"), field_name, False

    @override
    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field_name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, field_name)
            if value is not None:
                values[key] = value
        return values


def _secret_path(name: str) -> Path | None:
    if explicit := os.environ.get(f"{name}_FILE"):
        return Path(explicit)
    directory = os.environ.get("SECRETS_DIR")
    if directory and (candidate := Path(directory) / name).is_file():
        return candidate
    return None


class SecretFilesSettings(BaseSettings):
    """A settings group whose values may also come from secret files."""

    @classmethod
    @override
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Order is precedence: arguments, environment, `.env`, then secret files.
        return init_settings, env_settings, dotenv_settings, SecretFilesSource(settings_cls)
