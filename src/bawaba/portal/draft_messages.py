"""Telling a citizen that a form they started will soon be deleted (a reaction to the drafts' sweep)."""

from datetime import datetime

from django.utils import formats, timezone, translation

from bawaba.accounts.models import User
from bawaba.catalogue import selectors
from bawaba.core.i18n import localized
from bawaba.events.registry import subscribe
from bawaba.notifications.services import notify


@subscribe("draft.expiring", name="portal.draft-expiring-message")
def draft_expiring_message(payload: dict) -> None:
    user = User.objects.filter(uuid=payload["user"], is_active=True).first()
    if user is None:
        return
    language = user.preferred_language
    service = selectors.service_get(code=payload["service"])
    expires = timezone.localtime(datetime.fromisoformat(payload["expires_at"]))
    with translation.override(language):
        values = {
            "service": localized(service, "name", language) if service else payload["service"],
            "date": formats.date_format(expires, "j F Y"),
        }
    notify(notice="draft.expiring", recipient=user, values=values)
