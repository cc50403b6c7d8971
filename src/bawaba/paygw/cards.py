"""The card form's checks and the sandbox's test cards: what each number does."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

CHALLENGE_CODE = "123456"
SUCCESS, DECLINE, INSUFFICIENT_FUNDS, CHALLENGE = (
    "success",
    "card_declined",
    "insufficient_funds",
    "challenge",
)
TEST_CARDS = {
    "4242424242424242": SUCCESS,
    "4000000000000002": DECLINE,
    "4000000000009995": INSUFFICIENT_FUNDS,
    "4000000000003220": CHALLENGE,
}


def digits(number: str) -> str:
    """The card number without the spaces and dashes people type."""
    return re.sub(r"[\s-]", "", number)


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@dataclass(frozen=True)
class Expiry:
    month: int
    year: int


def expiry_parse(text: str) -> Expiry | None:
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", text)
    if not match or not 1 <= int(match[1]) <= 12:
        return None
    year = int(match[2])
    return Expiry(month=int(match[1]), year=year + 2000 if year < 100 else year)


def expired(expiry: Expiry, today: datetime | None = None) -> bool:
    """A card is good until the end of its expiry month."""
    today = today or datetime.now(UTC)
    return (expiry.year, expiry.month) < (today.year, today.month)


def outcome(number: str) -> str:
    """What the sandbox does with a valid card number; numbers that are not test cards are declined."""
    return TEST_CARDS.get(number, DECLINE)
