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
