"""A business licence from the search box to the approval, in a real browser, through the pages people use.

The citizen finds the service, signs in with the national digital ID (the service needs a high level), fills
the form with the lease and the sketch of rented premises, stops after a step and goes on from another device,
submits; a commerce officer claims it, confirms receipt, reviews it and asks a question; the citizen answers on
the application's page; the officer approves and, the service having four eyes, the supervisor confirms. The
citizen sees every step on the application's timeline, in Arabic. Each distinct page is checked with axe-core.
"""

import re

import pytest
from django.utils import timezone

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.cases.models import Application
from bawaba.forms.models import Attachment
from bawaba.testing.browser import axe_serious, shot, staff_sign_in
from bawaba.testing.eforms import pdf_bytes, png_bytes

from .idp_process import identity_provider, provider_settings

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]

CODE = "commerce.business-licence.issue"
SERVICE = "إصدار رخصة تجارية"
AMINA = "29103090104240"  # known to the demo identity provider, PIN 1991
QUEUE = "/ar/staff/agencies/commerce/applications/"
QUESTION = "نرجو إرفاق صورة من البطاقة الضريبية سارية المفعول، فالصورة المسجلة لدينا منتهية."
ANSWER = "جددت البطاقة الضريبية الأسبوع الماضي، ورقمها 123-456-789."
STAFF_PASSWORD = "Papyrus-reed-2026"


class Visits:
    """Screenshots of the main moments, and axe-core once on each distinct page."""

    def __init__(self):
        self.checked: set[str] = set()
        self.failures: dict[str, list[str]] = {}

    def look(self, page, name: str, *, kind: str | None = None) -> None:
        shot(page, f"journey-{name}")
        kind = kind or name
        if kind in self.checked:
            return
        self.checked.add(kind)
        if serious := axe_serious(page):
            self.failures[name] = serious


def staff(username: str, role: str, mobile: str) -> User:
    """A member of the ministry's staff with a confirmed phone, as an agency admin would have added them."""
    user = User.objects.create_user(
        username,
        password=STAFF_PASSWORD,
        first_name=username.split(".")[0].title(),
        mobile=mobile,
        mobile_verified_at=timezone.now(),
    )
    StaffMembership.objects.create(user=user, role=role, agency="commerce", granted_by="test")
    return user


def device(browser):
    context = browser.new_context(
        bypass_csp=True,  # axe is injected as a script
        locale="ar-EG",
        viewport={"width": 1280, "height": 900},
    )
    return context, context.new_page()


def with_national_id(page, issuer: str) -> None:
    """From the sign-in page: the national digital ID's own page, the ID number and the PIN, and back."""
    assert "/ar/account/sign-in/" in page.url
    page.get_by_role("link", name="الهوية الرقمية الوطنية").click()
    page.wait_for_url(f"{issuer}/**")
    page.fill("#national_id", AMINA)
    page.fill("#pin", "1991")
    page.get_by_role("button", name="تأكيد الهوية Confirm").click()
    # Back at the portal, past the high-level step-up, on the service's start page.
    page.wait_for_url(f"**/ar/services/{CODE}/start/")


def next_step(page, step: str) -> None:
    page.get_by_test_id("next").click()
    page.wait_for_url(f"**/ar/services/{CODE}/apply/{step}")


def state_is(page, state: str) -> None:
    page.wait_for_selector(f"#state[data-state='{state}']")


def act(page, action: str, state: str, **fields: str) -> None:
    """A move on the back-office page: its own form, its own button."""
    for name, value in fields.items():
        page.fill(f"#id_{action}-{name}", value)
    page.locator(f"#act-{action} form[method=post] button[type=submit]").click()
    state_is(page, state)
    assert page.locator("[role=status]").first.is_visible()


def timeline(page) -> list[str]:
    return [
        text.strip()
        for text in page.locator("section[aria-labelledby=timeline-title] li > p.font-bold").all_inner_texts()
    ]


def test_a_business_licence_from_the_search_box_to_the_second_approval(
    browser, live_server, settings, tmp_path
):
    base = live_server.url
    officer = staff("karim.officer", StaffRole.OFFICER, "+201000007101")
    supervisor = staff("hoda.supervisor", StaffRole.SUPERVISOR, "+201000007102")
    sketch = tmp_path / "كروكي-المحل.png"
    sketch.write_bytes(png_bytes(64, 48))
    lease = tmp_path / "lease-2026.pdf"
    lease.write_bytes(pdf_bytes(2000))
    visits = Visits()
    callbacks = [f"{base}/{lang}/account/oidc/national-id/callback/" for lang in ("ar", "en")]

    with identity_provider(redirect_uris=callbacks) as issuer:
        settings.BAWABA_OIDC_PROVIDERS = provider_settings(issuer)

        # The first device: from the home page's search box to the service, signed in at the level it needs.
        context, page = device(browser)
        page.goto(f"{base}/ar/")
        page.get_by_label("ماذا تحتاج؟").fill("رخصة تجارية")
        page.get_by_role("button", name="بحث").click()
        page.wait_for_url(re.compile(r".*/ar/search/\?q=.+"))
        visits.look(page, "search")
        page.get_by_role("link", name=SERVICE, exact=True).first.click()
        page.wait_for_url(f"**/ar/services/{CODE}/")
        assert page.get_by_role("heading", level=1).inner_text() == SERVICE
        visits.look(page, "service")
        page.get_by_test_id("start").click()
        page.wait_for_url(re.compile(r".*/ar/account/sign-in/\?next=.+"))
        visits.look(page, "sign-in")
        with_national_id(page, issuer)
        visits.look(page, "start")

        page.get_by_test_id("start-form").click()
        page.wait_for_url(f"**/ar/services/{CODE}/apply/step/owner/")
        assert page.locator("#q-owner_name").input_value() == "آمنة محمود علي", "prefilled from the ID"
        assert AMINA in page.get_by_test_id("prefilled-owner_national_id").inner_text()
        # A mistake first: the registry number is checked on the server, in the form's own words.
        page.fill("#q-commercial_registry_number", "12-AB")
        page.fill("#q-mobile", "01012345678")
        page.get_by_test_id("next").click()
        assert "رقم السجل التجاري من 3 إلى 10 أرقام." in page.locator("#error-summary").inner_text()
        visits.look(page, "owner-error", kind="step")
        page.fill("#q-commercial_registry_number", "4471203")
        next_step(page, "step/business/")
        page.fill("#q-trade_name", "أزياء النيل")
        page.select_option("#q-activity", "clothing")
        next_step(page, "step/premises/")
        visits.look(page, "premises", kind="step")
        # Half of the premises step, then "save and come back later": this device is done with.
        page.select_option("#q-premises_governorate", "giza")
        page.fill("#q-premises_address", "عقار 14 شارع مصدق، الدقي، الوحدة 3")
        page.get_by_test_id("save-later").click()
        page.wait_for_url(f"{base}/ar/services/{CODE}/start/?notice=saved")
        assert page.get_by_test_id("notice-saved").is_visible()
        visits.look(page, "saved", kind="start")
        context.close()

        # Another device: signed in again, the draft is on the server, the answers given so far with it.
        context, page = device(browser)
        page.goto(f"{base}/ar/services/{CODE}/start/")
        page.wait_for_url(re.compile(r".*/ar/account/sign-in/\?next=.+"))
        with_national_id(page, issuer)
        assert page.get_by_test_id("draft").is_visible()
        visits.look(page, "resume")
        page.get_by_test_id("resume").click()
        page.wait_for_url(f"**/ar/services/{CODE}/apply/step/premises/")
        assert page.locator("#q-premises_governorate").input_value() == "giza"
        assert page.locator("#q-premises_address").input_value() == "عقار 14 شارع مصدق، الدقي، الوحدة 3"
        assert page.locator("#q-lease_contract").count() == 0, "no lease asked before the premises are rented"
        page.check("#q-premises_tenure-1")  # rented
        page.fill("#q-area_sqm", "62.5")
        page.set_input_files("#q-site_sketch", str(sketch))
        page.get_by_test_id("next").click()
        # Renting brings up the lease, on the same page and without a script; the sketch is already kept.
        page.wait_for_selector("#q-lease_contract")
        assert page.url.endswith("/apply/step/premises/")
        assert sketch.name in page.get_by_test_id("current-file-site_sketch").inner_text()
        visits.look(page, "premises-lease", kind="step-more")
        page.set_input_files("#q-lease_contract", str(lease))
        next_step(page, "step/operation/")
        page.fill("#q-employees", "4")
        for day in range(1, 6):  # Sunday to Thursday
            page.check(f"#q-opening_days-{day}")
        page.fill("#q-opens_at", "09:00")
        page.fill("#q-closes_at", "22:00")
        visits.look(page, "operation", kind="step")
        # Clothes are not food: no health step; the declaration comes next.
        next_step(page, "step/declaration/")
        assert re.search(r"5\D+5", page.get_by_test_id("progress").inner_text()), "step 5 of 5"
        page.check("#q-declaration")
        next_step(page, "review/")
        review = page.locator("main").inner_text()
        for shown in ("أزياء النيل", "الجيزة", "إيجار", sketch.name, lease.name):
            assert shown in review, shown
        visits.look(page, "review")
        page.get_by_test_id("submit").click()
        page.wait_for_url(re.compile(rf".*/ar/services/{re.escape(CODE)}/apply/filed/[0-9a-f-]+/$"))
        application = Application.objects.get()
        assert page.get_by_test_id("reference").inner_text() == application.reference
        visits.look(page, "filed")
        assert application.state == "submitted" and application.agency == "commerce"
        assert application.answers["premises_tenure"] == "rented"
        assert application.answers["activity_class"] == "low-risk"
        filed = {a.content_type for a in Attachment.objects.filter(application=application.uuid)}
        assert filed == {"image/png", "application/pdf"}
        citizen_page = f"{base}/ar/account/applications/{application.uuid}/"

        # The commerce officer: the queue, the application, claimed, received, reviewed, a question asked.
        staff_context, desk = device(browser)
        desk.goto(f"{base}{QUEUE}")
        staff_sign_in(
            desk, username=officer.username, password=STAFF_PASSWORD, mobile=officer.mobile, seen=visits.look
        )
        desk.wait_for_url(f"{base}{QUEUE}")
        visits.look(desk, "queue")
        desk.get_by_role("link", name=application.reference).click()
        desk.wait_for_url(f"**{QUEUE}{application.uuid}/")
        documents = desk.locator("#documents").inner_text()
        assert sketch.name in documents and lease.name in documents
        visits.look(desk, "officer-opens", kind="staff-application")
        desk.locator("#assignee form[action$='/claim/'] button[type=submit]").click()
        desk.wait_for_url(f"**{QUEUE}{application.uuid}/")
        assert Application.objects.get(pk=application.pk).assignee == officer
        act(desk, "receive", "received")
        act(desk, "start-review", "in-review")
        act(desk, "request-information", "more-information-requested", message=QUESTION)
        visits.look(desk, "officer-asks", kind="staff-application")

        # The citizen, from their applications, reads the question and answers it on the application's page.
        page.goto(f"{base}/ar/account/applications/")
        visits.look(page, "my-applications")
        page.locator(f"main a[href$='/applications/{application.uuid}/']").first.click()
        page.wait_for_url(citizen_page)
        assert QUESTION in page.locator("#messages-title + ul").inner_text()
        visits.look(page, "question")
        page.fill("#id_answer", ANSWER)
        page.locator("#actions form[method=post] button[type=submit]").click()
        page.wait_for_url(citizen_page)
        assert page.locator("[role=status]").first.is_visible()
        visits.look(page, "answered", kind="application")

        # The officer reviews again and approves; four eyes: the approval waits for someone else.
        desk.reload()
        state_is(desk, "resubmitted")
        # What was said is quoted in the history; taking it on is not a message (the name is the actor's).
        quoted = [text.strip() for text in desk.locator("#history blockquote").all_inner_texts()]
        assert quoted == [QUESTION, ANSWER]
        act(desk, "start-review", "in-review")
        act(desk, "approve", "approval-pending")
        assert desk.locator("#four-eyes").is_visible()
        assert desk.locator("#act-confirm-approval").count() == 0, (
            "the officer cannot confirm his own approval"
        )
        visits.look(desk, "officer-approves", kind="staff-application-four-eyes")
        staff_context.close()

        # The supervisor confirms the approval.
        staff_context, desk = device(browser)
        desk.goto(f"{base}{QUEUE}{application.uuid}/")
        staff_sign_in(
            desk,
            username=supervisor.username,
            password=STAFF_PASSWORD,
            mobile=supervisor.mobile,
            seen=visits.look,
        )
        desk.wait_for_url(f"{base}{QUEUE}{application.uuid}/")
        act(desk, "confirm-approval", "approved")
        visits.look(desk, "supervisor-confirms", kind="staff-application-approved")
        staff_context.close()
        approved = Application.objects.get(pk=application.pk)
        assert approved.state == "approved"
        moves = {e.action: (e.actor, e.role) for e in approved.timeline.all()}
        assert moves["approve"] == (f"user:{officer.uuid}", "officer")
        assert moves["confirm-approval"] == (f"user:{supervisor.uuid}", "supervisor")

        # The citizen sees every step, in Arabic, each with what was said.
        page.reload()
        steps = timeline(page)
        for label in ("مُقدَّم", "استلمته الجهة", "مطلوب معلومات إضافية", "أُعيد تقديمه", "مقبول"):
            assert label in steps, (label, steps)
        assert steps[-1] == "مقبول"
        assert steps.index("استلمته الجهة") < steps.index("مطلوب معلومات إضافية") < steps.index("أُعيد تقديمه")
        history = page.locator("section[aria-labelledby=timeline-title]").inner_text()
        assert QUESTION in history and ANSWER in history
        assert "مقبول" in page.locator("section[aria-labelledby=status-title]").inner_text()
        visits.look(page, "approved", kind="application")
        context.close()

    assert visits.failures == {}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_files_already_uploaded_to_a_step_are_shown_legibly(browser, live_server, lang):
    """Found by the journey: the link to a file uploaded earlier sat, in the links' colour, on the grey box that
    holds it, below the contrast a reader needs. A required file and an optional one (which can be removed)."""
    from .test_apply_browser import CODE as SAMPLE_CODE
    from .test_apply_browser import citizen, new_device, publish_sample_form, sign_in

    citizen()
    publish_sample_form()
    base = live_server.url
    context, page = new_device(browser, lang)
    sign_in(page, base, lang)
    page.get_by_test_id("start-form").click()
    page.wait_for_url(f"**/{lang}/services/{SAMPLE_CODE}/apply/step/you/")
    documents = f"{base}/{lang}/services/{SAMPLE_CODE}/apply/step/documents/"
    page.goto(documents)
    page.set_input_files(
        "#q-scan", {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.set_input_files("#q-photo", {"name": "photo.png", "mimeType": "image/png", "buffer": png_bytes()})
    page.get_by_test_id("next").click()
    page.wait_for_load_state()
    page.goto(documents)
    assert page.get_by_test_id("current-file-scan").is_visible()
    assert page.get_by_test_id("current-file-photo").get_by_role("checkbox").is_visible()
    shot(page, f"journey-files-kept-{lang}")
    assert axe_serious(page) == []
    context.close()
