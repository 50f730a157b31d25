"""bench_province.py over real HTTP: gunicorn as in production (2 sync workers) on a free local port, signed-in
clients (POST /login with the form's CSRF token, the cookie reused), and a fixed number of requests at a fixed
concurrency (threads, one keep-alive http.client connection each). Standard library only."""

from __future__ import annotations

import http.client
import math
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str) -> dict[str, str]:
    """Production settings that serve over plain local HTTP: the development config (cookies without Secure, no
    proxy headers trusted) with a random SECRET_KEY, request logs on (as in production), rate limits out of the way."""
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "TEST_CLOCK")}
    env.update(DATABASE_URL=database_url, FLASK_CONFIG="development", SECRET_KEY=secrets.token_hex(32),
               SESSION_COOKIE_SECURE="0", TRUSTED_PROXIES="0", LOG_REQUESTS="1", API_RATE_LIMIT="1000000",
               PUBLIC_RATE_LIMIT="0", LOGIN_MAX_FAILURES_PER_USER="1000", LOGIN_MAX_FAILURES_PER_ADDRESS="1000",
               SESSION_IDLE_TIMEOUT="7200", PYTHONPATH=str(REPO_ROOT))
    return env


class Server:
    """`gunicorn -c python:app.core.gunicorn_conf -w 2 -b 127.0.0.1:<port> wsgi:app`, logs to a file."""

    def __init__(self, database_url: str, log_path: Path, workers: int = 2):
        self.port = free_port()
        self.log_path = log_path
        self.cmd = [sys.executable, "-m", "gunicorn", "-c", "python:app.core.gunicorn_conf", "-w", str(workers),
                    "-b", f"127.0.0.1:{self.port}", "wsgi:app"]
        self.env = server_env(database_url)
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(self.cmd, cwd=REPO_ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}: {self.tail()}")
            try:
                status, _h, _b = request("127.0.0.1", self.port, "GET", "/healthz", timeout=5)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer /healthz with 200 within 90 s: {self.tail()}")

    def __exit__(self, *_exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # gunicorn's quick shutdown (TERM waits for busy workers)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def request(host: str, port: int, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None,
            timeout: float = 60, conn: http.client.HTTPConnection | None = None):
    own = conn is None
    conn = conn or http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.headers, data
    finally:
        if own:
            conn.close()


@dataclass
class Client:
    """A signed-in user: the session cookie taken at sign-in, sent with every request."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def _remember(self, headers) -> None:
        for value in headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    def headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def login(self, username: str, password: str) -> None:
        status, headers, body = request(self.host, self.port, "GET", "/login")
        self._remember(headers)
        match = CSRF.search(body.decode("utf-8", "replace"))
        if status != 200 or not match:
            raise RuntimeError(f"GET /login answered {status} without a CSRF token")
        form = urlencode({"csrf_token": match.group(1) or match.group(2), "username": username,
                          "password": password}).encode()
        status, headers, body = request(self.host, self.port, "POST", "/login", body=form, headers={
            **self.headers(), "Content-Type": "application/x-www-form-urlencoded"})
        self._remember(headers)
        if status != 302:
            raise RuntimeError(f"sign-in as {username} failed: HTTP {status}")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def load(client: Client, path: str, *, requests: int, concurrency: int, warmup: int = 3,
         budget_s: float = 120.0) -> dict:
    """`warmup` requests, then `requests` GETs of `path` by `concurrency` threads; latency in ms per request.
    A page too slow for the budget stops taking new requests after `budget_s` seconds (the count done is reported,
    with `cut_short`), so that one slow page cannot hold the run for hours."""
    statuses: dict[int, int] = {}
    errors: list[str] = []
    started = time.perf_counter()
    for _ in range(warmup):
        try:
            status, _h, _b = request(client.host, client.port, "GET", path, headers=client.headers(), timeout=120)
        except (OSError, http.client.HTTPException) as exc:
            status = 0
            errors.append(f"warm-up {type(exc).__name__}: {exc}")
        statuses[status] = statuses.get(status, 0) + 1
        if time.perf_counter() - started > budget_s / 4:
            break
    warm_status = dict(statuses)
    statuses.clear()
    latencies: list[float] = []
    sizes: list[int] = []
    lock = threading.Lock()
    remaining = [requests]
    headers = client.headers()
    deadline = time.perf_counter() + budget_s

    def worker() -> None:
        conn = http.client.HTTPConnection(client.host, client.port, timeout=60)
        try:
            while True:
                with lock:
                    if remaining[0] <= 0 or time.perf_counter() > deadline:
                        return
                    remaining[0] -= 1
                start = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    resp = conn.getresponse()
                    body = resp.read()
                    status = resp.status
                    if resp.will_close:
                        conn.close()  # gunicorn's sync workers close after each response: reopen next time
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    status, body = 0, b""
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                took = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(took)
                    sizes.append(len(body))
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    bad = sum(n for s, n in statuses.items() if s != 200)
    if not latencies:
        latencies = [float("nan")]
    return {"requests": len(latencies), "cut_short": remaining[0] > 0, "concurrency": concurrency,
            "p50_ms": statistics.median(latencies),
            "p95_ms": percentile(latencies, 95), "max_ms": max(latencies), "mean_ms": statistics.fmean(latencies),
            "rps": len(latencies) / wall if wall else 0.0, "wall_s": wall, "errors": bad,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "warmup_statuses": {str(k): v for k, v in sorted(warm_status.items())},
            "size_kb": statistics.median(sizes) / 1024 if sizes else 0, "exceptions": errors[:3]}
