"""What the workers do after a payment webhook is stored, for tests that have no worker running."""

from django_tasks_db.models import DBTaskResult


def webhooks_settle() -> int:
    """Run the webhook_settle tasks still waiting, oldest first, as a worker would; how many ran."""
    from bawaba.payments.tasks import webhook_settle

    waiting = (
        DBTaskResult.objects.ready().filter(task_path=webhook_settle.module_path).order_by("enqueued_at")
    )
    ran = 0
    for result in waiting:
        webhook_settle.call(**result.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=result.pk).delete()
        ran += 1
    return ran
