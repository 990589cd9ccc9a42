"""PostgreSQL behind a proxy that refuses, resets and black-holes: 503s, in bounded time.

Collected only when the suite runs on PostgreSQL (see conftest.py).
"""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from tests.faults.service import (
    REQUEST_TIMEOUT,
    assert_logged_once_as_warning,
    assert_unavailable,
    running_service,
    timed,
    write,
)
from tests.live_server import LiveServer
from tests.tcp_proxy import TcpProxy

# The request deadline plus time for the answer and a loaded machine.
BOUND = REQUEST_TIMEOUT + 2


@pytest.fixture
def proxy(own_database_url: str) -> Iterator[TcpProxy]:
    """A proxy in front of the test's own database."""
    url = make_url(own_database_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


@pytest.fixture
def server(own_database_url: str, proxy: TcpProxy, project_root: Path) -> Iterator[LiveServer]:
    """The service, reaching its database only through the proxy."""
    url = make_url(own_database_url).set(host="127.0.0.1", port=proxy.port)
    with running_service(url.render_as_string(hide_password=False), project_root) as server:
        # Warm the pool: the faults below hit established connections too.
        assert write(server).status_code == 201
        yield server


def test_a_refused_database_answers_503_logged_once_as_a_warning(
    proxy: TcpProxy, server: LiveServer
) -> None:
    proxy.refuse()
    proxy.reset()
    mark = server.mark()

    response = write(server)

    assert_unavailable(response)
    server.wait_for_line(lambda line: line.get("event") == "http_request", since=mark)
    assert_logged_once_as_warning(server.json_lines(mark))


def test_readiness_answers_503_with_retry_after_when_the_database_is_down(
    proxy: TcpProxy, server: LiveServer
) -> None:
    proxy.refuse()
    proxy.reset()

    assert_unavailable(httpx.get(f"{server.url}/health/ready", timeout=60))


def test_a_partition_ends_every_request_within_the_deadline(
    proxy: TcpProxy, server: LiveServer
) -> None:
    proxy.black_hole()

    # More requests than pooled connections are idle: some wait for a
    # connection, some reuse one, some connect anew into the partition.
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: timed(lambda: write(server)), range(8)))

    for response, seconds in results:
        assert_unavailable(response)
        assert seconds < BOUND, seconds


def test_a_connection_lost_mid_query_answers_503(proxy: TcpProxy, server: LiveServer) -> None:
    proxy.black_hole()
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(timed, lambda: write(server))
        # Let the request reach the database and wait there, then cut it.
        time.sleep(0.5)
        proxy.reset()
        response, seconds = pending.result()

    assert_unavailable(response)
    # The reset ended it, not the request deadline.
    assert seconds < REQUEST_TIMEOUT, seconds


def test_the_service_recovers_by_itself_when_the_database_returns(
    proxy: TcpProxy, server: LiveServer
) -> None:
    proxy.black_hole()
    assert_unavailable(write(server))
    proxy.reset()
    proxy.refuse()
    assert_unavailable(write(server))

    proxy.forward()

    assert write(server).status_code == 201
    assert httpx.get(f"{server.url}/health/ready", timeout=60).status_code == 200
