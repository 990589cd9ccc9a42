"""Where the instrumented service's per-request cost goes, without a server.

    uv run python bench/attribution.py                          # /bench/ping, CPU time
    uv run python bench/attribution.py --endpoint list          # GET /items, CPU time
    uv run python bench/attribution.py --instructions           # about 40 minutes
    uv run python bench/attribution.py --endpoint list --instructions   # about 55 minutes

`bench/run.py` measures the whole stack over HTTP, where uvicorn, the kernel and
the load generator add their own noise. This script renders the same service
and bench apps, then calls the ASGI application directly, one request after
another, in a fresh process per measurement, pinned to CPU 0; an OTLP/HTTP
sink on CPU 1 receives the spans. Endpoints: `/bench/ping` (no database) or
the authenticated DB-backed list `GET /items?limit=20` as the bench admin, on
a SQLite file holding 20 items.

Two measures:

- CPU time per request (default): each process reports the CPU time it used
  (all threads, so the batch export thread counts) after a discarded warm-up.
  The configurations are interleaved and each is run several times; the
  minimum is the figure least disturbed by the machine, the median is printed
  next to it.
- `--instructions`: each configuration runs once under valgrind's callgrind
  with the requests and once without them; the difference in instructions
  executed, divided by the requests, varies by about 1% between runs (the
  export batches still follow the clock) whatever else the machine does.
  Instructions are not time (cache misses, system calls and thread switches
  cost time, not instructions), so the ratio here is not the throughput ratio;
  it is the way to see what a change saves that the machine's noise cannot hide.

Configurations: bare FastAPI; the service fully instrumented (as bench/run.py
runs it); the same with tracing off (`OTEL_SDK_DISABLED=true`); with the
access line off (`LOG_LEVEL=WARNING`); on the list, with the SQL spans off
(the driver replaces the engine hooks, for this measurement only). The
differences attribute the added cost to each.

This is a benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from run import (
    PACKAGE,
    SERVER_CPU,
    auth_headers,
    environments,
    otlp_sink,
    prepare_database,
    prepare_project,
    seed_items,
    serve,
)

DRIVER = f'''"""Drive one app's ASGI callable in-process; print CPU microseconds per request."""

import asyncio
import os
import sys
import time

import bench_apps

if os.environ.get("BENCH_SQL_SPANS") == "off":
    from {PACKAGE}.core import tracing

    tracing.SqlSpans.__init__ = lambda self, engine, provider: None
    tracing.SqlSpans.remove = lambda self: None


async def main(factory: str, path: str, warmup: int, requests: int) -> None:
    app = getattr(bench_apps, factory)()
    route, _, query = path.partition("?")
    headers = [(b"host", b"127.0.0.1"), (b"user-agent", b"bench")]
    if "BENCH_AUTHORIZATION" in os.environ:
        headers.append((b"authorization", os.environ["BENCH_AUTHORIZATION"].encode()))
    statuses: set[int] = set()

    async def receive() -> dict:
        return {{"type": "http.request", "body": b"", "more_body": False}}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    def scope() -> dict:
        return {{
            "type": "http", "asgi": {{"version": "3.0", "spec_version": "2.4"}},
            "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": route, "raw_path": route.encode(), "query_string": query.encode(),
            "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
            "state": {{}}, "app": app,
        }}

    async with app.router.lifespan_context(app):
        for _ in range(warmup):
            await app(scope(), receive, send)
        provider = getattr(app.state, "tracer_provider", None)
        if provider is not None:
            provider.force_flush()
        start = time.process_time()
        for _ in range(requests):
            await app(scope(), receive, send)
        if provider is not None:
            # The spans of these requests are exported (and paid for) too.
            provider.force_flush()
        used = time.process_time() - start
    if statuses != {{200}}:
        sys.exit(f"{{path}} answered {{sorted(statuses)}}, not only 200")
    print(f"{{used * 1e6 / max(requests, 1):.1f}}", file=sys.stderr)


asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
'''

PATHS = {"ping": "/bench/ping", "list": "/items?limit=20"}

# Name: (factory, whether it starts from bench/run.py's bare or instrumented
# environment, what it changes there).
CONFIGURATIONS = {
    "bare": ("create_bare_app", "bare", {}),
    "instrumented": ("create_instrumented_app", "instrumented", {}),
    "tracing off": ("create_instrumented_app", "instrumented", {"OTEL_SDK_DISABLED": "true"}),
    "access line off": ("create_instrumented_app", "instrumented", {"LOG_LEVEL": "WARNING"}),
    "SQL spans off": ("create_instrumented_app", "instrumented", {"BENCH_SQL_SPANS": "off"}),
}


def _driver(project: Path, env: dict[str, str], args: list[str], wrapper: list[str]) -> str:
    """Run the driver; what it printed on stderr."""
    with (project / "access.log").open("w") as access_log:
        result = subprocess.run(
            [*wrapper, str(project / ".venv/bin/python"), "bench_driver.py", *args],
            cwd=project,
            env=env,
            # The access lines go to a file, as they do in bench/run.py.
            stdout=access_log,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        sys.exit(f"the driver failed:\n{result.stderr[-3000:]}")
    return result.stderr


def _cpu_us(project: Path, env: dict[str, str], call: list[str], args: argparse.Namespace) -> float:
    """CPU microseconds per request after the warm-up, pinned to the server CPU."""
    output = _driver(
        project, env, [*call, str(args.warmup), str(args.requests)], ["taskset", "-c", SERVER_CPU]
    )
    return float(output.strip().splitlines()[-1])


def _instructions(
    project: Path, env: dict[str, str], call: list[str], args: argparse.Namespace
) -> float:
    """Instructions per request: callgrind's total with the requests minus without them."""
    totals = []
    for requests in (0, args.requests):
        output = _driver(
            project,
            # A fixed hash seed, so both runs hash (and iterate sets) alike.
            {**env, "PYTHONHASHSEED": "0"},
            [*call, str(args.warmup), str(requests)],
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"],
        )
        match = re.search(r"Collected : (\d+)", output)
        assert match, output
        totals.append(int(match.group(1)))
    return (totals[1] - totals[0]) / args.requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", choices=sorted(PATHS), default="ping")
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--runs", type=int, help="default 5; 1 with --instructions")
    parser.add_argument("--requests", type=int, help="default 3000; 300 with --instructions")
    parser.add_argument("--warmup", type=int, help="default 1000; 100 with --instructions")
    args = parser.parse_args()
    defaults = (1, 300, 100) if args.instructions else (5, 3000, 1000)
    for name, default in zip(("runs", "requests", "warmup"), defaults, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, default)
    if args.instructions and shutil.which("valgrind") is None:
        print("installing valgrind (apt-get install -y valgrind)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "valgrind"], check=True)
    measure: Callable[[Path, dict[str, str], list[str], argparse.Namespace], float] = (
        _instructions if args.instructions else _cpu_us
    )
    names = [name for name in CONFIGURATIONS if args.endpoint == "list" or "SQL" not in name]

    with tempfile.TemporaryDirectory(prefix="bench-attribution-") as tmp:
        work = Path(tmp)
        project = prepare_project(work)
        (project / "bench_driver.py").write_text(DRIVER)
        results: dict[str, list[float]] = {name: [] for name in names}
        with otlp_sink() as sink:
            base, instrumented, bare = environments(
                f"sqlite+aiosqlite:///{work / 'bench.db'}", sink
            )
            # Valid for the whole run, however slow valgrind makes it.
            token_env = {"AUTH_ACCESS_TOKEN_MINUTES": "240"}
            starts = {"instrumented": {**instrumented, **token_env}, "bare": {**bare, **token_env}}
            if args.endpoint == "list":
                prepare_database(project, base)
                with serve(project, "create_bare_app", starts["bare"], work / "seed.log") as server:
                    seed_items(server[0])
                    authorization = auth_headers(server[0])["Authorization"]
                for env in starts.values():
                    env["BENCH_AUTHORIZATION"] = authorization
            call = [PATHS[args.endpoint]]
            for _ in range(args.runs):
                for name in names:
                    factory, start, overrides = CONFIGURATIONS[name]
                    env = {**starts[start], **overrides}
                    results[name].append(measure(project, env, [factory, *call], args))
    _report(results, args)


def _report(results: dict[str, list[float]], args: argparse.Namespace) -> None:
    unit = "instructions (thousands)" if args.instructions else "CPU us"
    scale = 1e-3 if args.instructions else 1.0
    best = {name: min(values) * scale for name, values in results.items()}
    print(
        f"\n{unit} per request on {PATHS[args.endpoint]}, in-process, {args.requests} requests,"
        f" {args.runs} run(s) each (minimum, median):\n"
    )
    for name, values in results.items():
        print(f"- {name}: {best[name]:.0f} ({statistics.median(values) * scale:.0f})")
    print(f"\nAttributed from the minimums ({unit}):\n")
    added = best["instrumented"] - best["bare"]
    tracing = best["instrumented"] - best["tracing off"]
    access = best["instrumented"] - best["access line off"]
    print(f"- added by the stack: {added:.0f} ({added / best['bare']:.1%} of bare)")
    print(f"- bare / instrumented: {best['bare'] / best['instrumented']:.2f}x")
    print(f"- tracing (spans, export): {tracing:.0f}")
    if "SQL spans off" in best:
        print(f"  - of which SQL spans: {best['instrumented'] - best['SQL spans off']:.0f}")
    saved = best["SDK exporter"] - best["instrumented"]
    print(f"  - saved by the service's OTLP exporter over the SDK's: {saved:.0f}")
    print(f"- access line: {access:.0f}")
    print(f"- everything else (metrics, request id, middleware): {added - tracing - access:.0f}")


if __name__ == "__main__":
    main()
