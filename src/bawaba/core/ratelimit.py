"""Rate limits shared by every process: counters in the shared cache, fixed windows, growing lock-outs.

Counters live in the cache (Redis in production), never in process memory, so a limit holds across all
web processes and hosts.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window_seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def _window(limit: Limit, now: float) -> int:
    return int(now // limit.window_seconds)


def hit(limit: Limit, key: str, *, now: float | None = None) -> Verdict:
    """Count one attempt for `key`; refuse once the window's attempts are used up."""
    now = time.time() if now is None else now
    window = _window(limit, now)
    counter = f"ratelimit:{limit.name}:{key}:{window}"
    cache.add(counter, 0, timeout=limit.window_seconds + 1)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=limit.window_seconds + 1)
        count = 1
    if count > limit.attempts:
        return Verdict(False, int((window + 1) * limit.window_seconds - now) + 1)
    return Verdict(True)


def peek(limit: Limit, key: str, *, now: float | None = None) -> Verdict:
    """Whether an attempt would be allowed, without counting one."""
    now = time.time() if now is None else now
    count = cache.get(f"ratelimit:{limit.name}:{key}:{_window(limit, now)}", 0)
    if count >= limit.attempts:
        return Verdict(False, int((_window(limit, now) + 1) * limit.window_seconds - now) + 1)
    return Verdict(True)


@dataclass(frozen=True)
class Lockout:
    """After `threshold` failures in a row, lock for `base_seconds`, doubling with each further failure."""

    name: str
    threshold: int
    base_seconds: int
    max_seconds: int = 24 * 3600

    def _keys(self, key: str) -> tuple[str, str]:
        return f"lockout:{self.name}:{key}:failures", f"lockout:{self.name}:{key}:until"

    def locked_for(self, key: str, *, now: float | None = None) -> int:
        now = time.time() if now is None else now
        until = cache.get(self._keys(key)[1], 0)
        return max(0, int(until - now + 0.999))

    def fail(self, key: str, *, now: float | None = None) -> int:
        """Record a failure; returns the seconds the key is now locked for (0 while under the threshold)."""
        now = time.time() if now is None else now
        failures_key, until_key = self._keys(key)
        cache.add(failures_key, 0, timeout=self.max_seconds)
        failures = cache.incr(failures_key)
        if failures < self.threshold:
            return 0
        seconds = min(self.base_seconds * 2 ** (failures - self.threshold), self.max_seconds)
        cache.set(until_key, now + seconds, timeout=seconds + 1)
        return seconds

    def succeed(self, key: str) -> None:
        cache.delete_many(list(self._keys(key)))
