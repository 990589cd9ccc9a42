"""Feature flags through OpenFeature, from a flagd flag file the service re-reads while it runs.

A flag changes behaviour without a deploy: edit the file (a mounted ConfigMap,
a volume) and within FLAGS_POLL_SECONDS every request sees the new value. A
file that does not parse is refused and the last good flags stay in force.
Flags are evaluated per request with the caller as context (its id and role),
so a flag's targeting can treat admins and users apart; each evaluation is an
event on the request's span (flag, variant, reason). The flag file is flagd's
format, so the same flags can later be served by a flagd daemon instead.
"""

from openfeature import api
from openfeature.contrib.hook.opentelemetry import TracingHook
from openfeature.contrib.provider.flagd import FlagdProvider
from openfeature.contrib.provider.flagd.config import ResolverType
from openfeature.evaluation_context import EvaluationContext

from .settings.flags import FlagsSettings


def start_flags(settings: FlagsSettings) -> None:
    """Read the flag file and watch it; without one, every flag answers its default."""
    api.clear_hooks()
    api.add_hooks([TracingHook()])
    if settings.file is None:
        api.clear_providers()
        return
    provider = FlagdProvider(
        resolver_type=ResolverType.FILE,
        offline_flag_source_path=str(settings.file),
        # In file mode, how often the file is checked for changes.
        deadline_ms=round(settings.poll_seconds * 1000),
    )
    api.set_provider_and_wait(provider)


def stop_flags() -> None:
    """Stop watching the file."""
    api.shutdown()


class Flags:
    """The flags as one caller sees them."""

    def __init__(self, caller_id: str, attributes: dict[str, str]) -> None:
        self._client = api.get_client()
        self._context = EvaluationContext(targeting_key=caller_id, attributes=attributes)

    def enabled(self, key: str, *, default: bool) -> bool:
        """The boolean flag `key` for this caller; `default` if no flag file says otherwise."""
        return self._client.get_boolean_value(key, default, self._context)
