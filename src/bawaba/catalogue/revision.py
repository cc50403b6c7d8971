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


def current_with(*keys: str) -> tuple[str, dict]:
    """The revision and the cached values of `keys`, read in one round trip to the cache."""
    values = cache.get_many([KEY, *keys])
    revision = values.pop(KEY, None) or current()
    return revision, values
