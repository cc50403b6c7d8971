"""Sections shown by a ticked box in a group, and values read off an answer (an activity's risk class)."""

import pytest

from bawaba.forms.definitions import FormInvalid, compile_form
from bawaba.forms.engine import holds

T = {"ar": "نص", "en": "text"}


def definition(**computed):
    return {
        "schema": {
            "type": "object",
            "properties": {
                "changes": {"type": "array", "minItems": 1, "items": {"enum": ["income", "address"]}},
                "income": {"type": "integer", "minimum": 0},
                "activity": {"type": "string", "enum": ["shop", "cafe"]},
            },
            "required": ["changes"],
        },
        "steps": [
            {"key": "changes", "title": T, "fields": ["changes"]},
            {"key": "income", "title": T, "fields": ["income"]},
            {"key": "activity", "title": T, "fields": ["activity"]},
        ],
        "fields": {
            "changes": {"label": T, "widget": "checkboxes", "choices": {"income": T, "address": T}},
            "income": {
                "label": T,
                "widget": "number",
                "show_if": {"field": "changes", "contains": "income"},
                "require_if": {"field": "changes", "contains": "income"},
            },
            "activity": {"label": T, "widget": "radio", "choices": {"shop": T, "cafe": T}},
        },
        "computed": computed or {"risk": {"map": "activity", "values": {"shop": "low", "cafe": "medium"}}},
    }


def test_a_ticked_box_shows_its_section_and_an_unticked_one_hides_it():
    form = compile_form(definition())
    assert holds({"field": "changes", "contains": "income"}, {"changes": ["address", "income"]})
    assert not holds({"field": "changes", "contains": "income"}, {"changes": "income"})  # not a list
    assert [s.key for s in form.visible_steps({"changes": ["address"]})] == ["changes", "activity"]
    missing = form.clean_all({"changes": ["income"]})
    assert {(e.field, e.code) for e in missing.errors} == {("income", "required")}
    dropped = form.clean_all({"changes": ["address"], "income": 5})
    assert dropped.ok and "income" not in dropped.values


def test_a_mapped_value_is_computed_from_the_answer_and_absent_without_one():
    form = compile_form(definition())
    assert form.clean_all({"changes": ["address"], "activity": "cafe"}).values["risk"] == "medium"
    assert "risk" not in form.clean_all({"changes": ["address"]}).values


@pytest.mark.parametrize(
    ("computed", "problem"),
    [
        ({"risk": {"map": "activity", "values": {"shop": "low"}}}, "computed risk: no value for cafe"),
        ({"risk": {"map": "income", "values": {"1": "x"}}}, "computed risk: income has no list of values"),
        ({"risk": {"map": "nothing", "values": {"a": "b"}}}, "computed risk: nothing is not a question"),
    ],
)
def test_a_map_that_leaves_an_answer_without_a_value_is_refused(computed, problem):
    with pytest.raises(FormInvalid) as invalid:
        compile_form(definition(**computed))
    assert any(problem in p for p in invalid.value.problems), invalid.value.problems
