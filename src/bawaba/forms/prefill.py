"""Prefill sources: where a form's answers can come from so the citizen never retypes what the state knows.

A registry of named sources, each giving a mapping of keys to values for a person. `profile` is the citizen's
own account; the agencies' registries join through the data exchange. A form question names its source and key.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bawaba.accounts.models import User

from .engine import Form

__all__ = ["REGISTRY", "PrefillSource", "prefill"]


@dataclass(frozen=True)
class PrefillSource:
    name: str
    label: Mapping[str, str]  # shown beside a prefilled answer: where it came from
    fetch: Callable[[User], Mapping]


def _profile(user: User) -> dict:
    return {
        "full_name": user.get_full_name(),
        "national_id": user.national_id or "",
        "mobile": user.mobile or "",
        "email": user.email or "",
        "birth_date": user.birth_date.isoformat() if user.birth_date else "",
        "sex": user.sex or "",
    }


REGISTRY: dict[str, PrefillSource] = {
    "profile": PrefillSource("profile", {"ar": "حسابك في بوابة", "en": "Your Bawaba account"}, _profile),
}


def prefill(form: Form, user: User) -> dict:
    """The answers the sources know for this person: each source is asked once, empty values are left out."""
    fetched: dict[str, Mapping] = {}
    answers = {}
    for name, spec in form.fields.items():
        if spec.prefill is None:
            continue
        source = spec.prefill.source
        if source not in fetched:
            fetched[source] = REGISTRY[source].fetch(user)
        value = fetched[source].get(spec.prefill.key)
        if value not in (None, ""):
            answers[name] = value
    return answers
