"""The agency's back office in a real browser: an officer signs in with a password and an SMS code, filters the
queue, opens an application, receives it, starts the review and asks for more information from a ready-made
text; confirms the receipt of several at once; the supervisor sees the team and reassigns. Every page is
axe-clean, in Arabic and in English."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bawaba.accounts.models import StaffRole
from bawaba.audit.models import AuditEntry
from bawaba.cases.models import Application
from bawaba.cases.tests.test_services import citizen, submit
from bawaba.testing.browser import staff_sign_in

from .helpers import PASSWORD, staff
from .test_backoffice_browser import look

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]
QUEUE = "/staff/agencies/municipality/applications/"


def new_context(browser, locale: str):
    return browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, locale=locale)


def test_an_officer_works_the_queue_and_the_supervisor_sees_the_team(browser, live_server):
    officer = staff("youssef", (StaffRole.OFFICER, "municipality"), mobile="+201000000004")
    supervisor = staff("nadia", (StaffRole.SUPERVISOR, "municipality"), mobile="+201000000005")
    amina = citizen()
    first, second, third = (submit(amina, key=f"k{i}") for i in range(3))
    # The third has waited too long: filed weeks ago, overdue, and already escalated by the SLA sweep.
    long_ago = timezone.now() - timedelta(days=40)
    third.timeline.update(at=long_ago)
    Application.objects.filter(pk=third.pk).update(
        submitted_at=long_ago,
        state_since=long_ago,
        due_on=timezone.localdate() - timedelta(days=10),
        sla_breached_at=timezone.now(),
    )
    failures: dict = {}

    context = new_context(browser, "ar-EG")
    page = context.new_page()
    page.goto(f"{live_server.url}/ar{QUEUE}")
    staff_sign_in(page, username="youssef", password=PASSWORD, mobile=officer.mobile)
    page.wait_for_url(f"{live_server.url}/ar{QUEUE}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    for application in (first, second, third):
        assert page.locator(f"main a[href$='/{application.uuid}/']").count() == 1
    look(page, "staff-queue-ar", failures)

    # Filter: only what is overdue (a GET form: the filters are in the address).
    page.select_option("#id_sla", "breached")
    page.locator("#filters button[type=submit]").click()
    page.wait_for_url("**sla=breached**")
    assert page.locator(f"main a[href$='/{third.uuid}/']").count() == 1
    assert page.locator(f"main a[href$='/{first.uuid}/']").count() == 0
    look(page, "staff-queue-overdue-ar", failures)
    page.locator("#filters a").click()
    page.wait_for_url(f"{live_server.url}/ar{QUEUE}")

    # Open the first one: the opening is on the record.
    page.locator(f"main a[href$='/{first.uuid}/']").click()
    page.wait_for_url(f"**{QUEUE}{first.uuid}/")
    assert AuditEntry.objects.filter(action="cases.application.opened", subject_id=str(first.uuid)).exists()
    look(page, "staff-application-ar", failures)

    # Receive it, start the review.
    for action, state in (("receive", "received"), ("start-review", "in-review")):
        page.locator(f"#act-{action} form[method=post] button[type=submit]").click()
        page.wait_for_selector(f"#state[data-state='{state}']")
        assert page.locator("[role=status]").first.is_visible()

    # Ask for more information, from a ready-made text put in the box (at once with JavaScript; without it the
    # same button reloads the page with the text, see test_queue_pages).
    address = page.url
    page.select_option("#template-request-information", "complaint-location")
    page.locator("#act-request-information form[method=get] button[type=submit]").click()
    box = page.locator("#id_request-information-message")
    page.wait_for_function(
        "document.getElementById('id_request-information-message').value.includes('نرجو تحديد موقع المشكلة')"
    )
    assert page.url == address
    look(page, "staff-application-template-ar", failures)
    box.fill(box.input_value() + " شكرًا لكم.")
    page.locator("#act-request-information form[method=post] button[type=submit]").click()
    page.wait_for_selector("#state[data-state='more-information-requested']")
    assert Application.objects.get(pk=first.pk).state == "more-information-requested"
    assert "شكرًا لكم." in Application.objects.get(pk=first.pk).timeline.last().text
    look(page, "staff-application-asked-ar", failures)

    # Back to the queue: confirm the receipt of the other two at once.
    page.goto(f"{live_server.url}/ar{QUEUE}")
    page.check(f"#pick-{second.uuid}")
    page.check(f"#pick-{third.uuid}")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/ar{QUEUE}")
    assert [Application.objects.get(pk=a.pk).state for a in (second, third)] == ["received", "received"]
    look(page, "staff-queue-received-ar", failures)

    # The same pages in English.
    page.get_by_test_id("language-switch").click()
    page.wait_for_url(f"{live_server.url}/en{QUEUE}")
    assert page.locator("html").get_attribute("dir") == "ltr"
    look(page, "staff-queue-en", failures)
    page.goto(f"{live_server.url}/en{QUEUE}{first.uuid}/")
    assert "More information requested" in page.content()
    look(page, "staff-application-en", failures)
    page.goto(f"{live_server.url}/en{QUEUE}{second.uuid}/?for=reject&template=documents-invalid")
    look(page, "staff-application-reject-template-en", failures)
    context.close()

    # The supervisor: the team, the overdue application, and reassigning it.
    for lang, locale in (("ar", "ar-EG"), ("en", "en-GB")):
        context = new_context(browser, locale)
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}{QUEUE}team/")
        staff_sign_in(page, username="nadia", password=PASSWORD, mobile=supervisor.mobile)
        page.wait_for_url(f"{live_server.url}/{lang}{QUEUE}team/")
        assert page.locator("#count-breached").inner_text().strip() == "1"
        assert page.locator(f"#breached a[href$='/{third.uuid}/']").count() == 1
        look(page, f"staff-team-{lang}", failures)
        if lang == "ar":
            page.select_option(f"#assign-breached-{third.uuid}", str(officer.uuid))
            page.locator(f"#breached form:has(#assign-breached-{third.uuid}) button[type=submit]").click()
            page.wait_for_url(f"{live_server.url}/ar{QUEUE}team/")
            assert Application.objects.get(pk=third.pk).assignee == officer
        context.close()
    assert failures == {}
