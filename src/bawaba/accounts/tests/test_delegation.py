"""Delegation: in force only between its dates and until revoked, only for its services, only for its agent."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bawaba.accounts.delegation import (
    DelegationRefused,
    Scope,
    acting_for,
    acting_for_start,
    delegation_active,
    delegation_allows,
    delegation_record,
    mandate_grant,
    mandate_revoke,
)
from bawaba.accounts.models import Delegation, User
from bawaba.audit.models import AuditEntry

T0 = datetime(2026, 1, 1, tzinfo=UTC)
moments = st.integers(-1000, 1000).map(lambda h: T0 + timedelta(hours=h))


@given(moments, st.one_of(st.none(), moments), st.one_of(st.none(), moments), moments)
def test_a_delegation_is_in_force_exactly_between_its_dates_and_before_revocation(start, end, revoked, now):
    scope = Scope((), start, end, revoked)
    expected = revoked is None and start <= now and (end is None or now < end)
    assert scope.in_force(now) is expected


@given(
    st.lists(st.sampled_from(["a.b", "c.d", "e.f"]), unique=True),
    st.sampled_from(["a.b", "c.d", "e.f", "x.y"]),
)
def test_a_delegation_covers_its_services_or_all_when_none_are_named(services, code):
    assert Scope(tuple(services), T0, None, None).covers(code) is (not services or code in services)


@pytest.fixture
def people(db):
    make = lambda name, nid: User.objects.create_user(name, password="x" * 12, national_id=nid)  # noqa: E731
    return (
        make("principal", "29103090104240"),
        make("agent", "28807012103140"),
        make("stranger", "27001010200096"),
    )


def test_a_mandate_is_granted_scoped_and_revoked(people):
    principal, agent, stranger = people
    mandate = mandate_grant(
        principal=principal,
        agent_national_id=agent.national_id,
        services=["civil.birth.certificate"],
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    assert delegation_allows(mandate, service_code="civil.birth.certificate")
    assert not delegation_allows(mandate, service_code="passport.renew")
    assert delegation_active(agent=agent) == [mandate] and delegation_active(agent=stranger) == []
    with pytest.raises(DelegationRefused):
        mandate_revoke(principal=stranger, delegation_uuid=mandate.uuid)
    mandate_revoke(principal=principal, delegation_uuid=mandate.uuid)
    assert delegation_active(agent=agent) == []


@pytest.mark.parametrize(
    "agent_id,expires_in,problem",
    [
        ("00000000000000", 30, "no-such-citizen"),
        ("29103090104240", 30, "self"),
        ("28807012103140", 0, "expiry-in-the-past"),
    ],
)
def test_bad_mandates_are_refused(people, agent_id, expires_in, problem):
    principal, _, _ = people
    with pytest.raises(DelegationRefused) as caught:
        mandate_grant(
            principal=principal,
            agent_national_id=agent_id,
            services=[],
            expires_on=timezone.localdate() + timedelta(days=expires_in),
        )
    assert caught.value.problem == problem


def test_acting_for_records_both_people_and_stops_when_revoked(people):
    principal, agent, stranger = people
    mandate = mandate_grant(
        principal=principal,
        agent_national_id=agent.national_id,
        services=[],
        expires_on=timezone.localdate() + timedelta(days=3),
    )
    request = RequestFactory().get("/")
    request.user, request.session = agent, {}
    acting_for_start(request, delegation_uuid=mandate.uuid)
    assert acting_for(request) == mandate
    entry = AuditEntry.objects.get(action="accounts.acting-for.started")
    assert entry.actor == f"user:{agent.uuid}" and entry.on_behalf_of == principal.national_id
    assert entry.subject_id == str(principal.uuid)  # the principal sees it in their own log
    mandate_revoke(principal=principal, delegation_uuid=mandate.uuid)
    assert acting_for(request) is None

    request.user, request.session = stranger, {}
    with pytest.raises(DelegationRefused):
        acting_for_start(request, delegation_uuid=mandate.uuid)


def test_staff_record_a_child_with_evidence_and_never_a_mandate(people):
    principal, agent, _ = people
    child = delegation_record(
        recorded_by=principal,
        agency="civil-status",
        kind=Delegation.Kind.MINOR_CHILD,
        agent=agent,
        principal_identifier="31501010100012",
        principal_name="Yusuf",
        evidence="birth record 2015/0001",
        expires_on=date(2033, 1, 1),
    )
    assert delegation_allows(child, service_code="passport.issue")
    with pytest.raises(DelegationRefused):
        delegation_record(
            recorded_by=principal,
            agency="civil-status",
            kind=Delegation.Kind.MANDATE,
            agent=agent,
            principal_identifier="x",
            principal_name="x",
            evidence="paper",
        )
    with pytest.raises(DelegationRefused):
        delegation_record(
            recorded_by=principal,
            agency="civil-status",
            kind=Delegation.Kind.COMPANY,
            agent=agent,
            principal_identifier="CR-1",
            principal_name="Nile Foods",
            evidence=" ",
        )
