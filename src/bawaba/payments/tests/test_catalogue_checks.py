from pathlib import Path

from ruamel.yaml import YAML

from bawaba.payments.catalogue_checks import fee_problems

DEFINITIONS = Path(__file__).resolve().parents[2] / "catalogue" / "definitions"


def load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def service(rules: list, properties: dict) -> dict:
    return {
        "fees": {"currency": "EGP", "rules": rules},
        "form_definition": {"schema": {"type": "object", "properties": properties}},
    }


OPTION = {
    "kind": "option",
    "label": {"ar": "ت", "en": "Delivery"},
    "field": "delivery",
    "amounts": {"collect": 0},
}
ITEMS = {
    "kind": "per-item",
    "label": {"ar": "ن", "en": "Copies"},
    "field": "extra-copies",
    "amount": 2000,
    "max_items": 10,
}


def test_every_shipped_form_asks_only_for_answers_its_fees_can_price():
    checked = 0
    for path in sorted(DEFINITIONS.glob("*.yaml")):
        document = load(path)
        for entry in document.get("services", []) if isinstance(document, dict) else []:
            if name := entry.get("form"):
                entry = {**entry, "form_definition": load(DEFINITIONS / "forms" / f"{name}.yaml")}
                checked += 1
            assert fee_problems(entry) == [], entry["code"]
    assert checked >= 5


def test_an_option_the_form_offers_without_an_amount_is_refused():
    offered = {"delivery": {"type": "string", "enum": ["collect", "drone"]}}
    assert fee_problems(service([OPTION], offered)) == [
        ("fees/rules/0", "question 'delivery' offers drone with no fee amount")
    ]
    free_text = {"delivery": {"type": "string"}}
    assert "fixed list" in fee_problems(service([OPTION], free_text))[0][1]
    assert fee_problems(service([OPTION], {"delivery": {"type": "string", "enum": ["collect"]}})) == []


def test_a_count_the_form_lets_past_max_items_or_below_zero_is_refused():
    def problems(question):
        return fee_problems(service([ITEMS], {"extra_copies": question}))

    assert "at most 10" in problems({"type": "integer", "minimum": 0})[0][1]
    assert "at most 10" in problems({"type": "integer", "minimum": 0, "maximum": 11})[0][1]
    assert "from 0" in problems({"type": "integer", "minimum": -1, "maximum": 5})[0][1]
    assert "from 0" in problems({"type": "string"})[0][1]
    assert problems({"type": "integer", "minimum": 0, "maximum": 10}) == []


def test_a_service_without_its_own_form_or_without_the_question_is_not_checked():
    assert fee_problems({"fees": {"currency": "EGP", "rules": [OPTION]}}) == []
    assert fee_problems(service([OPTION, ITEMS], {"details": {"type": "string"}})) == []
