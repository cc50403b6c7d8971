"""The form engine: typed answers from posted text, conditions, hidden questions, errors by field."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bawaba.forms.definitions import FormInvalid, compile_form
from bawaba.forms.engine import FieldError, holds

T = {"ar": "نص", "en": "text"}
LICENCE = {
    "schema": {
        "type": "object",
        "properties": {
            "owner_name": {"type": "string"},
            "trade_name": {"type": "string", "minLength": 2, "maxLength": 80},
            "activity": {"type": "string", "enum": ["retail", "food", "workshop"]},
            "employees": {"type": "integer", "minimum": 0, "maximum": 5000},
            "area": {"type": "number", "exclusiveMinimum": 0},
            "opening": {"type": "string", "format": "date"},
            "premises_owned": {"type": "boolean"},
            "lease_contract": {"type": "string"},
            "health_certificate": {"type": "string"},
            "services": {"type": "array", "items": {"enum": ["delivery", "seating"]}},
            "agree": {"type": "boolean", "const": True},
        },
        "required": ["trade_name", "activity", "premises_owned", "agree"],
    },
    "steps": [
        {
            "key": "business",
            "title": T,
            "fields": ["owner_name", "trade_name", "activity", "employees", "services"],
        },
        {"key": "premises", "title": T, "fields": ["area", "opening", "premises_owned", "lease_contract"]},
        {"key": "health", "title": T, "fields": ["health_certificate"]},
        {"key": "confirm", "title": T, "fields": ["agree"]},
    ],
    "fields": {
        "owner_name": {"label": T, "widget": "text", "prefill": {"source": "profile", "key": "full_name"}},
        "trade_name": {
            "label": T,
            "widget": "text",
            "errors": {"min_length": {"ar": "قصير", "en": "Too short"}},
        },
        "activity": {"label": T, "widget": "radio", "choices": {"retail": T, "food": T, "workshop": T}},
        "employees": {"label": T, "widget": "number"},
        "services": {
            "label": T,
            "widget": "checkboxes",
            "choices": {"delivery": T, "seating": T},
            "show_if": {"field": "activity", "equals": "food"},
        },
        "area": {"label": T, "widget": "number"},
        "opening": {"label": T, "widget": "date"},
        "premises_owned": {"label": T, "widget": "yes-no"},
        "lease_contract": {
            "label": T,
            "widget": "file",
            "accept": ["application/pdf"],
            "max_size_mb": 5,
            "show_if": {"field": "premises_owned", "equals": False},
            "require_if": {"field": "premises_owned", "equals": False},
        },
        "health_certificate": {
            "label": T,
            "widget": "file",
            "accept": ["application/pdf", "image/jpeg"],
            "max_size_mb": 5,
            "show_if": {"field": "activity", "equals": "food"},
            "require_if": {"field": "activity", "equals": "food"},
        },
        "agree": {"label": T, "widget": "checkbox"},
    },
    "computed": {"staff_and_owner": {"sum": ["employees"]}},
}
FORM = compile_form(LICENCE)


def codes(result):
    return {(e.field, e.code) for e in result.errors}


def test_posted_text_becomes_typed_answers():
    result = FORM.clean_step(
        "business",
        {
            "trade_name": [" Nile Bakery "],
            "activity": ["food"],
            "employees": ["١٢"],
            "services": ["delivery", ""],
        },
        {},
    )
    assert result.ok, result.errors
    assert result.values == {
        "trade_name": "Nile Bakery",
        "activity": "food",
        "employees": 12,
        "services": ["delivery"],
    }


def test_each_problem_is_named_on_its_field():
    result = FORM.clean_step(
        "business", {"trade_name": ["N"], "activity": ["casino"], "employees": ["twelve"]}, {}
    )
    assert codes(result) == {("trade_name", "min_length"), ("activity", "choice"), ("employees", "integer")}
    assert next(e for e in result.errors if e.field == "trade_name").params == {"limit": 2}
    premises = FORM.clean_step(
        "premises", {"area": ["0"], "opening": ["2026-02-30"], "premises_owned": ["maybe"]}, {}
    )
    assert codes(premises) == {("area", "minimum"), ("opening", "date"), ("premises_owned", "boolean")}


def test_a_required_question_left_empty_is_required():
    assert codes(FORM.clean_step("business", {"trade_name": [""]}, {})) == {
        ("trade_name", "required"),
        ("activity", "required"),
    }


def test_a_question_shown_by_an_answer_on_the_same_step_becomes_required():
    owned = FORM.clean_step("premises", {"premises_owned": ["true"]}, {})
    assert owned.ok and "lease_contract" not in owned.values
    rented = FORM.clean_step("premises", {"premises_owned": ["false"]}, {})
    assert codes(rented) == {("lease_contract", "required")}


def test_hidden_and_unknown_questions_posted_are_dropped():
    # Someone posts the services question (shown only for food) and a field that does not exist.
    result = FORM.clean_step(
        "business",
        {
            "trade_name": ["Corner shop"],
            "activity": ["retail"],
            "services": ["seating"],
            "is_admin": ["true"],
        },
        {},
    )
    assert result.ok and set(result.values) == {"trade_name", "activity"}


def test_a_read_only_prefilled_answer_cannot_be_changed_by_posting():
    result = FORM.clean_step(
        "business",
        {"owner_name": ["Someone Else"], "trade_name": ["Corner shop"], "activity": ["retail"]},
        {"owner_name": "Amina Mahmoud Ali"},
    )
    assert result.values["owner_name"] == "Amina Mahmoud Ali"


def test_steps_whose_questions_are_all_hidden_are_skipped():
    assert [s.key for s in FORM.visible_steps({"activity": "retail"})] == ["business", "premises", "confirm"]
    assert "health" in [s.key for s in FORM.visible_steps({"activity": "food"})]


def test_submission_checks_everything_again_and_forgets_answers_that_became_hidden():
    answers = {
        "trade_name": "Nile Bakery",
        "activity": "retail",  # changed from food after the health step was answered
        "health_certificate": "attachment-1",
        "services": ["seating"],
        "premises_owned": True,
        "agree": True,
        "employees": 3,
    }
    result = FORM.clean_all(answers)
    assert result.ok and "health_certificate" not in result.values and "services" not in result.values
    assert result.values["staff_and_owner"] == 3
    dropped = ("agree", "health_certificate")
    missing = FORM.clean_all({k: v for k, v in answers.items() if k not in dropped} | {"activity": "food"})
    assert codes(missing) == {("agree", "required"), ("health_certificate", "required")}
    tampered = FORM.clean_all(answers | {"employees": "lots", "agree": False})
    assert ("employees", "type") in codes(tampered) and ("agree", "const") in codes(tampered)


@given(st.text(max_size=30))
def test_any_text_in_any_field_gives_a_value_or_a_named_error_never_a_crash(text):
    for step in FORM.steps:
        posted = {name: [text] for name in step.fields}
        result = FORM.clean_step(step.key, posted, {"activity": "food", "premises_owned": False})
        assert all(isinstance(e, FieldError) and e.field in step.fields for e in result.errors)
        assert set(result.values) <= set(step.fields)


@given(st.integers(0, 5000))
def test_numbers_in_arabic_digits_read_the_same(n):
    arabic = str(n).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    western = FORM.clean_step(
        "business", {"trade_name": ["Shop"], "activity": ["retail"], "employees": [str(n)]}, {}
    )
    eastern = FORM.clean_step(
        "business", {"trade_name": ["Shop"], "activity": ["retail"], "employees": [arabic]}, {}
    )
    assert western.values == eastern.values and western.values["employees"] == n


def test_conditions_combine():
    answers = {"a": 1, "b": "x"}
    assert holds({"all": [{"field": "a", "at_least": 1}, {"field": "b", "in": ["x", "y"]}]}, answers)
    assert holds({"any": [{"field": "a", "equals": 2}, {"not": {"field": "c", "filled": True}}]}, answers)
    assert not holds({"field": "c", "filled": True}, answers)


def broken(change):
    data = copy.deepcopy(LICENCE)
    change(data)
    return data


@pytest.mark.parametrize(
    "change,problem",
    [
        (
            lambda d: d["steps"][0]["fields"].append("ghost"),
            "ghost: on a step but not described under fields",
        ),
        (lambda d: d["steps"][1]["fields"].append("trade_name"), "trade_name: asked on more than one step"),
        (
            lambda d: d["schema"]["properties"].update(extra={"type": "string"}),
            "extra: in the schema but on no step",
        ),
        (
            lambda d: d["fields"]["employees"].update(widget="checkbox"),
            "a checkbox widget cannot hold a integer",
        ),
        (lambda d: d["fields"]["activity"]["choices"].pop("food"), "choices without a label: food"),
        (lambda d: d["fields"]["lease_contract"].pop("accept"), "says which types it accepts"),
        (
            lambda d: d["fields"]["trade_name"].update(show_if={"field": "premises_owned", "equals": True}),
            "show_if looks at premises_owned, not asked before it",
        ),
        (
            lambda d: d["fields"]["owner_name"].update(prefill={"source": "horoscope", "key": "sign"}),
            "unknown prefill source horoscope",
        ),
        (lambda d: d["fields"]["area"].update(widget="date"), "a date widget cannot hold a number"),
        (lambda d: d["schema"]["properties"]["employees"].update(type="integr"), "schema:"),
        (lambda d: d["fields"]["trade_name"].pop("label"), "'label' is a required property"),
        (lambda d: d["schema"]["required"].append("nothing"), "nothing: required but not in the schema"),
    ],
)
def test_unusable_forms_are_refused_with_the_problem_named(change, problem):
    with pytest.raises(FormInvalid) as invalid:
        compile_form(broken(change))
    assert any(problem in p for p in invalid.value.problems), invalid.value.problems


@pytest.mark.django_db
def test_the_profile_fills_what_the_account_knows_and_marks_it_read_only():
    from bawaba.accounts.models import User
    from bawaba.forms.prefill import prefill

    user = User.objects.create_user("c1", first_name="Amina", last_name="Ali", national_id="29103090104240")
    answers = prefill(FORM, user)
    assert answers == {"owner_name": "Amina Ali"}
    assert FORM.fields["owner_name"].read_only and not FORM.fields["trade_name"].read_only
