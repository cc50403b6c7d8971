"""The Arabic normaliser: spelling variants meet, and normalising twice changes nothing."""

from hypothesis import given
from hypothesis import strategies as st

from bawaba.core.text import normalise

arabic = st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=40)
any_text = st.text(max_size=60)


@given(any_text)
def test_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


@given(arabic)
def test_harakat_and_tatweel_never_matter(text):
    decorated = "".join(ch + "\u064e\u0640" for ch in text)
    assert normalise(decorated) == normalise(text)


@given(any_text)
def test_output_is_single_spaced_and_trimmed(text):
    out = normalise(text)
    assert out == out.strip() and "  " not in out


def test_letter_variants_fold():
    assert normalise("أحمد إبراهيم آمنة") == normalise("احمد ابراهيم امنة")
    assert normalise("شهادة ميلاد") == normalise("شهاده ميلاد")
    assert normalise("مستشفى") == normalise("مستشفي")
    assert normalise("جَوَازُ السَّفَرِ") == "جواز السفر"


def test_digits_and_case():
    assert normalise("رقم ١٢٣ Passport") == "رقم 123 passport"
    assert normalise("Renew, my ID!") == "renew my id"
