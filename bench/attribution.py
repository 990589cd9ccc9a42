"""Where the instrumented service's per-request time goes, without a server.

    uv run python bench/attribution.py              # about 2 minutes
    uv run python bench/attribution.py --runs 7 --requests 5000

`bench/run.py` measures the whole stack over HTTP, where uvicorn, the kernel and
the load generator add their own noise. This script renders the same service
and bench apps, then calls the ASGI application directly, one request after
another, on `/bench/ping` (no database), in a fresh process per measurement,
pinned to CPU 0; an OTLP/HTTP sink on CPU 1 receives the spans. Each process
reports the CPU time it used per request (all threads, so the batch export
thread counts), after a discarded warm-up. The configurations are interleaved
and each is run several times; the minimum is the figure least disturbed by
the machine, and the median is printed next to it.

Configurations: bare FastAPI; the service fully instrumented (as bench/run.py
runs it); the same with tracing off (`OTEL_SDK_DISABLED=true`); and with the
access line off (`LOG_LEVEL=WARNING`). The differences attribute the added
cost to tracing, to the access line, and to everything else (metrics, request
id, security and body-limit middleware).

This is a benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
from pathlib import Path

from run import SERVER_CPU, environments, otlp_sink, prepare_project

DRIVER = '''"""Drive one app's ASGI callable in-process; print CPU microseconds per request."""

import asyncio
import sys
import time

import bench_apps


async def main(factory: str, warmup: int, requests: int) -> None:
    app = getattr(bench_apps, factory)()
    statuses: set[int] = set()

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    def scope() -> dict:
        return {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": "/bench/ping", "raw_path": b"/bench/ping", "query_string": b"",
            "root_path": "", "headers": [(b"host", b"127.0.0.1"), (b"user-agent", b"bench")],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
            "state": {}, "app": app,
        }

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
    if statuses != {200}:
        sys.exit(f"/bench/ping answered {sorted(statuses)}, not only 200")
    print(f"{used * 1e6 / requests:.1f}", file=sys.stderr)


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
'''

# Name: (factory, whether it starts from bench/run.py's bare or instrumented
# environment, what it changes there).
CONFIGURATIONS = {
    "bare": ("create_bare_app", "bare", {}),
    "instrumented": ("create_instrumented_app", "instrumented", {}),
    "tracing off": ("create_instrumented_app", "instrumented", {"OTEL_SDK_DISABLED": "true"}),
    "access line off": ("create_instrumented_app", "instrumented", {"LOG_LEVEL": "WARNING"}),
}


def _measure(project: Path, factory: str, env: dict[str, str], args: argparse.Namespace) -> float:
    with (project / "access.log").open("w") as access_log:
        result = subprocess.run(
            [
                "taskset",
                "-c",
                SERVER_CPU,
                str(project / ".venv/bin/python"),
                "bench_driver.py",
                factory,
                str(args.warmup),
                str(args.requests),
            ],
            cwd=project,
            env=env,
            # The access lines go to a file, as they do in bench/run.py.
            stdout=access_log,
            stderr=subprocess.PIPE,
            text=True,
            check=True,
        )
    return float(result.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=1000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-attribution-") as tmp:
        work = Path(tmp)
        project = prepare_project(work)
        (project / "bench_driver.py").write_text(DRIVER)
        results: dict[str, list[float]] = {name: [] for name in CONFIGURATIONS}
        with otlp_sink() as sink:
            _, instrumented, bare = environments(f"sqlite+aiosqlite:///{work / 'bench.db'}", sink)
            starts = {"instrumented": instrumented, "bare": bare}
            for _ in range(args.runs):
                for name, (factory, start, overrides) in CONFIGURATIONS.items():
                    env = {**starts[start], **overrides}
                    results[name].append(_measure(project, factory, env, args))

    best = {name: min(values) for name, values in results.items()}
    print(
        f"\nCPU us per request on /bench/ping, in-process, {args.requests} requests,"
        f" {args.runs} runs each (minimum, median):\n"
    )
    for name, values in results.items():
        print(f"- {name}: {best[name]:.0f} ({statistics.median(values):.0f})")
    print("\nAttributed from the minimums:\n")
    print(f"- added by the stack: {best['instrumented'] - best['bare']:.0f} us")
    print(f"- tracing (span, export): {best['instrumented'] - best['tracing off']:.0f} us")
    print(f"- access line: {best['instrumented'] - best['access line off']:.0f} us")
    rest = best["tracing off"] - best["bare"] - (best["instrumented"] - best["access line off"])
    print(f"- everything else (metrics, request id, middleware): {rest:.0f} us")


if __name__ == "__main__":
    main()
