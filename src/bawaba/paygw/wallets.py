"""The wallet form's checks and the sandbox's test wallets: what each mobile number does."""

import re

from .cards import CHALLENGE

INSUFFICIENT_BALANCE, NOT_A_WALLET = "insufficient_wallet_balance", "not_a_wallet"
TEST_WALLETS = {
    "01000000001": CHALLENGE,
    "01000000002": INSUFFICIENT_BALANCE,
}
# Egypt's mobile numbers: 010, 011, 012 or 015, then eight digits.
MOBILE = re.compile(r"01[0125]\d{8}")


def normalise(number: str) -> str:
    """The number as eleven national digits: without spaces and dashes, and +20 / 0020 written as 0."""
    number = re.sub(r"[\s-]", "", number)
    for prefix in ("+20", "0020"):
        if number.startswith(prefix):
            return "0" + number.removeprefix(prefix)
    return number


def valid(number: str) -> bool:
    return MOBILE.fullmatch(number) is not None


def outcome(number: str) -> str:
    """What the sandbox does with a valid mobile number; numbers that are not test wallets have no wallet."""
    return TEST_WALLETS.get(number, NOT_A_WALLET)
