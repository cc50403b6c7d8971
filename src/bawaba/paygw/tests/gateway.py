"""The sandbox gateway as its own process for a test, the way `make run` starts it, and a merchant's side:
signed requests and a webhook receiver on a real socket."""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from bawaba.paygw import signing

SECRET = "merchant-test-secret"
OTHER_SECRET = "another-merchant-secret"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float = 20, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


@dataclass
class Receiver:
    """A merchant's webhook endpoint: records each delivery; answers 500 to the first `fail_first`."""

    fail_first: int = 0
    received: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    url: str = ""

    def events(self, payment_id: str) -> list[dict]:
        return [body for body in self.received if body["id"] == payment_id]


@contextmanager
def webhook_receiver(fail_first: int = 0):
    receiver = Receiver(fail_first=fail_first)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            problem = signing.check(
                SECRET,
                self.headers.get("X-Paygw-Timestamp", ""),
                self.headers.get("X-Paygw-Signature", ""),
                body,
            )
            with lock:
                refuse = len(receiver.refused) < receiver.fail_first
                if refuse:
                    receiver.refused.append(json.loads(body))
                elif problem is None:
                    receiver.received.append(json.loads(body))
            self.send_response(500 if refuse or problem else 204)
            self.end_headers()

        def do_GET(self):
            # The merchant's return page, where the payer's browser lands after paying.
            body = b"<!doctype html><html lang='en'><head><title>Merchant</title></head><body><main><h1>Back at the merchant</h1></main></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_port}/webhook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Gateway:
    url: str
    merchant: str = "shop"
    secret: str = SECRET

    def signed(self, method: str, path: str, payload=None, *, secret=None, timestamp=None, headers=None):
        body = b"" if payload is None else json.dumps(payload).encode()
        signed = signing.signed_headers(secret or self.secret, body, now=timestamp)
        return requests.request(
            method,
            f"{self.url}{path}",
            data=body,
            headers={
                "X-Paygw-Merchant": self.merchant,
                "Content-Type": "application/json",
                **signed,
                **(headers or {}),
            },
            timeout=10,
            allow_redirects=False,
        )

    def create(self, amount: int = 15000, key: str | None = None, **fields) -> dict:
        payload = {
            "amount": amount,
            "currency": "EGP",
            "merchant_reference": f"APP-{uuid.uuid4().hex[:8]}",
            "return_url": "http://127.0.0.1:9/return?from=gw",
            "description": "Passport renewal fee",
            **fields,
        }
        response = self.signed(
            "POST", "/v1/payments", payload, headers={"Idempotency-Key": key or uuid.uuid4().hex}
        )
        assert response.status_code == 201, response.text
        return response.json()

    def status(self, payment_id: str) -> dict:
        response = self.signed("GET", f"/v1/payments/{payment_id}")
        assert response.status_code == 200, response.text
        return response.json()


class Payer:
    """A browser without JavaScript: a cookie jar, the CSRF token from each form, no automatic redirects."""

    def __init__(self, gateway: Gateway):
        self.gateway = gateway
        self.session = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.session.get(f"{self.gateway.url}{path}", timeout=10, allow_redirects=False)

    def submit(self, path: str, **fields) -> requests.Response:
        page = self.get(path)
        assert page.status_code == 200, page.text
        token = CSRF.search(page.text)[1]
        return self.session.post(
            f"{self.gateway.url}{path}",
            data={"csrfmiddlewaretoken": token, **fields},
            headers={"Referer": f"{self.gateway.url}{path}"},
            timeout=10,
            allow_redirects=False,
        )

    def pay(self, payment_id: str, card: str, lang: str = "en", **fields) -> requests.Response:
        form = {"card_number": card, "expiry": "12/39", "cvc": "123", "name": "Amina Hassan", **fields}
        return self.submit(f"/pay/{payment_id}?lang={lang}", **form)


@contextmanager
def gateway_process(tmp_path, webhook_url: str = "http://127.0.0.1:9/unused", **env_overrides):
    """`bawaba paygw serve` on a free port with its own database in tmp_path; quick webhooks by default."""
    port = free_port()
    env = {
        **os.environ,
        "BAWABA_PAYGW_DB": str(tmp_path / "paygw.sqlite3"),
        "BAWABA_PAYGW_MERCHANTS": json.dumps(
            {
                "shop": {"secret": SECRET, "webhook_url": webhook_url, "name": "Test shop"},
                "other": {"secret": OTHER_SECRET, "webhook_url": webhook_url, "name": "Another shop"},
            }
        ),
        "BAWABA_PAYGW_WEBHOOK_DELAY": "0.1",
        "BAWABA_PAYGW_WEBHOOK_DUPLICATE_AFTER": "0.2",
        "BAWABA_PAYGW_WEBHOOK_REORDER_CHANCE": "0",
        "BAWABA_PAYGW_WEBHOOK_REORDER_AFTER": "0.2",
        "BAWABA_PAYGW_WEBHOOK_BACKOFF": "0.2",
        "BAWABA_PAYGW_WEBHOOK_TRIES": "3",
        **env_overrides,
    }
    env.pop("BAWABA_PAYGW_URL", None)
    log = open(tmp_path / "paygw.log", "wb")  # noqa: SIM115 (closed below, after the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "bawaba.manage", "paygw", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(f"{url}/pay/none", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):
                if process.poll() is not None:
                    raise RuntimeError((tmp_path / "paygw.log").read_text()) from None
                time.sleep(0.2)
        else:
            raise RuntimeError("the payment gateway did not start")
        yield Gateway(url=url)
    finally:
        process.terminate()
        process.wait(10)
        log.close()
