"""Building an e-form from its definition, refusing one a citizen could not fill in or an officer could not trust.

Beyond the definition's shape (form.schema.json) and the answers' schema being valid JSON Schema 2020-12: every
question sits on exactly one step and has a schema, conditions only look at questions asked before, widgets fit
their types, every choice is labelled in both languages, files say what they accept, prefill sources exist.
"""

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from .engine import Field, Form, Prefill, Step

__all__ = ["FormInvalid", "compile_form"]

HERE = Path(__file__).resolve().parent

# Which schema types each widget can carry.
WIDGET_TYPES = {
    "text": {"string"},
    "textarea": {"string"},
    "email": {"string"},
    "phone": {"string"},
    "national-id": {"string"},
    "date": {"string"},
    "file": {"string"},
    "number": {"integer", "number"},
    "select": {"string"},
    "radio": {"string"},
    "checkboxes": {"array"},
    "checkbox": {"boolean"},
    "yes-no": {"boolean"},
}
CHOICE_WIDGETS = {"select", "radio", "checkboxes"}


class FormInvalid(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((HERE / "form.schema.json").read_text()))


def _condition_fields(condition: Mapping | None) -> set[str]:
    if not condition:
        return set()
    if "field" in condition:
        return {condition["field"]}
    parts = condition.get("all") or condition.get("any") or [condition.get("not")]
    return set().union(*(_condition_fields(c) for c in parts))


def _enum(schema: Mapping) -> list:
    return list(schema.get("enum") or schema.get("items", {}).get("enum") or [])


def _field_problems(
    name: str, spec: Mapping, schema: Mapping, earlier: set[str], sources: set[str]
) -> list[str]:
    problems = []
    kind = schema.get("type", "string")
    if kind not in WIDGET_TYPES[spec["widget"]]:
        problems.append(f"{name}: a {spec['widget']} widget cannot hold a {kind}")
    if spec["widget"] in CHOICE_WIDGETS:
        values = _enum(schema)
        if not values:
            problems.append(f"{name}: a {spec['widget']} needs an enum of values")
        unlabelled = [str(v) for v in values if str(v) not in spec.get("choices", {})]
        if unlabelled:
            problems.append(f"{name}: choices without a label: {', '.join(unlabelled)}")
    if spec["widget"] == "file" and not (spec.get("accept") and spec.get("max_size_mb")):
        problems.append(f"{name}: a file question says which types it accepts and their largest size")
    if spec["widget"] == "date" and schema.get("format") != "date":
        problems.append(f"{name}: a date question's schema has format: date")
    for key in ("show_if", "require_if"):
        later = _condition_fields(spec.get(key)) - earlier
        if later:
            problems.append(f"{name}: {key} looks at {', '.join(sorted(later))}, not asked before it")
    if (prefill := spec.get("prefill")) and prefill["source"] not in sources:
        problems.append(
            f"{name}: unknown prefill source {prefill['source']} (known: {', '.join(sorted(sources))})"
        )
    return problems


def compile_form(data: Mapping, *, prefill_sources: Iterable[str] = ("profile",)) -> Form:
    """A Form from its definition, or FormInvalid listing every problem found."""
    shape = [
        f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in _validator().iter_errors(data)
    ]
    if shape:
        raise FormInvalid(shape)
    schema, fields = data["schema"], data["fields"]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise FormInvalid([f"schema: {error.message}"]) from None
    properties = schema.get("properties", {})
    problems: list[str] = []
    order = [name for step in data["steps"] for name in step["fields"]]
    for name in sorted({n for n in order if order.count(n) > 1}):
        problems.append(f"{name}: asked on more than one step")
    keys = [step["key"] for step in data["steps"]]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"step {key}: defined twice")
    for name in order:
        if name not in fields:
            problems.append(f"{name}: on a step but not described under fields")
        if name not in properties:
            problems.append(f"{name}: on a step but not in the schema")
    problems += [f"{name}: described but on no step" for name in fields if name not in order]
    problems += [f"{name}: in the schema but on no step" for name in properties if name not in order]
    problems += [
        f"{name}: required but not in the schema"
        for name in schema.get("required", [])
        if name not in properties
    ]
    if problems:
        raise FormInvalid(problems)
    earlier: set[str] = set()
    for name in order:
        problems += _field_problems(name, fields[name], properties[name], earlier, set(prefill_sources))
        earlier.add(name)
    for name, rule in data.get("computed", {}).items():
        if name in properties:
            problems.append(f"computed {name}: also a question")
        for source in rule.get("sum", []) or [rule.get("count") or rule.get("map")]:
            if source not in properties:
                problems.append(f"computed {name}: {source} is not a question")
            elif "sum" in rule and properties[source].get("type") not in ("integer", "number"):
                problems.append(f"computed {name}: {source} is not a number")
            elif "map" in rule:
                # Every answer the question allows must lead somewhere, or a citizen's choice computes nothing.
                unmapped = [str(v) for v in _enum(properties[source]) if str(v) not in rule["values"]]
                if not _enum(properties[source]):
                    problems.append(f"computed {name}: {source} has no list of values to map")
                elif unmapped:
                    problems.append(f"computed {name}: no value for {', '.join(unmapped)}")
    if problems:
        raise FormInvalid(problems)
    # Each question checks its value against its own schema, with the form's shared definitions at hand.
    shared = {key: schema[key] for key in ("$defs",) if key in schema}
    return Form(
        schema=schema,
        steps=tuple(
            Step(key=s["key"], title=dict(s["title"]), fields=tuple(s["fields"])) for s in data["steps"]
        ),
        fields={
            name: Field(
                name=name,
                schema={**properties[name], **shared},
                label=dict(spec["label"]),
                widget=spec["widget"],
                help=dict(spec["help"]) if "help" in spec else None,
                choices=tuple((str(v), dict(spec["choices"][str(v)])) for v in _enum(properties[name])),
                show_if=spec.get("show_if"),
                require_if=spec.get("require_if"),
                prefill=Prefill(**spec["prefill"]) if "prefill" in spec else None,
                errors={code: dict(text) for code, text in spec.get("errors", {}).items()},
                accept=tuple(spec.get("accept", ())),
                max_size_mb=spec.get("max_size_mb", 0),
            )
            for name in order
            for spec in [fields[name]]
        },
        required=frozenset(schema.get("required", [])),
        computed=dict(data.get("computed", {})),
    )
