"""The agency's side of an application: opening (recorded), claiming, assigning, releasing, internal notes, bulk
receipt; and the system's side on the clock: SLA breaches flagged once, timed moves taken once."""

import threading
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bawaba.accounts.models import StaffRole
from bawaba.audit.models import AuditEntry
from bawaba.cases.deadlines import SlaStanding, sla_view
from bawaba.cases.models import Application, InternalNote
from bawaba.cases.officer_services import (
    NOTE_MAX_LENGTH,
    application_assign,
    application_claim,
    application_note_add,
    application_open,
    application_release,
    applications_receive,
)
from bawaba.cases.services import ActionRefused, application_act
from bawaba.cases.sweeps import sla_breaches_flag, timed_moves_take
from bawaba.cases.tasks import sla_sweep
from bawaba.core.business_calendar import calendar_from_settings
from bawaba.core.models import PeriodicRun
from bawaba.core.periodic import periodic_enqueue_due, periodic_tasks
from bawaba.events.models import Event

from .test_services import citizen, staff, submit

pytestmark = pytest.mark.django_db
# A Sunday: the demo's weekend is Friday and Saturday.
SUNDAY = date(2026, 3, 1)


def at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


@pytest.fixture
def complaint():
    return submit(citizen())


@pytest.fixture
def officer():
    return staff("officer-m", "municipality")


def refused(call, **kwargs) -> str:
    with pytest.raises(ActionRefused) as caught:
        call(**kwargs)
    return caught.value.problem


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


# Opening -------------------------------------------------------------------------------------------------


def test_opening_an_application_is_recorded_with_the_staff_member_and_the_agency(complaint, officer):
    opened = application_open(viewer=officer, application_uuid=complaint.uuid, agency="municipality")
    assert opened.pk == complaint.pk
    entry = AuditEntry.objects.get(action="cases.application.opened")
    assert entry.actor == f"user:{officer.uuid}" and entry.subject_id == str(complaint.uuid)
    assert entry.data == {
        "reference": complaint.reference,
        "agency": "municipality",
        "role": "officer",
        "applicant": str(complaint.applicant.uuid),
    }


def test_another_agency_opens_nothing_and_nothing_is_recorded(complaint):
    stranger = staff("officer-t", "traffic")
    assert application_open(viewer=stranger, application_uuid=complaint.uuid, agency="municipality") is None
    assert application_open(viewer=stranger, application_uuid=complaint.uuid, agency="traffic") is None
    # A municipality officer asking through another agency's address gets nothing either.
    officer = staff("officer-m", "municipality")
    assert application_open(viewer=officer, application_uuid=complaint.uuid, agency="traffic") is None
    assert not AuditEntry.objects.filter(action="cases.application.opened").exists()


def test_staff_do_not_open_their_own_applications_as_staff(officer):
    officer.national_id, officer.birth_date = "28807012103140", date(1988, 7, 1)
    officer.save()
    own = submit(officer)
    assert application_open(viewer=officer, application_uuid=own.uuid, agency="municipality") is None


# Claim, assign, release ----------------------------------------------------------------------------------


def test_an_officer_claims_an_unassigned_application_and_it_is_recorded_for_staff_only(complaint, officer):
    claimed = application_claim(application_uuid=complaint.uuid, revision=1, user=officer)
    assert claimed.assignee == officer and claimed.revision == 2
    entry = claimed.timeline.get(action="claim")
    assert entry.visible_to_applicant is False and entry.from_state == entry.to_state == "submitted"
    assert AuditEntry.objects.filter(action="cases.application.claim", actor=f"user:{officer.uuid}").exists()
    assert Event.objects.get(name="application.assigned").payload["assignee"] == str(officer.uuid)


def test_two_officers_claiming_one_wins_the_other_is_told(complaint, officer):
    other = staff("officer-2", "municipality")
    application_claim(application_uuid=complaint.uuid, revision=1, user=officer)
    assert refused(application_claim, application_uuid=complaint.uuid, revision=1, user=other) == "conflict"
    assert refused(application_claim, application_uuid=complaint.uuid, revision=2, user=other) == (
        "already-assigned"
    )
    assert fresh(complaint).assignee == officer


def test_no_one_outside_the_agency_claims_assigns_releases_or_writes_notes(complaint):
    stranger = staff("supervisor-t", "traffic", StaffRole.SUPERVISOR)
    applicant = complaint.applicant
    for user in (stranger, applicant):
        assert (
            refused(application_claim, application_uuid=complaint.uuid, revision=1, user=user) == "forbidden"
        )
        assert (
            refused(
                application_assign,
                application_uuid=complaint.uuid,
                revision=1,
                user=user,
                assignee_uuid=user.uuid,
            )
            == "forbidden"
        )
        assert (
            refused(application_release, application_uuid=complaint.uuid, revision=1, user=user)
            == "forbidden"
        )
        assert (
            refused(application_note_add, application_uuid=complaint.uuid, user=user, text="A note")
            == "forbidden"
        )
    after = fresh(complaint)
    assert after.assignee is None and after.revision == 1 and not InternalNote.objects.exists()
    assert not Event.objects.filter(name__in=["application.assigned", "application.note-added"]).exists()


def test_a_supervisor_assigns_and_reassigns_within_the_agency_only(complaint, officer):
    supervisor = staff("supervisor-m", "municipality", StaffRole.SUPERVISOR)
    other = staff("officer-2", "municipality")
    outsider = staff("officer-t", "traffic")
    assert (
        refused(
            application_assign,
            application_uuid=complaint.uuid,
            revision=1,
            user=officer,
            assignee_uuid=other.uuid,
        )
        == "not-supervisor"
    )
    assert (
        refused(
            application_assign,
            application_uuid=complaint.uuid,
            revision=1,
            user=supervisor,
            assignee_uuid=outsider.uuid,
        )
        == "not-assignable"
    )
    assigned = application_assign(
        application_uuid=complaint.uuid, revision=1, user=supervisor, assignee_uuid=officer.uuid
    )
    assert assigned.assignee == officer and assigned.revision == 2
    moved = application_assign(
        application_uuid=complaint.uuid, revision=2, user=supervisor, assignee_uuid=other.uuid
    )
    assert moved.assignee == other
    assert [e.text for e in moved.timeline.filter(action="assign")] == [officer.username, other.username]
    payload = Event.objects.filter(name="application.assigned").last().payload
    assert payload["assignee"] == str(other.uuid) and payload["previous"] == str(officer.uuid)


def test_the_applicant_is_never_assigned_their_own_application(officer):
    officer.national_id, officer.birth_date = "28807012103140", date(1988, 7, 1)
    officer.save()
    own = submit(officer)
    supervisor = staff("supervisor-m", "municipality", StaffRole.SUPERVISOR)
    assert (
        refused(
            application_assign,
            application_uuid=own.uuid,
            revision=1,
            user=supervisor,
            assignee_uuid=officer.uuid,
        )
        == "not-assignable"
    )


def test_the_assignee_or_a_supervisor_releases_another_officer_cannot(complaint, officer):
    other = staff("officer-2", "municipality")
    supervisor = staff("supervisor-m", "municipality", StaffRole.SUPERVISOR)
    application_claim(application_uuid=complaint.uuid, revision=1, user=officer)
    assert (
        refused(application_release, application_uuid=complaint.uuid, revision=2, user=other)
        == "not-supervisor"
    )
    released = application_release(application_uuid=complaint.uuid, revision=2, user=officer)
    assert released.assignee is None and released.revision == 3
    assert (
        refused(application_release, application_uuid=complaint.uuid, revision=3, user=officer)
        == "not-assigned"
    )
    application_claim(application_uuid=complaint.uuid, revision=3, user=other)
    assert application_release(application_uuid=complaint.uuid, revision=4, user=supervisor).assignee is None


def test_a_closed_application_is_not_claimed_or_assigned(complaint, officer):
    supervisor = staff("supervisor-m", "municipality", StaffRole.SUPERVISOR)
    application_act(application_uuid=complaint.uuid, revision=1, action="withdraw", user=complaint.applicant)
    closed = fresh(complaint)
    assert closed.closed_at is not None and closed.clock == "stopped"
    assert refused(application_claim, application_uuid=complaint.uuid, revision=2, user=officer) == "closed"
    assert (
        refused(
            application_assign,
            application_uuid=complaint.uuid,
            revision=2,
            user=supervisor,
            assignee_uuid=officer.uuid,
        )
        == "closed"
    )


# Notes ---------------------------------------------------------------------------------------------------


def test_notes_are_for_staff_only_and_say_nothing_in_the_event(complaint, officer):
    note = application_note_add(
        application_uuid=complaint.uuid, user=officer, text="  Called the district office. "
    )
    assert note.text == "Called the district office." and note.author == officer
    assert not fresh(complaint).timeline.filter(text__contains="district office").exists()
    event = Event.objects.get(name="application.note-added")
    assert "Called" not in str(event.payload) and event.payload["note"] == str(note.uuid)
    assert AuditEntry.objects.filter(action="cases.application.note-added").exists()
    assert fresh(complaint).revision == 1  # a note changes nothing an officer acts on


def test_an_empty_or_too_long_note_is_refused(complaint, officer):
    assert (
        refused(application_note_add, application_uuid=complaint.uuid, user=officer, text="   ")
        == "note-empty"
    )
    assert (
        refused(
            application_note_add,
            application_uuid=complaint.uuid,
            user=officer,
            text="x" * (NOTE_MAX_LENGTH + 1),
        )
        == "note-too-long"
    )
    assert not InternalNote.objects.exists()


# Bulk receipt --------------------------------------------------------------------------------------------


def test_receiving_several_at_once_reports_each_one(officer):
    amina = citizen()
    first, second, third = (submit(amina, key=f"k{i}") for i in range(3))
    application_claim(application_uuid=third.uuid, revision=1, user=officer)  # third is now at revision 2
    stranger_case = submit(citizen("omar", "28807012103140", date(1988, 7, 1)), key="o")
    stranger = staff("officer-t", "traffic")
    outcomes = applications_receive(
        agency="municipality",
        selected=[(str(first.uuid), 1), (str(second.uuid), 1), (str(third.uuid), 1)],
        user=officer,
    )
    assert [(o.reference, o.problem) for o in outcomes] == [
        (first.reference, None),
        (second.reference, None),
        (third.reference, "conflict"),
    ]
    assert [fresh(a).state for a in (first, second, third)] == ["received", "received", "submitted"]
    # Another agency's officer gets nothing done and learns nothing, not even the reference.
    outcomes = applications_receive(
        agency="municipality", selected=[(str(stranger_case.uuid), 1)], user=stranger
    )
    assert [(o.reference, o.problem) for o in outcomes] == [("", "forbidden")]
    outcomes = applications_receive(agency="traffic", selected=[(str(stranger_case.uuid), 1)], user=stranger)
    assert [(o.reference, o.problem) for o in outcomes] == [("", "forbidden")]
    assert fresh(stranger_case).state == "submitted"


# The SLA clock -------------------------------------------------------------------------------------------


def test_a_breach_is_flagged_once_for_the_supervisor(complaint):
    Application.objects.filter(pk=complaint.pk).update(due_on=SUNDAY)
    monday = at_noon(SUNDAY + timedelta(days=1))
    assert sla_breaches_flag(now=monday) == [complaint.reference]
    flagged = fresh(complaint)
    assert flagged.sla_breached_at == monday and flagged.revision == 1  # no officer's page goes stale for it
    entry = flagged.timeline.get(action="sla-breached")
    assert entry.visible_to_applicant is False and entry.actor == "system"
    event = Event.objects.get(name="application.sla-breached")
    assert event.payload["reference"] == complaint.reference and event.payload["due_on"] == SUNDAY.isoformat()
    assert AuditEntry.objects.filter(action="cases.application.sla-breached").count() == 1
    # Run again (a retried task, a second worker): nothing more.
    assert sla_breaches_flag(now=monday + timedelta(hours=1)) == []
    assert Event.objects.filter(name="application.sla-breached").count() == 1


def test_the_weekend_after_the_due_date_breaches_nothing(complaint):
    thursday = SUNDAY + timedelta(days=4)
    Application.objects.filter(pk=complaint.pk).update(due_on=thursday)
    assert sla_breaches_flag(now=at_noon(thursday + timedelta(days=1))) == []  # Friday
    assert sla_breaches_flag(now=at_noon(thursday + timedelta(days=2))) == []  # Saturday
    assert sla_breaches_flag(now=at_noon(thursday + timedelta(days=3))) == [complaint.reference]  # Sunday


def test_paused_and_decided_applications_are_not_flagged(complaint, officer):
    for revision, action in enumerate(["receive", "start-review"], start=1):
        application_act(application_uuid=complaint.uuid, revision=revision, action=action, user=officer)
    application_act(
        application_uuid=complaint.uuid,
        revision=3,
        action="request-information",
        user=officer,
        inputs={"message": "Which end of the street?"},
    )
    paused = fresh(complaint)
    assert paused.clock == "paused" and paused.due_on is None
    Application.objects.filter(pk=complaint.pk).update(due_on=SUNDAY)  # even with a stale date left behind
    assert sla_breaches_flag(now=at_noon(SUNDAY + timedelta(days=30))) == []


def test_a_late_application_keeps_its_past_due_date_after_a_move(complaint, officer):
    long_ago = timezone.now() - timedelta(days=40)
    complaint.timeline.update(at=long_ago)
    Application.objects.filter(pk=complaint.pk).update(state_since=long_ago, submitted_at=long_ago)
    moved = application_act(application_uuid=complaint.uuid, revision=1, action="receive", user=officer)
    assert moved.due_on is not None and moved.due_on < timezone.localdate()
    assert sla_view(fresh(complaint)).standing == SlaStanding.BREACHED


def test_an_unanswered_request_is_closed_after_thirty_working_days_once(complaint, officer):
    for revision, action in enumerate(["receive", "start-review"], start=1):
        application_act(application_uuid=complaint.uuid, revision=revision, action=action, user=officer)
    application_act(
        application_uuid=complaint.uuid,
        revision=3,
        action="request-information",
        user=officer,
        inputs={"message": "Which end of the street?"},
    )
    asked_on = SUNDAY
    Application.objects.filter(pk=complaint.pk).update(state_since=at_noon(asked_on))
    calendar = calendar_from_settings()  # with the holidays of Eid al-Fitr and Sham el-Nessim on the way
    day_29 = calendar.add_working_days(asked_on, 29)
    assert timed_moves_take(now=at_noon(day_29)) == []
    assert fresh(complaint).state == "more-information-requested"
    day_30 = calendar.add_working_days(asked_on, 30)
    assert (day_30 - asked_on).days > 42  # holidays count for nothing
    assert timed_moves_take(now=at_noon(day_30)) == [complaint.reference]
    closed = fresh(complaint)
    assert closed.state == "closed-unanswered" and closed.closed_at is not None and closed.clock == "stopped"
    assert closed.revision == 5 and closed.due_on is None
    entry = closed.timeline.get(action="close-unanswered")
    assert (entry.from_state, entry.actor, entry.role) == ("more-information-requested", "system", "system")
    audit = AuditEntry.objects.get(action="cases.application.close-unanswered")
    assert audit.actor == "system" and audit.data["working_days"] == 30
    assert (
        Event.objects.filter(name="application.state-changed", payload__to="closed-unanswered").count() == 1
    )
    assert timed_moves_take(now=at_noon(day_30 + timedelta(days=1))) == []


def test_the_sweep_task_runs_both_and_is_offered_to_the_queue_once_per_period(complaint):
    Application.objects.filter(pk=complaint.pk).update(due_on=timezone.localdate() - timedelta(days=10))
    assert "bawaba.cases.tasks.sla_sweep" in periodic_tasks()
    now = timezone.now()
    first = periodic_enqueue_due(now=now)
    assert "bawaba.cases.tasks.sla_sweep" in first
    assert periodic_enqueue_due(now=now + timedelta(seconds=30)) == []  # a second worker, or the next round
    every = periodic_tasks()["bawaba.cases.tasks.sla_sweep"].every
    assert "bawaba.cases.tasks.sla_sweep" in periodic_enqueue_due(now=now + every)
    assert DBTaskResult.objects.filter(task_path="bawaba.cases.tasks.sla_sweep").count() == 2
    assert PeriodicRun.objects.get(name="bawaba.cases.tasks.sla_sweep").next_run_at == now + 2 * every
    assert sla_sweep.call() == {"moved": 0, "flagged": 1}
    assert sla_sweep.call() == {"moved": 0, "flagged": 0}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
def test_two_officers_claiming_at_the_same_moment_one_gets_it(demo_catalogue_live):
    application = submit(citizen())
    officers = [staff(f"officer-{i}", "municipality") for i in range(2)]
    outcomes = []
    start = threading.Barrier(2)

    def claim(officer):
        start.wait()
        try:
            application_claim(application_uuid=application.uuid, revision=1, user=officer)
            outcomes.append("claimed")
        except ActionRefused as refused:
            outcomes.append(refused.problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["claimed", "conflict"]
    assert (
        fresh(application).revision == 2 and fresh(application).timeline.filter(action="claim").count() == 1
    )


def test_applications_filed_before_the_clock_was_stored_get_it_from_their_workflow(complaint, officer):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("bawaba.cases.migrations.0002_back_office").clocks_from_workflows
    application_act(application_uuid=complaint.uuid, revision=1, action="withdraw", user=complaint.applicant)
    waiting = submit(complaint.applicant, key="waiting")
    Application.objects.filter(pk=waiting.pk).update(state="more-information-requested")
    Application.objects.update(clock="running", closed_at=None)
    backfill(apps, None)
    assert (fresh(complaint).clock, fresh(complaint).closed_at) == ("stopped", fresh(complaint).state_since)
    assert (fresh(waiting).clock, fresh(waiting).closed_at) == ("paused", None)
