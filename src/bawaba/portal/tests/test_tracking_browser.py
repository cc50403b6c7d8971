"""Following applications in a real browser: the citizen's list, an application's page, answering the agency's
question and the withdrawal's confirmation, in Arabic and English; public tracking with JavaScript off."""

import uuid
from datetime import date

import pytest
from django.utils import timezone

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.accounts.national_id import NationalIdRule, make
from bawaba.cases.models import Application
from bawaba.cases.services import application_act, application_submit
from bawaba.catalogue.selectors import service_get
from bawaba.testing.browser import axe_serious, shot
from bawaba.testing.messages import last_code

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]
PASSWORD = "Nile-delta-2026"
MOBILE = "+201055512345"
NATIONAL_ID = make(birth_date=date(1990, 6, 14), region="01", serial=217, sex="female", rule=NationalIdRule())
COMPLAINT = {
    "category": "street-lighting",
    "governorate": "giza",
    "district": "Dokki",
    "street": "Nile Street",
    "landmark": "Opposite the mosque",
    "details": "The street light on Nile Street has been out for a week.",
    "declaration": True,
}
APPEAL = {
    "appellant_name": "Amina Mahmoud Ali",
    "appellant_national_id": NATIONAL_ID,
    "violation_number": "2026004512",
    "violation_date": "2026-04-20",
    "plate_number": "س ط 482",
    "grounds": "plate-misread",
    "details": "The camera photo shows a different car: the plate is read as mine by mistake.",
    "mobile": MOBILE,
    "declaration": True,
}


def citizen() -> User:
    return User.objects.create_user(
        f"citizen-{NATIONAL_ID}",
        password=PASSWORD,
        national_id=NATIONAL_ID,
        first_name="Amina",
        last_name="Mahmoud",
        birth_date=date(1990, 6, 14),
        mobile=MOBILE,
        mobile_verified_at=timezone.now(),
    )


def officer(agency: str) -> User:
    user = User.objects.create_user(f"officer-{agency}", first_name="Officer")
    StaffMembership.objects.create(user=user, role=StaffRole.OFFICER, agency=agency, granted_by="test")
    return user


def submit(applicant: User, code: str, answers: dict) -> Application:
    service = service_get(code=code)
    return application_submit(
        service=service,
        version=service.current_version,
        applicant=applicant,
        filed_by=applicant,
        answers=answers,
        submission_key=uuid.uuid4().hex,
    )


def move(application: Application, user: User, action: str, **inputs) -> Application:
    application.refresh_from_db()
    return application_act(
        application_uuid=application.uuid,
        revision=application.revision,
        action=action,
        user=user,
        inputs=inputs,
    )


def look(page, name: str, failures: dict) -> None:
    serious = axe_serious(page)
    shot(page, name)
    if serious:
        failures[name] = serious


def sign_in(page, base: str, lang: str) -> None:
    page.goto(f"{base}/{lang}/account/sign-in/?next=/{lang}/account/applications/")
    page.fill("#id_national_id", NATIONAL_ID)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/account/sign-in/code/")
    page.fill("#id_code", last_code(MOBILE))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/account/applications/")


def test_a_citizen_follows_their_applications_and_answers_the_agency(browser, live_server):
    amina = citizen()
    clerk = officer("municipality")
    complaint = submit(amina, "municipality.complaint.submit", COMPLAINT)
    for action in ("receive", "start-review"):
        move(complaint, clerk, action)
    move(complaint, clerk, "request-information", message="Which end of Nile Street is the light at?")
    appeal = submit(amina, "traffic.violation.appeal", APPEAL)
    traffic_officer = officer("traffic")
    move(appeal, traffic_officer, "receive")
    certificate = submit(amina, "civil.birth.certificate", {"details": "For school.", "declaration": True})
    failures: dict = {}

    for lang in ("ar", "en"):
        context = browser.new_context(bypass_csp=True, locale="ar-EG" if lang == "ar" else "en-GB")
        page = context.new_page()
        sign_in(page, live_server.url, lang)
        rows = page.locator("main tbody tr")
        assert rows.count() == 3
        assert certificate.reference in rows.nth(0).inner_text()  # newest first
        assert ("مطلوب معلومات إضافية" if lang == "ar" else "More information requested") in page.content()
        look(page, f"applications-list-{lang}", failures)

        page.get_by_role(
            "link", name=("تقديم شكوى أو بلاغ" if lang == "ar" else "Submit a complaint or report")
        ).click()
        page.wait_for_url(f"**/{lang}/account/applications/{complaint.uuid}/")
        assert "Which end of Nile Street is the light at?" in page.content()
        look(page, f"application-detail-{lang}", failures)

        page.goto(f"{live_server.url}/{lang}/account/applications/{appeal.uuid}/withdraw/")
        look(page, f"application-withdraw-confirm-{lang}", failures)
        # The agency moves the appeal on while the confirmation is open: withdrawing is then a conflict.
        if lang == "ar":
            move(appeal, traffic_officer, "start-review")
        else:
            move(appeal, traffic_officer, "request-information", message="Please upload the camera photo.")
        page.locator("main form button[type=submit]").first.click()
        assert page.locator("#error-summary").is_visible()
        appeal.refresh_from_db()
        assert appeal.state != "withdrawn"
        look(page, f"application-conflict-{lang}", failures)
        page.goto(f"{live_server.url}/{lang}/account/applications/{certificate.uuid}/")
        look(page, f"application-awaiting-payment-{lang}", failures)
        context.close()

    # Answering the agency's question, in English, from the application's page.
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server.url, "en")
    page.goto(f"{live_server.url}/en/account/applications/{complaint.uuid}/")
    page.get_by_role("button", name="Send the answer").click()  # empty: refused with the reason
    page.wait_for_url(f"**/applications/{complaint.uuid}/answer/")
    assert page.locator("#error-summary").is_visible()
    look(page, "application-answer-empty-en", failures)
    page.fill("#id_answer", "At the end near the El-Salam mosque, by the bus stop.")
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_url(f"**/en/account/applications/{complaint.uuid}/")
    assert page.get_by_role("status").filter(has_text="Your answer was sent to the agency.").is_visible()
    assert "At the end near the El-Salam mosque" in page.locator("#messages-title ~ ul").inner_text()
    look(page, "application-answered-en", failures)
    complaint.refresh_from_db()
    assert complaint.state == "resubmitted"
    context.close()
    assert failures == {}


def test_public_tracking_works_without_javascript(browser, live_server):
    amina = citizen()
    application = submit(amina, "municipality.complaint.submit", COMPLAINT)
    move(application, officer("municipality"), "receive")
    failures: dict = {}
    for lang in ("ar", "en"):
        context = browser.new_context(java_script_enabled=False, locale="ar-EG" if lang == "ar" else "en-GB")
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/help/")
        page.locator("main a[href$='/track/']").first.click()
        page.wait_for_url(f"**/{lang}/track/")
        page.fill("#id_reference", application.reference.lower())
        page.fill("#id_last_four", "0000")
        page.locator("main form button[type=submit]").click()
        assert page.get_by_role("alert").first.is_visible()
        shot(page, f"track-not-found-{lang}")
        page.fill("#id_reference", application.reference)
        page.fill("#id_last_four", NATIONAL_ID[-4:])
        page.locator("main form button[type=submit]").click()
        result = page.locator("section[aria-labelledby=result-title]")
        assert ("استلمته الجهة" if lang == "ar" else "Received by the agency") in result.inner_text()
        assert "Nile Street" not in page.content() and "Amina" not in page.content()
        shot(page, f"track-found-{lang}")
        context.close()
        # The same page, checked by axe-core (which needs JavaScript to run).
        checked = browser.new_context(bypass_csp=True, locale="ar-EG" if lang == "ar" else "en-GB")
        check = checked.new_page()
        check.goto(f"{live_server.url}/{lang}/track/")
        check.fill("#id_reference", application.reference)
        check.fill("#id_last_four", NATIONAL_ID[-4:])
        check.locator("main form button[type=submit]").click()
        check.wait_for_load_state()
        look(check, f"track-found-axe-{lang}", failures)
        checked.close()
    assert failures == {}
