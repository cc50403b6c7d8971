"""Which notice each account message is, handed to the notifications outbox in the citizen's language."""

from django.utils import translation
from django.utils.translation import gettext as _

from bawaba.accounts.services import CodeToSend, MessageKind
from bawaba.notifications.services import notify_address

# The kinds that carry a code, and the notice whose wording they use.
CODE_NOTICES = {
    MessageKind.VERIFY_MOBILE: "account.phone-code",
    MessageKind.PASSWORD_RESET: "account.password-reset-code",
    MessageKind.SIGN_IN: "account.sign-in-code",
    MessageKind.VERIFY_EMAIL: "account.email-code",
}
BY_EMAIL = {MessageKind.VERIFY_EMAIL, MessageKind.EMAIL_CHANGED}


def _changed(kind: MessageKind) -> str:
    """What changed, in words that fit "The … of your account was changed"."""
    return {
        MessageKind.EMAIL_CHANGED: _("e-mail address"),
        MessageKind.MOBILE_CHANGED: _("mobile number"),
        MessageKind.PASSWORD_CHANGED: _("password"),
    }[kind]


def send(code: CodeToSend) -> None:
    if not code.to:
        return  # a code that goes nowhere: see password_reset_start
    channel = "email" if code.kind in BY_EMAIL else "sms"
    if code.kind in CODE_NOTICES:
        notice, values = CODE_NOTICES[code.kind], {"code": code.code}
    elif code.kind == MessageKind.REGISTRATION_ATTEMPT:
        notice, values = "account.registration-attempt", {}
    else:
        with translation.override(code.language):
            notice, values = "account.changed", {"what": _changed(code.kind)}
    notify_address(notice=notice, channel=channel, to=code.to, values=values, language=code.language)
