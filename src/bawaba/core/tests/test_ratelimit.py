"""Rate limits and lock-outs: the n+1th attempt is refused, the window resets, lock-outs double."""

from hypothesis import given
from hypothesis import strategies as st

from bawaba.core.ratelimit import Limit, Lockout, hit, peek

LIMIT = Limit("test", attempts=3, window_seconds=60)


def test_attempts_beyond_the_limit_are_refused_until_the_window_ends():
    now = 6000.0
    assert [hit(LIMIT, "ip:1", now=now).allowed for _ in range(4)] == [True, True, True, False]
    refused = hit(LIMIT, "ip:1", now=now + 10)
    assert not refused.allowed and 0 < refused.retry_after <= 51
    assert hit(LIMIT, "ip:1", now=now + 61).allowed


def test_keys_are_counted_apart():
    now = 12000.0
    for _ in range(3):
        hit(LIMIT, "ip:a", now=now)
    assert not hit(LIMIT, "ip:a", now=now).allowed
    assert hit(LIMIT, "ip:b", now=now).allowed


def test_peek_does_not_count():
    now = 18000.0
    for _ in range(5):
        assert peek(LIMIT, "ip:p", now=now).allowed
    hit(LIMIT, "ip:p", now=now), hit(LIMIT, "ip:p", now=now), hit(LIMIT, "ip:p", now=now)
    assert not peek(LIMIT, "ip:p", now=now).allowed


@given(st.integers(1, 6), st.integers(1, 120))
def test_lockout_starts_at_the_threshold_and_doubles(threshold, base):
    lockout = Lockout(f"t{threshold}-{base}", threshold=threshold, base_seconds=base)
    key = "account:1"
    lockout.succeed(key)
    now = 1000.0
    locks = [lockout.fail(key, now=now) for _ in range(threshold + 2)]
    assert locks[: threshold - 1] == [0] * (threshold - 1)
    assert locks[threshold - 1 :] == [base, base * 2, base * 4]
    assert lockout.locked_for(key, now=now) == base * 4
    lockout.succeed(key)
    assert lockout.locked_for(key, now=now) == 0
