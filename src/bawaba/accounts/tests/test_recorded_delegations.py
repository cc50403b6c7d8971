"""Delegations officers record from papers: only minors, only by the agencies that keep the registers."""

from datetime import date, datetime, time, timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone
from stdnum import luhn

from bawaba.accounts.delegation import acting_for, acting_for_start
from bawaba.accounts.models import Delegation, StaffMembership, StaffRole, User
from bawaba.accounts.national_id import NationalIdRule, make
from bawaba.accounts.permissions import can_record_child_delegations, can_see_agency_delegations
from bawaba.accounts.recorded_delegations import (
    DelegationState,
    RecordRefused,
    child_delegation_record,
    company_delegation_record,
    delegation_end,
    delegations_recorded,
    recorded_delegation_rows,
)
from bawaba.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = date(2026, 5, 10)


def nid(born: date, serial: int = 1, sex: str = "male") -> str:
    return make(birth_date=born, region="01", serial=serial, sex=sex, rule=NationalIdRule())


PARENT = nid(date(1985, 4, 2), serial=11)
CHILD = nid(date(2016, 8, 20), serial=12, sex="female")


def staff(name: str, role: str, agency: str) -> User:
    user = User.objects.create_user(name, password="x" * 12)
    StaffMembership.objects.create(user=user, role=role, agency=agency, granted_by="test")
    return user


@pytest.fixture
def officer():
    return staff("civil-officer", StaffRole.OFFICER, "civil-status")


@pytest.fixture
def parent():
    return User.objects.create_user(
        f"citizen-{PARENT}", password="x" * 12, national_id=PARENT, first_name="Samir Adel"
    )


def record_child(officer, **overrides):
    data = {
        "officer": officer,
        "agency": "civil-status",
        "parent_national_id": PARENT,
        "child_national_id": CHILD,
        "child_name": "Laila Samir",
        "evidence": "birth record 2016/4411",
        "today": TODAY,
    }
    return child_delegation_record(**{**data, **overrides})


def refusal(call, *args, **kwargs) -> RecordRefused:
    with pytest.raises(RecordRefused) as caught:
        call(*args, **kwargs)
    return caught.value


def test_a_parent_is_recorded_until_the_child_comes_of_age(officer, parent):
    delegation = record_child(officer)
    assert delegation.kind == Delegation.Kind.MINOR_CHILD and delegation.agent == parent
    assert delegation.principal_identifier == CHILD and delegation.principal_name == "Laila Samir"
    eighteenth = timezone.make_aware(datetime.combine(date(2034, 8, 20), time.min))
    assert delegation.expires_at < eighteenth <= delegation.expires_at + timedelta(seconds=1)
    entry = AuditEntry.objects.get(action="accounts.delegation.recorded")
    assert entry.actor == f"user:{officer.uuid}" and entry.data["agency"] == "civil-status"
    assert list(delegations_recorded(viewer=officer, agency="civil-status")) == [delegation]


@pytest.mark.parametrize(
    "born,minor",
    [
        (date(2008, 5, 10), False),  # 18 today
        (date(2008, 5, 11), True),  # 18 tomorrow
        (date(1999, 1, 1), False),
        (date(2026, 5, 1), True),  # a newborn
    ],
)
def test_only_a_minor_by_the_birth_date_in_the_national_id(officer, parent, born, minor):
    child = nid(born, serial=13)
    if minor:
        assert record_child(officer, child_national_id=child).principal_identifier == child
    else:
        refused = refusal(record_child, officer, child_national_id=child)
        assert (refused.problem, refused.field) == ("not-a-minor", "principal")
        assert not Delegation.objects.exists()


def test_the_age_of_majority_is_configurable(officer, parent, settings):
    settings.BAWABA_AGE_OF_MAJORITY = 21
    delegation = record_child(officer, child_national_id=nid(date(2006, 1, 1), serial=14))
    assert delegation.expires_at.date() == date(2026, 12, 31)


@pytest.mark.parametrize(
    "field,value,problem",
    [
        ("parent_national_id", "123", "format"),
        ("parent_national_id", PARENT[:-1] + str((int(PARENT[-1]) + 1) % 10), "check-digit"),
        ("child_national_id", "3161320010123" + luhn.calc_check_digit("3161320010123"), "birth-date"),
        ("child_national_id", CHILD, None),
    ],
)
def test_bad_national_ids_are_refused_naming_the_person(officer, parent, field, value, problem):
    if problem is None:
        assert record_child(officer, **{field: value})
        return
    refused = refusal(record_child, officer, **{field: value})
    assert refused.problem == problem
    assert refused.field == ("agent" if field == "parent_national_id" else "principal")


def test_who_is_refused_before_anything_is_written(officer, parent):
    assert refusal(record_child, officer, parent_national_id=nid(date(1990, 1, 1), 15)).problem == (
        "no-such-citizen"
    )
    assert refusal(record_child, officer, child_national_id=PARENT).problem == "self"
    older_child = nid(date(1984, 1, 1), 16)
    young_parent = nid(date(2017, 1, 1), 17)
    User.objects.create_user("young", password="x" * 12, national_id=young_parent)
    assert refusal(record_child, officer, parent_national_id=young_parent).problem == "parent-not-older"
    assert refusal(record_child, officer, child_national_id=older_child).problem == "not-a-minor"
    assert refusal(record_child, officer, evidence="  ").problem == "evidence-needed"
    assert refusal(record_child, officer, child_name=" ").problem == "name-needed"
    record_child(officer)
    assert refusal(record_child, officer).problem == "already-recorded"
    assert Delegation.objects.count() == 1


def test_only_officers_of_the_configured_agencies_record_children(officer, parent, settings):
    admin = staff("civil-admin", StaffRole.AGENCY_ADMIN, "civil-status")
    commerce = staff("commerce-officer", StaffRole.OFFICER, "commerce")
    traffic = staff("traffic-officer", StaffRole.OFFICER, "traffic")
    for who, agency in (
        (admin, "civil-status"),
        (commerce, "commerce"),
        (traffic, "traffic"),
        (commerce, "civil-status"),
    ):
        assert refusal(record_child, who, agency=agency).problem == "not-allowed"
    settings.BAWABA_CHILD_DELEGATION_AGENCIES = ["traffic"]
    assert not can_record_child_delegations(officer, agency="civil-status")
    assert record_child(traffic, agency="traffic").agent == parent


def test_a_company_representative_until_a_date(parent):
    commerce = staff("commerce-officer", StaffRole.OFFICER, "commerce")
    args = {
        "officer": commerce,
        "agency": "commerce",
        "representative_national_id": PARENT,
        "registry_number": " cr ٤٥٦٧-2020 ",
        "company_name": "Nile Foods",
        "evidence": "register extract 2026/77",
        "today": TODAY,
    }
    assert refusal(company_delegation_record, **{**args, "registry_number": "CR 45#"}).problem == (
        "registry-number-format"
    )
    assert refusal(company_delegation_record, **{**args, "expires_on": TODAY}).problem == "expiry-in-the-past"
    civil = staff("civil-officer", StaffRole.OFFICER, "civil-status")
    assert refusal(company_delegation_record, **{**args, "officer": civil}).problem == "not-allowed"
    assert refusal(
        company_delegation_record, **{**args, "officer": civil, "agency": "civil-status"}
    ).problem == ("not-allowed")
    delegation = company_delegation_record(**{**args, "expires_on": date(2027, 1, 31)})
    assert delegation.principal_identifier == "CR4567-2020" and delegation.principal is None
    assert delegation.expires_at.date() == date(2027, 1, 31)
    assert refusal(company_delegation_record, **args).problem == "already-recorded"


def test_each_agency_sees_and_ends_only_what_it_recorded_and_only_its_kinds(officer, parent):
    child = record_child(officer)
    commerce = staff("commerce-officer", StaffRole.OFFICER, "commerce")
    company = company_delegation_record(
        officer=commerce,
        agency="commerce",
        representative_national_id=PARENT,
        registry_number="CR-1",
        company_name="Nile Foods",
        evidence="extract 1",
    )
    assert list(delegations_recorded(viewer=officer, agency="civil-status")) == [child]
    assert list(delegations_recorded(viewer=commerce, agency="commerce")) == [company]
    assert list(delegations_recorded(viewer=officer, agency="commerce")) == []
    assert not can_see_agency_delegations(officer, agency="commerce")
    # The civil-status officer cannot end the company's, from their agency or from the other.
    for agency in ("civil-status", "commerce"):
        refused = refusal(
            delegation_end, officer=officer, agency=agency, delegation_uuid=company.uuid, reason="x"
        )
        assert refused.problem == "not-found"
    company.refresh_from_db()
    assert company.revoked_at is None


def test_ending_needs_a_reason_takes_effect_at_once_and_is_audited(officer, parent):
    delegation = record_child(officer)
    request = RequestFactory().get("/")
    request.user, request.session = parent, {}
    acting_for_start(request, delegation_uuid=delegation.uuid)
    assert acting_for(request) == delegation
    assert (
        refusal(
            delegation_end,
            officer=officer,
            agency="civil-status",
            delegation_uuid=delegation.uuid,
            reason=" ",
        ).problem
        == "reason-needed"
    )
    delegation_end(
        officer=officer,
        agency="civil-status",
        delegation_uuid=delegation.uuid,
        reason="court decision 12/2026",
    )
    assert acting_for(request) is None
    entry = AuditEntry.objects.get(action="accounts.delegation.ended")
    assert entry.actor == f"user:{officer.uuid}" and entry.subject_id == str(parent.uuid)
    assert entry.data["agency"] == "civil-status" and entry.data["reason"] == "court decision 12/2026"
    [row] = recorded_delegation_rows(delegations_recorded(viewer=officer, agency="civil-status"))
    assert row.state == DelegationState.ENDED and row.end_reason == "court decision 12/2026"
    assert (
        refusal(
            delegation_end,
            officer=officer,
            agency="civil-status",
            delegation_uuid=delegation.uuid,
            reason="again",
        ).problem
        == "already-ended"
    )
