"""/api/v1/services: filters, pagination, detail, errors, and the committed OpenAPI schema."""

import json

import pytest
from django.conf import settings
from django.test import Client

from bawaba.api.urls import api
from bawaba.catalogue.models import Service

pytestmark = pytest.mark.django_db


def get(client: Client, url: str, **params):
    response = client.get(url, params)
    return response.status_code, response.json()


def test_list_is_paginated_and_counts_every_active_service(client):
    status, body = get(client, "/api/v1/services", page_size=10)
    assert status == 200
    assert body["count"] == Service.objects.filter(status="active").count()
    assert len(body["items"]) == 10
    status, page_two = get(client, "/api/v1/services", page_size=10, page=2)
    assert {i["code"] for i in body["items"]}.isdisjoint({i["code"] for i in page_two["items"]})


@pytest.mark.parametrize(
    "params,check",
    [
        ({"agency": "traffic"}, lambda item: item["agency"] == "traffic"),
        ({"category": "family"}, lambda item: item["category"] == "family"),
        ({"life_event": "having-a-baby"}, lambda item: "having-a-baby" in item["life_events"]),
        ({"channel": "abroad"}, lambda item: "abroad" in item["channels"]),
    ],
)
def test_filters(client, params, check):
    status, body = get(client, "/api/v1/services", page_size=200, **params)
    assert status == 200 and body["count"] > 0
    assert all(check(item) for item in body["items"])


def test_unknown_channel_is_a_clear_422(client):
    status, body = get(client, "/api/v1/services", channel="pigeon")
    assert status == 422
    assert "channel" in json.dumps(body)


def test_page_size_is_bounded(client):
    status, body = get(client, "/api/v1/services", page_size=100000)
    assert status == 200 and len(body["items"]) <= 200


def test_detail_carries_the_full_definition(client):
    status, body = get(client, "/api/v1/services/passport.renew")
    assert status == 200
    assert body["code"] == "passport.renew" and body["agency"] == "passports"
    assert body["name_ar"] == "تجديد جواز السفر"
    assert body["description"]["en"] and body["version"] >= 1
    assert isinstance(body["documents"], list) and isinstance(body["faqs"], list)


def test_unknown_service_is_a_404_with_a_reason(client):
    status, body = get(client, "/api/v1/services/no.such.thing")
    assert status == 404 and body["detail"]


def test_committed_openapi_schema_matches_the_code():
    committed = json.loads((settings.PROJECT_DIR / "openapi" / "v1.json").read_text())
    current = json.loads(json.dumps(api.get_openapi_schema()))
    assert committed == current, "the API changed: run `make openapi` and commit openapi/v1.json"


def test_openapi_is_served(client):
    status, body = get(client, "/api/v1/openapi.json")
    assert status == 200 and "/api/v1/services" in body["paths"]


def test_withdrawn_services_leave_the_api_but_keep_their_versions(client):
    from bawaba.catalogue.tests.factories import ServiceFactory

    live = ServiceFactory(code="test.live.issue", agency__code="test-agency")
    gone = ServiceFactory(code="test.gone.issue", agency__code="test-agency", withdrawn=True)
    status, body = get(client, "/api/v1/services", agency="test-agency")
    assert status == 200 and [item["code"] for item in body["items"]] == [live.code]
    assert get(client, f"/api/v1/services/{gone.code}")[0] == 404
    assert gone.versions.count() == 1


def test_catalogue_responses_are_cached_until_the_catalogue_changes(client, django_assert_num_queries):
    from bawaba.catalogue import revision

    first = client.get("/api/v1/services", {"agency": "traffic"}).json()
    with django_assert_num_queries(0):
        assert client.get("/api/v1/services", {"agency": "traffic"}).json() == first
    Service.objects.filter(code="traffic.fine.pay").update(name_en="Pay your fines")
    revision.bump()
    names = {
        i["code"]: i["name_en"] for i in client.get("/api/v1/services", {"agency": "traffic"}).json()["items"]
    }
    assert names["traffic.fine.pay"] == "Pay your fines"
