"""Metrics of outbound calls: latency and outcome per upstream, and each circuit's state.

Labels are bounded: upstreams are the few the code names, outcomes the fixed
set below. Retries are counted by stamina itself (`stamina_retries_total`).
"""

from enum import StrEnum

from prometheus_client import Gauge, Histogram

# Seconds; an upstream call sits between a local query and a slow page.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Outcome(StrEnum):
    """How one attempt ended."""

    OK = "ok"
    CLIENT_ERROR = "client_error"  # a 4xx other than 429: the upstream refused the call
    THROTTLED = "throttled"  # 429
    SERVER_ERROR = "server_error"  # 5xx
    TIMEOUT = "timeout"
    CONNECTION_ERROR = "connection_error"  # refused, reset, closed mid-answer
    CIRCUIT_OPEN = "circuit_open"  # not sent: the upstream's circuit is open


# Values of the circuit-state gauge.
CIRCUIT_STATES = {"closed": 0, "half-opened": 1, "opened": 2}

OUTBOUND_DURATION = Histogram(
    "outbound_request_duration_seconds",
    "Time of one attempt of a call to another service, by how it ended.",
    ["upstream", "outcome"],
    buckets=_LATENCY_BUCKETS,
)
CIRCUIT_STATE = Gauge(
    "outbound_circuit_state",
    "An upstream's circuit: 0 closed, 1 half-open (probing), 2 open (failing fast).",
    ["upstream"],
    multiprocess_mode="max",
)
