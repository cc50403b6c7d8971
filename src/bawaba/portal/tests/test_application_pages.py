"""The citizen's application pages and public tracking, through the real views: scoping and 404s, answering and
withdrawing, a conflict explained, tracking that tells nothing more than the state and is rate-limited."""

import re
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bawaba.accounts.delegation import ACTING_FOR_KEY, mandate_grant
from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.audit.models import AuditEntry
from bawaba.cases.models import Application
from bawaba.cases.services import application_act, application_submit
from bawaba.catalogue.selectors import service_get
from bawaba.portal.application_views import PAGE_SIZE, TRACK_ADDRESS_LIMIT, TRACK_REFERENCE_LIMIT
from bawaba.testing.clients import signed_in

pytestmark = pytest.mark.django_db

COMPLAINT = {
    "category": "street-lighting",
    "governorate": "giza",
    "district": "Dokki",
    "street": "Nile Street",
    "details": "The street light on Nile Street has been out for a week.",
    "photo": "not-an-uploaded-file",
    "declaration": True,
}


def citizen(name="Amina", national_id="29103090104240", born=date(1991, 3, 9)) -> User:
    return User.objects.create_user(
        f"citizen-{national_id}", national_id=national_id, birth_date=born, first_name=name
    )


def officer() -> User:
    user = User.objects.create_user("officer-m")
    StaffMembership.objects.create(
        user=user, role=StaffRole.OFFICER, agency="municipality", granted_by="test"
    )
    return user


def submit(applicant, *, code="municipality.complaint.submit", answers=None, filed_by=None) -> Application:
    service = service_get(code=code)
    return application_submit(
        service=service,
        version=service.current_version,
        applicant=applicant,
        filed_by=filed_by or applicant,
        answers=COMPLAINT if answers is None else answers,
        submission_key=uuid.uuid4().hex,
    )


def move(application: Application, user: User, *actions: str, **inputs) -> Application:
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


def asked(application: Application) -> Application:
    return move(
        move(application, officer(), "receive", "start-review"),
        User.objects.get(username="officer-m"),
        "request-information",
        message="Which end of the street is it?",
    )


def detail_url(application, lang="en") -> str:
    return f"/{lang}/account/applications/{application.uuid}/"


# ------------------------------------------------------------------------------------------------ the list


def test_the_list_shows_each_application_with_its_state_meaning_next_step_and_time_left():
    amina = citizen()
    waiting = asked(submit(amina))
    fresh = submit(amina)
    html = signed_in(amina).get("/en/account/applications/").content.decode()
    assert html.index(fresh.reference) < html.index(waiting.reference)  # newest first
    assert "Submit a complaint or report" in html
    assert "More information requested" in html and "answer from the application" in html
    assert "Answer the agency&#x27;s question" in html
    assert "Paused while we wait for you" in html
    assert re.search(r"\d+ working days? left", html)
    arabic = signed_in(amina).get("/ar/account/applications/").content.decode()
    assert "مطلوب معلومات إضافية" in arabic and "تقديم شكوى أو بلاغ" in arabic


def test_the_list_shows_nobody_elses_applications_and_asks_to_sign_in():
    amina, omar = citizen(), citizen("Omar", "28807012103140", date(1988, 7, 1))
    theirs = submit(omar)
    assert theirs.reference not in signed_in(amina).get("/en/account/applications/").content.decode()
    response = Client().get("/en/account/applications/")
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_the_list_reads_the_same_few_queries_however_many_rows_it_shows(django_assert_num_queries):
    """What each row shows is loaded with the page (a field left out of the list's query would be read row by
    row): the count of queries does not grow with the rows."""
    amina = citizen()
    asked(submit(amina))
    client = signed_in(amina)
    client.get("/en/account/applications/")  # the session and the caches warmed once
    with CaptureQueriesContext(connection) as one_row:
        assert client.get("/en/account/applications/").status_code == 200
    for _ in range(5):
        submit(amina)
    with django_assert_num_queries(len(one_row.captured_queries)):
        html = client.get("/en/account/applications/").content.decode()
    assert html.count("Submit a complaint or report") == 6


def test_the_list_is_paged():
    amina = citizen()
    for _ in range(PAGE_SIZE + 1):
        submit(amina)
    client = signed_in(amina)
    first = client.get("/en/account/applications/").content.decode()
    second = client.get("/en/account/applications/?page=2").content.decode()
    assert first.count("/account/applications/") - second.count("/account/applications/") == PAGE_SIZE - 1
    assert "Page 2 of 2" in second


def test_acting_for_someone_lists_their_applications_and_opening_one_is_recorded_for_them():
    amina, omar = citizen(), citizen("Omar", "28807012103140", date(1988, 7, 1))
    hers, his = submit(amina), submit(omar)
    mandate = mandate_grant(
        principal=amina, agent_national_id=omar.national_id, services=[], expires_on=date(2030, 1, 1)
    )
    client = signed_in(omar)
    session = client.session
    session[ACTING_FOR_KEY] = str(mandate.uuid)
    session.save()
    listing = client.get("/en/account/applications/").content.decode()
    assert hers.reference in listing and his.reference not in listing and "Applications of" in listing
    assert client.get(detail_url(hers)).status_code == 200
    entry = AuditEntry.objects.get(action="cases.application.opened")
    assert entry.actor == f"user:{omar.uuid}" and entry.on_behalf_of == f"user:{amina.uuid}"


# ------------------------------------------------------------------------------------------------ one application


def test_the_page_shows_status_history_messages_answers_and_fees():
    amina = citizen()
    application = asked(submit(amina))
    html = signed_in(amina).get(detail_url(application)).content.decode()
    assert application.reference in html and "More information requested" in html
    for step in ("Submitted", "Received by the agency", "In review"):
        assert step in html
    assert "Which end of the street is it?" in html and "The agency" in html
    assert "Africa/Cairo" in html
    local = timezone.localtime(application.timeline.last().at)
    assert f'datetime="{local.isoformat()}"' in html
    # The answers as filed, under the form's steps and labels, choices in words.
    assert "Where it is" in html and "Street light not working" in html and "Nile Street" in html
    assert "A file was uploaded" in html  # the photo reference does not name a file this person may read
    assert "No fees" in html
    arabic = signed_in(amina).get(detail_url(application, "ar")).content.decode()
    assert "تعطل إنارة الشارع" in arabic and "مكان المشكلة" in arabic


def test_fees_due_are_shown_with_the_step_to_pay():
    amina = citizen()
    application = submit(
        amina, code="civil.birth.certificate", answers={"details": "For school.", "declaration": True}
    )
    html = signed_in(amina).get(detail_url(application)).content.decode()
    assert "EGP 25" in html and "Pay the fee" in html and "due" in html


def test_someone_elses_application_and_a_guessed_uuid_are_404():
    amina, omar = citizen(), citizen("Omar", "28807012103140", date(1988, 7, 1))
    application = submit(amina)
    client = signed_in(omar)
    assert client.get(detail_url(application)).status_code == 404
    assert client.get(f"/en/account/applications/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/en/account/applications/{application.uuid}/withdraw/").status_code == 404
    response = client.post(f"/en/account/applications/{application.uuid}/withdraw/", {"revision": "1"})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.state == "submitted"
    # An officer of the agency does not reach it through the citizen pages either.
    assert signed_in(officer()).get(detail_url(application)).status_code == 404


def test_the_citizen_answers_a_request_for_more_information_through_the_page():
    amina = citizen()
    application = asked(submit(amina))
    client = signed_in(amina)
    html = client.get(detail_url(application)).content.decode()
    assert 'name="answer"' in html and f'value="{application.revision}"' in html
    url = f"/en/account/applications/{application.uuid}/answer/"
    response = client.post(url, {"revision": application.revision, "answer": "The end near the mosque."})
    assert response.status_code == 302 and response["Location"] == detail_url(application)
    application.refresh_from_db()
    assert application.state == "resubmitted"
    assert application.timeline.last().text == "The end near the mosque."
    page = client.get(detail_url(application)).content.decode()
    assert "Your answer was sent to the agency." in page and "The end near the mosque." in page
    assert "You" in page


def test_an_empty_answer_is_named_and_nothing_moves():
    amina = citizen()
    application = asked(submit(amina))
    url = f"/en/account/applications/{application.uuid}/answer/"
    response = signed_in(amina).post(url, {"revision": application.revision, "answer": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html and "Write this before you send it." in html
    assert "Which end of the street is it?" in html  # the question stays in sight
    application.refresh_from_db()
    assert application.state == "more-information-requested"


def test_an_answer_to_a_page_that_changed_meanwhile_is_a_clear_conflict_and_the_text_is_kept():
    amina = citizen()
    application = asked(submit(amina))
    stale = application.revision
    # The citizen withdraws from another tab; the first tab still sends its answer.
    client = signed_in(amina)
    client.post(f"/en/account/applications/{application.uuid}/withdraw/", {"revision": stale})
    response = client.post(
        f"/en/account/applications/{application.uuid}/answer/",
        {"revision": stale, "answer": "Near the mosque."},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "The application changed while you had the page open." in html and "Withdrawn" in html
    application.refresh_from_db()
    assert application.state == "withdrawn" and application.timeline.filter(action="answer").count() == 0


def test_a_stale_revision_while_the_move_is_still_possible_keeps_what_was_written():
    amina = citizen()
    application = asked(submit(amina))
    url = f"/en/account/applications/{application.uuid}/answer/"
    response = signed_in(amina).post(
        url, {"revision": application.revision - 1, "answer": "Near the mosque."}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "The application changed" in html and "Near the mosque." in html
    arabic = signed_in(amina).post(
        url.replace("/en/", "/ar/"), {"revision": application.revision - 1, "answer": "x"}
    )
    assert arabic.status_code == 409


def test_withdrawing_asks_for_confirmation_first():
    amina = citizen()
    application = submit(amina)
    client = signed_in(amina)
    assert "Withdraw the application" in client.get(detail_url(application)).content.decode()
    confirm = client.get(f"/en/account/applications/{application.uuid}/withdraw/")
    assert confirm.status_code == 200 and "Are you sure you want to withdraw" in confirm.content.decode()
    application.refresh_from_db()
    assert application.state == "submitted"
    response = client.post(f"/en/account/applications/{application.uuid}/withdraw/", {"revision": 1})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "withdrawn"
    page = client.get(detail_url(application)).content.decode()
    assert "Your application was withdrawn." in page and "Withdraw the application" not in page


def test_a_move_the_application_does_not_offer_is_refused_in_words():
    amina = citizen()
    application = submit(amina)
    client = signed_in(amina)
    refused = client.get(f"/en/account/applications/{application.uuid}/approve/")
    assert refused.status_code == 409 and "cannot be done" in refused.content.decode()
    posted = client.post(f"/en/account/applications/{application.uuid}/approve/", {"revision": 1})
    assert posted.status_code == 409
    application.refresh_from_db()
    assert application.state == "submitted" and application.revision == 1


def test_the_account_page_and_the_header_lead_to_the_list():
    html = signed_in(citizen()).get("/en/account/").content.decode()
    assert html.count('href="/en/account/applications/"') >= 2


# ------------------------------------------------------------------------------------------------ public tracking


def track(client: Client, reference: str, digits: str, *, address="203.0.113.7", lang="en"):
    return client.post(f"/{lang}/track/", {"reference": reference, "last_four": digits}, REMOTE_ADDR=address)


def without_token(response, typed: str = "") -> str:
    """The page without its CSRF token, and with what the visitor typed as the reference taken out."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return html.replace(typed, "(typed)") if typed else html


def test_tracking_shows_the_service_the_state_and_the_date_and_nothing_else():
    amina = citizen()
    application = submit(amina)
    response = track(Client(), application.reference.lower(), "٤٢٤٠")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Submit a complaint or report" in html and "Submitted" in html and "Last updated on" in html
    for secret in ("Nile Street", "Amina", amina.national_id, "street light", "Dokki"):
        assert secret not in html
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    arabic = track(Client(), application.reference, "4240", lang="ar").content.decode()
    assert "مُقدَّم" in arabic and "تقديم شكوى أو بلاغ" in arabic


def test_a_wrong_reference_and_wrong_digits_get_the_very_same_answer():
    application = submit(citizen())
    wrong_digits = track(Client(), application.reference, "0000", address="198.51.100.1")
    no_such = track(Client(), "BWB-2001-999999", "4240", address="198.51.100.2")
    assert wrong_digits.status_code == no_such.status_code == 200
    assert without_token(wrong_digits, application.reference) == without_token(no_such, "BWB-2001-999999")
    assert "We found no application with this reference and these digits." in no_such.content.decode()
    assert 'value="0000"' not in wrong_digits.content.decode()  # the ID digits are not written back


def test_badly_typed_input_is_named_on_its_field():
    response = track(Client(), "12345", "12")
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "for example BWB-2026-000123" in html and "last four digits" in html


def test_tracking_is_rate_limited_per_address():
    application = submit(citizen())
    client = Client()
    for _ in range(TRACK_ADDRESS_LIMIT.attempts):
        assert track(client, "BWB-2001-999999", "0000").status_code == 200
    limited = track(client, application.reference, "4240")
    assert limited.status_code == 429 and "Too many attempts from this connection" in limited.content.decode()
    assert "Submitted" not in limited.content.decode()
    # Another address is not held back by this one.
    assert (
        "Last updated on"
        in track(client, application.reference, "4240", address="192.0.2.9").content.decode()
    )


def test_one_reference_cannot_be_guessed_at_from_many_addresses():
    application = submit(citizen())
    client = Client()
    for n in range(TRACK_REFERENCE_LIMIT.attempts):
        track(client, application.reference, f"{n:04d}", address=f"198.51.100.{n % 250}")
    limited = track(client, application.reference, "4240", address="192.0.2.77")
    assert limited.status_code == 429 and "looked up too many times" in limited.content.decode()
    assert "Last updated on" not in limited.content.decode()


def test_the_help_page_and_the_footer_link_to_tracking():
    help_page = Client().get("/en/help/").content.decode()
    assert help_page.count('href="/en/track/"') >= 3  # at the top, in the answer, in the footer
    assert Client().get("/en/track/").status_code == 200
