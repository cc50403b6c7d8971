"""Staff management: an agency administrator acts in their own agency only, and only with agency roles."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bawaba.accounts.models import OneTimeCode, StaffMembership, StaffRole, User, UserSession
from bawaba.accounts.one_time_codes import CodeProblem, CodeRefused
from bawaba.accounts.permissions import can_manage_agency_staff, is_staff_member
from bawaba.accounts.staff import (
    StaffProblem,
    StaffRefused,
    StaffStatus,
    agency_staff,
    agency_staff_member,
    staff_activate,
    staff_activation_resend,
    staff_member_add,
    staff_member_deactivate,
    staff_member_reactivate,
    staff_role_grant,
    staff_role_withdraw,
    staff_status,
)
from bawaba.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
PASSWORD = "Granite-river-2026"


def member(name: str, role: str, agency: str = "", office: str = "") -> User:
    user = User.objects.create_user(name, password=PASSWORD, mobile="+201000000009")
    StaffMembership.objects.create(user=user, role=role, agency=agency, office=office, granted_by="test")
    return user


@pytest.fixture
def admin():
    return member("civil-admin", StaffRole.AGENCY_ADMIN, "civil-status")


def add(admin: User, **overrides):
    data = {
        "actor": admin,
        "agency": "civil-status",
        "username": "Mona.Fathy",
        "full_name": "Mona Fathy",
        "mobile": "01012345670",
        "roles": [StaffRole.OFFICER],
        "office": "Giza office",
    }
    return staff_member_add(**{**data, **overrides})


def refused(call, **kwargs) -> StaffProblem:
    with pytest.raises(StaffRefused) as caught:
        call(**kwargs)
    return caught.value.problem


def test_a_new_member_has_no_password_and_an_activation_code_for_three_days(admin, settings):
    new, code = add(admin)
    assert new.username == "mona.fathy" and new.mobile == "+201012345670"
    assert not new.has_usable_password() and new.mobile_verified_at is None
    assert staff_status(new) == StaffStatus.AWAITING_ACTIVATION
    assert [(m.role, m.agency, m.office) for m in new.staff_memberships.all()] == [
        ("officer", "civil-status", "Giza office")
    ]
    record = OneTimeCode.objects.get(uuid=code.record_uuid)
    assert record.purpose == OneTimeCode.Purpose.ACTIVATE and record.user == new
    lifetime = record.expires_at - record.created_at
    assert abs(lifetime - timedelta(hours=settings.BAWABA_ACTIVATION_CODE_TTL_HOURS)) < timedelta(minutes=1)
    entry = AuditEntry.objects.get(action="accounts.staff.added")
    assert entry.actor == f"user:{admin.uuid}" and entry.subject_id == str(new.uuid)
    assert entry.data["agency"] == "civil-status" and entry.data["roles"] == ["officer"]


def test_only_an_admin_of_that_agency_adds_staff_to_it(admin):
    officer = member("civil-officer", StaffRole.OFFICER, "civil-status")
    traffic_admin = member("traffic-admin", StaffRole.AGENCY_ADMIN, "traffic")
    platform_admin = member("platform", StaffRole.PLATFORM_ADMIN)
    for actor in (officer, traffic_admin, platform_admin):
        assert refused(staff_member_add, **_add_args(actor)) == StaffProblem.NOT_ALLOWED
    assert not User.objects.filter(username="mona.fathy").exists()


def _add_args(actor: User) -> dict:
    return {
        "actor": actor,
        "agency": "civil-status",
        "username": "mona.fathy",
        "full_name": "Mona Fathy",
        "mobile": "01012345670",
        "roles": [StaffRole.OFFICER],
    }


@pytest.mark.parametrize("role", [StaffRole.PLATFORM_ADMIN, StaffRole.AUDITOR, "superuser", ""])
def test_platform_wide_or_unknown_roles_are_never_handed_out(admin, role):
    problem = refused(staff_member_add, **{**_add_args(admin), "roles": [StaffRole.OFFICER, role]})
    assert problem == StaffProblem.NOT_ALLOWED
    assert not User.objects.filter(username="mona.fathy").exists()
    officer = member("civil-officer", StaffRole.OFFICER, "civil-status")
    problem = refused(staff_role_grant, actor=admin, agency="civil-status", member=officer, role=role)
    assert problem == StaffProblem.NOT_ALLOWED
    assert set(officer.staff_memberships.values_list("role", flat=True)) == {"officer"}


def test_an_admin_grants_and_withdraws_only_in_their_agency_and_only_to_its_staff(admin):
    ours = member("civil-officer", StaffRole.OFFICER, "civil-status")
    theirs = member("traffic-officer", StaffRole.OFFICER, "traffic")
    citizen = User.objects.create_user("citizen-1", password=PASSWORD, national_id="29103090104240")
    # Another agency: refused, whoever the member is.
    for agency, target in (("traffic", theirs), ("traffic", ours)):
        problem = refused(
            staff_role_grant, actor=admin, agency=agency, member=target, role=StaffRole.SUPERVISOR
        )
        assert problem == StaffProblem.NOT_ALLOWED
    # Our agency, but someone who does not work for it: not picked up from elsewhere.
    for target in (theirs, citizen):
        problem = refused(
            staff_role_grant, actor=admin, agency="civil-status", member=target, role=StaffRole.AGENCY_ADMIN
        )
        assert problem == StaffProblem.NOT_IN_AGENCY
    assert not StaffMembership.objects.filter(agency="civil-status", user__in=[theirs, citizen]).exists()
    problem = refused(
        staff_role_withdraw, actor=admin, agency="traffic", member=theirs, role=StaffRole.OFFICER
    )
    assert problem == StaffProblem.NOT_ALLOWED and theirs.staff_memberships.exists()

    staff_role_grant(
        actor=admin, agency="civil-status", member=ours, role=StaffRole.SUPERVISOR, office="Giza"
    )
    assert (
        refused(
            staff_role_grant,
            actor=admin,
            agency="civil-status",
            member=ours,
            role=StaffRole.SUPERVISOR,
            office="Giza",
        )
        == StaffProblem.ROLE_HELD
    )
    staff_role_withdraw(actor=admin, agency="civil-status", member=ours, role=StaffRole.OFFICER)
    assert list(ours.staff_memberships.values_list("role", "office")) == [("supervisor", "Giza")]
    actions = list(
        AuditEntry.objects.filter(action__startswith="accounts.staff.")
        .order_by("sequence")
        .values_list("action", "data__agency")
    )
    assert actions == [
        ("accounts.staff.role-granted", "civil-status"),
        ("accounts.staff.role-withdrawn", "civil-status"),
    ]


def test_an_admin_keeps_their_own_last_admin_role(admin):
    problem = refused(
        staff_role_withdraw, actor=admin, agency="civil-status", member=admin, role=StaffRole.AGENCY_ADMIN
    )
    assert problem == StaffProblem.LAST_ADMIN_ROLE
    assert can_manage_agency_staff(admin, agency="civil-status")
    # With a second administrator role (another office) one of them can go.
    staff_role_grant(
        actor=admin, agency="civil-status", member=admin, role=StaffRole.AGENCY_ADMIN, office="Giza"
    )
    staff_role_withdraw(
        actor=admin, agency="civil-status", member=admin, role=StaffRole.AGENCY_ADMIN, office="Giza"
    )
    # Another administrator may take this one's role away.
    other = member("civil-admin-2", StaffRole.AGENCY_ADMIN, "civil-status")
    staff_role_withdraw(actor=other, agency="civil-status", member=admin, role=StaffRole.AGENCY_ADMIN)
    assert not can_manage_agency_staff(admin, agency="civil-status")


def test_deactivating_ends_every_session_at_once_and_reactivating_restores_the_account(admin):
    officer = member("civil-officer", StaffRole.OFFICER, "civil-status")
    UserSession.objects.create(user=officer, methods=["password", "password+sms"])
    auth_hash = officer.get_session_auth_hash()
    staff_member_deactivate(actor=admin, agency="civil-status", member=officer)
    officer.refresh_from_db()
    assert not officer.is_active and officer.get_session_auth_hash() != auth_hash
    assert not UserSession.objects.filter(user=officer, ended_at=None).exists()
    assert not is_staff_member(officer)
    assert staff_status(officer) == StaffStatus.DEACTIVATED
    entry = AuditEntry.objects.get(action="accounts.staff.deactivated")
    assert entry.actor == f"user:{admin.uuid}" and entry.data["agency"] == "civil-status"
    staff_member_reactivate(actor=admin, agency="civil-status", member=officer)
    officer.refresh_from_db()
    assert officer.is_active and is_staff_member(officer)


def test_who_may_not_be_deactivated_by_an_agency_admin(admin):
    both = member("two-agencies", StaffRole.OFFICER, "civil-status")
    StaffMembership.objects.create(user=both, role=StaffRole.OFFICER, agency="traffic", granted_by="test")
    theirs = member("traffic-officer", StaffRole.OFFICER, "traffic")
    assert (
        refused(staff_member_deactivate, actor=admin, agency="civil-status", member=admin)
        == StaffProblem.SELF
    )
    assert (
        refused(staff_member_deactivate, actor=admin, agency="civil-status", member=both)
        == StaffProblem.WORKS_ELSEWHERE
    )
    assert (
        refused(staff_member_deactivate, actor=admin, agency="civil-status", member=theirs)
        == StaffProblem.NOT_IN_AGENCY
    )
    assert (
        refused(staff_member_deactivate, actor=admin, agency="traffic", member=theirs)
        == StaffProblem.NOT_ALLOWED
    )
    officer = member("civil-officer", StaffRole.OFFICER, "civil-status")
    assert (
        refused(staff_member_deactivate, actor=officer, agency="civil-status", member=both)
        == StaffProblem.NOT_ALLOWED
    )
    assert all(User.objects.filter(pk=u.pk, is_active=True).exists() for u in (both, theirs, admin))


def test_lists_show_only_the_agency_asked_about_and_only_to_its_admins(admin):
    ours = member("civil-officer", StaffRole.OFFICER, "civil-status", office="Giza")
    member("traffic-officer", StaffRole.OFFICER, "traffic")
    listed = {
        entry.user.username: [m.role for m in entry.memberships]
        for entry in agency_staff(viewer=admin, agency="civil-status")
    }
    assert listed == {"civil-admin": ["agency-admin"], "civil-officer": ["officer"]}
    assert agency_staff(viewer=admin, agency="traffic") == []
    assert agency_staff(viewer=ours, agency="civil-status") == []
    assert agency_staff_member(viewer=admin, agency="civil-status", member_uuid=ours.uuid).user == ours
    traffic = User.objects.get(username="traffic-officer")
    assert agency_staff_member(viewer=admin, agency="civil-status", member_uuid=traffic.uuid) is None


@pytest.mark.parametrize(
    "username,problem",
    [
        ("ab", StaffProblem.USERNAME_FORMAT),
        ("ahmed hassan", StaffProblem.USERNAME_FORMAT),
        ("أحمد", StaffProblem.USERNAME_FORMAT),
        ("citizen-29103090104240", StaffProblem.USERNAME_FORMAT),
        ("CIVIL-ADMIN", StaffProblem.USERNAME_TAKEN),
    ],
)
def test_user_names_are_plain_unique_and_never_a_citizen_s(admin, username, problem):
    assert refused(staff_member_add, **{**_add_args(admin), "username": username}) == problem


def activate(username="mona.fathy", attempt="", password="Cotton-field-2026"):
    return staff_activate(username=username, attempt=attempt, password=password, address="10.0.0.1")


def code_refused(**kwargs) -> CodeRefused:
    with pytest.raises(CodeRefused) as caught:
        activate(**kwargs)
    return caught.value


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_activation_sets_the_password_and_confirms_the_phone_once(admin):
    new, code = add(admin)
    activated = activate(attempt=code.code)
    assert activated == new and activated.check_password("Cotton-field-2026")
    assert activated.mobile_verified_at is not None
    assert AuditEntry.objects.filter(action="accounts.staff.activated", subject_id=str(new.uuid)).exists()
    # The same code again: refused, and the password stays.
    assert code_refused(attempt=code.code, password="Another-pass-2026").problem == CodeProblem.WRONG
    new.refresh_from_db()
    assert new.check_password("Cotton-field-2026")


def test_a_wrong_activation_code_counts_and_locks_the_code(admin, settings):
    _, code = add(admin)
    problems = [
        code_refused(attempt=wrong(code.code)).problem for _ in range(settings.BAWABA_CODE_MAX_ATTEMPTS)
    ]
    assert problems[:-1] == [CodeProblem.WRONG] * (settings.BAWABA_CODE_MAX_ATTEMPTS - 1)
    assert problems[-1] == CodeProblem.TOO_MANY_ATTEMPTS
    assert code_refused(attempt=code.code).problem == CodeProblem.TOO_MANY_ATTEMPTS
    assert not User.objects.get(username="mona.fathy").has_usable_password()


def test_an_expired_activation_code_is_refused_and_a_new_one_replaces_it(admin):
    new, code = add(admin)
    OneTimeCode.objects.filter(uuid=code.record_uuid).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert code_refused(attempt=code.code).problem == CodeProblem.EXPIRED
    fresh = staff_activation_resend(actor=admin, agency="civil-status", member=new)
    assert code_refused(attempt=code.code).problem in (CodeProblem.WRONG, CodeProblem.EXPIRED)
    activate(attempt=fresh.code)
    assert refused(staff_activation_resend, actor=admin, agency="civil-status", member=new) == (
        StaffProblem.ALREADY_ACTIVATED
    )


def test_a_weak_password_does_not_use_the_code_up(admin):
    _, code = add(admin)
    with pytest.raises(ValidationError):
        activate(attempt=code.code, password="12345678901")
    assert activate(attempt=code.code).has_usable_password()


def test_unknown_deactivated_or_already_active_accounts_look_like_a_wrong_code(admin):
    new, code = add(admin)
    assert code_refused(username="nobody.here", attempt=code.code).problem == CodeProblem.WRONG
    assert code_refused(username="civil-admin", attempt=code.code).problem == CodeProblem.WRONG
    staff_member_deactivate(actor=admin, agency="civil-status", member=new)
    assert code_refused(attempt=code.code).problem == CodeProblem.WRONG
    new.refresh_from_db()
    assert not new.has_usable_password()
