"""Telling a citizen that a form they started will soon be deleted (a reaction to the drafts' sweep)."""

from datetime import datetime

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from bawaba.accounts.models import User
from bawaba.catalogue import selectors
from bawaba.core.i18n import localized
from bawaba.events.registry import subscribe
from bawaba.notifications.services import message_send

DRAFT_EXPIRING = "draft-expiring"  # the message kind


@subscribe("draft.expiring", name="portal.draft-expiring-message")
def draft_expiring_message(payload: dict) -> None:
    user = User.objects.filter(uuid=payload["user"], is_active=True).first()
    if user is None:
        return
    if user.mobile:
        channel, to = "sms", user.mobile
    elif user.email and user.email_verified_at:
        channel, to = "email", user.email
    else:
        return  # nowhere to tell them: the draft page itself shows when it will be deleted
    language = user.preferred_language
    service = selectors.service_get(code=payload["service"])
    expires = timezone.localtime(datetime.fromisoformat(payload["expires_at"]))
    with translation.override(language):
        name = localized(service, "name", language) if service else payload["service"]
        subject = _("Your unfinished form will soon be deleted")
        body = _(
            "Bawaba: your form for “%(service)s” is not finished. It will be deleted on %(day)s unless you sign "
            "in and continue it."
        ) % {"service": name, "day": formats.date_format(expires, "j F Y")}
    message_send(
        channel=channel, to=to, kind=DRAFT_EXPIRING, subject=str(subject), body=body, language=language
    )
