"""The demo accounts `make run` creates and prints. Development only: never in a deployment."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone

from bawaba.accounts.models import StaffMembership, StaffRole
from bawaba.accounts.national_id import make, parse
from bawaba.accounts.services import national_id_rule


@dataclass(frozen=True)
class DemoAccount:
    sign_in: str  # what to type in the sign-in form
    password: str
    description: str
    username: str
    national_id: str | None = None
    mobile: str = ""
    staff_role: str = ""
    name: str = ""
    agency: str = ""  # catalogue code, for agency roles


def accounts() -> list[DemoAccount]:
    amina = make(birth_date=date(1991, 3, 9), region="01", serial=42, sex="female", rule=national_id_rule())
    return [
        DemoAccount(
            "admin",
            "bawaba-admin-2026",
            "platform admin: staff sign-in, then the admin at /ar/admin/",
            "admin",
            mobile="+201000000001",
            staff_role=StaffRole.PLATFORM_ADMIN,
        ),
        DemoAccount(
            "civil.admin",
            "Lotus-register-4821",
            "agency admin of the Civil Status Authority: staff sign-in, then /ar/staff/",
            "civil.admin",
            mobile="+201000000002",
            staff_role=StaffRole.AGENCY_ADMIN,
            name="Hoda Saleh Ibrahim",
            agency="civil-status",
        ),
        DemoAccount(
            "civil.officer",
            "Papyrus-seal-7305",
            "officer of the Civil Status Authority: records parents of minors at /ar/staff/",
            "civil.officer",
            mobile="+201000000003",
            staff_role=StaffRole.OFFICER,
            name="Karim Adel Mansour",
            agency="civil-status",
        ),
        DemoAccount(
            "municipality.officer",
            "Minaret-lamp-3916",
            "officer of the district municipality: works on complaints and permits at /ar/staff/",
            "municipality.officer",
            mobile="+201000000004",
            staff_role=StaffRole.OFFICER,
            name="Youssef Nabil Hassan",
            agency="municipality",
        ),
        DemoAccount(
            "municipality.supervisor",
            "Obelisk-garden-5247",
            "supervisor of the district municipality: team load, overdue applications, reassignment",
            "municipality.supervisor",
            mobile="+201000000005",
            staff_role=StaffRole.SUPERVISOR,
            name="Nadia Fouad Kamel",
            agency="municipality",
        ),
        DemoAccount(
            "commerce.officer",
            "Cotton-ledger-8632",
            "officer of the commerce agency: works on business licences at /ar/staff/",
            "commerce.officer",
            mobile="+201000000006",
            staff_role=StaffRole.OFFICER,
            name="Tarek Samir Abdallah",
            agency="commerce",
        ),
        DemoAccount(
            "commerce.supervisor",
            "Felucca-anchor-2179",
            "supervisor of the commerce agency: team load, overdue applications, reassignment",
            "commerce.supervisor",
            mobile="+201000000007",
            staff_role=StaffRole.SUPERVISOR,
            name="Rania Adel Mostafa",
            agency="commerce",
        ),
        DemoAccount(
            amina,
            "bawaba-citizen-2026",
            "citizen Amina, mobile +201012345678",
            f"citizen-{amina}",
            national_id=amina,
            mobile="+201012345678",
            name="Amina Mahmoud Ali",
        ),
    ]


def ensure_demo_accounts() -> list[DemoAccount]:
    User = get_user_model()
    for account in accounts():
        user, _ = User.objects.get_or_create(username=account.username)
        user.is_staff = user.is_superuser = account.staff_role == StaffRole.PLATFORM_ADMIN
        user.national_id, user.mobile = account.national_id, account.mobile
        user.first_name = account.name
        if account.national_id:
            parsed = parse(account.national_id, national_id_rule(), today=timezone.localdate())
            user.birth_date, user.sex = parsed.birth_date, parsed.sex
        user.mobile_verified_at = timezone.now() if account.mobile else None
        user.set_password(account.password)
        user.save()
        if account.staff_role:
            StaffMembership.objects.get_or_create(
                user=user, role=account.staff_role, agency=account.agency, defaults={"granted_by": "demo"}
            )
    return accounts()
