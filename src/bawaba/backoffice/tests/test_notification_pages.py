"""The notification pages of the back office: who gets in, the wording (preview, save, restore), the message log
(search, masking, figures), one message and sending it again."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from bawaba.accounts.models import StaffRole
from bawaba.audit.models import AuditEntry
from bawaba.notifications.models import Message, Template
from bawaba.notifications.operations import channel_figures
from bawaba.testing.browser import axe_serious, shot, staff_sign_in
from bawaba.testing.clients import signed_in

from .helpers import PASSWORD, citizen, staff

pytestmark = pytest.mark.django_db

NOTICE = "application.submitted"
EDIT = f"/en/staff/notifications/templates/{NOTICE}/ar/"
OPERATIONS = "/en/staff/notifications/"
TEMPLATES = "/en/staff/notifications/templates/"
SOMEONE = uuid.uuid4()
GOOD = {
    "sms": "بوابة: طلبك {reference} وصلنا.",
    "subject": "وصل طلبك {reference}",
    "body": "وصلنا طلبك «{service}» برقم {reference} يوم {date}.",
}
PAGES = [OPERATIONS, TEMPLATES, EDIT, f"/en/staff/notifications/messages/{SOMEONE}/"]
POSTS = [EDIT, f"{EDIT}restore/", f"/en/staff/notifications/messages/{SOMEONE}/send-again/"]


@pytest.fixture
def admin():
    return staff("platform-admin", (StaffRole.PLATFORM_ADMIN, ""))


@pytest.fixture
def office(admin):
    """The platform administrator's browser, signed in with a second factor."""
    return signed_in(admin)


def message(**fields) -> Message:
    defaults = {
        "channel": "sms",
        "to": "+201012345678",
        "kind": NOTICE,
        "body": "بوابة: استلمنا طلبك BWB-2026-000042.",
        "reference": "BWB-2026-000042",
        "status": Message.Status.SENT,
    }
    created_at = fields.pop("created_at", None)
    made = Message.objects.create(**{**defaults, **fields})
    if created_at:
        Message.objects.filter(pk=made.pk).update(created_at=created_at)
        made.refresh_from_db()
    return made


def without_isolates(html: str) -> str:
    return html.replace("\u2066", "").replace("\u2069", "")


# --- Who gets in ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES + POSTS)
def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client, path):
    response = client.post(path, GOOD) if path in POSTS else client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/staff-sign-in/?next=")
    assert not Template.objects.exists()


@pytest.mark.parametrize(
    "who",
    [
        lambda: staff("civil-officer", (StaffRole.OFFICER, "civil-status")),
        lambda: staff("civil-admin", (StaffRole.AGENCY_ADMIN, "civil-status")),
        lambda: staff("auditor", (StaffRole.AUDITOR, "")),
        citizen,
    ],
    ids=["officer", "agency-admin", "auditor", "citizen"],
)
@pytest.mark.parametrize("path", PAGES + POSTS)
def test_everyone_but_a_platform_administrator_gets_the_plain_403(who, path):
    failed = message(status=Message.Status.FAILED)
    path = path.replace(str(SOMEONE), str(failed.uuid))
    someone = signed_in(who())
    response = someone.post(path, GOOD) if path in POSTS else someone.get(path)
    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not have access to this page" in html
    for word in ("Notifications", "Wording", "+20", "BWB-2026"):
        assert word not in html
    assert not Template.objects.exists()
    failed.refresh_from_db()
    assert failed.status == Message.Status.FAILED


def test_a_password_alone_does_not_open_them(admin):
    password_only = signed_in(admin, methods=["password"])
    for path in PAGES:
        assert password_only.get(path)["Location"].startswith("/en/account/staff-sign-in/")


def test_the_staff_home_links_them_for_platform_administrators_only(office):
    home = office.get("/en/staff/").content.decode()
    assert f'href="{OPERATIONS}"' in home and f'href="{TEMPLATES}"' in home
    officer = staff("civil-officer", (StaffRole.OFFICER, "civil-status"))
    home = signed_in(officer).get("/en/staff/").content.decode()
    assert OPERATIONS not in home


# --- The wording ---------------------------------------------------------------------------------------------


def test_the_list_names_every_notice_and_whose_wording_is_in_force(office, admin):
    Template.objects.create(notice=NOTICE, language="ar", updated_by=f"user:{admin.uuid}", **GOOD)
    html = office.get(TEMPLATES).content.decode()
    assert "We received your application" not in html
    assert "Application submitted" in html and "Sign-in code" in html
    assert html.count("an administrator") == 1 and "by Platform Admin" in html
    assert "the shipped one" in html and "carries a code" in html
    assert f'href="{EDIT}"' in html and f'href="/en/staff/notifications/templates/{NOTICE}/en/"' in html
    arabic = office.get("/ar/staff/notifications/templates/").content.decode()
    assert "رمز تسجيل الدخول" in arabic and 'dir="rtl"' in arabic


def test_the_edit_page_shows_the_wording_in_force_and_the_placeholders(office):
    html = office.get(EDIT).content.decode()
    assert "{reference}" in html and "BWB-2026-000123" in html and "تجديد رخصة تسيير مركبة" in html
    assert 'lang="ar" dir="rtl"' in html
    assert "In force: the shipped wording." in html and "Restore the shipped wording" not in html


def test_the_preview_fills_the_examples_and_counts_the_sms_without_saving(office):
    response = office.post(EDIT, {**GOOD, "action": "preview"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="preview"' in html
    assert "بوابة: طلبك BWB-2026-000123 وصلنا." in html
    assert "in UCS-2" in html and "1 SMS of up to 70 characters" in html
    assert not Template.objects.exists()
    long = office.post(EDIT, {**GOOD, "sms": "Bawaba " * 30 + "{reference}", "action": "preview"})
    assert "in GSM 7-bit: 2 SMS parts of up to 153 characters each" in long.content.decode()


def test_saving_stores_audits_and_tells(office, admin):
    response = office.post(EDIT, {**GOOD, "action": "save"})
    assert response.status_code == 302 and response["Location"] == EDIT
    saved = Template.objects.get(notice=NOTICE, language="ar")
    assert (saved.sms, saved.subject, saved.body) == (GOOD["sms"], GOOD["subject"], GOOD["body"])
    entry = AuditEntry.objects.get(action="notifications.template.saved")
    assert entry.actor == f"user:{admin.uuid}" and entry.data["sms"] == GOOD["sms"]
    html = office.get(EDIT).content.decode()
    assert "Saved. Every Application submitted message in Arabic" in html
    assert "saved by Platform Admin" in html and "Restore the shipped wording" in html


@pytest.mark.parametrize(
    "field,text,words",
    [
        ("body", "{reference.__class__}", "{reference.__class__} is not a placeholder"),
        ("sms", "{reference.__init__.__globals__[settings]}", "is not a placeholder"),
        ("subject", "{secret_key}", "{secret_key} is not a placeholder of this notice"),
        ("sms", "", "Enter the SMS text."),
        ("body", "  ", "Enter the e-mail and inbox text."),
        ("subject", "طلبك {reference", "A brace is not closed"),
    ],
)
@pytest.mark.parametrize("action", ["save", "preview"])
def test_a_wrong_field_is_named_and_nothing_is_saved(office, admin, field, text, words, action):
    Template.objects.create(notice=NOTICE, language="ar", updated_by=f"user:{admin.uuid}", **GOOD)
    response = office.post(EDIT, {**GOOD, "sms": "جديد: {reference}", field: text, "action": action})
    html = without_isolates(response.content.decode())
    assert response.status_code == 200 and 'id="error-summary"' in html
    assert f'href="#id_{field}"' in html and words in html
    assert 'id="preview"' not in html
    assert Template.objects.get().sms == GOOD["sms"]
    assert not AuditEntry.objects.filter(action="notifications.template.saved").exists()


def test_the_english_page_says_it_in_english_and_the_arabic_one_in_arabic(office):
    english = office.post(EDIT, {**GOOD, "body": "{x}", "action": "save"}).content.decode()
    # Kept left to right inside an Arabic sentence.
    assert "\u2066{x}\u2069 is not a placeholder of this notice" in english
    arabic = office.post(EDIT.replace("/en/", "/ar/"), {**GOOD, "body": "", "action": "save"})
    assert 'href="#id_body"' in arabic.content.decode() and 'lang="ar"' in arabic.content.decode()


def test_restoring_the_shipped_wording(office, admin):
    office.post(EDIT, {**GOOD, "action": "save"})
    response = office.post(f"{EDIT}restore/")
    assert response["Location"] == EDIT and not Template.objects.exists()
    assert AuditEntry.objects.filter(action="notifications.template.restored").count() == 1
    html = office.get(EDIT).content.decode()
    assert "The shipped wording of Application submitted in Arabic is in force again." in html
    office.post(f"{EDIT}restore/")
    assert "there was nothing to restore" in office.get(EDIT).content.decode()
    assert AuditEntry.objects.filter(action="notifications.template.restored").count() == 1


@pytest.mark.parametrize(
    "path",
    ["/en/staff/notifications/templates/no.such/ar/", f"/en/staff/notifications/templates/{NOTICE}/fr/"],
)
def test_unknown_notices_and_languages_are_not_found(office, path):
    assert office.get(path).status_code == 404
    assert office.post(path, {**GOOD, "action": "save"}).status_code == 404
    assert not Template.objects.exists()


# --- Operations ----------------------------------------------------------------------------------------------


@pytest.fixture
def log():
    now = timezone.now()
    return {
        "sms": message(created_at=now - timedelta(minutes=5)),
        "email": message(
            channel="email",
            to="Amina.Hassan@example.org",
            status=Message.Status.DELIVERED,
            subject="We received your application",
            reference="BWB-2026-000043",
            created_at=now - timedelta(minutes=4),
        ),
        "failed": message(
            to="+201098765432",
            status=Message.Status.FAILED,
            last_error="The number is not in service (permanent)",
            reference="BWB-2026-000044",
            created_at=now - timedelta(minutes=3),
        ),
        "code": message(
            kind="account.sign-in-code",
            to="+201055500011",
            body="",
            sealed_body=None,
            reference="",
            status=Message.Status.SENT,
            created_at=now - timedelta(minutes=2),
        ),
    }


def rows(html: str) -> int:
    return html.count('href="/en/staff/notifications/messages/')


def test_the_log_newest_first_with_every_column_and_no_whole_address(office, log):
    html = office.get(OPERATIONS).content.decode()
    assert rows(html) == 4
    order = [html.index(str(log[name].uuid)) for name in ("code", "failed", "email", "sms")]
    assert order == sorted(order)
    assert "+2010•••••678" in html and "+201012345678" not in html
    assert "A•••••••••••@example.org" in html and "Amina.Hassan" not in html
    assert "Application submitted" in html and "Sign-in code" in html and "(code, not kept)" in html
    assert "handed to the provider" in html and "The number is not in service" in html
    assert "BWB-2026-000044" in html


@pytest.mark.parametrize(
    "query,found",
    [
        ({"to": "٠١٠١٢٣٤٥٦٧٨"}, ["sms"]),
        ({"to": "01012345678"}, ["sms"]),
        ({"to": "+20 109 876 5432"}, ["failed"]),
        ({"to": "amina.hassan@example.org"}, []),  # kept as its owner typed it; only that or lower case
        ({"to": "Amina.Hassan@example.org"}, ["email"]),
        ({"reference": "bwb-2026-٠٠٠٠٤٣"}, ["email"]),
        ({"status": "failed"}, ["failed"]),
        ({"channel": "email"}, ["email"]),
        ({"channel": "sms", "status": "sent"}, ["sms", "code"]),
        ({"channel": "sms", "reference": "BWB-2026-000043"}, []),
    ],
)
def test_the_search(office, log, query, found):
    html = office.get(OPERATIONS, query).content.decode()
    assert rows(html) == len(found)
    for name in found:
        assert str(log[name].uuid) in html
    if not found:
        assert "No message matches this search." in html


@pytest.mark.parametrize(
    "query,field",
    [({"to": "12345"}, "to"), ({"to": "not an address"}, "to"), ({"status": "lost"}, "status")],
)
def test_a_search_that_cannot_be_understood_is_named_and_finds_nothing(office, log, query, field):
    html = office.get(OPERATIONS, query).content.decode()
    assert 'id="error-summary"' in html and f'href="#id_{field}"' in html
    assert rows(html) == 0


def test_the_log_is_paged(office):
    for n in range(55):
        message(reference=f"BWB-2026-{n:06d}")
    first = office.get(OPERATIONS, {"channel": "sms"}).content.decode()
    assert rows(first) == 50 and "Page 1 of 2" in first and "channel=sms&amp;page=2" in first
    second = office.get(OPERATIONS, {"channel": "sms", "page": 2}).content.decode()
    assert rows(second) == 5


def test_the_figures_of_the_last_24_hours(office, log):
    now = timezone.now()
    Message.objects.filter(pk=log["sms"].pk).update(sent_at=log["sms"].created_at + timedelta(seconds=2))
    Message.objects.filter(pk=log["code"].pk).update(sent_at=log["code"].created_at + timedelta(seconds=4))
    Message.objects.filter(pk=log["failed"].pk).update(
        sent_at=log["failed"].created_at + timedelta(seconds=30)
    )
    message(status=Message.Status.FAILED, created_at=now - timedelta(hours=25))  # too old to count
    sms, email = channel_figures()
    assert (sms.channel, sms.total, sms.failed, sms.delivered) == ("sms", 3, 1, 0)
    assert sms.median_to_sent == timedelta(seconds=4)
    assert sms.delivered_share == 0
    assert (email.total, email.delivered, email.delivered_share, email.median_to_sent) == (1, 1, 100, None)
    assert {status: n for status, _words, n in sms.counts} == {
        "queued": 0,
        "sending": 0,
        "sent": 2,
        "delivered": 0,
        "failed": 1,
    }
    html = office.get(OPERATIONS).content.decode()
    assert "The last 24 hours" in html and "4 s" in html and "100%" in html


def test_a_message_page_shows_its_details_and_its_fallback_chain(office, admin, log):
    fallback = message(
        channel="email",
        to="amina@example.org",
        status=Message.Status.DELIVERED,
        fallback_from=log["failed"],
        reference="BWB-2026-000044",
    )
    html = office.get(f"/en/staff/notifications/messages/{log['failed'].uuid}/").content.decode()
    assert "Application submitted by SMS" in html and "The number is not in service (permanent)" in html
    assert "+2010•••••432" in html and "+201098765432" not in html
    assert "بوابة: استلمنا طلبك BWB-2026-000042." in html
    assert "Channels tried for this notice" in html
    assert f'href="/en/staff/notifications/messages/{fallback.uuid}/"' in html
    assert "Send again" in html
    viewed = AuditEntry.objects.get(action="notifications.message.viewed")
    assert viewed.actor == f"user:{admin.uuid}" and viewed.subject_id == str(log["failed"].uuid)
    chained = office.get(f"/en/staff/notifications/messages/{fallback.uuid}/").content.decode()
    assert f'href="/en/staff/notifications/messages/{log["failed"].uuid}/"' in chained
    assert "Send again" not in chained


def test_a_code_never_shows_a_text(office, log):
    html = office.get(f"/en/staff/notifications/messages/{log['code'].uuid}/").content.decode()
    assert "(code, not kept)" in html and "Send again" not in html


def test_a_failed_message_is_sent_again(office, admin, log):
    failed = log["failed"]
    response = office.post(f"/en/staff/notifications/messages/{failed.uuid}/send-again/")
    assert response["Location"] == f"/en/staff/notifications/messages/{failed.uuid}/"
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Message.Status.QUEUED, 0, "")
    entry = AuditEntry.objects.get(action="notifications.message.retried")
    assert entry.actor == f"user:{admin.uuid}" and entry.subject_id == str(failed.uuid)
    assert "The message is queued to be sent again." in office.get(response["Location"]).content.decode()


def test_a_failed_code_is_never_sent_again(office, log):
    code = log["code"]
    Message.objects.filter(pk=code.pk).update(status=Message.Status.FAILED)
    page = office.get(f"/en/staff/notifications/messages/{code.uuid}/").content.decode()
    assert "This message carried a code, which is never sent again" in page
    assert "send-again/" not in page
    response = office.post(f"/en/staff/notifications/messages/{code.uuid}/send-again/")
    code.refresh_from_db()
    assert code.status == Message.Status.FAILED
    html = office.get(response["Location"]).content.decode()
    assert "This message carried a code, which is never sent again" in html and 'role="alert"' in html
    assert not AuditEntry.objects.filter(action="notifications.message.retried").exists()


def test_a_message_that_has_not_failed_is_not_sent_again(office, log):
    sent = log["sms"]
    response = office.post(f"/en/staff/notifications/messages/{sent.uuid}/send-again/")
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT
    html = office.get(response["Location"]).content.decode()
    assert "Only a failed message can be sent again" in html and "it is handed to the provider" in html
    assert not AuditEntry.objects.filter(action="notifications.message.retried").exists()


def test_an_unknown_message_is_not_found(office):
    assert office.get(f"/en/staff/notifications/messages/{SOMEONE}/").status_code == 404
    assert office.post(f"/en/staff/notifications/messages/{SOMEONE}/send-again/").status_code == 404


def test_the_operations_page_in_arabic(office, log):
    html = office.get("/ar/staff/notifications/").content.decode()
    assert 'dir="rtl"' in html and "تقديم طلب" in html and "رمز تسجيل الدخول" in html


# --- In a real browser ---------------------------------------------------------------------------------------


def look(page, name: str, failures: dict) -> None:
    """Screenshot the page, and keep axe-core's serious findings on it."""
    serious = axe_serious(page)
    shot(page, name)
    if serious:
        failures[name] = serious


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_platform_administrator_rewords_a_notice_and_follows_the_messages(browser, live_server):
    admin = staff("platform-admin", (StaffRole.PLATFORM_ADMIN, ""), mobile="+201000000009")
    now = timezone.now()
    failed = message(
        to="+201012345678",
        status=Message.Status.FAILED,
        attempts=3,
        last_error="The operator refused the number: subscriber absent for 72 hours (permanent)",
        provider="smpp",
        provider_reference="c0a80101-0001",
        segments=2,
        created_at=now - timedelta(minutes=9),
    )
    message(
        channel="email",
        to="amina.hassan@example.org",
        subject="استلمنا طلبك BWB-2026-000042",
        status=Message.Status.DELIVERED,
        fallback_from=failed,
        provider="smtp",
        provider_reference="<20261204.1@bawaba.example>",
        segments=1,
        created_at=now - timedelta(minutes=8),
    )
    for n in range(3):
        message(
            to=f"+20101234500{n}",
            status=Message.Status.DELIVERED,
            provider="smpp",
            provider_reference=f"c0a80101-01{n}",
            segments=1,
            reference=f"BWB-2026-00010{n}",
        )
    failures: dict = {}

    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="ar-EG")
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/staff/")
    staff_sign_in(page, username="platform-admin", password=PASSWORD, mobile=admin.mobile)
    page.wait_for_url(f"{live_server.url}/ar/staff/")
    page.locator("#roles a[href$='/staff/notifications/templates/']").click()
    page.wait_for_url("**/ar/staff/notifications/templates/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    look(page, "notifications-templates-ar", failures)

    page.locator(f"main a[href$='/templates/{NOTICE}/ar/']").click()
    page.wait_for_url(f"**/ar/staff/notifications/templates/{NOTICE}/ar/")
    page.fill("#id_sms", "بوابة: طلبك {reference.__class__} وصلنا.")
    page.locator("#wording button[value=save]").click()
    assert page.locator("#error-summary").is_visible()
    assert "{reference.__class__}" in page.locator("#error-summary").inner_text()
    look(page, "notifications-template-refused-ar", failures)
    assert not Template.objects.exists()

    page.fill("#id_sms", "بوابة: وصلنا طلبك «{service}» برقم {reference}. تابعه من حسابك في بوابة.")
    page.locator("#wording button[value=preview]").click()
    assert page.locator("#preview").is_visible()
    assert "BWB-2026-000123" in page.locator("#preview").inner_text()
    look(page, "notifications-template-preview-ar", failures)
    assert not Template.objects.exists()
    page.locator("#wording button[value=save]").click()
    page.wait_for_url(f"**/ar/staff/notifications/templates/{NOTICE}/ar/")
    assert page.locator("[role=status]").first.is_visible()
    assert Template.objects.get(notice=NOTICE, language="ar").sms.startswith("بوابة: وصلنا طلبك")
    look(page, "notifications-template-saved-ar", failures)

    page.goto(f"{live_server.url}/ar/staff/notifications/")
    look(page, "notifications-operations-ar", failures)
    page.fill("#id_to", "٠١٠١٢٣٤٥٦٧٨")
    page.locator("#search button[type=submit]").click()
    page.wait_for_url("**/ar/staff/notifications/?*")
    assert page.locator("#messages tbody tr").count() == 1
    page.locator(f"#messages a[href$='/messages/{failed.uuid}/']").click()
    page.wait_for_url(f"**/messages/{failed.uuid}/")
    assert page.locator("#chain li").count() == 2
    look(page, "notifications-message-ar", failures)
    page.locator("main form[action$='/send-again/'] button").click()
    page.wait_for_url(f"**/messages/{failed.uuid}/")
    failed.refresh_from_db()
    assert failed.status == Message.Status.QUEUED

    page.get_by_test_id("language-switch").click()
    page.wait_for_url(f"**/en/staff/notifications/messages/{failed.uuid}/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    look(page, "notifications-message-en", failures)
    for path, name in (
        ("/en/staff/notifications/", "notifications-operations-en"),
        ("/en/staff/notifications/templates/", "notifications-templates-en"),
        (f"/en/staff/notifications/templates/{NOTICE}/en/", "notifications-template-en"),
    ):
        page.goto(f"{live_server.url}{path}")
        look(page, name, failures)
    page.locator("#wording button[value=preview]").click()
    assert page.locator("#preview").is_visible()
    look(page, "notifications-template-preview-en", failures)
    context.close()
    assert failures == {}
