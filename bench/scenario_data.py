"""What the signed-in and form-post scenarios of `make bench` send: signed-in sessions, CSRF tokens, drafts ready to
submit and tracking questions, written as tab-separated files that bench/scenarios.lua reads.

Run by bench/run.py with the bench settings, against the throwaway database:

    python -m bench.scenario_data submit --out FILE --count N     N citizens, each signed in with a draft at review
    python -m bench.scenario_data mine --out FILE --count N       N synthetic citizens signed in
    python -m bench.scenario_data signed-in --out FILE --count N  N citizens signed in, for /bench/signed-in
    python -m bench.scenario_data messages --channel C --count N  N notices queued on channel C (sms, email)
    python -m bench.scenario_data track --out FILE --count N      N (reference, last four digits) pairs
    python -m bench.scenario_data insert --out FILE               a CSRF cookie and token for /bench/insert
    python -m bench.scenario_data filed                           applications filed by the submit citizens

Every session is made by the portal's own sign-in (`session_sign_in`, password method: low assurance, what
`municipality.complaint.submit` asks for), so it holds exactly what a browser's session holds. The first draft
goes through the form pages' own services (draft_open, draft_step_save for every step, draft_submission_key);
the others are copies of it for other citizens, each with its own submission key, as the review page issues.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import time
from pathlib import Path

import django

HOST = "bench.bawaba.test"
ORIGIN = f"https://{HOST}"
SUBMIT_SERVICE = "municipality.complaint.submit"
SUBMIT_PREFIX = "bench-submit-"
SIGNED_IN_PREFIX = "bench-signed-in-"
MINE_PREFIX = "synth-"
BATCH = 500
# A citizen's answers, step by step, as the form pages post them.
COMPLAINT = [
    ("what", {"category": ["street-lighting"]}),
    (
        "where",
        {"governorate": ["giza"], "district": ["Dokki"], "street": ["Tahrir Street"], "landmark": [""]},
    ),
    (
        "description",
        {"details": ["The street light in front of building 12 has been off for a week."], "mobile": [""]},
    ),
    ("declaration", {"declaration": ["on"]}),
]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()


def _write(out: Path, header: dict[str, str], rows: list[list[str]]) -> None:
    """First line: key=value settings for the script; then one tab-separated line per request's data."""
    lines = ["\t".join(f"{k}={v}" for k, v in header.items())]
    lines += ["\t".join(row) for row in rows]
    out.write_text("\n".join(lines) + "\n")


def _header(path: str, **extra: str) -> dict[str, str]:
    from django.conf import settings

    return {
        "path": path,
        "host": HOST,
        "origin": ORIGIN,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        # A returning browser sends the language it chose, so the response sets no cookie.
        "cookies": f"{settings.LANGUAGE_COOKIE_NAME}=ar",
        **extra,
    }


def _request():
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_HOST=HOST, REMOTE_ADDR="127.0.0.1", HTTP_USER_AGENT="bench")
    SessionMiddleware(lambda r: None).process_request(request)
    return request


def _csrf() -> tuple[str, str]:
    """A CSRF cookie and the form token that goes with it, as a page with a form hands them out."""
    from django.middleware.csrf import get_token

    request = _request()
    token = get_token(request)
    return request.META["CSRF_COOKIE"], token


def _signed_in(user) -> str:
    """A session signed in with a password, saved where the server looks for it; returns its key."""
    from bawaba.accounts.session_assurance import session_sign_in

    request = _request()
    session_sign_in(request, user=user, methods=["password"])
    request.session.save()
    return request.session.session_key


def _new_citizens(prefix: str, count: int, *, mobile_prefix: str):
    """`count` new accounts without a usable password, in batches (lists of saved users)."""
    from django.contrib.auth.hashers import make_password

    from bawaba.accounts.models import User

    start = User.objects.filter(username__startswith=prefix).count()
    unusable = make_password(None)
    for offset in range(0, count, BATCH):
        size = min(BATCH, count - offset)
        names = [f"{prefix}{start + offset + i}" for i in range(size)]
        User.objects.bulk_create(
            User(
                username=name,
                first_name="Bench",
                last_name="Citizen",
                mobile=f"{mobile_prefix}{start + offset + i:08d}",
                password=unusable,
            )
            for i, name in enumerate(names)
        )
        yield list(User.objects.filter(username__in=names))


def submit(out: Path, count: int) -> None:
    from django.db import transaction

    from bawaba.cases.service_parts import form_for
    from bawaba.catalogue.models import Service
    from bawaba.forms.drafts import REVIEW, draft_open, draft_step_save, draft_submission_key
    from bawaba.forms.models import Draft

    service = Service.objects.select_related("current_version").filter(code=SUBMIT_SERVICE).first()
    if service is None or service.current_version is None:
        sys.exit(f"{SUBMIT_SERVICE} is not published: the catalogue did not load it")
    version = service.current_version
    form = form_for(version)
    rows = []
    template = None
    for users in _new_citizens(SUBMIT_PREFIX, count, mobile_prefix="+2011"):
        with transaction.atomic():
            if template is None:
                user = users.pop(0)
                opened = draft_open(
                    filed_by=user,
                    applicant=user,
                    service_code=service.code,
                    version_number=version.number,
                    version_hash=version.content_hash,
                    form=form,
                )
                draft = opened.draft
                for i, (step, posted) in enumerate(COMPLAINT):
                    reached = COMPLAINT[i + 1][0] if i + 1 < len(COMPLAINT) else REVIEW
                    result = draft_step_save(
                        draft=draft, form=form, step=step, posted=posted, reached=reached
                    )
                    if result.errors:
                        sys.exit(f"the bench's complaint answers fail step {step}: {result.errors}")
                checked = form.clean_all(draft.answers)
                if not checked.ok:
                    sys.exit(f"the bench's complaint answers fail the form: {checked.errors}")
                template = draft
                rows.append(_submit_row(user, draft_submission_key(draft=draft)))
            drafts = [
                Draft(
                    filed_by=user,
                    applicant=user,
                    service_code=service.code,
                    version_number=template.version_number,
                    version_hash=template.version_hash,
                    answers={**template.answers, "mobile": user.mobile},
                    step=REVIEW,
                    submission_key=secrets.token_urlsafe(32),
                    expires_at=template.expires_at,
                )
                for user in users
            ]
            Draft.objects.bulk_create(drafts)
            rows += [_submit_row(d.filed_by, d.submission_key) for d in drafts]
    path = f"/ar/services/{service.code}/apply/review/"
    _write(out, _header(path, method="POST", expect="302", location="/apply/filed/"), rows)
    print(f"{len(rows)} citizens signed in with a complaint at review")


def _submit_row(user, key: str) -> list[str]:
    secret, token = _csrf()
    return [_signed_in(user), secret, token, key]


def _synth_citizens(count: int, rng: random.Random) -> list:
    from django.db.models import Max, Min

    from bawaba.accounts.models import User
    from bawaba.cases.models import Application

    bounds = Application.objects.aggregate(low=Min("applicant_id"), high=Max("applicant_id"))
    if bounds["low"] is None:
        sys.exit("no applications: run `bawaba cases synth` first")
    chosen: dict[int, User] = {}
    for _attempt in range(50):
        if len(chosen) >= count:
            break
        ids = rng.sample(
            range(bounds["low"], bounds["high"] + 1), min(count * 2, bounds["high"] - bounds["low"] + 1)
        )
        for user in User.objects.filter(
            pk__in=ids, username__startswith=MINE_PREFIX, applications__isnull=False
        ):
            chosen.setdefault(user.pk, user)
    return list(chosen.values())[:count]


def mine(out: Path, count: int) -> None:
    from django.db import transaction
    from django.db.models import Count

    from bawaba.cases.models import Application

    citizens = _synth_citizens(count, random.Random(2026))
    if not citizens:
        sys.exit("no synthetic citizen has an application")
    counts = dict(
        Application.objects.filter(applicant__in=citizens)
        .values_list("applicant_id")
        .annotate(n=Count("pk"))
        .values_list("applicant_id", "n")
    )
    rows = []
    for offset in range(0, len(citizens), BATCH):
        with transaction.atomic():
            rows += [[_signed_in(user)] for user in citizens[offset : offset + BATCH]]
    numbers = sorted(counts.get(c.pk, 0) for c in citizens)
    info = {
        "citizens": len(citizens),
        "applications_mean": round(sum(numbers) / len(numbers), 1),
        "applications_min": numbers[0],
        "applications_median": numbers[len(numbers) // 2],
        "applications_max": numbers[-1],
    }
    _write(out, _header("/ar/account/applications/", method="GET", expect="200", marker="<tbody>"), rows)
    print(json.dumps(info))


def signed_in(out: Path, count: int) -> None:
    from django.db import transaction

    rows = []
    for users in _new_citizens(SIGNED_IN_PREFIX, count, mobile_prefix="+2012"):
        with transaction.atomic():
            rows += [[_signed_in(user)] for user in users]
    _write(out, _header("/bench/signed-in", method="GET", expect="200", marker="signed in"), rows)
    print(f"{len(rows)} citizens signed in")


def track(out: Path, count: int) -> None:
    from django.db.models import Max, Min

    from bawaba.cases.models import Application
    from bawaba.cases.selectors import REFERENCE

    rng = random.Random(2027)
    bounds = Application.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        sys.exit("no applications: run `bawaba cases synth` first")
    span = range(bounds["low"], bounds["high"] + 1)
    ids = rng.sample(span, min(count * 2, len(span)))
    pairs = [
        [reference, national_id[-4:]]
        for reference, national_id in Application.objects.filter(pk__in=ids).values_list(
            "reference", "applicant__national_id"
        )
        if national_id and REFERENCE.fullmatch(reference)
    ][:count]
    if not pairs:
        sys.exit("no application with a trackable reference")
    rng.shuffle(pairs)
    secret, token = _csrf()
    header = _header(
        "/ar/track/",
        method="POST",
        expect="200",
        marker='id="result-title"',
        csrf_secret=secret,
        csrf_token=token,
    )
    _write(out, header, pairs)
    print(f"{len(pairs)} references to track")


def insert(out: Path) -> None:
    secret, token = _csrf()
    _write(
        out, _header("/bench/insert", method="POST", expect="200", csrf_secret=secret, csrf_token=token), []
    )
    print("one CSRF token for /bench/insert")


def messages(channel: str, count: int) -> None:
    """Queued notices as `notify` writes them (the shipped Arabic wording), each to its own recipient."""
    from bawaba.notifications.models import Message
    from bawaba.notifications.notices import wording_default
    from bawaba.notifications.wording import fill

    wording = wording_default("application.submitted", "ar")
    rows = []
    for n in range(count):
        values = {
            "reference": f"BWB-2026-{n:06d}",
            "service": "تجديد رخصة تسيير مركبة",
            "date": "4 ديسمبر 2026",
        }
        rows.append(
            Message(
                channel=channel,
                to=f"+2010{n:08d}" if channel == "sms" else f"citizen{n}@bench.example",
                kind="application.submitted",
                language="ar",
                subject="" if channel == "sms" else fill(wording.subject, values),
                body=fill(wording.sms if channel == "sms" else wording.body, values),
                values=values,
                reference=values["reference"],
            )
        )
    Message.objects.bulk_create(rows, batch_size=BATCH)
    print(f"{count} {channel} messages queued")


def filed() -> None:
    from bawaba.cases.models import Application

    print(Application.objects.filter(filed_by__username__startswith=SUBMIT_PREFIX).count())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what", choices=["submit", "mine", "signed-in", "track", "insert", "messages", "filed"]
    )
    parser.add_argument("--channel", choices=["sms", "email"], default="sms")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--count", type=int, default=0)
    args = parser.parse_args()
    if args.what not in ("filed", "messages") and args.out is None:
        parser.error("--out is required")
    _setup()
    started = time.monotonic()
    if args.what == "submit":
        submit(args.out, args.count)
    elif args.what == "mine":
        mine(args.out, args.count)
    elif args.what == "signed-in":
        signed_in(args.out, args.count)
    elif args.what == "track":
        track(args.out, args.count)
    elif args.what == "insert":
        insert(args.out)
    elif args.what == "messages":
        messages(args.channel, args.count)
    else:
        filed()
        return
    print(f"took {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
