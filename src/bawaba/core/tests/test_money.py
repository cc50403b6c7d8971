from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bawaba.core.money import Money


def test_format_in_each_language():
    assert Money(12550, "EGP").format("en") == "EGP 125.50"
    assert Money(12500, "EGP").format("ar") == "125 ج.م"
    assert Money(1500, "KWD").major == Decimal("1.500")


def test_refuses_fractions_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(1.5, "EGP")
    with pytest.raises(ValueError, match="cannot add"):
        Money(1, "EGP") + Money(1, "USD")
    with pytest.raises(ValueError):
        Money(1, "egp")


@given(st.integers(0, 10**12), st.integers(0, 10**12))
def test_addition_is_exact(a, b):
    assert (Money(a, "EGP") + Money(b, "EGP")).amount == a + b
