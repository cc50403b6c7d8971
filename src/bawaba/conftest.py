"""Fixtures shared by every app's tests."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches


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


@pytest.fixture
def demo_catalogue_live(transactional_db):
    """For live-server tests, whose database is emptied after each test."""
    publish_demo_catalogue()
