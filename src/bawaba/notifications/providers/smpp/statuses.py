"""What an SMS centre's command_status means for a message: worth trying again, or never going through."""

from __future__ import annotations

from django.utils.translation import gettext as _
from smpplib import consts

from .. import Refused

# ESME_RX_T_APPN etc. by number, from smpplib's SMPP_ESME_* constants.
STATUS_NAMES = {
    value: name.removeprefix("SMPP_")
    for name, value in vars(consts).items()
    if name.startswith("SMPP_ESME_") and isinstance(value, int)
}

# The SMSC is busy or broken for now: the same message may well go through later.
TRANSIENT = {
    consts.SMPP_ESME_RTHROTTLED,
    consts.SMPP_ESME_RMSGQFUL,
    consts.SMPP_ESME_RSYSERR,
    consts.SMPP_ESME_RSUBMITFAIL,
    consts.SMPP_ESME_RINVBNDSTS,
    consts.SMPP_ESME_RX_T_APPN,
    consts.SMPP_ESME_RUNKNOWNERR,
}


def status_name(status: int) -> str:
    return STATUS_NAMES.get(status, f"0x{status:08X}")


def _words(status: int) -> str:
    words = {
        consts.SMPP_ESME_RINVDSTADR: _("SMS centre refused the destination number"),
        consts.SMPP_ESME_RINVDSTTON: _("SMS centre refused the type of the destination number"),
        consts.SMPP_ESME_RINVDSTNPI: _("SMS centre refused the type of the destination number"),
        consts.SMPP_ESME_RINVSRCADR: _("SMS centre refused the sender name"),
        consts.SMPP_ESME_RINVSRCTON: _("SMS centre refused the type of the sender name"),
        consts.SMPP_ESME_RINVSRCNPI: _("SMS centre refused the type of the sender name"),
        consts.SMPP_ESME_RINVMSGLEN: _("SMS centre refused the length of the message"),
        consts.SMPP_ESME_RINVESMCLASS: _("SMS centre refused the message format"),
        consts.SMPP_ESME_RTHROTTLED: _("SMS centre asked us to slow down"),
        consts.SMPP_ESME_RMSGQFUL: _("SMS centre queue is full"),
        consts.SMPP_ESME_RSYSERR: _("SMS centre had a system error"),
        consts.SMPP_ESME_RSUBMITFAIL: _("SMS centre could not take the message"),
        consts.SMPP_ESME_RINVBNDSTS: _("SMS centre session was not ready"),
    }
    return words.get(status) or _("SMS centre refused the message")


def refusal(status: int) -> Refused:
    """A Refused naming the status in words and by its SMPP name, e.g. "… number (ESME_RINVDSTADR)".

    A status not known here counts as temporary: retries are bounded by the dispatcher, while a permanent
    refusal would drop a message that might well have gone through.
    """
    known_permanent = status in STATUS_NAMES and status not in TRANSIENT
    return Refused(f"{_words(status)} ({status_name(status)})", permanent=known_permanent)
