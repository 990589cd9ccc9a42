"""Benchmark: how a list endpoint's latency grows with its table (issue 16, section 1).

    uv run python bench/lists.py         # both databases, 1,000 to 1,000,000 rows: about 4 minutes
    uv run python bench/lists.py --sizes 1000,10000 --databases sqlite,postgresql

Renders the default service from this working tree (as bench/run.py does), then
for each database (a PostgreSQL database of its own at TEMPLATE_TEST_POSTGRES_URL,
dropped at the end; a SQLite file) migrates it with `acme-orders migrate`, creates
the admin with `create-admin`, and grows `items` size by size, smallest first:
bench/lists_seed.py adds rows in bulk through the service's own models and
engine (six in ten owned by the admin, one in ten by each of four members).

At each size it starts the service (`acme-orders serve`, one process, JSON logs
to a file), logs in, and times sequential requests for the first page,
`GET /items?limit=20`, over one keep-alive connection: as the admin, who sees
every item, and as a member, who sees their own tenth. The warm-up (--warmup
requests, or a quarter of --max-seconds) is discarded; the timed requests stop
at --requests, or once --max-seconds have passed and at least --min-requests
were made, which bounds the slow sizes. The smallest size's p50, measured in
the same run, is the baseline the other sizes are divided by; issue 16's
target is p50 at 1,000,000 rows within 1.5x of p50 at 1,000.

Only the first page is requested and only the response's `items` is read, so
the script measures the offset API (which also returns `total`) and a cursor
API alike. Only `items` grows: the other lists' tables stay a few rows long.

This is a benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import httpx
import psycopg
from run import BENCH_EMAIL, BENCH_PASSWORD, fresh_database, prepare_database, prepare_project

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from helpers import (  # noqa: E402
    POSTGRES_ADMIN_URL,
    clean_env,
    free_port,
    run,
    wait_until_ok,
)

CLI = ".venv/bin/acme-orders"
PYTHON = ".venv/bin/python"
# The service's Python and the SQLite library it links, as the header prints them.
VERSIONS = "import sqlite3, sys; print(sys.version.split()[0], sqlite3.sqlite_version)"
SEED_SCRIPT = Path(__file__).with_name("lists_seed.py")
MEMBERS = [f"member-{number}@example.com" for number in range(1, 5)]
PAGE = "/items?limit=20"
DEFAULT_SIZES = "1000,10000,100000,1000000"
# Seeding a million rows takes a while on SQLite; `run`'s default is 10 minutes.
SEED_TIMEOUT = 3600


@dataclass(frozen=True)
class Caller:
    key: str
    title: str
    email: str


CALLERS = [
    Caller("admin", "as the admin, who sees every item", BENCH_EMAIL),
    Caller("member", "as a member, who sees their own tenth", MEMBERS[0]),
]


@dataclass
class Figures:
    rows: int
    p50_ms: float
    p90_ms: float
    requests: int


@dataclass
class Series:
    caller: Caller
    figures: list[Figures] = field(default_factory=list)


def _sizes(value: str) -> list[int]:
    sizes = sorted({int(size.replace("_", "")) for size in value.split(",") if size.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("give row counts of at least 1, e.g. 1000,10000")
    return sizes


def _databases(value: str) -> list[str]:
    kinds = [kind.strip() for kind in value.split(",") if kind.strip()]
    unknown = set(kinds) - {"sqlite", "postgresql"}
    if not kinds or unknown:
        raise argparse.ArgumentTypeError("choose from sqlite,postgresql")
    return list(dict.fromkeys(kinds))


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    # SystemExit unwinds through every `finally`: servers stop, the PostgreSQL
    # database is dropped and the temporary directory removed, as on Ctrl-C.
    sys.exit(128 + signum)


def _machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # The service is rendered from the working tree, edits included.
    if git("status", "--porcelain", "--", "template", "copier.yml"):
        commit += " with uncommitted changes to the template"
    return commit


def _postgres_version() -> str:
    with psycopg.connect(POSTGRES_ADMIN_URL) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0] if row else '?'}"


@contextmanager
def _serving(project: Path, env: dict[str, str], log: Path) -> Iterator[str]:
    """The service under its own `serve` command; its base URL once it is ready."""
    port = free_port()
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(project / CLI), "serve"],
            cwd=project,
            env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ok(f"{url}/health/ready", server, f"the service (log: {log})")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _client(url: str, email: str, password: str) -> httpx.Client:
    token = httpx.post(
        f"{url}/auth/token", data={"username": email, "password": password}, timeout=30
    )
    token.raise_for_status()
    return httpx.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=120,
    )


def _time_first_page(
    client: httpx.Client, expected: int, args: argparse.Namespace
) -> tuple[float, float, int]:
    """p50 and p90 in milliseconds of sequential first-page requests, and how many were made."""
    count = len(client.get(PAGE).raise_for_status().json()["items"])
    if count < expected:
        # A list that answers with too few rows would look fast.
        sys.exit(f"GET {PAGE} returned {count} items, not {expected}")
    began = time.perf_counter()
    for _ in range(args.warmup):
        client.get(PAGE).raise_for_status()
        if time.perf_counter() - began > args.max_seconds / 4:
            break
    samples: list[float] = []
    began = time.perf_counter()
    while len(samples) < args.requests:
        start = time.perf_counter()
        response = client.get(PAGE)
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
        if len(samples) >= args.min_requests and time.perf_counter() - began > args.max_seconds:
            break
    samples.sort()
    # Nearest rank: the smallest sample with at least 90% of them at or below it.
    return statistics.median(samples), samples[math.ceil(0.9 * len(samples)) - 1], len(samples)


def _measure(
    kind: str, project: Path, work: Path, args: argparse.Namespace
) -> tuple[list[Series], float]:
    """Grow and time one database; the series per caller and the seconds spent seeding."""
    series = [Series(caller) for caller in CALLERS]
    seeding = 0.0
    with fresh_database(kind, work, "bench_lists") as database_url:
        env = clean_env(
            DATABASE_URL=database_url,
            # Production refuses SQLite; log format and level are set explicitly.
            ENVIRONMENT="development",
            LOG_FORMAT="json",
            LOG_LEVEL="INFO",
            JWT_SECRET_KEY=os.urandom(32).hex(),
            # Hundreds of requests a minute from one client are the point here.
            RATE_LIMIT_PER_MINUTE="0",
        )
        prepare_database(project, env)
        for rows in args.sizes:
            began = time.perf_counter()
            seeded = run(
                [str(project / PYTHON), SEED_SCRIPT.name, str(rows), BENCH_EMAIL, *MEMBERS],
                project,
                env={**env, "BENCH_MEMBER_PASSWORD": BENCH_PASSWORD},
                timeout=SEED_TIMEOUT,
            )
            seeding += time.perf_counter() - began
            print(f"{kind}: {seeded.stdout.strip()}", flush=True)
            with _serving(project, env, work / f"serve-{kind}-{rows}.log") as url:
                for one in series:
                    expected = min(20, rows if one.caller.key == "admin" else rows // 10)
                    with _client(url, one.caller.email, BENCH_PASSWORD) as client:
                        p50, p90, count = _time_first_page(client, expected, args)
                    one.figures.append(Figures(rows, p50, p90, count))
                    print(
                        f"{kind}: {rows:,} rows, {one.caller.key}: p50 {p50:.2f} ms,"
                        f" p90 {p90:.2f} ms ({count} requests)",
                        flush=True,
                    )
    return series, seeding


def _print_tables(kind: str, version: str, series: list[Series]) -> None:
    print(f"\n## {kind} ({version}): GET {PAGE}, first page, sequential, keep-alive")
    for one in series:
        baseline = one.figures[0]
        print(f"\n### {one.caller.title}\n")
        print(f"| rows | p50 ms | p90 ms | p50 / {baseline.rows:,}-row p50 | requests |")
        print("| ---: | ---: | ---: | ---: | ---: |")
        for figures in one.figures:
            print(
                f"| {figures.rows:,} | {figures.p50_ms:.2f} | {figures.p90_ms:.2f} |"
                f" {figures.p50_ms / baseline.p50_ms:.2f}x | {figures.requests} |"
            )
        if len(one.figures) > 1:
            last = one.figures[-1]
            ratio = last.p50_ms / baseline.p50_ms
            print(
                f"\n{last.rows:,} rows: p50 {ratio:.2f}x the {baseline.rows:,}-row p50"
                f" ({'within' if ratio <= 1.5 else 'outside'} issue 16's 1.5x)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--databases", type=_databases, default=["sqlite", "postgresql"], help="sqlite,postgresql"
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=_sizes(DEFAULT_SIZES),
        help=f"rows (default {DEFAULT_SIZES})",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per list")
    parser.add_argument("--min-requests", type=int, default=30)
    parser.add_argument("--max-seconds", type=float, default=20.0, help="per list and size")
    parser.add_argument("--warmup", type=int, default=20, help="discarded requests first")
    parser.add_argument("--python", help="interpreter for the service (uv sync --python)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-lists-") as tmp:
        work = Path(tmp)
        project = prepare_project(work, args.python)
        (project / SEED_SCRIPT.name).write_text(SEED_SCRIPT.read_text())
        python, sqlite = run([str(project / PYTHON), "-c", VERSIONS], project).stdout.split()
        print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; template commit: {_commit()}")
        print(f"machine: {_machine()}")
        print(f"service: the default render on Python {python}, one process")
        print(f"sizes: {', '.join(f'{size:,}' for size in args.sizes)} rows\n", flush=True)
        versions = {"sqlite": f"SQLite {sqlite}"}
        if "postgresql" in args.databases:
            versions["postgresql"] = _postgres_version()
        results = []
        for kind in args.databases:
            series, seeding = _measure(kind, project, work, args)
            results.append((kind, series, seeding))
        for kind, series, seeding in results:
            _print_tables(kind, versions[kind], series)
            print(f"\n(seeding took {seeding:.0f} s)")
    print(f"\nwhole run: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
