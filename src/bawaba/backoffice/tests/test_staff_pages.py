"""Staff management through the pages: add, activate, sign in, roles, deactivate; tampered posts change nothing."""

import pytest
from django.test import Client

from bawaba.accounts.models import StaffMembership, StaffRole, User, UserSession
from bawaba.testing.clients import signed_in

from .helpers import last_code, last_message, staff

pytestmark = pytest.mark.django_db
LIST = "/en/staff/agencies/civil-status/staff/"
NEW = "/en/staff/agencies/civil-status/staff/new/"
NEW_PASSWORD = "Cotton-field-2026"


@pytest.fixture
def admin():
    return staff("civil-admin", (StaffRole.AGENCY_ADMIN, "civil-status"))


def new_member(**overrides) -> dict:
    return {
        "username": "mona.fathy",
        "full_name": "Mona Fathy",
        "mobile": "+201012345670",
        "email": "",
        "roles": ["officer", "centre-agent"],
        "office": "Giza office",
        "language": "en",
        **overrides,
    }


def test_add_activate_and_sign_in(admin):
    browser = signed_in(admin)
    assert "Add a staff member" in browser.get(LIST).content.decode()
    response = browser.post(NEW, new_member())
    member = User.objects.get(username="mona.fathy")
    assert response.status_code == 302 and response["Location"] == f"{LIST}{member.uuid}/"
    page = browser.get(response["Location"]).content.decode()
    assert "We sent an activation code by SMS to +2010•••••670" in page
    assert "waiting for activation" in page and "service-centre agent" in page
    assert {(m.role, m.office) for m in member.staff_memberships.all()} == {
        ("officer", "Giza office"),
        ("centre-agent", "Giza office"),
    }
    text = last_message("+201012345670")
    assert "user name: mona.fathy" in text and "/en/staff/activate/" in text and "72 hours" in text

    newcomer = Client()
    response = newcomer.post(
        "/en/staff/activate/",
        {
            "username": "mona.fathy",
            "code": last_code("+201012345670"),
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert response["Location"] == "/en/staff/activate/done/"
    assert "Your account is ready" in newcomer.get(response["Location"]).content.decode()

    response = newcomer.post(
        "/en/account/staff-sign-in/", {"username": "mona.fathy", "password": NEW_PASSWORD}
    )
    assert response["Location"] == "/en/account/sign-in/code/"
    response = newcomer.post("/en/account/sign-in/code/", {"code": last_code("+201012345670")})
    assert response["Location"] == "/en/staff/"
    home = newcomer.get("/en/staff/").content.decode()
    assert "Mona Fathy" in home and "Giza office" in home
    assert "active" in browser.get(LIST).content.decode()


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"mobile": "0223456789"}, "mobile", "This is a landline number"),
        ({"mobile": "12"}, "mobile", "Enter a mobile number"),
        ({"username": "civil-admin"}, "username", "This user name is already taken"),
        ({"username": "citizen-1"}, "username", "It cannot start with"),
        ({"roles": []}, "roles", "This field is required"),
        ({"full_name": ""}, "full_name", "This field is required"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address"),
    ],
)
def test_bad_input_is_named_beside_its_field_and_nothing_is_written(admin, overrides, field, message):
    response = signed_in(admin).post(NEW, new_member(**overrides))
    html = response.content.decode()
    assert response.status_code == 200 and message in html and 'id="error-summary"' in html
    assert f'href="#id_{field}' in html
    assert not User.objects.filter(username__in=["mona.fathy", "citizen-1"]).exists()


@pytest.mark.parametrize("role", ["platform-admin", "auditor", "superuser"])
def test_platform_roles_cannot_be_slipped_into_a_post(admin, role):
    browser = signed_in(admin)
    response = browser.post(NEW, new_member(roles=["officer", role]))
    assert response.status_code == 200 and "is not one of the available choices" in response.content.decode()
    assert not User.objects.filter(username="mona.fathy").exists()
    officer = staff("civil-officer", (StaffRole.OFFICER, "civil-status"))
    response = browser.post(f"{LIST}{officer.uuid}/grant/", {"role": role, "office": ""})
    assert response.status_code == 400
    assert not StaffMembership.objects.filter(role=role).exists()
    # Nor in another agency, by changing the address.
    response = browser.post("/en/staff/agencies/commerce/staff/new/", new_member())
    assert response.status_code == 403 and not User.objects.filter(username="mona.fathy").exists()


def test_grant_and_withdraw_roles(admin):
    officer = staff("civil-officer", (StaffRole.OFFICER, "civil-status"))
    browser = signed_in(admin)
    page = f"{LIST}{officer.uuid}/"
    response = browser.post(f"{page}grant/", {"role": "supervisor", "office": "Giza"})
    assert response["Location"] == page
    assert "The role was given." in browser.get(page).content.decode()
    response = browser.post(f"{page}grant/", {"role": "supervisor", "office": "Giza"})
    assert response.status_code == 400
    assert "This member already has this role in this office." in response.content.decode()
    browser.post(f"{page}withdraw/", {"role": "officer", "office": ""})
    assert list(officer.staff_memberships.values_list("role", "office")) == [("supervisor", "Giza")]
    # Withdrawing the last role here takes the member off this agency's list.
    response = browser.post(f"{page}withdraw/", {"role": "supervisor", "office": "Giza"})
    assert response["Location"] == LIST
    assert browser.get(page).status_code == 404


def test_an_admin_cannot_withdraw_their_own_last_admin_role(admin):
    browser = signed_in(admin)
    page = f"{LIST}{admin.uuid}/"
    response = browser.post(f"{page}withdraw/", {"role": "agency-admin", "office": ""})
    assert response["Location"] == page
    html = browser.get(page).content.decode()
    assert "You cannot withdraw your own last agency administrator role" in html
    assert "This is your own account." in html and "Deactivate the account" not in html
    assert admin.staff_memberships.filter(role="agency-admin").exists()


def test_deactivating_signs_the_member_out_at_once_and_reactivating_lets_them_back(admin):
    officer = staff("civil-officer", (StaffRole.OFFICER, "civil-status"))
    officer_browser = signed_in(officer)
    UserSession.objects.create(user=officer, methods=["password", "password+sms"])
    assert officer_browser.get("/en/staff/").status_code == 200
    browser = signed_in(admin)
    page = f"{LIST}{officer.uuid}/"
    browser.post(f"{page}deactivate/")
    html = browser.get(page).content.decode()
    assert "The account is deactivated and every session it had has ended." in html
    assert "Reactivate the account" in html
    assert officer_browser.get("/en/staff/").status_code == 302
    assert not UserSession.objects.filter(user=officer, ended_at=None).exists()
    browser.post(f"{page}reactivate/")
    officer.refresh_from_db()
    assert officer.is_active


def test_a_member_of_two_agencies_is_not_deactivated_by_one(admin):
    both = staff("two-agencies", (StaffRole.OFFICER, "civil-status"), (StaffRole.OFFICER, "commerce"))
    browser = signed_in(admin)
    page = f"{LIST}{both.uuid}/"
    assert "only a platform administrator can deactivate" in browser.get(page).content.decode()
    browser.post(f"{page}deactivate/")
    both.refresh_from_db()
    assert both.is_active
    assert "only a platform administrator can deactivate or reactivate" in browser.get(page).content.decode()


def test_a_new_activation_code_can_be_sent_until_the_member_activates(admin):
    browser = signed_in(admin)
    browser.post(NEW, new_member())
    member = User.objects.get(username="mona.fathy")
    first = last_code("+201012345670")
    browser.post(f"{LIST}{member.uuid}/activation-code/")
    second = last_code("+201012345670")
    form = {"username": "mona.fathy", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    if first != second:
        html = Client().post("/en/staff/activate/", {**form, "code": first}).content.decode()
        assert "The user name or the code is not right" in html
    assert Client().post("/en/staff/activate/", {**form, "code": second}).status_code == 302
    browser.post(f"{LIST}{member.uuid}/activation-code/")
    assert (
        "This member has already set their password." in browser.get(f"{LIST}{member.uuid}/").content.decode()
    )


def test_a_wrong_code_and_an_unknown_user_name_get_the_same_words(admin):
    signed_in(admin).post(NEW, new_member())
    code = last_code("+201012345670")
    wrong = "000000" if code != "000000" else "111111"
    form = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    for username, attempt in (("mona.fathy", wrong), ("nobody", code)):
        response = Client().post("/en/staff/activate/", {**form, "username": username, "code": attempt})
        assert "The user name or the code is not right" in response.content.decode()
    assert not User.objects.get(username="mona.fathy").has_usable_password()


def test_a_weak_or_mismatched_password_is_named_on_the_activation_page(admin):
    signed_in(admin).post(NEW, new_member())
    code = last_code("+201012345670")
    form = {"username": "mona.fathy", "code": code}
    html = Client().post(
        "/en/staff/activate/", {**form, "password": "12345678901", "password_again": "12345678901"}
    )
    assert "This password is entirely numeric." in html.content.decode()
    html = Client().post(
        "/en/staff/activate/", {**form, "password": NEW_PASSWORD, "password_again": "other-9"}
    )
    assert "The two passwords are not the same." in html.content.decode()
    # Neither used the code up.
    response = Client().post(
        "/en/staff/activate/", {**form, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert response.status_code == 302
