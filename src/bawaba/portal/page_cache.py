"""Whole-page cache for anonymous visitors, per language and page, dropped when the catalogue changes."""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from bawaba.catalogue.selectors import catalogue_revision_with


def anonymous_page_cache(*, params: tuple[str, ...] = ()):
    """Cache GET responses for visitors without a session; `params` are the query keys the page reads.

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
            key = f"page:{get_language()}:{path}"
            # The page is stored with the catalogue revision it was rendered from: one read fetches both,
            # and a page from an older revision is simply rendered again.
            revision, values = catalogue_revision_with(key)
            if (hit := values.get(key)) is not None and hit[0] == revision:
                return HttpResponse(hit[1], content_type=hit[2])
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            # A page that used the CSRF token or set a cookie belongs to one visitor only.
            personal = response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            if response.status_code == 200 and not personal and not response.streaming:
                entry = (revision, response.content, response["Content-Type"])
                cache.set(key, entry, settings.BAWABA_PAGE_CACHE_SECONDS)
            return response

        return wrapper

    return decorator
