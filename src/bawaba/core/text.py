"""Arabic text normaliser: one form for the index and the query, so spelling variants meet."""

import re
import unicodedata

TATWEEL = "\u0640"

# After decomposition, hamza and madda are combining marks on a bare letter (أ = ا + ٔ), so dropping every
# combining mark folds أ إ آ ؤ ئ along with the harakat; what remains are letters written differently.
_FOLD = str.maketrans(
    {
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ة": "ه",
        "ە": "ه",
        "ۀ": "ه",
        "گ": "ك",
        "ک": "ك",
        "ڤ": "ف",
        "پ": "ب",
        "چ": "ج",
        "ء": "",
        TATWEEL: "",
        "،": " ",
        "؛": " ",
        "؟": " ",
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Lower-case, fold Arabic letter variants, drop harakat, hamza and tatweel, Western digits, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_FOLD).translate(_DIGITS).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def western_digits(text: str) -> str:
    """Arabic-Indic and Persian digits as 0–9: citizens type numbers with either keyboard."""
    return text.translate(_DIGITS)


def words(text: str) -> list[str]:
    return normalise(text).split()
