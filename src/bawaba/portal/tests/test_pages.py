"""The public pages a citizen browses, in Arabic and English, cached for anonymous visitors."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bawaba.catalogue import revision
from bawaba.catalogue.models import Service

pytestmark = pytest.mark.django_db

PAGES = [
    "/{lang}/",
    "/{lang}/services/",
    "/{lang}/services/civil.id-card.renew/",
    "/{lang}/services/traffic.fine.pay/",
    "/{lang}/agencies/",
    "/{lang}/agencies/civil-status/",
    "/{lang}/categories/",
    "/{lang}/categories/family/",
    "/{lang}/life-events/",
    "/{lang}/life-events/having-a-baby/",
    "/{lang}/search/?q=passport",
    "/{lang}/help/",
    "/{lang}/account/sign-in/",
]


@pytest.mark.parametrize("lang,direction", [("ar", "rtl"), ("en", "ltr")])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages_with_a_switch_to_the_same_page(client, page, lang, direction):
    response = client.get(page.format(lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    other = "en" if lang == "ar" else "ar"
    switch = re.search(
        r'<a href="([^"]+)" lang="(\w+)" hreflang="\w+"[^>]*data-testid="language-switch"', html
    )
    assert switch and switch.group(2) == other
    assert switch.group(1).replace("&amp;", "&") == page.format(lang=other)


def test_root_sends_visitors_to_arabic_by_default(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/ar/"


def test_root_follows_the_browser_language_when_it_is_one_we_speak(client):
    assert client.get("/", headers={"accept-language": "en-US,en;q=0.9"})["Location"] == "/en/"
    assert client.get("/", headers={"accept-language": "fr-FR"})["Location"] == "/ar/"


def test_root_remembers_the_language_last_chosen(client):
    client.get("/en/")
    assert client.get("/")["Location"] == "/en/"


def test_service_page_shows_what_a_citizen_needs_to_know(client):
    html = client.get("/ar/services/civil.id-card.renew/").content.decode()
    service = Service.objects.get(code="civil.id-card.renew")
    definition = service.definition
    assert service.name_ar in html
    for document in definition.get("documents", []):
        assert document["name"]["ar"] in html
    for faq in definition.get("faqs", []):
        assert faq["q"]["ar"] in html
    assert 'href="/ar/services/civil.id-card.renew/start/"' in html


def test_english_service_page_is_in_english(client):
    html = client.get("/en/services/civil.id-card.renew/").content.decode()
    assert "Renew national ID card" in html and "Documents you need" in html
    assert "تجديد البطاقة الوطنية" not in html


def test_unknown_service_is_a_translated_404(client):
    response = client.get("/ar/services/no.such.service/")
    assert response.status_code == 404
    assert "لم نجد هذه الصفحة" in response.content.decode()


def test_withdrawn_services_are_not_shown(client):
    Service.objects.filter(code="civil.id-card.renew").update(status=Service.Status.WITHDRAWN)
    assert client.get("/ar/services/civil.id-card.renew/").status_code == 404


def test_start_asks_for_sign_in(client):
    response = client.get("/ar/services/civil.id-card.renew/start/")
    assert response.status_code == 302
    assert response["Location"].startswith("/ar/account/sign-in/?next=")


@pytest.mark.parametrize("query", ["جواز", "الجواز", "passport", "PASSPORT", "جوار السفر"])
def test_search_finds_services_across_spellings(client, query):
    html = client.get("/ar/search/", {"q": query}).content.decode()
    if query == "جوار السفر":
        assert "لم نجد أي خدمة" in html  # a typo: no match yet, but a way forward
        assert "/ar/categories/" in html
    else:
        assert "/ar/services/passport.renew/" in html


def test_search_folds_hamza_and_ta_marbuta(client):
    html = client.get("/ar/search/", {"q": "شهاده ميلاد"}).content.decode()
    assert "/ar/services/civil.birth.certificate/" in html


class TestPageCache:
    def test_anonymous_pages_are_served_from_cache_until_the_catalogue_changes(
        self, client, django_assert_num_queries
    ):
        client.get("/ar/services/civil.id-card.renew/")
        with django_assert_num_queries(0):
            assert client.get("/ar/services/civil.id-card.renew/").status_code == 200
        Service.objects.filter(code="civil.id-card.renew").update(name_ar="اسم جديد")
        revision.bump()
        assert "اسم جديد" in client.get("/ar/services/civil.id-card.renew/").content.decode()

    def test_a_page_rendered_by_another_process_is_served_from_the_shared_cache(
        self, client, django_assert_num_queries
    ):
        client.get("/en/agencies/")
        caches["responses"].clear()  # a fresh process: nothing of its own yet
        with django_assert_num_queries(0):
            assert "Government agencies" in client.get("/en/agencies/").content.decode()

    def test_languages_are_cached_apart(self, client):
        client.get("/ar/")
        assert "Government services, in one place" in client.get("/en/").content.decode()

    def test_unknown_query_parameters_bypass_the_cache(self, client):
        client.get("/ar/?junk=1")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/ar/?junk=1").status_code == 200
        assert len(queries) > 0

    def test_signed_in_visitors_are_never_served_a_cached_page(self, client, django_user_model):
        client.get("/ar/")
        user = django_user_model.objects.create_user("amina", password="x" * 12)
        signed_in = Client()
        signed_in.force_login(user)
        assert "تسجيل الخروج" in signed_in.get("/ar/").content.decode()


def test_a_new_release_never_serves_pages_cached_by_the_previous_one(client, settings):
    from bawaba.core import response_cache

    client.get("/en/agencies/")
    response_cache.release.cache_clear()
    settings.BAWABA_RELEASE = "next-release"
    try:
        with CaptureQueriesContext(connection) as queries:
            client.get("/en/agencies/")
        assert len(queries) > 0, "rendered again, not served from the old release's cache"
    finally:
        response_cache.release.cache_clear()
