"""Settings of a service that leaves authentication to the gateway in front of it."""

from pydantic_settings import BaseSettings

from .group import settings_group


class GatewaySettings(BaseSettings):
    """What production needs to hear before it trusts every request."""

    model_config = settings_group("AUTH_")

    # The service authenticates nobody: anyone who can reach its port acts as
    # an admin. Production starts only once someone has said that this is meant.
    disabled_acknowledged: bool = False


def gateway_production_problems(gateway: GatewaySettings) -> list[str]:
    """Production refuses to start until the missing authentication is acknowledged."""
    if gateway.disabled_acknowledged:
        return []
    return [
        "AUTH_DISABLED_ACKNOWLEDGED must be true: this service authenticates no caller,"
        " so only a gateway or mesh that does may reach it (README, Authentication)."
    ]
