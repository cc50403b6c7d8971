"""The work queue and the supervisor's counts: scoped to the asker's agency, filtered, sorted by due date; the
SLA standing a filter selects is the one each row shows."""

from datetime import date, timedelta

import pytest

from bawaba.accounts.models import StaffRole
from bawaba.cases.deadlines import SlaStanding, sla_filter, sla_view
from bawaba.cases.models import Application
from bawaba.cases.officer_services import application_claim
from bawaba.cases.queue import (
    QueueFilters,
    queue_page,
    queue_services,
    queue_states,
    team_list,
    team_overview,
)
from bawaba.cases.services import application_act
from bawaba.core.business_calendar import calendar_from_settings

from .test_services import citizen, staff, submit

pytestmark = pytest.mark.django_db
SUNDAY = date(2026, 3, 1)  # a working day, in a week without holidays


def refs(page) -> list[str]:
    return [a.reference for a in page.object_list]


@pytest.fixture
def four():
    """Four complaints: due in 10, 1 and -3 working days from SUNDAY, and one waiting for the applicant."""
    amina = citizen()
    apps = [submit(amina, key=f"k{i}") for i in range(4)]
    calendar = calendar_from_settings()
    dues = [calendar.add_working_days(SUNDAY, 10), calendar.add_working_days(SUNDAY, 1), date(2026, 2, 24)]
    for application, due in zip(apps, dues, strict=False):
        Application.objects.filter(pk=application.pk).update(due_on=due)
    Application.objects.filter(pk=apps[3].pk).update(
        clock="paused", due_on=None, state="more-information-requested"
    )
    return apps


def test_another_agency_sees_nothing_of_the_queue(four):
    stranger = staff("officer-t", "traffic")
    page = queue_page(viewer=stranger, agency="municipality", filters=QueueFilters(), today=SUNDAY)
    assert refs(page) == [] and page.paginator.count == 0
    assert queue_services(viewer=stranger, agency="municipality") == []
    assert queue_states(viewer=stranger, agency="municipality") == []
    # Its own queue does not have them either.
    assert refs(queue_page(viewer=stranger, agency="traffic", filters=QueueFilters(), today=SUNDAY)) == []


def test_the_queue_is_sorted_by_due_date_then_submission(four):
    officer = staff("officer-m", "municipality")
    page = queue_page(viewer=officer, agency="municipality", filters=QueueFilters(), today=SUNDAY)
    assert refs(page) == [four[2].reference, four[1].reference, four[0].reference, four[3].reference]


@pytest.mark.parametrize(
    "standing,expected",
    [("on-time", [0]), ("at-risk", [1]), ("breached", [2]), ("paused", [3])],
)
def test_the_sla_filter(four, standing, expected):
    officer = staff("officer-m", "municipality")
    page = queue_page(viewer=officer, agency="municipality", filters=QueueFilters(sla=standing), today=SUNDAY)
    assert refs(page) == [four[i].reference for i in expected]
    for application in page.object_list:
        assert sla_view(application, today=SUNDAY).standing == standing


def test_the_assignee_state_and_service_filters(four):
    officer, other = staff("officer-m", "municipality"), staff("officer-2", "municipality")
    application_claim(application_uuid=four[0].uuid, revision=1, user=officer)
    application_claim(application_uuid=four[1].uuid, revision=1, user=other)
    application_act(application_uuid=four[2].uuid, revision=1, action="withdraw", user=four[2].applicant)

    def shown(**filters):
        return set(refs(queue_page(viewer=officer, agency="municipality", filters=QueueFilters(**filters))))

    assert shown(assignee="mine") == {four[0].reference}
    assert shown(assignee="unassigned") == {four[3].reference}  # the withdrawn one is closed
    assert shown() == {four[0].reference, four[1].reference, four[3].reference}
    assert shown(state="closed") == {four[2].reference}
    assert shown(state="all") == {a.reference for a in four}
    assert shown(state="more-information-requested") == {four[3].reference}
    assert shown(service="municipality.complaint.submit", state="all") == {a.reference for a in four}
    assert shown(service="municipality.water.connect", state="all") == set()
    codes = [s.code for s in queue_services(viewer=officer, agency="municipality")]
    assert "municipality.complaint.submit" in codes and all(c.startswith("municipality.") for c in codes)
    assert "more-information-requested" in dict(queue_states(viewer=officer, agency="municipality"))


def test_the_filter_and_the_countdown_agree_every_day_of_a_month():
    """Whatever the day (weekend, holiday), the application a filter selects shows that standing."""
    application = submit(citizen())
    officer = staff("officer-m", "municipality")
    calendar = calendar_from_settings()
    due = date(2026, 3, 19)  # the Thursday before the Eid al-Fitr holidays and a weekend
    Application.objects.filter(pk=application.pk).update(due_on=due)
    for offset in range(-20, 12):
        today = due + timedelta(days=offset)
        shown = sla_view(Application.objects.select_related("service").get(pk=application.pk), today=today)
        selected = {
            standing
            for standing in SlaStanding
            if Application.objects.filter(
                sla_filter(standing, allowed=[10], today=today, calendar=calendar), pk=application.pk
            ).exists()
        }
        assert selected == {shown.standing}, today
        if today <= due:
            assert shown.standing != SlaStanding.BREACHED
        if shown.standing == SlaStanding.BREACHED:
            assert shown.days == calendar.working_days_between(due, today) > 0
    assert queue_page(viewer=officer, agency="municipality", filters=QueueFilters()).paginator.count == 1


def test_the_supervisor_sees_load_breaches_and_risks(four):
    supervisor = staff("supervisor-m", "municipality", StaffRole.SUPERVISOR)
    officer, idle = staff("officer-m", "municipality"), staff("officer-idle", "municipality")
    application_claim(application_uuid=four[2].uuid, revision=1, user=officer)
    application_claim(application_uuid=four[1].uuid, revision=1, user=officer)
    Application.objects.filter(pk=four[2].pk).update(sla_breached_at="2026-02-25T10:00:00Z")
    overview = team_overview(viewer=supervisor, agency="municipality", today=SUNDAY)
    assert (overview.open, overview.unassigned, overview.breached, overview.at_risk, overview.paused) == (
        4,
        2,
        1,
        1,
        1,
    )
    assert overview.escalated == 1
    load = {entry.user.username: (entry.open, entry.breached, entry.at_risk) for entry in overview.load}
    assert load == {
        "officer-m": (2, 1, 1),
        "officer-idle": (0, 0, 0),
        "supervisor-m": (0, 0, 0),
    }
    assert overview.load[0].user == officer  # the most overdue first
    assert [
        a.pk
        for a in team_list(
            viewer=supervisor, agency="municipality", standing=SlaStanding.BREACHED, today=SUNDAY
        )
    ] == [four[2].pk]
    assert [
        a.pk
        for a in team_list(
            viewer=supervisor, agency="municipality", standing=SlaStanding.AT_RISK, today=SUNDAY
        )
    ] == [four[1].pk]
    assert idle.is_active


def test_officers_and_other_agencies_get_no_supervisor_view(four):
    officer = staff("officer-m", "municipality")
    other_supervisor = staff("supervisor-t", "traffic", StaffRole.SUPERVISOR)
    for user in (officer, other_supervisor):
        assert team_overview(viewer=user, agency="municipality") is None
        assert team_list(viewer=user, agency="municipality", standing=SlaStanding.BREACHED) == []
