"""A sample e-form using every widget, small real files of several types, and citizens to fill it in."""

import struct
import zlib
from datetime import date

from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.accounts.national_id import NationalIdRule, make

PASSWORD = "Granite-river-2026"  # noqa: S105 (a test account's)


def text(en: str, ar: str) -> dict:
    return {"ar": ar, "en": en}


SAMPLE_FORM = {
    "schema": {
        "type": "object",
        "properties": {
            "full_name": {"type": "string"},
            "national_id": {"type": "string"},
            "phone": {"type": "string", "pattern": "^\\+?[0-9]{8,15}$"},
            "kind": {"type": "string", "enum": ["new", "renewal"]},
            "old_number": {"type": "string", "minLength": 3, "maxLength": 20},
            "count": {"type": "integer", "minimum": 1, "maximum": 9},
            "start": {"type": "string", "format": "date"},
            "colour": {"type": "string", "enum": ["red", "blue"]},
            "extras": {"type": "array", "items": {"type": "string", "enum": ["wash", "wax"]}},
            "urgent": {"type": "boolean"},
            "email": {"type": "string", "format": "email"},
            "notes": {"type": "string", "maxLength": 200},
            "scan": {"type": "string"},
            "photo": {"type": "string"},
            "declaration": {"type": "boolean", "const": True},
        },
        "required": ["kind", "count", "start", "colour", "urgent", "scan", "declaration"],
    },
    "steps": [
        {
            "key": "you",
            "title": text("About you", "بياناتك"),
            "fields": ["full_name", "national_id", "phone"],
        },
        {
            "key": "request",
            "title": text("Your request", "طلبك"),
            "fields": [
                "kind",
                "old_number",
                "count",
                "start",
                "colour",
                "extras",
                "urgent",
                "email",
                "notes",
            ],
        },
        {"key": "documents", "title": text("Documents", "المستندات"), "fields": ["scan", "photo"]},
        {"key": "declaration", "title": text("Declaration", "الإقرار"), "fields": ["declaration"]},
    ],
    "fields": {
        "full_name": {
            "label": text("Full name", "الاسم الكامل"),
            "widget": "text",
            "prefill": {"source": "profile", "key": "full_name"},
        },
        "national_id": {
            "label": text("National ID number", "الرقم القومي"),
            "widget": "national-id",
            "prefill": {"source": "profile", "key": "national_id"},
        },
        "phone": {
            "label": text("Mobile number", "رقم الهاتف المحمول"),
            "widget": "phone",
            "prefill": {"source": "profile", "key": "mobile", "authoritative": False},
        },
        "kind": {
            "label": text("Kind of request", "نوع الطلب"),
            "widget": "radio",
            "choices": {"new": text("A new one", "جديد"), "renewal": text("A renewal", "تجديد")},
        },
        "old_number": {
            "label": text("Number of the one you have", "رقم الحالي"),
            "widget": "text",
            "show_if": {"field": "kind", "equals": "renewal"},
            "require_if": {"field": "kind", "equals": "renewal"},
        },
        "count": {"label": text("How many", "العدد"), "widget": "number"},
        "start": {"label": text("Start date", "تاريخ البدء"), "widget": "date"},
        "colour": {
            "label": text("Colour", "اللون"),
            "widget": "select",
            "choices": {"red": text("Red", "أحمر"), "blue": text("Blue", "أزرق")},
        },
        "extras": {
            "label": text("Extras", "إضافات"),
            "widget": "checkboxes",
            "choices": {"wash": text("Wash", "غسيل"), "wax": text("Wax", "تلميع")},
        },
        "urgent": {"label": text("Is it urgent?", "هل هو عاجل؟"), "widget": "yes-no"},
        "email": {"label": text("E-mail", "البريد الإلكتروني"), "widget": "email"},
        "notes": {
            "label": text("Notes", "ملاحظات"),
            "help": text("Anything else we should know.", "أي شيء آخر ينبغي أن نعرفه."),
            "widget": "textarea",
        },
        "scan": {
            "label": text("Scan of the form", "صورة النموذج"),
            "widget": "file",
            "accept": ["application/pdf"],
            "max_size_mb": 1,
        },
        "photo": {
            "label": text("Photo", "صورة"),
            "widget": "file",
            "accept": ["image/jpeg", "image/png"],
            "max_size_mb": 2,
        },
        "declaration": {
            "label": text("I declare that this is true.", "أقر بصحة ما سبق."),
            "widget": "checkbox",
        },
    },
}

# Answers to the sample form's request step that pass every check, as a browser posts them.
GOOD_REQUEST = {
    "kind": "new",
    "count": "2",
    "start": "2026-12-01",
    "colour": "blue",
    "extras": ["wash", "wax"],
    "urgent": "false",
    "email": "amina@example.com",
    "notes": "Nothing more.",
}


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real PNG image (grey pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(padding: int = 0) -> bytes:
    """A minimal one-page PDF, padded with a comment to the size wanted."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n"
    )
    return body + (b"%" + b"x" * padding + b"\n" if padding else b"") + b"%%EOF\n"


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"

_serials = iter(range(100, 1000))


def citizen(*, born: date = date(1990, 5, 17), name: str = "Amina", mobile: str = "+201001112223") -> User:
    number = make(birth_date=born, region="01", serial=next(_serials), sex="female", rule=NationalIdRule())
    return User.objects.create_user(
        f"citizen-{number}",
        password=PASSWORD,
        national_id=number,
        first_name=name,
        last_name="Hassan",
        birth_date=born,
        mobile=mobile,
        mobile_verified_at=timezone.now(),
    )
