"""Money in integer minor units with an ISO 4217 currency."""

from dataclasses import dataclass
from decimal import Decimal

# Minor units per major unit; currencies not listed have two decimals.
_EXPONENT = {
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    "JPY": 0,
    "KRW": 0,
    "MNT": 2,
}
_SYMBOL_AR = {"EGP": "ج.م", "SAR": "ر.س", "AED": "د.إ", "IQD": "د.ع", "JOD": "د.أ", "KWD": "د.ك", "USD": "$"}


@dataclass(frozen=True, order=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int):
            raise TypeError("money is counted in whole minor units")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")

    def __add__(self, other: "Money") -> "Money":
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    @property
    def major(self) -> Decimal:
        return Decimal(self.amount).scaleb(-_EXPONENT.get(self.currency, 2))

    def format(self, language: str = "en") -> str:
        exponent = _EXPONENT.get(self.currency, 2)
        value = self.major
        text = f"{value:,.{exponent}f}"
        if value == value.to_integral_value():
            text = f"{value:,.0f}"
        if language == "ar":
            return f"{text} {_SYMBOL_AR.get(self.currency, self.currency)}"
        return f"{self.currency} {text}"
