"""/healthz: a load balancer takes the node out when the database or the worker is gone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bawaba.core.management.commands.worker import Heartbeat
from bawaba.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_no_worker_ever_seen_is_degraded(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok" and response.json()["worker"] == "never seen"


def test_fresh_heartbeat_is_healthy(client):
    Heartbeat("w1", 10).beat()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["worker_heartbeat_age_seconds"] < 5


def test_stale_heartbeat_is_degraded(client):
    Heartbeat("w1", 10).beat()
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=5))
    body = client.get("/healthz").json()
    assert body["worker"] == "stale" and body["worker_heartbeat_age_seconds"] >= 300


def test_health_is_never_cached(client):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
