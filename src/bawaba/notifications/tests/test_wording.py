"""Notice wording: placeholders checked when saved, filled when sent, and nothing else reachable."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bawaba.notifications.notices import LANGUAGES, notices
from bawaba.notifications.wording import fill, placeholders_of, problems

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
PLAIN = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=40)


@given(st.lists(st.tuples(PLAIN, NAMES), max_size=6), PLAIN, st.dictionaries(NAMES, PLAIN))
def test_a_text_of_declared_placeholders_has_no_problem_and_fills_every_one(parts, tail, extra):
    text = "".join(f"{literal}{{{name}}}" for literal, name in parts) + tail
    names = {name for _, name in parts}
    values = {**extra, **{name: f"<{name}>" for name in names}}
    assert problems(text, names) == []
    assert placeholders_of(text) == names
    assert fill(text, values) == "".join(f"{literal}<{name}>" for literal, name in parts) + tail


@given(PLAIN)
def test_doubled_braces_are_braces(text):
    assert fill("{{" + text + "}}", {}) == "{" + text + "}"
    assert problems("{{" + text + "}}", set()) == []


@pytest.mark.parametrize(
    "text",
    [
        "{reference.__class__}",
        "{reference[0]}",
        "{reference!r}",
        "{reference:>20}",
        "{0}",
        "{}",
        "{Reference}",
    ],
)
def test_anything_but_a_bare_name_is_refused(text):
    found = problems(text, {"reference"})
    assert len(found) == 1 and "is not a placeholder" in found[0]


def test_an_unknown_placeholder_is_named_with_the_ones_the_notice_has():
    assert problems("Your {refrence} is ready", {"reference", "service"}) == [
        "{refrence} is not a placeholder of this notice. Its placeholders: {reference}, {service}."
    ]


@pytest.mark.parametrize("text", ["Your {reference is ready", "Your reference} is ready"])
def test_an_unclosed_brace_is_refused(text):
    assert problems(text, {"reference"})[0].startswith("A brace is not closed")


def test_a_placeholder_without_a_value_is_left_empty():
    assert fill("[{reference}]", {}) == "[]"


def test_every_shipped_wording_uses_only_its_notice_s_placeholders_in_both_languages():
    for notice in notices().values():
        assert set(notice.wording) == set(LANGUAGES)
        for language, wording in notice.wording.items():
            for text in (wording.sms, wording.subject, wording.body):
                assert text.strip(), (notice.code, language)
                assert problems(text, notice.names) == [], (notice.code, language, text)
        assert notice.audience in ("citizen", "staff")
