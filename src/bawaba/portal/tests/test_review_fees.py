"""The review page shows the fees the citizen will owe, line by line, before they submit."""

import re
from datetime import date

import pytest
from django.test import Client

from bawaba.cases.service_parts import form_for
from bawaba.cases.tests.test_flagship_forms import COMPLETE
from bawaba.catalogue.models import Service
from bawaba.forms.drafts import REVIEW
from bawaba.forms.models import Draft
from bawaba.testing.clients import signed_in
from bawaba.testing.eforms import citizen

pytestmark = pytest.mark.django_db
RENEW = "traffic.vehicle-licence.renew"
# The renewal as a citizen fills it (the national ID is prefilled by the form itself).
ANSWERS = {k: v for k, v in COMPLETE[RENEW].items() if k != "owner_national_id"}


def at_review(client: Client, code: str, answers: dict, *, complete: bool = True) -> None:
    """A draft opened through the page and answered as the steps would save it, waiting at the review."""
    assert client.post(f"/en/services/{code}/apply/").status_code == 302
    draft = Draft.objects.get(service_code=code)
    checked = form_for(Service.objects.get(code=code).current_version).clean_all({**draft.answers, **answers})
    assert checked.ok or not complete, checked.errors
    draft.answers, draft.step = checked.values, REVIEW
    draft.save(update_fields=["answers", "step"])


def fee_rows(html: str) -> list[tuple[str, str]]:
    section = re.search(r'data-testid="fees".*?</section>', html, re.S).group(0)
    return [
        tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row))
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S)
    ]


def test_the_review_shows_each_fee_and_the_total_in_english_and_arabic():
    client = signed_in(citizen())
    at_review(client, RENEW, ANSWERS)
    english = client.get(f"/en/services/{RENEW}/apply/review/")
    assert english.status_code == 200
    assert fee_rows(english.content.decode()) == [
        ("Item", "Amount"),
        ("Vehicle type: Private car", "EGP 450"),
        ("Delivery: Home delivery by express post", "EGP 35"),
        ("Total", "EGP 485"),
    ]
    arabic = client.get(f"/ar/services/{RENEW}/apply/review/").content.decode()
    rows = fee_rows(arabic)
    assert rows[1:3] == [
        ("نوع المركبة: سيارة ملاكي", "450 ج.م"),
        ("طريقة الاستلام: التوصيل إلى المنزل بالبريد السريع", "35 ج.م"),
    ]
    assert rows[-1][1] == "485 ج.م"
    assert '<th scope="col"' in arabic and '<th scope="row"' in arabic  # a table a screen reader can follow


def test_the_fee_follows_the_choices_and_a_free_choice_still_shows():
    client = signed_in(citizen())
    at_review(
        client,
        RENEW,
        {**ANSWERS, "vehicle_type": "motorcycle", "delivery": "collect", "traffic_unit": "giza-dokki"},
    )
    rows = fee_rows(client.get(f"/en/services/{RENEW}/apply/review/").content.decode())
    assert ("Delivery: Collect at a traffic unit", "EGP 0") in rows
    assert rows[-1] == ("Total", "EGP 150")


def test_a_service_without_fees_says_so():
    client = signed_in(citizen())
    at_review(client, "municipality.complaint.submit", {}, complete=False)
    html = client.get("/en/services/municipality.complaint.submit/apply/review/").content.decode()
    section = re.search(r'data-testid="fees".*?</section>', html, re.S).group(0)
    assert "No fee" in section and "<table" not in section


def test_the_review_quotes_what_filing_then_charges():
    amina = citizen(born=date(1950, 1, 1))
    client = signed_in(amina)
    at_review(client, RENEW, ANSWERS)
    html = client.get(f"/en/services/{RENEW}/apply/review/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', html).group(1)
    assert fee_rows(html)[-1] == ("Total", "EGP 485")  # this service grants the elderly nothing
    assert client.post(f"/en/services/{RENEW}/apply/review/", {"key": key}).status_code == 302
    assert amina.applications.get().fees_due == 48500
