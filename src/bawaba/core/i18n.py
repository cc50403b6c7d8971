"""Bilingual data: database text is stored as `<field>_ar` / `<field>_en` columns and picked by language."""

from django.utils.translation import get_language

SUPPORTED = ("ar", "en")


def current_language() -> str:
    language = (get_language() or "ar")[:2]
    return language if language in SUPPORTED else "ar"


def localized(obj: object, field: str, language: str | None = None) -> str:
    """`obj.<field>_<language>`, falling back to the other language when that one is empty."""
    language = language or current_language()
    other = "en" if language == "ar" else "ar"
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_{other}", "")


class BilingualMixin:
    """Gives `obj.name`, `obj.description` … in the active language for every `<field>_ar` column."""

    bilingual_fields: tuple[str, ...] = ()

    def __getattr__(self, item: str):
        if item in type(self).bilingual_fields:
            return localized(self, item)
        raise AttributeError(item)


def pick(pair: dict | None, language: str | None = None) -> str:
    """The text for the active language from a definition's {"ar": …, "en": …} pair."""
    if not pair:
        return ""
    language = language or current_language()
    return pair.get(language) or pair.get("en" if language == "ar" else "ar") or ""
