"""Every user-visible string of the platform has its Arabic translation."""

from pathlib import Path

import polib
from django.conf import settings


def test_arabic_catalogue_is_complete():
    po = polib.pofile(str(Path(settings.PACKAGE_DIR) / "locale" / "ar" / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
