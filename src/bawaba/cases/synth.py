"""Applications at national scale for benchmarks: citizens and their applications over the past year.

Rows are written in batches with bulk inserts (no services, no events): this is load for measuring reads and
the queue, not history anyone acts on. References continue the year's counter so later submissions never
collide with them.
"""

import random
import uuid
from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.accounts.national_id import make
from bawaba.accounts.services import national_id_rule
from bawaba.catalogue.models import Service
from bawaba.core.models import ReferenceCounter

from .models import Application, TimelineEntry
from .service_parts import FILEABLE_KINDS, fees_due, workflow_for

BATCH = 5000
REGIONS = ["01", "02", "03", "04", "11", "12", "13", "21", "22", "88"]


def _citizens(count: int, rng: random.Random, start: int) -> list[User]:
    rule = national_id_rule()
    unusable = make_password(None)
    users = []
    for i in range(start, start + count):
        born = date(1950, 1, 1) + timedelta(days=(i // 1000) % 20000)
        national_id = make(
            birth_date=born,
            region=REGIONS[(i // 20_000_000) % len(REGIONS)],
            serial=i % 1000,
            sex="male" if i % 2 else "female",
            rule=rule,
        )
        users.append(
            User(
                username=f"synth-{national_id}",
                national_id=national_id,
                birth_date=born,
                mobile=f"+2010{rng.randrange(10**8):08d}",
                password=unusable,
            )
        )
    return users


def synth_applications(
    *, applications: int, citizens: int, seed: int = 2026, report: Callable[[str], None] = print
) -> int:
    """Writes `citizens` synthetic citizens and `applications` applications spread over them; returns the
    number of applications written."""
    rng = random.Random(seed)  # noqa: S311 (repeatable load data, not secrets)
    services = list(
        Service.objects.select_related("agency", "current_version").filter(
            kind__in=FILEABLE_KINDS, current_version__isnull=False
        )
    )
    if not services:
        raise ValueError("no published service takes applications: run `bawaba catalogue load` first")
    parts = {
        s.pk: (workflow_for(s.current_version), fees_due(s.current_version.definition)) for s in services
    }
    already = User.objects.filter(username__startswith="synth-").count()
    for offset in range(0, citizens, BATCH):
        with transaction.atomic():
            User.objects.bulk_create(_citizens(min(BATCH, citizens - offset), rng, already + offset))
        report(f"citizens: {offset + min(BATCH, citizens - offset)}/{citizens}")
    applicant_ids = list(User.objects.filter(username__startswith="synth-").values_list("pk", flat=True))
    now = timezone.now()
    year = timezone.localdate().year
    written = 0
    while written < applications:
        size = min(BATCH, applications - written)
        with transaction.atomic():
            counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(prefix="BWB", year=year)
            rows = []
            for n in range(size):
                service = rng.choice(services)
                workflow, (fees, currency) = parts[service.pk]
                state = rng.choice(list(workflow.states))
                submitted = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
                applicant = rng.choice(applicant_ids)
                rows.append(
                    Application(
                        reference=f"BWB-{year}-{counter.last + n + 1:06d}",
                        service=service,
                        service_version=service.current_version,
                        agency=service.agency.code,
                        applicant_id=applicant,
                        filed_by_id=applicant,
                        workflow=workflow.code,
                        state=state,
                        state_since=submitted,
                        answers={"details": "Synthetic application for load tests."},
                        fees_due=fees,
                        fees_paid=bool(fees) and rng.random() < 0.8,
                        currency=currency,
                        submitted_at=submitted,
                        due_on=None
                        if workflow.states[state].terminal
                        else (submitted + timedelta(days=service.sla_working_days * 7 // 5 + 1)).date(),
                        submission_key=uuid.uuid4().hex,
                    )
                )
            counter.last += size
            counter.save(update_fields=["last"])
            created = Application.objects.bulk_create(rows)
            TimelineEntry.objects.bulk_create(
                TimelineEntry(
                    application=a,
                    at=a.submitted_at,
                    action="submit",
                    to_state=a.state,
                    actor="synth",
                    role="citizen",
                )
                for a in created
            )
        written += size
        report(f"applications: {written}/{applications}")
    return written
