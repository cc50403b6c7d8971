"""The fee engine: what a service costs, worked out from its fee rules, the citizen's answers and facts.

A pure function of plain data (the `fees.rules` of a service definition, as the catalogue schema defines them):
no database, no clock. Amounts are integers in the currency's minor units.

How each kind of rule counts:

- `fixed`: its amount.
- `option`: the amount of the value the citizen chose for the question the rule names. A rule's `field` is
  written with hyphens (`vehicle-type`) and the form question with underscores (`vehicle_type`). No answer
  yet means no line; a chosen value the rule has no amount for is refused, naming the field.
- `per-item`: the amount times the number the citizen gave (copies, family members, documents). No answer is
  no items. A count must be a whole number from 0 to the rule's `max_items`; anything else is refused, naming
  the field, never silently capped.
- `late-penalty`: once `days_late` passes `after_days`, the amount for every period begun after that:
  periods = ceil((days_late - after_days) / length), with a day 1 day, a month 30 days and a year 365 days
  (a month or a year begun counts whole, as the agencies word it: "for each month or part of a month"),
  capped at `cap` when the rule has one.
- `exemption`: a group the citizen belongs to (the elderly, social-protection beneficiaries…) takes `percent`
  off the service's own fees (fixed, option and per-item lines), never off late penalties: a penalty is for
  being late, which no group is excused from. When several exemptions apply only the most generous one
  counts (the first of equal ones); they are not added up. The reduction is rounded up to the minor unit so
  that the citizen is never charged a fraction of a unit more than the percentage says.

The total is the sum of the lines, and never negative (a reduction is at most 100% of what it reduces).
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from bawaba.core.i18n import pick
from bawaba.core.money import Money

__all__ = [
    "PERIOD_DAYS",
    "SERVICE_FEE_KINDS",
    "FeeRefused",
    "Quote",
    "QuoteLine",
    "question_name",
    "quote",
]

PERIOD_DAYS = {"day": 1, "month": 30, "year": 365}
SERVICE_FEE_KINDS = frozenset({"fixed", "option", "per-item"})  # what an exemption reduces


class FeeRefused(ValueError):
    """An answer the fee rules cannot price: `field` is the form question, `code` says what is wrong."""

    def __init__(self, field: str, code: str, message: str):
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


@dataclass(frozen=True)
class QuoteLine:
    kind: str
    label: Mapping[str, str]  # {"ar": …, "en": …}
    amount: int  # minor units; an exemption's reduction is negative
    count: int | None = None  # items (per-item) or periods (late-penalty)
    unit_amount: int | None = None  # per item or per period
    option: str | None = None  # the value chosen (option)
    option_label: Mapping[str, str] | None = None
    percent: int | None = None  # exemption
    group: str | None = None  # exemption
    capped: bool = False  # late-penalty: the cap, not the periods, set the amount


@dataclass(frozen=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    total: int
    currency: str


def question_name(field: str) -> str:
    """The form question a fee rule's field names: `vehicle-type` is asked as `vehicle_type`."""
    return field.replace("-", "_")


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _option_line(rule: Mapping, answers: Mapping) -> QuoteLine | None:
    name = question_name(rule["field"])
    value = answers.get(name)
    if value is None or value == "":
        return None
    chosen = str(value)
    if chosen not in rule["amounts"]:
        raise FeeRefused(
            name,
            "unknown-option",
            _("There is no fee for the choice “%(value)s” of “%(label)s” (%(field)s).")
            % {"value": chosen, "label": pick(rule["label"]), "field": rule["field"]},
        )
    return QuoteLine(
        kind="option",
        label=rule["label"],
        amount=rule["amounts"][chosen],
        option=chosen,
        option_label=(rule.get("options") or {}).get(chosen),
    )


def _item_line(rule: Mapping, answers: Mapping) -> QuoteLine | None:
    name = question_name(rule["field"])
    count = answers.get(name)
    if count is None or count == "":
        return None
    names = {"label": pick(rule["label"]), "field": rule["field"]}
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise FeeRefused(
            name,
            "not-a-count",
            _("The number for “%(label)s” (%(field)s) must be a whole number, 0 or more.") % names,
        )
    most = rule.get("max_items")
    if most is not None and count > most:
        raise FeeRefused(
            name,
            "too-many",
            _("“%(label)s” (%(field)s) allows at most %(max)d, not %(count)d.")
            % {**names, "max": most, "count": count},
        )
    if count == 0:
        return None
    return QuoteLine(
        kind="per-item",
        label=rule["label"],
        amount=count * rule["amount"],
        count=count,
        unit_amount=rule["amount"],
    )


def _penalty_line(rule: Mapping, days_late: int) -> QuoteLine | None:
    beyond = days_late - rule["after_days"]
    if beyond <= 0:
        return None
    periods = _ceil_div(beyond, PERIOD_DAYS[rule["per"]])
    amount = periods * rule["amount"]
    cap = rule.get("cap")
    capped = cap is not None and amount > cap
    return QuoteLine(
        kind="late-penalty",
        label=rule["label"],
        amount=cap if capped else amount,
        count=periods,
        unit_amount=rule["amount"],
        capped=capped,
    )


def _exemption_line(rules: Sequence[Mapping], groups: Collection[str], base: int) -> QuoteLine | None:
    best = None
    for rule in rules:
        if not 1 <= rule["percent"] <= 100:
            raise ValueError(f"an exemption's percent is from 1 to 100, not {rule['percent']!r}")
        if rule["group"] in groups and (best is None or rule["percent"] > best["percent"]):
            best = rule
    if best is None:
        return None
    reduction = min(base, _ceil_div(base * best["percent"], 100))
    if reduction == 0:
        return None
    return QuoteLine(
        kind="exemption", label=best["label"], amount=-reduction, percent=best["percent"], group=best["group"]
    )


def quote(
    rules: Sequence[Mapping],
    currency: str,
    *,
    answers: Mapping | None = None,
    groups: Collection[str] = (),
    days_late: int = 0,
) -> Quote:
    """The fees due under `rules` for these answers (keyed by form question), the groups the citizen is known
    to belong to and how many days late they are. Raises FeeRefused for an answer the rules cannot price and
    ValueError for rules the catalogue schema does not allow."""
    Money(0, currency)  # refuses anything but an ISO 4217 code
    if isinstance(days_late, bool) or not isinstance(days_late, int) or days_late < 0:
        raise ValueError(f"days late is a whole number, 0 or more, not {days_late!r}")
    answers = answers or {}
    lines: list[QuoteLine] = []
    penalties: list[QuoteLine] = []
    exemptions: list[Mapping] = []
    for rule in rules:
        kind = rule["kind"]
        if kind == "fixed":
            line = QuoteLine(kind="fixed", label=rule["label"], amount=rule["amount"])
        elif kind == "option":
            line = _option_line(rule, answers)
        elif kind == "per-item":
            line = _item_line(rule, answers)
        elif kind == "late-penalty":
            line = _penalty_line(rule, days_late)
            if line is not None:
                penalties.append(line)
            continue
        elif kind == "exemption":
            exemptions.append(rule)
            continue
        else:
            raise ValueError(f"unknown fee rule kind {kind!r}")
        if line is not None:
            lines.append(line)
    exemption = _exemption_line(exemptions, groups, sum(line.amount for line in lines))
    if exemption is not None:
        lines.append(exemption)
    lines += penalties
    return Quote(lines=tuple(lines), total=sum(line.amount for line in lines), currency=currency)
