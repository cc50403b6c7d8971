"""E-mail over SMTP through Django's SMTP backend: the server is the Django mailer named by the `mailer` option
(settings.MAILERS; "default" unless said otherwise).

One SMTP session is kept open across a batch and between batches; when the server has dropped it (an idle
timeout, a restart), it is opened again and the message sent once more. Should the new session be dropped
too, that message counts a try (a message the server chokes on must not hold its lane for ever) and the rest
of the batch waits. Each message carries a Message-ID made
from our message uuid, so a message sent twice (the server took it but the answer was lost) is recognisable
as one.
"""

import contextlib
import re
import smtplib

from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .. import Accepted, GaveUp, OneByOne, Outcome, Outgoing, Receipt, Refused, TransientFailure

RTL_LANGUAGES = {"ar"}


class Dropped(GaveUp):
    """The server dropped a fresh session while taking a message."""


def message_id(message: Outgoing, from_email: str) -> str:
    domain = from_email.rpartition("@")[2].strip(" >") or "bawaba"
    return f"<{message.uuid}@{domain}>"


def email_build(message: Outgoing, from_email: str) -> mail.EmailMultiAlternatives:
    email = mail.EmailMultiAlternatives(
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
    email.attach_alternative(html_render(message), "text/html")
    return email


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


class SmtpProvider(OneByOne):
    name = "smtp"

    def __init__(self, from_email: str, mailer: str = "default", **ignored):
        self.from_email = from_email
        self.connection = mail.mailers[mailer]  # not connected until the first message

    def send(self, message: Outgoing) -> Outcome:
        try:
            email = email_build(message, self.from_email)
            self._deliver(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, words = next(iter(error.recipients.values()))
            return refused(code, words, _("The mail server refused the address %(to)s") % {"to": message.to})
        except smtplib.SMTPResponseException as error:  # the sender or the content refused
            if error.smtp_code == 421:  # the server is closing this session
                self._drop()
            return refused(error.smtp_code, error.smtp_error, _("The mail server refused the e-mail"))
        except smtplib.SMTPException as error:
            return Refused(_("The mail server failed: %(error)s") % {"error": error}, permanent=False)
        except ValueError as error:  # an address or a header Django will not write
            return Refused(_("The e-mail could not be written: %(error)s") % {"error": error}, permanent=True)
        return Accepted(reference=message_id(message, self.from_email))

    def _deliver(self, email: mail.EmailMessage) -> None:
        self._open()
        try:
            self.connection.send_messages([email])
        except smtplib.SMTPServerDisconnected:
            # The kept session was closed under us (an idle timeout, a restart): once more on a new one.
            self._drop()
            self._open()
            try:
                self.connection.send_messages([email])
            except smtplib.SMTPServerDisconnected as error:
                self._drop()
                raise Dropped(
                    _("The mail server dropped the connection: %(error)s") % {"error": error}
                ) from error

    def _open(self) -> None:
        try:
            self.connection.open()
        except OSError as error:  # smtplib's errors are OSErrors too
            self._drop()
            raise TransientFailure(
                _("The mail server %(server)s cannot be reached: %(error)s")
                % {"server": server_name(self.connection), "error": error}
            ) from error

    def _drop(self) -> None:
        with contextlib.suppress(OSError):  # whatever the goodbye meets, the backend forgets the session
            self.connection.close()

    def receipts(self) -> list[Receipt]:
        return []  # SMTP has no delivery reports we could match

    def close(self) -> None:
        self._drop()


def server_name(connection) -> str:
    return f"{getattr(connection, 'host', '?')}:{getattr(connection, 'port', '?')}"


def refused(code: int, words: bytes | str, what: str) -> Refused:
    """A refusal with the server's own words: 5xx is for good, 4xx is "try later"."""
    if isinstance(words, bytes):
        words = words.decode(errors="replace")
    return Refused(f"{what} ({code} {words})", permanent=500 <= code < 600)
