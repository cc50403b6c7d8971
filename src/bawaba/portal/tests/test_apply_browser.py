"""Filing a complaint in a real browser: signed in with an SMS code, leaving after the first step, resuming on
another device, uploading a photo, submitting and seeing the reference. Every page is checked with axe-core."""

import re
from datetime import date

import pytest
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.accounts.national_id import NationalIdRule, make
from bawaba.cases.models import Application
from bawaba.forms.models import Attachment, Draft
from bawaba.testing.browser import axe_serious, shot
from bawaba.testing.eforms import png_bytes
from bawaba.testing.messages import last_code

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]
CODE = "municipality.complaint.submit"
NATIONAL_ID = make(birth_date=date(1987, 3, 14), region="01", serial=271, sex="female", rule=NationalIdRule())
PASSWORD = "Nile-lantern-1987"
MOBILE = "+201001230987"


def citizen() -> User:
    return User.objects.create_user(
        f"citizen-{NATIONAL_ID}",
        password=PASSWORD,
        national_id=NATIONAL_ID,
        first_name="Mona",
        last_name="Saleh",
        birth_date=date(1987, 3, 14),
        mobile=MOBILE,
        mobile_verified_at=timezone.now(),
    )


def new_device(browser, lang: str):
    context = browser.new_context(
        bypass_csp=True,  # axe is injected as a script
        locale="ar-EG" if lang == "ar" else "en-GB",
        viewport={"width": 1280, "height": 900},
    )
    return context, context.new_page()


def sign_in(page, base: str, lang: str) -> None:
    """Password, then the SMS code: a session at the "substantial" level."""
    page.goto(f"{base}/{lang}/account/sign-in/?next=/{lang}/services/{CODE}/start/")
    page.fill("#id_national_id", NATIONAL_ID)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/account/sign-in/code/")
    page.fill("#id_code", last_code(MOBILE))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/services/{CODE}/start/")


def checked(page, name: str) -> None:
    """A screenshot to look at, and no serious accessibility problem on the page."""
    shot(page, name)
    assert axe_serious(page) == [], name


def next_step(page, lang: str) -> None:
    page.get_by_test_id("next").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_citizen_files_a_complaint_with_a_photo_leaving_and_resuming_on_another_device(
    browser, live_server, lang, tmp_path
):
    citizen()
    base = live_server.url
    photo = tmp_path / "street-light.png"
    photo.write_bytes(png_bytes(40, 30))

    # The first device: start, meet a problem, answer the first step, then leave.
    context, page = new_device(browser, lang)
    sign_in(page, base, lang)
    assert page.locator("html").get_attribute("lang") == lang
    checked(page, f"apply-start-{lang}")
    # The page's own words are looked up by test id: their Arabic comes with the next translation merge.
    page.get_by_test_id("start-form").click()
    page.wait_for_url(f"**/{lang}/services/{CODE}/apply/step/what/")
    checked(page, f"apply-step1-{lang}")
    next_step(page, lang)
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert ("اختر نوع المشكلة." if lang == "ar" else "Choose the kind of problem.") in summary.inner_text()
    checked(page, f"apply-step1-errors-{lang}")
    # "Something else" brings up one more question on the same page: shown when the page is sent, no script.
    page.select_option("#q-category", "other")
    next_step(page, lang)
    assert page.url.endswith("/apply/step/what/")
    assert page.locator("#q-category_other").is_visible()
    assert page.locator("#error-summary").count() == 0
    checked(page, f"apply-step1-more-{lang}")
    page.fill("#q-category_other", "Broken bench" if lang == "en" else "مقعد مكسور في الحديقة")
    next_step(page, lang)
    page.wait_for_url(f"**/{lang}/services/{CODE}/apply/step/where/")
    assert re.search(r"2\D+4", page.get_by_test_id("progress").inner_text()), "step 2 of 4"
    checked(page, f"apply-step2-{lang}")
    context.close()

    # Another device: the draft is on the server, under the account.
    context, page = new_device(browser, lang)
    sign_in(page, base, lang)
    assert page.get_by_test_id("draft").is_visible()
    checked(page, f"apply-resume-{lang}")
    page.get_by_test_id("resume").click()
    page.wait_for_url(f"**/{lang}/services/{CODE}/apply/step/where/")
    page.select_option("#q-governorate", "giza")
    page.fill("#q-district", "الدقي" if lang == "ar" else "Dokki")
    page.fill("#q-street", "شارع التحرير" if lang == "ar" else "Tahrir Street")
    next_step(page, lang)
    page.wait_for_url(f"**/{lang}/services/{CODE}/apply/step/description/")
    assert page.locator("#q-mobile").input_value() == MOBILE, "prefilled from the account"
    page.fill(
        "#q-details",
        "عمود الإنارة أمام المنزل رقم 12 مطفأ منذ أسبوع."
        if lang == "ar"
        else "The street light outside number 12 has been out for a week.",
    )
    page.set_input_files("#q-photo", str(photo))
    checked(page, f"apply-step3-{lang}")
    next_step(page, lang)
    page.wait_for_url(f"**/{lang}/services/{CODE}/apply/step/declaration/")
    checked(page, f"apply-step4-{lang}")
    page.check("#q-declaration")
    next_step(page, lang)
    page.wait_for_url(f"**/{lang}/services/{CODE}/apply/review/")
    review = page.locator("main").inner_text()
    assert "street-light.png" in review and ("الجيزة" if lang == "ar" else "Giza") in review
    checked(page, f"apply-review-{lang}")

    # Submitting twice in a row (a double click) files one application.
    page.get_by_test_id("submit").dblclick()
    page.wait_for_url(re.compile(rf".*/{lang}/services/{re.escape(CODE)}/apply/filed/[0-9a-f-]+/$"))
    application = Application.objects.get()
    assert page.get_by_test_id("reference").inner_text() == application.reference
    checked(page, f"apply-filed-{lang}")
    assert application.answers["governorate"] == "giza" and application.answers["category"] == "other"
    photo_file = Attachment.objects.get()
    assert application.answers["photo"] == str(photo_file.uuid) and photo_file.application == application.uuid
    assert photo_file.content_type == "image/png"
    assert Draft.objects.get().submitted
    context.close()


def publish_sample_form() -> None:
    """The complaint service with the sample form, which uses every widget and an authoritative prefill."""
    from bawaba.catalogue.models import Service, ServiceVersion
    from bawaba.testing.eforms import SAMPLE_FORM

    service = Service.objects.get(code=CODE)
    current = service.current_version
    service.current_version = ServiceVersion.objects.create(
        service=service,
        number=current.number + 1,
        definition={**current.definition, "form_definition": SAMPLE_FORM},
        content_hash="sample-browser",
        published_by="test",
    )
    service.save(update_fields=["current_version"])


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_widget_its_errors_a_prefilled_answer_and_its_report_page_are_accessible(
    browser, live_server, lang
):
    citizen()
    publish_sample_form()
    base = live_server.url
    context, page = new_device(browser, lang)
    sign_in(page, base, lang)
    page.get_by_test_id("start-form").click()
    page.wait_for_url(f"**/{lang}/services/{CODE}/apply/step/you/")
    assert page.get_by_test_id("prefilled-full_name").is_visible()
    checked(page, f"apply-sample-prefilled-{lang}")
    page.get_by_test_id("prefilled-full_name").get_by_role("link").click()
    page.wait_for_url("**/apply/report/full_name/")
    page.locator("main form button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    checked(page, f"apply-sample-report-error-{lang}")
    page.fill("#id_note", "الاسم ينقصه اسم الجد." if lang == "ar" else "My grandfather's name is missing.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/apply/step/you/?notice=reported")
    checked(page, f"apply-sample-reported-{lang}")
    next_step(page, lang)
    page.wait_for_url("**/apply/step/request/")
    checked(page, f"apply-sample-widgets-{lang}")
    page.fill("#q-count", "many")
    page.fill("#q-email", "not an address")
    next_step(page, lang)
    assert page.locator("#error-summary").is_visible()
    checked(page, f"apply-sample-widgets-errors-{lang}")
    page.locator("#error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "q-kind-0", "the summary leads to the question"
    page.check("#q-kind-1")  # a renewal: one more question shows once the page is sent
    next_step(page, lang)
    assert page.locator("#q-old_number").is_visible()
    checked(page, f"apply-sample-more-{lang}")
    page.goto(f"{base}/{lang}/services/{CODE}/apply/step/documents/")
    page.set_input_files(
        "#q-scan", {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": png_bytes()}
    )
    next_step(page, lang)
    assert page.locator("#q-scan-error-1").is_visible(), "a picture named .pdf is refused"
    checked(page, f"apply-sample-file-error-{lang}")
    page.goto(f"{base}/{lang}/services/{CODE}/apply/review/")
    checked(page, f"apply-sample-review-incomplete-{lang}")
    context.close()


def test_the_page_that_says_why_a_citizen_cannot_apply_is_accessible(browser, live_server):
    User.objects.create_user(
        "young",
        password=PASSWORD,
        national_id=make(
            birth_date=date(2011, 2, 3), region="01", serial=12, sex="male", rule=NationalIdRule()
        ),
        birth_date=date(2011, 2, 3),
        mobile="+201009990001",
        mobile_verified_at=timezone.now(),
    )
    for lang in ("ar", "en"):
        context, page = new_device(browser, lang)
        page.goto(f"{live_server.url}/{lang}/account/sign-in/")
        page.fill("#id_national_id", User.objects.get(username="young").national_id)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url("**/account/sign-in/code/")
        page.fill("#id_code", last_code("+201009990001"))
        page.locator("main form button[type=submit]").first.click()
        page.goto(f"{live_server.url}/{lang}/services/civil.birth.certificate/start/")
        assert page.get_by_test_id("not-eligible").is_visible()
        checked(page, f"apply-not-eligible-{lang}")
        context.close()
