"""The Prometheus counters of security events (dashboards and the failed-login alert)."""

from prometheus_client import Counter

AUTH_LOGINS = Counter("auth_logins", "Login attempts by outcome.", ["result"])
AUTH_LOCKOUTS = Counter("auth_lockouts", "Accounts locked after repeated failed logins.")
AUTH_REFRESH_REUSE = Counter(
    "auth_refresh_token_reuse", "Refresh tokens presented again after rotation (theft signal)."
)


def record_login(*, success: bool) -> None:
    """Count one login attempt."""
    AUTH_LOGINS.labels(result="success" if success else "failure").inc()


def record_lockout() -> None:
    """Count one account lockout."""
    AUTH_LOCKOUTS.inc()


def record_refresh_reuse() -> None:
    """Count one reuse of a rotated refresh token."""
    AUTH_REFRESH_REUSE.inc()
