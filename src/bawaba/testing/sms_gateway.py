"""A local SMS gateway speaking the https-gateway protocol (see providers/https_gateway/provider.py).

It runs in a thread on 127.0.0.1 (a free port), checks the bearer token, honours Idempotency-Key, keeps every
message it accepted (so a test sees each exactly once), and can be bent: fail the next requests with a status
(503, 429…), answer the next ones with garbage, refuse a number, and call the portal back, signed, a little
after each message it accepts.
"""

import contextlib
import json
import math
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from bawaba.notifications.providers.https_gateway.signatures import signature_headers

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# GSM 03.38: the default alphabet (one septet each) and its extension table (two septets each).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")


def segments_count(text: str) -> int:
    """SMS parts a text takes: 160 (153 when split) GSM 7-bit septets, else 70 (67) UCS-2 units."""
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        units, single, part = sum(2 if c in GSM_EXTENDED else 1 for c in text), 160, 153
    else:
        units, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)


@dataclass
class Callbacks:
    url: str
    secret: str
    delay: float = 0.0
    status: str = "delivered"
    error: str = ""


@dataclass
class SmsGateway:
    token: str = "gateway-test-token"  # noqa: S105 (a simulator's, for tests)
    messages: list[dict] = field(default_factory=list)  # accepted, once each
    callbacks_sent: list[dict] = field(default_factory=list)  # {"id", "status", "answer_status", "answer"}

    def __post_init__(self):
        self._lock = threading.Lock()
        self._by_key: dict[str, dict] = {}
        self._failures: list[int] = []
        self._garbage = 0
        self._refused: dict[str, str] = {}
        self._holds = 0
        self._released = threading.Event()
        self._callbacks: Callbacks | None = None
        self._timers: list[threading.Timer] = []
        self._server: ThreadingHTTPServer | None = None
        self._open_connections: set[socket.socket] = set()
        self.requests = 0
        self.connections = 0  # opened by clients: a kept-alive client opens one

    # running

    def start(self, port: int = 0) -> "SmsGateway":
        """Listen on `port` (a free one by default; a stopped gateway's own to play a restart)."""
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="sms-gateway", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._released.set()
        with self._lock:
            timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        # Kept-alive connections outlive the listening socket: cut them, as a stopped process would.
        with self._lock:
            connections, self._open_connections = self._open_connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> "SmsGateway":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "the gateway is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/messages"

    # bending

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    def garbage_next(self, count: int = 1) -> None:
        with self._lock:
            self._garbage += count

    def hold_next(self, count: int = 1) -> None:
        """Keep the next requests unanswered until release(), then take them: an answer the sender lost."""
        with self._lock:
            self._holds += count
            self._released.clear()

    def release(self) -> None:
        self._released.set()

    def refuse_number(self, number: str, error: str = "the number is barred") -> None:
        with self._lock:
            self._refused[number] = error

    def callbacks_to(
        self, url: str, secret: str, *, delay: float = 0.0, status: str = "delivered", error: str = ""
    ):
        """After each message it accepts, call `url` back `delay` seconds later, signed with `secret`."""
        self._callbacks = Callbacks(url=url, secret=secret, delay=delay, status=status, error=error)

    def callback_send(
        self, url: str, secret: str, message_id: str, status: str = "delivered", error: str = ""
    ) -> requests.Response:
        """One signed delivery callback, now; its answer is also kept in callbacks_sent."""
        body = json.dumps(
            {"id": message_id, "status": status, "error": error, "at": datetime.now(UTC).isoformat()}
        ).encode()
        headers = {"Content-Type": "application/json", **signature_headers(secret, body, time.time())}
        response = requests.post(url, data=body, headers=headers, timeout=10)
        with self._lock:
            self.callbacks_sent.append(
                {
                    "id": message_id,
                    "status": status,
                    "answer_status": response.status_code,
                    "answer": response.text,
                }
            )
        return response

    # what a test waits on

    def wait_until(self, condition, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the SMS gateway did not reach the expected state in time")
            time.sleep(0.01)

    # the protocol

    def _receive(self, headers, body: bytes) -> tuple[int, str, bytes]:
        """(status, content type, body) for one POST /messages."""
        if headers.get("Authorization") != f"Bearer {self.token}":
            return error(401, "missing or wrong bearer token")
        try:
            request = json.loads(body)
            to, text = request["to"], request["text"]
        except (ValueError, KeyError, TypeError):
            return error(400, "the body must be JSON with 'to' and 'text'")
        if not (isinstance(to, str) and E164.match(to)):
            return error(400, "'to' must be an E.164 number such as +201012345678")
        if not (isinstance(text, str) and text):
            return error(400, "'text' must not be empty")
        key = headers.get("Idempotency-Key") or ""
        with self._lock:
            self.requests += 1
            if self._failures:
                return error(self._failures.pop(0), "the gateway is unavailable, try again later")
            if self._garbage:
                self._garbage -= 1
                return 200, "text/html", b"<html><body>Service temporarily moved</body></html>"
            if to in self._refused:
                return error(400, self._refused[to])
            if key and key in self._by_key:
                return 200, "application/json", json.dumps(self._by_key[key]).encode()
            answer = {"id": f"gw-{uuid.uuid4().hex[:16]}", "segments": segments_count(text)}
            self.messages.append(
                {**answer, "to": to, "text": text, "client_reference": request.get("client_reference")}
            )
            if key:
                self._by_key[key] = answer
            if self._callbacks is not None:
                self._callback_later(answer["id"])
        return 201, "application/json", json.dumps(answer).encode()

    def _callback_later(self, message_id: str) -> None:
        callbacks = self._callbacks

        def call():
            try:
                self.callback_send(
                    callbacks.url, callbacks.secret, message_id, callbacks.status, callbacks.error
                )
            except requests.RequestException as problem:
                with self._lock:
                    self.callbacks_sent.append(
                        {
                            "id": message_id,
                            "status": callbacks.status,
                            "answer_status": None,
                            "answer": str(problem),
                        }
                    )

        timer = threading.Timer(callbacks.delay, call)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway

            def setup(self):
                super().setup()
                with gateway._lock:
                    gateway.connections += 1
                    gateway._open_connections.add(self.connection)

            def finish(self):
                with gateway._lock:
                    gateway._open_connections.discard(self.connection)
                super().finish()

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with gateway._lock:
                    held, gateway._holds = gateway._holds > 0, max(0, gateway._holds - 1)
                if held:
                    gateway._released.wait(timeout=60)
                if self.path != "/messages":
                    status, content_type, answer = error(404, "no such endpoint")
                else:
                    status, content_type, answer = gateway._receive(self.headers, body)
                with contextlib.suppress(OSError):  # a sender that gave up waiting has gone
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)

            def log_message(self, format, *args):
                pass

        return Handler


def error(status: int, words: str) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps({"error": words}).encode()
