"""A page is the same with or without the count, and the count is skipped only when one page holds it all."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bawaba.core.models import ReferenceCounter
from bawaba.core.paging import page_get


@pytest.fixture
def counters():
    ReferenceCounter.objects.bulk_create(ReferenceCounter(prefix="PG", year=2000 + n) for n in range(7))
    return ReferenceCounter.objects.filter(prefix="PG").order_by("year")


@pytest.mark.django_db
@pytest.mark.parametrize("per_page", [3, 7, 10])
@pytest.mark.parametrize("number", [None, "", "1", "2", "3", "9", "x", "-1"])
def test_a_page_is_what_django_s_paginator_gives(counters, per_page, number):
    from django.core.paginator import Paginator

    expected = Paginator(counters, per_page).get_page(number)
    page = page_get(counters, number, per_page)
    assert list(page) == list(expected)
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (
        expected.number,
        expected.paginator.count,
        expected.paginator.num_pages,
    )
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())


@pytest.mark.django_db
def test_one_page_is_read_in_one_query_and_a_longer_list_is_counted(counters):
    with CaptureQueriesContext(connection) as queries:
        page = page_get(counters, "1", 10)
    assert len(queries) == 1 and page.paginator.count == 7
    with CaptureQueriesContext(connection) as queries:
        page = page_get(counters, "1", 3)
    assert any("COUNT" in q["sql"] for q in queries.captured_queries) and page.paginator.num_pages == 3
