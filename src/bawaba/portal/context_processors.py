"""What every portal page needs: the address of the same page in the other language, whose file is open, how
many messages are unread."""

from functools import cache

from django.urls import translate_url

from bawaba.accounts.delegation import acting_for as delegation_acting_for
from bawaba.core.i18n import current_language
from bawaba.notifications.inbox import unread_count

NAMES = {"ar": "العربية", "en": "English"}


def language_switch(request):
    other = "en" if current_language() == "ar" else "ar"
    return {
        "other_language": {
            "code": other,
            "name": NAMES[other],
            "url": translate_url(request.get_full_path(), other),
        },
    }


def acting_for(request):
    """The person this session acts for, shown on every page so no one forgets whose file is open."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"acting_for": delegation_acting_for(request)}


def unread_messages(request):
    """How many inbox messages the person has not read, for the header: counted once, and only when a page
    shows it (staff pages never do)."""
    return {"unread_messages": cache(lambda: unread_count(user=request.user))}
