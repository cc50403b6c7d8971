"""The SLA sweep, run every BAWABA_SLA_SWEEP_MINUTES by the workers (core.periodic): idempotent, so a run
repeated after a failure, or overlapping the next one, changes each application once."""

from django.tasks import task

from .sweeps import sla_breaches_flag, timed_moves_take


@task()
def sla_sweep() -> dict:
    # Timed moves first: an application closed for want of an answer is not flagged as late as well.
    moved = timed_moves_take()
    flagged = sla_breaches_flag()
    return {"moved": len(moved), "flagged": len(flagged)}
