"""Notice texts with placeholders ({reference}): checked when an administrator saves them, filled when sent.

Pure: plain strings in, plain strings out. Only bare names in braces are placeholders; {{ and }} are literal
braces. Anything else in braces (attribute or index access, format specs, conversions) is refused, so a
template can never reach into the values it is given.
"""

import re
import string
from collections.abc import Mapping

from django.utils.translation import gettext as _

__all__ = ["fill", "placeholders_of", "problems"]

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_FORMATTER = string.Formatter()


def _fields(text: str) -> list[tuple[str, str | None, str | None]]:
    """(field, format spec, conversion) of every {…} in the text; raises ValueError on unbalanced braces."""
    return [
        (field, spec, conversion)
        for _literal, field, spec, conversion in _FORMATTER.parse(text)
        if field is not None
    ]


def problems(text: str, allowed: set[str] | frozenset[str]) -> list[str]:
    """What is wrong with the text, in words for the administrator; [] when it can be used."""
    try:
        fields = _fields(text)
    except ValueError:
        return [_("A brace is not closed: write {name} for a placeholder, or {{ and }} for a brace itself.")]
    found = []
    for field, spec, conversion in fields:
        written = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if not _NAME.fullmatch(field) or spec or conversion:
            found.append(
                _("%(written)s is not a placeholder: write a name alone in braces, such as {reference}.")
                % {"written": written}
            )
        elif field not in allowed:
            names = ", ".join("{" + name + "}" for name in sorted(allowed)) if allowed else "—"
            found.append(
                _("%(written)s is not a placeholder of this notice. Its placeholders: %(names)s.")
                % {"written": written, "names": names}
            )
    return list(dict.fromkeys(found))


def placeholders_of(text: str) -> set[str]:
    return {field for field, _spec, _conversion in _fields(text)}


def fill(text: str, values: Mapping[str, object]) -> str:
    """The text with each placeholder replaced; a placeholder without a value is left empty."""
    return _FORMATTER.vformat(text, (), _Values(values))


class _Values(dict):
    def __init__(self, values: Mapping[str, object]):
        super().__init__({key: str(value) for key, value in values.items()})

    def __missing__(self, key: str) -> str:
        return ""
