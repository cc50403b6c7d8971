"""The e-form pages: start, each step's checks, files, review, submission once, a changed service, reports."""

import re
import threading
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client

from bawaba.accounts.delegation import ACTING_FOR_KEY, mandate_grant
from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.accounts.session_assurance import METHODS_KEY
from bawaba.audit.models import AuditEntry
from bawaba.cases.models import Application
from bawaba.catalogue.models import Service, ServiceVersion
from bawaba.forms.models import Attachment, Draft
from bawaba.testing.clients import signed_in
from bawaba.testing.eforms import GIF, GOOD_REQUEST, SAMPLE_FORM, citizen, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db
CODE = "municipality.complaint.submit"
BASE = f"/en/services/{CODE}"


def publish(service: Service, form: dict, content_hash: str) -> ServiceVersion:
    """A new version of the service with this form, as publishing the catalogue would make it."""
    current = service.current_version
    version = ServiceVersion.objects.create(
        service=service,
        number=current.number + 1,
        definition={**current.definition, "form_definition": form},
        content_hash=content_hash,
        published_by="test",
    )
    service.current_version = version
    service.save(update_fields=["current_version"])
    return version


@pytest.fixture
def service():
    service = Service.objects.get(code=CODE)
    publish(service, SAMPLE_FORM, "sample-1")
    return service


@pytest.fixture
def amina():
    return citizen()


@pytest.fixture
def browser(amina):
    return signed_in(amina)


def begin(client) -> Draft:
    response = client.post(f"{BASE}/apply/")
    assert response.status_code == 302 and response["Location"] == f"{BASE}/apply/step/you/"
    return Draft.objects.get(service_code=CODE, filed_by_id=client.session["_auth_user_id"])


def errors_in(html: str) -> list[str]:
    """The error summary's entries, as the citizen reads them."""
    summary = re.search(r'id="error-summary".*?</ul>', html, re.S)
    return (
        [
            re.sub(r"<[^>]+>", "", item).strip()
            for item in re.findall(r"<li>(.*?)</li>", summary.group(0), re.S)
        ]
        if summary
        else []
    )


def fill_request(client, **changes):
    # The page lists the questions it showed; the one asked only for a renewal is not shown at first.
    shown = [name for name in SAMPLE_FORM["steps"][1]["fields"] if name != "old_number"]
    data = {**GOOD_REQUEST, "shown": shown, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}/apply/step/request/", data)


def fill_to_review(client) -> Draft:
    begin(client)
    client.post(
        f"{BASE}/apply/step/you/", {"phone": "+201001112223", "shown": ["full_name", "national_id", "phone"]}
    )
    assert fill_request(client).status_code == 302
    client.post(
        f"{BASE}/apply/step/documents/",
        {"scan": SimpleUploadedFile("scan.pdf", pdf_bytes()), "shown": ["scan", "photo"]},
    )
    response = client.post(f"{BASE}/apply/step/declaration/", {"declaration": "on", "shown": ["declaration"]})
    assert response["Location"] == f"{BASE}/apply/review/"
    return Draft.objects.get(service_code=CODE)


def review_key(client) -> str:
    html = client.get(f"{BASE}/apply/review/").content.decode()
    return re.search(r'name="key" value="([^"]+)"', html).group(1)


class TestStart:
    def test_the_start_page_of_a_fileable_service_leads_into_the_form(self, service, browser):
        html = browser.get(f"{BASE}/start/").content.decode()
        assert 'data-testid="start-form"' in html and f'action="{BASE}/apply/"' in html
        assert "form is being prepared" not in html

    def test_signing_in_is_needed(self, service, client):
        assert client.post(f"{BASE}/apply/")["Location"].startswith("/en/account/sign-in/")
        assert client.get(f"{BASE}/apply/step/you/")["Location"].startswith("/en/account/sign-in/")

    def test_a_service_needing_more_assurance_asks_to_step_up_first(self, amina):
        client = signed_in(amina, methods=("password",))
        response = client.post("/en/services/civil.birth.register/apply/")
        assert response.status_code == 302 and "/account/step-up/" in response["Location"]
        assert not Draft.objects.exists()

    def test_an_applicant_who_does_not_qualify_is_told_why_before_the_form_starts(self):
        young = citizen(born=date(2012, 1, 5), name="Youssef")
        client = signed_in(young)
        html = client.get("/en/services/civil.birth.certificate/start/").content.decode()
        assert 'data-testid="not-eligible"' in html
        assert "The applicant must be 18 or older." in html
        # What the platform cannot know is left to the agency, and said so.
        assert "What the agency will check" in html
        assert (
            "The certificate is only issued to the person named on it, a parent, a child or a spouse." in html
        )
        assert 'data-testid="start-form"' not in html
        assert client.post("/en/services/civil.birth.certificate/apply/").status_code == 302
        assert not Draft.objects.exists()

    def test_the_explanation_is_in_arabic_on_the_arabic_page(self):
        client = signed_in(citizen(born=date(2012, 1, 5)))
        html = client.get("/ar/services/civil.birth.certificate/start/").content.decode()
        assert "يجب أن يكون مقدم الطلب قد أتم الثامنة عشرة." in html

    def test_a_service_that_takes_no_applications_keeps_its_information_page(self, browser):
        Service.objects.filter(code="civil.birth.certificate").update(kind="information")
        html = browser.get("/en/services/civil.birth.certificate/start/").content.decode()
        assert 'data-testid="start-form"' not in html and "service centre" in html
        assert browser.post("/en/services/civil.birth.certificate/apply/").status_code == 302
        assert not Draft.objects.exists()


class TestSteps:
    def test_a_step_shows_its_questions_progress_and_prefilled_answers(self, service, browser, amina):
        begin(browser)
        html = browser.get(f"{BASE}/apply/step/you/").content.decode()
        assert "Step 1 of 4" in html and "About you" in html
        assert 'data-testid="prefilled-full_name"' in html and "Amina Hassan" in html
        assert "From: Your Bawaba account" in html and f"{BASE}/apply/report/full_name/" in html
        assert 'name="full_name"' not in html, "an authoritative answer is shown, not offered for editing"
        assert f'value="{amina.mobile}"' in html, "a prefilled answer the citizen may change is an input"

    def test_every_widget_is_rendered_accessibly(self, service, browser):
        begin(browser)
        html = browser.get(f"{BASE}/apply/step/request/").content.decode()
        assert "Step 2 of 4" in html
        assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>Kind of request", html), "radios are grouped"
        assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>Extras", html)
        assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>Is it urgent\?", html)
        assert 'type="date" id="q-start"' in html and 'type="email" id="q-email"' in html
        assert '<select id="q-colour"' in html and 'inputmode="decimal" id="q-count"' in html
        assert 'aria-describedby="q-notes-help"' in html and 'id="q-notes-help"' in html
        assert 'id="q-old_number"' not in html, "shown only for a renewal"
        html = browser.get(f"{BASE}/apply/step/documents/").content.decode()
        assert 'enctype="multipart/form-data"' in html
        assert (
            'accept="application/pdf,.pdf"' in html
            and "Accepted file types: PDF. Largest size: 1 MB." in html
        )
        assert 'aria-describedby="q-scan-types"' in html

    def test_wrong_types_and_missing_answers_are_explained_beside_the_field_and_at_the_top(
        self, service, browser
    ):
        begin(browser)
        response = fill_request(
            browser, count="many", start="2026-02-30", colour="green", kind=None, urgent="perhaps"
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert errors_in(html) == [
            "Kind of request: Choose an answer.",
            "How many: Enter a whole number, for example 12.",
            "Start date: Enter a real date.",
            "Colour: Choose one of the answers given.",
            "Is it urgent?: Choose yes or no.",
        ]
        assert '<a href="#q-kind-0">' in html, "a group's entry links to its first box"
        assert 'id="q-count-error-1"' in html and 'aria-describedby="q-count-error-1"' in html
        assert 'aria-invalid="true"' in html and 'value="many"' in html, "what was typed is shown again"
        assert "<title>Error:" in html
        draft = Draft.objects.get()
        assert draft.step == "you"
        assert {"count", "start", "colour", "kind", "urgent"}.isdisjoint(draft.answers)
        assert draft.answers["email"] == "amina@example.com", "the answers that passed are saved"

    def test_limits_are_explained_in_words(self, service, browser):
        begin(browser)
        html = fill_request(browser, count="12", email="not-an-address", notes="x" * 201).content.decode()
        assert errors_in(html) == [
            "How many: Enter 9 or less.",
            "E-mail: Enter an e-mail address such as name@example.com.",
            "Notes: Enter no more than 200 characters.",
        ]

    def test_arabic_digits_are_understood(self, service, browser):
        begin(browser)
        assert fill_request(browser, count="٣").status_code == 302
        assert Draft.objects.get().answers["count"] == 3

    def test_hidden_and_unknown_answers_injected_are_dropped(self, service, browser, amina):
        begin(browser)
        response = fill_request(browser, old_number="OLD-1", fees_waived="true", full_name="Someone Else")
        assert response.status_code == 302
        browser.post(
            f"{BASE}/apply/step/you/",
            {"full_name": "Someone Else", "national_id": "1", "shown": ["full_name"]},
        )
        answers = Draft.objects.get().answers
        assert "old_number" not in answers and "fees_waived" not in answers
        assert answers["full_name"] == "Amina Hassan" and answers["national_id"] == amina.national_id

    def test_a_question_revealed_by_an_answer_on_the_same_page_appears_without_javascript(
        self, service, browser
    ):
        begin(browser)
        response = fill_request(browser, kind="renewal")
        html = response.content.decode()
        assert response.status_code == 200 and 'id="q-old_number"' in html
        assert "brought up more questions" in html and errors_in(html) == [], (
            "no complaint about a question not seen"
        )
        data = {**GOOD_REQUEST, "kind": "renewal", "shown": [*SAMPLE_FORM["steps"][1]["fields"]]}
        html = browser.post(f"{BASE}/apply/step/request/", data).content.decode()
        assert errors_in(html) == ["Number of the one you have: Answer this question."]
        data["old_number"] = "LIC-998"
        assert (
            browser.post(f"{BASE}/apply/step/request/", data)["Location"] == f"{BASE}/apply/step/documents/"
        )
        assert Draft.objects.get().answers["old_number"] == "LIC-998"

    def test_back_saves_what_passed_and_goes_to_the_step_before(self, service, browser):
        begin(browser)
        response = browser.post(
            f"{BASE}/apply/step/request/",
            {**GOOD_REQUEST, "count": "x", "action": "back", "shown": ["count", "colour"]},
        )
        assert response["Location"] == f"{BASE}/apply/step/you/"
        draft = Draft.objects.get()
        assert draft.answers["colour"] == "blue" and "count" not in draft.answers and draft.step == "you"

    def test_save_and_come_back_later_then_resume_from_another_device(self, service, browser, amina):
        begin(browser)
        assert fill_request(browser).status_code == 302
        response = browser.post(
            f"{BASE}/apply/step/documents/", {"action": "save", "shown": ["scan", "photo"]}
        )
        assert response["Location"] == f"{BASE}/start/?notice=saved"
        assert "Your answers are saved" in browser.get(response["Location"]).content.decode()
        phone = signed_in(amina)  # another device: a new session of the same account
        html = phone.get(f"{BASE}/start/").content.decode()
        assert 'data-testid="draft"' in html and "Continue where you left off" in html
        account = phone.get("/en/account/").content.decode()
        assert "Forms you have started" in account and f'href="{BASE}/start/"' in account
        response = phone.post(f"{BASE}/apply/")
        assert response["Location"] == f"{BASE}/apply/step/documents/"
        assert 'value="blue" selected' in phone.get(f"{BASE}/apply/step/request/").content.decode()

    def test_starting_again_deletes_the_answers(self, service, browser):
        first = begin(browser)
        fill_request(browser)
        response = browser.post(f"{BASE}/apply/", {"action": "restart"})
        assert response["Location"] == f"{BASE}/apply/step/you/"
        draft = Draft.objects.get()
        assert draft.pk != first.pk and "colour" not in draft.answers

    def test_another_person_has_no_access_to_the_draft(self, service, browser):
        begin(browser)
        fill_request(browser)
        other = signed_in(citizen(name="Omar", mobile="+201002223334"))
        assert other.get(f"{BASE}/apply/step/request/")["Location"] == f"{BASE}/start/"
        assert other.get(f"{BASE}/apply/review/")["Location"] == f"{BASE}/start/"
        other.post(f"{BASE}/apply/discard/")
        assert Draft.objects.get().answers["colour"] == "blue"

    def test_a_step_posted_without_the_csrf_token_is_refused(self, service, amina):
        guarded = Client(enforce_csrf_checks=True)
        guarded.force_login(amina, backend="bawaba.accounts.backends.NationalIdBackend")
        session = guarded.session
        session[METHODS_KEY] = ["password", "password+sms"]
        session.save()
        begin(signed_in(amina))
        data = {**GOOD_REQUEST, "shown": ["colour"]}
        assert guarded.post(f"{BASE}/apply/step/request/", data).status_code == 403
        assert "colour" not in Draft.objects.get().answers

    def test_an_unknown_step_is_not_found(self, service, browser):
        begin(browser)
        assert browser.get(f"{BASE}/apply/step/payment/").status_code == 404


class TestFiles:
    def upload(self, client, content, name, field="scan", **extra):
        return client.post(
            f"{BASE}/apply/step/documents/",
            {
                field: SimpleUploadedFile(name, content, content_type="application/pdf"),
                "shown": ["scan", "photo"],
                **extra,
            },
        )

    def test_a_pdf_is_uploaded_and_shown_with_a_link_only_its_owner_can_follow(self, service, browser):
        begin(browser)
        response = self.upload(browser, pdf_bytes(), "my scan.pdf", action="save")
        assert response.status_code == 302
        attachment = Attachment.objects.get()
        assert Draft.objects.get().answers["scan"] == str(attachment.uuid)
        html = browser.get(f"{BASE}/apply/step/documents/").content.decode()
        assert "my scan.pdf" in html and f"/en/account/attachments/{attachment.uuid}/" in html
        download = browser.get(f"/en/account/attachments/{attachment.uuid}/")
        assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes()
        assert (
            download["Content-Type"] == "application/pdf" and "attachment;" in download["Content-Disposition"]
        )
        assert download["Cache-Control"] == "private, no-store"
        stranger = signed_in(citizen(name="Omar", mobile="+201002223334"))
        assert stranger.get(f"/en/account/attachments/{attachment.uuid}/").status_code == 404
        assert Client().get(f"/en/account/attachments/{attachment.uuid}/").status_code == 302

    def test_a_png_renamed_pdf_is_refused_and_explained(self, service, browser):
        begin(browser)
        html = self.upload(browser, png_bytes(), "scan.pdf").content.decode()
        assert errors_in(html) == [
            "Scan of the form: The file must be one of these types: PDF. The file you chose is a PNG."
        ]
        assert not Attachment.objects.exists() and "scan" not in Draft.objects.get().answers

    def test_a_file_too_big_is_refused(self, service, browser):
        begin(browser)
        html = self.upload(browser, pdf_bytes(padding=1024 * 1024), "big.pdf").content.decode()
        assert errors_in(html) == ["Scan of the form: The file must be 1 MB or smaller."]
        assert not Attachment.objects.exists()

    def test_a_request_larger_than_the_steps_files_may_be_is_refused_unread(self, service, browser):
        begin(browser)
        response = self.upload(browser, pdf_bytes(padding=5 * 1024 * 1024), "huge.pdf")
        assert response.status_code == 413 and "larger than this page accepts" in response.content.decode()
        assert not Attachment.objects.exists()

    def test_a_type_the_question_does_not_take_is_refused(self, service, browser):
        begin(browser)
        html = self.upload(browser, GIF, "photo.png", field="photo").content.decode()
        assert (
            "Photo: The file must be one of these types: JPEG, PNG. The file you chose is a GIF."
            in errors_in(html)
        )

    def test_a_refused_file_keeps_the_one_uploaded_before(self, service, browser):
        begin(browser)
        self.upload(browser, pdf_bytes(), "good.pdf", action="save")
        good = Attachment.objects.get()
        self.upload(browser, png_bytes(), "bad.pdf")
        assert Draft.objects.get().answers["scan"] == str(good.uuid)

    def test_someone_elses_file_cannot_be_slipped_into_the_answers(self, service, browser):
        other = signed_in(citizen(name="Omar", mobile="+201002223334"))
        begin(other)
        self.upload(other, pdf_bytes(), "omar.pdf", action="save")
        theirs = Attachment.objects.get()
        begin(browser)
        response = browser.post(
            f"{BASE}/apply/step/documents/", {"scan": str(theirs.uuid), "shown": ["scan", "photo"]}
        )
        html = response.content.decode()
        assert errors_in(html) == ["Scan of the form: Choose a file to upload."], (
            "posted text is never a file"
        )
        mine = Draft.objects.get(filed_by__first_name="Amina")
        assert "scan" not in mine.answers
        assert browser.get(f"/en/account/attachments/{theirs.uuid}/").status_code == 404

    def test_an_optional_file_can_be_removed(self, service, browser):
        begin(browser)
        browser.post(
            f"{BASE}/apply/step/documents/",
            {
                "photo": SimpleUploadedFile("p.png", png_bytes()),
                "scan": SimpleUploadedFile("s.pdf", pdf_bytes()),
                "shown": ["scan", "photo"],
            },
        )
        assert "photo" in Draft.objects.get().answers
        browser.post(f"{BASE}/apply/step/documents/", {"photo--remove": "1", "shown": ["scan", "photo"]})
        answers = Draft.objects.get().answers
        assert "photo" not in answers and "scan" in answers


class TestReviewAndSubmit:
    def test_the_review_lists_every_answer_with_a_change_link_per_step(self, service, browser):
        fill_to_review(browser)
        html = browser.get(f"{BASE}/apply/review/").content.decode()
        for words in ("Amina Hassan", "A new one", "Blue", "Wash, Wax", "1 December 2026", "scan.pdf", "No"):
            assert words in html
        for step in ("you", "request", "documents", "declaration"):
            assert f"{BASE}/apply/step/{step}/?return=review" in html
        assert 'data-testid="submit"' in html

    def test_a_change_from_the_review_comes_back_to_it(self, service, browser):
        fill_to_review(browser)
        html = browser.get(f"{BASE}/apply/step/request/?return=review").content.decode()
        assert 'name="return" value="review"' in html
        data = {
            **GOOD_REQUEST,
            "colour": "red",
            "return": "review",
            "shown": list(SAMPLE_FORM["steps"][1]["fields"]),
        }
        assert browser.post(f"{BASE}/apply/step/request/", data)["Location"] == f"{BASE}/apply/review/"

    def test_submitting_files_one_application_and_shows_its_reference(self, service, browser, amina):
        draft = fill_to_review(browser)
        key = review_key(browser)
        response = browser.post(f"{BASE}/apply/review/", {"key": key})
        application = Application.objects.get()
        assert response["Location"] == f"{BASE}/apply/filed/{application.uuid}/"
        assert application.applicant == amina and application.submission_key == key
        assert (
            application.answers["colour"] == "blue" and application.service_version.content_hash == "sample-1"
        )
        scan = Attachment.objects.get()
        assert application.answers["scan"] == str(scan.uuid) and scan.application == application.uuid
        assert scan.agency == "municipality"
        html = browser.get(response["Location"]).content.decode()
        assert application.reference in html and "Application submitted" in html
        draft.refresh_from_db()
        assert draft.submitted and draft.answers == {}

    def test_a_double_click_or_a_retried_post_files_once(self, service, browser):
        fill_to_review(browser)
        key = review_key(browser)
        first = browser.post(f"{BASE}/apply/review/", {"key": key})
        second = browser.post(f"{BASE}/apply/review/", {"key": key})
        assert Application.objects.count() == 1
        assert first["Location"] == second["Location"]

    def test_a_key_not_issued_for_this_draft_files_nothing(self, service, browser):
        fill_to_review(browser)
        review_key(browser)
        response = browser.post(f"{BASE}/apply/review/", {"key": "made-up"})
        assert response.status_code == 409 and "page was out of date" in response.content.decode()
        assert not Application.objects.exists()

    def test_a_service_changed_before_submitting_shows_the_review_again_against_the_new_form(
        self, service, browser
    ):
        fill_to_review(browser)
        key = review_key(browser)
        changed = {**SAMPLE_FORM, "fields": {**SAMPLE_FORM["fields"]}}
        changed["fields"]["colour"] = {
            **SAMPLE_FORM["fields"]["colour"],
            "label": {"ar": "لون السيارة", "en": "Colour of the car"},
        }
        publish(service, changed, "sample-2")
        response = browser.post(f"{BASE}/apply/review/", {"key": key})
        html = response.content.decode()
        assert response.status_code == 409 and 'data-testid="notice-changed"' in html
        assert "Colour of the car" in html and not Application.objects.exists()
        assert Draft.objects.get().version_hash == "sample-2"
        response = browser.post(f"{BASE}/apply/review/", {"key": review_key(browser)})
        assert Application.objects.get().service_version.content_hash == "sample-2"

    def test_a_form_with_answers_missing_cannot_be_submitted_and_says_where(self, service, browser):
        begin(browser)
        html = browser.get(f"{BASE}/apply/review/").content.decode()
        assert 'data-testid="submit"' not in html
        assert (
            f"{BASE}/apply/step/request/?check=1" in html and f"{BASE}/apply/step/documents/?check=1" in html
        )
        key = Draft.objects.get().submission_key
        assert key == "", "no key is issued for a form that cannot be submitted"
        response = browser.post(f"{BASE}/apply/review/", {"key": ""})
        assert response.status_code == 409 and not Application.objects.exists()
        html = browser.get(f"{BASE}/apply/step/request/?check=1").content.decode()
        assert "Kind of request: Choose an answer." in errors_in(html)

    def test_answers_found_invalid_at_submission_send_the_citizen_to_the_first_step_with_a_problem(
        self, service, browser
    ):
        fill_to_review(browser)
        key = review_key(browser)
        draft = Draft.objects.get()
        draft.answers["count"] = 99  # as if the rules tightened under the same version
        draft.save()
        response = browser.post(f"{BASE}/apply/review/", {"key": key})
        assert response["Location"] == f"{BASE}/apply/step/request/?check=1"
        assert not Application.objects.exists()
        assert errors_in(browser.get(response["Location"]).content.decode()) == ["How many: Enter 9 or less."]

    def test_the_confirmation_page_is_only_for_who_filed(self, service, browser):
        fill_to_review(browser)
        response = browser.post(f"{BASE}/apply/review/", {"key": review_key(browser)})
        other = signed_in(citizen(name="Omar", mobile="+201002223334"))
        assert other.get(response["Location"]).status_code == 404

    def test_staff_cannot_read_a_filed_document_through_the_citizen_portal(self, service, browser):
        # Staff read it in the back office, where each reading is recorded; the portal link is the owner's.
        fill_to_review(browser)
        browser.post(f"{BASE}/apply/review/", {"key": review_key(browser)})
        scan = Attachment.objects.get()
        officer = User.objects.create_user("officer-mun", password="Granite-river-2026")
        StaffMembership.objects.create(
            user=officer, role=StaffRole.OFFICER, agency="municipality", granted_by="t"
        )
        assert signed_in(officer).get(f"/en/account/attachments/{scan.uuid}/").status_code == 404


class TestReports:
    def test_a_prefilled_answer_reported_as_wrong_is_recorded(self, service, browser):
        draft = begin(browser)
        url = f"{BASE}/apply/report/full_name/"
        html = browser.get(url).content.decode()
        assert "Amina Hassan" in html and "Your Bawaba account" in html
        assert "Tell us what is wrong." in browser.post(url, {"note": ""}).content.decode()
        response = browser.post(url, {"note": "My name has a third part: Aly."})
        assert response["Location"] == f"{BASE}/apply/step/you/?notice=reported"
        assert "We have recorded your report" in browser.get(response["Location"]).content.decode()
        draft.refresh_from_db()
        assert draft.reports[0]["note"] == "My name has a third part: Aly."
        assert AuditEntry.objects.filter(
            action="forms.prefill.reported-wrong", subject_id=str(draft.uuid)
        ).exists()

    def test_only_prefilled_answers_can_be_reported(self, service, browser):
        begin(browser)
        assert browser.get(f"{BASE}/apply/report/count/").status_code == 404
        assert browser.get(f"{BASE}/apply/report/phone/").status_code == 404  # the citizen's own to change


class TestLanguage:
    def test_the_arabic_pages_use_the_arabic_labels(self, service, amina):
        client = signed_in(amina)
        client.post(f"/ar/services/{CODE}/apply/")
        html = client.get(f"/ar/services/{CODE}/apply/step/request/").content.decode()
        assert "نوع الطلب" in html and "جديد" in html and "Kind of request" not in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
def test_two_submissions_at_the_same_moment_file_one_application(demo_catalogue_live):
    service = Service.objects.get(code=CODE)
    publish(service, SAMPLE_FORM, "sample-1")
    amina = citizen()
    first = signed_in(amina)
    fill_to_review(first)
    key = review_key(first)
    second = signed_in(amina)  # the same account in another tab or a retried request
    start = threading.Barrier(2)
    outcomes = []

    def submit(client):
        start.wait()
        try:
            outcomes.append(client.post(f"{BASE}/apply/review/", {"key": key})["Location"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    application = Application.objects.get()
    assert outcomes == [f"{BASE}/apply/filed/{application.uuid}/"] * 2


class TestOnBehalf:
    def test_a_mandated_person_files_for_the_principal_with_the_principals_details(self, service, amina):
        omar = citizen(name="Omar", mobile="+201002223334")
        delegation = mandate_grant(
            principal=amina, agent_national_id=omar.national_id, services=[], expires_on=date(2030, 1, 1)
        )
        agent = signed_in(omar)
        session = agent.session
        session[ACTING_FOR_KEY] = str(delegation.uuid)
        session.save()
        draft = begin(agent)
        assert draft.applicant == amina and draft.filed_by == omar
        assert draft.answers["full_name"] == "Amina Hassan", "prefilled from the person applied for"
        fill_request(agent)
        agent.post(
            f"{BASE}/apply/step/documents/",
            {"scan": SimpleUploadedFile("scan.pdf", pdf_bytes()), "shown": ["scan", "photo"]},
        )
        agent.post(f"{BASE}/apply/step/declaration/", {"declaration": "on", "shown": ["declaration"]})
        agent.post(f"{BASE}/apply/review/", {"key": review_key(agent)})
        application = Application.objects.get()
        assert application.applicant == amina and application.filed_by == omar
        assert not Draft.objects.filter(filed_by=amina).exists(), "the principal's own drafts are apart"

    def test_a_mandate_for_other_services_does_not_open_the_form(self, service, amina):
        omar = citizen(name="Omar", mobile="+201002223334")
        delegation = mandate_grant(
            principal=amina,
            agent_national_id=omar.national_id,
            services=["traffic.vehicle-licence.renew"],
            expires_on=date(2030, 1, 1),
        )
        agent = signed_in(omar)
        session = agent.session
        session[ACTING_FOR_KEY] = str(delegation.uuid)
        session.save()
        assert agent.post(f"{BASE}/apply/").status_code == 403
        assert not Draft.objects.exists()


def test_an_applicant_found_not_eligible_at_submission_is_told_why(service, browser):
    fill_to_review(browser)
    key = review_key(browser)
    version = Service.objects.get(code=CODE).current_version
    # The rules the version carries say no, as a registry's answer would at the moment of filing.
    version.definition = {
        **version.definition,
        "eligibility": {
            "conditions": [
                {
                    "fact": "age",
                    "op": "gte",
                    "value": 90,
                    "message": {"ar": "للمعمرين فقط.", "en": "Only for people over 90."},
                }
            ]
        },
    }
    version.save()
    response = browser.post(f"{BASE}/apply/review/", {"key": key})
    assert response["Location"] == f"{BASE}/start/" and not Application.objects.exists()
    assert "Only for people over 90." in browser.get(response["Location"]).content.decode()
