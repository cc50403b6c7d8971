"""The e-form engine: which questions show, what a step's answers mean, and what is wrong with them.

Pure Python over plain data: a Form (see `definitions.compile_form`) and the answers so far. Posted text is
turned into typed values by the JSON Schema of each field, then checked with a JSON Schema 2020-12 validator.
Problems come back as codes with parameters; the page puts them into words in the citizen's language, or uses
the message the form's author wrote for that field and problem.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from jsonschema import Draft202012Validator, FormatChecker

from bawaba.core.text import western_digits

__all__ = ["Field", "FieldError", "Form", "Prefill", "Step", "StepResult", "holds"]

EMPTY = (None, "", [])


@dataclass(frozen=True)
class Prefill:
    source: str  # a name in the prefill registry: "profile", later the agencies' registries
    key: str
    # Authoritative values come from a system of record: the citizen sees them but cannot change them.
    authoritative: bool = True


@dataclass(frozen=True)
class Field:
    name: str
    schema: Mapping
    label: Mapping[str, str]
    widget: str
    help: Mapping[str, str] | None = None
    choices: tuple[tuple[str, Mapping[str, str]], ...] = ()
    show_if: Mapping | None = None
    require_if: Mapping | None = None
    prefill: Prefill | None = None
    errors: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    accept: tuple[str, ...] = ()  # file fields: the media types allowed
    max_size_mb: int = 0

    @property
    def read_only(self) -> bool:
        return self.prefill is not None and self.prefill.authoritative


@dataclass(frozen=True)
class Step:
    key: str
    title: Mapping[str, str]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str  # required, integer, number, date, boolean, choice, min_length, max_length, minimum, maximum…
    params: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class StepResult:
    values: dict
    errors: list[FieldError]

    @property
    def ok(self) -> bool:
        return not self.errors


def holds(condition: Mapping | None, answers: Mapping) -> bool:
    """Whether a show/require condition holds over the answers (an absent condition always holds)."""
    if condition is None:
        return True
    if "all" in condition:
        return all(holds(c, answers) for c in condition["all"])
    if "any" in condition:
        return any(holds(c, answers) for c in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], answers)
    value = answers.get(condition["field"])
    if "equals" in condition:
        return value == condition["equals"]
    if "in" in condition:
        return value in condition["in"]
    if "filled" in condition:
        return (value not in EMPTY) == condition["filled"]
    if "contains" in condition:  # one of the boxes ticked in a group of checkboxes
        return isinstance(value, list) and condition["contains"] in value
    if "at_least" in condition:
        return isinstance(value, int | float) and value >= condition["at_least"]
    raise ValueError(f"unknown condition {sorted(condition)}")


# JSON Schema keywords as the error codes the pages translate.
KEYWORD_CODES = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "minimum",
    "exclusiveMaximum": "maximum",
    "pattern": "pattern",
    "format": "format",
    "enum": "choice",
    "minItems": "min_items",
    "maxItems": "max_items",
    "type": "type",
}


@dataclass(frozen=True)
class Form:
    schema: Mapping
    steps: tuple[Step, ...]
    fields: Mapping[str, Field]
    required: frozenset[str]
    computed: Mapping[str, Mapping] = field(default_factory=dict)

    @property
    def order(self) -> list[str]:
        return [name for step in self.steps for name in step.fields]

    def step(self, key: str) -> Step:
        return next(step for step in self.steps if step.key == key)

    def visible(self, answers: Mapping) -> set[str]:
        """The questions that show, in form order: a hidden question's answer never makes another show."""
        shown: set[str] = set()
        for name in self.order:
            if holds(self.fields[name].show_if, {k: v for k, v in answers.items() if k in shown}):
                shown.add(name)
        return shown

    def is_required(self, name: str, answers: Mapping) -> bool:
        spec = self.fields[name]
        return name in self.required or (spec.require_if is not None and holds(spec.require_if, answers))

    def visible_steps(self, answers: Mapping) -> list[Step]:
        """Steps with at least one question showing: the others are skipped."""
        shown = self.visible(answers)
        return [step for step in self.steps if shown.intersection(step.fields)]

    def clean_step(self, key: str, posted: Mapping[str, Sequence[str]], answers: Mapping) -> StepResult:
        """The step's answers from posted text, typed and checked. Anything posted that is not a question
        showing on this step, or that the citizen may not change, is ignored."""
        step = self.step(key)
        values: dict = {}
        errors: list[FieldError] = []
        working = dict(answers)
        for name in step.fields:
            spec = self.fields[name]
            # Visibility depends on the answers given earlier on this same step, so it is decided in order.
            if name not in self.visible(working):
                working.pop(name, None)
                continue
            if spec.read_only:
                values[name] = answers.get(name)
                continue
            try:
                value = _typed(spec, posted.get(name, []))
            except _Unreadable as problem:
                errors.append(FieldError(name, problem.code))
                continue
            working[name] = value
            values[name] = value
        for name, value in values.items():
            if value in EMPTY:
                if self.is_required(name, working):
                    errors.append(FieldError(name, "required"))
                continue
            errors += self._schema_errors(name, value)
        return StepResult(values={k: v for k, v in values.items() if v not in EMPTY}, errors=errors)

    def clean_all(self, answers: Mapping) -> StepResult:
        """The whole form at submission: only the questions showing are kept, all checked again."""
        shown = self.visible(answers)
        values = {k: v for k, v in answers.items() if k in shown and v not in EMPTY}
        errors = [
            FieldError(name, "required")
            for name in self.order
            if name in shown and name not in values and self.is_required(name, values)
        ]
        for name, value in values.items():
            errors += self._schema_errors(name, value)
        if errors:
            return StepResult(values=values, errors=errors)
        return StepResult(values={**values, **self.computed_values(values)}, errors=[])

    def computed_values(self, answers: Mapping) -> dict:
        out = {}
        for name, rule in self.computed.items():
            if "sum" in rule:
                out[name] = sum(answers.get(f) or 0 for f in rule["sum"])
            elif "count" in rule:
                out[name] = len(answers.get(rule["count"]) or [])
            elif "map" in rule and answers.get(rule["map"]) not in EMPTY:
                # A value the citizen need not know, read off their answer (an activity's risk class).
                out[name] = rule["values"][str(answers[rule["map"]])]
        return out

    def _schema_errors(self, name: str, value) -> list[FieldError]:
        validator = Draft202012Validator(self.fields[name].schema, format_checker=FormatChecker())
        return [
            FieldError(name, KEYWORD_CODES.get(error.validator, str(error.validator)), _params(error))
            for error in validator.iter_errors(value)
        ]


def _params(error) -> dict:
    if error.validator in ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems"):
        return {"limit": error.validator_value}
    if error.validator in ("exclusiveMinimum", "exclusiveMaximum"):
        return {"limit": error.validator_value}
    return {}


class _Unreadable(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _typed(spec: Field, posted: Sequence[str]):
    """Posted text as the value the field's schema describes: what a person typed becomes data."""
    kind = spec.schema.get("type", "string")
    texts = [western_digits(t).strip() for t in posted if t is not None]
    if kind == "array":
        return [t for t in texts if t]
    text = texts[-1] if texts else ""
    if kind == "boolean":
        # A checkbox sends "on" when ticked and nothing when not; yes/no radios send true/false.
        if spec.widget == "checkbox":
            return text in ("on", "true")
        if text == "":
            return None
        if text not in ("true", "false"):
            raise _Unreadable("boolean")
        return text == "true"
    if text == "":
        return None
    if kind == "integer":
        try:
            return int(text.replace(",", "").replace("٬", ""))
        except ValueError:
            raise _Unreadable("integer") from None
    if kind == "number":
        try:
            number = Decimal(text.replace(",", "").replace("٬", "").replace("٫", "."))
        except InvalidOperation:
            raise _Unreadable("number") from None
        if not number.is_finite():
            raise _Unreadable("number")
        return int(number) if number == number.to_integral_value() else float(number)
    if spec.schema.get("format") == "date":
        try:
            date.fromisoformat(text)
        except ValueError:
            raise _Unreadable("date") from None
    return text
