"""The fees due at filing: the fee engine fed with the answers and what the platform knows of the applicant."""

from datetime import date

import pytest
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.cases.models import Application
from bawaba.cases.service_parts import ELDERLY_AGE, fee_groups, fee_quote, fees_due
from bawaba.cases.services import application_submit
from bawaba.catalogue.models import ServiceVersion
from bawaba.catalogue.selectors import service_get

pytestmark = pytest.mark.django_db
ID_CARD = "civil.id-card.renew"  # halves its fees for the elderly, waives them for social protection

URGENCY_FORM = {
    "schema": {
        "type": "object",
        "properties": {
            "urgency": {"type": "string", "enum": ["normal", "urgent"]},
            "declaration": {"type": "boolean", "const": True},
        },
        "required": ["urgency", "declaration"],
    },
    "steps": [
        {"key": "card", "title": {"ar": "البطاقة", "en": "Card"}, "fields": ["urgency", "declaration"]}
    ],
    "fields": {
        "urgency": {
            "label": {"ar": "نوع الإصدار", "en": "Type of issue"},
            "widget": "radio",
            "choices": {"normal": {"ar": "عادي", "en": "Normal"}, "urgent": {"ar": "مستعجل", "en": "Urgent"}},
        },
        "declaration": {"label": {"ar": "أقر", "en": "I declare"}, "widget": "checkbox"},
    },
}


def person(born: date | None, number: str = "29103090104240") -> User:
    return User.objects.create_user(
        f"citizen-{number}", national_id=number, birth_date=born, first_name="Amina"
    )


def years_ago(years: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def test_the_elderly_group_comes_from_the_age_and_no_other_group_is_guessed():
    assert fee_groups({"age": ELDERLY_AGE}) == {"elderly"}
    assert fee_groups({"age": ELDERLY_AGE - 1}) == set()
    assert fee_groups({"has-national-id": True}) == set()  # no birth date: no age, no reduction


def test_an_applicant_of_sixty_pays_half_for_an_id_card_and_others_pay_in_full():
    definition = service_get(code=ID_CARD).current_version.definition
    answers = {"urgency": "normal"}
    assert fees_due(definition, answers) == (5000, "EGP")
    assert fees_due(definition, answers, applicant=person(years_ago(60))) == (2500, "EGP")
    assert fees_due(definition, answers, applicant=person(years_ago(59), "29103090104241")) == (5000, "EGP")
    assert fees_due(definition, answers, applicant=person(None, "29103090104242")) == (5000, "EGP")
    quote = fee_quote(definition, answers, applicant=User.objects.get(national_id="29103090104240"))
    assert [line.kind for line in quote.lines] == ["option", "exemption"]


def test_a_service_without_fees_is_free_with_no_currency():
    assert fees_due({"kind": "application"}) == (0, "")
    assert fee_quote({"fees": {"currency": "EGP", "rules": []}}).lines == ()


def test_filing_charges_the_elderly_their_reduced_fee():
    service = service_get(code=ID_CARD)
    current = service.current_version
    version = ServiceVersion.objects.create(
        service=service,
        number=current.number + 1,
        definition={**current.definition, "form_definition": URGENCY_FORM},
        content_hash="urgency-form",
        published_by="test",
    )
    service.current_version = version
    service.save(update_fields=["current_version"])
    elder = person(years_ago(70))
    application = application_submit(
        service=service,
        version=version,
        applicant=elder,
        filed_by=elder,
        answers={"urgency": "urgent", "declaration": True},
        submission_key="k1",
    )
    assert Application.objects.get(pk=application.pk).fees_due == 6250 and application.currency == "EGP"
