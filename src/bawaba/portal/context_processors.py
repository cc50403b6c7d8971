"""What every portal page needs: the address of the same page in the other language."""

from django.urls import translate_url

from bawaba.accounts.delegation import acting_for as delegation_acting_for
from bawaba.core.i18n import current_language

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
