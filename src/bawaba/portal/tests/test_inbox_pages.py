"""The citizen's inbox through the real pages: their own messages only, newest first and paged, a link to the
application a message is about when it is theirs, marking read one by one or all at once (never someone else's),
and the unread count in the header from one COUNT query."""

import re
import uuid
from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.cases.models import Application
from bawaba.cases.services import application_submit
from bawaba.cases.tests.test_services import COMPLAINT
from bawaba.catalogue.selectors import service_get
from bawaba.notifications.dispatch import dispatch_all
from bawaba.notifications.inbox import inbox_all_read, inbox_of, unread_count
from bawaba.notifications.models import Message, Preference
from bawaba.notifications.services import notify
from bawaba.portal.message_views import PAGE_SIZE
from bawaba.testing.browser import axe_serious, shot
from bawaba.testing.clients import signed_in
from bawaba.testing.messages import last_code

pytestmark = pytest.mark.django_db


def citizen(name="Amina", national_id="29103090104240", born=date(1991, 3, 9), language="en") -> User:
    return User.objects.create_user(
        f"citizen-{national_id}",
        national_id=national_id,
        birth_date=born,
        first_name=name,
        mobile=f"+2010{national_id[-8:]}",
        mobile_verified_at=timezone.now(),
        preferred_language=language,
    )


def other() -> User:
    return citizen("Omar", "28807012103140", date(1988, 7, 1))


def tell(
    user: User,
    reference: str = "BWB-2026-000777",
    *,
    service: str = "Renew a driving licence",
    day: str = "4 December 2026",
) -> Message:
    """One notice to the person; returns its inbox copy."""
    sent = notify(
        notice="application.submitted",
        recipient=user,
        values={"reference": reference, "service": service, "date": day},
        reference=reference,
    )
    return next(m for m in sent if m.channel == "inapp")


def submit(applicant: User) -> Application:
    service = service_get(code="municipality.complaint.submit")
    return application_submit(
        service=service,
        version=service.current_version,
        applicant=applicant,
        filed_by=applicant,
        answers=COMPLAINT,
        submission_key=uuid.uuid4().hex,
    )


def older(message: Message, minutes: int) -> None:
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def inbox_html(client: Client, lang="en", query="") -> str:
    response = client.get(f"/{lang}/account/messages/{query}")
    assert response.status_code == 200
    return response.content.decode()


# ------------------------------------------------------------------------------------------------ the list


def test_the_inbox_shows_title_text_date_and_the_application_newest_first():
    amina = citizen()
    application = submit(amina)  # filing tells the applicant: the inbox links to the application
    first = Message.objects.get(recipient=amina, channel="inapp", reference=application.reference)
    older(first, 60)
    later = tell(amina, "BWB-2026-000778", service="Renew a passport")
    html = inbox_html(signed_in(amina))
    assert html.index(later.subject) < html.index(first.subject)  # newest first
    assert "We received your application BWB-2026-000778" in html
    assert "We received your application &quot;Renew a passport&quot;, reference BWB-2026-000778" in html
    assert f'href="/en/account/applications/{application.uuid}/"' in html
    # A reference that names no application of theirs is shown, not linked.
    assert '<span dir="ltr">BWB-2026-000778</span>' in html
    local = timezone.localtime(later.created_at)
    assert local.strftime("%H:%M") in html and local.strftime("%B") in html


def test_the_inbox_in_arabic_reads_right_to_left_with_arabic_dates():
    amina = citizen(language="ar")
    message = tell(amina)
    html = inbox_html(signed_in(amina), "ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert "استلمنا طلبك BWB-2026-000777" in html  # written in her language
    assert re.search(r'<span lang="ar" dir="rtl">استلمنا طلبك', html)
    month = [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ]
    assert month[timezone.localtime(message.created_at).month - 1] in html
    assert f'action="/ar/account/messages/{message.uuid}/read/"' in html


def test_a_message_in_another_language_than_the_page_says_which():
    amina = citizen(language="ar")
    tell(amina)
    html = inbox_html(signed_in(amina), "en")
    assert re.search(r'<span lang="ar" dir="rtl">استلمنا طلبك', html)


def test_nobody_sees_anyone_elses_messages_nor_a_link_to_their_application():
    amina, omar = citizen(), other()
    theirs = submit(omar)
    tell(omar, "BWB-2026-000999", service="Omar's secret service")
    tell(amina, theirs.reference)  # a message of hers that names his application
    html = inbox_html(signed_in(amina))
    assert "Omar&#x27;s secret service" not in html and "BWB-2026-000999" not in html
    assert html.count('data-testid="message"') == 1
    assert f"/account/applications/{theirs.uuid}/" not in html
    assert f'<span dir="ltr">{theirs.reference}</span>' in html


def test_an_empty_inbox_says_so():
    html = inbox_html(signed_in(citizen()))
    assert "No messages yet." in html and "Mark all as read" not in html


def test_the_inbox_is_paged():
    amina = citizen()
    for _ in range(PAGE_SIZE + 1):
        tell(amina)
    client = signed_in(amina)
    assert inbox_html(client).count('data-testid="message"') == PAGE_SIZE
    second = inbox_html(client, query="?page=2")
    assert second.count('data-testid="message"') == 1 and "Page 2 of 2" in second
    assert inbox_html(client, query="?page=junk").count('data-testid="message"') == PAGE_SIZE


def test_the_inbox_reads_the_same_few_queries_however_many_messages_it_shows(django_assert_num_queries):
    amina = citizen()
    tell(amina)
    client = signed_in(amina)
    inbox_html(client)
    with CaptureQueriesContext(connection) as one:
        inbox_html(client)
    for number in range(5):
        tell(amina, f"BWB-2026-00010{number}")
    with django_assert_num_queries(len(one.captured_queries)):
        assert inbox_html(client).count('data-testid="message"') == 6


def test_signing_in_is_needed_for_every_inbox_page():
    message = tell(citizen())
    anonymous = Client()
    for method, path in (
        ("get", "/en/account/messages/"),
        ("post", f"/en/account/messages/{message.uuid}/read/"),
        ("post", "/en/account/messages/read-all/"),
        ("get", "/ar/account/messages/"),
    ):
        response = getattr(anonymous, method)(path)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    message.refresh_from_db()
    assert message.read_at is None


# ------------------------------------------------------------------------------------------------ marking read


def test_unread_messages_are_marked_in_words_and_can_be_marked_read():
    amina = citizen()
    message = tell(amina)
    client = signed_in(amina)
    html = inbox_html(client)
    assert "Unread" in html and "data-unread" in html
    assert f'action="/en/account/messages/{message.uuid}/read/"' in html
    response = client.post(f"/en/account/messages/{message.uuid}/read/")
    assert response.status_code == 302
    assert response["Location"] == f"/en/account/messages/#message-{message.uuid}"
    message.refresh_from_db()
    assert message.read_at is not None
    html = client.get(response["Location"]).content.decode()
    assert "The message was marked as read." in html
    assert "data-unread" not in html and "Mark as read" not in html
    # Marking it again changes nothing and is no error.
    when = message.read_at
    assert client.post(f"/en/account/messages/{message.uuid}/read/").status_code == 302
    message.refresh_from_db()
    assert message.read_at == when


def test_marking_read_goes_back_to_the_page_it_was_pressed_on():
    amina = citizen()
    message = tell(amina)
    response = signed_in(amina).post(f"/ar/account/messages/{message.uuid}/read/", {"page": "2"})
    assert response["Location"] == f"/ar/account/messages/?page=2#message-{message.uuid}"
    response = signed_in(amina).post(f"/ar/account/messages/{message.uuid}/read/", {"page": "//evil.example"})
    assert response["Location"] == f"/ar/account/messages/#message-{message.uuid}"


def test_someone_elses_message_cannot_be_marked_read():
    amina, omar = citizen(), other()
    his = tell(omar)
    client = signed_in(amina)
    assert client.post(f"/en/account/messages/{his.uuid}/read/").status_code == 404
    assert client.post(f"/ar/account/messages/{uuid.uuid4()}/read/").status_code == 404
    his.refresh_from_db()
    assert his.read_at is None


def test_an_sms_or_email_copy_cannot_be_marked_read_as_if_it_were_in_the_inbox():
    amina = citizen()
    tell(amina)
    sms = Message.objects.get(recipient=amina, channel="sms")
    assert signed_in(amina).post(f"/en/account/messages/{sms.uuid}/read/").status_code == 404


def test_marking_read_is_a_post_with_its_csrf_token():
    amina = citizen()
    message = tell(amina)
    client = signed_in(amina)
    assert client.get(f"/en/account/messages/{message.uuid}/read/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(amina, backend="bawaba.accounts.backends.NationalIdBackend")
    assert strict.post(f"/en/account/messages/{message.uuid}/read/").status_code == 403
    assert strict.post("/en/account/messages/read-all/").status_code == 403
    message.refresh_from_db()
    assert message.read_at is None


def test_mark_all_as_read_marks_only_the_persons_own():
    amina, omar = citizen(), other()
    for _ in range(3):
        tell(amina)
    his = tell(omar)
    client = signed_in(amina)
    assert "Mark all as read" in inbox_html(client)
    response = client.post("/en/account/messages/read-all/")
    assert response.status_code == 302 and response["Location"] == "/en/account/messages/"
    html = client.get(response["Location"]).content.decode()
    assert "All your messages were marked as read." in html and "data-unread" not in html
    assert unread_count(user=amina) == 0
    his.refresh_from_db()
    assert his.read_at is None
    html = client.get("/en/account/messages/").content.decode()
    assert "Mark all as read" not in html
    response = client.post("/en/account/messages/read-all/")
    assert "You had no unread messages." in client.get(response["Location"]).content.decode()


# ------------------------------------------------------------------------------------------------ the read helpers


def test_the_read_helpers_answer_for_the_person_only():
    amina, omar = citizen(), other()
    mine = [tell(amina) for _ in range(2)]
    tell(omar)
    assert [m.uuid for m in inbox_of(user=amina)] == [m.uuid for m in reversed(mine)]
    assert unread_count(user=amina) == 2
    assert inbox_all_read(user=amina) == 2
    assert inbox_all_read(user=amina) == 0
    assert unread_count(user=omar) == 1
    from django.contrib.auth.models import AnonymousUser

    assert unread_count(user=AnonymousUser()) == 0 and not inbox_of(user=AnonymousUser()).exists()


# ------------------------------------------------------------------------------------------------ the header


def test_the_header_shows_the_unread_count_in_a_badge_and_in_words():
    amina = citizen()
    for _ in range(3):
        tell(amina)
    client = signed_in(amina)
    html = client.get("/en/help/").content.decode()
    assert re.search(r'data-testid="unread-badge">3</span><span class="sr-only">\(3 unread\)</span>', html)
    assert 'href="/en/account/messages/"' in html
    arabic = client.get("/ar/help/").content.decode()
    assert 'data-testid="unread-badge">3<' in arabic and "الرسائل" in arabic
    inbox_all_read(user=amina)
    html = client.get("/en/help/").content.decode()
    assert 'data-testid="messages-link"' in html and "unread-badge" not in html


def test_a_large_count_is_shortened_in_the_badge_but_not_in_words():
    amina = citizen()
    for _ in range(100):
        tell(amina)
    html = signed_in(amina).get("/en/help/").content.decode()
    assert 'data-testid="unread-badge">99+</span>' in html and "(100 unread)" in html


def test_the_header_counts_with_one_query_and_not_at_all_for_visitors():
    amina = citizen()
    tell(amina)
    client = signed_in(amina)
    client.get("/en/help/")
    with CaptureQueriesContext(connection) as seen:
        client.get("/en/help/")
    counts = [q["sql"] for q in seen.captured_queries if "notifications_message" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()
    with CaptureQueriesContext(connection) as seen:
        html = Client().get("/en/help/").content.decode()
    assert not [q for q in seen.captured_queries if "notifications_message" in q["sql"]]
    assert "messages-link" not in html


def test_the_inbox_page_counts_unread_once_for_the_header_and_the_button():
    amina = citizen()
    tell(amina)
    client = signed_in(amina)
    inbox_html(client)
    with CaptureQueriesContext(connection) as seen:
        inbox_html(client)
    counts = [
        q
        for q in seen.captured_queries
        if "COUNT(" in q["sql"].upper() and "notifications_message" in q["sql"]
    ]
    assert len(counts) == 1


def test_the_account_page_leads_to_the_inbox_and_the_preferences():
    html = signed_in(citizen()).get("/en/account/").content.decode()
    assert 'href="/en/account/messages/"' in html and 'href="/en/account/notifications/"' in html


# ------------------------------------------------------------------------------------------------ in a browser


PASSWORD = "Nile-delta-2026"


def look(page, name: str, failures: dict) -> None:
    serious = axe_serious(page)
    shot(page, name)
    if serious:
        failures[name] = serious


def browser_sign_in(page, base: str, lang: str, user: User) -> None:
    page.goto(f"{base}/{lang}/account/sign-in/?next=/{lang}/account/")
    page.fill("#id_national_id", user.national_id)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/account/sign-in/code/")
    page.fill("#id_code", last_code(user.mobile))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/account/")


@pytest.mark.browser
@pytest.mark.usefixtures("demo_catalogue_live")
def test_a_citizen_reads_their_messages_and_chooses_how_to_be_told(browser, live_server):
    amina = citizen(language="ar")
    amina.set_password(PASSWORD)
    amina.save()
    application = submit(amina)
    tell(amina, "BWB-2026-000778", service="تجديد جواز السفر", day="5 ديسمبر 2026")
    tell(amina, "BWB-2026-000779", service="شهادة ميلاد", day="6 ديسمبر 2026")
    dispatch_all()  # their SMS copies go out now, before the sign-in code is read from the same phone
    failures: dict = {}
    for lang in ("ar", "en"):
        context = browser.new_context(
            bypass_csp=True,
            locale="ar-EG" if lang == "ar" else "en-GB",
            viewport={"width": 1280, "height": 900},
        )
        page = context.new_page()
        browser_sign_in(page, live_server.url, lang, amina)
        unread = unread_count(user=amina)
        badge = page.get_by_test_id("unread-badge")
        assert badge.is_visible() and badge.inner_text() == str(unread)
        link = page.get_by_test_id("messages-link")
        assert f"{unread}" in link.inner_text()
        look(page, f"inbox-header-{lang}", failures)

        link.click()
        page.wait_for_url(f"**/{lang}/account/messages/")
        messages = page.get_by_test_id("message")
        assert messages.count() == 3
        assert page.locator("[data-unread]").count() == unread
        assert page.locator(f'a[href="/{lang}/account/applications/{application.uuid}/"]').is_visible()
        look(page, f"inbox-{lang}", failures)
        page.set_viewport_size(
            {"width": 390, "height": 844}
        )  # a phone: the header wraps, the badge stays legible
        look(page, f"inbox-phone-{lang}", failures)
        page.set_viewport_size({"width": 1280, "height": 900})

        page.locator("[data-unread] form button").first.click()
        page.wait_for_url(f"**/{lang}/account/messages/#message-*")
        assert page.get_by_role("status").first.is_visible()
        assert page.get_by_test_id("unread-badge").inner_text() == str(unread - 1)
        assert unread_count(user=amina) == unread - 1
        look(page, f"inbox-marked-{lang}", failures)

        page.locator(f'main a[href="/{lang}/account/notifications/"]').click()
        page.wait_for_url(f"**/{lang}/account/notifications/")
        look(page, f"notification-preferences-{lang}", failures)
        page.fill("#id_quiet_from", "23:30")
        page.fill("#id_quiet_until", "23:30")
        page.locator("main form button[type=submit]").click()
        assert page.locator("#error-summary").is_visible()
        look(page, f"notification-preferences-error-{lang}", failures)
        page.fill("#id_quiet_until", "06:15")
        page.uncheck("#id_sms")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"**/{lang}/account/notifications/")
        assert page.get_by_role("status").first.is_visible()
        assert not page.is_checked("#id_sms") and page.input_value("#id_quiet_until") == "06:15"
        look(page, f"notification-preferences-saved-{lang}", failures)
        context.close()
        saved = Preference.objects.get(user=amina)
        assert (saved.sms, saved.quiet_from, saved.quiet_until) == (False, time(23, 30), time(6, 15))
        Preference.objects.filter(user=amina).delete()
    assert failures == {}
