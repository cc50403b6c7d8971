from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bawaba.accounts.assurance import Level
from bawaba.accounts.models import User
from bawaba.accounts.permissions import can_use_django_admin

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_made_only_with_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo", "accounts", stdout=StringIO())


def test_demo_accounts_can_sign_in_as_printed(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("demo", "accounts", stdout=out)
    call_command("demo", "accounts", stdout=StringIO())  # running twice changes nothing
    citizen = User.objects.get(national_id="29103090104240")
    assert "29103090104240" in out.getvalue() and citizen.check_password("bawaba-citizen-2026")
    assert citizen.birth_date.isoformat() == "1991-03-09" and citizen.mobile_verified_at
    admin = User.objects.get(username="admin")
    assert can_use_django_admin(admin, session_level=Level.SUBSTANTIAL)


def test_demo_civil_status_staff_can_do_what_they_are_printed_for(settings):
    from bawaba.accounts.permissions import can_manage_agency_staff, can_record_child_delegations

    settings.DEBUG = True
    out = StringIO()
    call_command("demo", "accounts", stdout=out)
    admin = User.objects.get(username="civil.admin")
    officer = User.objects.get(username="civil.officer")
    assert "civil.admin" in out.getvalue() and "civil.officer" in out.getvalue()
    assert admin.check_password("Lotus-register-4821") and officer.check_password("Papyrus-seal-7305")
    assert admin.mobile != officer.mobile and admin.mobile_verified_at and officer.mobile_verified_at
    assert can_manage_agency_staff(admin, agency="civil-status")
    assert not can_manage_agency_staff(officer, agency="civil-status")
    assert can_record_child_delegations(officer, agency="civil-status")
    assert not can_record_child_delegations(admin, agency="civil-status")


def test_demo_agency_staff_can_process_applications(settings):
    from bawaba.accounts.permissions import can_supervise_agency, can_work_on_agency_cases

    settings.DEBUG = True
    out = StringIO()
    call_command("demo", "accounts", stdout=out)
    for agency in ("municipality", "commerce"):
        officer = User.objects.get(username=f"{agency}.officer")
        supervisor = User.objects.get(username=f"{agency}.supervisor")
        assert f"{agency}.officer" in out.getvalue() and f"{agency}.supervisor" in out.getvalue()
        assert (
            officer.mobile_verified_at
            and supervisor.mobile_verified_at
            and officer.mobile != supervisor.mobile
        )
        assert can_work_on_agency_cases(officer, agency=agency) and not can_supervise_agency(
            officer, agency=agency
        )
        assert can_supervise_agency(supervisor, agency=agency)
        assert not can_work_on_agency_cases(officer, agency="civil-status")
