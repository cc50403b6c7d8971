"""Filing applications and moving them on: references, snapshots, idempotency, roles, conflicts, audit, events."""

import re
import threading
from datetime import date

import pytest
from django.db import connection, connections
from django.utils import timezone

from bawaba.accounts.delegation import mandate_grant
from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.audit.models import AuditEntry
from bawaba.cases.models import Application
from bawaba.cases.services import (
    ActionRefused,
    SubmissionProblem,
    SubmissionRefused,
    application_act,
    application_submit,
)
from bawaba.catalogue.models import ServiceVersion
from bawaba.catalogue.selectors import service_get
from bawaba.events.models import Event

pytestmark = pytest.mark.django_db
COMPLAINT = {
    "category": "street-lighting",
    "governorate": "giza",
    "district": "Dokki",
    "street": "Nile Street",
    "details": "The street light on Nile Street has been out for a week.",
    "declaration": True,
}


def citizen(name="amina", national_id="29103090104240", born=date(1991, 3, 9)) -> User:
    return User.objects.create_user(
        f"citizen-{name}", national_id=national_id, birth_date=born, mobile="+201012345678", first_name=name
    )


def staff(name: str, agency: str, role=StaffRole.OFFICER) -> User:
    user = User.objects.create_user(name)
    StaffMembership.objects.create(user=user, role=role, agency=agency, granted_by="test")
    return user


def submit(applicant, code="municipality.complaint.submit", answers=None, key="k1", filed_by=None):
    service = service_get(code=code)
    return application_submit(
        service=service,
        version=service.current_version,
        applicant=applicant,
        filed_by=filed_by or applicant,
        answers=COMPLAINT if answers is None else answers,
        submission_key=key,
    )


def test_a_submission_gets_a_reference_a_snapshot_a_timeline_an_audit_entry_and_an_event():
    amina = citizen()
    application = submit(amina)
    assert re.fullmatch(rf"BWB-{timezone.localdate().year}-\d{{6}}", application.reference)
    assert application.state == "submitted" and application.workflow == "review"
    assert application.answers == COMPLAINT and application.agency == "municipality"
    assert application.due_on is not None and application.due_on > timezone.localdate()
    assert [(e.action, e.to_state) for e in application.timeline.all()] == [("submit", "submitted")]
    assert AuditEntry.objects.filter(
        action="cases.application.submitted", subject_id=str(application.uuid)
    ).exists()
    assert Event.objects.filter(
        name="application.submitted", payload__reference=application.reference
    ).exists()


def test_the_same_submission_twice_is_one_application():
    amina = citizen()
    first, again = submit(amina, key="double-click"), submit(amina, key="double-click")
    assert first.pk == again.pk and Application.objects.count() == 1
    assert submit(amina, key="another").pk != first.pk


def test_bad_answers_are_refused_field_by_field_and_nothing_is_written():
    amina = citizen()
    with pytest.raises(SubmissionRefused) as refused:
        submit(amina, answers={**COMPLAINT, "details": "short", "declaration": False, "is_admin": True})
    assert refused.value.problem == SubmissionProblem.INVALID
    assert {(e.field, e.code) for e in refused.value.errors} == {
        ("details", "min_length"),
        ("declaration", "const"),
    }
    assert (
        not Application.objects.exists() and not Event.objects.filter(name="application.submitted").exists()
    )


def test_injected_answers_to_questions_not_asked_are_not_kept():
    application = submit(citizen(), answers={**COMPLAINT, "fees_waived": True})
    assert "fees_waived" not in application.answers


def test_a_form_filled_against_an_old_version_is_refused():
    service = service_get(code="municipality.complaint.submit")
    current = service.current_version
    old = ServiceVersion.objects.create(
        service=service,
        number=current.number + 100,
        definition=current.definition,
        content_hash="old",
        published_by="t",
    )
    amina = citizen()
    with pytest.raises(SubmissionRefused) as refused:
        application_submit(
            service=service,
            version=old,
            applicant=amina,
            filed_by=amina,
            answers=COMPLAINT,
            submission_key="y",
        )
    assert refused.value.problem == SubmissionProblem.STALE_VERSION


def test_filing_for_someone_else_needs_a_mandate_and_records_both():
    amina, omar = citizen(), citizen("omar", "28807012103140", date(1988, 7, 1))
    with pytest.raises(SubmissionRefused) as refused:
        submit(amina, filed_by=omar)
    assert refused.value.problem == SubmissionProblem.NOT_ALLOWED
    mandate_grant(
        principal=amina, agent_national_id=omar.national_id, services=[], expires_on=date(2030, 1, 1)
    )
    application = submit(amina, filed_by=omar)
    assert application.applicant == amina and application.filed_by == omar
    entry = AuditEntry.objects.get(action="cases.application.submitted")
    assert entry.actor == f"user:{omar.uuid}" and entry.on_behalf_of == f"user:{amina.uuid}"


def test_an_applicant_who_is_not_eligible_is_told_why():
    child = citizen("laila", "31504010100126", date(2015, 4, 1))
    with pytest.raises(SubmissionRefused) as refused:
        submit(
            child,
            code="civil.birth.certificate",
            answers={"details": "My own birth certificate.", "declaration": True},
        )
    assert refused.value.problem == SubmissionProblem.NOT_ELIGIBLE
    assert any(c["fact"] == "age" for c in refused.value.verdict.unmet)


def test_an_instant_certificate_with_a_fee_waits_for_payment():
    application = submit(
        citizen(), code="civil.birth.certificate", answers={"details": "For school.", "declaration": True}
    )
    assert application.workflow == "instant" and application.state == "awaiting-payment"
    assert application.fees_due == 2500 and application.currency == "EGP"
    assert [e.to_state for e in application.timeline.all()] == ["submitted", "awaiting-payment"]


def test_officers_move_it_on_in_their_role_and_only_in_their_agency():
    application = submit(citizen())
    officer, stranger = staff("officer-m", "municipality"), staff("officer-t", "traffic")
    with pytest.raises(ActionRefused) as refused:
        application_act(application_uuid=application.uuid, revision=1, action="receive", user=stranger)
    assert refused.value.problem == "forbidden"
    moved = application_act(application_uuid=application.uuid, revision=1, action="receive", user=officer)
    assert moved.state == "received" and moved.revision == 2
    with pytest.raises(ActionRefused) as refused:
        application_act(
            application_uuid=application.uuid, revision=2, action="start-review", user=application.applicant
        )
    assert refused.value.problem == "not-your-role"
    application_act(application_uuid=application.uuid, revision=2, action="start-review", user=officer)
    with pytest.raises(ActionRefused) as refused:
        application_act(
            application_uuid=application.uuid, revision=3, action="reject", user=officer, inputs={}
        )
    assert (refused.value.problem, refused.value.detail) == ("input-missing", ("reason",))


def test_more_information_pauses_the_clock_and_the_citizen_answers():
    application = submit(citizen())
    officer = staff("officer-m", "municipality")
    for revision, action in enumerate(["receive", "start-review"], start=1):
        application_act(application_uuid=application.uuid, revision=revision, action=action, user=officer)
    asked = application_act(
        application_uuid=application.uuid,
        revision=3,
        action="request-information",
        user=officer,
        inputs={"message": "Which end of the street?"},
    )
    assert asked.state == "more-information-requested" and asked.due_on is None
    answered = application_act(
        application_uuid=application.uuid,
        revision=4,
        action="answer",
        user=application.applicant,
        inputs={"answer": "The end near the mosque."},
    )
    assert answered.state == "resubmitted" and answered.due_on is not None
    assert [e.text for e in answered.timeline.all()][-2:] == [
        "Which end of the street?",
        "The end near the mosque.",
    ]


def test_acting_on_an_old_revision_is_a_conflict_not_a_second_move():
    application = submit(citizen())
    first, second = staff("officer-1", "municipality"), staff("officer-2", "municipality")
    application_act(application_uuid=application.uuid, revision=1, action="receive", user=first)
    with pytest.raises(ActionRefused) as refused:
        application_act(application_uuid=application.uuid, revision=1, action="receive", user=second)
    assert refused.value.problem == "conflict"
    assert Application.objects.get(pk=application.pk).timeline.count() == 2


def test_staff_never_act_as_officers_on_their_own_applications():
    officer = staff("officer-m", "municipality")
    officer.national_id, officer.birth_date = "28807012103140", date(1988, 7, 1)
    officer.save()
    application = submit(officer)
    with pytest.raises(ActionRefused) as refused:
        application_act(application_uuid=application.uuid, revision=1, action="receive", user=officer)
    assert refused.value.problem == "not-your-role"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
def test_two_officers_at_once_one_wins_the_other_is_told(demo_catalogue_live):
    application = submit(citizen())
    officers = [staff(f"officer-{i}", "municipality") for i in range(2)]
    outcomes = []
    start = threading.Barrier(2)

    def act(officer):
        start.wait()
        try:
            application_act(application_uuid=application.uuid, revision=1, action="receive", user=officer)
            outcomes.append("moved")
        except ActionRefused as refused:
            outcomes.append(refused.problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "moved"]
    assert Application.objects.get(pk=application.pk).timeline.count() == 2
