"""Staff of one agency cannot reach another agency's work; roles do what they say, and only that."""

import pytest
from django.contrib.auth.models import AnonymousUser

from bawaba.accounts import permissions
from bawaba.accounts.assurance import Level
from bawaba.accounts.models import StaffMembership, StaffRole, User

pytestmark = pytest.mark.django_db


def member(name: str, role: str, agency: str = "") -> User:
    user = User.objects.create_user(name, password="x" * 12)
    StaffMembership.objects.create(user=user, role=role, agency=agency, granted_by="test")
    return user


def test_an_officer_works_on_their_own_agency_only():
    officer = member("traffic-officer", StaffRole.OFFICER, "traffic")
    assert permissions.can_work_on_agency_cases(officer, agency="traffic")
    assert not permissions.can_work_on_agency_cases(officer, agency="civil-status")
    assert not permissions.can_supervise_agency(officer, agency="traffic")
    assert not permissions.can_manage_agency_staff(officer, agency="traffic")


def test_a_supervisor_of_one_agency_is_nobody_in_another():
    supervisor = member("civil-supervisor", StaffRole.SUPERVISOR, "civil-status")
    assert permissions.can_supervise_agency(supervisor, agency="civil-status")
    assert not permissions.can_supervise_agency(supervisor, agency="traffic")
    assert not permissions.can_work_on_agency_cases(supervisor, agency="traffic")


def test_citizens_anonymous_and_deactivated_staff_have_no_staff_rights():
    citizen = User.objects.create_user("citizen", password="x" * 12)
    former = member("former-officer", StaffRole.OFFICER, "traffic")
    former.is_active = False
    former.save()
    for user in (citizen, AnonymousUser(), former):
        assert not permissions.can_work_on_agency_cases(user, agency="traffic")
        assert not permissions.is_staff_member(user)


def test_an_agency_role_must_name_an_agency():
    from django.db import IntegrityError, transaction

    user = User.objects.create_user("no-agency", password="x" * 12)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMembership.objects.create(user=user, role=StaffRole.OFFICER, agency="", granted_by="test")


def test_centre_agents_and_auditors_do_not_process_agency_cases():
    agent = member("agent", StaffRole.CENTRE_AGENT, "civil-status")
    auditor = member("auditor", StaffRole.AUDITOR)
    assert not permissions.can_work_on_agency_cases(agent, agency="civil-status")
    assert not permissions.can_work_on_agency_cases(auditor, agency="civil-status")
    assert permissions.can_read_audit_log(auditor) and not permissions.can_read_audit_log(agent)


def test_django_admin_is_for_platform_admins_with_a_second_factor():
    admin = member("platform", StaffRole.PLATFORM_ADMIN)
    agency_admin = member("agency-admin", StaffRole.AGENCY_ADMIN, "traffic")
    agency_admin.is_staff = agency_admin.is_superuser = True  # Django's own flags do not open the admin
    agency_admin.save()
    assert permissions.can_use_django_admin(admin, session_level=Level.SUBSTANTIAL)
    assert not permissions.can_use_django_admin(admin, session_level=Level.LOW)
    assert not permissions.can_use_django_admin(agency_admin, session_level=Level.HIGH)


def test_staff_never_work_on_a_password_alone():
    officer = member("officer", StaffRole.OFFICER, "traffic")
    assert permissions.staff_needs_second_factor(officer, session_level=Level.LOW)
    assert not permissions.staff_needs_second_factor(officer, session_level=Level.SUBSTANTIAL)
