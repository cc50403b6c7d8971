"""The outbox: domain events written in the transaction that caused them, then relayed to subscribers."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.name} {self.uuid}"


class Delivery(models.Model):
    """One subscriber's handling of one event: done once, retried a bounded number of times."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="deliveries")
    subscriber = models.CharField(_("subscriber"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="events_delivery_once")]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.subscriber} ← {self.event_id}: {self.status}"
