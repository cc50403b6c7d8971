"""Recording parents of minors and company representatives through the pages, and ending what was recorded."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from bawaba.accounts.models import Delegation, StaffRole
from bawaba.accounts.national_id import NationalIdRule, make
from bawaba.backoffice.forms import delegation_error
from bawaba.testing.clients import signed_in

from .helpers import citizen, staff

pytestmark = pytest.mark.django_db
CIVIL = "/{lang}/staff/agencies/civil-status/delegations/"
COMMERCE = "/{lang}/staff/agencies/commerce/delegations/"


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


def child_id(born: date) -> str:
    return make(birth_date=born, region="02", serial=21, sex="female", rule=NationalIdRule())


@pytest.fixture
def officer():
    return staff("civil-officer", (StaffRole.OFFICER, "civil-status"))


@pytest.fixture
def parent():
    return citizen()


def child_form(parent, **overrides) -> dict:
    return {
        "parent_national_id": parent.national_id,
        "child_national_id": child_id(years_ago(7)),
        "child_name": "Laila Samir",
        "evidence": "birth record 2019/4411",
        **overrides,
    }


def test_an_officer_records_a_child_the_parent_acts_for_them_until_the_officer_ends_it(officer, parent):
    browser = signed_in(officer)
    new = CIVIL.format(lang="en") + "child/new/"
    assert "Record a parent or guardian of a minor child" in browser.get(new).content.decode()
    response = browser.post(new, child_form(parent))
    assert response["Location"] == CIVIL.format(lang="en")
    listing = browser.get(response["Location"]).content.decode()
    assert "Recorded: Samir Adel can now act for Laila Samir." in listing
    assert "birth record 2019/4411" in listing and "in force" in listing
    delegation = Delegation.objects.get()

    family = signed_in(parent)
    family.post("/en/account/acting-for/", {"delegation": str(delegation.uuid)})
    assert "You are acting for Laila Samir." in family.get("/en/").content.decode()

    end = CIVIL.format(lang="en") + f"{delegation.uuid}/end/"
    response = browser.post(end, {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = browser.post(end, {"reason": "Court decision 2026/12"})
    assert response["Location"] == CIVIL.format(lang="en")
    listing = browser.get(response["Location"]).content.decode()
    assert "Samir Adel can no longer act for Laila Samir" in listing and "Court decision 2026/12" in listing
    # At once: the parent's very next page no longer acts for the child.
    assert "You are acting for" not in family.get("/en/").content.decode()
    assert browser.get(end).content.decode().count("End the delegation") == 0


def test_a_child_who_is_not_a_minor_is_refused_beside_the_field(officer, parent):
    adult = child_id(years_ago(18))
    response = signed_in(officer).post(
        CIVIL.format(lang="en") + "child/new/", child_form(parent, child_national_id=adult)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "This child is not a minor: by the date of birth in the national ID number they are 18 or older."
        in html
    )
    assert 'href="#id_child_national_id"' in html
    assert not Delegation.objects.exists()
    # One day younger is still a minor.
    signed_in(officer).post(
        CIVIL.format(lang="en") + "child/new/",
        child_form(parent, child_national_id=child_id(years_ago(18, -1))),
    )
    assert Delegation.objects.count() == 1


def test_the_refusal_of_an_adult_child_is_in_the_language_of_the_page(officer, parent):
    with translation.override("ar"):
        words = str(delegation_error("not-a-minor"))
    response = signed_in(officer).post(
        CIVIL.format(lang="ar") + "child/new/", child_form(parent, child_national_id=child_id(years_ago(30)))
    )
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html and words in html
    assert 'href="#id_child_national_id"' in html


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("parent_national_id", "123", "الرقم القومي يتكون من 14 رقمًا"),
        ("child_national_id", "123", "الرقم القومي يتكون من 14 رقمًا"),
        ("parent_national_id", "29103090104241", "الرقم القومي غير صحيح"),
    ],
)
def test_bad_national_ids_get_translated_errors_beside_the_right_field(
    officer, parent, field, value, message
):
    response = signed_in(officer).post(
        CIVIL.format(lang="ar") + "child/new/", child_form(parent, **{field: value})
    )
    html = response.content.decode()
    assert response.status_code == 200 and message in html and f'href="#id_{field}"' in html
    assert not Delegation.objects.exists()


def test_a_parent_without_an_account_is_told_to_make_one_first(officer, parent):
    stranger = make(birth_date=date(1980, 1, 1), region="01", serial=99, sex="male", rule=NationalIdRule())
    response = signed_in(officer).post(
        CIVIL.format(lang="ar") + "child/new/", child_form(parent, parent_national_id=stranger)
    )
    html = response.content.decode()
    assert "لا يوجد مواطن له حساب بهذا الرقم القومي. يجب أن ينشئ حسابًا أولًا." in html
    assert 'href="#id_parent_national_id"' in html


def test_each_agency_records_its_own_kind_and_sees_its_own_list(officer, parent):
    commerce = staff("commerce-officer", (StaffRole.OFFICER, "commerce"))
    commerce_browser = signed_in(commerce)
    response = commerce_browser.post(
        COMMERCE.format(lang="en") + "company/new/",
        {
            "representative_national_id": parent.national_id,
            "registry_number": "cr-2020/4567",
            "company_name": "Nile Foods",
            "evidence": "register extract 77",
            "expires_on": "",
        },
    )
    assert response["Location"] == COMMERCE.format(lang="en")
    company = Delegation.objects.get(kind=Delegation.Kind.COMPANY)
    assert company.principal_identifier == "CR-2020/4567" and company.expires_at is None

    civil_browser = signed_in(officer)
    civil_browser.post(CIVIL.format(lang="en") + "child/new/", child_form(parent))
    # Neither agency records the other's kind, sees the other's list, or ends the other's delegations.
    assert civil_browser.get(COMMERCE.format(lang="en") + "company/new/").status_code == 403
    assert civil_browser.get(COMMERCE.format(lang="en")).status_code == 403
    assert civil_browser.get(CIVIL.format(lang="en") + "company/new/").status_code == 403
    assert commerce_browser.get(CIVIL.format(lang="en") + "child/new/").status_code == 403
    assert "Nile Foods" not in civil_browser.get(CIVIL.format(lang="en")).content.decode()
    for base in (CIVIL, COMMERCE):
        response = civil_browser.post(base.format(lang="en") + f"{company.uuid}/end/", {"reason": "because"})
        assert response.status_code in (403, 404)
    company.refresh_from_db()
    assert company.revoked_at is None


def test_the_list_can_be_searched(officer, parent):
    browser = signed_in(officer)
    browser.post(CIVIL.format(lang="en") + "child/new/", child_form(parent))
    browser.post(
        CIVIL.format(lang="en") + "child/new/",
        child_form(parent, child_national_id=child_id(years_ago(3)), child_name="Omar Samir", evidence="b/2"),
    )
    browser.get(CIVIL.format(lang="en"))  # shows, and so clears, the "Recorded" notes
    html = browser.get(CIVIL.format(lang="en") + "?q=Omar").content.decode()
    assert "Omar Samir" in html and "Laila Samir" not in html
    html = browser.get(CIVIL.format(lang="en") + "?q=" + parent.national_id).content.decode()
    assert "Omar Samir" in html and "Laila Samir" in html
    assert "Nothing matches this search." in browser.get(CIVIL.format(lang="en") + "?q=zzz").content.decode()
