"""Demo bills to pay by reference: traffic fines on two plates and electricity bills on two accounts, dated
from today so that some are late and carry a penalty."""

from datetime import timedelta

from django.utils import timezone

from bawaba.payments.bills import BillsLoaded, bills_load

FINES = [  # plate, reference, Arabic, English, amount (piastres), days ago
    (
        "قطر1234",
        "TF-2026-104233",
        "تجاوز السرعة المقررة (92 كم/س في منطقة 60) — الطريق الدائري",
        "Speeding (92 km/h in a 60 zone), Ring Road",
        30000,
        40,
    ),
    (
        "قطر1234",
        "TF-2026-118870",
        "الوقوف في الممنوع — شارع التحرير، الدقي",
        "No-parking zone, Tahrir Street, Dokki",
        10000,
        12,
    ),
    ("قطر1234", "TF-2026-120415", "عدم ربط حزام الأمان", "Seat belt not fastened", 5000, 3),
    ("سمع5821", "TF-2026-099120", "استخدام الهاتف أثناء القيادة", "Using a phone while driving", 100000, 20),
]
ELECTRICITY = [  # account, reference, Arabic, English, amount, days ago
    (
        "100200300400",
        "EL-2026-10-100200300400",
        "فاتورة كهرباء أكتوبر 2026",
        "Electricity bill, October 2026",
        48750,
        64,
    ),
    (
        "100200300400",
        "EL-2026-11-100200300400",
        "فاتورة كهرباء نوفمبر 2026",
        "Electricity bill, November 2026",
        39420,
        4,
    ),
    (
        "500600700800",
        "EL-2026-11-500600700800",
        "فاتورة كهرباء نوفمبر 2026",
        "Electricity bill, November 2026",
        121300,
        4,
    ),
]


def _rows(items) -> list[dict]:
    today = timezone.localdate()
    return [
        {
            "reference": reference,
            "account": account,
            "holder": "",
            "label_ar": arabic,
            "label_en": english,
            "amount": str(amount),
            "currency": "EGP",
            "issued_on": (today - timedelta(days=days)).isoformat(),
        }
        for account, reference, arabic, english, amount, days in items
    ]


def ensure_demo_bills() -> dict[str, BillsLoaded]:
    return {
        "traffic-fines": bills_load(biller="traffic-fines", rows=_rows(FINES)),
        "electricity": bills_load(biller="electricity", rows=_rows(ELECTRICITY)),
    }
