"""The back office in a real browser: an agency admin adds a member, who activates and signs in; every page axe-clean."""

from datetime import date

import pytest
from django.utils import timezone

from bawaba.accounts.models import Delegation, StaffRole, User
from bawaba.accounts.national_id import NationalIdRule, make
from bawaba.testing.browser import axe_serious, shot, staff_sign_in

from .helpers import PASSWORD, citizen, last_code, staff

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]
MEMBER_PASSWORD = "Cotton-field-2026"


def look(page, name: str, failures: dict) -> None:
    """Screenshot the page, and keep axe-core's serious findings on it."""
    serious = axe_serious(page)
    shot(page, name)
    if serious:
        failures[name] = serious


def submit(page, form: str = "main form") -> None:
    page.locator(f"{form} button[type=submit]").first.click()


def test_an_agency_admin_adds_a_member_who_activates_and_signs_in(browser, live_server):
    admin = staff("civil-admin", (StaffRole.AGENCY_ADMIN, "civil-status"), mobile="+201000000002")
    failures: dict = {}

    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="ar-EG")
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/staff/")
    staff_sign_in(page, username="civil-admin", password=PASSWORD, mobile=admin.mobile)
    page.wait_for_url(f"{live_server.url}/ar/staff/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "مصلحة الأحوال المدنية" in page.content()
    look(page, "staff-home-ar", failures)

    page.locator("#roles a[href$='/agencies/civil-status/staff/']").click()
    page.wait_for_url("**/ar/staff/agencies/civil-status/staff/")
    look(page, "staff-list-ar", failures)

    page.locator("main a[href$='/staff/new/']").click()
    submit(page)  # empty: every required field is named
    assert page.locator("#error-summary").is_visible()
    look(page, "staff-add-errors-ar", failures)
    page.fill("#id_username", "mona.fathy")
    page.fill("#id_full_name", "منى فتحي")
    page.fill("#id_mobile", "01012345670")
    page.check("input[name=roles][value=officer]")
    page.fill("#id_office", "مكتب الجيزة")
    submit(page)
    page.wait_for_url("**/ar/staff/agencies/civil-status/staff/*/")
    member = User.objects.get(username="mona.fathy")
    assert not member.has_usable_password()
    assert page.locator("[role=status]").first.is_visible()
    look(page, "staff-member-ar", failures)

    # The new member, on their own device: the code from the SMS, a password, then the staff sign-in.
    newcomer_context = browser.new_context(bypass_csp=True, locale="ar-EG")
    newcomer = newcomer_context.new_page()
    newcomer.goto(f"{live_server.url}/ar/staff/activate/")
    look(newcomer, "staff-activate-ar", failures)
    newcomer.fill("#id_username", "mona.fathy")
    newcomer.fill("#id_code", last_code("+201012345670"))
    newcomer.fill("#id_password", MEMBER_PASSWORD)
    newcomer.fill("#id_password_again", MEMBER_PASSWORD)
    submit(newcomer)
    newcomer.wait_for_url("**/ar/staff/activate/done/")
    look(newcomer, "staff-activated-ar", failures)
    newcomer.locator("main a.aegov-btn").click()
    staff_sign_in(newcomer, username="mona.fathy", password=MEMBER_PASSWORD, mobile="+201012345670")
    newcomer.wait_for_url(f"{live_server.url}/ar/staff/")
    assert "منى فتحي" in newcomer.content()
    newcomer_context.close()

    # The same pages in English.
    page.get_by_test_id("language-switch").click()
    page.wait_for_url("**/en/staff/agencies/civil-status/staff/*/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert "active" in page.content()
    look(page, "staff-member-en", failures)
    for path, name in (
        ("/en/staff/", "staff-home-en"),
        ("/en/staff/agencies/civil-status/staff/", "staff-list-en"),
        ("/en/staff/agencies/civil-status/staff/new/", "staff-add-en"),
        ("/en/staff/activate/", "staff-activate-en"),
        ("/en/staff/activate/done/", "staff-activated-en"),
    ):
        page.goto(f"{live_server.url}{path}")
        look(page, name, failures)
    context.close()
    assert failures == {}


def test_an_officer_records_and_ends_a_child_delegation(browser, live_server):
    officer = staff("civil-officer", (StaffRole.OFFICER, "civil-status"), mobile="+201000000003")
    parent = citizen()
    today = timezone.localdate()
    child = make(
        birth_date=date(today.year - 6, 3, 14), region="02", serial=21, sex="female", rule=NationalIdRule()
    )
    failures: dict = {}
    for lang in ("ar", "en"):
        context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/staff/agencies/civil-status/delegations/")
        staff_sign_in(page, username="civil-officer", password=PASSWORD, mobile=officer.mobile)
        page.wait_for_url("**/staff/agencies/civil-status/delegations/")
        look(page, f"staff-delegations-empty-{lang}", failures)

        page.locator("main a[href$='/child/new/']").first.click()
        page.fill("#id_parent_national_id", parent.national_id)
        page.fill("#id_child_national_id", "29103090104240")  # an adult
        page.fill("#id_child_name", "Laila Samir")
        page.fill("#id_evidence", "birth record 2020/4411")
        submit(page)
        assert page.locator("#error-summary").is_visible()
        look(page, f"staff-child-refused-{lang}", failures)
        page.fill("#id_child_national_id", child)
        submit(page)
        page.wait_for_url("**/staff/agencies/civil-status/delegations/")
        look(page, f"staff-delegations-{lang}", failures)

        delegation = Delegation.objects.get(revoked_at=None)
        page.locator(f"main a[href$='/{delegation.uuid}/end/']").click()
        look(page, f"staff-delegation-end-{lang}", failures)
        page.fill("#id_reason", "Court decision 2026/12")
        submit(page)
        page.wait_for_url("**/staff/agencies/civil-status/delegations/")
        delegation.refresh_from_db()
        assert delegation.revoked_at is not None

        page.goto(f"{live_server.url}/{lang}/staff/agencies/commerce/delegations/")
        assert page.locator("main a[href*='/delegations/']").count() == 0
        look(page, f"staff-forbidden-{lang}", failures)
        context.close()
    assert failures == {}
