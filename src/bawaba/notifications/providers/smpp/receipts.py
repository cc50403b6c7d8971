"""Delivery receipts in deliver_sm: the text of SMPP 3.4 appendix B and the receipted_message_id /
message_state TLVs, read into (part id, final state, when, why)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from django.utils.translation import gettext as _

RECEIPT_TYPE_MASK = 0x3C  # esm_class bits 2-5: the message type
SMSC_RECEIPT = 0x04

# message_state TLV values to the receipt text's stat words.
STATES = {1: "ENROUTE", 2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV", 6: "ACCEPTD", 7: "UNKNOWN"}
STATES |= {8: "REJECTD"}
INTERMEDIATE = {"ENROUTE"}  # asked for with registered_delivery bit 4 only; not an end to record

_FIELD = re.compile(
    r"(?P<key>id|sub|dlvrd|submit date|done date|stat|err):(?P<value>.*?)"
    r"(?=\s+(?:id|sub|dlvrd|submit date|done date|stat|err):|$)",
    re.IGNORECASE | re.DOTALL,
)
# The text field is last and repeats the start of our message, which may itself read "id:… stat:…".
_TEXT = re.compile(r"\btext:", re.IGNORECASE)


@dataclass(frozen=True)
class PartReceipt:
    message_id: str  # the SMSC's id of the one part this is about
    stat: str
    err: str
    done: datetime | None

    @property
    def delivered(self) -> bool:
        return self.stat == "DELIVRD"

    @property
    def final(self) -> bool:
        return self.stat not in INTERMEDIATE

    def error_words(self) -> str:
        if self.delivered:
            return ""
        words = {
            "EXPIRED": _("expired before the phone could be reached"),
            "DELETED": _("deleted by the SMS centre"),
            "UNDELIV": _("could not be delivered to the phone"),
            "REJECTD": _("rejected by the network"),
            "UNKNOWN": _("the SMS centre does not know what became of it"),
            "ACCEPTD": _("accepted by the SMS centre on the subscriber's behalf, not delivered"),
        }.get(self.stat, _("not delivered"))
        return f"{words} ({self.stat}, err {self.err})" if self.err else f"{words} ({self.stat})"


def is_receipt(esm_class: int | None) -> bool:
    return (esm_class or 0) & RECEIPT_TYPE_MASK == SMSC_RECEIPT


def receipt_fields(text: str) -> dict[str, str]:
    """The receipt text's fields by lower-case name ("submit date", "stat"…), up to the message excerpt."""
    head = _TEXT.split(text, maxsplit=1)[0].strip()
    fields: dict[str, str] = {}
    for match in _FIELD.finditer(head):
        fields.setdefault(match["key"].lower(), match["value"].strip())
    return fields


def receipt_time(value: str, zone: tzinfo) -> datetime | None:
    """YYMMDDhhmm (appendix B), or with seconds as many centres send, in the centre's zone."""
    # By length: strptime would read "2612041359" as 13:05:09 under the pattern with seconds.
    pattern = {10: "%y%m%d%H%M", 12: "%y%m%d%H%M%S"}.get(len(value))
    if pattern is None or not value.isdigit():
        return None
    try:
        return datetime.strptime(value, pattern).replace(tzinfo=zone).astimezone(UTC)
    except ValueError:
        return None


def _text(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value or ""


def part_receipt(pdu, zone: tzinfo) -> PartReceipt | None:
    """What a deliver_sm receipt says, or None when it names no message (nothing to record)."""
    fields = receipt_fields(_text(pdu.short_message))
    # The TLVs are exact where present; the text is the fallback every centre sends.
    message_id = _text(pdu.receipted_message_id) or fields.get("id", "")
    stat = STATES.get(pdu.message_state or 0) or fields.get("stat", "").upper()
    if not message_id or not stat:
        return None
    return PartReceipt(
        message_id=message_id.strip(),
        stat=stat,
        err=fields.get("err", ""),
        done=receipt_time(fields.get("done date", ""), zone),
    )
