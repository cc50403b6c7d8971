"""The daily reconciliation, run by the workers (core.periodic): yesterday's settlement file, and any earlier
day of the last week that has no run yet.

A day the gateway could not serve is retried later with a backoff, up to MAX_ATTEMPTS, and the task ends failed
so the failure is seen; it is never recorded as a clean day. A day whose file is malformed is not retried at
once (the same file would come back) but stays due: the next daily run tries it again.
"""

import logging
from datetime import UTC, date, timedelta

from django.tasks import task
from django.utils import timezone

from .gateways import GatewayUnavailable, SettlementInvalid, gateway_in_use
from .reconciliation import reconciliation_due_days, reconciliation_run
from .services import webhook_settle_from

__all__ = ["MAX_ATTEMPTS", "ReconciliationIncomplete", "settlement_reconcile", "webhook_settle"]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


class ReconciliationIncomplete(Exception):
    """Some days could not be reconciled; the message names them and why."""


def retry_after(attempt: int) -> timedelta:
    return timedelta(minutes=min(15 * 2 ** (attempt - 1), 360))


@task()
def settlement_reconcile(*, days: list[str] | None = None, attempt: int = 1) -> dict:
    gateway = gateway_in_use()
    today = timezone.now().astimezone(UTC).date()
    todo = (
        [date.fromisoformat(day) for day in days]
        if days
        else reconciliation_due_days(gateway=gateway.name, today=today)
    )
    reconciled, unreachable, malformed = [], [], {}
    for day in todo:
        try:
            reconciliation_run(day=day, gateway=gateway)
        except GatewayUnavailable as error:
            logger.warning("settlement of %s for %s not reconciled: %s", gateway.name, day, error)
            unreachable.append(day.isoformat())
        except SettlementInvalid as error:
            logger.error("settlement of %s for %s not reconciled: %s", gateway.name, day, error)
            malformed[day.isoformat()] = str(error)
        else:
            reconciled.append(day.isoformat())
    if unreachable and attempt < MAX_ATTEMPTS:
        settlement_reconcile.using(run_after=timezone.now() + retry_after(attempt)).enqueue(
            days=unreachable, attempt=attempt + 1
        )
    if unreachable or malformed:
        raise ReconciliationIncomplete(
            f"reconciled {reconciled or 'no day'}; gateway unreachable for {unreachable or 'no day'}"
            f" (attempt {attempt} of {MAX_ATTEMPTS}); malformed files: {malformed or 'none'}"
        )
    return {"reconciled": reconciled}


@task()
def webhook_settle(*, event_pk: int) -> None:
    """A stored webhook settles its intent (services.webhook_receive enqueues it with the event). Settling
    is idempotent: a repeat, or an older event after a newer one, changes nothing."""
    webhook_settle_from(event_pk)
