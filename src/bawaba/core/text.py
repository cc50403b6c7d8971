"""Arabic text normaliser: one form for the index and the query, so spelling variants meet."""

import re
import unicodedata

# Harakat (fathatan … sukun), superscript alef, Quranic marks, and tatweel carry no meaning for matching.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "گ": "ك",
        "ک": "ك",
        "ی": "ي",
        "ڤ": "ف",
        "پ": "ب",
        "چ": "ج",
        "،": " ",
        "؛": " ",
        "؟": " ",
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Lower-case, fold Arabic letter variants, drop harakat and tatweel, Western digits, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _DIACRITICS.sub("", text)
    text = text.translate(_FOLD).translate(_DIGITS).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def words(text: str) -> list[str]:
    return normalise(text).split()
