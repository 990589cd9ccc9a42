"""Run an application factory under a real uvicorn process and read its log lines."""

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Self, cast

import httpx

from tests.server import free_port

LogLine = dict[str, Any]
# The test app's factory (tests/live_app.py): the service, plus the routes tests need.
LIVE_APP = "tests.live_app:create_live_app"


class LoggingProcess:
    """A child process whose stdout (and stderr) is collected line by line."""

    def __init__(self, argv: list[str], env: Mapping[str, str], cwd: Path) -> None:
        self.output: list[str] = []
        self._lock = threading.Lock()
        self._process = subprocess.Popen(  # noqa: S603 - argv from the tests, no shell
            argv,
            cwd=cwd,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            with self._lock:
                self.output.append(line.rstrip("\n"))

    def stop(self) -> None:
        """SIGTERM, then wait for a clean exit (spans are flushed at shutdown)."""
        if self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=30)
        self._reader.join(timeout=10)
        if self._process.stdout is not None:
            self._process.stdout.close()

    def mark(self) -> int:
        """A position in the output; `lines(since=...)` reads what came after it."""
        with self._lock:
            return len(self.output)

    def lines(self, since: int = 0) -> list[str]:
        """Raw output lines after `since`."""
        with self._lock:
            return self.output[since:]

    def json_lines(self, since: int = 0) -> list[LogLine]:
        """Output lines after `since` that are JSON objects (all of them, in JSON mode)."""
        return [json.loads(line) for line in self.lines(since) if line.startswith("{")]

    def wait_for_line(
        self, predicate: Callable[[LogLine], bool], since: int = 0, timeout: float = 10
    ) -> LogLine:
        """The first JSON line after `since` matching `predicate`."""
        raw = self.wait_for_raw_line(
            lambda line: line.startswith("{") and predicate(json.loads(line)), since, timeout
        )
        return cast("LogLine", json.loads(raw))

    def wait_for_raw_line(
        self, predicate: Callable[[str], bool], since: int = 0, timeout: float = 10
    ) -> str:
        """The first output line after `since` matching `predicate`, in any log format."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines(since):
                if predicate(line):
                    return line
            if time.monotonic() > deadline:
                msg = "no matching log line in:\n" + "\n".join(self.lines(since))
                raise AssertionError(msg)
            time.sleep(0.05)


class LiveServer(LoggingProcess):
    """`uvicorn --factory <factory>` on 127.0.0.1; stdout collected line by line."""

    def __init__(
        self, factory: str, env: Mapping[str, str], cwd: Path, *, workers: int = 1
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1"]
        super().__init__([*argv, "--port", str(self.port), "--workers", str(workers)], env, cwd)

    def __enter__(self) -> Self:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{self.url}/health/live", timeout=2)
                return self
            except httpx.TransportError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    msg = "the server did not start:\n" + "\n".join(self.output)
                    raise RuntimeError(msg) from None
                time.sleep(0.1)

    def __exit__(self, *_exc: object) -> None:
        self.stop()
