"""A citizen in a real browser: Debian's Chromium driven by Playwright, axe-core for accessibility."""

import gzip
from urllib.parse import urlparse
from urllib.request import urlopen

import pytest

from bawaba.testing.browser import axe_serious, shot

from .idp_process import identity_provider, provider_settings

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_catalogue_live")]

PAGES = [
    "/{lang}/",
    "/{lang}/services/",
    "/{lang}/services/civil.id-card.renew/",
    "/{lang}/categories/",
    "/{lang}/categories/family/",
    "/{lang}/agencies/",
    "/{lang}/agencies/traffic/",
    "/{lang}/life-events/",
    "/{lang}/life-events/having-a-baby/",
    "/{lang}/search/?q=passport",
    "/{lang}/search/?q=zzzz",
    "/{lang}/help/",
    "/{lang}/account/sign-in/",
    "/{lang}/account/register/",
    "/{lang}/no-such-page/",
]


def test_citizen_browses_home_category_service_then_switches_to_english(page, live_server):
    page.goto(f"{live_server.url}/")
    assert page.url.endswith("/ar/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    shot(page, "home-ar")

    page.get_by_role("link", name="الأسرة والأحوال المدنية").first.click()
    assert page.url.endswith("/ar/categories/family/")
    assert page.get_by_role("heading", level=1).inner_text() == "الأسرة والأحوال المدنية"

    page.get_by_role("link", name="تجديد البطاقة الوطنية").click()
    assert page.url.endswith("/ar/services/civil.id-card.renew/")
    assert page.get_by_role("heading", level=1).inner_text() == "تجديد البطاقة الوطنية"
    assert page.locator("html").get_attribute("dir") == "rtl"
    shot(page, "service-ar")

    page.get_by_test_id("language-switch").click()
    assert page.url.endswith("/en/services/civil.id-card.renew/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_role("heading", level=1).inner_text() == "Renew national ID card"
    shot(page, "service-en")

    page.goto(f"{live_server.url}/")
    assert page.url.endswith("/en/"), "the language chosen is remembered"
    shot(page, "home-en")


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_pages_have_no_serious_accessibility_violations(browser, live_server, lang):
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    failures = {}
    for template in PAGES:
        path = template.format(lang=lang)
        page.goto(f"{live_server.url}{path}")
        serious = axe_serious(page)
        if serious:
            failures[path] = serious
    context.close()
    assert failures == {}


def test_account_page_has_no_serious_accessibility_violations(browser, live_server):
    from django.utils import timezone

    from bawaba.accounts.models import User

    User.objects.create_user(
        "citizen-a11y",
        password="Cedar-tree-2026",
        national_id="29103090104240",
        mobile="+201012345678",
        mobile_verified_at=timezone.now(),
    )
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/account/sign-in/")
    page.fill("#id_national_id", "29103090104240")
    page.fill("#id_password", "Cedar-tree-2026")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue without the code (some services will ask for it)").click()
    page.goto(f"{live_server.url}/en/account/")
    serious = axe_serious(page)
    shot(page, "account-en")
    context.close()
    assert serious == []


def test_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/")
    page.get_by_label("ماذا تحتاج؟").fill("جواز السفر")
    page.get_by_role("button", name="بحث").click()
    assert "/ar/search/" in page.url
    page.get_by_role("link", name="تجديد جواز السفر").click()
    assert page.get_by_role("heading", level=1).inner_text() == "تجديد جواز السفر"
    page.locator("summary").first.click()
    assert page.locator("details").first.get_attribute("open") is not None
    page.goto(f"{live_server.url}/ar/services/?channel=abroad")
    assert page.locator("#channel").input_value() == "abroad"
    shot(page, "services-abroad-nojs-ar")
    context.close()


def test_home_page_weighs_under_150_kb_compressed(page, live_server):
    page.goto(f"{live_server.url}/ar/")
    page.wait_for_load_state("networkidle")
    urls = [page.url, *page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")]
    total = 0
    for url in {u.split("#")[0] for u in urls}:
        assert urlparse(url).hostname == urlparse(live_server.url).hostname, f"third-party request: {url}"
        body = urlopen(url).read()
        total += len(body) if url.endswith(".woff2") else len(gzip.compress(body, 6))
    assert total < 150 * 1024, f"home page weighs {total / 1024:.0f} KB compressed"


def test_citizen_signs_in_with_the_national_digital_id(browser, live_server, settings):
    callbacks = [f"{live_server.url}/{lang}/account/oidc/national-id/callback/" for lang in ("ar", "en")]
    with identity_provider(redirect_uris=callbacks) as issuer:
        settings.BAWABA_OIDC_PROVIDERS = provider_settings(issuer)
        context = browser.new_context(locale="ar-EG")
        page = context.new_page()
        page.goto(f"{live_server.url}/ar/account/sign-in/")
        shot(page, "sign-in-ar")
        page.get_by_role("link", name="الهوية الرقمية الوطنية").click()
        assert page.url.startswith(issuer)
        shot(page, "national-id-provider")
        page.fill("#national_id", "29103090104240")
        page.fill("#pin", "1991")
        page.get_by_role("button", name="تأكيد الهوية Confirm").click()
        assert page.url.startswith(live_server.url)
        page.goto(f"{live_server.url}/ar/account/")
        assert "مرتفع" in page.content()  # high assurance
        context.close()


def test_certificate_sign_in_page_is_accessible_in_both_languages(browser, live_server, settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    call_command("pki", "demo-ca", "--dir", str(tmp_path), stdout=StringIO())
    settings.BAWABA_PKI_ROOTS = str(tmp_path / "root.pem")
    settings.BAWABA_PKI_CRLS = [str(tmp_path / "national-ca.crl.pem")]
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    for lang in ("ar", "en"):
        page.goto(f"{live_server.url}/{lang}/account/certificate/")
        serious = axe_serious(page)
        shot(page, f"certificate-{lang}")
        assert serious == []
    context.close()
