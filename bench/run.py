"""`make bench`: throughput of the main pages against a minimal Django view, under production settings.

Prepares a throwaway state (a temporary BAWABA_VAR_DIR with SQLite, or a temporary PostgreSQL database when
DATABASE_URL is set; Redis db 15 as the cache), migrates it, loads the demo catalogue, collects static files,
serves the app with gunicorn on 127.0.0.1 and drives each scenario with wrk, one at a time.

The application scenarios also need data, prepared before the server starts: synthetic applications
(`bawaba cases synth`), signed-in sessions and drafts ready to submit (bench/scenario_data.py); wrk drives them
with bench/scenarios.lua.

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
  BENCH_SCENARIOS        comma-separated scenario names to run (the baseline always runs, `insert` with
                         `submit` and `webhooks`, `signed-in` with `my-applications`)
  BENCH_APPLICATIONS     synthetic applications for my-applications and track (default 1,000,000 on
                         PostgreSQL, 100,000 on SQLite)
  BENCH_CITIZENS         synthetic citizens they belong to (default a tenth of BENCH_APPLICATIONS)
  BENCH_SUBMIT_POOL      citizens prepared with a draft at review, one per submission (default 600 per
                         second of submit load: warm-up plus rounds)
  BENCH_WEBHOOK_POOL     applications prepared owing a fee, one per webhook (default 1,000 per second of
                         webhooks load: warm-up plus rounds)
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

from bench.messages import TARGET_PER_SECOND, MessagesResult, measure_messages, report_messages
from bench.scenario_data import webhooks_sign

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
    target_percent: float | None = None  # req/s at least this share of the baseline's
    baseline: str = "minimal"  # the row its req/s is compared with
    fallback: Callable[[Server], str | None] | None = None  # another path when `path` does not answer 200
    mode: str | None = (
        None  # a mode of bench/scenarios.lua (with data from scenario_data.py); None: a plain GET
    )
    target_p95_ms: float | None = None  # the server's p95 time under this (see bench/middleware.py)
    one_connection: bool = False  # latency of one visitor at a time rather than throughput under load
    needs_applications: bool = False  # runs against the synthetic applications
    measures: str = ""  # said under the table

    @property
    def target(self) -> bool:
        return self.target_percent is not None or self.target_p95_ms is not None

    def target_words(self) -> str:
        if self.target_p95_ms is not None:
            return f"server p95 < {self.target_p95_ms:g} ms"
        if self.target_percent is not None:
            return f">= {self.target_percent:g} % of {self.baseline}"
        return ""


def first_service_page(server: Server) -> str | None:
    """The page of the first service the API lists, for when the usual demo service is missing."""
    status, _, body = server.get("/api/v1/services?page_size=1")
    if status != 200:
        return None
    items = json.loads(body).get("items") or []
    return f"/ar/services/{items[0]['code']}/" if items else None


BASELINE = "minimal"
INSERT = "insert"
SIGNED_IN = "signed-in"
MESSAGES = "messages"  # not an HTTP scenario: see bench/messages.py
SUBMIT_SERVICE = "municipality.complaint.submit"
ONE_USE = {"submit": "BENCH_SUBMIT_POOL", "webhooks": "BENCH_WEBHOOK_POOL"}  # modes whose rows are used up
# Add scenarios here. Plain ones are anonymous GETs; those with a mode are driven by bench/scenarios.lua.
SCENARIOS = [
    Scenario(BASELINE, "/bench/minimal"),
    Scenario("home-ar", "/ar/", target_percent=TARGET_PERCENT),
    Scenario("home-en", "/en/", target_percent=TARGET_PERCENT),
    Scenario(
        "service-ar",
        "/ar/services/civil.id-card.renew/",
        target_percent=TARGET_PERCENT,
        fallback=first_service_page,
    ),
    Scenario("category-ar", "/ar/categories/family/", target_percent=TARGET_PERCENT),
    Scenario("api-services", "/api/v1/services"),
    Scenario(
        INSERT,
        "/bench/insert",
        mode="insert",
        measures=(
            "insert: a form post (CSRF checked) that inserts one row and answers 200; the baseline of submit and "
            "webhooks."
        ),
    ),
    Scenario(
        "submit",
        f"/ar/services/{SUBMIT_SERVICE}/apply/review/",
        mode="submit",
        baseline=INSERT,
        target_percent=40,
        measures=(
            "submit: a signed-in citizen's final POST of the review page (CSRF token, submission key), each "
            "filing a new application through application_submit; the 302 to the confirmation is checked, the "
            "confirmation page itself is not fetched."
        ),
    ),
    Scenario(
        "webhooks",
        "/api/v1/payments/webhook",
        mode="webhooks",
        baseline=INSERT,
        target_percent=40,
        measures=(
            "webhooks: the card gateway's signed payment.succeeded webhook (JSON, HMAC-SHA256 over timestamp and "
            "body), each for another application's open fee intent: checked, kept once and its settling task "
            'queued; 200 with "new": true is checked. Settling (receipt number, audit entry, the event) and the '
            "relay (the application paid, the citizen told) are the task worker's, run after the rounds."
        ),
    ),
    Scenario(
        SIGNED_IN,
        "/bench/signed-in",
        mode=SIGNED_IN,
        measures=(
            "signed-in: a view that only answers a signed-in citizen (session read, account loaded): what every "
            "signed-in page costs before it does anything; my-applications can be no faster."
        ),
    ),
    Scenario(
        "my-applications",
        "/ar/account/applications/",
        mode="mine",
        target_percent=25,
        needs_applications=True,
        measures="my-applications: signed-in citizens in turn, each seeing the first page of their own applications.",
    ),
    Scenario(
        "track",
        "/ar/track/",
        mode="track",
        target_p95_ms=10,
        one_connection=True,
        needs_applications=True,
        measures=(
            "track: public tracking POSTs (reference + last four ID digits, each from its own address), one "
            "connection. server p95 is Django's own time (Server-Timing from the outermost middleware); p95 is "
            "wrk's round trip over loopback, which adds gunicorn's parsing and the socket."
        ),
    ),
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
    postgres: bool
    applications: int
    citizens: int
    submit_pool: int
    webhook_pool: int
    mine_sessions: int = 200
    track_pairs: int = 2000
    messages: int = 20_000

    @property
    def measures_messages(self) -> bool:
        return not self.only or MESSAGES in self.only

    def selected(self, scenario: Scenario) -> bool:
        if scenario.name == BASELINE or not self.only:
            return True
        # each runs with the pages it bounds
        companions = {INSERT: {"submit", "webhooks"}, SIGNED_IN: {"my-applications"}}
        return scenario.name in self.only or bool(companions.get(scenario.name, set()) & self.only)

    @classmethod
    def from_env(cls) -> Config:
        worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync").strip() or "sync"
        if worker_class not in {"sync", "gthread"}:
            raise BenchError("BENCH_WORKER_CLASS must be sync or gthread")
        connections = env_int("BENCH_CONNECTIONS", 16)
        only = frozenset(s.strip() for s in os.environ.get("BENCH_SCENARIOS", "").split(",") if s.strip())
        unknown = only - {s.name for s in SCENARIOS} - {MESSAGES}
        if unknown:
            raise BenchError(f"BENCH_SCENARIOS names unknown scenarios: {', '.join(sorted(unknown))}")
        seconds = env_int("BENCH_SECONDS", 5)
        warmup = env_int("BENCH_WARMUP", 2, minimum=0)
        rounds = env_int("BENCH_ROUNDS", 2)
        postgres = bool(os.environ.get("DATABASE_URL", "").strip())
        applications = env_int("BENCH_APPLICATIONS", 1_000_000 if postgres else 100_000)
        return cls(
            seconds=seconds,
            warmup=warmup,
            rounds=rounds,
            connections=connections,
            threads=min(env_int("BENCH_THREADS", 2), connections),
            workers=env_int("BENCH_WORKERS", 2),
            worker_class=worker_class,
            gunicorn_threads=env_int("BENCH_GUNICORN_THREADS", 4),
            redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
            only=only,
            postgres=postgres,
            applications=applications,
            citizens=env_int("BENCH_CITIZENS", max(1, applications // 10)),
            # More than a submission can take: a run that uses them all up is reported as an error.
            submit_pool=env_int("BENCH_SUBMIT_POOL", 600 * (warmup + rounds * seconds)),
            webhook_pool=env_int("BENCH_WEBHOOK_POOL", 1000 * (warmup + rounds * seconds)),
            messages=env_int("BENCH_MESSAGES", 20_000),
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
        self.data_files: dict[str, Path] = {}  # scenario mode -> what bench/scenarios.lua reads
        self.data_info: dict[str, object] = {}  # what the data is, for the report

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        # Settings the run must own: production, its own secret and host, a throwaway state.
        for name in (
            "BAWABA_SECRET_KEY_FILE",
            "BAWABA_PAYGW_SECRET_FILE",
            "BAWABA_SSL_REDIRECT",
            "BAWABA_DEBUG",
        ):
            env.pop(name, None)
        env.update(
            DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SETTINGS_MODULE", "bench.settings"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")])),
            BAWABA_VAR_DIR=str(self.var_dir),
            BAWABA_SECRET_KEY=secrets.token_urlsafe(48),
            BAWABA_ALLOWED_HOSTS=HOST,
            BAWABA_REDIS_URL=self.config.redis_url,
            # The card gateway's merchant secret: the webhooks scenario signs with it as the gateway does.
            BAWABA_PAYGW_SECRET=secrets.token_urlsafe(32),
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

    def prepare_scenarios(self, scenarios: list[Scenario]) -> None:
        """The data the application scenarios send: synthetic applications, signed-in sessions, drafts."""
        config = self.config
        if any(s.needs_applications for s in scenarios):
            run_step(
                f"cases synth ({config.applications:,} applications, {config.citizens:,} citizens)",
                [
                    *self.bawaba,
                    *(
                        "cases",
                        "synth",
                        f"--applications={config.applications}",
                        f"--citizens={config.citizens}",
                    ),
                ],
                self.env,
            )
            self._analyze()
            self.data_info.update(applications=config.applications, citizens=config.citizens)
        counts = {
            "submit": config.submit_pool,
            "webhooks": config.webhook_pool,
            "mine": config.mine_sessions,
            "signed-in": config.mine_sessions,
            "track": config.track_pairs,
        }
        for mode in dict.fromkeys(s.mode for s in scenarios if s.mode):
            out = self.var_dir / f"{mode}.tsv"
            command = [sys.executable, "-m", "bench.scenario_data", mode, f"--out={out}"]
            if mode in counts:
                command.append(f"--count={counts[mode]}")
            summary = run_step(f"data for {mode}", command, self.env)
            self.data_files[mode] = out
            if mode == "mine":
                self.data_info["my_applications_citizens"] = json.loads(summary)
            elif mode == "submit":
                self.data_info["submit_pool"] = config.submit_pool
            elif mode == "webhooks":
                self.data_info["webhook_pool"] = config.webhook_pool

    def _analyze(self) -> None:
        """Table statistics after the bulk load, as autovacuum would gather them within a minute or so."""
        if not self.pg_database:
            return
        import psycopg

        started = time.monotonic()
        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True, connect_timeout=10) as connection:
            connection.execute("ANALYZE")
        print(f"  analyze: done ({time.monotonic() - started:.1f} s)")

    def filed_by_bench(self) -> int:
        """Applications filed so far by the citizens prepared for the submit scenario."""
        command = [sys.executable, "-m", "bench.scenario_data", "filed"]
        result = subprocess.run(
            command, env=self.env, cwd=PROJECT_DIR, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise BenchError(f"could not count the applications filed: {result.stderr.strip()}")
        return int(result.stdout.strip().splitlines()[-1])

    def webhooks_settled(self, posted: list[str]) -> dict[str, int]:
        """Runs the task worker until the queue is empty (the payment events relayed to their applications),
        then counts what the posted webhooks (their payment ids) settled."""
        run_step(
            "task worker, until the queue is empty",
            [*self.bawaba, "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
            self.env,
        )
        listed = self.var_dir / "webhooks-posted.txt"
        listed.write_text("\n".join(posted) + "\n")
        command = [sys.executable, "-m", "bench.scenario_data", "webhooks-paid", f"--posted={listed}"]
        result = subprocess.run(
            command, env=self.env, cwd=PROJECT_DIR, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise BenchError(f"could not count what the webhooks settled: {result.stderr.strip()}")
        return json.loads(result.stdout.strip().splitlines()[-1])

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


def run_step(label: str, command: list[str], env: dict[str, str], tolerate: str | None = None) -> str:
    """Run one setup command; a failure stops the benchmark unless its message contains `tolerate`.
    Returns the last line it printed."""
    started = time.monotonic()
    result = subprocess.run(command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    took = time.monotonic() - started
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "done"
    if result.returncode == 0:
        print(f"  {label}: {summary} ({took:.1f} s)")
        return summary
    if tolerate and tolerate in result.stderr:
        print(f"  {label}: {summary} ({took:.1f} s), with problems; going on with what loaded:")
        for line in result.stderr.strip().splitlines()[-20:]:
            print(f"    {line}")
        return summary
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
    p95_ms: float | None = None  # scripted scenarios only (wrk's --latency prints no 95th percentile)
    p99_ms: float | None = None
    server_p50_ms: float | None = (
        None  # Django's own time, from the Server-Timing header (scripted scenarios)
    )
    server_p95_ms: float | None = None
    server_p99_ms: float | None = None
    requests: int | None = None
    non_2xx_3xx: int = 0
    unexpected: int = (
        0  # answers the script did not expect (another status or Location, the page lacking its mark)
    )
    first_unexpected: str = ""
    socket_errors: dict[str, int] | None = None
    error: str | None = None
    rounds: list[float | None] | None = None  # requests/s of every round
    used: int = 0  # rows of the data file a thread used at most (submit: drafts filed)
    used_each: list[int] | None = None  # rows of the data file each wrk thread used, in thread order

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + self.unexpected + sum((self.socket_errors or {}).values())

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
    if result.scenario.mode:
        parse_script(output, result)


def parse_script(output: str, result: Result) -> None:
    """The line bench/scenarios.lua prints when wrk is done."""
    match = re.search(r"^bench: (.*)$", output, re.MULTILINE)
    if not match:
        result.error = "the wrk script printed no summary"
        return
    fields = dict(pair.split("=", 1) for pair in match[1].split())

    def ms(name: str) -> float | None:
        value = float(fields.get(name, "-1"))
        return None if value < 0 else value

    result.p95_ms = ms("p95_ms")
    result.server_p50_ms, result.server_p95_ms = ms("server_p50_ms"), ms("server_p95_ms")
    result.server_p99_ms = ms("server_p99_ms")
    result.unexpected = int(fields.get("bad", 0))
    result.first_unexpected = fields.get("first_bad", "").replace("_", " ")
    result.used = int(fields.get("used", 0))
    result.used_each = [int(n) for n in fields.get("used_each", "").split(",") if n]
    if int(fields.get("samples", 0)) == 0 and result.requests:
        result.error = "no Server-Timing header in the answers"
    if fields.get("exhausted") == "1":
        pool = ONE_USE.get(result.scenario.mode or "", "the pool")
        result.error = f"the prepared {result.scenario.mode} data ran out during the run: raise {pool}"
    elif result.unexpected and not result.error:
        result.error = f"{result.unexpected} unexpected answers, the first: {result.first_unexpected}"


def wrk(
    config: Config, url: str, seconds: int, scenario: Scenario | None = None, script: list[str] = ()
) -> str:
    connections = 1 if scenario and scenario.one_connection else config.connections
    threads = 1 if scenario and scenario.one_connection else config.threads
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        *(arg for name, value in HEADERS.items() for arg in ("-H", f"{name}: {value}")),
    ]
    if script:
        command += ["-s", str(BENCH_DIR / "scenarios.lua"), url, "--", *script, str(threads)]
    else:
        command.append(url)
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


class Runner:
    """One wrk run of a scenario at a time; scripted scenarios get their data file, and those that use their rows
    up (submit, webhooks) a fresh part of it every run, so that no draft is submitted twice and no webhook sent
    twice. The webhooks are signed right before each run, as the gateway signs a delivery when it sends it."""

    def __init__(self, server: Server):
        self.server = server
        self.config = server.state.config
        self.offsets = dict.fromkeys(ONE_USE, 0)
        self.requests = dict.fromkeys(ONE_USE, 0)  # completed by wrk, warm-up included
        self.runs = dict.fromkeys(ONE_USE, 0)
        self.posted: list[int] = []  # the webhooks' rows (0-based) handed to wrk, whether or not answered

    def run(self, scenario: Scenario, path: str, seconds: int) -> Result:
        script: list[str] = []
        mode = scenario.mode
        if mode:
            data = self.server.state.data_files[mode]
            if mode == "webhooks":
                signed = data.with_name("webhooks-signed.tsv")
                webhooks_sign(data, signed, secret=self.server.state.env["BAWABA_PAYGW_SECRET"])
                data = signed
            script = [mode, str(data), str(self.offsets.get(mode, 0))]
        result = Result(scenario, path)
        parse_wrk(wrk(self.config, self.server.base_url + path, seconds, scenario, script), result)
        if mode in ONE_USE:
            threads, offset = self.config.threads, self.offsets[mode]
            if mode == "webhooks":
                # As bench/scenarios.lua deals them: thread `id` (from 1) takes rows offset+id, offset+id+threads…
                self.posted += [
                    offset + thread + k * threads
                    for thread, used in enumerate(result.used_each or [])
                    for k in range(used)
                ]
            self.offsets[mode] += threads * result.used
            self.requests[mode] += result.requests or 0
            self.runs[mode] += 1
        return result

    def check_filed(self, result: Result) -> None:
        """Every submission filed one new application: as many as wrk saw answered, give or take the requests
        in flight when it stopped."""
        filed = self.server.state.filed_by_bench()
        answered = self.requests["submit"]
        in_flight = self.config.connections * self.runs["submit"]
        print(f"  submit: {filed:,} applications filed for {answered:,} submissions answered")
        if not answered <= filed <= answered + in_flight:
            result.error = f"{filed} applications filed for {answered} submissions answered"

    def check_settled(self, result: Result) -> None:
        """Exactly the intents whose webhooks were posted are paid, their applications paid and their citizens
        told, once the worker has relayed the events: at least as many as wrk saw answered, at most the requests
        in flight when it stopped more, and not one that was not posted."""
        bodies = self.server.state.data_files["webhooks"].read_text().splitlines()[1:]
        posted = [json.loads(bodies[row])["id"] for row in self.posted]
        started = time.monotonic()
        counts = self.server.state.webhooks_settled(posted)
        answered = self.requests["webhooks"]
        in_flight = self.config.connections * self.runs["webhooks"]
        succeeded = counts["succeeded"]
        print(
            f"  webhooks: {succeeded:,} intents paid for {answered:,} webhooks answered "
            f"({len(posted):,} posted); {counts['paid']:,} applications paid, {counts['told']:,} citizens told "
            f"({time.monotonic() - started:.1f} s)"
        )
        wrong = {
            name: counts[name]
            for name in (
                "succeeded_not_posted",
                "other_final",
                "paid_not_succeeded",
                "succeeded_not_paid",
                "paid_other_state",
            )
            if counts[name]
        }
        if len(posted) != len(set(posted)):
            wrong["posted_twice"] = len(posted) - len(set(posted))
        if counts["told"] != succeeded:
            wrong["told"] = counts["told"]
        if wrong or not answered <= succeeded <= answered + in_flight:
            details = ", ".join(f"{name} {n}" for name, n in wrong.items())
            result.error = f"{succeeded} intents paid for {answered} webhooks answered" + (
                f"; {details}" if details else ""
            )


def measure(server: Server, scenarios: list[Scenario]) -> list[Result]:
    """Every scenario, one at a time, in `rounds` rounds; each keeps its best round.

    Rounds interleave the baseline with the pages, so a burst of other work on the machine slows one
    round of some scenarios rather than all of one; the best round is the least disturbed. Scripted scenarios
    check every answer; their warm-up is their check: one with errors there is not measured.
    """
    config = server.state.config
    runner = Runner(server)
    paths: dict[str, str] = {}
    runs: dict[str, list[Result]] = {}
    problems: dict[str, Result] = {}
    for scenario in scenarios:
        if scenario.mode:
            path, problem = scenario.path, None
        else:
            try:
                path, problem = check_page(server, scenario)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                path, problem = scenario.path, f"{type(exc).__name__}: {exc}"
        if problem:
            print(f"  {scenario.name:<15} {path}: {problem}, not measured")
            problems[scenario.name] = Result(scenario, path, error=problem)
        else:
            paths[scenario.name] = path
            runs[scenario.name] = []
    for round_number in range(1, config.rounds + 1):
        for scenario in scenarios:
            if scenario.name not in paths or scenario.name in problems:
                continue
            path = paths[scenario.name]
            if round_number == 1 and (config.warmup or scenario.mode):
                warm = runner.run(scenario, path, max(config.warmup, 1))
                if scenario.mode and warm.failed:
                    print(f"  warm-up  {scenario.name:<15} {path}: {warm.error}, not measured")
                    problems[scenario.name] = warm
                    continue
            run = runner.run(scenario, path, config.seconds)
            runs[scenario.name].append(run)
            rps = "?" if run.requests_per_second is None else f"{run.requests_per_second:,.0f} req/s"
            server_time = f", server p95 {run.server_p95_ms:.2f} ms" if run.server_p95_ms is not None else ""
            errors = f", {run.errors} errors" if run.errors else ""
            print(f"  round {round_number}  {scenario.name:<15} {run.path}: {rps}{server_time}{errors}")
    results = [problems.get(s.name) or best_of(runs[s.name]) for s in scenarios]
    for result in results:
        if result.scenario.name in problems:
            continue
        if result.scenario.mode == "submit":
            runner.check_filed(result)
        elif result.scenario.mode == "webhooks":
            runner.check_settled(result)
    return results


def best_of(runs: list[Result]) -> Result:
    """The round with the most requests/s (for a latency target, the lowest server p95); errors add up over all
    rounds."""
    measured = [r for r in runs if r.requests_per_second is not None]
    if not measured:
        best = runs[0]
    elif runs[0].scenario.target_p95_ms is not None:
        best = min(measured, key=lambda r: (r.server_p95_ms is None, r.server_p95_ms or 0))
    else:
        best = max(measured, key=lambda r: r.requests_per_second)
    kinds = ("connect", "read", "write", "timeout")
    return Result(
        best.scenario,
        best.path,
        requests_per_second=best.requests_per_second,
        p50_ms=best.p50_ms,
        p95_ms=best.p95_ms,
        p99_ms=best.p99_ms,
        server_p50_ms=best.server_p50_ms,
        server_p95_ms=best.server_p95_ms,
        server_p99_ms=best.server_p99_ms,
        requests=best.requests,
        non_2xx_3xx=sum(r.non_2xx_3xx for r in runs),
        unexpected=sum(r.unexpected for r in runs),
        first_unexpected=next((r.first_unexpected for r in runs if r.first_unexpected), ""),
        socket_errors={k: sum((r.socket_errors or {}).get(k, 0) for r in runs) for k in kinds},
        error=next((r.error for r in runs if r.error), None),
        rounds=[r.requests_per_second for r in runs],
    )


# --- Report ------------------------------------------------------------------------------------------


def ratio(result: Result, baselines: dict[str, Result]) -> float | None:
    """req/s as a share of its baseline's; none for one-connection scenarios, which measure latency."""
    baseline = baselines.get(result.scenario.baseline)
    if result.scenario.one_connection or result.scenario.name == result.scenario.baseline:
        return None
    if not baseline or not baseline.requests_per_second or result.requests_per_second is None:
        return None
    return 100.0 * result.requests_per_second / baseline.requests_per_second


def meets(result: Result, percent: float | None) -> bool | None:
    scenario = result.scenario
    if result.failed or not scenario.target:
        return None
    if scenario.target_p95_ms is not None:
        return None if result.server_p95_ms is None else result.server_p95_ms < scenario.target_p95_ms
    return None if percent is None else percent >= scenario.target_percent


def verdict(result: Result, percent: float | None) -> str:
    if result.failed:
        return "ERROR: " + (result.error or f"{result.errors} errors")
    if result.scenario.name in (BASELINE, INSERT):
        return "baseline"
    met = meets(result, percent)
    if met is None:
        return ""
    return ("meets target" if met else "BELOW TARGET") + f" ({result.scenario.target_words()})"


def number(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def report(
    results: list[Result],
    config: Config,
    state: State,
    catalogue: int | None,
    load_before: float,
    messages: list[MessagesResult],
) -> None:
    baselines = {r.scenario.name: r for r in results if r.scenario.name in (BASELINE, INSERT)}
    header = ("scenario", "path", "req/s", "p50 ms", "p95 ms", "p99 ms", "server p95", "vs baseline", "")
    rows = []
    for result in results:
        percent = ratio(result, baselines)
        rows.append(
            (
                result.scenario.name + (" (1 conn.)" if result.scenario.one_connection else ""),
                result.path,
                number(result.requests_per_second, 0),
                number(result.p50_ms, 2),
                number(result.p95_ms, 2),
                number(result.p99_ms, 2),
                number(result.server_p95_ms, 2),
                "—" if percent is None else f"{percent:.1f} % {result.scenario.baseline}",
                verdict(result, percent),
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    left = {0, 1, 8}
    print()
    for row in [header, *rows]:
        cells = [
            str(cell).ljust(width) if i in left else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
    print(
        f"\nTargets: anonymous home, catalogue and service pages at >= {TARGET_PERCENT} % of the minimal view's "
        "requests/s (ratio = page req/s / minimal req/s); submit, webhooks, my-applications and track as marked."
    )
    shown = {r.scenario.name for r in results}
    notes = [s.measures for s in SCENARIOS if s.measures and s.name in shown]
    if any(s.needs_applications for s in SCENARIOS if s.name in shown):
        people = state.data_info.get("my_applications_citizens") or {}
        notes.append(
            f"Data: {config.applications:,} synthetic applications of {config.citizens:,} citizens in "
            f"{state.database}"
            + (
                f"; my-applications cycles through {people['citizens']} of them holding "
                f"{people['applications_median']} applications at the median "
                f"(mean {people['applications_mean']}, {people['applications_min']}–{people['applications_max']})."
                if people
                else "."
            )
        )
    for note in notes:
        print(f"- {note}")

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
        "data": state.data_info,
        "scenarios": [
            {
                "name": r.scenario.name,
                "path": r.path,
                "measures": r.scenario.measures or None,
                "connections": 1 if r.scenario.one_connection else config.connections,
                "requests_per_second": r.requests_per_second,
                "p50_ms": r.p50_ms,
                "p95_ms": r.p95_ms,
                "p99_ms": r.p99_ms,
                "server_p50_ms": r.server_p50_ms,
                "server_p95_ms": r.server_p95_ms,
                "server_p99_ms": r.server_p99_ms,
                "baseline": None if r.scenario.name == r.scenario.baseline else r.scenario.baseline,
                "ratio_percent": None if (p := ratio(r, baselines)) is None else round(p, 1),
                "target": r.scenario.target_words() or None,
                "target_percent": r.scenario.target_percent,
                "target_server_p95_ms": r.scenario.target_p95_ms,
                "meets_target": meets(r, p),
                "rounds_requests_per_second": r.rounds,
                "requests": r.requests,
                "non_2xx_3xx": r.non_2xx_3xx,
                "unexpected_answers": r.unexpected,
                "socket_errors": r.socket_errors,
                "error": r.error,
            }
            for r in results
        ],
    }
    if messages:
        report_messages(messages)
        document["messages"] = [
            {
                "channel": r.channel,
                "messages_queued": r.messages,
                "messages_sent": r.sent,
                "seconds": r.seconds,
                "messages_per_second": None if r.per_second is None else round(r.per_second),
                "target_messages_per_second": TARGET_PER_SECOND,
                "meets_target": r.meets,
                "error": r.error,
            }
            for r in messages
        ]
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
    scenarios = [s for s in SCENARIOS if config.selected(s)]
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
        state.prepare_scenarios(scenarios)
        server = Server(state)
        server.start()
        catalogue = catalogue_size(server)
        print(f"Serving on {server.base_url} ({state.database}, {catalogue} services published)")
        results = measure(server, scenarios)
        log_tail = server.log_tail()
        server.stop()  # the messages are sent with the web server idle
        sent = []
        if config.measures_messages:
            print(f"Sending {config.messages:,} messages per channel")
            sent = measure_messages(
                bawaba=state.bawaba, env=state.env, cwd=PROJECT_DIR, count=config.messages
            )
        report(results, config, state, catalogue, load_before=load, messages=sent)
        failed = [r.scenario.name for r in results if r.failed] + [
            f"messages-{r.channel}" for r in sent if r.error
        ]
        if failed:
            print(f"\nScenarios with errors: {', '.join(failed)}", file=sys.stderr)
            print(log_tail, file=sys.stderr)
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
