"""A token that changes whenever the published catalogue changes; page caches key on it."""

import uuid

from django.core.cache import cache

KEY = "catalogue:revision"


def current() -> str:
    revision = cache.get(KEY)
    if revision is None:
        revision = uuid.uuid4().hex[:12]
        # add(), not set(): two processes starting together agree on one token.
        cache.add(KEY, revision, timeout=None)
        revision = cache.get(KEY, revision)
    return revision


def bump() -> None:
    cache.set(KEY, uuid.uuid4().hex[:12], timeout=None)
