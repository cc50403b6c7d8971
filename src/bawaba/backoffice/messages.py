"""The text that gives a new staff member their activation code, handed to the notifications outbox."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from bawaba.accounts.staff import ActivationCode
from bawaba.notifications.services import message_send


def send_activation_code(request, code: ActivationCode) -> None:
    """In the member's language, with the address of the activation page in that language too."""
    with translation.override(code.language):
        page = request.build_absolute_uri(reverse("backoffice:activate"))
        body = _(
            "Your Bawaba staff activation code: %(code)s. Your user name: %(username)s. Choose your password "
            "at %(page)s within %(hours)s hours. Never share the code."
        ) % {
            "code": code.code,
            "username": code.username,
            "page": page,
            "hours": settings.BAWABA_ACTIVATION_CODE_TTL_HOURS,
        }
    message_send(
        channel="sms", to=code.to, kind="staff-activation", body=body, language=code.language, secret=True
    )
