"""The facts about an applicant that eligibility rules ask for, as far as the platform itself knows them.

The agencies' registries (through the data exchange) add the rest: ration cards, vehicles, licences, family,
where the citizen lives. A fact not known here is left for the agency to check, never guessed.
"""

from datetime import date

from django.utils import timezone

from bawaba.accounts.models import User


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def applicant_facts(user: User, *, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    facts: dict = {"has-national-id": bool(user.national_id)}
    if user.national_id:
        # A national ID number is issued to nationals; residents hold residence permits instead.
        facts["nationality"] = "national"
    if user.birth_date:
        facts["age"] = _age(user.birth_date, today)
    return facts
