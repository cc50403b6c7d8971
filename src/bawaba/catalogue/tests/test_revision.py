"""The catalogue revision: changed at once in the publishing process, within the TTL in the others."""

import time

from django.core.cache import cache

from bawaba.catalogue import revision


def test_bump_is_seen_at_once_by_the_process_that_published(settings):
    settings.BAWABA_CATALOGUE_REVISION_TTL = 60
    before = revision.current()
    revision.bump()
    assert revision.current() != before


def test_another_processs_bump_is_seen_once_the_ttl_has_passed(settings, monkeypatch):
    settings.BAWABA_CATALOGUE_REVISION_TTL = 1
    seen = revision.current()
    cache.set(revision.KEY, "published-elsewhere", timeout=None)
    assert revision.current() == seen  # remembered for up to a second
    later = time.monotonic() + 1.5
    monkeypatch.setattr(revision.time, "monotonic", lambda: later)
    assert revision.current() == "published-elsewhere"


def test_with_no_ttl_every_read_goes_to_the_shared_cache(settings):
    settings.BAWABA_CATALOGUE_REVISION_TTL = 0
    revision.current()
    cache.set(revision.KEY, "fresh", timeout=None)
    assert revision.current() == "fresh"
