"""SMS over SMPP 3.4: one transceiver bind kept across batches, submit_sm windowed, receipts by deliver_sm."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from smpplib import consts

from .. import TICK_SECONDS, Accepted, Outcome, Outgoing, Receipt, Refused, TransientFailure
from .encoding import MAX_PARTS, MessageTooLong, sms_parts
from .receipts import PartReceipt, is_receipt, part_receipt
from .session import BindRefused, Session, SessionLost, UnknownPdu
from .statuses import refusal, status_name

logger = logging.getLogger("bawaba.notifications.smpp")

E164 = re.compile(r"\+([1-9][0-9]{6,14})")
ALPHANUMERIC_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 .&_-]{1,11}")
NUMERIC_SENDER = re.compile(r"\+?([0-9]{1,15})")
PRINTABLE = re.compile(r"[\x21-\x7e]*")

# Part ids of long messages remembered for their receipts; the oldest are forgotten beyond this.
TRACKED_PARTS = 200_000


class _NoAnswer(SessionLost):
    """A submit_sm went unanswered for longer than the timeout."""


@dataclass
class _LongMessage:
    """A multi-part message's receipts: delivered once every part says so; not delivered as soon as one part
    says it never will be (a phone shows nothing of a long message with a part missing). One receipt for the
    message either way, sent once its reference is known (a part's receipt may come before the last answer)."""

    parts: int
    reference: str | None = None  # the first part's id, once the whole message is accepted
    delivered: int = 0
    failure: PartReceipt | None = None
    done: datetime | None = None
    reported: bool = False

    def hear(self, part: PartReceipt) -> None:
        if part.delivered:
            self.delivered += 1
            self.done = part.done
        elif self.failure is None:
            self.failure = part

    def receipt(self) -> Receipt | None:
        if self.reported or self.reference is None:
            return None
        if self.failure is not None:
            receipt = Receipt(self.reference, False, self.failure.done, self.failure.error_words())
        elif self.delivered >= self.parts:
            receipt = Receipt(self.reference, True, self.done, "")
        else:
            return None
        self.reported = True
        return receipt


@dataclass
class _Submission:
    """A message on its way: the parts' answers as they come in."""

    uuid: str
    destination: str
    parts: tuple[bytes, ...]
    data_coding: int
    esm_class: int
    message_ids: list[str | None] = field(default_factory=list)
    refused: Refused | None = None
    answered: int = 0
    long: _LongMessage | None = None

    def answer(self, part: int, pdu) -> Outcome | None:
        """Records one part's submit_sm_resp; the message's outcome once every part has one."""
        self.answered += 1
        if pdu.status == consts.SMPP_ESME_ROK:
            self.message_ids[part] = _text(pdu.message_id)
        else:
            refused = refusal(pdu.status)
            if self.refused is None or (refused.permanent and not self.refused.permanent):
                self.refused = refused
        if self.answered < len(self.parts):
            return None
        if self.refused is not None:
            # Any part refused refuses the message: a phone shows nothing of a long message with a part missing.
            return self.refused
        # The first part's id is the reference: a single-part message has no other, so every message is
        # known by the id its first part's receipt names; the other parts' ids are kept to point at it.
        return Accepted(reference=self.message_ids[0], segments=len(self.parts))


class SmppProvider:
    name = "smpp"

    def __init__(
        self,
        host: str,
        port: int,
        system_id: str,
        password: str,
        source_addr: str,
        window: int = 50,
        *,
        timeout: float = 10.0,
        enquire_link_seconds: float = 30.0,
        receipt_time_zone: str = "UTC",
        **ignored_future_options,
    ) -> None:
        if not isinstance(window, int) or window < 1:
            raise ImproperlyConfigured(f"SMPP window must be a whole number of at least 1, not {window!r}.")
        if not system_id or len(system_id) > 15 or not PRINTABLE.fullmatch(system_id):
            raise ImproperlyConfigured("SMPP system_id must be 1 to 15 printable ASCII characters.")
        password = password or ""
        if len(password) > 8 or not PRINTABLE.fullmatch(password):
            raise ImproperlyConfigured("SMPP password must be at most 8 printable ASCII characters.")
        self.host, self.port = host, int(port)
        self.system_id, self.password = system_id, password
        self.window = window
        self.timeout = float(timeout)
        self.enquire_link_seconds = float(enquire_link_seconds)
        self.receipt_zone = ZoneInfo(receipt_time_zone)  # the zone of the receipts' dates; UTC unless told
        self.source = self._source_fields(source_addr)
        self._session: Session | None = None
        self._receipts: list[Receipt] = []
        self._long_messages: dict[str, _LongMessage] = {}  # every part's id → its message
        self._concatenation_reference = secrets.randbelow(256)

    @staticmethod
    def _source_fields(source_addr: str) -> dict:
        if ALPHANUMERIC_SENDER.fullmatch(source_addr):
            return {
                "source_addr": source_addr,
                "source_addr_ton": consts.SMPP_TON_ALNUM,
                "source_addr_npi": 0,
            }
        if number := NUMERIC_SENDER.fullmatch(source_addr):
            return {
                "source_addr": number[1],
                "source_addr_ton": consts.SMPP_TON_INTL,
                "source_addr_npi": consts.SMPP_NPI_ISDN,
            }
        raise ImproperlyConfigured(
            "SMPP source_addr must be a sender name of at most 11 letters, digits, spaces or .&_- "
            f"or an international number of at most 15 digits, not {source_addr!r}."
        )

    # The session

    def _connect(self) -> Session:
        try:
            session = Session(self.host, self.port, self.system_id, self.password, timeout=self.timeout)
        except BindRefused as refused:
            raise TransientFailure(
                _("SMS centre refused to bind: check the system id and password (%(status)s).")
                % {"status": status_name(refused.status)}
            ) from refused
        except SessionLost as lost:
            raise TransientFailure(
                _("SMS centre at %(address)s cannot be reached.") % {"address": f"{self.host}:{self.port}"}
            ) from lost
        logger.info("SMPP bound to %s:%s as %s", self.host, self.port, self.system_id)
        return session

    def _drop(self) -> None:
        if self._session is not None:
            self._session.unbind(timeout=0)
            self._session = None

    def _ready(self) -> Session:
        """The bound session, checked: what has arrived is handled first, and a link quiet for long is asked
        whether it is still there; a dead one is replaced."""
        session = self._session
        if session is not None:
            try:
                self._handle_incoming(session, session.read(0))
                if time.monotonic() - session.last_heard > self.enquire_link_seconds:
                    self._enquire_link(session)
            except SessionLost:
                logger.info("SMPP session to %s:%s lost; binding again", self.host, self.port)
                self._drop()
        if self._session is None:
            self._session = self._connect()
        return self._session

    def _enquire_link(self, session: Session) -> None:
        link = session.make("enquire_link")
        session.send([link])
        deadline = time.monotonic() + self.timeout
        while (left := deadline - time.monotonic()) > 0:
            pdus = session.read(left)
            self._handle_incoming(session, pdus)
            if any(pdu.command == "enquire_link_resp" and pdu.sequence == link.sequence for pdu in pdus):
                return
        raise SessionLost("no answer to enquire_link")

    # Sending

    def _submission(self, message: Outgoing) -> _Submission | Refused:
        destination = E164.fullmatch(message.to or "")
        if destination is None:
            return Refused(
                _("%(to)s is not an international phone number (+ and 7 to 15 digits).")
                % {"to": _shown(message.to)},
                permanent=True,
            )
        if not message.body:
            return Refused(_("The message is empty."), permanent=True)
        try:
            parts = sms_parts(message.body, self._concatenation_reference)
        except MessageTooLong as too_long:
            return Refused(
                _("The message needs %(parts)s SMS parts; at most %(limit)s can be joined.")
                % {"parts": too_long.args[0], "limit": MAX_PARTS},
                permanent=True,
            )
        if parts.segments > 1:
            self._concatenation_reference = (self._concatenation_reference + 1) % 256
        return _Submission(
            uuid=message.uuid,
            destination=destination[1],
            parts=parts.payloads,
            data_coding=parts.data_coding,
            esm_class=parts.esm_class,
            message_ids=[None] * parts.segments,
            long=_LongMessage(parts.segments) if parts.segments > 1 else None,
        )

    def _submit_sm(self, session: Session, submission: _Submission, part: int):
        return session.make(
            "submit_sm",
            service_type="",
            **self.source,
            dest_addr_ton=consts.SMPP_TON_INTL,
            dest_addr_npi=consts.SMPP_NPI_ISDN,
            destination_addr=submission.destination,
            esm_class=submission.esm_class,
            registered_delivery=consts.SMPP_SMSC_DELIVERY_RECEIPT_BOTH,
            data_coding=submission.data_coding,
            short_message=submission.parts[part],
        )

    def send_batch(self, messages: Sequence[Outgoing]) -> Iterator[tuple[str, Outcome] | None]:
        submissions = []
        for message in messages:
            submission = self._submission(message)
            if isinstance(submission, Refused):
                yield message.uuid, submission
            else:
                submissions.append(submission)
        if not submissions:
            return
        session = self._ready()
        parts = ((submission, part) for submission in submissions for part in range(len(submission.parts)))
        # sequence → (submission, part, when sent): up to `window` submit_sm await their answers at once.
        waiting: dict[int, tuple[_Submission, int, float]] = {}

        def fill() -> None:
            pdus = []
            now = time.monotonic()
            while len(waiting) < self.window and (item := next(parts, None)) is not None:
                pdu = self._submit_sm(session, *item)
                waiting[pdu.sequence] = (*item, now)
                pdus.append(pdu)
            if pdus:
                session.send(pdus)

        try:
            fill()
            while waiting:
                deadline = next(iter(waiting.values()))[2] + self.timeout  # the oldest unanswered submit_sm's
                if time.monotonic() >= deadline:
                    raise _NoAnswer
                outcomes, others = [], []
                for pdu in session.read(min(deadline - time.monotonic(), TICK_SECONDS)):
                    if pdu.command in ("submit_sm_resp", "generic_nack") and pdu.sequence in waiting:
                        submission, part, _sent = waiting.pop(pdu.sequence)
                        outcome = submission.answer(part, pdu)
                        self._track(submission, part, outcome)
                        if outcome is not None:
                            outcomes.append((submission.uuid, outcome))
                    else:
                        others.append(pdu)
                lost = None
                try:
                    self._handle_incoming(session, others)
                    fill()  # the centre works on the next window while the caller records these outcomes
                except SessionLost as error:
                    lost = error  # after telling what was answered: those messages were handed over
                yield from outcomes
                if not outcomes:
                    yield None  # a tick: the dispatcher writes what it knows while the rest is awaited
                if lost is not None:
                    raise lost
        except _NoAnswer as silent:
            # Messages without an answer were not handed over: the dispatcher sends them again later. The
            # session is given up too, as a centre that stopped answering is best met with a fresh bind.
            self._drop()
            raise TransientFailure(
                _("SMS centre did not answer within %(seconds)s seconds.") % {"seconds": f"{self.timeout:g}"}
            ) from silent
        except SessionLost as lost:
            self._drop()
            raise TransientFailure(_("The connection to the SMS centre was lost.")) from lost

    def _track(self, submission: _Submission, part: int, outcome: Outcome | None) -> None:
        """Points a long message's part ids at it as they come, so that a receipt for any part is its."""
        long = submission.long
        if long is None:
            return  # a single part's receipt names its reference already
        if (message_id := submission.message_ids[part]) is not None:
            self._long_messages[message_id] = long
            if len(self._long_messages) > TRACKED_PARTS:
                del self._long_messages[next(iter(self._long_messages))]
        if isinstance(outcome, Accepted):
            long.reference = outcome.reference
            if receipt := long.receipt():
                self._receipts.append(receipt)

    # What the centre sends unasked

    def _handle_incoming(self, session: Session, pdus) -> None:
        answers = []
        for pdu in pdus:
            if isinstance(pdu, UnknownPdu):
                if not pdu.command_id & 0x80000000:
                    nack = session.make("generic_nack", status=consts.SMPP_ESME_RINVCMDID)
                    nack.sequence = pdu.sequence
                    answers.append(nack)
            elif pdu.command == "deliver_sm":
                if is_receipt(pdu.esm_class) and (receipt := part_receipt(pdu, self.receipt_zone)):
                    self._receive(receipt)
                answers.append(session.answer(pdu, "deliver_sm_resp"))
            elif pdu.command == "enquire_link":
                answers.append(session.answer(pdu, "enquire_link_resp"))
            elif pdu.command == "unbind":
                session.send([*answers, session.answer(pdu, "unbind_resp")])
                raise SessionLost("the SMS centre unbound")
        if answers:
            session.send(answers)

    def _receive(self, part: PartReceipt) -> None:
        """Queues the message's receipt: a single part's at once, a long message's as _LongMessage decides."""
        if not part.final:
            return
        long = self._long_messages.pop(part.message_id, None)
        if long is None:
            self._receipts.append(Receipt(part.message_id, part.delivered, part.done, part.error_words()))
            return
        long.hear(part)
        if receipt := long.receipt():
            self._receipts.append(receipt)

    def receipts(self) -> list[Receipt]:
        session = self._session
        if session is not None:
            try:
                self._handle_incoming(session, session.read(0))
                if time.monotonic() - session.last_heard > self.enquire_link_seconds:
                    # Keeps an idle bind alive; the answer is read with the next call.
                    session.send([session.make("enquire_link")])
                    session.last_heard = time.monotonic()
            except SessionLost:
                self._drop()  # the next send_batch binds again; the centre keeps the receipts until then
        receipts, self._receipts = self._receipts, []
        return receipts

    def close(self) -> None:
        if self._session is not None:
            self._session.unbind(timeout=min(self.timeout, 2.0))
            self._session = None


def _text(value) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else (value or "")


def _shown(value: str) -> str:
    """A bad number as staff may see it: printable, and short (it is stored with the reason)."""
    return "".join(char if char.isprintable() else "?" for char in value[:32]) or '""'
