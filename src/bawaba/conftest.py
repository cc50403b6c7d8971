"""Fixtures shared by every app's tests."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from hypothesis import settings as hypothesis_settings

# Property tests check what holds, not how fast: a busy CI machine must not fail them on a timing deadline.
hypothesis_settings.register_profile("bawaba", deadline=None)
hypothesis_settings.load_profile("bawaba")


def publish_demo_catalogue():
    from bawaba.catalogue.definitions_loader import read_catalogue
    from bawaba.catalogue.services import catalogue_publish

    catalogue = read_catalogue(Path(settings.BAWABA_CATALOGUE_DIR))
    assert not catalogue.errors, "\n".join(map(str, catalogue.errors))
    return catalogue_publish(catalogue=catalogue, actor="test")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo catalogue is published once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        publish_demo_catalogue()


@pytest.fixture(autouse=True)
def _fresh_cache():
    for alias in settings.CACHES:
        caches[alias].clear()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _english_until_asked():
    """Each test starts in English, whatever the test before it left active (a request's language stays
    active on its thread): a test that reads Arabic asks for it."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def demo_catalogue_live(transactional_db):
    """For live-server tests, whose database is emptied after each test."""
    publish_demo_catalogue()


@pytest.fixture
def payment_gateway(tmp_path, settings):
    """The sandbox card gateway as its own process, and the platform set up as its merchant "shop"."""
    from bawaba.paygw.tests.gateway import SECRET, gateway_process

    with gateway_process(tmp_path) as running:
        settings.BAWABA_PAYMENT_GATEWAY_OPTIONS = {
            "paygw": {"url": running.url, "merchant": "shop", "secret": SECRET}
        }
        yield running


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar-EG")
    page = context.new_page()
    yield page
    context.close()
