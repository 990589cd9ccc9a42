"""Benchmark: the fully instrumented generated service against bare FastAPI doing the same work.

    uv run python bench/run.py                 # SQLite and PostgreSQL, about 6 minutes
    uv run python bench/run.py --databases sqlite --rounds 2 --duration 4

Renders the default service from this working tree, then starts two uvicorn
servers on 127.0.0.1, both pinned to CPU 0 with one worker:

- "instrumented": `create_app()` as shipped, JSON access logs written to a file,
  Prometheus metrics, and every request traced (100% sampling, spans exported
  over OTLP/HTTP through the batch processor to a sink on CPU 1);
- "bare": the same routers, error handlers, engine and queries, with no
  observability at all.

wrk drives load from CPU 1. Each endpoint is measured in interleaved rounds
(instrumented, bare, instrumented, bare, ...), each after a discarded warm-up;
the ratio is taken pair by pair and the medians are printed, as are the
microseconds the stack adds per request, two ways: the 1/rps difference on the
saturated server core, and the difference in CPU time the server process used
per request as the kernel accounts it (less sensitive to time the hypervisor
takes from the VM), and p99 at a paced rate far below capacity.

This is a benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from helpers import POSTGRES_ADMIN_URL, clean_env, copy_template, render, run  # noqa: E402

SERVER_CPU, LOAD_CPU = "0", "1"
PACKAGE = "acme_orders"

BARE_APP = f'''"""Bare FastAPI: the same routers, handlers, engine and queries; no middleware."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from {PACKAGE}.api_keys.router import router as api_keys_router
from {PACKAGE}.audit.router import router as audit_router
from {PACKAGE}.auth.router import router as auth_router
from {PACKAGE}.core.settings.config import get_settings
from {PACKAGE}.core.database.engine import Database
from {PACKAGE}.core.errors.handlers import register_error_handlers
from {PACKAGE}.auth.state import install_security_state
from {PACKAGE}.health.router import router as health_router
from {PACKAGE}.items.router import router as items_router
from {PACKAGE}.main import create_app
from {PACKAGE}.users.router import router as users_router


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.database = Database(app.state.settings.database)
    gc.freeze()  # as the service's lifespan does: not an observability cost
    yield
    await app.state.database.dispose()


def _add_ping(app: FastAPI) -> FastAPI:
    # A trivial endpoint that is observed (unlike /health/live, which is
    # excluded from traces, metrics and the info log).
    @app.get("/bench/ping")
    async def ping() -> dict[str, str]:
        return {{"status": "ok"}}

    return app


def create_bare_app() -> FastAPI:
    app = FastAPI(lifespan=lifespan)
    app.state.settings = get_settings()
    register_error_handlers(app)
    # The token verifier the items routes authenticate with; no middleware.
    install_security_state(app, app.state.settings)
    # The same routers in the same order as create_app: FastAPI matches a path
    # against every route before it, so fewer routes would be less work.
    app.include_router(health_router)
    app.include_router(items_router)
    app.include_router(auth_router)
    app.include_router(users_router)
    app.include_router(api_keys_router)
    app.include_router(audit_router)
    return _add_ping(app)


def create_instrumented_app() -> FastAPI:
    return _add_ping(create_app())
'''

WRITE_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"name": "bench-%s-%d", "quantity": 1}', id, counter)
  -- wrk.format ignores -H headers when given its own: carry Authorization over.
  local headers = {["Content-Type"] = "application/json"}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  return wrk.format("POST", "/items", headers, body)
end
"""
# wrk's Lua RNG is unseeded: every run would repeat the same names (409s).
WRITE_PREFIX = 'id = "{run_id}"\n'

PACED_SCRIPT = "delay = function() return {delay_ms} end\n"


BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "bench-password-" + uuid.uuid4().hex
# Access tokens live 15 minutes; a fresh login every 10 keeps them valid
# without paying (or being throttled for) a login per wrk run.
_TOKEN_MAX_AGE = 600.0
_tokens: dict[str, tuple[float, str]] = {}


def auth_headers(base_url: str) -> dict[str, str]:
    """A bearer token of the bench admin, for the DB-backed list and the write.

    Both applications verify it the same way (same key, same `get_principal`),
    so the authenticated endpoints do the same work on each.
    """
    # No token yet counts as expired; not as issued at monotonic 0, which is less
    # than _TOKEN_MAX_AGE ago on a machine booted minutes before.
    issued, token = _tokens.get(base_url, (-float("inf"), ""))
    if time.monotonic() - issued > _TOKEN_MAX_AGE:
        response = httpx.post(
            f"{base_url}/auth/token",
            data={"username": BENCH_EMAIL, "password": BENCH_PASSWORD},
            timeout=30,
        )
        response.raise_for_status()
        token = response.json()["access_token"]
        _tokens[base_url] = (time.monotonic(), token)
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Endpoint:
    key: str
    name: str
    path: str
    authenticated: bool = False
    script: str | None = None


ENDPOINTS = [
    Endpoint("live", "/health/live (not observed by design)", "/health/live"),
    Endpoint("ping", "/bench/ping (trivial, observed)", "/bench/ping"),
    Endpoint("list", "GET /items (DB-backed list)", "/items?limit=20", authenticated=True),
    Endpoint("write", "POST /items (write)", "/items", authenticated=True, script=WRITE_SCRIPT),
]


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    # CPU time the server process (all its threads) used per request, as the
    # kernel accounts it: unlike 1/rps, not inflated by time the VM or the
    # load generator took from the server's core.
    cpu_us: float


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_tools() -> None:
    if shutil.which("wrk") is None:
        print("installing wrk (apt-get install -y wrk)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    if shutil.which("taskset") is None:
        sys.exit("taskset (util-linux) is required to pin server and load generator")
    if (os.cpu_count() or 1) < 2:
        sys.exit("two CPUs are needed: one for the server, one for the load generator")


class _Sink(BaseHTTPRequestHandler):
    """Accepts OTLP/HTTP exports and drops them, as a fast collector would."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def otlp_sink() -> Iterator[str]:
    os.sched_setaffinity(0, {int(LOAD_CPU)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@contextmanager
def serve(project: Path, factory: str, env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """One bench app under uvicorn on CPU 0: its base URL and process id, once it answers."""
    port = _free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                "taskset",
                "-c",
                SERVER_CPU,
                str(project / ".venv/bin/uvicorn"),
                "--factory",
                f"bench_apps:{factory}",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/health/live", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"{factory} did not start; see {log}")
                time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process `pid` and all its threads so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wrk(
    server: tuple[str, int],
    endpoint: Endpoint,
    duration: int,
    connections: int,
    script: str | None,
) -> Result:
    url, pid = server
    headers = auth_headers(url) if endpoint.authenticated else {}
    args = [
        "taskset",
        "-c",
        LOAD_CPU,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
    ]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    if script == WRITE_SCRIPT:
        script = WRITE_PREFIX.format(run_id=uuid.uuid4().hex) + script
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        args += ["-s", lua.name]
    args.append(url + endpoint.path)
    cpu_before = _cpu_seconds(pid)
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    cpu = _cpu_seconds(pid) - cpu_before
    Path(lua.name).unlink()
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: .*?(\d+) timeout"):
        match = re.search(pattern, output)
        errors += int(match.group(1)) if match else 0
    return Result(
        rps,
        _percentile(output, "50%"),
        _percentile(output, "99%"),
        errors,
        cpu * 1e6 / max(requests, 1),
    )


def _percentile(output: str, label: str) -> float:
    match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    assert match, output
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def seed_items(url: str, count: int = 20) -> None:
    """Items for the DB-backed list to return, created by the bench admin."""
    headers = auth_headers(url)
    for number in range(count):
        # A failed seed would have the list benchmarked empty, and look fast.
        httpx.post(
            f"{url}/items",
            json={"name": f"seed-{uuid.uuid4().hex[:8]}-{number}", "quantity": number},
            headers=headers,
        ).raise_for_status()


def _measure(servers: dict[str, tuple[str, int]], args: argparse.Namespace, database: str) -> None:
    print(
        f"\n## {database}: {args.rounds} interleaved rounds of {args.duration}s per endpoint,"
        f" {args.connections} connections, server on CPU {SERVER_CPU}, wrk on CPU {LOAD_CPU}\n"
    )
    print(
        "| endpoint | instrumented req/s | bare req/s | ratio | added us/req |"
        " CPU us/req (instr / bare) | added CPU us/req |"
        " p50 ms (instr / bare) | p99 ms (instr / bare) | errors |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for endpoint in (e for e in ENDPOINTS if e.key in args.endpoints):
        runs: dict[str, list[Result]] = {"instrumented": [], "bare": []}
        for _ in range(args.rounds):
            for name, server in servers.items():
                _wrk(server, endpoint, args.warmup, args.connections, endpoint.script)  # discarded
                runs[name].append(
                    _wrk(server, endpoint, args.duration, args.connections, endpoint.script)
                )
        pairs = list(zip(runs["instrumented"], runs["bare"], strict=True))
        ratio = statistics.median(i.rps / b.rps for i, b in pairs)
        added = statistics.median((1 / i.rps - 1 / b.rps) * 1e6 for i, b in pairs)
        added_cpu = statistics.median(i.cpu_us - b.cpu_us for i, b in pairs)

        def med(name: str, field: str, runs: dict[str, list[Result]] = runs) -> float:
            return statistics.median(getattr(r, field) for r in runs[name])

        errors = sum(r.errors for name in runs for r in runs[name])
        print(
            f"| {endpoint.name} | {med('instrumented', 'rps'):.0f} | {med('bare', 'rps'):.0f} |"
            f" {ratio:.2f}x | {added:.0f} |"
            f" {med('instrumented', 'cpu_us'):.0f} / {med('bare', 'cpu_us'):.0f} |"
            f" {added_cpu:.0f} |"
            f" {med('instrumented', 'p50_ms'):.2f} / {med('bare', 'p50_ms'):.2f} |"
            f" {med('instrumented', 'p99_ms'):.2f} / {med('bare', 'p99_ms'):.2f} | {errors} |",
            flush=True,
        )
    paced = Endpoint("ping", "/bench/ping", "/bench/ping")
    delay_ms = max(1, round(args.paced_connections * 1000 / args.paced_rate))
    script = PACED_SCRIPT.format(delay_ms=delay_ms)
    print(
        f"\np99 at about {args.paced_rate} req/s on /bench/ping ({args.paced_connections}"
        f" connections, each pausing {delay_ms} ms between requests):"
    )
    for name, server in servers.items():
        _wrk(server, paced, args.warmup, args.paced_connections, script)
        result = _wrk(server, paced, args.duration, args.paced_connections, script)
        print(
            f"- {name}: {result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms,"
            f" p99 {result.p99_ms:.2f} ms"
        )


def _report_problems(log: Path) -> None:
    """Warnings in the instrumented server's log (a full span queue says so there)."""
    problems = [
        line
        for line in log.read_text().splitlines()
        if not line.startswith("{") or json.loads(line).get("level") != "info"
    ]
    print(f"\ninstrumented server: {len(problems)} log lines above info")
    for line in problems[:5]:
        print(f"    {line[:300]}")


@contextmanager
def _postgres_on_load_cpu() -> Iterator[None]:
    """Pin the local PostgreSQL's processes to the load generator's CPU for the run.

    Unpinned, its backends land on the server's CPU as well and take time from
    whichever application runs there, which skews the comparison. New backends
    inherit the postmaster's affinity; every process gets its own back at the end.
    """
    found = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)
    saved: dict[int, set[int]] = {}
    for pid in map(int, found.stdout.split()):
        try:
            saved[pid] = os.sched_getaffinity(pid)
            os.sched_setaffinity(pid, {int(LOAD_CPU)})
        except (PermissionError, ProcessLookupError):
            continue
    print(f"PostgreSQL: {len(saved)} local processes pinned to CPU {LOAD_CPU}", flush=True)
    try:
        yield
    finally:
        for pid, cpus in saved.items():
            try:
                os.sched_setaffinity(pid, cpus)
            except ProcessLookupError:
                continue


@contextmanager
def fresh_database(kind: str, work: Path, name: str) -> Iterator[str]:
    """An empty database: a SQLite file `name`.db in `work`, or a PostgreSQL one dropped after."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{work / f'{name}.db'}"
        return
    name = f"{name}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _database(kind: str, work: Path) -> Iterator[str]:
    with fresh_database(kind, work, "bench") as url:
        if kind == "sqlite":
            yield url
            return
        with _postgres_on_load_cpu():
            yield url


def prepare_project(work: Path, python: str | None = None) -> Path:
    """The default service rendered from this working tree, synced, with the bench apps."""
    project = render(
        copy_template(work / "template"), work / "acme", {"project_name": "Acme Orders"}
    )
    run(["uv", "sync", "--quiet", "--no-dev", *(["--python", python] if python else [])], project)
    (project / "bench_apps.py").write_text(BARE_APP)
    return project


def prepare_database(project: Path, env: dict[str, str]) -> None:
    """Migrate the database `env` points at and create the bench admin in it."""
    cli = str(project / ".venv/bin/acme-orders")
    run([cli, "migrate"], project, env=env)
    run([cli, "create-admin", BENCH_EMAIL], project, env={**env, "ADMIN_PASSWORD": BENCH_PASSWORD})


def environments(database_url: str, sink: str) -> tuple[dict[str, str], ...]:
    """The environment shared by both apps, then the instrumented app's and the bare app's."""
    base = clean_env(
        DATABASE_URL=database_url,
        # Production refuses SQLite; the settings that matter for speed (log
        # format, sampling) are set explicitly.
        ENVIRONMENT="development",
        DATABASE_POOL_SIZE="10",
        JWT_SECRET_KEY=uuid.uuid4().hex * 2,
        # The per-client limit would turn a load test into 429s.
        RATE_LIMIT_PER_MINUTE="0",
    )
    instrumented = {
        **base,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "OTEL_EXPORTER_OTLP_ENDPOINT": sink,
        "OTEL_TRACES_SAMPLER": "always_on",
    }
    return base, instrumented, {**base, "OTEL_SDK_DISABLED": "true"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    keys = [endpoint.key for endpoint in ENDPOINTS]
    parser.add_argument("--endpoints", nargs="+", default=keys, choices=keys)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--paced-rate", type=int, default=500)
    parser.add_argument("--paced-connections", type=int, default=5)
    parser.add_argument("--python", help="interpreter for the service (uv sync --python)")
    args = parser.parse_args()
    _ensure_tools()

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        project = prepare_project(work, args.python)
        version = run([str(project / ".venv/bin/python"), "-V"], project).stdout.strip()
        print(f"rendered and synced {project} ({version}); CPUs: {os.cpu_count()}", flush=True)
        with otlp_sink() as sink:
            for kind in args.databases:
                with _database(kind, work) as database_url:
                    base, instrumented_env, bare_env = environments(database_url, sink)
                    prepare_database(project, base)
                    with (
                        serve(
                            project,
                            "create_instrumented_app",
                            instrumented_env,
                            work / f"instrumented-{kind}.log",
                        ) as instrumented,
                        serve(
                            project, "create_bare_app", bare_env, work / f"bare-{kind}.log"
                        ) as bare,
                    ):
                        seed_items(bare[0])
                        _measure({"instrumented": instrumented, "bare": bare}, args, kind)
                    _report_problems(work / f"instrumented-{kind}.log")


if __name__ == "__main__":
    main()
