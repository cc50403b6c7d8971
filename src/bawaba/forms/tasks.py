"""The drafts' sweep: warn before a draft is deleted, then delete expired drafts and the files nobody needs.

Run it regularly (`bawaba drafts sweep` from cron enqueues it). Running it twice does no more than once: a
draft is warned once and what is deleted is gone.
"""

from django.tasks import task

from .drafts import drafts_expire, drafts_warn


@task()
def drafts_sweep() -> dict[str, int]:
    warned = drafts_warn()
    return {"warned": warned, **drafts_expire()}
