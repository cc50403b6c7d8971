"""The notices the platform sends (notices.yaml) and the wording in force for each: an administrator's, where
one was saved, else the shipped one."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ruamel.yaml import YAML

from .models import Template

__all__ = ["LANGUAGES", "Notice", "Wording", "notice_get", "notices", "wording_default", "wording_for"]

LANGUAGES = ("ar", "en")
_FILE = Path(__file__).with_name("notices.yaml")


@dataclass(frozen=True)
class Wording:
    sms: str
    subject: str
    body: str


@dataclass(frozen=True)
class Notice:
    code: str
    label: dict[str, str]
    placeholders: dict[str, str]  # name → an example, for the preview
    urgent: bool  # at once whatever the hour, on the urgent lane
    secret: bool  # carries a code: sealed at rest, wiped once sent, never shown
    expires: bool  # a short-lived code: useless, so never sent, once the codes' lifetime has passed
    audience: str  # citizen or staff
    wording: dict[str, Wording]  # the shipped wording per language

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.placeholders)


@cache
def notices() -> dict[str, Notice]:
    data = YAML(typ="safe").load(_FILE.read_text(encoding="utf-8"))
    return {
        code: Notice(
            code=code,
            label=dict(entry["label"]),
            placeholders={k: str(v) for k, v in (entry.get("placeholders") or {}).items()},
            urgent=bool(entry.get("urgent", False)),
            secret=bool(entry.get("secret", False)),
            expires=bool(entry.get("expires", False)),
            audience=entry.get("audience", "citizen"),
            wording={language: Wording(**entry["wording"][language]) for language in LANGUAGES},
        )
        for code, entry in data.items()
    }


def notice_get(code: str) -> Notice:
    """Raises KeyError for a notice that does not exist: a caller naming one is a programming error."""
    return notices()[code]


def wording_default(code: str, language: str) -> Wording:
    return notice_get(code).wording[language]


def wording_for(code: str, language: str) -> Wording:
    saved = Template.objects.filter(notice=code, language=language).first()
    if saved is not None:
        return Wording(sms=saved.sms, subject=saved.subject, body=saved.body)
    return wording_default(code, language)
