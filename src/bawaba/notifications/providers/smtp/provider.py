"""E-mail over SMTP through Django's SMTP backend: the server is the Django mailer named by the `mailer` option
(settings.MAILERS; "default" unless said otherwise).

A few SMTP sessions send side by side, each kept open across batches; when the server has dropped one (an idle
timeout, a restart), it is opened again and the message sent once more. Should the new session be dropped
too, that message counts a try (a message the server chokes on must not hold its lane for ever) and the rest
of the batch waits. Each message carries a Message-ID made from our message uuid, so a message sent twice
(the server took it but the answer was lost) is recognisable as one.
"""

import contextlib
import email.policy
import queue
import re
import smtplib
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr

from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .. import (
    TICK_SECONDS,
    Accepted,
    GaveUp,
    Outcome,
    Outgoing,
    Receipt,
    Refused,
    TransientFailure,
)

RTL_LANGUAGES = {"ar"}


class Dropped(GaveUp):
    """The server dropped a fresh session while taking a message."""


def message_id(message: Outgoing, from_email: str) -> str:
    domain = from_email.rpartition("@")[2].strip(" >") or "bawaba"
    return f"<{message.uuid}@{domain}>"


class Legacy(email.policy.Compat32):
    """The legacy API's policy, lines ending as SMTP wants them, writing a short ASCII header as it is.

    Compat32 runs every header through its folding machinery, which is most of the time it takes to write a
    notice; a header that fits on one line comes out of it unchanged anyway. Other text (an Arabic subject) is
    folded by the modern policy: compat32 loses the spaces where it splits encoded words.
    """

    def fold_binary(self, name, value):
        if not isinstance(value, str):
            return super().fold_binary(name, value)
        if not value.isascii():
            modern = email.policy.SMTP
            return modern.header_factory(name, value).fold(policy=modern).encode("ascii")
        if len(name) + len(value) + 2 <= self.max_line_length and "\n" not in value and "\r" not in value:
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


LEGACY = Legacy(linesep="\r\n")


class NoticeEmail(mail.EmailMultiAlternatives):
    """A notice: a text part and one HTML part to ASCII addresses, written with the legacy e-mail API.

    Django writes every message with the modern API, whose header parsing and folding take ~1.7 ms a message:
    most of a sending process's time. For this fixed shape the legacy API writes the same message in a third of
    that. Anything else (attachments, internationalised addresses) is written by Django as usual.
    """

    def message(self, *, policy=email.policy.default):
        sender_name, sender = parseaddr(self.from_email)
        if (
            self.attachments
            or len(self.alternatives) != 1
            or not all(address.isascii() for address in [sender, *self.recipients()])
        ):
            return super().message(policy=policy)
        written = MIMEMultipart("alternative", policy=LEGACY)
        html, mimetype = self.alternatives[0]
        for content, subtype in ((self.body, "plain"), (html, mimetype.partition("/")[2])):
            # Text is encoded in its canonical form, lines ending CRLF (RFC 2045, 6.8).
            canonical = "".join(f"{line}\r\n" for line in content.splitlines())
            written.attach(MIMEText(canonical, subtype, "utf-8", policy=LEGACY))
        headers = {
            "Subject": str(self.subject),
            "From": formataddr((sender_name, sender), charset="utf-8"),
            "To": ", ".join(self.to),
            "Date": formatdate(usegmt=True),
            **self.extra_headers,
        }
        for name, value in headers.items():
            if "\n" in value or "\r" in value:  # the legacy API would write it as is: a header injection
                raise ValueError(f"The {name} header contains a line break")
            written[name] = value
        return written


def email_build(message: Outgoing, from_email: str) -> mail.EmailMultiAlternatives:
    notice = NoticeEmail(
        subject=message.subject,
        body=message.body,
        from_email=from_email,
        to=[message.to],
        headers={
            "Message-ID": message_id(message, from_email),
            "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies to a portal's notices
            "Content-Language": message.language,
        },
    )
    notice.attach_alternative(html_render(message), "text/html")
    return notice


def html_render(message: Outgoing) -> str:
    """The HTML part: the body's paragraphs, escaped, under the portal's name, right to left in Arabic."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", message.body.replace("\r\n", "\n")) if p.strip()]
    rtl = message.language in RTL_LANGUAGES
    with translation.override(message.language):
        return render_to_string(
            "notifications/email/message.html",
            {
                "language": message.language,
                "direction": "rtl" if rtl else "ltr",
                "align": "right" if rtl else "left",
                "subject": message.subject,
                "paragraphs": paragraphs,
            },
        )


class SmtpProvider:
    """Sends a batch over `sessions` SMTP sessions at once, as mail relays do.

    Each message takes four round trips (MAIL, RCPT, DATA, the content); one session at a time would leave both
    sides idle for most of them, all the more so with a relay across a network. Outcomes come in the order
    the sessions finish. When one session cannot go on (the server cannot be reached, or dropped a message
    twice), no more messages are started; those already under way are seen through and the rest wait.
    """

    name = "smtp"

    def __init__(self, from_email: str, mailer: str = "default", sessions: int = 4, **ignored):
        self.from_email = from_email
        self.sessions = [Session(mail.mailers[mailer]) for _ in range(sessions)]  # connected when first used
        self.idle: queue.SimpleQueue[Session] = queue.SimpleQueue()
        for session in self.sessions:
            self.idle.put(session)
        self.pool = ThreadPoolExecutor(max_workers=sessions, thread_name_prefix="smtp")

    def send_batch(self, messages: Sequence[Outgoing]) -> Iterator[tuple[str, Outcome] | None]:
        finished: queue.SimpleQueue[tuple[Outgoing, Outcome | TransientFailure | None]] = queue.SimpleQueue()
        stop = threading.Event()
        language = translation.get_language()  # the reasons are written in the caller's language

        def send(message: Outgoing) -> None:
            if stop.is_set():
                finished.put((message, None))  # not started: it waits in the queue for the next batch
                return
            try:
                with translation.override(language):
                    finished.put((message, self._send(message)))
            except TransientFailure as failure:
                stop.set()
                finished.put((message, failure))

        for message in messages:
            self.pool.submit(send, message)
        failure = None
        try:
            for _ in messages:
                while True:
                    try:
                        message, outcome = finished.get(timeout=TICK_SECONDS)
                        break
                    except queue.Empty:
                        yield None
                if isinstance(outcome, TransientFailure):
                    failure = failure or outcome
                    if isinstance(outcome, GaveUp):  # this message was tried: it counts
                        yield message.uuid, Refused(str(outcome), permanent=False)
                elif outcome is not None:
                    yield message.uuid, outcome
        finally:
            stop.set()  # also when the caller stops listening: nothing more is started
        if failure:
            raise failure

    def _send(self, message: Outgoing) -> Outcome:
        session = self.idle.get()
        try:
            return session.send(message, self.from_email)
        finally:
            self.idle.put(session)

    def receipts(self) -> list[Receipt]:
        return []  # SMTP has no delivery reports we could match

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)
        for session in self.sessions:
            session.drop()


class Session:
    """One SMTP session through a Django mailer, kept open across messages and batches."""

    def __init__(self, connection):
        self.connection = connection

    def send(self, message: Outgoing, from_email: str) -> Outcome:
        try:
            self._deliver(email_build(message, from_email))
        except smtplib.SMTPRecipientsRefused as error:
            code, words = next(iter(error.recipients.values()))
            return refused(code, words, _("The mail server refused the address %(to)s") % {"to": message.to})
        except smtplib.SMTPResponseException as error:  # the sender or the content refused
            if error.smtp_code == 421:  # the server is closing this session
                self.drop()
            return refused(error.smtp_code, error.smtp_error, _("The mail server refused the e-mail"))
        except smtplib.SMTPException as error:
            return Refused(_("The mail server failed: %(error)s") % {"error": error}, permanent=False)
        except ValueError as error:  # an address or a header that cannot be written
            return Refused(_("The e-mail could not be written: %(error)s") % {"error": error}, permanent=True)
        return Accepted(reference=message_id(message, from_email))

    def _deliver(self, email: mail.EmailMessage) -> None:
        self._open()
        try:
            self.connection.send_messages([email])
        except smtplib.SMTPServerDisconnected:
            # The kept session was closed under us (an idle timeout, a restart): once more on a new one.
            self.drop()
            self._open()
            try:
                self.connection.send_messages([email])
            except smtplib.SMTPServerDisconnected as error:
                self.drop()
                raise Dropped(
                    _("The mail server dropped the connection: %(error)s") % {"error": error}
                ) from error

    def _open(self) -> None:
        try:
            self.connection.open()
        except OSError as error:  # smtplib's errors are OSErrors too
            self.drop()
            raise TransientFailure(
                _("The mail server %(server)s cannot be reached: %(error)s")
                % {"server": server_name(self.connection), "error": error}
            ) from error

    def drop(self) -> None:
        with contextlib.suppress(OSError):  # whatever the goodbye meets, the backend forgets the session
            self.connection.close()


def server_name(connection) -> str:
    return f"{getattr(connection, 'host', '?')}:{getattr(connection, 'port', '?')}"


def refused(code: int, words: bytes | str, what: str) -> Refused:
    """A refusal with the server's own words: 5xx is for good, 4xx is "try later"."""
    if isinstance(words, bytes):
        words = words.decode(errors="replace")
    return Refused(f"{what} ({code} {words})", permanent=500 <= code < 600)
