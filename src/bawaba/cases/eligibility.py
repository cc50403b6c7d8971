"""Who may file a service: the definition's conditions checked against what is known of the applicant.

A pure engine. A condition about a fact nobody has supplied cannot be decided online; it is left for the agency
to check rather than held against the citizen.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Verdict", "judge"]

OPERATORS = {
    "eq": lambda fact, value: fact == value,
    "ne": lambda fact, value: fact != value,
    "gt": lambda fact, value: fact > value,
    "gte": lambda fact, value: fact >= value,
    "lt": lambda fact, value: fact < value,
    "lte": lambda fact, value: fact <= value,
    "in": lambda fact, value: fact in value,
    "not-in": lambda fact, value: fact not in value,
    "is-true": lambda fact, value: fact is True,
    "is-false": lambda fact, value: fact is False,
}


@dataclass(frozen=True)
class Verdict:
    unmet: tuple[Mapping, ...]  # conditions the applicant does not meet: each carries its message
    unknown: tuple[Mapping, ...]  # conditions about facts not known here: the agency checks them

    @property
    def eligible(self) -> bool:
        return not self.unmet


def judge(conditions: Sequence[Mapping], facts: Mapping) -> Verdict:
    unmet, unknown = [], []
    for condition in conditions:
        if condition["fact"] not in facts or facts[condition["fact"]] is None:
            unknown.append(condition)
            continue
        try:
            holds = OPERATORS[condition["op"]](facts[condition["fact"]], condition.get("value"))
        except TypeError:  # a fact of another type than the rule expects: undecidable here
            unknown.append(condition)
            continue
        if not holds:
            unmet.append(condition)
    return Verdict(tuple(unmet), tuple(unknown))
