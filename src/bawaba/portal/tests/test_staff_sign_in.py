"""Staff sign in with a password and a code, never a password alone; the admin is for platform admins."""

import pytest
from django.utils import timezone

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.testing.messages import last_code

pytestmark = pytest.mark.django_db
PASSWORD = "Staff-password-2026"


def staff(username: str, role: str, agency: str = "", *, superuser: bool = False) -> User:
    user = User.objects.create_user(
        username,
        password=PASSWORD,
        mobile="+201000000001",
        mobile_verified_at=timezone.now(),
        is_staff=superuser,
        is_superuser=superuser,
    )
    StaffMembership.objects.create(user=user, role=role, agency=agency, granted_by="test")
    return user


def staff_sign_in(client, username: str, next_url: str = "/en/admin/"):
    response = client.post(
        "/en/account/staff-sign-in/", {"username": username, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get("/en/account/sign-in/code/").content.decode()
    assert "Continue without the code" not in page  # no way past the code for staff
    return client.post("/en/account/sign-in/code/", {"code": last_code("+201000000001")})


def test_a_platform_admin_reaches_the_admin_after_the_code(client):
    staff("platform-admin", StaffRole.PLATFORM_ADMIN)
    response = staff_sign_in(client, "platform-admin")
    assert response["Location"] == "/en/admin/"
    assert client.get("/en/admin/").status_code == 200


def test_the_admin_sends_everyone_else_to_the_staff_sign_in(client):
    assert client.get("/en/admin/")["Location"].startswith("/en/admin/login/")
    assert client.get("/en/admin/login/?next=/en/admin/")["Location"].startswith("/en/account/staff-sign-in/")


def test_an_agency_admin_with_django_superuser_flags_still_cannot_use_the_admin(client):
    staff("traffic-admin", StaffRole.AGENCY_ADMIN, "traffic", superuser=True)
    staff_sign_in(client, "traffic-admin")
    assert client.get("/en/admin/").status_code == 302


def test_a_citizen_cannot_sign_in_as_staff(client):
    User.objects.create_user(
        "citizen-x", password=PASSWORD, mobile="+201000000001", mobile_verified_at=timezone.now()
    )
    html = client.post(
        "/en/account/staff-sign-in/", {"username": "citizen-x", "password": PASSWORD}
    ).content.decode()
    assert "The user name or the password is not right." in html
