"""Bilingual ready-made reasons and messages (reason_templates.yaml) an officer starts from, per action and agency.

The file is read once and checked: a template missing a language or a code would give an officer an empty box.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ruamel.yaml import YAML

__all__ = ["ReasonTemplate", "TemplatesInvalid", "read_templates", "reason_template", "reason_templates"]

TEMPLATES_FILE = Path(__file__).resolve().parent / "reason_templates.yaml"
LANGUAGES = ("ar", "en")


class TemplatesInvalid(ValueError):
    pass


@dataclass(frozen=True)
class ReasonTemplate:
    code: str
    title: dict[str, str]
    text: dict[str, str]


def _checked(entries, where: str) -> dict[str, list[ReasonTemplate]]:
    by_action: dict[str, list[ReasonTemplate]] = {}
    for action, templates in (entries or {}).items():
        seen = set()
        for item in templates:
            code = item.get("code")
            if not code or code in seen:
                raise TemplatesInvalid(f"{where}/{action}: every template needs its own code ({code!r})")
            seen.add(code)
            for part in ("title", "text"):
                if not all(str((item.get(part) or {}).get(lang) or "").strip() for lang in LANGUAGES):
                    raise TemplatesInvalid(f"{where}/{action}/{code}: {part} needs Arabic and English")
            by_action.setdefault(action, []).append(
                ReasonTemplate(
                    code,
                    {lang: str(item["title"][lang]) for lang in LANGUAGES},
                    {lang: str(item["text"][lang]).strip() for lang in LANGUAGES},
                )
            )
    return by_action


def read_templates(path: Path = TEMPLATES_FILE) -> dict[str, dict[str, list[ReasonTemplate]]]:
    """{"": global templates by action, "<agency>": that agency's by action}."""
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    out = {"": _checked(data.get("global"), "global")}
    for agency, entries in (data.get("agencies") or {}).items():
        out[agency] = _checked(entries, f"agencies/{agency}")
    return out


@cache
def _all() -> dict[str, dict[str, list[ReasonTemplate]]]:
    return read_templates()


def reason_templates(*, agency: str, action: str) -> list[ReasonTemplate]:
    """The agency's own templates for the action first, then the ones every agency has."""
    everything = _all()
    return [*everything.get(agency, {}).get(action, []), *everything[""].get(action, [])]


def reason_template(*, agency: str, action: str, code: str) -> ReasonTemplate | None:
    return next((t for t in reason_templates(agency=agency, action=action) if t.code == code), None)
