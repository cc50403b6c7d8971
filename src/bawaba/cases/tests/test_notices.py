"""The applicant hears of every step that matters, in their language, written with the step itself; supervisors
hear when an application runs late; a rolled-back step tells no one."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from bawaba.accounts.models import StaffRole
from bawaba.cases.models import Application
from bawaba.cases.services import ActionRefused, application_act
from bawaba.cases.sweeps import sla_breaches_flag
from bawaba.cases.tests.test_services import citizen, staff, submit
from bawaba.notifications.models import Message

pytestmark = pytest.mark.django_db


def told(user, channel="sms") -> list[Message]:
    return list(Message.objects.filter(recipient=user, channel=channel).order_by("created_at", "pk"))


def act(application, action, user, **inputs) -> Application:
    current = Application.objects.get(pk=application.pk)
    return application_act(
        application_uuid=application.uuid, revision=current.revision, action=action, user=user, inputs=inputs
    )


def test_filing_tells_the_applicant_by_sms_and_in_the_inbox_in_their_language():
    amina = citizen()
    amina.preferred_language = "en"
    amina.save()
    application = submit(amina)
    [sms] = told(amina)
    [inbox] = told(amina, "inapp")
    assert sms.kind == "application.submitted" and sms.reference == application.reference
    assert f"reference {application.reference}" in sms.body and "Submit a complaint or report" in sms.body
    assert inbox.subject == f"We received your application {application.reference}"


def test_each_step_the_workflow_names_is_told_with_what_the_officer_wrote():
    amina = citizen()
    application = submit(amina)
    officer = staff("officer-m", "municipality")
    act(application, "receive", officer)
    act(application, "start-review", officer)  # not a step the citizen is told of
    act(application, "request-information", officer, message="أي طرف من الشارع؟")
    act(application, "answer", amina, answer="الطرف القريب من المسجد.")
    act(application, "start-review", officer)
    act(application, "reject", officer, reason="العنوان خارج نطاق الحي.")
    kinds = [m.kind for m in told(amina)]
    assert kinds == [
        "application.submitted",
        "application.documents-received",
        "application.info-requested",
        "application.rejected",
    ]
    asked, rejected = told(amina, "inapp")[2], told(amina, "inapp")[3]
    assert "أي طرف من الشارع؟" in asked.body and "العنوان خارج نطاق الحي." in rejected.body


def test_a_refused_move_tells_no_one():
    amina = citizen()
    application = submit(amina)
    with pytest.raises(ActionRefused):
        act(application, "receive", staff("officer-t", "traffic"))
    assert [m.kind for m in told(amina)] == ["application.submitted"]


def test_supervisors_and_the_assignee_hear_when_an_application_runs_late():
    application = submit(citizen())
    supervisor = staff("supervisor-m", "municipality", role=StaffRole.SUPERVISOR)
    supervisor.mobile = "+201099990000"
    supervisor.save()
    other_agency = staff("supervisor-t", "traffic", role=StaffRole.SUPERVISOR)
    Application.objects.filter(pk=application.pk).update(due_on=date.today() - timedelta(days=10))
    assert sla_breaches_flag(now=timezone.now()) == [application.reference]
    [late] = told(supervisor)
    assert late.kind == "application.sla-breached" and application.reference in late.body
    assert not told(other_agency, "inapp")
    assert sla_breaches_flag(now=timezone.now()) == []  # flagged once, told once
    assert len(told(supervisor)) == 1
