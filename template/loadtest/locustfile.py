"""A load test of the service's own API (Locust), with thresholds that fail the run.

    uv run --only-group load locust -f loadtest/locustfile.py --headless \\
        --host https://staging.example.com --users 50 --spawn-rate 10 --run-time 5m

Callers read and write items as a client would: mostly pages of the list and
single items, some creations. Set LOAD_BEARER_TOKEN to an access token the
service accepts (none is needed with `auth=none`); the test never signs in by
itself, so it never holds a password. At the end the run fails (exit code 1)
when the 99th percentile of all requests is above LOAD_MAX_P99_MS or the
ratio of failed requests is above LOAD_MAX_ERROR_RATIO: a CI job can gate on it.
"""

import os
import uuid
from http import HTTPStatus

from locust import HttpUser, between, events, task
from locust.env import Environment

# Thresholds; the defaults match what the service's alerts call healthy.
MAX_P99_MS = float(os.environ.get("LOAD_MAX_P99_MS", "500"))
MAX_ERROR_RATIO = float(os.environ.get("LOAD_MAX_ERROR_RATIO", "0.01"))
TOKEN = os.environ.get("LOAD_BEARER_TOKEN", "")


class ApiCaller(HttpUser):
    """One client: pages through items, reads one, sometimes creates one."""

    wait_time = between(0.05, 0.5)

    def on_start(self) -> None:
        if TOKEN:
            self.client.headers["Authorization"] = f"Bearer {TOKEN}"
        self.item_ids: list[str] = []

    @task(5)
    def list_items(self) -> None:
        self.client.get("/items?limit=20", name="/items")

    @task(3)
    def get_item(self) -> None:
        if self.item_ids:
            item_id = self.item_ids[-1]
            self.client.get(f"/items/{item_id}", name="/items/{item_id}")

    @task(1)
    def create_item(self) -> None:
        name = f"load {uuid.uuid4().hex}"
        with self.client.post("/items", json={"name": name}, catch_response=True) as response:
            if response.status_code == HTTPStatus.CREATED:
                self.item_ids = [*self.item_ids[-9:], response.json()["id"]]
                response.success()
            else:
                response.failure(f"POST /items answered {response.status_code}")


@events.quitting.add_listener
def _gate(environment: Environment, **_kwargs: object) -> None:
    """Fail the run when a threshold is breached, and say which."""
    total = environment.stats.total
    p99 = total.get_response_time_percentile(0.99) or 0.0
    breaches = []
    if total.num_requests == 0:
        breaches.append("no request was made")
    if p99 > MAX_P99_MS:
        breaches.append(f"p99 {p99:.0f} ms > LOAD_MAX_P99_MS {MAX_P99_MS:.0f} ms")
    if total.fail_ratio > MAX_ERROR_RATIO:
        breaches.append(
            f"error ratio {total.fail_ratio:.4f} > LOAD_MAX_ERROR_RATIO {MAX_ERROR_RATIO}"
        )
    for breach in breaches:
        print(f"threshold breached: {breach}")  # noqa: T201 - the run's verdict, for CI logs
    if breaches:
        environment.process_exit_code = 1
