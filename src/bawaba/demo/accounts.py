"""The demo accounts `make run` creates and prints. Development only: never in a deployment."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    staff: bool = False
    superuser: bool = False


ACCOUNTS = [
    DemoAccount(
        "admin",
        "bawaba-admin-2026",
        "platform admin (Django admin at /ar/admin/)",
        staff=True,
        superuser=True,
    ),
    DemoAccount("citizen", "bawaba-citizen-2026", "citizen"),
]


def ensure_demo_accounts() -> list[DemoAccount]:
    User = get_user_model()
    for account in ACCOUNTS:
        user, _ = User.objects.get_or_create(username=account.username)
        user.is_staff, user.is_superuser = account.staff, account.superuser
        user.set_password(account.password)
        user.save()
    return ACCOUNTS
