"""A large, realistic synthetic catalogue for scale tests (e-Mongolia runs 1,200+ services from 86 agencies).

Writes ordinary definition files, so the synthetic catalogue goes through the same loader as the real one.
"""

import random
import shutil
from pathlib import Path

from ruamel.yaml import YAML

from .definitions_loader import TAXONOMY_FILE

AGENCY_KINDS = [
    ("ministry-of-interior", "وزارة الداخلية", "Ministry of Interior", "family"),
    ("ministry-of-health", "وزارة الصحة", "Ministry of Health", "health"),
    ("ministry-of-education", "وزارة التربية والتعليم", "Ministry of Education", "education"),
    ("ministry-of-higher-education", "وزارة التعليم العالي", "Ministry of Higher Education", "education"),
    ("ministry-of-labour", "وزارة العمل", "Ministry of Labour", "work"),
    ("ministry-of-housing", "وزارة الإسكان", "Ministry of Housing", "housing-utilities"),
    ("ministry-of-agriculture", "وزارة الزراعة", "Ministry of Agriculture", "business"),
    ("ministry-of-trade", "وزارة التجارة والصناعة", "Ministry of Trade and Industry", "business"),
    ("ministry-of-transport", "وزارة النقل", "Ministry of Transport", "transport"),
    (
        "ministry-of-social-solidarity",
        "وزارة التضامن الاجتماعي",
        "Ministry of Social Solidarity",
        "social-support",
    ),
    ("ministry-of-justice", "وزارة العدل", "Ministry of Justice", "justice-civic"),
    ("ministry-of-foreign-affairs", "وزارة الخارجية", "Ministry of Foreign Affairs", "citizens-abroad"),
    ("ministry-of-environment", "وزارة البيئة", "Ministry of Environment", "housing-utilities"),
    ("ministry-of-tourism", "وزارة السياحة", "Ministry of Tourism", "business"),
    ("ministry-of-youth", "وزارة الشباب والرياضة", "Ministry of Youth and Sports", "education"),
    ("ministry-of-culture", "وزارة الثقافة", "Ministry of Culture", "education"),
]
GOVERNORATES = [
    ("capital", "العاصمة", "the Capital"),
    ("north", "الشمال", "the North"),
    ("south", "الجنوب", "the South"),
    ("east", "الشرق", "the East"),
    ("west", "الغرب", "the West"),
    ("delta", "الدلتا", "the Delta"),
    ("coast", "الساحل", "the Coast"),
    ("valley", "الوادي", "the Valley"),
    ("highlands", "المرتفعات", "the Highlands"),
    ("oasis", "الواحات", "the Oases"),
]
ACTIONS = [
    ("issue", "إصدار", "Issue", "application", 10),
    ("renew", "تجديد", "Renew", "application", 5),
    ("replace-lost", "بدل فاقد", "Replace a lost", "application", 7),
    ("replace-damaged", "بدل تالف", "Replace a damaged", "application", 7),
    ("amend", "تعديل بيانات", "Amend the details of", "application", 10),
    ("cancel", "إلغاء", "Cancel", "application", 3),
    ("inquiry", "الاستعلام عن", "Look up", "inquiry", 0),
    ("certificate", "شهادة بيانات", "Certificate of", "application", 0),
]
OBJECTS = [
    ("permit", "تصريح", "permit"),
    ("licence", "رخصة", "licence"),
    ("card", "بطاقة", "card"),
    ("registration", "قيد", "registration"),
    ("certificate", "شهادة", "certificate"),
    ("membership", "عضوية", "membership"),
    ("subsidy", "دعم", "subsidy"),
    ("contract", "عقد", "contract"),
]
SUBJECTS = [
    ("fishing", "صيد الأسماك", "fishing"),
    ("hunting", "الصيد البري", "hunting"),
    ("import", "الاستيراد", "import"),
    ("export", "التصدير", "export"),
    ("farming", "الزراعة", "farming"),
    ("clinic", "عيادة خاصة", "private clinic"),
    ("pharmacy", "صيدلية", "pharmacy"),
    ("school", "مدرسة خاصة", "private school"),
    ("tour-guide", "مرشد سياحي", "tour guide"),
    ("street-vendor", "بائع متجول", "street vendor"),
    ("taxi", "سيارة أجرة", "taxi"),
    ("workshop", "ورشة", "workshop"),
    ("well", "حفر بئر", "well drilling"),
    ("signboard", "لافتة إعلانية", "signboard"),
    ("events", "إقامة فعالية", "public event"),
    ("livestock", "الثروة الحيوانية", "livestock"),
    ("bakery", "مخبز", "bakery"),
    ("sports-club", "نادٍ رياضي", "sports club"),
    ("library", "مكتبة عامة", "public library"),
    ("nursery", "حضانة", "nursery"),
]
CHANNEL_SETS = [
    ["online", "mobile", "centre"],
    ["online", "kiosk", "centre"],
    ["centre"],
    ["online", "mobile", "kiosk", "centre", "abroad"],
]


def _text(ar: str, en: str) -> dict:
    return {"ar": ar, "en": en}


def synthesise(*, services: int, agencies: int, out: Path, taxonomy: Path, seed: int = 2026) -> list[Path]:
    """Write `agencies` agency files holding `services` services in all, plus the taxonomy, into `out`."""
    if agencies < 1 or services < agencies:
        raise ValueError("need at least one agency and at least one service per agency")
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    shutil.copyfile(taxonomy, out / TAXONOMY_FILE)
    agency_rows = [
        (f"{kind[0]}-{gov[0]}", f"{kind[1]} - مديرية {gov[1]}", f"{kind[2]}, {gov[2]} Directorate", kind[3])
        for gov in GOVERNORATES
        for kind in AGENCY_KINDS
    ][:agencies]
    if len(agency_rows) < agencies:
        raise ValueError(f"at most {len(AGENCY_KINDS) * len(GOVERNORATES)} synthetic agencies")
    combos = [(a, o, s) for s in SUBJECTS for o in OBJECTS for a in ACTIONS]
    rng.shuffle(combos)
    per_agency = [services // agencies + (1 if i < services % agencies else 0) for i in range(agencies)]
    yaml = YAML()
    yaml.width = 200
    written = []
    cursor = 0
    for (code, name_ar, name_en, category), count in zip(agency_rows, per_agency, strict=True):
        items = []
        for _ in range(count):
            action, obj, subject = combos[cursor % len(combos)]
            cursor += 1
            kind = action[3]
            ar = f"{action[1]} {obj[1]} {subject[1]}"
            en = f"{action[2]} {subject[2]} {obj[2]}"
            fee = 0 if kind == "inquiry" else rng.choice([1000, 2500, 5000, 10000, 20000])
            items.append(
                {
                    "code": f"{code}.{subject[0]}-{obj[0]}.{action[0]}",
                    "name": _text(ar, en),
                    "summary": _text(f"خدمة {ar} من {name_ar}.", f"{en}, a service of the {name_en}."),
                    "description": _text(
                        f"تتيح هذه الخدمة {ar} إلكترونيًا أو من مراكز الخدمة، وتصلك رسالة عند كل خطوة.",
                        f"This service lets you {en.lower()} online or at a service centre, with a message at every step.",
                    ),
                    "category": category,
                    "audience": ["citizen", "resident"] if rng.random() < 0.7 else ["business"],
                    "kind": kind,
                    "synonyms": {"ar": [f"{obj[1]} {subject[1]}"], "en": [f"{subject[2]} {obj[2]}"]},
                    "keywords": {"ar": [subject[1]], "en": [subject[2]]},
                    "documents": []
                    if kind == "inquiry"
                    else [
                        {
                            "code": "national-id",
                            "name": _text("بيانات البطاقة الوطنية", "National ID details"),
                            "from_registry": True,
                        }
                    ],
                    "fees": {
                        "currency": "EGP",
                        "rules": []
                        if fee == 0
                        else [{"kind": "fixed", "label": _text("رسم الخدمة", "Service fee"), "amount": fee}],
                    },
                    "sla_working_days": action[4],
                    "channels": rng.choice(CHANNEL_SETS),
                    "assurance": "low"
                    if kind == "inquiry"
                    else rng.choice(["substantial", "substantial", "high"]),
                    "popularity": rng.randint(0, 60),
                }
            )
        path = out / f"{code}.yaml"
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(
                {
                    "agency": {
                        "code": code,
                        "name": _text(name_ar, name_en),
                        "description": _text(f"{name_ar}.", f"The {name_en}."),
                    },
                    "services": items,
                },
                handle,
            )
        written.append(path)
    return written
