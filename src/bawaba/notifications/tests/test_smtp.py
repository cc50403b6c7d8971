"""The SMTP provider against a real SMTP server (aiosmtpd) on a free local port."""

import email
import email.policy
import uuid

import pytest
from aiosmtpd.controller import Controller
from django.utils import translation

from bawaba.notifications.providers import Accepted, Outgoing, Refused, TransientFailure
from bawaba.notifications.providers.smtp.provider import SmtpProvider

FROM = "بوابة <no-reply@bawaba.example>"


class Mailbox:
    """An aiosmtpd handler keeping what it receives; addresses in `refuse` get the given answer at RCPT."""

    def __init__(self):
        self.received: list[email.message.EmailMessage] = []
        self.refuse: dict[str, str] = {}
        self.hang_up_on: set[str] = set()  # the server drops the session when one of these is sent
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hang_up_on.intersection(envelope.rcpt_tos):
            server.transport.abort()
            return "421 gone"
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


class LocalSmtpServer(Controller):
    """aiosmtpd's controller on 127.0.0.1, on a free port unless given one (to play a restart)."""

    def __init__(self, handler, port: int = 0):
        super().__init__(handler, hostname="127.0.0.1", port=port)

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()

    def stop(self):
        if self._thread is not None:  # a test may have stopped it already, to play an outage
            super().stop()


@pytest.fixture
def mailbox():
    return Mailbox()


@pytest.fixture
def smtp_server(mailbox, settings):
    server = LocalSmtpServer(mailbox)
    server.start()
    # The test runner swaps every mailer for the in-memory one: this test's is the real SMTP backend.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    yield server
    server.stop()


@pytest.fixture
def provider(smtp_server):
    provider = SmtpProvider(from_email=FROM, sessions=2)
    yield provider
    provider.close()


@pytest.fixture
def one_session(smtp_server):
    provider = SmtpProvider(from_email=FROM, sessions=1)
    yield provider
    provider.close()


@pytest.fixture(autouse=True)
def english_reasons():
    with translation.override("en"):
        yield


def mail_to(
    to="citizen@example.org", *, language="ar", subject="تم استلام طلبك", body="مرحباً\n\nتم استلام طلبك."
):
    return Outgoing(
        uuid=str(uuid.uuid4()),
        channel="email",
        to=to,
        subject=subject,
        body=body,
        language=language,
        kind="application.submitted",
    )


def send(provider, *messages) -> dict:
    return dict(provider.send_batch(messages))


def html_of(received) -> str:
    return received.get_body(("html",)).get_content().replace("\r\n", "\n")


def text_of(received) -> str:
    return received.get_body(("plain",)).get_content().replace("\r\n", "\n").rstrip("\n")


def test_an_arabic_email_arrives_intact_with_a_right_to_left_html_part(mailbox, provider):
    message = mail_to(body="مرحباً يا أحمد،\n\nتم استلام طلبك رقم BWB-2026-000123.\nسنخبرك بكل خطوة.")
    outcome = send(provider, message)[message.uuid]
    assert outcome == Accepted(reference=f"<{message.uuid}@bawaba.example>")
    [received] = mailbox.received
    assert received["Subject"] == "تم استلام طلبك"
    assert received["Message-ID"] == outcome.reference
    assert received["From"].addresses[0].display_name == "بوابة"
    assert received["To"] == "citizen@example.org" and received["Auto-Submitted"] == "auto-generated"
    assert received.get_content_type() == "multipart/alternative"
    assert text_of(received) == message.body
    html = html_of(received)
    assert '<html lang="ar" dir="rtl">' in html
    assert ">بوابة<" in html
    assert ">مرحباً يا أحمد،</p>" in html
    assert "تم استلام طلبك رقم BWB-2026-000123.<br>سنخبرك بكل خطوة.</p>" in html


def test_an_english_email_is_laid_out_left_to_right(mailbox, provider):
    message = mail_to(
        language="en", subject="We received your application", body="Hello Ahmed,\n\nThank you."
    )
    send(provider, message)
    [received] = mailbox.received
    html = html_of(received)
    assert '<html lang="en" dir="ltr">' in html and 'dir="rtl"' not in html
    assert ">Bawaba<" in html and "This message was sent by the Bawaba portal." in html
    assert ">Hello Ahmed,</p>" in html and ">Thank you.</p>" in html


def test_the_body_is_escaped_in_the_html_part(mailbox, provider):
    body = "<script>alert('x')</script>\n\nTom & Jerry <b>bold</b>"
    message = mail_to(language="en", subject="Escaping", body=body)
    send(provider, message)
    html = html_of(mailbox.received[0])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "Tom &amp; Jerry &lt;b&gt;" in html
    assert text_of(mailbox.received[0]) == body


def test_a_refused_recipient_fails_for_good_with_the_servers_words(mailbox, provider):
    mailbox.refuse["nobody@example.org"] = (
        "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown"
    )
    refused, then = mail_to("nobody@example.org"), mail_to()
    outcomes = send(provider, refused, then)
    assert isinstance(outcomes[refused.uuid], Refused) and outcomes[refused.uuid].permanent is True
    assert "550" in outcomes[refused.uuid].reason and "User unknown" in outcomes[refused.uuid].reason
    assert "nobody@example.org" in outcomes[refused.uuid].reason
    assert isinstance(outcomes[then.uuid], Accepted) and len(mailbox.received) == 1


def test_a_4xx_is_refused_for_now(mailbox, provider):
    mailbox.refuse["busy@example.org"] = "450 4.2.1 Mailbox busy, try again later"
    message = mail_to("busy@example.org")
    outcome = send(provider, message)[message.uuid]
    assert outcome.permanent is False and "450" in outcome.reason


def test_sessions_are_kept_across_batches(mailbox, provider):
    outcomes = send(provider, *(mail_to() for _ in range(10)))
    opened = mailbox.sessions
    outcomes |= send(provider, *(mail_to() for _ in range(10)))
    assert all(isinstance(o, Accepted) for o in outcomes.values()) and len(mailbox.received) == 20
    assert 1 <= opened <= 2 and mailbox.sessions <= 2


def test_a_server_that_is_down_is_a_transient_failure(smtp_server, provider):
    smtp_server.stop()
    with pytest.raises(TransientFailure, match="cannot be reached"):
        send(provider, mail_to())


def test_after_a_restart_the_next_batch_reconnects(mailbox, smtp_server, one_session):
    provider = one_session
    assert isinstance(send(provider, mail_to()).popitem()[1], Accepted)
    smtp_server.stop()
    restarted = LocalSmtpServer(mailbox, port=smtp_server.port)
    restarted.start()
    try:
        message = mail_to()
        assert isinstance(send(provider, message)[message.uuid], Accepted)
    finally:
        restarted.stop()
    assert [m["Message-ID"] for m in mailbox.received][-1] == f"<{message.uuid}@bawaba.example>"
    assert mailbox.sessions == 2 and len(mailbox.received) == 2


def test_a_message_sent_again_carries_the_same_message_id(mailbox, provider):
    message = mail_to()
    first, again = send(provider, message)[message.uuid], send(provider, message)[message.uuid]
    assert first == again and {m["Message-ID"] for m in mailbox.received} == {first.reference}


def test_a_message_the_server_hangs_up_on_counts_a_try_and_holds_the_rest(mailbox, one_session):
    provider = one_session
    mailbox.hang_up_on.add("choking@example.org")
    choking, waiting = mail_to("choking@example.org"), mail_to()
    batch = provider.send_batch([choking, waiting])
    key, outcome = next(batch)
    assert key == choking.uuid and outcome.permanent is False and "dropped the connection" in outcome.reason
    with pytest.raises(TransientFailure):
        next(batch)
    assert mailbox.received == [] and mailbox.sessions == 2
    assert isinstance(send(provider, waiting)[waiting.uuid], Accepted) and len(mailbox.received) == 1


def test_a_session_giving_up_starts_nothing_more_and_records_all_the_server_took(mailbox, provider):
    """The other session finishes the message it is sending; every message the server took is recorded, so
    none is sent twice when the rest are tried again."""
    mailbox.hang_up_on.add("choking@example.org")
    batch = [mail_to("choking@example.org"), *(mail_to() for _ in range(200))]
    outcomes = {}
    with pytest.raises(TransientFailure, match="dropped the connection"):
        for item in provider.send_batch(batch):
            if item:
                outcomes[item[0]] = item[1]
    assert outcomes[batch[0].uuid].permanent is False
    accepted = {o.reference for o in outcomes.values() if isinstance(o, Accepted)}
    assert {m["Message-ID"] for m in mailbox.received} == accepted
    assert len(outcomes) < len(batch)


def test_a_notice_is_written_as_django_would_write_it():
    """The legacy-API writer and Django's own give the same message once parsed: headers, both parts."""
    from django.core import mail

    from bawaba.notifications.providers.smtp.provider import email_build

    message = mail_to(
        subject="تم استلام طلبك BWB-2026-000123 — خطوة جديدة في طلب تجديد رخصة القيادة الخاصة بك"
    )
    notice = email_build(message, FROM)
    ours = email.message_from_bytes(notice.message().as_bytes(), policy=email.policy.default)
    django_email = mail.EmailMultiAlternatives(
        notice.subject, notice.body, notice.from_email, notice.to, headers=notice.extra_headers
    )
    django_email.attach_alternative(*notice.alternatives[0])
    theirs = email.message_from_bytes(django_email.message().as_bytes(), policy=email.policy.default)
    for name in ("Subject", "From", "To", "Message-ID", "Auto-Submitted", "Content-Language"):
        assert ours[name] == theirs[name], name
    assert text_of(ours) == text_of(theirs) and html_of(ours) == html_of(theirs)
    assert ours["From"].addresses[0].display_name == "بوابة"


def test_a_subject_with_a_line_break_is_refused_and_nothing_is_sent(mailbox, provider):
    message = mail_to(subject="Hello\r\nBcc: everyone@example.org")
    outcome = send(provider, message)[message.uuid]
    assert (
        outcome.permanent is True
        and "could not be written" in outcome.reason
        and "line break" in outcome.reason
    )
    assert mailbox.received == []


def test_an_internationalised_address_is_written_by_django(mailbox, provider):
    message = mail_to("مواطن@مثال.مصر".replace("مواطن", "citizen"))
    outcome = send(provider, message)[message.uuid]
    assert isinstance(outcome, Accepted)
    [received] = mailbox.received
    assert received["To"].addresses[0].domain == "xn--mgbh0fb.xn--wgbh1c"
    assert text_of(received) == message.body
