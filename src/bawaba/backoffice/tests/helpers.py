"""People and sessions for the back-office tests."""

from datetime import date

from django.utils import timezone

from bawaba.accounts.models import StaffMembership, User
from bawaba.accounts.national_id import NationalIdRule, make
from bawaba.notifications.providers.development.provider import inbox
from bawaba.testing.messages import last_code

PASSWORD = "Granite-river-2026"
_mobiles = iter(range(10, 10_000))


def staff(username: str, *roles: tuple[str, str], mobile: str = "") -> User:
    """A staff member with a confirmed phone; `roles` are (role, agency) pairs."""
    user = User.objects.create_user(
        username,
        password=PASSWORD,
        first_name=username.replace("-", " ").title(),
        mobile=mobile or f"+2010000{next(_mobiles):05d}",
        mobile_verified_at=timezone.now(),
    )
    for role, agency in roles:
        StaffMembership.objects.create(user=user, role=role, agency=agency, granted_by="test")
    return user


def citizen(born: date = date(1985, 4, 2), serial: int = 11, name: str = "Samir Adel") -> User:
    number = make(birth_date=born, region="01", serial=serial, sex="male", rule=NationalIdRule())
    return User.objects.create_user(
        f"citizen-{number}",
        password=PASSWORD,
        national_id=number,
        first_name=name,
        birth_date=born,
        mobile="+201099999999",
        mobile_verified_at=timezone.now(),
    )


def last_message(to: str) -> str:
    """The newest text message to `to`, once the outbox has delivered it."""
    last_code(to)
    return next(m["body"] for m in inbox() if m["to"] == to)
