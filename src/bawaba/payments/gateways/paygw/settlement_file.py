"""The sandbox gateway's daily settlement CSV (PROTOCOL.md, "Daily settlement"), read strictly.

Whatever is wrong in the file is named by line and column, and the whole file is refused: a reconciliation
built on half a file would report payments as missing that were only unreadable.
"""

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta

from django.utils.translation import gettext as _

from .. import SettlementInvalid, SettlementLine

COLUMNS = ("payment_id", "merchant_reference", "amount", "currency", "fee", "net", "settled_at")
PAYMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,120}")
REFERENCE = re.compile(r"[A-Za-z0-9._:/-]{1,64}")
WHOLE = re.compile(r"[0-9]{1,13}")
CURRENCY = re.compile(r"[A-Z]{3}")
SETTLED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")


def _problem(line: int, column: int, words: str) -> SettlementInvalid:
    if column:
        where = _("Settlement file, line %(line)s, column %(column)s (%(name)s)") % {
            "line": line,
            "column": column,
            "name": COLUMNS[column - 1],
        }
    else:
        where = _("Settlement file, line %(line)s") % {"line": line}
    return SettlementInvalid(f"{where}: {words}", line=line, column=column)


def _whole(text: str, line: int, column: int) -> int:
    if not WHOLE.fullmatch(text):
        raise _problem(line, column, _("%(value)r is not a whole number of minor units.") % {"value": text})
    return int(text)


def _line(row: list[str], number: int, day: date, seen: set[str]) -> SettlementLine:
    if len(row) != len(COLUMNS):
        raise _problem(
            number,
            0,
            _("%(count)s fields where there should be %(expected)s.")
            % {"count": len(row), "expected": len(COLUMNS)},
        )
    payment_id, reference, amount, currency, fee, net, settled_at = row
    if not PAYMENT_ID.fullmatch(payment_id):
        raise _problem(number, 1, _("%(value)r is not a payment id.") % {"value": payment_id})
    if payment_id in seen:
        raise _problem(number, 1, _("payment %(value)s is listed twice.") % {"value": payment_id})
    if not REFERENCE.fullmatch(reference):
        raise _problem(number, 2, _("%(value)r is not a merchant reference.") % {"value": reference})
    amount_value = _whole(amount, number, 3)
    if amount_value < 1:
        raise _problem(number, 3, _("an amount paid is at least 1."))
    if not CURRENCY.fullmatch(currency):
        raise _problem(number, 4, _("%(value)r is not an ISO 4217 currency code.") % {"value": currency})
    fee_value = _whole(fee, number, 5)
    if fee_value > amount_value:
        raise _problem(number, 5, _("the fee is more than the amount."))
    net_value = _whole(net, number, 6)
    if net_value != amount_value - fee_value:
        raise _problem(
            number,
            6,
            _("%(net)s is not the amount less the fee (%(expected)s).")
            % {"net": net_value, "expected": amount_value - fee_value},
        )
    if not SETTLED_AT.fullmatch(settled_at):
        raise _problem(
            number, 7, _("%(value)r is not a UTC time such as 2026-01-02T00:00:00Z.") % {"value": settled_at}
        )
    try:
        when = datetime.fromisoformat(settled_at)
    except ValueError:
        raise _problem(number, 7, _("%(value)r is not a real time.") % {"value": settled_at}) from None
    # The day's money is paid out once the day is over: an earlier time means the file is of another day.
    if when < datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC):
        raise _problem(
            number, 7, _("%(value)s is before the end of %(day)s.") % {"value": settled_at, "day": day}
        )
    seen.add(payment_id)
    return SettlementLine(
        payment_id=payment_id,
        reference=reference,
        amount=amount_value,
        currency=currency,
        fee=fee_value,
        net=net_value,
        settled_at=when,
    )


def settlement_parse(content: bytes, day: date) -> list[SettlementLine]:
    """Every line of the file, or SettlementInvalid for the first thing wrong in it."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _problem(content[: error.start].count(b"\n") + 1, 0, _("the file is not UTF-8.")) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    lines: list[SettlementLine] = []
    seen: set[str] = set()
    start = 1
    try:
        header = next(reader, None)
        if header is None:
            raise _problem(1, 0, _("the file is empty: even a day without payments has the header line."))
        for column, (found, expected) in enumerate(zip(header, COLUMNS, strict=False), start=1):
            if found != expected:
                raise _problem(
                    1,
                    column,
                    _("the header says %(found)r, not %(expected)r.")
                    % {"found": found, "expected": expected},
                )
        if len(header) != len(COLUMNS):
            raise _problem(
                1,
                0,
                _("the header has %(count)s columns, not %(expected)s.")
                % {"count": len(header), "expected": len(COLUMNS)},
            )
        while True:
            # A quoted field may run over several lines: a record is named by the line it starts on.
            start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                return lines
            lines.append(_line(row, start, day, seen))
    except csv.Error as error:
        raise _problem(start, 0, _("not CSV: %(error)s") % {"error": error}) from None
