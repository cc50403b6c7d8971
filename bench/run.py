"""`make bench`: throughput of the main pages against a minimal Django view, under production settings.

Prepares a throwaway state (a temporary BAWABA_VAR_DIR with SQLite, or a temporary PostgreSQL database when
DATABASE_URL is set; Redis db 15 as the cache), migrates it, loads the demo catalogue, collects static files,
serves the app with gunicorn on 127.0.0.1 and drives each scenario with wrk, one at a time.

Prints a table and writes bench/results/latest.json. Exits 0 whatever the speed; non-zero only when the
state cannot be prepared, the server does not start, or a scenario answers with errors.

Environment (all optional):
  BENCH_SECONDS          seconds measured per scenario and round (default 5)
  BENCH_ROUNDS           rounds over all scenarios; each scenario keeps its best round (default 2)
  BENCH_WARMUP           seconds of unmeasured load before each scenario's first round (default 2)
  BENCH_CONNECTIONS      wrk connections (default 16)
  BENCH_THREADS          wrk threads (default 2)
  BENCH_WORKERS          gunicorn workers (default 2)
  BENCH_WORKER_CLASS     gunicorn worker class, sync or gthread (default sync, gunicorn's own default)
  BENCH_GUNICORN_THREADS threads per gthread worker (default 4)
  BENCH_SCENARIOS        comma-separated scenario names to run (the baseline always runs)
  BENCH_SETTINGS_MODULE  settings to serve (default bench.settings; the project folder is on PYTHONPATH)
  BENCH_REDIS_URL        Redis database used as the cache, flushed at start and end
                         (default redis://127.0.0.1:6379/15)
  DATABASE_URL           postgres://… to run on PostgreSQL: a temporary database is created next to the
                         named one (the role needs CREATEDB) and dropped at the end
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS_FILE = BENCH_DIR / "results" / "latest.json"
VENV_BIN = Path(sys.executable).parent

HOST = "bench.bawaba.test"  # the only allowed host; every request carries it
HEADERS = {"Host": HOST, "X-Forwarded-Proto": "https"}  # the settings trust the proxy's HTTPS header
TARGET_PERCENT = 70


# --- Scenarios ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    target: bool = False  # one of the pages that should reach TARGET_PERCENT of the baseline
    fallback: Callable[[Server], str | None] | None = None  # another path when `path` does not answer 200


def first_service_page(server: Server) -> str | None:
    """The page of the first service the API lists, for when the usual demo service is missing."""
    status, _, body = server.get("/api/v1/services?page_size=1")
    if status != 200:
        return None
    items = json.loads(body).get("items") or []
    return f"/ar/services/{items[0]['code']}/" if items else None


BASELINE = "minimal"
# Add scenarios here: name, path, whether the page counts toward the target. Anonymous GETs only.
SCENARIOS = [
    Scenario(BASELINE, "/bench/minimal"),
    Scenario("home-ar", "/ar/", target=True),
    Scenario("home-en", "/en/", target=True),
    Scenario("service-ar", "/ar/services/civil.id-card.renew/", target=True, fallback=first_service_page),
    Scenario("category-ar", "/ar/categories/family/", target=True),
    Scenario("api-services", "/api/v1/services"),
]


# --- Configuration -----------------------------------------------------------------------------------


class BenchError(Exception):
    """The benchmark cannot go on (state not prepared, server not started)."""


def env_int(name: str, default: int, minimum: int = 1) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BenchError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise BenchError(f"{name} must be at least {minimum}")
    return number


@dataclass(frozen=True)
class Config:
    seconds: int
    warmup: int
    rounds: int
    connections: int
    threads: int
    workers: int
    worker_class: str
    gunicorn_threads: int
    redis_url: str
    only: frozenset[str]

    @classmethod
    def from_env(cls) -> Config:
        worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync").strip() or "sync"
        if worker_class not in {"sync", "gthread"}:
            raise BenchError("BENCH_WORKER_CLASS must be sync or gthread")
        connections = env_int("BENCH_CONNECTIONS", 16)
        only = frozenset(s.strip() for s in os.environ.get("BENCH_SCENARIOS", "").split(",") if s.strip())
        unknown = only - {s.name for s in SCENARIOS}
        if unknown:
            raise BenchError(f"BENCH_SCENARIOS names unknown scenarios: {', '.join(sorted(unknown))}")
        return cls(
            seconds=env_int("BENCH_SECONDS", 5),
            warmup=env_int("BENCH_WARMUP", 2, minimum=0),
            rounds=env_int("BENCH_ROUNDS", 2),
            connections=connections,
            threads=min(env_int("BENCH_THREADS", 2), connections),
            workers=env_int("BENCH_WORKERS", 2),
            worker_class=worker_class,
            gunicorn_threads=env_int("BENCH_GUNICORN_THREADS", 4),
            redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
            only=only,
        )


def venv_command(name: str, *fallback: str) -> list[str]:
    script = VENV_BIN / name
    return [str(script)] if script.exists() else [sys.executable, *fallback]


# --- Throwaway state ---------------------------------------------------------------------------------


class State:
    """A temporary var folder, a temporary PostgreSQL database if asked for, and a flushed Redis db."""

    def __init__(self, config: Config):
        self.config = config
        self.var_dir = Path(tempfile.mkdtemp(prefix="bawaba-bench-"))
        self.pg_admin_url: str | None = None
        self.pg_database: str | None = None
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        # Settings the run must own: production, its own secret and host, a throwaway state.
        for name in ("BAWABA_SECRET_KEY_FILE", "BAWABA_SSL_REDIRECT", "BAWABA_DEBUG"):
            env.pop(name, None)
        env.update(
            DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SETTINGS_MODULE", "bench.settings"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")])),
            BAWABA_VAR_DIR=str(self.var_dir),
            BAWABA_SECRET_KEY=secrets.token_urlsafe(48),
            BAWABA_ALLOWED_HOSTS=HOST,
            BAWABA_REDIS_URL=self.config.redis_url,
        )
        return env

    @property
    def database(self) -> str:
        return "PostgreSQL" if self.pg_database else "SQLite"

    def prepare(self) -> None:
        self._flush_redis()
        if url := os.environ.get("DATABASE_URL", "").strip():
            self._create_postgres(url)
        run_step("migrate", [*self.bawaba, "migrate", "--noinput", "-v", "0"], self.env)
        run_step("catalogue load", [*self.bawaba, "catalogue", "load"], self.env, tolerate="rejected")
        run_step("collectstatic", [*self.bawaba, "collectstatic", "--noinput", "-v", "0"], self.env)

    @property
    def bawaba(self) -> list[str]:
        return venv_command("bawaba", "-m", "bawaba.manage")

    def _flush_redis(self) -> None:
        try:
            import redis
        except ImportError:
            raise BenchError("the redis package is missing from the virtualenv (run make setup)") from None
        try:
            redis.Redis.from_url(self.config.redis_url, socket_timeout=5).flushdb()
        except redis.RedisError as exc:
            raise BenchError(f"Redis at {self.config.redis_url} is not reachable: {exc}") from None

    def _create_postgres(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql"}:
            raise BenchError(
                f"DATABASE_URL must be postgres://… (or unset for SQLite), not {parts.scheme}://…"
            )
        try:
            import psycopg
        except ImportError:
            raise BenchError("psycopg is missing from the virtualenv (run make setup)") from None
        name = f"bawaba_bench_{secrets.token_hex(4)}"
        admin = url
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=10) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            raise BenchError(
                f"could not create a temporary PostgreSQL database (the role needs CREATEDB): {exc}"
            ) from None
        self.pg_admin_url, self.pg_database = admin, name
        self.env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        print(f"  PostgreSQL: temporary database {name}")

    def cleanup(self) -> None:
        if self.pg_database:
            try:
                import psycopg

                with psycopg.connect(self.pg_admin_url, autocommit=True, connect_timeout=10) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{self.pg_database}" WITH (FORCE)')
            except Exception as exc:
                warn(f"could not drop the temporary database {self.pg_database}: {exc}")
        try:
            import redis

            redis.Redis.from_url(self.config.redis_url, socket_timeout=5).flushdb()
        except Exception as exc:
            warn(f"could not flush {self.config.redis_url}: {exc}")
        shutil.rmtree(self.var_dir, ignore_errors=True)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def run_step(label: str, command: list[str], env: dict[str, str], tolerate: str | None = None) -> None:
    """Run one setup command; a failure stops the benchmark unless its message contains `tolerate`."""
    started = time.monotonic()
    result = subprocess.run(command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    took = time.monotonic() - started
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "done"
    if result.returncode == 0:
        print(f"  {label}: {summary} ({took:.1f} s)")
        return
    if tolerate and tolerate in result.stderr:
        print(f"  {label}: {summary} ({took:.1f} s), with problems; going on with what loaded:")
        for line in result.stderr.strip().splitlines()[-20:]:
            print(f"    {line}")
        return
    sys.stderr.write(result.stdout + result.stderr)
    raise BenchError(f"{label} failed (exit {result.returncode})")


# --- Server ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, state: State):
        self.state = state
        self.port = free_port()
        self.log = state.var_dir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = self.state.config
        command = [
            *venv_command("gunicorn", "-m", "gunicorn"),
            "bawaba.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={config.workers}",
            f"--worker-class={config.worker_class}",
            f"--threads={config.gunicorn_threads if config.worker_class == 'gthread' else 1}",
            f"--error-logfile={self.log}",
            "--log-level=warning",
            "--no-control-socket",
        ]  # no --access-logfile: the access log stays off
        # A session of its own, so Ctrl-C reaches this script (which stops the server) and not gunicorn.
        # Django logs errors to stderr: into the same log, shown when something goes wrong.
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.state.env,
                cwd=PROJECT_DIR,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if self.get("/bench/minimal")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer within 60 s:\n{self.log_tail()}")

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """One GET, redirects not followed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers=HEADERS)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


# --- wrk ---------------------------------------------------------------------------------------------

TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass
class Result:
    scenario: Scenario
    path: str
    requests_per_second: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    requests: int | None = None
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] | None = None
    error: str | None = None
    rounds: list[float | None] | None = None  # requests/s of every round

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum((self.socket_errors or {}).values())

    @property
    def failed(self) -> bool:
        return self.error is not None or self.errors > 0


def latency_ms(output: str, percentile: int) -> float | None:
    match = re.search(rf"^\s*{percentile}(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE)
    return float(match[1]) * TIME_UNITS[match[2]] if match else None


def parse_wrk(output: str, result: Result) -> None:
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.requests_per_second = float(match[1])
    result.p50_ms = latency_ms(output, 50)
    result.p99_ms = latency_ms(output, 99)
    if match := re.search(r"^\s*(\d+) requests in", output, re.MULTILINE):
        result.requests = int(match[1])
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        result.non_2xx_3xx = int(match[1])
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    kinds = ("connect", "read", "write", "timeout")
    counts = map(int, match.groups()) if match else (0, 0, 0, 0)
    result.socket_errors = dict(zip(kinds, counts, strict=True))
    if result.requests_per_second is None or result.p50_ms is None or result.p99_ms is None:
        result.error = "could not read wrk's output"


def wrk(config: Config, url: str, seconds: int) -> str:
    command = [
        "wrk",
        f"-t{config.threads}",
        f"-c{config.connections}",
        f"-d{seconds}s",
        "--latency",
        *(arg for name, value in HEADERS.items() for arg in ("-H", f"{name}: {value}")),
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if result.returncode != 0:
        message = result.stderr.strip() or result.stdout.strip()
        raise BenchError(f"wrk failed (exit {result.returncode}): {message}")
    return result.stdout


def check_page(server: Server, scenario: Scenario) -> tuple[str, str | None]:
    """The path to measure and, if it does not answer 200, why. Requested twice, to fill the page cache."""
    path = scenario.path
    status, headers, _ = server.get(path)
    if status != 200 and scenario.fallback and (other := scenario.fallback(server)) and other != path:
        print(f"  {scenario.name}: {path} answered {status}; measuring {other} instead")
        path = other
        status, headers, _ = server.get(path)
    if status == 200:
        status, headers, _ = server.get(path)
    if status != 200:
        where = f" to {headers['Location']}" if "Location" in headers else ""
        return path, f"HTTP {status}{where}"
    return path, None


def measure(server: Server, scenarios: list[Scenario]) -> list[Result]:
    """Every scenario, one at a time, in `rounds` rounds; each keeps its best round.

    Rounds interleave the baseline with the pages, so a burst of other work on the machine slows one
    round of some scenarios rather than all of one; the best round is the least disturbed.
    """
    config = server.state.config
    paths: dict[str, str] = {}
    runs: dict[str, list[Result]] = {}
    problems: dict[str, Result] = {}
    for scenario in scenarios:
        try:
            path, problem = check_page(server, scenario)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            path, problem = scenario.path, f"{type(exc).__name__}: {exc}"
        if problem:
            print(f"  {scenario.name:<14} {path}: {problem}, not measured")
            problems[scenario.name] = Result(scenario, path, error=problem)
        else:
            paths[scenario.name] = path
            runs[scenario.name] = []
    for round_number in range(1, config.rounds + 1):
        for scenario in scenarios:
            if scenario.name not in paths:
                continue
            url = server.base_url + paths[scenario.name]
            if round_number == 1 and config.warmup:
                wrk(config, url, config.warmup)
            run = Result(scenario, paths[scenario.name])
            parse_wrk(wrk(config, url, config.seconds), run)
            runs[scenario.name].append(run)
            rps = "?" if run.requests_per_second is None else f"{run.requests_per_second:,.0f} req/s"
            errors = f", {run.errors} errors" if run.errors else ""
            print(f"  round {round_number}  {scenario.name:<14} {run.path}: {rps}{errors}")
    return [problems.get(s.name) or best_of(runs[s.name]) for s in scenarios]


def best_of(runs: list[Result]) -> Result:
    """The round with the most requests/s; errors add up over all rounds."""
    measured = [r for r in runs if r.requests_per_second is not None]
    best = max(measured, key=lambda r: r.requests_per_second) if measured else runs[0]
    kinds = ("connect", "read", "write", "timeout")
    return Result(
        best.scenario,
        best.path,
        requests_per_second=best.requests_per_second,
        p50_ms=best.p50_ms,
        p99_ms=best.p99_ms,
        requests=best.requests,
        non_2xx_3xx=sum(r.non_2xx_3xx for r in runs),
        socket_errors={k: sum((r.socket_errors or {}).get(k, 0) for r in runs) for k in kinds},
        error=next((r.error for r in runs if r.error), None),
        rounds=[r.requests_per_second for r in runs],
    )


# --- Report ------------------------------------------------------------------------------------------


def ratio(result: Result, baseline: Result | None) -> float | None:
    if not baseline or not baseline.requests_per_second or result.requests_per_second is None:
        return None
    return 100.0 * result.requests_per_second / baseline.requests_per_second


def verdict(result: Result, percent: float | None) -> str:
    if result.failed:
        return "ERROR: " + (result.error or f"{result.errors} errors")
    if result.scenario.name == BASELINE:
        return "baseline"
    if not result.scenario.target or percent is None:
        return ""
    return "meets target" if percent >= TARGET_PERCENT else "BELOW TARGET"


def number(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def report(
    results: list[Result], config: Config, state: State, catalogue: int | None, load_before: float
) -> None:
    baseline = next((r for r in results if r.scenario.name == BASELINE), None)
    header = ("scenario", "path", "req/s", "p50 ms", "p99 ms", "vs minimal", "")
    rows = []
    for result in results:
        percent = ratio(result, baseline)
        rows.append(
            (
                result.scenario.name,
                result.path,
                number(result.requests_per_second, 0),
                number(result.p50_ms, 2),
                number(result.p99_ms, 2),
                "—" if percent is None else f"{percent:.1f} %",
                verdict(result, percent),
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    left = {0, 1, 6}
    print()
    for row in [header, *rows]:
        cells = [
            str(cell).ljust(width) if i in left else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
    print(
        f"\nTarget: anonymous home, catalogue and service pages at >= {TARGET_PERCENT} % of the minimal "
        "view's requests/s (ratio = page req/s / minimal req/s)."
    )

    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "target_percent": TARGET_PERCENT,
        "baseline": BASELINE,
        "config": {
            "seconds": config.seconds,
            "rounds": config.rounds,
            "warmup_seconds": config.warmup,
            "connections": config.connections,
            "wrk_threads": config.threads,
            "gunicorn_workers": config.workers,
            "gunicorn_worker_class": config.worker_class,
            "gunicorn_threads": config.gunicorn_threads if config.worker_class == "gthread" else 1,
            "database": state.database,
            "cache": "redis",
            "settings": state.env["DJANGO_SETTINGS_MODULE"],
            "catalogue_services": catalogue,
            "cpus": os.cpu_count(),
            "load_average_before": round(load_before, 2),
            "load_average_after": round(os.getloadavg()[0], 2),
            "python": sys.version.split()[0],
        },
        "scenarios": [
            {
                "name": r.scenario.name,
                "path": r.path,
                "requests_per_second": r.requests_per_second,
                "p50_ms": r.p50_ms,
                "p99_ms": r.p99_ms,
                "ratio_percent": None if (p := ratio(r, baseline)) is None else round(p, 1),
                "target": r.scenario.target,
                "meets_target": None
                if not r.scenario.target or p is None or r.failed
                else p >= TARGET_PERCENT,
                "rounds_requests_per_second": r.rounds,
                "requests": r.requests,
                "non_2xx_3xx": r.non_2xx_3xx,
                "socket_errors": r.socket_errors,
                "error": r.error,
            }
            for r in results
        ],
    }
    RESULTS_FILE.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"Written to {RESULTS_FILE.relative_to(PROJECT_DIR)}")


def catalogue_size(server: Server) -> int | None:
    try:
        status, _, body = server.get("/api/v1/services?page_size=1")
        return json.loads(body).get("count") if status == 200 else None
    except (OSError, ValueError):
        return None


# --- Main --------------------------------------------------------------------------------------------


def main() -> int:
    config = Config.from_env()
    if not shutil.which("wrk"):
        raise BenchError("wrk is not installed (make bench installs it: scripts/apt-install wrk)")
    scenarios = [s for s in SCENARIOS if s.name == BASELINE or not config.only or s.name in config.only]
    print(
        f"Bawaba bench: {len(scenarios)} scenarios, {config.warmup} s warm-up then {config.rounds} round(s) of "
        f"{config.seconds} s each; wrk {config.threads} threads / {config.connections} connections; "
        f"gunicorn {config.workers} {config.worker_class} workers"
    )
    if (load := os.getloadavg()[0]) > 0.5 * (os.cpu_count() or 1):
        warn(f"the machine is busy (load average {load:.1f} on {os.cpu_count()} CPUs): expect noisy numbers")
    state = State(config)
    server: Server | None = None
    try:
        print(f"Preparing a throwaway state in {state.var_dir}")
        state.prepare()
        server = Server(state)
        server.start()
        catalogue = catalogue_size(server)
        print(f"Serving on {server.base_url} ({state.database}, {catalogue} services published)")
        results = measure(server, scenarios)
        report(results, config, state, catalogue, load_before=load)
        failed = [r.scenario.name for r in results if r.failed]
        if failed:
            print(f"\nScenarios with errors: {', '.join(failed)}", file=sys.stderr)
            print(server.log_tail(), file=sys.stderr)
            return 1
        return 0
    finally:
        if server:
            server.stop()
        state.cleanup()


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # progress lines and warnings in order, also when piped
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("\nbench: interrupted; server stopped and temporary state removed", file=sys.stderr)
        sys.exit(130)
