"""Whole-response cache for anonymous GET requests, versioned by whatever the response is made from.

Two levels: a bounded copy in the process (no network on a hit) in front of the shared cache (a response
rendered by one process serves all). Each entry carries the version it was rendered from; an entry of an
older version is rendered again, so publishing never needs to find and delete keys.
"""

import hashlib
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.translation import get_language


@cache
def release() -> str:
    """What responses are made of in this release: templates, translations, stylesheet.

    Part of every key, so a deploy never serves what the previous release rendered.
    """
    if configured := settings.BAWABA_RELEASE:
        return configured
    digest = hashlib.blake2b(digest_size=8)
    package = Path(settings.PACKAGE_DIR)
    for pattern in ("**/templates/**/*.html", "locale/**/*.mo", "static/bawaba/app.css"):
        for path in sorted(package.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def anonymous_response_cache(*, version: Callable[[], str], params: tuple[str, ...] = ()):
    """Cache GET responses for visitors without a session; `params` are the query keys the view reads.

    Any other query key bypasses the cache, so junk parameters cannot fill it.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if (
                request.method != "GET"
                or settings.SESSION_COOKIE_NAME in request.COOKIES
                or any(key not in params for key in request.GET)
            ):
                return view(request, *args, **kwargs)
            path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
            key = f"response:{release()}:{get_language()}:{path}"
            current = version()
            local, shared = caches["responses"], caches["default"]
            for level in (local, shared):
                entry = level.get(key)
                if entry is not None and entry[0] == current:
                    if level is shared:
                        local.set(key, entry, settings.BAWABA_RESPONSE_CACHE_SECONDS)
                    return HttpResponse(entry[1], content_type=entry[2])
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            # A response that used the CSRF token or set a cookie belongs to one visitor only.
            personal = response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            if response.status_code == 200 and not personal and not response.streaming:
                entry = (current, response.content, response["Content-Type"])
                for level in (local, shared):
                    level.set(key, entry, settings.BAWABA_RESPONSE_CACHE_SECONDS)
            return response

        return wrapper

    return decorator
