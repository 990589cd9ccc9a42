"""The checks that keep an insecure configuration from starting in production."""

from .security import HttpSecuritySettings


def production_problems(
    *,
    debug: bool,
    http: HttpSecuritySettings,
    database_is_sqlite: bool,
    metrics_open: bool,
) -> list[str]:
    """What is wrong for production, one sentence per setting; empty when all is well.

    How callers authenticate has checks of its own, beside its settings.
    """
    problems = []
    if debug:
        problems.append("DEBUG must be false: debug responses leak internals.")
    if "*" in http.cors_origins and http.cors_allow_credentials:
        problems.append(
            "CORS_ORIGINS must list origins when CORS_ALLOW_CREDENTIALS is true, not `*`."
        )
    if database_is_sqlite:
        problems.append("DATABASE_URL must point at PostgreSQL, not SQLite.")
    if metrics_open:
        # The service's port is the load balancer's target: an open /metrics
        # would tell anyone the routes, the traffic and the error rates.
        problems.append(
            "METRICS_TOKEN must be set while METRICS_ENABLED is true"
            " (e.g. `openssl rand -base64 32`), or METRICS_ENABLED=false."
        )
    return problems
