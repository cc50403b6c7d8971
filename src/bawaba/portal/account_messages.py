"""The texts of the account messages, in the citizen's language, handed to the notifications outbox."""

from django.utils import translation
from django.utils.translation import gettext as _

from bawaba.accounts.services import CodeToSend, MessageKind
from bawaba.notifications.services import message_send


def send(code: CodeToSend) -> None:
    subject = ""
    with translation.override(code.language):
        if code.kind == MessageKind.VERIFY_MOBILE:
            body = _("Your Bawaba code to confirm this phone: %(code)s. Never share it with anyone.") % {
                "code": code.code
            }
        elif code.kind == MessageKind.PASSWORD_RESET:
            body = _("Your Bawaba code to choose a new password: %(code)s. Never share it with anyone.") % {
                "code": code.code
            }
        elif code.kind == MessageKind.SIGN_IN:
            body = _("Your Bawaba sign-in code: %(code)s. Never share it with anyone.") % {"code": code.code}
        elif code.kind == MessageKind.VERIFY_EMAIL:
            subject = _("Confirm your e-mail address for Bawaba")
            body = _(
                "Your Bawaba code to confirm this e-mail address: %(code)s. Never share it with anyone."
            ) % {"code": code.code}
        elif code.kind == MessageKind.EMAIL_CHANGED:
            subject = _("Your Bawaba e-mail address was changed")
            body = _(
                "The e-mail address of your Bawaba account was changed. If you did not do this, call 19000 at once."
            )
        elif code.kind == MessageKind.MOBILE_CHANGED:
            body = _(
                "The mobile number of your Bawaba account was changed. If you did not do this, call 19000 at once."
            )
        elif code.kind == MessageKind.PASSWORD_CHANGED:
            body = _(
                "The password of your Bawaba account was changed. If you did not do this, call 19000 at once."
            )
        else:
            body = _(
                "Someone tried to open a Bawaba account with your national ID number. If it was you, sign in "
                "or reset your password. If not, you need do nothing."
            )
    if not code.to:
        return  # a code that goes nowhere: see password_reset_start
    by_email = code.kind in (MessageKind.VERIFY_EMAIL, MessageKind.EMAIL_CHANGED)
    message_send(
        channel="email" if by_email else "sms",
        to=code.to,
        kind=code.kind,
        subject=str(subject),
        body=body,
        language=code.language,
        secret=code.code is not None,
    )
