"""The door of every staff page: staff only, with a second factor, and each agency's pages for its own people."""

import uuid

import pytest
from django.test import Client

from bawaba.accounts.models import StaffRole
from bawaba.accounts.staff import staff_member_deactivate
from bawaba.testing.clients import signed_in

from .helpers import PASSWORD, citizen, last_code, staff

pytestmark = pytest.mark.django_db

SOMEONE = uuid.uuid4()
PAGES = [
    "/en/staff/",
    "/en/staff/agencies/civil-status/staff/",
    "/en/staff/agencies/civil-status/staff/new/",
    f"/en/staff/agencies/civil-status/staff/{SOMEONE}/",
    "/en/staff/agencies/civil-status/delegations/",
    "/en/staff/agencies/civil-status/delegations/child/new/",
    "/en/staff/agencies/commerce/delegations/company/new/",
    f"/en/staff/agencies/civil-status/delegations/{SOMEONE}/end/",
]
POSTS = [
    f"/en/staff/agencies/civil-status/staff/{SOMEONE}/grant/",
    f"/en/staff/agencies/civil-status/staff/{SOMEONE}/withdraw/",
    f"/en/staff/agencies/civil-status/staff/{SOMEONE}/deactivate/",
    f"/en/staff/agencies/civil-status/staff/{SOMEONE}/reactivate/",
    f"/en/staff/agencies/civil-status/staff/{SOMEONE}/activation-code/",
]


def sent_to_staff_sign_in(response, path: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        "/en/account/staff-sign-in/?next=" + path.replace("/", "%2F")
    )


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client, path):
    assert sent_to_staff_sign_in(client.get(path), path)


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_posts_change_nothing_and_go_to_the_staff_sign_in(client, path):
    assert sent_to_staff_sign_in(client.post(path, {"role": "officer"}), path)


@pytest.mark.parametrize("path", PAGES + POSTS)
def test_a_citizen_gets_a_plain_403(path):
    browser = signed_in(citizen())
    response = browser.post(path, {"role": "officer"}) if path in POSTS else browser.get(path)
    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not have access to this page" in html
    # Nothing about what the page would have shown.
    for word in ("Staff home", "Add a staff member", "Delegations recorded", "Civil Status", "Staff area"):
        assert word not in html


def test_a_password_only_staff_session_is_sent_to_the_second_factor():
    officer = staff("civil-officer", (StaffRole.OFFICER, "civil-status"))
    browser = signed_in(officer, methods=["password"])
    for path in ("/en/staff/", "/en/staff/agencies/civil-status/delegations/"):
        assert sent_to_staff_sign_in(browser.get(path), path)


def test_staff_sign_in_lands_on_the_staff_home_with_the_code():
    officer = staff("civil-officer", (StaffRole.OFFICER, "civil-status"))
    browser = Client()
    response = browser.post("/en/account/staff-sign-in/", {"username": "civil-officer", "password": PASSWORD})
    assert response["Location"] == "/en/account/sign-in/code/"
    assert browser.get("/en/staff/").status_code == 302  # not yet: the code is still to come
    response = browser.post("/en/account/sign-in/code/", {"code": last_code(officer.mobile)})
    assert response["Location"] == "/en/staff/"
    page = browser.get("/en/staff/").content.decode()
    assert "Civil Status Authority" in page and "officer" in page
    assert "Record a parent or guardian of a minor child" in page
    assert "Staff of this agency" not in page  # an officer manages no staff


def test_a_next_page_is_kept_through_the_staff_sign_in(client):
    officer = staff("civil-officer", (StaffRole.OFFICER, "civil-status"))
    target = "/en/staff/agencies/civil-status/delegations/"
    sign_in = client.get(target)["Location"]
    response = client.post(sign_in, {"username": "civil-officer", "password": PASSWORD, "next": target})
    response = client.post(response["Location"], {"code": last_code(officer.mobile)})
    assert response["Location"] == target


def test_an_officer_cannot_manage_staff():
    officer = staff("civil-officer", (StaffRole.OFFICER, "civil-status"))
    supervisor = staff("civil-supervisor", (StaffRole.SUPERVISOR, "civil-status"))
    for user in (officer, supervisor):
        browser = signed_in(user)
        assert browser.get("/en/staff/agencies/civil-status/staff/").status_code == 403
        response = browser.post(
            "/en/staff/agencies/civil-status/staff/new/",
            {"username": "sneaky", "full_name": "S", "mobile": "01012345671", "roles": ["agency-admin"]},
        )
        assert response.status_code == 403
        url = f"/en/staff/agencies/civil-status/staff/{user.uuid}/grant/"
        assert browser.post(url, {"role": "agency-admin"}).status_code == 403
        assert not user.staff_memberships.filter(role="agency-admin").exists()


def test_an_admin_of_one_agency_is_nobody_in_another():
    admin = staff("civil-admin", (StaffRole.AGENCY_ADMIN, "civil-status"))
    commerce_officer = staff("commerce-officer", (StaffRole.OFFICER, "commerce"))
    browser = signed_in(admin)
    for path in (
        "/en/staff/agencies/commerce/staff/",
        "/en/staff/agencies/commerce/staff/new/",
        f"/en/staff/agencies/commerce/staff/{commerce_officer.uuid}/",
        "/en/staff/agencies/commerce/delegations/",
        "/en/staff/agencies/civil-status/delegations/",  # an admin records no delegations either
    ):
        assert browser.get(path).status_code == 403, path
    # Through their own agency's address, another agency's member does not exist.
    assert browser.get(f"/en/staff/agencies/civil-status/staff/{commerce_officer.uuid}/").status_code == 404
    for action in ("deactivate", "grant", "withdraw"):
        response = browser.post(
            f"/en/staff/agencies/civil-status/staff/{commerce_officer.uuid}/{action}/",
            {"role": "officer", "office": ""},
        )
        assert response.status_code == 404
    commerce_officer.refresh_from_db()
    assert commerce_officer.is_active and commerce_officer.staff_memberships.count() == 1


def test_deactivated_staff_get_nothing():
    admin = staff("civil-admin", (StaffRole.AGENCY_ADMIN, "civil-status"))
    officer = staff("civil-officer", (StaffRole.OFFICER, "civil-status"))
    browser = signed_in(officer)
    assert browser.get("/en/staff/").status_code == 200
    staff_member_deactivate(actor=admin, agency="civil-status", member=officer)
    assert sent_to_staff_sign_in(browser.get("/en/staff/"), "/en/staff/")
    html = (
        Client()
        .post("/en/account/staff-sign-in/", {"username": "civil-officer", "password": PASSWORD})
        .content.decode()
    )
    assert "The user name or the password is not right." in html


def test_the_activation_page_is_public():
    assert Client().get("/en/staff/activate/").status_code == 200
    assert Client().get("/ar/staff/activate/").status_code == 200
