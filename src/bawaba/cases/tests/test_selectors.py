"""Reading applications: each person sees their own, a delegate what the delegation covers (and it is recorded
for the person they act for), nobody else anything; public tracking tells where one stands and nothing more."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from bawaba.accounts.delegation import mandate_grant, mandate_revoke
from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.audit.models import AuditEntry
from bawaba.cases.selectors import (
    NextStep,
    application_open,
    application_track,
    applications_of,
    citizen_actions,
    next_step,
    timeline_for_applicant,
)
from bawaba.cases.service_parts import workflow_for
from bawaba.cases.services import application_act, application_submit
from bawaba.catalogue.selectors import service_get
from bawaba.core.models import ReferenceCounter

pytestmark = pytest.mark.django_db

COMPLAINT = {
    "category": "street-lighting",
    "governorate": "giza",
    "district": "Dokki",
    "street": "Nile Street",
    "details": "The street light on Nile Street has been out for a week.",
    "declaration": True,
}
CERTIFICATE = {"details": "For my son's school.", "declaration": True}


def citizen(name="amina", national_id="29103090104240", born=date(1991, 3, 9)) -> User:
    return User.objects.create_user(
        f"citizen-{name}", national_id=national_id, birth_date=born, first_name=name.title()
    )


def officer(name="officer-m", agency="municipality") -> User:
    user = User.objects.create_user(name)
    StaffMembership.objects.create(user=user, role=StaffRole.OFFICER, agency=agency, granted_by="test")
    return user


def submit(applicant, *, code="municipality.complaint.submit", answers=None, key=None, filed_by=None):
    service = service_get(code=code)
    return application_submit(
        service=service,
        version=service.current_version,
        applicant=applicant,
        filed_by=filed_by or applicant,
        answers=COMPLAINT if answers is None else answers,
        submission_key=key or uuid.uuid4().hex,
    )


def move(application, user, *actions, **inputs):
    for action in actions:
        application.refresh_from_db()
        application_act(
            application_uuid=application.uuid,
            revision=application.revision,
            action=action,
            user=user,
            inputs=inputs,
        )
    application.refresh_from_db()
    return application


def test_each_person_lists_their_own_applications_newest_first():
    amina, omar = citizen(), citizen("omar", "28807012103140", date(1988, 7, 1))
    first, second = submit(amina), submit(amina)
    submit(omar)
    assert list(applications_of(user=amina)) == [second, first]
    assert [a.applicant for a in applications_of(user=omar)] == [omar]


def test_an_application_filed_for_someone_else_is_listed_for_both():
    amina, omar = citizen(), citizen("omar", "28807012103140", date(1988, 7, 1))
    mandate_grant(
        principal=amina, agent_national_id=omar.national_id, services=[], expires_on=date(2030, 1, 1)
    )
    filed = submit(amina, filed_by=omar)
    assert list(applications_of(user=amina)) == [filed]
    assert list(applications_of(user=omar)) == [filed]


def test_acting_for_someone_lists_what_the_delegation_covers_and_nothing_once_it_ends():
    amina, omar = citizen(), citizen("omar", "28807012103140", date(1988, 7, 1))
    complaint = submit(amina)
    submit(amina, code="civil.birth.certificate", answers=CERTIFICATE)
    submit(omar)
    mandate = mandate_grant(
        principal=amina,
        agent_national_id=omar.national_id,
        services=["municipality.complaint.submit"],
        expires_on=date(2030, 1, 1),
    )
    assert list(applications_of(user=omar, acting_for=mandate)) == [complaint]
    # Somebody else's delegation does not open anything to this person.
    stranger = citizen("laila", "29505120101234", date(1995, 5, 12))
    assert list(applications_of(user=stranger, acting_for=mandate)) == []
    mandate_revoke(principal=amina, delegation_uuid=mandate.uuid)
    mandate.refresh_from_db()
    assert list(applications_of(user=omar, acting_for=mandate)) == []


def test_someone_elses_application_opens_like_one_that_does_not_exist():
    amina, omar = citizen(), citizen("omar", "28807012103140", date(1988, 7, 1))
    application = submit(amina)
    assert application_open(user=amina, uuid=application.uuid) == application
    assert application_open(user=omar, uuid=application.uuid) is None
    assert application_open(user=omar, uuid=uuid.uuid4()) is None
    assert application_open(user=omar, uuid="not-a-uuid") is None
    # A staff member of the agency is not the applicant's side: the citizen pages do not open it for them.
    assert application_open(user=officer(), uuid=application.uuid) is None


def test_a_delegate_opens_it_and_that_is_recorded_for_the_person_they_act_for():
    amina, omar = citizen(), citizen("omar", "28807012103140", date(1988, 7, 1))
    application = submit(amina)
    assert application_open(user=omar, uuid=application.uuid) is None
    mandate_grant(
        principal=amina, agent_national_id=omar.national_id, services=[], expires_on=date(2030, 1, 1)
    )
    assert application_open(user=omar, uuid=application.uuid) == application
    entry = AuditEntry.objects.get(action="cases.application.opened")
    assert entry.actor == f"user:{omar.uuid}" and entry.on_behalf_of == f"user:{amina.uuid}"
    assert entry.subject_id == str(application.uuid)
    application_open(user=amina, uuid=application.uuid)  # the applicant's own reading is theirs alone
    assert AuditEntry.objects.filter(action="cases.application.opened").count() == 1


def test_the_next_step_follows_the_state():
    amina, clerk = citizen(), officer()
    application = submit(amina)
    workflow = workflow_for(application.service_version)
    assert next_step(application, workflow) is None
    move(application, clerk, "receive", "start-review")
    move(application, clerk, "request-information", message="Which end of the street?")
    assert next_step(application, workflow) == NextStep.ANSWER
    assert [t.action for t in citizen_actions(application, user=amina)] == ["answer", "withdraw"]
    assert citizen_actions(application, user=clerk) == []
    move(application, amina, "answer", answer="Near the mosque.")
    assert [e.text for e in timeline_for_applicant(application) if e.text] == [
        "Which end of the street?",
        "Near the mosque.",
    ]
    move(application, clerk, "start-review", "approve", "mark-ready")
    assert (
        application.state == "ready-for-collection" and next_step(application, workflow) == NextStep.COLLECT
    )
    unpaid = submit(amina, code="civil.birth.certificate", answers=CERTIFICATE)
    assert unpaid.state == "awaiting-payment"
    assert next_step(unpaid, workflow_for(unpaid.service_version)) == NextStep.PAY


def test_tracking_needs_the_reference_and_the_last_four_digits_and_tells_only_the_state():
    amina = citizen()
    application = submit(amina)
    found = application_track(reference=application.reference, national_id_last_four="4240")
    assert found is not None and found.state.code == "submitted"
    assert found.service_name["en"] == "Submit a complaint or report"
    assert found.updated_on == timezone.localdate()
    assert set(vars(found)) == {"service_name", "state", "updated_on"}
    # What people type: lower case, spaces, Arabic digits.
    typed = application.reference.lower().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert application_track(reference=f" {typed} ", national_id_last_four="٤٢٤٠") is not None


@pytest.mark.parametrize(
    ("reference", "digits"),
    [
        (None, "0000"),  # the right reference, the wrong digits
        ("BWB-2001-999999", "4240"),  # no such reference
        ("BWB-2001-999999", "0000"),
        (None, "424"),
        (None, ""),
        ("", "4240"),
    ],
)
def test_a_wrong_reference_and_wrong_digits_get_the_same_nothing(reference, digits):
    application = submit(citizen())
    reference = application.reference if reference is None else reference
    assert application_track(reference=reference, national_id_last_four=digits) is None


def test_a_reference_past_the_millionth_of_the_year_is_tracked():
    ReferenceCounter.objects.update_or_create(
        prefix="BWB", year=timezone.localdate().year, defaults={"last": 999_999}
    )
    application = submit(citizen())
    assert len(application.reference.rsplit("-", 1)[1]) == 7
    found = application_track(reference=application.reference, national_id_last_four="4240")
    assert found is not None and found.state.code == "submitted"
    assert application_track(reference=application.reference + "0" * 3, national_id_last_four="4240") is None


def test_an_applicant_without_a_national_id_is_never_found_by_tracking():
    nobody = User.objects.create_user("no-id", birth_date=date(1990, 1, 1))
    application = submit(nobody)
    for digits in ("0000", "\x00\x00\x00\x00", ""):
        assert application_track(reference=application.reference, national_id_last_four=digits) is None


def test_tracking_shows_the_latest_state_and_its_date():
    application = submit(citizen())
    move(application, officer(), "receive")
    found = application_track(reference=application.reference, national_id_last_four="4240")
    assert found.state.code == "received" and found.state.label["en"] == "Received by the agency"
    assert found.updated_on <= timezone.localdate() < found.updated_on + timedelta(days=2)
