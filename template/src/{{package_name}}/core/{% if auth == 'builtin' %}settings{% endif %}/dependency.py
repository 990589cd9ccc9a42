"""The settings of the application serving a request, as a dependency."""

from typing import Annotated

from fastapi import Depends, Request

from .config import Settings


async def get_app_settings(request: Request) -> Settings:
    """The settings the application was created with (not the process-wide ones)."""
    settings: Settings = request.app.state.settings
    return settings


AppSettingsDep = Annotated[Settings, Depends(get_app_settings)]
