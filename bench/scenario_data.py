"""What the signed-in and form-post scenarios of `make bench` send: signed-in sessions, CSRF tokens, drafts ready to
submit, tracking questions and the gateway's webhooks, written as tab-separated files that bench/scenarios.lua reads.

Run by bench/run.py with the bench settings, against the throwaway database:

    python -m bench.scenario_data submit --out FILE --count N     N citizens, each signed in with a draft at review
    python -m bench.scenario_data mine --out FILE --count N       N synthetic citizens signed in
    python -m bench.scenario_data signed-in --out FILE --count N  N citizens signed in, for /bench/signed-in
    python -m bench.scenario_data messages --channel C --count N  N notices queued on channel C (sms, email)
    python -m bench.scenario_data track --out FILE --count N      N (reference, last four digits) pairs
    python -m bench.scenario_data insert --out FILE               a CSRF cookie and token for /bench/insert
    python -m bench.scenario_data filed                           applications filed by the submit citizens
    python -m bench.scenario_data webhooks --out FILE --count N   N applications owing a fee, each with an open
                                                                  intent and its gateway's success webhook
    python -m bench.scenario_data webhooks-paid --posted FILE     what the webhooks whose payment ids FILE lists
                                                                  settled (JSON), once the worker relayed them

Every session is made by the portal's own sign-in (`session_sign_in`, password method: low assurance, what
`municipality.complaint.submit` asks for), so it holds exactly what a browser's session holds. The first draft
goes through the form pages' own services (draft_open, draft_step_save for every step, draft_submission_key);
the others are copies of it for other citizens, each with its own submission key, as the review page issues.

The webhooks scenario's applications are likewise one `traffic.vehicle-licence.renew` filed through
`application_submit` (its workflow asks for the fee first: the application waits in awaiting-payment) and copies
of it, each with its own reference. Each has the open intent `fee_intent_open` leaves once the gateway has
created its payment (a `pay_…` id and page); the gateway itself is not run, as receiving a webhook never calls
it. Each webhook is the sandbox gateway's `payment.succeeded`-to-be event for that payment (PROTOCOL.md: status
succeeded, sequence 2 after the creation's pending, a fresh event id), kept unsigned: bench/run.py signs them
(`webhooks_sign`) right before each wrk run, as the gateway signs each delivery when it sends it, so their
timestamps are inside the platform's five-minute window however long the run.
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
WEBHOOK_PREFIX = "bench-webhooks-"
WEBHOOK_SERVICE = "traffic.vehicle-licence.renew"
WEBHOOK_PATH = "/api/v1/payments/webhook"
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
# A vehicle licence renewal as its form pages gather it (the prefilled owner fields included).
RENEWAL = {
    "owner_name": "Amina Mahmoud Ali Hassan",
    "owner_national_id": "29103090104240",
    "plate_number": "أ ب ج 1234",
    "chassis_last_digits": "4K7Z21",
    "vehicle_type": "private-car",
    "registered_to_applicant": True,
    "licence_period": "three-years",
    "insurer": "misr-insurance",
    "insurance_policy_number": "MI-2026/884512",
    "insurance_expiry": "2027-03-01",
    "delivery": "home-delivery",
    "delivery_governorate": "giza",
    "delivery_address": "12 Tahrir Street, Dokki, next to the post office",
    "declaration": True,
}


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


def webhooks(out: Path, count: int) -> None:
    from django.conf import settings
    from django.db import transaction

    from bawaba.cases.models import Application, TimelineEntry
    from bawaba.cases.payments import PURPOSE
    from bawaba.cases.services import application_submit
    from bawaba.catalogue.models import Service
    from bawaba.core.i18n import localized
    from bawaba.core.references import reference_next
    from bawaba.payments.models import Intent

    service = Service.objects.select_related("agency", "current_version").filter(code=WEBHOOK_SERVICE).first()
    if service is None or service.current_version is None:
        sys.exit(f"{WEBHOOK_SERVICE} is not published: the catalogue did not load it")
    gateway = settings.BAWABA_PAYMENT_GATEWAY
    pages = settings.BAWABA_PAYMENT_GATEWAY_OPTIONS[gateway]["url"].rstrip("/")
    # The fields a copy takes from the first application; the rest are its own.
    own = {"id", "uuid", "reference", "applicant", "filed_by", "submission_key", "answers"}
    shared = [f.attname for f in Application._meta.concrete_fields if f.name not in own]
    template, steps, rows = None, [], []
    for users in _new_citizens(WEBHOOK_PREFIX, count, mobile_prefix="+2015"):
        with transaction.atomic():
            applications = []
            if template is None:
                user = users.pop(0)
                template = application_submit(
                    service=service,
                    version=service.current_version,
                    applicant=user,
                    filed_by=user,
                    answers={**RENEWAL, "mobile": user.mobile},
                    submission_key=secrets.token_urlsafe(16),
                )
                if template.state != "awaiting-payment" or template.fees_due <= 0:
                    sys.exit(
                        f"{WEBHOOK_SERVICE} did not wait for a fee: {template.state}, {template.fees_due} due"
                    )
                steps = list(template.timeline.all())
                applications.append(template)
            copies = [
                Application(
                    **{name: getattr(template, name) for name in shared},
                    reference=reference_next(),
                    applicant=user,
                    filed_by=user,
                    submission_key=secrets.token_urlsafe(16),
                    answers={**template.answers, "mobile": user.mobile},
                )
                for user in users
            ]
            Application.objects.bulk_create(copies)
            TimelineEntry.objects.bulk_create(
                TimelineEntry(
                    application=copy,
                    at=step.at,
                    action=step.action,
                    from_state=step.from_state,
                    to_state=step.to_state,
                    actor=step.actor.replace(str(template.applicant.uuid), str(copy.applicant.uuid)),
                    role=step.role,
                    text=step.text,
                    visible_to_applicant=step.visible_to_applicant,
                )
                for copy in copies
                for step in steps
            )
            applications += copies
            intents = []
            for application in applications:
                payment = f"pay_{secrets.token_hex(12)}"
                name = localized(service, "name", application.applicant.preferred_language)
                intents.append(
                    Intent(
                        purpose=PURPOSE.format(uuid=application.uuid),
                        reference=application.reference,
                        description=name[:200],
                        payer=application.applicant,
                        amount=application.fees_due,
                        currency=application.currency,
                        gateway=gateway,
                        gateway_payment=payment,
                        pay_url=f"{pages}/pay/{payment}",
                        idempotency_key=secrets.token_urlsafe(24),
                    )
                )
            Intent.objects.bulk_create(intents)
            rows += [[_webhook_body(intent)] for intent in intents]
    header = {"path": WEBHOOK_PATH, "host": HOST, "method": "POST", "expect": "200", "marker": '"new": true'}
    _write(out, header, rows)
    print(
        f"{len(rows)} applications awaiting a {template.fees_due} {template.currency} fee, each with its webhook"
    )


def _webhook_body(intent) -> str:
    """The gateway's event for the payment's success, as it sends it (json.dumps of the payload)."""
    from datetime import UTC, datetime

    return json.dumps(
        {
            "event_id": f"evt_{secrets.token_hex(12)}",
            "id": intent.gateway_payment,
            "status": "succeeded",
            "amount": intent.amount,
            "currency": intent.currency,
            "merchant_reference": intent.reference,
            "decline_reason": None,
            "occurred_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "sequence": 2,  # the payment's creation (pending) was the first
        }
    )


def webhooks_sign(source: Path, out: Path, *, secret: str) -> None:
    """The prepared webhooks signed now (timestamp and signature before each body), as the gateway signs a
    delivery when it sends it. Needs no database: bench/run.py calls it before each wrk run."""
    from bawaba.paygw.signing import signed_headers

    header, *bodies = source.read_text().splitlines()
    now = time.time()
    lines = [header]
    for body in filter(None, bodies):
        signed = signed_headers(secret, body.encode(), now=now)
        lines.append("\t".join([signed["X-Paygw-Timestamp"], signed["X-Paygw-Signature"], body]))
    out.write_text("\n".join(lines) + "\n")


def webhooks_paid(posted: Path) -> None:
    """What the posted webhooks (their payment ids in `posted`) settled, once the worker has relayed the
    payment events: intents succeeded, applications paid and citizens told, among all the scenario's."""
    from bawaba.cases.models import Application
    from bawaba.cases.payments import PURPOSE
    from bawaba.notifications.models import Message
    from bawaba.payments.models import Intent

    sent = set(filter(None, posted.read_text().split()))
    intents = Intent.objects.filter(payer__username__startswith=WEBHOOK_PREFIX)
    succeeded = dict(intents.filter(status=Intent.Status.SUCCEEDED).values_list("gateway_payment", "purpose"))
    applications = Application.objects.filter(applicant__username__startswith=WEBHOOK_PREFIX)
    paid = {
        PURPOSE.format(uuid=uuid)
        for uuid in applications.filter(fees_paid=True, state="paid").values_list("uuid", flat=True)
    }
    told = (
        Message.objects.filter(kind="payment.received", recipient__username__startswith=WEBHOOK_PREFIX)
        .values("recipient")
        .distinct()
        .count()
    )
    print(
        json.dumps(
            {
                "posted": len(sent),
                "succeeded": len(succeeded),
                "succeeded_not_posted": len(succeeded.keys() - sent),
                "posted_not_succeeded": len(sent - succeeded.keys()),
                "other_final": intents.exclude(
                    status__in=[Intent.Status.OPEN, Intent.Status.SUCCEEDED]
                ).count(),
                "paid": len(paid),
                "paid_not_succeeded": len(paid - set(succeeded.values())),
                "succeeded_not_paid": len(set(succeeded.values()) - paid),
                "paid_other_state": applications.filter(fees_paid=True).exclude(state="paid").count(),
                "told": told,
            }
        )
    )


def filed() -> None:
    from bawaba.cases.models import Application

    print(Application.objects.filter(filed_by__username__startswith=SUBMIT_PREFIX).count())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what",
        choices=[
            "submit",
            "mine",
            "signed-in",
            "track",
            "insert",
            "webhooks",
            "messages",
            "filed",
            "webhooks-paid",
        ],
    )
    parser.add_argument("--channel", choices=["sms", "email"], default="sms")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--posted", type=Path)
    args = parser.parse_args()
    if args.what not in ("filed", "messages", "webhooks-paid") and args.out is None:
        parser.error("--out is required")
    if args.what == "webhooks-paid" and args.posted is None:
        parser.error("--posted is required")
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
    elif args.what == "webhooks":
        webhooks(args.out, args.count)
    elif args.what == "messages":
        messages(args.channel, args.count)
    elif args.what == "webhooks-paid":
        webhooks_paid(args.posted)
        return
    else:
        filed()
        return
    print(f"took {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
