"""The notice that gives a new staff member their activation code, handed to the notifications outbox."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from bawaba.accounts.staff import ActivationCode
from bawaba.notifications.services import notify_address


def send_activation_code(request, code: ActivationCode) -> None:
    """In the member's language, with the address of the activation page in that language too."""
    with translation.override(code.language):
        page = request.build_absolute_uri(reverse("backoffice:activate"))
    notify_address(
        notice="account.staff-activation",
        channel="sms",
        to=code.to,
        values={
            "code": code.code,
            "username": code.username,
            "page": page,
            "hours": settings.BAWABA_ACTIVATION_CODE_TTL_HOURS,
        },
        language=code.language,
    )
