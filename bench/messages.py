"""The messages scenario of `make bench`: how many messages one sending process pushes through, per second.

A local SMS centre (`bawaba smsc serve`, SMPP 3.4) and a local SMTP server (aiosmtpd, discarding what it takes)
listen on free loopback ports; BENCH_MESSAGES queued messages per channel are written to the database
(`bench.scenario_data messages`: Arabic notices from the shipped wording, two SMS parts each); then one
`bawaba notifications send --channel <c> --until-empty` process sends them with the real providers (smpp, smtp)
and its own clock from the first claim to the last outcome written is the time. Every message must end "sent".
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

TARGET_PER_SECOND = 1000


@dataclass
class MessagesResult:
    channel: str
    messages: int
    seconds: float | None = None
    sent: int = 0
    error: str | None = None

    @property
    def per_second(self) -> float | None:
        return self.sent / self.seconds if self.seconds else None

    @property
    def meets(self) -> bool | None:
        return None if self.per_second is None or self.error else self.per_second >= TARGET_PER_SECOND


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_listening(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} within 30 s")


def measure_messages(*, bawaba: list[str], env: dict[str, str], cwd, count: int) -> list[MessagesResult]:
    smsc_port, smtp_port = _free_port(), _free_port()
    servers = [
        (
            subprocess.Popen(
                [*bawaba, "smsc", "serve", f"--port={smsc_port}"],
                env=env,
                cwd=cwd,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            smsc_port,
            "the SMS centre",
        ),
        (
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "aiosmtpd",
                    "-n",
                    "-l",
                    f"127.0.0.1:{smtp_port}",
                    "-c",
                    "aiosmtpd.handlers.Sink",
                ],
                env=env,
                cwd=cwd,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            smtp_port,
            "the SMTP server",
        ),
    ]
    sending_env = {
        **env,
        "BAWABA_SMS_PROVIDER": "smpp",
        "BAWABA_SMPP_PORT": str(smsc_port),
        "BAWABA_EMAIL_PROVIDER": "smtp",
        "BAWABA_EMAIL_HOST": "127.0.0.1",
        "BAWABA_EMAIL_PORT": str(smtp_port),
    }
    results = []
    try:
        for process, port, what in servers:
            _wait_listening(port, process, what)
        for channel in ("sms", "email"):
            result = MessagesResult(channel, count)
            results.append(result)
            data = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.scenario_data",
                    "messages",
                    f"--channel={channel}",
                    f"--count={count}",
                ],
                env=env,
                cwd=cwd,
                capture_output=True,
                text=True,
                check=False,
            )
            if data.returncode != 0:
                result.error = f"writing the messages failed: {data.stderr.strip()[-300:]}"
                continue
            sent = subprocess.run(
                [*bawaba, "notifications", "send", f"--channel={channel}", "--until-empty"],
                env=sending_env,
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if sent.returncode != 0 or not (match := re.search(r"sent (\d+) in ([\d.]+) s", sent.stdout)):
                result.error = f"sending failed: {(sent.stderr or sent.stdout).strip()[-300:]}"
                continue
            result.sent, result.seconds = int(match[1]), float(match[2])
            if result.sent != count:
                result.error = f"{result.sent} of {count} messages sent"
            print(
                f"  messages {channel:<5} {count:,} in {result.seconds:.2f} s: {result.per_second:,.0f} messages/s"
            )
    finally:
        for process, _port, _what in servers:
            process.terminate()
        for process, _port, _what in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return results


def report_messages(results: list[MessagesResult]) -> None:
    print(
        f"\nchannel  messages  seconds  messages/s  (target >= {TARGET_PER_SECOND:,} messages/s per sending process)"
    )
    for r in results:
        rate = "—" if r.per_second is None else f"{r.per_second:,.0f}"
        seconds = "—" if r.seconds is None else f"{r.seconds:.2f}"
        verdict = f"ERROR: {r.error}" if r.error else ("meets target" if r.meets else "BELOW TARGET")
        print(f"{r.channel:<7}  {r.messages:>8,}  {seconds:>7}  {rate:>10}  {verdict}")
    print(
        "- messages: one `bawaba notifications send` process (an urgent and a normal lane per channel) sends "
        "queued notices to a local SMS centre over SMPP (Arabic, two parts each) and to a local SMTP server; "
        "the time runs from its first claim to its last outcome written."
    )
