"""What every portal page needs: the address of the same page in the other language."""

from django.urls import translate_url

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
