"""Nothing lost, nothing twice, whatever fails: the sending lanes against a real local SMS centre (SMPP), SMS
gateway (HTTPS) and worker processes that are killed."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bawaba.notifications.dispatch import Lane, dispatch
from bawaba.notifications.lanes import lane_run
from bawaba.notifications.models import Message
from bawaba.notifications.providers.https_gateway.provider import HttpsGatewayProvider
from bawaba.notifications.services import notify_address
from bawaba.testing.sms_gateway import SmsGateway
from bawaba.testing.smsc import SmscSimulator

VALUES = {"reference": "BWB-2026-000042", "service": "تجديد رخصة تسيير مركبة"}


def queue(count: int) -> list[Message]:
    return [
        notify_address(
            notice="application.approved", channel="sms", to=f"+2010{n:08d}", values=VALUES, language="ar"
        )
        for n in range(count)
    ]


def wait_for(condition, timeout: float = 30.0, log=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            said = Path(log.name).read_text()[-3000:] if log else ""
            raise TimeoutError(f"the expected state was never reached: {statuses()}\n{said}")
        time.sleep(0.05)


def statuses() -> dict[str, int]:
    found: dict[str, int] = {}
    for status in Message.objects.values_list("status", flat=True):
        found[status] = found.get(status, 0) + 1
    return found


@pytest.fixture
def smpp_settings(settings):
    def use(port: int) -> None:
        settings.BAWABA_NOTIFICATION_PROVIDERS = {**settings.BAWABA_NOTIFICATION_PROVIDERS, "sms": "smpp"}
        settings.BAWABA_NOTIFICATION_OPTIONS = {
            **settings.BAWABA_NOTIFICATION_OPTIONS,
            "smpp": {**settings.BAWABA_NOTIFICATION_OPTIONS["smpp"], "port": port, "password": ""},
        }

    return use


@pytest.mark.django_db(transaction=True)
def test_the_sms_centre_down_for_a_while_then_every_message_arrives_once(smpp_settings):
    smsc = SmscSimulator()
    smsc.start()
    port = smsc.port
    smpp_settings(port)
    smsc.stop()  # the centre is down before the lane starts
    messages = queue(40)
    stopped = threading.Event()
    lane = threading.Thread(target=lane_run, args=(Lane("sms"), stopped), daemon=True)
    lane.start()
    try:
        time.sleep(1.5)  # the lane tries, finds the centre down, and waits
        assert statuses() == {"queued": 40}
        assert set(Message.objects.values_list("attempts", flat=True)) == {0}  # an outage is no one's attempt
        smsc.start()  # back, on the same port
        assert smsc.port == port
        wait_for(lambda: statuses().get("delivered") == 40)
    finally:
        stopped.set()
        lane.join(timeout=30)
        smsc.stop()
    assert set(smsc.accepted.values()) == {1} and len(smsc.accepted) == len(messages)
    arabic = smsc.messages[0]
    assert arabic.data_coding == 0x08 and arabic.text.startswith("بوابة: قُبل طلبك BWB-2026-000042")


@pytest.mark.django_db(transaction=True)
def test_a_centre_that_crashes_mid_batch_loses_nothing_and_repeats_nothing(smpp_settings):
    with SmscSimulator() as smsc:
        smpp_settings(smsc.port)
        queue(30)
        smsc.cut(after=10)  # the session dies right after answering ten: the rest of the batch is unanswered
        stopped = threading.Event()
        lane = threading.Thread(target=lane_run, args=(Lane("sms"), stopped), daemon=True)
        lane.start()
        try:
            wait_for(lambda: statuses().get("delivered") == 30)
        finally:
            stopped.set()
            lane.join(timeout=30)
        assert sum(smsc.accepted.values()) == 30 and set(smsc.accepted.values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_the_gateway_answering_garbage_fails_the_message_with_a_clear_reason():
    with SmsGateway() as gateway:
        message = queue(1)[0]
        gateway.garbage_next()
        provider = HttpsGatewayProvider(url=gateway.url, token=gateway.token, callback_secret="s" * 32)
        try:
            assert dispatch(Lane("sms"), provider) == 1
        finally:
            provider.close()
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "not JSON" in message.last_error and gateway.messages == []


SENDER = [str(Path(sys.executable).with_name("bawaba")), "notifications", "send", "--channel=sms"]


def sender(port: int, log) -> subprocess.Popen:
    """A sending process of its own, on this test's database, that can be killed like a real worker."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bawaba.settings.base",
        "BAWABA_SECRET_KEY": settings.SECRET_KEY,
        "BAWABA_SMS_PROVIDER": "smpp",
        "BAWABA_SMPP_PORT": str(port),
        "BAWABA_NOTIFICATION_LEASE_SECONDS": "3",
    }
    return subprocess.Popen(
        SENDER,
        env=env,
        cwd=Path(settings.PACKAGE_DIR).parent,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process needs a server database")
def test_a_worker_killed_mid_batch_leaves_nothing_lost_and_nothing_sent_twice(tmp_path):
    log = (tmp_path / "sender.log").open("w")
    with SmscSimulator() as smsc:
        messages = queue(60)
        smsc.hold(after=20)  # twenty answered, then the centre keeps the rest waiting
        first = sender(smsc.port, log)
        try:
            wait_for(lambda: statuses().get("sent", 0) + statuses().get("delivered", 0) == 20)
            smsc.wait_until(lambda s: s.held > 0)
        finally:
            first.send_signal(signal.SIGKILL)  # mid-batch: forty claimed, handed over, unanswered
            first.wait(timeout=10)
        smsc.stop()  # the dead worker's session goes with it; what it held was never taken
        assert statuses().get("sending", 0) == 40
        smsc.start()  # back up, fresh: answering again
        smsc.release()
        second = sender(smsc.port, log)
        try:
            wait_for(
                lambda: statuses().get("sent", 0) + statuses().get("delivered", 0) == 60, timeout=60, log=log
            )
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
        assert sum(smsc.accepted.values()) == len(messages) and set(smsc.accepted.values()) == {1}
