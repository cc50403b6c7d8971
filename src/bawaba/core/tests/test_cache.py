"""The Redis cache backend, against the local Redis server: one client per pool, same behaviour as Django's."""

import os
import uuid

import pytest

from bawaba.core.cache import PooledRedisCache

REDIS_URL = os.environ.get("BAWABA_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_cache():
    cache = PooledRedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})
    yield cache
    cache.clear()


def test_values_round_trip_and_get_many_reads_them_together(redis_cache):
    redis_cache.set("page", (b"<html>\xd8\xa8</html>", "text/html"), 60)
    redis_cache.set("revision", "abc", None)
    assert redis_cache.get_many(["revision", "page", "missing"]) == {
        "revision": "abc",
        "page": (b"<html>\xd8\xa8</html>", "text/html"),
    }
    assert redis_cache.add("revision", "other") is False


def test_one_client_serves_every_call(redis_cache):
    client = redis_cache._cache.get_client()
    redis_cache.get("anything")
    assert redis_cache._cache.get_client(write=True) is client
