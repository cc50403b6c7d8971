"""The work queue, the application page and the supervisor's page: filters, countdowns, every opening recorded,
actions as forms with their refusals in words, conflicts, four eyes, bulk receipt; and no way into another
agency's applications, not even with a guessed address."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from bawaba.accounts.models import StaffRole
from bawaba.audit.models import AuditEntry
from bawaba.cases.models import Application, InternalNote
from bawaba.cases.services import application_act
from bawaba.cases.tests.test_services import COMPLAINT, submit
from bawaba.cases.tests.test_services import citizen as make_citizen
from bawaba.catalogue.models import ServiceVersion
from bawaba.catalogue.selectors import service_get
from bawaba.testing.clients import signed_in

from .helpers import staff

pytestmark = pytest.mark.django_db
QUEUE = "/en/staff/agencies/municipality/applications/"


def page_of(application, agency="municipality", lang="en") -> str:
    return f"/{lang}/staff/agencies/{agency}/applications/{application.uuid}/"


@pytest.fixture
def officer():
    return staff("officer-m", (StaffRole.OFFICER, "municipality"))


@pytest.fixture
def complaint():
    return submit(make_citizen(), answers={**COMPLAINT, "mobile": "+201012345678"})


def opened(application) -> int:
    return AuditEntry.objects.filter(
        action="cases.application.opened", subject_id=str(application.uuid)
    ).count()


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def act(browser, application, action: str, revision: int | None = None, **inputs):
    revision = fresh(application).revision if revision is None else revision
    data = {f"{action}-revision": revision, "action": action}
    data.update({f"{action}-{name}": value for name, value in inputs.items()})
    return browser.post(page_of(application) + "act/", data)


def test_the_staff_home_leads_officers_to_the_queue_and_supervisors_to_the_team(officer):
    supervisor = staff("supervisor-m", (StaffRole.SUPERVISOR, "municipality"))
    home = signed_in(officer).get("/en/staff/").content.decode()
    assert f'href="{QUEUE}"' in home and "/applications/team/" not in home
    home = signed_in(supervisor).get("/en/staff/").content.decode()
    assert f'href="{QUEUE}"' in home and f'href="{QUEUE}team/"' in home


def test_the_queue_lists_the_agencys_open_applications_with_their_countdown(officer, complaint):
    late = submit(complaint.applicant, key="late")
    Application.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=20))
    elsewhere = submit(
        complaint.applicant,
        code="civil.birth.certificate",
        key="cert",
        answers={"details": "For school.", "declaration": True},
    )
    html = signed_in(officer).get(QUEUE).content.decode()
    assert complaint.reference in html and late.reference in html and elsewhere.reference not in html
    assert "working days left" in html and "Overdue" in html and "working days overdue" in html
    assert html.index(late.reference) < html.index(complaint.reference)  # the most urgent first


def test_the_queue_filters_work_from_the_address(officer, complaint):
    late = submit(complaint.applicant, key="late")
    Application.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=20))
    browser = signed_in(officer)
    html = browser.get(QUEUE, {"sla": "breached"}).content.decode()
    assert late.reference in html and complaint.reference not in html
    browser.post(page_of(complaint) + "claim/", {"revision": 1})
    html = browser.get(QUEUE, {"assignee": "mine"}).content.decode()
    assert complaint.reference in html and late.reference not in html
    html = browser.get(
        QUEUE, {"assignee": "unassigned", "service": "municipality.complaint.submit"}
    ).content.decode()
    assert late.reference in html and complaint.reference not in html
    html = browser.get(QUEUE, {"state": "closed"}).content.decode()
    assert "No application matches these filters." in html
    # A value that is not a choice is named, and not applied.
    response = browser.get(QUEUE, {"sla": "whenever"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="error-summary"' in html
    assert late.reference in html and complaint.reference in html


def test_opening_the_page_is_recorded_and_shows_the_answers_by_step(officer, complaint):
    response = signed_in(officer).get(page_of(complaint))
    html = response.content.decode()
    assert response.status_code == 200 and opened(complaint) == 1
    entry = AuditEntry.objects.get(action="cases.application.opened")
    assert entry.actor == f"user:{officer.uuid}" and entry.data["agency"] == "municipality"
    # The form's steps and labels, choices in words, the prefilled answer with its source.
    for words in ("Where it is", "Kind of problem", "Street light not working", "Nile Street"):
        assert words in html
    assert "from the applicant&#x27;s Bawaba account" in html and "the applicant could change it" in html
    assert "Confirm receipt" in html and "Take it on" in html
    # The form posts what the view reads (the helper `act` below posts the same names).
    assert '<input type="hidden" name="action" value="receive">' in html
    assert 'name="receive-revision" value="1"' in html


@pytest.mark.parametrize("agency,status", [("municipality", 404), ("traffic", 403)])
def test_another_agencys_officer_gets_nothing_and_nothing_is_recorded(complaint, agency, status):
    stranger = staff("officer-t", (StaffRole.OFFICER, "traffic"))
    browser = signed_in(stranger)
    response = browser.get(page_of(complaint, agency=agency))
    assert response.status_code in (403, 404) and complaint.reference not in response.content.decode()
    for path in ("act/", "claim/", "release/", "assign/", "notes/"):
        response = (
            act(browser, complaint, "receive")
            if path == "act/"
            else browser.post(
                page_of(complaint, agency=agency) + path,
                {"revision": 1, "text": "x", "assignee": str(stranger.uuid)},
            )
        )
        assert response.status_code in (403, 404)
    assert opened(complaint) == 0
    after = fresh(complaint)
    assert after.state == "submitted" and after.assignee is None and not InternalNote.objects.exists()


def test_a_guessed_address_is_a_404_and_records_nothing(officer):
    response = signed_in(officer).get(f"{QUEUE}{uuid.uuid4()}/")
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="cases.application.opened").exists()


def test_an_action_missing_its_text_is_refused_in_words_and_changes_nothing(officer, complaint):
    browser = signed_in(officer)
    assert act(browser, complaint, "receive").status_code == 302
    assert act(browser, complaint, "start-review").status_code == 302
    response = act(browser, complaint, "request-information", message="   ")
    html = response.content.decode()
    assert response.status_code == 400 and 'id="error-summary"' in html
    assert "Write the message to the applicant." in html
    assert fresh(complaint).state == "in-review"
    response = act(browser, complaint, "reject", reason="")
    assert "Give the reason: the applicant will read it." in response.content.decode()
    response = act(browser, complaint, "request-information", message="Which end of the street?")
    assert response.status_code == 302 and fresh(complaint).state == "more-information-requested"


def test_the_same_refusal_reads_in_arabic(officer, complaint):
    browser = signed_in(officer)
    act(browser, complaint, "receive")
    act(browser, complaint, "start-review")
    revision = fresh(complaint).revision
    response = browser.post(
        page_of(complaint, lang="ar") + "act/",
        {"reject-revision": revision, "action": "reject", "reject-reason": ""},
    )
    assert response.status_code == 400 and 'lang="ar"' in response.content.decode()
    assert fresh(complaint).state == "in-review"


@pytest.mark.parametrize("action", ["answer", "issue", "withdraw", "confirm-approval", "fly-to-the-moon"])
def test_a_move_the_workflow_does_not_give_this_role_now_is_refused(officer, complaint, action):
    response = act(signed_in(officer), complaint, action, answer="I answer for the citizen")
    html = response.content.decode()
    assert response.status_code == 400
    assert any(
        words in html
        for words in (
            "Your role does not allow this action on this application.",
            "This action cannot be taken at this step of the application.",
            "This action does not exist for this application.",
        )
    )
    assert fresh(complaint).state == "submitted" and fresh(complaint).revision == 1


def test_a_conflict_shows_the_application_as_it_is_now(officer, complaint):
    other = staff("officer-2", (StaffRole.OFFICER, "municipality"))
    application_act(application_uuid=complaint.uuid, revision=1, action="receive", user=other)
    response = act(signed_in(officer), complaint, "receive", revision=1)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this application while you had it open" in html
    assert 'data-state="received"' in html and "Start the review" in html


def test_a_ready_made_text_is_put_in_the_box_in_the_applicants_language_without_javascript(
    officer, complaint
):
    browser = signed_in(officer)
    act(browser, complaint, "receive")
    act(browser, complaint, "start-review")

    def box(action: str, name: str, **query) -> str:
        html = browser.get(page_of(complaint), query).content.decode()
        found = re.search(rf'<textarea name="{action}-{name}"[^>]*>(.*?)</textarea>', html, re.S)
        return found.group(1).strip()

    text = box(
        "request-information", "message", **{"for": "request-information", "template": "complaint-location"}
    )
    assert text.startswith("نرجو تحديد موقع المشكلة بدقة")  # Amina reads Arabic
    assert box("reject", "reason", **{"for": "request-information", "template": "complaint-location"}) == ""
    complaint.applicant.preferred_language = "en"
    complaint.applicant.save()
    text = box("reject", "reason", **{"for": "reject", "template": "documents-invalid"})
    assert text.startswith("We cannot accept your application because the documents provided are not valid")
    html = browser.get(
        page_of(complaint), {"for": "reject", "template": "documents-invalid"}
    ).content.decode()
    assert 'value="documents-invalid" selected' in html
    # An unknown template, or one of another action, fills nothing.
    assert box("reject", "reason", **{"for": "reject", "template": "nope"}) == ""
    assert box("reject", "reason", **{"for": "reject", "template": "complaint-location"}) == ""


def test_four_eyes_a_second_officer_confirms_and_the_proposer_cannot(officer):
    service = service_get(code="municipality.complaint.submit")
    current = service.current_version
    version = ServiceVersion.objects.create(
        service=service,
        number=current.number + 100,
        definition={**current.definition, "four_eyes": True},
        content_hash="four-eyes-test",
        published_by="test",
    )
    service.current_version = version
    service.save()
    application = submit(make_citizen())
    second = staff("officer-2", (StaffRole.OFFICER, "municipality"))
    first_browser, second_browser = signed_in(officer), signed_in(second)
    for action in ("receive", "start-review", "approve"):
        assert act(first_browser, application, action).status_code == 302
    assert fresh(application).state == "approval-pending" and fresh(application).proposed_by == officer
    html = first_browser.get(page_of(application)).content.decode()
    assert "Awaiting a second approval" in html and "Officer M proposed to approve this application" in html
    assert (
        "You proposed it, so you cannot confirm it yourself." in html and "Confirm the approval" not in html
    )
    response = act(first_browser, application, "confirm-approval")
    assert "You proposed this approval: another officer must confirm it." in response.content.decode()
    assert fresh(application).state == "approval-pending"
    html = second_browser.get(page_of(application)).content.decode()
    assert "Confirm the approval" in html and "Send back for review" in html
    assert act(second_browser, application, "confirm-approval").status_code == 302
    assert fresh(application).state in ("approved", "issued")


def test_claim_release_and_internal_notes_through_the_page(officer, complaint):
    browser = signed_in(officer)
    response = browser.post(page_of(complaint) + "claim/", {"revision": 1})
    assert response.status_code == 302 and fresh(complaint).assignee == officer
    response = browser.post(page_of(complaint) + "claim/", {"revision": 1})
    assert (
        response.status_code == 409 and "Someone else changed this application" in response.content.decode()
    )
    response = browser.post(page_of(complaint) + "notes/", {"text": " "})
    assert response.status_code == 400 and "Write the note." in response.content.decode()
    response = browser.post(page_of(complaint) + "notes/", {"text": "Called the district office."})
    assert response.status_code == 302
    html = browser.get(page_of(complaint)).content.decode()
    assert "Called the district office." in html and "For the agency's staff only" in html
    assert "Hand it back to the queue" in html
    response = browser.post(page_of(complaint) + "release/", {"revision": fresh(complaint).revision})
    assert response.status_code == 302 and fresh(complaint).assignee is None


def test_confirming_receipt_of_several_reports_each(officer, complaint):
    second = submit(complaint.applicant, key="second")
    stale = submit(complaint.applicant, key="stale")
    application_act(application_uuid=stale.uuid, revision=1, action="withdraw", user=stale.applicant)
    browser = signed_in(officer)
    html = browser.get(QUEUE).content.decode()
    assert f'value="{complaint.uuid}:1"' in html and f'value="{second.uuid}:1"' in html
    response = browser.post(
        QUEUE + "receive/",
        {
            "application": [f"{complaint.uuid}:1", f"{second.uuid}:1", f"{stale.uuid}:1", "junk"],
            "next": QUEUE + "?sla=on-time",
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == QUEUE + "?sla=on-time"
    assert "Receipt confirmed for 2 applications" in html
    assert f"{stale.reference} was not received" in html
    assert fresh(complaint).state == fresh(second).state == "received"
    response = browser.post(QUEUE + "receive/", {}, follow=True)
    assert "Tick the applications whose receipt you confirm." in response.content.decode()


def test_the_supervisor_page_shows_the_team_and_reassigns(officer, complaint):
    supervisor = staff("supervisor-m", (StaffRole.SUPERVISOR, "municipality"))
    Application.objects.filter(pk=complaint.pk).update(due_on=timezone.localdate() - timedelta(days=20))
    assert signed_in(officer).get(QUEUE + "team/").status_code == 403
    browser = signed_in(supervisor)
    html = browser.get(QUEUE + "team/").content.decode()
    assert complaint.reference in html and "Who has what" in html and "Officer M" in html
    response = browser.post(
        page_of(complaint) + "assign/",
        {"revision": 1, "assignee": str(officer.uuid), "next": QUEUE + "team/"},
    )
    assert response.status_code == 302 and response["Location"] == QUEUE + "team/"
    assert fresh(complaint).assignee == officer
    # Never to someone outside the agency.
    outsider = staff("officer-t", (StaffRole.OFFICER, "traffic"))
    response = browser.post(page_of(complaint) + "assign/", {"revision": 2, "assignee": str(outsider.uuid)})
    assert response.status_code == 400 and fresh(complaint).assignee == officer
    # An address elsewhere is not followed.
    response = browser.post(
        page_of(complaint) + "assign/",
        {"revision": 2, "assignee": str(supervisor.uuid), "next": "https://evil.example/"},
    )
    assert response["Location"] == page_of(complaint)


@pytest.mark.parametrize("path", ["", "team/", "receive/"])
def test_citizens_and_visitors_are_kept_out(complaint, client, path):
    target = QUEUE + path
    response = client.get(target)
    assert response.status_code == 302 and "/account/staff-sign-in/" in response["Location"]
    browser = signed_in(complaint.applicant)
    assert browser.get(target).status_code == 403
    assert browser.get(page_of(complaint)).status_code == 403


def test_documents_are_listed_and_each_reading_is_recorded(officer):
    from django.core.files.base import ContentFile

    from bawaba.forms.models import Attachment

    amina = make_citizen()

    def upload(name: str) -> Attachment:
        attachment = Attachment(
            owner=amina, field="photo", name=name, content_type="image/png", size=8, sha256="0"
        )
        attachment.file.save(f"{uuid.uuid4().hex}.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
        attachment.save()
        return attachment

    photo, other_photo = upload("street-light.png"), upload("elsewhere.png")
    application = submit(amina, answers={**COMPLAINT, "photo": str(photo.uuid)})
    other = submit(amina, key="other", answers={**COMPLAINT, "photo": str(other_photo.uuid)})
    Attachment.objects.filter(pk=photo.pk).update(application=application.uuid, agency="municipality")
    Attachment.objects.filter(pk=other_photo.pk).update(application=other.uuid, agency="municipality")
    browser = signed_in(officer)
    html = browser.get(page_of(application)).content.decode()
    link = f"{page_of(application)}documents/{photo.uuid}/"
    assert f'href="{link}"' in html and "street-light.png" in html
    response = browser.get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\n"
    assert 'attachment; filename="street-light.png"' in response["Content-Disposition"]
    read = AuditEntry.objects.get(action="cases.application.document-read")
    assert read.actor == f"user:{officer.uuid}" and read.data["document"] == str(photo.uuid)
    # Another application's file through this one's address, or anyone from another agency: nothing.
    assert browser.get(f"{page_of(application)}documents/{other_photo.uuid}/").status_code == 404
    stranger = signed_in(staff("officer-t", (StaffRole.OFFICER, "traffic")))
    assert stranger.get(link).status_code == 403
    assert stranger.get(link.replace("/municipality/", "/traffic/")).status_code == 404
    assert AuditEntry.objects.filter(action="cases.application.document-read").count() == 1
