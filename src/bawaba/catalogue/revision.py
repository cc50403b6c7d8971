"""A token that changes whenever the published catalogue changes; page caches key on it.

The token lives in the shared cache. Each process may reuse what it read for `BAWABA_CATALOGUE_REVISION_TTL`
seconds, so a publication reaches other processes' page caches within that time (at once in its own).
"""

import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache

KEY = "catalogue:revision"

_local = threading.local()


def _remember(revision: str) -> str:
    _local.revision, _local.read_at = revision, time.monotonic()
    return revision


def current() -> str:
    ttl = settings.BAWABA_CATALOGUE_REVISION_TTL
    if ttl and getattr(_local, "revision", None) and time.monotonic() - _local.read_at < ttl:
        return _local.revision
    revision = cache.get(KEY)
    if revision is None:
        # add(), not set(): two processes starting together agree on one token.
        cache.add(KEY, uuid.uuid4().hex[:12], timeout=None)
        revision = cache.get(KEY)
    return _remember(revision)


def bump() -> None:
    cache.set(KEY, _remember(uuid.uuid4().hex[:12]), timeout=None)
