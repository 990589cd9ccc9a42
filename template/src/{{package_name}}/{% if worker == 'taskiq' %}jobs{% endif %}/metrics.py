"""Metrics of background jobs: how runs end and how long they take, sends, and the backlog.

Labels are bounded: job names are the few the code defines, outcomes the fixed
set below. Retries are counted by stamina itself (`stamina_retries_total`).
"""

from enum import StrEnum

from prometheus_client import Counter, Gauge, Histogram

# Seconds; a job runs from milliseconds to minutes.
_DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


class RunOutcome(StrEnum):
    """How one delivery of a job ended."""

    DONE = "done"
    DUPLICATE = "duplicate"  # done before: this delivery did nothing
    FAILED = "failed"  # every attempt failed, or it can never succeed: kept as failed


class SendOutcome(StrEnum):
    """How handing a job to the broker ended."""

    SENT = "sent"
    KEPT = "kept"  # the broker did not take it: kept as failed, to replay


JOB_DURATION = Histogram(
    "job_duration_seconds",
    "Time of one delivery of a job, retries included, by how it ended.",
    ["task", "outcome"],
    buckets=_DURATION_BUCKETS,
)
JOBS_SENT = Counter(
    "jobs_sent_total", "Jobs handed to the broker, by outcome.", ["task", "outcome"]
)
BROKER_FAILURES = Counter(
    "job_broker_failures_total", "Sends the broker did not take in time (or refused)."
)
QUEUE_DEPTH = Gauge(
    "job_queue_depth",
    "Jobs waiting in the queue or taken but not yet acknowledged, as the worker last saw.",
    ["queue"],
    multiprocess_mode="max",
)
FAILED_KEPT = Gauge(
    "jobs_failed_kept",
    "Failed jobs kept for an operator to replay, as the worker last counted.",
    multiprocess_mode="max",
)
