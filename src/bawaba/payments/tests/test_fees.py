from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from bawaba.payments.fees import PERIOD_DAYS, SERVICE_FEE_KINDS, FeeRefused, quote

DEFINITIONS = Path(__file__).resolve().parents[2] / "catalogue" / "definitions"
GROUPS = ["elderly", "social-protection-beneficiary", "persons-with-disabilities"]


def label(en: str) -> dict:
    return {"ar": en, "en": en}


def service_rules(code: str) -> list[dict]:
    """A shipped service's fee rules, read from the catalogue's YAML as the catalogue loader reads them."""
    for path in sorted(DEFINITIONS.glob("*.yaml")):
        document = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        for service in (document or {}).get("services", []) if isinstance(document, dict) else []:
            if service["code"] == code:
                return service["fees"]["rules"]
    raise LookupError(code)


# ------------------------------------------------------------------------------------------------ strategies

amounts = st.integers(min_value=0, max_value=10_000_000)
fixed = st.builds(lambda a: {"kind": "fixed", "label": label("Fixed"), "amount": a}, amounts)
option = st.builds(
    lambda n, a, b: {
        "kind": "option",
        "label": label("Choice"),
        "field": f"choice-{n}",
        "amounts": {"low": a, "high": b},
    },
    st.integers(0, 3),
    amounts,
    amounts,
)
per_item = st.builds(
    lambda n, a, most: {
        "kind": "per-item",
        "label": label("Item"),
        "field": f"items-{n}",
        "amount": a,
        "max_items": most,
    },
    st.integers(0, 3),
    amounts,
    st.integers(1, 50),
)
penalty = st.builds(
    lambda a, per, after, cap: {
        "kind": "late-penalty",
        "label": label("Late"),
        "amount": a,
        "per": per,
        "after_days": after,
        **({"cap": cap} if cap is not None else {}),
    },
    amounts,
    st.sampled_from(list(PERIOD_DAYS)),
    st.integers(0, 400),
    st.none() | amounts,
)
exemption = st.builds(
    lambda group, percent: {
        "kind": "exemption",
        "label": label("Exempt"),
        "group": group,
        "percent": percent,
    },
    st.sampled_from(GROUPS),
    st.integers(1, 100),
)
rule_lists = st.lists(st.one_of(fixed, option, per_item, penalty, exemption), max_size=8)


@st.composite
def cases(draw):
    """Rules with answers each of them accepts, some groups and a number of days late."""
    rules = draw(rule_lists)
    answers = {}
    for rule in rules:
        name = rule.get("field", "").replace("-", "_")
        if rule["kind"] == "option":
            answers[name] = draw(st.sampled_from(["low", "high"]))
        elif rule["kind"] == "per-item":
            most = min(r["max_items"] for r in rules if r.get("field") == rule["field"])
            answers[name] = draw(st.integers(0, most))
    groups = draw(st.sets(st.sampled_from(GROUPS)))
    days_late = draw(st.integers(0, 3000))
    return rules, answers, groups, days_late


def total(rules, answers=None, groups=(), days_late=0) -> int:
    return quote(rules, "EGP", answers=answers, groups=groups, days_late=days_late).total


def penalties(result) -> list:
    return [line for line in result.lines if line.kind == "late-penalty"]


# ------------------------------------------------------------------------------------------------ properties


@given(cases())
def test_the_total_is_the_sum_of_the_lines_never_negative_and_all_integers(case):
    rules, answers, groups, days_late = case
    result = quote(rules, "EGP", answers=answers, groups=groups, days_late=days_late)
    assert result.total == sum(line.amount for line in result.lines)
    assert result.total >= 0
    assert type(result.total) is int and all(type(line.amount) is int for line in result.lines)
    assert all(line.amount >= 0 for line in result.lines if line.kind != "exemption")
    assert result.currency == "EGP"


@given(cases())
def test_an_exemption_never_raises_the_total_and_never_touches_the_penalties(case):
    rules, answers, groups, days_late = case
    without = quote(rules, "EGP", answers=answers, groups=(), days_late=days_late)
    exempt = quote(rules, "EGP", answers=answers, groups=groups, days_late=days_late)
    assert exempt.total <= without.total
    assert penalties(exempt) == penalties(without)
    own = sum(line.amount for line in exempt.lines if line.kind in SERVICE_FEE_KINDS)
    reductions = [line for line in exempt.lines if line.kind == "exemption"]
    assert len(reductions) <= 1  # the most generous one alone
    assert all(-line.amount <= own for line in reductions)


@given(cases(), st.integers(1, 50))
def test_more_items_never_cost_less(case, more):
    rules, answers, groups, days_late = case
    items = [r for r in rules if r["kind"] == "per-item"]
    if not items:
        return
    name = items[0]["field"].replace("-", "_")
    most = min(r["max_items"] for r in items if r["field"] == items[0]["field"])
    bigger = {**answers, name: min(answers[name] + more, most)}
    assert total(rules, bigger, groups, days_late) >= total(rules, answers, groups, days_late)


@given(cases(), st.integers(0, 3000))
def test_more_days_late_never_cost_less_nor_more_than_the_cap(case, more):
    rules, answers, groups, days_late = case
    earlier = quote(rules, "EGP", answers=answers, groups=groups, days_late=days_late)
    later = quote(rules, "EGP", answers=answers, groups=groups, days_late=days_late + more)
    assert later.total >= earlier.total
    for rule in (r for r in rules if r["kind"] == "late-penalty"):
        alone = quote([rule], "EGP", days_late=days_late + more)
        assert alone.total >= quote([rule], "EGP", days_late=days_late).total
        if "cap" in rule:
            assert alone.total <= rule["cap"]


# ------------------------------------------------------------------------------------------------ decisions


def test_an_exemption_reduces_the_service_fees_but_not_the_late_penalty():
    rules = [
        {"kind": "fixed", "label": label("Fee"), "amount": 10000},
        {"kind": "late-penalty", "label": label("Late"), "amount": 500, "per": "day", "after_days": 0},
        {"kind": "exemption", "label": label("Free"), "group": "elderly", "percent": 100},
    ]
    result = quote(rules, "EGP", groups={"elderly"}, days_late=3)
    assert [(line.kind, line.amount) for line in result.lines] == [
        ("fixed", 10000),
        ("exemption", -10000),
        ("late-penalty", 1500),
    ]
    assert result.total == 1500


def test_only_the_most_generous_exemption_applies():
    rules = [
        {"kind": "fixed", "label": label("Fee"), "amount": 10000},
        {"kind": "exemption", "label": label("Half"), "group": "elderly", "percent": 50},
        {"kind": "exemption", "label": label("Quarter"), "group": "persons-with-disabilities", "percent": 25},
    ]
    both = quote(rules, "EGP", groups={"elderly", "persons-with-disabilities"})
    assert [line.amount for line in both.lines] == [10000, -5000] and both.total == 5000
    assert both.lines[-1].group == "elderly" and both.lines[-1].percent == 50
    assert total(rules, groups={"persons-with-disabilities"}) == 7500
    assert total(rules, groups={"someone-else"}) == 10000


def test_a_reduction_is_rounded_in_the_citizens_favour():
    rules = [
        {"kind": "fixed", "label": label("Fee"), "amount": 999},
        {"kind": "exemption", "label": label("Third"), "group": "elderly", "percent": 33},
    ]
    # 33% of 999 is 329.67: the reduction is 330, so the citizen pays 669 and not 669.33 rounded up to 670.
    assert quote(rules, "EGP", groups={"elderly"}).lines[-1].amount == -330
    assert total(rules, groups={"elderly"}) == 669


def test_late_penalties_count_every_period_begun_and_stop_at_the_cap():
    monthly = {
        "kind": "late-penalty",
        "label": label("Late"),
        "amount": 2500,
        "per": "month",
        "after_days": 30,
        "cap": 6000,
    }
    assert total([monthly], days_late=30) == 0  # not past the grace period
    assert quote([monthly], "EGP", days_late=31).lines[0].count == 1  # a month begun counts whole
    assert total([monthly], days_late=60) == 2500
    assert total([monthly], days_late=61) == 5000
    capped = quote([monthly], "EGP", days_late=400)
    assert capped.total == 6000 and capped.lines[0].capped and capped.lines[0].count == 13
    yearly = {"kind": "late-penalty", "label": label("Late"), "amount": 100, "per": "year", "after_days": 0}
    assert [total([yearly], days_late=d) for d in (0, 1, 365, 366, 730)] == [0, 100, 100, 200, 200]


def test_an_option_is_priced_by_the_value_chosen_and_an_unpriced_value_is_refused():
    rules = service_rules("traffic.vehicle-licence.renew")
    assert total(rules, {"vehicle_type": "motorcycle", "delivery": "collect"}) == 15000
    assert total(rules) == 0  # nothing chosen yet
    with pytest.raises(FeeRefused) as refused:
        quote(rules, "EGP", answers={"vehicle_type": "spaceship"})
    assert refused.value.field == "vehicle_type" and refused.value.code == "unknown-option"
    assert "vehicle-type" in str(refused.value) and "spaceship" in str(refused.value)


@pytest.mark.parametrize("count", [11, -1, 2.5, "3", True])
def test_a_count_beyond_the_maximum_or_not_a_whole_number_is_refused(count):
    rules = service_rules("civil.birth.certificate")
    with pytest.raises(FeeRefused) as refused:
        quote(rules, "EGP", answers={"extra_copies": count})
    assert refused.value.field == "extra_copies"
    assert refused.value.code == ("too-many" if count == 11 else "not-a-count")
    assert "extra-copies" in refused.value.message


def test_the_refusal_is_translated():
    rules = service_rules("civil.birth.certificate")
    with translation.override("ar"), pytest.raises(FeeRefused) as refused:
        quote(rules, "EGP", answers={"extra_copies": 11})
    assert "كل نسخة إضافية" in refused.value.message  # the rule's own label, in Arabic


def test_bad_input_to_the_engine_itself_is_refused():
    with pytest.raises(ValueError, match="ISO 4217"):
        quote([], "egp")
    with pytest.raises(ValueError, match="days late"):
        quote([], "EGP", days_late=-1)
    with pytest.raises(ValueError, match="unknown fee rule kind"):
        quote([{"kind": "bribe", "label": label("No"), "amount": 1}], "EGP")
    with pytest.raises(ValueError, match="percent"):
        quote([{"kind": "exemption", "label": label("No"), "group": "elderly", "percent": 150}], "EGP")


# ------------------------------------------------------------------------------------------------ real services


def test_birth_certificate_copies_and_delivery():
    rules = service_rules("civil.birth.certificate")
    result = quote(rules, "EGP", answers={"extra_copies": 2, "delivery": "home-delivery"}, groups={"elderly"})
    assert [(line.kind, line.amount) for line in result.lines] == [
        ("fixed", 2500),
        ("per-item", 4000),
        ("option", 3500),
    ]  # the service grants the elderly nothing
    assert result.lines[1].count == 2 and result.lines[1].unit_amount == 2000
    assert result.lines[2].option_label["en"] == "Home delivery by express post"
    assert result.total == 10000
    assert total(rules, {"extra_copies": 0, "delivery": "collect"}) == 2500


def test_id_card_renewal_halves_for_the_elderly_and_is_free_for_social_protection():
    rules = service_rules("civil.id-card.renew")
    answers = {"urgency": "urgent", "delivery": "home-delivery"}
    result = quote(rules, "EGP", answers=answers, groups={"elderly"})
    assert [(line.kind, line.amount) for line in result.lines] == [
        ("option", 12500),
        ("option", 3500),
        ("exemption", -8000),
    ]
    assert result.lines[-1].label["en"] == "Reduction for people aged 60 and over"
    # Social protection exempts fully and wins over the elderly's half: the two are not added up.
    both = quote(rules, "EGP", answers=answers, groups={"elderly", "social-protection-beneficiary"})
    assert both.total == 0 and both.lines[-1].percent == 100


def test_a_late_business_licence_renewal_keeps_its_penalty_under_an_exemption():
    rules = service_rules("commerce.business-licence.renew")
    options = next(r for r in rules if r["kind"] == "option")
    answers = {options["field"].replace("-", "_"): next(iter(options["amounts"]))}
    on_time = quote(rules, "EGP", answers=answers)
    late = quote(rules, "EGP", answers=answers, days_late=75, groups={"persons-with-disabilities"})
    assert [line.amount for line in penalties(late)] == [3 * 20000]
    assert late.total == on_time.total - on_time.total // 2 + 60000
    assert penalties(quote(rules, "EGP", answers=answers, days_late=10_000))[0].amount == 120000


def test_attestation_is_priced_per_document_up_to_the_maximum():
    rules = service_rules("consular.document.attest")
    assert total(rules, {"document_count": 3, "service_speed": "same-day"}) == 3 * 5000 + 10000
    with pytest.raises(FeeRefused, match="document-count"):
        quote(rules, "EGP", answers={"document_count": 21})
