"""Whole-page cache for anonymous visitors, per language and page, dropped when the catalogue changes."""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from bawaba.catalogue.selectors import catalogue_revision


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
            key = f"page:{catalogue_revision()}:{get_language()}:{path}"
            if (hit := cache.get(key)) is not None:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            # A page that used the CSRF token or set a cookie belongs to one visitor only.
            personal = response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            if response.status_code == 200 and not personal and not response.streaming:
                cache.set(
                    key, (response.content, response["Content-Type"]), settings.BAWABA_PAGE_CACHE_SECONDS
                )
            return response

        return wrapper

    return decorator
