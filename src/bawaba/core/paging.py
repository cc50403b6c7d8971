"""Pages of a list, counted only when there is more than one.

Django's Paginator counts the whole list before showing any page. Most lists people open (their own
applications, a quiet queue) fit on one page: the first page is read with one row more than it shows, and when
that row is not there the count is already known, so the COUNT query is never sent.
"""

from django.core.paginator import Page, Paginator

__all__ = ["page_get"]


def page_get(object_list, number, per_page: int) -> Page:
    """What Paginator(object_list, per_page).get_page(number) gives, the same for any `number`."""
    paginator = Paginator(object_list, per_page)
    if str(number or "1").strip() == "1":
        rows = list(object_list[: per_page + 1])
        if len(rows) <= per_page:
            paginator.count = len(rows)  # a cached_property: set, it is never computed
            return Page(rows, 1, paginator)
    return paginator.get_page(number)
